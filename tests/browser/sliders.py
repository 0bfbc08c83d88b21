"""ipywidgets sliders moved by hand: arrow keys on the slider's handle, as a reader does it.

ipywidgets 8 draws a (Selection)Slider with noUiSlider: a focusable handle with
``role="slider"`` and ``aria-valuenow`` (the position, 0-based), and a readout next to it
that shows the chosen label. The same code drives the book's static pages and JupyterLab.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browsing import wait_for

FIND_SLIDER_JS = """
return Array.from(arguments[0].querySelectorAll('.widget-slider'))
    .find(s => (s.querySelector('.widget-label') || {}).textContent === arguments[1]);
"""
AT_POSITION_JS = """
return Math.round(parseFloat(arguments[0].getAttribute('aria-valuenow'))) === arguments[1];
"""
MOVE_TIMEOUT_S = 10


def find_slider(driver, container, label: str):
    """The slider labelled ``label`` inside ``container`` (``TimeoutError`` if there is none)."""
    return wait_for(driver, f"a slider labelled {label!r}", FIND_SLIDER_JS, MOVE_TIMEOUT_S,
                    container, label)


def position(slider) -> tuple[int, int]:
    """(current position, last position) of a slider, 0-based."""
    handle = slider.find_element(By.CSS_SELECTOR, "[role=slider]")
    return (round(float(handle.get_attribute("aria-valuenow"))),
            round(float(handle.get_attribute("aria-valuemax"))))


def readout(slider) -> str:
    """The label the slider shows (a SelectionSlider's option, an IntSlider's number)."""
    return slider.find_element(By.CSS_SELECTOR, ".widget-readout").text.strip()


def move_to(driver, slider, target: int) -> None:
    """Press the arrow keys on the handle until the slider is at position ``target``."""
    current, last = position(slider)
    if not 0 <= target <= last:
        raise ValueError(f"`target` must be between 0 and {last}. Received: target={target}")
    handle = slider.find_element(By.CSS_SELECTOR, "[role=slider]")
    while current != target:
        handle.send_keys(Keys.ARROW_RIGHT if target > current else Keys.ARROW_LEFT)
        expected = current + (1 if target > current else -1)
        wait_for(driver, f"the slider moving to position {expected}", AT_POSITION_JS,
                 MOVE_TIMEOUT_S, handle, expected)
        current = expected
