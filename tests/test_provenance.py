"""Tests of the stale check (tools.provenance, tools.stale) on a copy of the book.

The copy's notebooks get a provenance record of the present code (and of the result records
the chapters read), as `make notebooks` writes it; then a file of the copy changes, and the
check must name the chapters it concerns, and only those, and why.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.combine import combine_inputs_with_outputs

from seqlib import results
from tools import records, stale
from tools.chapters import chapters
from tools.provenance import (EARLIER_SCHEME, FRESH, KEY, STALE, UNRECORDED, UNRECORDED_REASON,
                              duration, freshness, make_record, outputs_digest,
                              present_fingerprint, summary)

ROOT = Path(__file__).resolve().parents[1]


def _record(chapter, results_dir=None, **changes):
    outputs = outputs_digest(nbformat.read(chapter.notebook, as_version=4))
    code = present_fingerprint(chapter)
    read = records.read_state(chapter.root, results_dir) if records.reads_records(code) else None
    return {**make_record(code, outputs=outputs, profile="full", datasets=["Jena [jena]"],
                          started="2026-01-02T03:04:05+00:00", wall_seconds=75.0,
                          environment=results.environment(), results=read), **changes}


def _write_record(chapter, record):
    notebook = nbformat.read(chapter.notebook, as_version=4)
    notebook.metadata[KEY] = record
    nbformat.write(notebook, chapter.notebook)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A copy of the book (seqlib, chapters, results, _toc.yml) whose notebooks hold the
    cells of the present `.md` files (with the committed outputs) and record the present code
    and records, as `make notebooks` would leave them."""
    root = tmp_path_factory.mktemp("book")
    shutil.copytree(ROOT / "seqlib", root / "seqlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "chapters", root / "chapters")
    shutil.copytree(ROOT / "results", root / "results")
    shutil.copy(ROOT / "_toc.yml", root)
    for chapter in chapters(root):
        notebook = combine_inputs_with_outputs(
            jupytext.read(chapter.markdown), nbformat.read(chapter.notebook, as_version=4))
        nbformat.write(notebook, chapter.notebook)
        _write_record(chapter, _record(chapter))
    return root


@pytest.fixture
def book(recorded, tmp_path) -> Path:
    shutil.copytree(recorded, tmp_path / "book")
    return tmp_path / "book"


def _reaching(root, entry):
    """The chapters whose code reaches `entry` (``seqlib/windows.py:make_batch``)."""
    return [c.name for c in chapters(root) if entry in present_fingerprint(c).definitions]


def _stale_names(out):
    return [line.split(":")[0] for line in out.splitlines() if line.endswith(": stale")]


def _edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def test_recorded_book_is_fresh(book, capsys):
    assert stale.main(book) == 0
    assert "are fresh" in capsys.readouterr().out


def test_the_chapters_are_the_pages_with_code_cells(book):
    names = [chapter.short for chapter in chapters(book)]
    assert names[:6] == ["01_imdb_convnet", "02_conv_forecaster", "03_conv_gru_hybrid",
                         "04_dilated_causal", "05_results", "06_imdb_raw_text"]
    assert not {"intro", "differences", "performance", "execution"} & set(names)


@pytest.mark.parametrize("module, definition, old, new", [
    ("windows", "make_batch", "    targets = data[rows + spec.delay, target_column]\n",
     "    targets = np.take(data[:, target_column], rows + spec.delay)\n"),
    ("tables", "claims_markdown", "the results lack the runs this claim needs",
     "the results lack the runs it needs"),
], ids=["one line of windows.make_batch", "a formatting function of tables"])
def test_a_change_stales_the_chapters_that_reach_it_and_only_those(book, capsys, module,
                                                                   definition, old, new):
    users = _reaching(book, f"seqlib/{module}.py:{definition}")
    importers = _reaching(book, f"seqlib/{module}.py")
    assert users and set(users) < set(importers), "the edit should stale some importers only"
    _edit(book / "seqlib" / f"{module}.py", old, new)
    assert stale.main(book) == 1
    out = capsys.readouterr().out
    assert _stale_names(out) == users
    assert out.count(f"  - seqlib/{module}.py: {definition} changed\n") == len(users)


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


def test_a_newly_used_definition_is_named(book):
    chapter = chapters(book)[-1]
    record = _record(chapter)
    del record["definitions"]["seqlib/claims.py:CLAIMS"]
    record["fingerprint"] = "made-up"
    _write_record(chapter, record)
    assert freshness(chapter).reasons == ("seqlib/claims.py: CLAIMS now used",)


def _record_files(root):
    return sorted(path.name for path in (root / "results" / "full").glob("*-seed*.json"))


@pytest.mark.parametrize("edit, reason", [
    (lambda path: path.write_text(path.read_text().replace('"seed"', '"seed" ', 1)), "{name}"),
    (lambda path: path.unlink(), "{name} (removed)"),
    (lambda path: path.with_name("new-seed9.json").write_text("{}"), "new-seed9.json (new)"),
], ids=["changed", "removed", "added"])
def test_changed_result_records_stale_the_chapters_that_read_them(book, capsys, edit, reason):
    readers = _reaching(book, records.READER)
    assert "chapters/05_results" in readers and "chapters/02_conv_forecaster" not in readers
    name = _record_files(book)[0]
    edit(book / "results" / "full" / name)
    assert stale.main(book) == 1
    out = capsys.readouterr().out
    assert _stale_names(out) == readers
    assert out.count(f"  - results/full changed: {reason.format(name=name)}\n") == len(readers)


def test_a_chapter_made_from_another_results_folder_is_stale(book, tmp_path):
    other = tmp_path / "elsewhere"
    shutil.copytree(book / "results", other)
    chapter = next(c for c in chapters(book) if c.short == "05_results")
    _write_record(chapter, _record(chapter, results_dir=other))
    assert freshness(chapter).reasons == (
        f"made from the records in {other.resolve() / 'full'}, not results/full",)


def test_a_record_without_the_records_read_is_stale(book):
    chapter = next(c for c in chapters(book) if c.short == "05_results")
    record = _record(chapter)
    del record["results"]
    _write_record(chapter, record)
    assert freshness(chapter).reasons == (records.NOT_RECORDED,)


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


def test_an_empty_record_counts_as_none(book):
    chapter = chapters(book)[0]
    _write_record(chapter, {})
    assert freshness(chapter).state == UNRECORDED


@pytest.mark.parametrize("removed, reason", [
    (("fingerprint", "outputs"), "the provenance record lacks fingerprint, outputs: run make "
                                 "notebooks"),
    (("definitions",), EARLIER_SCHEME),
], ids=["keys missing", "earlier scheme"])
def test_an_incomplete_record_is_stale_with_what_it_lacks(book, removed, reason):
    chapter = chapters(book)[0]
    _write_record(chapter, {key: value for key, value in _record(chapter).items()
                            if key not in removed})
    assert freshness(chapter).reasons == (reason,)


def test_a_chapter_without_its_notebook_is_stale(book, capsys):
    chapter = chapters(book)[4]
    chapter.notebook.unlink()
    assert chapter in chapters(book)
    assert stale.main(book) == 1
    out = capsys.readouterr().out
    assert (f"{chapter.name}: stale\n  - no committed outputs: {chapter.name}.ipynb is missing\n"
            in out)
    assert out.endswith(f'make notebooks CHAPTERS="{chapter.short}"\n')


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
