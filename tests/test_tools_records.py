"""Tests of tools.records: which chapters read the multi-seed result records, what their
provenance keeps of them, and how a difference is said."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from tools import records
from tools.chapters import Chapter
from tools.fingerprint import digest, fingerprint

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("call, reads", [
    ("results.load_results()", True), ("results.load_sweep()", True),
    ("results.load_timing()", True), ("results.environment()", False),
])
def test_the_loaders_of_records_and_only_they_read_them(call, reads):
    code = fingerprint([f"from seqlib import results\n{call}"], ROOT / "seqlib")
    assert records.reads_records(code) is reads


@pytest.mark.parametrize("name, reads", [("05_results", True), ("02_conv_forecaster", False)])
def test_the_results_chapter_reads_them_and_the_first_does_not(name, reads):
    chapter = Chapter(f"chapters/{name}")
    sources = [cell.source for cell in jupytext.read(chapter.markdown).cells
               if cell.cell_type == "code"]
    assert records.reads_records(fingerprint(sources, ROOT / "seqlib")) is reads


def test_the_state_holds_the_folder_and_every_json_under_it_by_content(tmp_path):
    folder = tmp_path / "results" / "full"
    (folder / "sweep").mkdir(parents=True)
    (folder / "a-seed0.json").write_text('{"seed": 0}')
    (folder / "sweep" / "k3.json").write_text('{"k": 3}')
    (folder / "notes.txt").write_text("not a record")
    assert records.read_state(tmp_path) == {
        "folder": "results/full",
        "files": {"a-seed0.json": digest('{"seed": 0}'), "sweep/k3.json": digest('{"k": 3}')}}
    assert records.read_state(tmp_path / "book", tmp_path / "results")["folder"] == str(folder)


def _state(**files: str) -> dict:
    return {"folder": "results/full", "files": files}


@pytest.mark.parametrize("made, now, reasons", [
    (_state(a="1", b="2"), _state(a="1", b="2"), []),
    (_state(a="1", b="2"), _state(a="1", b="3"), ["results/full changed: b"]),
    (_state(a="1", b="2"), _state(a="1"), ["results/full changed: b (removed)"]),
    (_state(a="1"), _state(a="1", c="3"), ["results/full changed: c (new)"]),
    (_state(), _state(a="1", b="2", c="3", d="4", e="5", f="6"),
     ["results/full changed: a (new), b (new), c (new), d (new) and 2 more"]),
    ({"folder": "/tmp/x/full", "files": {}}, _state(),
     ["made from the records in /tmp/x/full, not results/full"]),
    (None, _state(), ["the result records it read were not recorded"]),
], ids=["same", "changed", "removed", "added", "many", "another folder", "not recorded"])
def test_changes_say_which_files(made, now, reasons):
    assert records.changes(made, now) == reasons
