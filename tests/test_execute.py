"""Tests of tools.execute on a throwaway chapter: a real kernel, the quick profile, seconds each.

A run writes both files of the pair with the provenance record (and the result records the
chapter read); a missing or broken `.ipynb` is made from the `.md`; the kernel reads the
committed records whatever the caller's environment says; a failing cell, an interrupt or an
edit made while the chapter runs leaves both files exactly as they were.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from tools.chapters import Chapter
from tools.execute import ChapterFailed, execute
from tools.fingerprint import digest
from tools.provenance import KEY, freshness

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

HEADER = """---
jupytext:
  formats: ipynb,md:myst
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
    jupytext_version: 1.19.6
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A throwaway chapter
"""
CELLS = [
    "import numpy as np\nfrom seqlib import weather\n"
    "series = weather.WeatherSeries('jena', 'Tiny', np.array([0, 1], 'datetime64[s]'),\n"
    "    np.zeros((2, 1), 'float32'), ('T',), 'T', np.timedelta64(1, 's'), 'here', 'a test')",
    "import os\nprint(os.environ['SEQLIB_PROFILE'], series.num_rows)",
    "print('last')",
]


def _chapter(root: Path, cells: list[str]) -> Chapter:
    (root / "chapters").mkdir()
    text = HEADER + "".join(f"\nSome prose.\n\n```{{code-cell}} ipython3\n{cell}\n```\n"
                            for cell in cells)
    chapter = Chapter("chapters/demo", root)
    chapter.markdown.write_text(text)
    jupytext.write(jupytext.read(chapter.markdown), chapter.notebook, fmt="ipynb")
    return chapter


def _files(chapter: Chapter) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(chapter.notebook.parent.iterdir())}


def test_a_run_writes_the_pair_with_its_provenance(tmp_path):
    chapter = _chapter(tmp_path, CELLS)
    markdown = chapter.markdown.read_text()
    lines = []
    record = execute(chapter, progress=lines.append, profile="quick")
    assert [line.split("] ")[1].split(":")[0] for line in lines] == [
        "code cell 1 of 3 (line 20 of demo.md)", "code cell 2 of 3 (line 29 of demo.md)",
        "code cell 3 of 3 (line 36 of demo.md)"]
    notebook = nbformat.read(chapter.notebook, as_version=4)
    assert notebook.cells[3].outputs[0]["text"] == "quick 2\n"
    assert notebook.metadata[KEY] == record
    assert record["profile"] == "quick" and record["datasets"] == ["Tiny [jena]"]
    assert record["wall_seconds"] > 0 and record["environment"]["python"]
    assert chapter.markdown.read_text() == markdown, "the .md is the source: it keeps its text"
    assert chapter.markdown.stat().st_mtime >= chapter.notebook.stat().st_mtime
    assert sorted(_files(chapter)) == ["demo.ipynb", "demo.md"], "temporary files left behind"
    assert freshness(chapter).reasons == ("made in the quick profile, not the full one",)


def test_a_failing_cell_is_named_and_nothing_is_written(tmp_path):
    chapter = _chapter(tmp_path, [CELLS[0], "1 / 0", CELLS[2]])
    before = _files(chapter)
    with pytest.raises(ChapterFailed) as failure:
        execute(chapter, progress=lambda line: None, profile="quick")
    assert str(failure.value) == ("chapters/demo failed in code cell 2 of 3 (line 29 of demo.md): "
                                  "ZeroDivisionError: division by zero")
    assert _files(chapter) == before


def test_an_interrupt_writes_nothing(tmp_path):
    chapter = _chapter(tmp_path, CELLS)
    before = _files(chapter)

    def interrupt_at_cell_3(line: str) -> None:
        if "code cell 3" in line:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(chapter, progress=interrupt_at_cell_3, profile="quick")
    assert _files(chapter) == before


def test_an_edit_made_while_it_runs_is_kept(tmp_path):
    chapter = _chapter(tmp_path, CELLS)
    notebook_before = chapter.notebook.read_bytes()

    def edit(line: str) -> None:
        if "code cell 2" in line:
            chapter.markdown.write_text(chapter.markdown.read_text() + "\nAn author's edit.\n")

    with pytest.raises(ChapterFailed, match="demo.md changed while it ran; nothing was written"):
        execute(chapter, progress=edit, profile="quick")
    assert chapter.markdown.read_text().endswith("An author's edit.\n")
    assert chapter.notebook.read_bytes() == notebook_before


@pytest.mark.parametrize("damage", [lambda path: path.unlink(),
                                    lambda path: path.write_text(path.read_text()[:200])],
                         ids=["missing", "cut in the middle"])
def test_a_missing_or_broken_notebook_is_made_from_the_md(tmp_path, damage):
    chapter = _chapter(tmp_path, CELLS)
    damage(chapter.notebook)
    record = execute(chapter, progress=lambda line: None, profile="quick")
    notebook = nbformat.read(chapter.notebook, as_version=4)
    assert notebook.metadata[KEY] == record and notebook.cells[3].outputs[0]["text"] == "quick 2\n"
    assert chapter.notebook.stat().st_mode & 0o644 == 0o644


ENVIRONMENT_CELL = ("import os\n"
                    "print(os.environ['SEQLIB_RESULTS_DIR'], os.environ['SEQLIB_RESULTS_PROFILE'])")


@pytest.mark.parametrize("asked", [None, "elsewhere"], ids=["committed", "named"])
def test_the_kernel_reads_the_records_of_the_book_whatever_the_environment(tmp_path, monkeypatch,
                                                                         asked):
    monkeypatch.setenv("SEQLIB_RESULTS_DIR", "/from/the/shell")
    monkeypatch.setenv("SEQLIB_RESULTS_PROFILE", "quick")
    chapter = _chapter(tmp_path, [ENVIRONMENT_CELL])
    folder = tmp_path / (asked or "results")
    execute(chapter, progress=lambda line: None, profile="quick",
            results_dir=folder if asked else None)
    notebook = nbformat.read(chapter.notebook, as_version=4)
    assert notebook.cells[1].outputs[0]["text"] == f"{folder} full\n"


def test_a_chapter_that_reads_the_records_records_them(tmp_path):
    shutil.copytree(ROOT / "seqlib", tmp_path / "seqlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "results" / "full").mkdir(parents=True)
    run = json.dumps({"model": "m", "dataset": {"key": "d"}, "seed": 0})
    (tmp_path / "results" / "full" / "m-d-seed0.json").write_text(run)
    chapter = _chapter(tmp_path, ["from seqlib import results\nprint(len(results.load_results()))"])
    record = execute(chapter, progress=lambda line: None, profile="quick")
    notebook = nbformat.read(chapter.notebook, as_version=4)
    assert notebook.cells[1].outputs[0]["text"] == "1\n"
    assert record["results"] == {"folder": "results/full", "files": {"m-d-seed0.json": digest(run)}}
    (tmp_path / "results" / "full" / "m-d-seed0.json").write_text(run.replace("0}", "1}"))
    assert "results/full changed: m-d-seed0.json" in freshness(chapter).reasons


def test_a_dead_kernel_is_named_with_what_it_wrote_and_nothing_is_written(tmp_path):
    crash = "import os\nos.write(2, b'F tensorflow/core: Check failed\\n')\nos._exit(134)"
    chapter = _chapter(tmp_path, [CELLS[0], crash])
    before = _files(chapter)
    with pytest.raises(ChapterFailed) as failure:
        execute(chapter, progress=lambda line: None, profile="quick")
    assert str(failure.value) == ("chapters/demo failed in code cell 2 of 2 (line 29 of demo.md): "
                                  "Kernel died (its log: F tensorflow/core: Check failed)")
    assert _files(chapter) == before
