"""The catalogue of bad book files (issue 19): each gives one line naming the file and the fix.

Every case breaks one file of a tiny book (one chapter, a copy of seqlib and of tools/, its
notebook recorded as `make notebooks` records it), runs a command as `make` does
(``python -m tools.stale``, ``python -m tools.notebooks``), and checks the first line it
prints, its exit status, that no traceback is shown, and that no file changed. The build's
cases are in test_committed_outputs.py. The last tests run the chapter for real: named on the
command line, a chapter without its notebook, or with a broken one, is made again; Ctrl-C in
`make notebooks` keeps the files and says how to resume.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jupytext
import nbformat
import pytest

from tools.chapters import Chapter
from synthetic import demo_chapter
from tools.provenance import KEY, make_record, outputs_digest, present_fingerprint

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = demo_chapter("from seqlib import windows\nprint(windows.WindowSpec.__name__)")
TOC = "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/demo\n  - file: chapters/notes\n"
NOTES = "# Notes\n\nNo code cells here, only a fence:\n\n```python\nprint('not run')\n```\n"
RESTORE = (r"`git checkout -- chapters/demo\.ipynb` restores it, or "
           r"`make notebooks CHAPTERS=demo` makes it again$")
NOT_A_NOTEBOOK = r"^chapters/demo\.ipynb is not a valid notebook \(.+: line \d+\): " + RESTORE


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """The tiny book, its one chapter's notebook executed (by hand) and recorded."""
    root = tmp_path_factory.mktemp("tiny")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "tools", root / "tools", ignore=ignore)
    shutil.copytree(ROOT / "seqlib", root / "seqlib", ignore=ignore)
    (root / "chapters").mkdir()
    (root / "_toc.yml").write_text(TOC)
    (root / "intro.md").write_text("# Intro\n")
    (root / "chapters" / "notes.md").write_text(NOTES)
    chapter = Chapter("chapters/demo", root)
    chapter.markdown.write_text(CHAPTER)
    notebook = jupytext.read(chapter.markdown)
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                        text="WindowSpec\n")]
    notebook.metadata[KEY] = make_record(
        present_fingerprint(chapter), outputs=outputs_digest(notebook), profile="full",
        datasets=[], started="2026-01-02T03:04:05+00:00", wall_seconds=3.0,
        environment={"python": "3.11"})
    jupytext.write(notebook, chapter.notebook, fmt="ipynb")
    return root


@pytest.fixture
def book(recorded, tmp_path) -> Path:
    shutil.copytree(recorded, tmp_path / "book")
    return tmp_path / "book"


def _run(book: Path, *command: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env}
    environment.pop("SEQLIB_TRACEBACK", None)
    return subprocess.run([sys.executable, "-m", *command], cwd=book, capture_output=True,
                          text=True, env={**environment, **env}, timeout=120)


def _files_under(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_tiny_book_is_fresh_and_its_notes_are_no_chapter(book):
    done = _run(book, "tools.stale")
    assert (done.returncode, done.stdout) == (0, "All 1 chapters' committed outputs are fresh.\n")


# The cases ----------------------------------------------------------------------------------


def _cut_in_the_middle(book: Path) -> None:
    path = book / "chapters" / "demo.ipynb"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _merged_badly(book: Path) -> None:
    path = book / "chapters" / "demo.ipynb"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:5] + ["<<<<<<< HEAD\n"] + lines[5:8] + ["=======\n",
                                                                          ">>>>>>> theirs\n"]
                            + lines[8:]))


def _syntax_error(book: Path) -> int:
    path = book / "seqlib" / "windows.py"
    text = path.read_text()
    path.write_text(text + "x = = 1\n")
    return text.count("\n") + 1


def _set_record(record: dict) -> Callable[[Path], None]:
    def write(book: Path) -> None:
        path = book / "chapters" / "demo.ipynb"
        notebook = json.loads(path.read_text())
        notebook["metadata"][KEY] = record
        path.write_text(json.dumps(notebook, indent=1) + "\n")

    return write


@dataclasses.dataclass(frozen=True)
class BadFile:
    """One bad file: how to make it, the command, and the lines it must print.

    `lines` are regular expressions for the first lines of `stream` (``err`` or ``out``);
    ``{line}`` stands for the line number `prepare` returns.
    """

    prepare: Callable[[Path], object]
    command: tuple[str, ...]
    lines: tuple[str, ...]
    status: int = 1
    stream: str = "err"


CATALOGUE = {
    "truncated-notebook-make-stale": BadFile(_cut_in_the_middle, ("tools.stale",),
                                             (NOT_A_NOTEBOOK,)),
    "truncated-notebook-make-notebooks": BadFile(_cut_in_the_middle, ("tools.notebooks",),
                                                 (NOT_A_NOTEBOOK,)),
    "truncated-notebook-make-book": BadFile(_cut_in_the_middle, ("tools.notebooks", "--book"),
                                            (NOT_A_NOTEBOOK,)),
    "merge-conflict-notebook-make-stale": BadFile(_merged_badly, ("tools.stale",),
                                                  (NOT_A_NOTEBOOK,)),
    "syntax-error-in-seqlib-make-stale": BadFile(
        _syntax_error, ("tools.stale",), (r"^seqlib/windows\.py, line {line}: invalid syntax$",)),
    "syntax-error-in-seqlib-make-notebooks": BadFile(
        _syntax_error, ("tools.notebooks",),
        (r"^seqlib/windows\.py, line {line}: invalid syntax$",)),
    "missing-notebook-make-stale": BadFile(
        lambda book: (book / "chapters" / "demo.ipynb").unlink(), ("tools.stale",),
        (r"^chapters/demo: stale$", r"^  - no committed outputs: chapters/demo\.ipynb is missing$",
         r'^1 of 1 chapters are stale: make notebooks CHAPTERS="demo"$'), stream="out"),
    "empty-provenance-make-stale": BadFile(
        _set_record({}), ("tools.stale",),
        (r"^chapters/demo: unrecorded$", r"^  - no provenance recorded: run make notebooks$"),
        stream="out"),
    "incomplete-provenance-make-stale": BadFile(
        _set_record({"started": "2026-01-02T03:04:05+00:00"}), ("tools.stale",),
        (r"^chapters/demo: stale$", r"^  - the provenance record lacks fingerprint, cells, "
         r"definitions, outputs and 4 more: run make notebooks$"), stream="out"),
}

ISSUE_LIST = {
    "a chapter of _toc.yml whose .ipynb is missing": r"missing-notebook-",
    "a truncated or corrupt .ipynb, in make stale, make notebooks and make book":
        r"(truncated|merge-conflict)-notebook-",
    "a seqlib module with a syntax error": r"syntax-error-in-seqlib-",
    "a provenance of {} or without its keys": r"(empty|incomplete)-provenance-",
}


@pytest.mark.parametrize("case", [pytest.param(case, id=name) for name, case in CATALOGUE.items()])
def test_a_bad_file_gives_one_line_with_the_fix_and_changes_nothing(book, case):
    line = case.prepare(book)
    before = _files_under(book)
    done = _run(book, *case.command)
    assert done.returncode == case.status, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    printed = (done.stderr if case.stream == "err" else done.stdout).splitlines()
    for pattern, text in zip(case.lines, printed, strict=False):
        assert re.search(pattern.replace("{line}", str(line)), text), f"{pattern!r}\n{text!r}"
    assert len(printed) >= len(case.lines), printed
    if case.stream == "err":
        assert len(printed) == 1, printed
    assert _files_under(book) == before, "files were added, changed or removed"


def test_catalogue_covers_the_issue_list():
    uncovered = [item for item, pattern in ISSUE_LIST.items()
                 if not any(re.match(pattern, name) for name in CATALOGUE)]
    assert not uncovered, f"no case in the catalogue for: {uncovered}"


@pytest.mark.parametrize("how", [{"argument": "--traceback"}, {"SEQLIB_TRACEBACK": "1"}],
                         ids=["--traceback", "SEQLIB_TRACEBACK=1"])
def test_the_traceback_when_asked(book, how):
    line = _syntax_error(book)
    done = _run(book, "tools.stale", *([how["argument"]] if "argument" in how else []),
                **{key: value for key, value in how.items() if key != "argument"})
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback")
    assert done.stderr.strip().splitlines()[-1] == (
        f"tools.definitions.SourceError: seqlib/windows.py, line {line}: invalid syntax")


@pytest.mark.slow
@pytest.mark.parametrize("damage, reason", [
    (lambda book: (book / "chapters" / "demo.ipynb").unlink(),
     "no committed outputs: chapters/demo.ipynb is missing"),
    (_cut_in_the_middle, "its .ipynb is not a notebook: made anew from its .md"),
], ids=["missing", "truncated"])
def test_make_notebooks_with_the_chapter_named_makes_it_again(book, damage, reason):
    damage(book)
    done = _run(book, "tools.notebooks", "demo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"  chapters/demo (no run recorded): {reason}" in done.stdout.splitlines()
    assert "chapters/demo: done in" in done.stdout and done.stderr == ""
    assert _run(book, "tools.stale").returncode == 0


@pytest.mark.slow
def test_ctrl_c_in_make_notebooks_keeps_the_files_and_says_how_to_resume(book):
    markdown = book / "chapters" / "demo.md"
    markdown.write_text(markdown.read_text() + "\n```{code-cell} ipython3\nimport time\n"
                        "time.sleep(120)\n```\n")
    before = _files_under(book)
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.notebooks", "demo"], cwd=book, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    try:
        for line in process.stdout:
            if "code cell 2 of 2" in line:
                break
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's group
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.splitlines() == ["", 'Interrupted: chapters/demo was not written, its committed '
                                'files are unchanged; to resume: make notebooks CHAPTERS="demo"']
    assert _files_under(book) == before
