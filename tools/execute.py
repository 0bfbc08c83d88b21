"""One chapter executed in the full profile and written in place, with its provenance, atomically.

The chapter's `.md` (the source) is combined with its committed `.ipynb` (cell ids, metadata)
and executed cell by cell in a kernel started in the chapter's folder. Only when every cell has
run are the `.ipynb` and then the `.md` replaced, each written to a temporary file renamed over
it: a failed or interrupted run leaves both files as they were.
"""

from __future__ import annotations

import ast
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from seqlib import results
from tools import provenance
from tools.chapters import Chapter

PROFILE = "full"
CELL_TIMEOUT_S = 3600
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}  # the Makefile's defaults
# Evaluated in the kernel once every cell has run: the datasets the chapter holds (its weather
# series, and IMDB if it imported seqlib.imdb itself).
DATASETS_EXPRESSION = (
    "sorted({f'{v.title} [{v.key}]' for v in list(globals().values())"
    " if type(v).__qualname__ == 'WeatherSeries' and type(v).__module__ == 'seqlib.weather'}"
    " | ({'IMDB movie reviews'} if any(getattr(v, '__name__', None) == 'seqlib.imdb'"
    " for v in list(globals().values())) else set()))"
)


class ChapterFailed(Exception):
    """A chapter stopped in one of its cells: which one, and why."""

    def __init__(self, chapter: Chapter, where: str, error: str) -> None:
        super().__init__(chapter, where, error)
        self.chapter, self.where, self.error = chapter, where, error

    def __str__(self) -> str:
        return f"{self.chapter.name} failed in {self.where}: {self.error}"


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, renamed over it.

    The file ends with a newline, as `jupytext --sync` writes it, so a later sync changes nothing.
    """
    text = text if text.endswith("\n") else text + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, path.stat().st_mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _lines(markdown: str, notebook: nbformat.NotebookNode) -> dict[int, int]:
    """The line of the `.md` where each code cell's source starts, by cell index."""
    lines, offset = {}, 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            found = markdown.find(cell.source, offset)
            if found >= 0:
                lines[index], offset = markdown.count("\n", 0, found) + 1, found
    return lines


def _elapsed(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def execute(chapter: Chapter, progress: Callable[[str], None] = print,
            profile: str = PROFILE) -> dict[str, Any]:
    """Execute `chapter` in a profile (the book's: full) and write both files of its pair in place.

    Args:
        chapter: the chapter.
        progress: called with a line of text before each code cell runs.
        profile: the run profile (`SEQLIB_PROFILE`); the tests use ``quick``.

    Returns:
        The provenance record written into the notebook.

    Raises:
        ChapterFailed: if a cell raised, timed out or killed its kernel, or a file of the pair
            changed while the chapter ran; then neither file is written.
    """
    markdown = chapter.markdown.read_text("utf-8")
    committed_text = chapter.notebook.read_text("utf-8")
    notebook = combine_inputs_with_outputs(
        jupytext.reads(markdown, fmt="md:myst"), nbformat.reads(committed_text, as_version=4),
        fmt="md:myst")
    code = provenance.present_fingerprint(chapter)
    environment, started, start = results.environment(), results.now(), time.perf_counter()
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    lines = _lines(markdown, notebook)
    code_cells = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    env = {**KERNEL_ENV, **os.environ, "SEQLIB_PROFILE": profile}
    client.reset_execution_trackers()
    with client.setup_kernel(env=env):
        info = client.wait_for_reply(client.kc.kernel_info())
        notebook.metadata["language_info"] = info["content"]["language_info"]
        for number, index in enumerate(code_cells, start=1):
            cell = notebook.cells[index]
            where = (f"code cell {number} of {len(code_cells)} "
                     f"(line {lines.get(index, '?')} of {chapter.markdown.name})")
            progress(f"{chapter.short} [{_elapsed(time.perf_counter() - start)}] {where}: "
                     f"{provenance.first_line(cell.source)}")
            try:
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as error:
                raise ChapterFailed(chapter, where, f"{error.ename}: {error.evalue}") from None
            except (CellTimeoutError, DeadKernelError) as error:
                raise ChapterFailed(chapter, where, str(error)) from None
        reply = client.wait_for_reply(client.kc.execute(
            "", silent=True, user_expressions={"datasets": DATASETS_EXPRESSION}))
        datasets = reply["content"]["user_expressions"]["datasets"]
        client.set_widgets_metadata()
    if datasets.get("status") != "ok":
        raise ChapterFailed(chapter, "the datasets probe", datasets.get("evalue", "no reply"))
    record = provenance.make_record(
        code, outputs=provenance.outputs_digest(notebook), profile=profile,
        datasets=ast.literal_eval(datasets["data"]["text/plain"]), started=started,
        wall_seconds=time.perf_counter() - start, environment=environment)
    notebook.metadata[provenance.KEY] = record
    for path, text in ((chapter.markdown, markdown), (chapter.notebook, committed_text)):
        if path.read_text("utf-8") != text:
            raise ChapterFailed(chapter, "its files", f"{path.name} changed while it ran; "
                                "nothing was written: run it again")
    _replace(chapter.notebook, jupytext.writes(notebook, fmt="ipynb"))
    _replace(chapter.markdown, jupytext.writes(notebook, fmt="md:myst"))
    return record
