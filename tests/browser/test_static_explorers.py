"""The book's precomputed explorers, moved by hand on the static pages (no kernel).

On every page with a precomputed explorer (chapter 5's sweep, and any other page whose
widget state holds jslinked Stacks), the test reads the embedded widget state, moves the
sliders with the arrow keys through every setting, and checks that the page then shows the
figure (the same PNG bytes) or the message the state holds for that setting, with no
console error. Screenshots of each setting go to _build/screenshots/explorers/<page>/.
"""

from __future__ import annotations

import pytest

import sliders
import widget_state
from book import HTML_DIR, WIDGET_PAGES, source
from browsing import WIDGETS_RENDERED_JS, console_problems, wait, wait_for, wait_until_loaded
from steps import Steps

pytestmark = pytest.mark.browser

PRECOMPUTED_CALL = "static_explorers.make_sweep_explorer("


def _holds_links(page: str) -> bool:
    built = HTML_DIR / f"{page}.html"
    return built.is_file() and '"model_name": "LinkModel"' in built.read_text()


PRECOMPUTED_PAGES = [page for page in WIDGET_PAGES
                     if PRECOMPUTED_CALL in source(page) or _holds_links(page)]
WIDGET_TIMEOUT_S = 30
SWITCH_TIMEOUT_S = 5

STATE_JS = """
const state = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
return [state ? JSON.parse(state.textContent).state : {},
        Array.from(views).map(v => JSON.parse(v.textContent).model_id)];
"""
# The rendered area of the displayed widget whose model id is arguments[0].
AREA_JS = """
const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
const view = Array.from(views).find(v => JSON.parse(v.textContent).model_id === arguments[0]);
return view && view.parentElement.querySelector('.widget-subarea');
"""
# What the explorer in arguments[0] shows: the visible PNGs (base64) and the visible outputs' text.
SHOWN_JS = """
const visible = e => e.getBoundingClientRect().width > 0;
const outputs = Array.from(arguments[0].querySelectorAll('.widget-output')).filter(visible);
return {
  pngs: outputs.flatMap(o => Array.from(o.querySelectorAll('img'))).filter(visible)
      .map(img => img.getAttribute('src').replace(/^data:image\\/png;base64,/, '')
                     .replace(/\\s+/g, '')),
  text: outputs.map(o => o.textContent).join(' ').replace(/\\s+/g, ' ').trim(),
};
"""
# Whether it shows just the PNG arguments[1] or, when that is null, the message arguments[2] alone.
MATCHES_JS = f"""
const shown = (function () {{ {SHOWN_JS} }}).apply(null, arguments);
return arguments[1] ? shown.pngs.length === 1 && shown.pngs[0] === arguments[1]
                    : shown.pngs.length === 0 && shown.text.includes(arguments[2]);
"""


def _describe(png: str | None, message: str | None) -> str:
    if png:
        return f"the PNG {png[-24:]!r} ({len(png)} base64 characters)"
    return f"the message {message!r}"


@pytest.mark.parametrize("page", PRECOMPUTED_PAGES)
def test_precomputed_explorer_follows_its_sliders(page, driver, book_url, screenshot_dir):
    steps = Steps(driver, screenshot_dir / "explorers" / page.replace("/", "__"))
    driver.get_log("browser")  # drop whatever an earlier page left behind
    with steps("load the page"):
        driver.get(f"{book_url}{page}.html")
        wait_until_loaded(driver)
        wait_for(driver, "the widgets rendered", WIDGETS_RENDERED_JS, WIDGET_TIMEOUT_S)
    with steps("read the embedded widget state"):
        state, view_ids = driver.execute_script(STATE_JS)
        explorers = widget_state.explorers(state, view_ids)
        assert explorers, f"{page}'s widget state has no explorer with Stacks jslinked to sliders"
    for number, explorer in enumerate(explorers, start=1):
        area = driver.execute_script(AREA_JS, explorer.view_id)
        handles = [sliders.find_slider(driver, area, slider.description)
                   for slider in explorer.sliders]
        pngs = [leaf.png for leaf in explorer.leaves.values() if leaf.png]
        assert len(set(pngs)) == len(pngs), "two settings hold the same figure"
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", area)
        for setting in explorer.settings():
            labels = ", ".join(f"{slider.description} {slider.labels[position]}"
                               for slider, position in zip(explorer.sliders, setting))
            with steps(f"explorer {number}: {labels}"):
                for handle, slider, position in zip(handles, explorer.sliders, setting):
                    sliders.move_to(driver, handle, position)
                    assert sliders.readout(handle) == slider.labels[position]
                leaf = explorer.leaves[setting]
                if not wait(driver, MATCHES_JS, SWITCH_TIMEOUT_S, area, leaf.png, leaf.message):
                    shown = driver.execute_script(SHOWN_JS, area)
                    shown_text = (", ".join(_describe(png, None) for png in shown["pngs"])
                                  or repr(shown["text"]))
                    raise AssertionError(f"the page shows {shown_text} instead of "
                                         f"{_describe(leaf.png, leaf.message)}")
    with steps("check the console"):
        errors, _ = console_problems(driver)
        assert not errors, "console errors:\n" + "\n".join(errors)
