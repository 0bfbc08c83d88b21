"""The book's structure: table of contents, paired notebooks, committed outputs."""

import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "chapters").glob("*.md"))
CHAPTERS = [page for page in PAGES if "kernelspec:" in page.read_text()]  # the executable ones
TF_LOG_LINE = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|oneDNN custom operations|cuda drivers", re.M)


def _toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        for key in ("chapters", "sections", "parts"):
            yield from _toc_files(entry.get(key, []))


def test_book_has_chapters():
    assert len(CHAPTERS) >= 3, [c.name for c in CHAPTERS]


def test_every_page_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = set(_toc_files([toc]))
    for chapter in PAGES:
        assert f"chapters/{chapter.stem}" in listed, f"{chapter.name} is missing from _toc.yml"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_markdown_and_notebook_are_paired_and_in_sync(chapter):
    notebook_path = chapter.with_suffix(".ipynb")
    assert notebook_path.exists(), f"{notebook_path.name} is missing: run jupytext --sync {chapter}"
    from_markdown = jupytext.read(chapter)
    committed = nbformat.read(notebook_path, as_version=4)
    sources = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert sources(from_markdown) == sources(committed), f"run: jupytext --sync {chapter}"
    assert committed.metadata.get("jupytext", {}).get("formats") == "ipynb,md:myst"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_committed_notebook_was_executed_in_full_without_errors(chapter):
    notebook = nbformat.read(chapter.with_suffix(".ipynb"), as_version=4)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "some cells were not executed"
    outputs = [o for c in code_cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], "a cell raised an error"
    texts = [o.get("text", "") for o in outputs] + [json.dumps(o.get("data", {})) for o in outputs]
    assert not any(TF_LOG_LINE.search(t) for t in texts), "TensorFlow log lines leaked into outputs"
    assert "name='full'" in json.dumps([o.get("data", {}) for o in outputs]), "outputs are not from the full profile"
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure was rendered"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_checked_cells_show_nothing_that_depends_on_the_profile(chapter):
    """nbval compares cells tagged `nbval-check-output` in the quick profile with full-profile outputs."""
    checked = [c.source for c in jupytext.read(chapter).cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert checked, "tag the deterministic cells with nbval-check-output"
    for source in checked:
        assert "glue(" not in source and "profile." not in source, source
