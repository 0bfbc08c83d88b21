"""Helpers every browser test uses: waiting for the page, screenshots, the console."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path
from typing import Any

# Console messages that are not the book's fault (see DESIGN.md, "Verified recipes").
HARMLESS_CONSOLE = (
    re.compile(r"THEBE_JS_URL"),                      # sphinx-thebe declares it twice
    re.compile(r"favicon\.ico"),                      # the book has no favicon
    re.compile(r"theme.*mode|mode.*theme", re.I),     # pydata theme on a fresh profile
    re.compile(r"strict mode: use allowUnionTypes"),  # ajv in the widget manager, on its schema
)

# Every displayed widget (one view script each) has been rendered by the widget manager.
WIDGETS_RENDERED_JS = """
const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
const areas = document.querySelectorAll('.widget-subarea');
return views.length > 0 && areas.length >= views.length
       && Array.from(areas).every(a => a.querySelector('.jupyter-widgets'));
"""


def wait(driver, condition_js: str, timeout_s: float, *args: Any) -> Any:
    """Poll ``condition_js`` (a function body, called with ``args``) until it returns truthy.

    Returns:
        What the script returned last: truthy on success, falsy after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        result = driver.execute_script(condition_js, *args)
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def wait_for(driver, what: str, condition_js: str, timeout_s: float, *args: Any) -> Any:
    """``wait``, but a timeout raises ``TimeoutError`` saying what never happened."""
    result = wait(driver, condition_js, timeout_s, *args)
    if not result:
        raise TimeoutError(f"{what}: not within {timeout_s:g} s")
    return result


def wait_until_loaded(driver, timeout_s: float = 30) -> None:
    """The document finished loading (``TimeoutError`` if it never does)."""
    wait_for(driver, "the page finished loading", "return document.readyState === 'complete'",
             timeout_s)


def console_problems(driver) -> tuple[list[str], list[str]]:
    """The console's errors and warnings since the last call, without known harmless noise."""
    log = [entry for entry in driver.get_log("browser")
           if not any(pattern.search(entry["message"]) for pattern in HARMLESS_CONSOLE)]
    errors = [f"{entry['level']}: {entry['message']}"
              for entry in log if entry["level"] == "SEVERE"]
    warnings = [entry["message"][:200] for entry in log if entry["level"] == "WARNING"]
    return errors, warnings


def full_page_screenshot(driver, path: Path) -> None:
    """The whole page as one PNG: stretch the viewport to the page's height, then capture it.

    (`captureBeyondViewport` alone shifts the book theme's layout sideways in the capture.)
    """
    width, height = driver.execute_script(
        "return [window.innerWidth, Math.min(document.documentElement.scrollHeight, 30000)]")
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        time.sleep(0.3)  # one layout pass at the new size
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path.write_bytes(base64.b64decode(shot["data"]))
