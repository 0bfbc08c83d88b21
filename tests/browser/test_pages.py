"""Every page of the built book, opened in headless Chromium.

For each page of _toc.yml: the figures in cell outputs load (naturalWidth > 0), no output shows
an error or a traceback, the ipywidgets explorers render their initial state from the embedded
widget state (sliders showing their initial values, the Train button, the output area), the
browser console has no errors besides known harmless noise, and no resource comes from another
host (the book must work offline). A full-page screenshot of each page is saved in
_build/screenshots/<page>.png for a human to look at.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from book import HTML_DIR, PAGES, WIDGET_PAGES
from browsing import (WIDGETS_RENDERED_JS, console_problems, full_page_screenshot, wait,
                      wait_until_loaded)

pytestmark = pytest.mark.browser

# Text in a cell output that means a cell failed.
ERROR_TEXT = re.compile(
    r"Traceback \(most recent call last\)|\b[A-Z]\w*(?:Error|Exception): |Error displaying widget"
)
WIDGET_TIMEOUT_S = 30

# Everything one page needs to know, collected in one round trip once the page has settled.
PAGE_REPORT_JS = """
const outputs = Array.from(document.querySelectorAll('.cell_output, div.output'));
const images = outputs.flatMap(o => Array.from(o.querySelectorAll('img')));
const state = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
return {
  images: images.map(img => ({src: img.currentSrc.slice(0, 80), complete: img.complete,
                              width: img.naturalWidth, height: img.naturalHeight})),
  error_outputs: Array.from(document.querySelectorAll(
      '.output.traceback, .output.error, .cell_output .traceback, .widget-error, .jupyter-widgets-error'))
      .map(e => e.innerText.slice(0, 300)),
  output_text: outputs.map(o => o.innerText),
  widget_views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
  widget_state: state ? JSON.parse(state.textContent).state : null,
  subareas: Array.from(document.querySelectorAll('.widget-subarea')).map(a => a.children.length),
  sliders: Array.from(document.querySelectorAll('.widget-subarea .widget-slider')).map(s => ({
      label: (s.querySelector('.widget-label') || {}).innerText || '',
      readout: (s.querySelector('.widget-readout') || {}).innerText || '',
      visible: s.getBoundingClientRect().width > 0})),
  buttons: Array.from(document.querySelectorAll('.widget-subarea button.widget-button')).map(b => ({
      text: b.innerText.trim(), visible: b.getBoundingClientRect().width > 0})),
  outputs_widgets: document.querySelectorAll('.widget-subarea .widget-output').length,
  resources: performance.getEntriesByType('resource').map(r => r.name),
  // Text a reader sees as prose: paragraphs, list items and table cells, code blocks excluded.
  prose: Array.from(document.querySelectorAll('main p, main li, main td, main th'))
      .filter(e => !e.closest('pre, code, .highlight'))
      .map(e => e.innerText.trim()),
  // Outputs wider than their column: a reader would have to scroll sideways to read them.
  too_wide: outputs.flatMap(o => Array.from(o.querySelectorAll('pre, table, img')))
      .filter(e => e.scrollWidth > e.clientWidth + 1
                || e.getBoundingClientRect().right > e.closest('.cell_output, div.output')
                                                       .getBoundingClientRect().right + 1)
      .map(e => e.tagName + ': ' + (e.innerText || e.currentSrc || '').split('\\n')
                                     .sort((a, b) => b.length - a.length)[0].slice(0, 120)),
};
"""

# Markdown or MyST that reached the page unrendered: a table of pipes (MyST-NB renders text/markdown
# outputs as CommonMark unless told otherwise), a glue or eval role, a code fence, a directive.
RAW_MARKUP = re.compile(r"^(\|.*\||\{(glue|eval)|.*\{(glue|eval)(:\w+)?\}`|```|:::)")


def test_book_pages_are_known():
    assert (HTML_DIR / "index.html").is_file(), "build the book first (make book)"
    assert len(WIDGET_PAGES) >= 3, sorted(WIDGET_PAGES)
    missing = [page for page in PAGES if not (HTML_DIR / f"{page}.html").is_file()]
    assert not missing, f"pages of _toc.yml missing from {HTML_DIR}: {missing} (rebuild the book)"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_a_browser(page, driver, book_url, screenshot_dir):
    driver.get_log("browser")  # drop whatever an earlier page left behind
    driver.get(f"{book_url}{page}.html")
    wait_until_loaded(driver)
    # Images (figures) finish decoding; the widget manager renders one subarea per widget view.
    wait(driver, "return Array.from(document.images).every(img => img.complete)", 15)
    if page in WIDGET_PAGES:
        rendered = wait(driver, WIDGETS_RENDERED_JS, WIDGET_TIMEOUT_S)
    time.sleep(0.5)  # let late console messages (fonts, fallbacks) arrive
    report = driver.execute_script(PAGE_REPORT_JS)
    console, warnings = console_problems(driver)
    full_page_screenshot(driver, screenshot_dir / f"{page.replace('/', '__')}.png")

    summary = {key: report[key] for key in ("sliders", "buttons", "outputs_widgets", "subareas")}
    summary["images"] = [f"{img['width']}x{img['height']}" for img in report["images"]]
    print(f"{page}: {json.dumps(summary)}")
    if warnings:  # reported, not failed on: browsers and libraries change their warnings
        print(f"{page}: console warnings: {json.dumps(warnings, indent=1)}")

    # Figures render.
    broken = [img for img in report["images"] if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"images that did not load: {broken}"
    # No cell failed.
    assert not report["error_outputs"], f"error outputs: {report['error_outputs']}"
    errors = [match.group(0) for text in report["output_text"] for match in ERROR_TEXT.finditer(text)]
    assert not errors, f"error text in cell outputs: {errors}"
    # Every table, role and directive rendered; no output runs past the edge of its column.
    raw = [text[:120] for text in report["prose"] if RAW_MARKUP.match(text)]
    assert not raw, f"unrendered Markdown or MyST on the page: {raw}"
    assert not report["too_wide"], f"outputs wider than their column: {report['too_wide']}"
    # Nothing comes from the network: the book is self-contained (widgets, MathJax, fonts).
    foreign = [url for url in report["resources"] if not url.startswith(book_url) and not url.startswith(("data:", "blob:"))]
    assert not foreign, f"resources from outside the book: {foreign}"
    # The console is clean.
    assert not console, "console errors:\n" + "\n".join(console)

    if page not in WIDGET_PAGES:
        return
    # The explorer shows its initial state without a kernel.
    assert report["widget_state"], "no embedded widget state: was the page executed with ipywidgets?"
    assert rendered, (f"widgets not rendered within {WIDGET_TIMEOUT_S} s: {report['widget_views']} views, "
                      f"subareas {report['subareas']}")
    assert report["sliders"] and all(slider["visible"] for slider in report["sliders"]), report["sliders"]
    # Explorers that retrain have a Train button (chapters 4-5's instant and precomputed ones do not).
    buttons = [m["state"].get("description") for m in report["widget_state"].values() if m["model_name"] == "ButtonModel"]
    for text in buttons:
        assert any(button["text"] == text and button["visible"] for button in report["buttons"]), report["buttons"]
    assert report["outputs_widgets"] >= 1, "the explorer's Output widget is missing"
    # Each slider shows the initial value of its model (SelectionSlider: the label at `index`).
    expected = sorted(
        (model["state"].get("description", ""), model["state"]["_options_labels"][model["state"]["index"]])
        for model in report["widget_state"].values()
        if model["model_name"] == "SelectionSliderModel"
    )
    shown = sorted((slider["label"], slider["readout"]) for slider in report["sliders"])
    assert shown == expected, f"sliders show {shown}, the widget state says {expected}"
