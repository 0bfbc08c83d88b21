"""Shared fixtures: the local data mirror, and a switch that makes downloads fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seqlib import fetch


def pytest_addoption(parser: pytest.Parser) -> None:
    # Registered here (not in tests/browser/conftest.py) so that `pytest tests --browser` works too.
    parser.addoption(
        "--browser", action="store_true", default=False,
        help="run the real-browser tests of the built book in tests/browser (also: SEQLIB_BROWSER_TESTS=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires_mirror: needs the data mirror in SEQLIB_DATA_DIR (skipped without it)"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("requires_mirror") and not os.environ.get("SEQLIB_DATA_DIR"):
        pytest.skip("needs the local data mirror: set SEQLIB_DATA_DIR to it (the README's test command does)")


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The data mirror named by SEQLIB_DATA_DIR (the tests that use it carry `requires_mirror`)."""
    folder = os.environ.get("SEQLIB_DATA_DIR")
    if not folder:
        pytest.skip("needs the local data mirror: set SEQLIB_DATA_DIR to it")
    return Path(folder).resolve()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every download fail at once, without touching the data folder."""

    def refuse(remote: fetch.RemoteFile, directory: Path) -> Path:
        raise fetch._DownloadFailed("downloads are disabled in this test", "connect to the internet")

    monkeypatch.setattr(fetch, "_download", refuse)


@pytest.fixture(autouse=True)
def trust_files_made_by_tests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip the hash check for files that tests make in their temporary folders.

    Such tests feed the loaders tiny or broken files under registered names, to test the
    loaders' own structure checks; `tests/test_fetch.py` tests the hash check itself, and
    files anywhere else (the mirror) are checked for real.
    """
    if request.module.__name__.endswith("test_fetch"):
        return
    made_here = tmp_path_factory.getbasetemp().resolve()
    check = fetch.verify

    def verify(name: str, path: os.PathLike) -> str:
        return "canonical" if Path(path).resolve().is_relative_to(made_here) else check(name, path)

    monkeypatch.setattr(fetch, "verify", verify)
