"""Named steps of a browser test: a screenshot after each, and a failure that says where it stopped.

    steps = Steps(driver, screenshot_dir / "lab", diagnose=server.log_tail)
    with steps("open the chapter"):
        ...

A step that raises fails the test with the step's number and name, the steps done before
it, and what ``diagnose`` returns (e.g. the last lines of a server's log), instead of a
bare Selenium timeout.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path


class StepFailed(AssertionError):
    """A step of a browser test failed; the message names the step and carries diagnostics."""


class Steps:
    """Counts the steps of one test and screenshots the browser after each (``NN-name.png``)."""

    def __init__(self, driver, screenshot_dir: Path,
                 diagnose: Callable[[], str] = lambda: "") -> None:
        self.driver = driver
        self.screenshot_dir = screenshot_dir
        self.diagnose = diagnose
        self.done: list[str] = []
        screenshot_dir.mkdir(parents=True, exist_ok=True)

    def screenshot(self, name: str) -> Path:
        """Save the viewport as ``screenshot_dir/NN-name.png`` (NN: this step's number)."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.screenshot_dir / f"{len(self.done) + 1:02d}-{slug}.png"
        self.driver.save_screenshot(str(path))
        return path

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        try:
            yield
        except Exception as error:  # pytest's outcomes (skip, fail) are BaseExceptions: not caught
            try:
                shot = f"screenshot: {self.screenshot(f'{name} FAILED')}"
            except Exception as screenshot_error:  # the browser itself may be gone
                shot = f"no screenshot: {screenshot_error!r}"
            done = "; ".join(self.done) or "none"
            details = self.diagnose()
            raise StepFailed(
                f"step {len(self.done) + 1} '{name}' failed: {type(error).__name__}: {error}\n"
                f"steps done: {done}\n{shot}" + (f"\n{details}" if details else "")
            ) from error
        self.screenshot(name)
        self.done.append(name)
