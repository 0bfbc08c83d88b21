"""Tests of the stale check (tools.provenance, tools.stale) on a copy of the book.

The copy's notebooks get a provenance record of the present code, as `make notebooks` writes
it; then a file of the copy changes, and the check must name the chapters it concerns, and why.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest

from seqlib import results
from tools import stale
from tools.chapters import chapters
from tools.provenance import (FRESH, KEY, STALE, UNRECORDED, UNRECORDED_REASON, duration,
                              freshness, make_record, outputs_digest, present_fingerprint,
                              summary)

ROOT = Path(__file__).resolve().parents[1]


def _record(chapter, **changes):
    outputs = outputs_digest(nbformat.read(chapter.notebook, as_version=4))
    return {**make_record(present_fingerprint(chapter), outputs=outputs, profile="full",
                          datasets=["Jena [jena]"],
                          started="2026-01-02T03:04:05+00:00", wall_seconds=75.0,
                          environment=results.environment()), **changes}


def _write_record(chapter, record):
    notebook = nbformat.read(chapter.notebook, as_version=4)
    notebook.metadata[KEY] = record
    nbformat.write(notebook, chapter.notebook)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A copy of the book (seqlib, chapters, _toc.yml) whose notebooks record the present code."""
    root = tmp_path_factory.mktemp("book")
    shutil.copytree(ROOT / "seqlib", root / "seqlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "chapters", root / "chapters")
    shutil.copy(ROOT / "_toc.yml", root)
    for chapter in chapters(root):
        _write_record(chapter, _record(chapter))
    return root


@pytest.fixture
def book(recorded, tmp_path) -> Path:
    shutil.copytree(recorded, tmp_path / "book")
    return tmp_path / "book"


def _windows_users(root):
    return [c.name for c in chapters(root) if "seqlib.windows" in present_fingerprint(c).modules]


def test_recorded_book_is_fresh(book, capsys):
    assert stale.main(book) == 0
    assert "are fresh" in capsys.readouterr().out


def test_a_one_line_code_change_in_windows_names_the_chapters_that_use_it(book, capsys):
    users = _windows_users(book)
    assert users, "no chapter reaches seqlib.windows"
    windows = book / "seqlib" / "windows.py"
    windows.write_text(windows.read_text() + "\nMAX_STEP = 1\n")
    assert stale.main(book) == 1
    out = capsys.readouterr().out
    named = [line.split(":")[0] for line in out.splitlines() if line.endswith(": stale")]
    assert named == users
    assert out.count("  - seqlib/windows.py changed") == len(users)


def _reworded_docstrings(text: str, count: int) -> str:
    """`text` with the first line of its first `count` docstrings reworded."""
    tree = ast.parse(text)
    nodes = [tree] + [node for node in ast.walk(tree)
                      if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    firsts = [ast.get_docstring(node, clean=False).splitlines()[0] for node in nodes
              if ast.get_docstring(node, clean=False)][:count]
    for first in firsts:
        text = text.replace(first, first + " Said better.", 1)
    return text


def test_a_docstring_only_change_names_none(book, capsys):
    windows = book / "seqlib" / "windows.py"
    text = windows.read_text()
    edited = _reworded_docstrings(text, 3)
    assert edited.count("Said better.") == 3
    windows.write_text(edited + "# and a comment\n")
    assert stale.main(book) == 0, capsys.readouterr().out


def test_a_changed_code_cell_is_named(book):
    chapter = chapters(book)[-1]
    text = chapter.markdown.read_text()
    chapter.markdown.write_text(text.replace("import numpy as np\n", "import numpy as np\nx = 1\n"))
    state = freshness(chapter)
    assert state.state == STALE
    assert state.reasons == ("code cell 2 changed: %matplotlib inline",)


def test_a_newly_imported_module_is_named(book):
    chapter = chapters(book)[-1]
    record = _record(chapter)
    del record["modules"]["seqlib.claims"]
    record["fingerprint"] = "made-up"
    _write_record(chapter, record)
    assert freshness(chapter).reasons == ("now imports seqlib.claims",)


def test_outputs_of_the_quick_profile_are_stale(book):
    chapter = chapters(book)[0]
    _write_record(chapter, _record(chapter, profile="quick"))
    state = freshness(chapter)
    assert (state.state, state.reasons) == (STALE, ("made in the quick profile, not the full one",))


def test_outputs_saved_by_another_tool_are_stale(book):
    chapter = chapters(book)[0]
    notebook = nbformat.read(chapter.notebook, as_version=4)
    code_cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    code_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a quick run\n")]
    nbformat.write(notebook, chapter.notebook)
    assert freshness(chapter).reasons == (
        "the outputs are not those of the recorded run (saved by another tool?)",)


def test_a_notebook_without_record_is_its_own_state(book, capsys):
    chapter = chapters(book)[0]
    notebook = nbformat.read(chapter.notebook, as_version=4)
    del notebook.metadata[KEY]
    nbformat.write(notebook, chapter.notebook)
    state = freshness(chapter)
    assert (state.state, state.reasons) == (UNRECORDED, (UNRECORDED_REASON,))
    assert stale.main(book) == 1
    assert f"{chapter.name}: unrecorded\n  - {UNRECORDED_REASON}" in capsys.readouterr().out


def test_without_record_a_changed_code_cell_is_stale(book):
    chapter = chapters(book)[0]
    notebook = nbformat.read(chapter.notebook, as_version=4)
    del notebook.metadata[KEY]
    nbformat.write(notebook, chapter.notebook)
    text = chapter.markdown.read_text()
    chapter.markdown.write_text(text.replace("import keras\n", "import sys\n"))
    state = freshness(chapter)
    assert state.state == STALE and state.reasons[-1] == UNRECORDED_REASON, state.reasons


def test_summary_says_when_where_on_what_and_how_long(book):
    record = _record(chapters(book)[0])
    text = summary(record)
    cpu = record["environment"]["cpu"]
    for part in ("2026-01-02", "full profile", "Jena [jena]", cpu, "1 min 15 s"):
        assert part in text, text


@pytest.mark.parametrize("seconds, text", [(42, "42 s"), (552, "9 min 12 s"), (1500, "25 min"),
                                           (3780, "1 h 3 min")])
def test_duration(seconds, text):
    assert duration(seconds) == text


def test_the_book_has_a_state_for_every_chapter():
    states = {freshness(chapter).state for chapter in chapters()}
    assert states <= {FRESH, STALE, UNRECORDED}
