"""Tests of the Sphinx extensions on a tiny book, built by `jupyter-book build -W -n` (seconds).

Its one chapter's committed output is text that executing the cell would not print, so the
page shows whether the build used the committed notebook or executed the chapter. A chapter
that is stale, has no committed outputs or a broken notebook, or a seqlib module that does not
parse, stops the build in one line naming the fix: the build never executes a chapter itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from seqlib import results
from synthetic import demo_chapter
from tools.chapters import Chapter
from tools.provenance import KEY, make_record, outputs_digest, present_fingerprint

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
CONFIG = f"""title: A tiny book
only_build_toc_files: true
exclude_patterns: [_build, "chapters/*.ipynb"]
execute:
  execute_notebooks: cache
sphinx:
  local_extensions:
    tools.committed_outputs: {ROOT}
    tools.provenance_pages: {ROOT}
  config:
    html_extra_path: [offline]
"""
TOC = """format: jb-book
root: intro
chapters:
  - file: chapters/demo
  - file: chapters/status
"""
CHAPTER = demo_chapter('print("executed now")')


def _commit_output(book: Path, text: str) -> None:
    notebook = jupytext.read(book / "chapters" / "demo.md")
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    notebook.cells[1].execution_count = 1
    jupytext.write(notebook, book / "chapters" / "demo.ipynb", fmt="ipynb")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "offline").mkdir()
    (tmp_path / "_config.yml").write_text(CONFIG)
    (tmp_path / "_toc.yml").write_text(TOC)
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "chapters" / "status.md").write_text("# Status\n\n```{provenance-table}\n```\n")
    (tmp_path / "chapters" / "demo.md").write_text(CHAPTER)
    _commit_output(tmp_path, "from the committed run\n")
    return tmp_path


def _build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=book)


def _page(book: Path, name: str = "demo") -> str:
    return (book / "_build" / "html" / "chapters" / f"{name}.html").read_text()


def test_the_book_shows_the_committed_outputs_and_executes_nothing(book):
    built = _build(book)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    page = _page(book)
    output = page.split("cell_output")[-1]
    assert "from the committed run" in output and "executed now" not in output
    assert "These outputs hold no provenance record" in page
    assert 'href="../_sources/chapters/demo.ipynb"' in page
    assert 'href="../_sources/chapters/demo.md"' in page
    assert (book / "_build" / "html" / "_sources" / "chapters" / "demo.ipynb").is_file()
    assert "not recorded" in _page(book, "status")


def test_a_cached_rebuild_shows_new_committed_outputs(book):
    assert _build(book).returncode == 0
    _commit_output(book, "from a newer run\n")
    built = _build(book)
    assert built.returncode == 0, built.stderr
    assert "from a newer run" in _page(book)


def _record(book: Path) -> None:
    chapter = Chapter("chapters/demo", book)
    notebook = nbformat.read(chapter.notebook, as_version=4)
    notebook.metadata[KEY] = make_record(
        present_fingerprint(chapter), outputs=outputs_digest(notebook), profile="full",
        datasets=["Jena climate [jena]"], started="2026-01-02T03:04:05+00:00", wall_seconds=75,
        environment=results.environment())
    nbformat.write(notebook, chapter.notebook)


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def _syntax_error(book: Path) -> None:
    """The chapter uses seqlib, whose `windows.py` then gets a syntax error on line 1."""
    shutil.copytree(ROOT / "seqlib", book / "seqlib", ignore=shutil.ignore_patterns("__pycache__"))
    _edit(book / "chapters" / "demo.md", "print(", "from seqlib import windows\nprint(")
    _commit_output(book, "from the committed run\n")
    _record(book)
    windows = book / "seqlib" / "windows.py"
    windows.write_text("x = = 1\n" + windows.read_text())


RESTORE = ("`git checkout -- chapters/demo.ipynb` restores it, or `make notebooks CHAPTERS=demo` "
           "makes it again")


@pytest.mark.parametrize("prepare, line", [
    (lambda book: _edit(book / "chapters" / "demo.md", "executed now", "changed"),
     'stale committed outputs (demo: code cell 1 changed: print("changed")): '
     'run `make notebooks CHAPTERS="demo"` first'),
    (lambda book: (book / "chapters" / "demo.ipynb").unlink(),
     "stale committed outputs (demo: no committed outputs: chapters/demo.ipynb is missing): "
     'run `make notebooks CHAPTERS="demo"` first'),
    (lambda book: _edit(book / "chapters" / "demo.ipynb", '"cells"', '"cells'),
     r"chapters/demo.ipynb is not a valid notebook (Invalid control character at: line 2): "
     + RESTORE),
    (_syntax_error, "seqlib/windows.py, line 1: invalid syntax"),
    (lambda book: _edit(book / "_config.yml", "notebooks: cache", "notebooks: auto"),
     "execute_notebooks is 'auto' in _config.yml: set it to cache, so that the book shows the "
     "committed outputs and executes nothing"),
], ids=["stale", "no committed outputs", "broken notebook", "seqlib syntax error",
        "execution by MyST-NB"])
def test_the_build_stops_in_one_line_and_executes_nothing(book, prepare, line):
    prepare(book)
    built = _build(book)
    assert built.returncode == 1
    assert built.stderr.strip().splitlines() == [f"jupyter-book build: {line}"]
    assert not (book / "_build" / "html" / "chapters" / "demo.html").exists()
    assert not re.search(r"execut(ing|ed) (notebook|chapters/demo)", built.stdout, re.I)


def test_missing_offline_javascript_stops_the_build_in_one_line(book):
    (book / "offline").rmdir()
    built = _build(book)
    assert built.returncode == 1
    assert built.stderr.strip().splitlines() == [
        "jupyter-book build: offline is missing (the JavaScript the book serves itself): "
        "run `make offline-js` first"]


def test_pages_show_the_recorded_provenance(book):
    _record(book)
    built = _build(book)
    assert built.returncode == 0, built.stderr
    note = "These outputs were made on 2026-01-02 in the full profile, on Jena climate"
    assert note in _page(book)
    status = _page(book, "status")
    assert "2026-01-02 03:04 UTC" in status and status.count("1 min 15 s") == 2  # row and total
