"""A learner types a review in JupyterLab, in headless Chromium: chapter 6's review reader.

The learner opens the chapter's ``.ipynb``, runs the cells down to the reader, runs it,
and types into its box. The test checks that the score and the highlighted reading follow
the text a moment after the typing stops (the reader is debounced, so it reads once per
pause, not once per key), that another review gets another score, and that an emptied box
shows the reader's message rather than a traceback. Quick profile, data mirror, a copy of
the chapter; screenshots go to _build/screenshots/lab-reader/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

import jupyterlab as lab_ui
from book import ROOT, WIDGET_PAGES, source
from lab_server import LabServerError, lab_on_chapter
from steps import Steps

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires_mirror]

READER_CALL = "review_explorer.make_review_explorer("
CHAPTER = ROOT / f"{next(page for page in WIDGET_PAGES if READER_CALL in source(page))}.md"
RUN_ABOVE_TIMEOUT_S = 420  # the quick profile's cells: about 1.5 min on 2 busy cores
READ_TIMEOUT_S = 20
SCORE = re.compile(r"Score (\d\.\d{3}): (positive|negative)")
EMPTY = "The review has no words to read"

# The reader's text box and what its HTML shows (text), in the explorer arguments[0].
SHOWN_JS = """
const html = arguments[0].querySelector('.widget-html-content');
return html ? html.textContent.replace(/\\s+/g, ' ').trim() : null;
"""


@pytest.fixture
def lab(tmp_path: Path, mirror_dir: Path):
    try:
        with lab_on_chapter(CHAPTER, tmp_path, mirror_dir) as server:
            yield server
    except LabServerError as error:
        pytest.fail(str(error), pytrace=False)


def type_review(driver, box, text: str) -> None:
    """Select everything in the box and type ``text`` over it, key by key."""
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    if text:
        box.send_keys(text)


def shows(driver, lab, explorer, condition: str, what: str) -> str:
    """Wait until the reader's text satisfies the JavaScript test ``condition`` on ``text``."""
    return lab_ui.wait_in_notebook(
        driver, lab, what,
        f"const text = (function () {{ {SHOWN_JS} }}).apply(null, arguments); "
        f"return text && ({condition}) ? text : null;", READ_TIMEOUT_S, explorer)


def test_a_learner_types_a_review_and_sees_its_reading(lab, own_driver, screenshot_dir):
    driver = own_driver
    steps = Steps(driver, screenshot_dir / "lab-reader", diagnose=lab.log_tail)
    notebook = lab.root / "chapters" / CHAPTER.with_suffix(".ipynb").name

    explorer = lab_ui.open_and_run_widget(driver, lab, steps, notebook.name, READER_CALL, "the reader",
                                          RUN_ABOVE_TIMEOUT_S)
    with steps("read the first review"):
        box = explorer.find_element("css selector", "textarea")
        first = shows(driver, lab, explorer, "text.startsWith('Score')", "the first reading")
    with steps("type a glowing review"):
        glowing = "A wonderful, moving film. The best acting I have seen in years."
        type_review(driver, box, glowing)
        praised = shows(driver, lab, explorer, "text.includes('years.') && text.startsWith('Score')",
                        "the reading of the typed review")
        assert praised != first
        score = SCORE.search(praised)
        assert score, praised
    with steps("type a scathing review"):
        scathing = "Awful. A boring, stupid waste of time; the worst film of the year."
        type_review(driver, box, scathing)
        panned = shows(driver, lab, explorer, "text.includes('year.') && text.startsWith('Score')",
                       "the reading of the second review")
        assert SCORE.search(panned).group(1) != score.group(1), "the score did not change"
        assert float(SCORE.search(panned).group(1)) < float(score.group(1)), (praised, panned)
    with steps("empty the box"):
        type_review(driver, box, "")
        shows(driver, lab, explorer, f"text.includes('{EMPTY}')", "the message for an empty box")
        assert "Traceback" not in driver.execute_script(SHOWN_JS, explorer)
