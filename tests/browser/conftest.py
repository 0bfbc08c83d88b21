"""Real-browser fixtures: the built book served on 127.0.0.1, and headless Chromiums.

These tests are skipped unless asked for (`pytest tests/browser --browser`, or
SEQLIB_BROWSER_TESTS=1); `make browser` installs what they need and runs them. They read an
already-built book (`make book`) and never build it themselves.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from book import HTML_DIR, SCREENSHOT_DIR

# Debian's chromium + chromium-driver (`make browser` installs them). The binary itself, not the
# /usr/bin/chromium shell wrapper, which prints noise; no Selenium Manager download either.
CHROMIUM = os.environ.get("SEQLIB_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMEDRIVER = os.environ.get("SEQLIB_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--window-size=1280,1000",
)


def browser_tests_enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--browser", default=False)) or os.environ.get("SEQLIB_BROWSER_TESTS") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") and not browser_tests_enabled(item.config):
        pytest.skip("real-browser test: run with --browser or SEQLIB_BROWSER_TESTS=1 (make browser)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    """The built book served over HTTP on a free port of 127.0.0.1 (a thread of this process)."""
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"no built book in {HTML_DIR}: build it first (make book)")
    handler = functools.partial(_QuietHandler, directory=str(HTML_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def start_chromium(profile_dir: Path):
    """A headless Chromium with a fresh profile in ``profile_dir`` and the console log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: apt-get install -y --no-install-recommends chromium chromium-driver "
                        "(make browser does it)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    browser.set_page_load_timeout(60)
    return browser


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium for the session's book pages."""
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def own_driver(tmp_path: Path):
    """A headless Chromium for one test only (an app that may leave dialogs or state behind)."""
    browser = start_chromium(tmp_path / "chromium-profile")
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """_build/screenshots/, emptied once per session (pages at the top, each other test in a folder)."""
    shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)
    SCREENSHOT_DIR.mkdir(parents=True)
    return SCREENSHOT_DIR
