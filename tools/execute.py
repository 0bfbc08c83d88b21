"""One chapter executed in the full profile and written in place, with its provenance, atomically.

The chapter's `.md` (the source) is combined with its committed `.ipynb` (cell ids, metadata;
a missing or unreadable `.ipynb` is made from the `.md` alone) and executed cell by cell in a
kernel started in the chapter's folder, on the committed result records (`tools.records`) or
those of a folder the caller names. The kernel's own messages (its warnings, TensorFlow's C++
log lines, its traceback when it is stopped) go to a log, whose last line names why a kernel
died. Only when every cell has run are the `.ipynb` and then the `.md` replaced, each written
to a temporary file renamed over it: a failed or interrupted run leaves both files as they were.
"""

from __future__ import annotations

import ast
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from seqlib import results
from tools import provenance, records
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


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, renamed over it.

    The file ends with a newline, as `jupytext --sync` writes it, so a later sync changes nothing.
    """
    text = text if text.endswith("\n") else text + "\n"
    mode = path.stat().st_mode if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
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


def _text(path: Path) -> str | None:
    return path.read_text("utf-8") if path.is_file() else None


def _combined(chapter: Chapter, markdown: str) -> nbformat.NotebookNode:
    """The `.md`'s cells with the committed notebook's cell ids and metadata, where it has one."""
    source = jupytext.reads(markdown, fmt="md:myst")
    try:
        committed = provenance.read_committed(chapter)
    except (FileNotFoundError, provenance.NotebookError):
        return source
    return combine_inputs_with_outputs(source, committed, fmt="md:myst")


def _kernel_said(log: IO[str]) -> str:
    """The first line a dead kernel wrote to its log, other than its own start-up notices (a
    crash's ``Fatal Python error: Segmentation fault``), for the message."""
    log.seek(0)
    lines = [line.strip() for line in log.read().splitlines()
             if line.strip() and not line.startswith("[IPKernelApp]")]
    return f" (its log: {lines[0]})" if lines else ""


def execute(chapter: Chapter, progress: Callable[[str], None] = print,
            profile: str = PROFILE, results_dir: Path | None = None) -> dict[str, Any]:
    """Execute `chapter` in a profile (the book's: full) and write both files of its pair in place.

    Args:
        chapter: the chapter.
        progress: called with a line of text before each code cell runs.
        profile: the run profile (`SEQLIB_PROFILE`); the tests use ``quick``.
        results_dir: the result records' folder it reads (default: the committed ``results/``).

    Returns:
        The provenance record written into the notebook.

    Raises:
        ChapterFailed: if a cell raised, timed out or killed its kernel, or a file of the pair
            or a record it read changed while the chapter ran; then neither file is written.
    """
    markdown, committed_text = chapter.markdown.read_text("utf-8"), _text(chapter.notebook)
    notebook = _combined(chapter, markdown)
    code = provenance.present_fingerprint(chapter)
    results_dir = results_dir or chapter.root / "results"
    read = records.read_state(chapter.root, results_dir) if records.reads_records(code) else None
    environment, started, start = results.environment(), results.now(), time.perf_counter()
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    lines = _lines(markdown, notebook)
    code_cells = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    env = {**KERNEL_ENV, **os.environ, "SEQLIB_PROFILE": profile,
           **records.kernel_environment(results_dir)}
    client.reset_execution_trackers()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log, \
            client.setup_kernel(env=env, stderr=log):
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
            except CellTimeoutError as error:
                raise ChapterFailed(chapter, where, str(error)) from None
            except DeadKernelError as error:
                raise ChapterFailed(chapter, where, f"{error}{_kernel_said(log)}") from None
        reply = client.wait_for_reply(client.kc.execute(
            "", silent=True, user_expressions={"datasets": DATASETS_EXPRESSION}))
        datasets = reply["content"]["user_expressions"]["datasets"]
        client.set_widgets_metadata()
    if datasets.get("status") != "ok":
        raise ChapterFailed(chapter, "the datasets probe", datasets.get("evalue", "no reply"))
    record = provenance.make_record(
        code, outputs=provenance.outputs_digest(notebook), profile=profile,
        datasets=ast.literal_eval(datasets["data"]["text/plain"]), started=started,
        wall_seconds=time.perf_counter() - start, environment=environment, results=read)
    notebook.metadata[provenance.KEY] = record
    for path, text in ((chapter.markdown, markdown), (chapter.notebook, committed_text)):
        if _text(path) != text:
            raise ChapterFailed(chapter, "its files", f"{path.name} changed while it ran; "
                                "nothing was written: run it again")
    if read is not None and records.read_state(chapter.root, results_dir) != read:
        raise ChapterFailed(chapter, "its records", f"{read['folder']} changed while it ran; "
                            "nothing was written: run it again")
    replace_file(chapter.notebook, jupytext.writes(notebook, fmt="ipynb"))
    replace_file(chapter.markdown, jupytext.writes(notebook, fmt="md:myst"))
    return record
