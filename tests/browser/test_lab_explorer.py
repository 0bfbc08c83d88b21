"""A learner's session in JupyterLab, in headless Chromium: chapter 2's kernel-size explorer.

As the README tells a learner: start JupyterLab, double-click the chapter's ``.ipynb`` in
the file browser, run the cells down to the explorer, play with it, save. The test checks
that the geometry line follows the kernel-size slider with the receptive field seqlib
computes, that a kernel too long for the window shows the explorer's message, that Train
draws a figure in time, and that saving keeps the ``.md``/``.ipynb`` pair in sync on disk.

The server runs the quick profile on the data mirror, on a copy of the chapter (the test
never writes the repository's notebooks). Screenshots of every step go to
_build/screenshots/lab/; a failure names its step and shows the server log's tail.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

import jupyterlab as lab_ui
import sliders
from book import ROOT, WIDGET_PAGES, source
from browsing import wait, wait_for
from lab_server import LabServerError, lab_on_chapter
from steps import Steps

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires_mirror]

EXPLORER_CALL = "explorers.make_conv_explorer("
CHAPTER = ROOT / f"{next(page for page in WIDGET_PAGES if EXPLORER_CALL in source(page))}.md"
RUN_ABOVE_TIMEOUT_S = 300  # the quick profile's cells: about 30 s on 2 busy cores
TRAIN_TIMEOUT_S = 180
SAVE_TIMEOUT_S = 30
GEOMETRY = re.compile(r"window: (\d+) timesteps; after each conv/pool stage: \[([\d, ]*)\]; "
                      r"one output sees (\d+) timesteps")
MESSAGE = "Cannot use these settings:"

# The explorer's geometry line when it starts with arguments[1], else null.
GEOMETRY_JS = """
const line = (arguments[0].querySelector('.widget-html-content') || {}).textContent || '';
return line.startsWith(arguments[1]) ? line : null;
"""
TRAIN_BUTTON_JS = """
return Array.from(arguments[0].querySelectorAll('button.widget-button'))
    .find(b => b.textContent.trim() === 'Train');
"""
# What Train put in the explorer's output: 'figure', the explorer's message, or null (nothing yet).
TRAINED_JS = """
const output = arguments[0].querySelector('.widget-output');
const img = output.querySelector('img');
if (img && img.complete && img.naturalWidth > 0) { return 'figure'; }
return output.textContent.trim() || null;
"""


@pytest.fixture
def lab(tmp_path: Path, mirror_dir: Path):
    """JupyterLab on a copy of the chapter's pair, quick profile, data mirror."""
    try:
        with lab_on_chapter(CHAPTER, tmp_path, mirror_dir) as server:
            yield server
    except LabServerError as error:
        pytest.fail(str(error), pytrace=False)


def expected_geometry(timesteps: int, kernel_size: int) -> str:
    """What the geometry line must say for a kernel on a window of ``timesteps``, from seqlib."""
    from seqlib import models
    from seqlib.receptive_field import receptive_field, sequence_lengths

    stages = models.conv_forecaster_stages(kernel_size)
    try:
        lengths = sequence_lengths(timesteps, stages)
    except ValueError:
        return MESSAGE
    return (f"window: {timesteps} timesteps; after each conv/pool stage: {lengths}; "
            f"one output sees {receptive_field(stages)} timesteps")


def shows(driver, explorer, expected: str, what: str) -> str:
    """Wait until the explorer's geometry line starts with ``expected``; return the whole line."""
    line = wait(driver, GEOMETRY_JS, sliders.MOVE_TIMEOUT_S, explorer, expected)
    if not line:
        shown = driver.execute_script(GEOMETRY_JS, explorer, "")
        raise AssertionError(f"{what}: the geometry line shows {shown!r}, not {expected!r}")
    return line


def pair_sources(markdown: Path) -> tuple[list, list]:
    """The (cell type, source) lists of a chapter's .md and of its .ipynb, as on disk."""
    sources = lambda nb: [(cell.cell_type, cell.source.strip()) for cell in nb.cells]  # noqa: E731
    return (sources(jupytext.read(markdown)),
            sources(nbformat.read(markdown.with_suffix(".ipynb"), as_version=4)))


def test_a_learner_runs_the_kernel_size_explorer(lab, own_driver, screenshot_dir):
    driver = own_driver
    steps = Steps(driver, screenshot_dir / "lab", diagnose=lab.log_tail)
    notebook = lab.root / "chapters" / CHAPTER.with_suffix(".ipynb").name

    explorer = lab_ui.open_and_run_widget(driver, lab, steps, notebook.name, EXPLORER_CALL, "the explorer",
                                          RUN_ABOVE_TIMEOUT_S)
    with steps("read the explorer's first setting"):
        kernel = sliders.find_slider(driver, explorer, "kernel size")
        sliders.find_slider(driver, explorer, "step")
        start, last = sliders.position(kernel)
        line = shows(driver, explorer, "window:", "the explorer's first setting")
        timesteps = int(GEOMETRY.search(line).group(1))
    with steps("move the kernel-size slider"):
        impossible = []
        for target in [*range(start - 1, -1, -1), *range(last + 1)]:  # down to 0, up to the last
            sliders.move_to(driver, kernel, target)
            kernel_size = int(sliders.readout(kernel))
            expected = expected_geometry(timesteps, kernel_size)
            line = shows(driver, explorer, expected, f"kernel size {kernel_size}")
            if expected == MESSAGE:
                assert f"kernel_size={kernel_size}" in line, line
                impossible.append(target)
        assert impossible, (f"no kernel size is too long for a window of {timesteps} timesteps: "
                            "the test cannot check the explorer's message")
    with steps("pick an impossible kernel size"):
        sliders.move_to(driver, kernel, impossible[0])
        shows(driver, explorer, MESSAGE, f"kernel size {sliders.readout(kernel)}")
    with steps("click Train"):
        sliders.move_to(driver, kernel, start)
        shows(driver, explorer, "window:", "the first setting again")
        train = wait_for(driver, "the Train button", TRAIN_BUTTON_JS, 10, explorer)
        train.click()
        shown = lab_ui.wait_in_notebook(driver, lab, "Train's figure", TRAINED_JS, TRAIN_TIMEOUT_S,
                                        explorer)
        assert shown == "figure", f"Train showed {shown!r} instead of a figure"
        driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", explorer)
    with steps("save the notebook"):
        before = {path: path.stat().st_mtime_ns for path in (notebook, notebook.with_suffix(".md"))}
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
        wait_for(driver, "the notebook saved (its tab no longer marked as changed)",
                 "return !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                 SAVE_TIMEOUT_S)
        deadline = time.monotonic() + SAVE_TIMEOUT_S
        while any(path.stat().st_mtime_ns == mtime for path, mtime in before.items()):
            assert time.monotonic() < deadline, f"not both files were written: {sorted(before)}"
            time.sleep(0.2)
    with steps("check the pair on disk"):
        markdown_cells, notebook_cells = pair_sources(notebook.with_suffix(".md"))
        assert markdown_cells == notebook_cells, "the saved .md and .ipynb differ"
        saved = nbformat.read(notebook, as_version=4)
        assert saved.metadata["jupytext"]["formats"] == "ipynb,md:myst"
        explorer_cell = next(c for c in saved.cells
                             if c.cell_type == "code" and EXPLORER_CALL in c.source)
        views = [output for output in explorer_cell.outputs
                 if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
        assert views, "the saved notebook lacks the explorer this session made"
