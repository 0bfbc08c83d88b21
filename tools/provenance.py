"""The record a committed notebook keeps of the run that made its outputs, and their freshness.

The record lives in the notebook's metadata under `KEY` (Jupytext leaves it out of the `.md`):
the fingerprint of the code that ran (`tools.fingerprint`), the result records it read if any
(`tools.records`), the profile, the datasets, the environment (package versions, CPU), when it
started and how long it took. A chapter's outputs are *stale* when the fingerprint of its
present code differs from the recorded one, when it reads other result records now, when they
were not made in the full profile, when they are not the outputs the record vouches for (a
notebook saved from JupyterLab keeps its record), when the record lacks a part, or when the
chapter has no `.ipynb` at all; *unrecorded* when the notebook holds no record (or ``{}``).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from tools import records
from tools.chapters import Chapter
from tools.fingerprint import Fingerprint, cell_digest, digest, fingerprint
from tools.problems import BookError, listing

KEY = "provenance"
FRESH, STALE, UNRECORDED = "fresh", "stale", "unrecorded"
UNRECORDED_REASON = "no provenance recorded: run make notebooks"
REQUIRED = ("fingerprint", "cells", "definitions", "outputs", "profile", "datasets",
            "environment", "started", "wall_seconds")
EARLIER_SCHEME = ("recorded with the whole-module fingerprint of an earlier tools/fingerprint.py: "
                  "run make notebooks")


class NotebookError(BookError):
    """A committed `.ipynb` that cannot be read as a notebook (a truncated file, a bad merge)."""


def code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def outputs_digest(notebook: nbformat.NotebookNode) -> str:
    """The digest of a notebook's outputs: a record vouches for these outputs only."""
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    return digest(json.dumps(outputs, sort_keys=True))


def present_fingerprint(chapter: Chapter) -> Fingerprint:
    """The fingerprint of the chapter's code as it is now (its `.md` and seqlib's files).

    Raises:
        tools.definitions.SourceError: if a seqlib module it reaches is not valid Python.
    """
    return fingerprint(code_sources(jupytext.read(chapter.markdown)), chapter.root / "seqlib")


def make_record(code: Fingerprint, *, outputs: str, profile: str, datasets: list[str],
                started: str, wall_seconds: float, environment: dict[str, Any],
                results: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record of a run of `code` that gave outputs of digest `outputs`, to store in the
    notebook's metadata under `KEY`; `results`: the records it read (`tools.records`)."""
    record = {"fingerprint": code.value, "cells": list(code.cells),
              "definitions": code.definitions, "outputs": outputs, "profile": profile,
              "datasets": datasets, "environment": environment, "started": started,
              "wall_seconds": round(wall_seconds, 1)}
    return record if results is None else {**record, "results": results}


def read_committed(chapter: Chapter) -> nbformat.NotebookNode:
    """The chapter's committed notebook.

    Raises:
        NotebookError: if the file is not a notebook; the message says how to restore it.
    """
    path, data = Path(f"{chapter.name}.ipynb"), chapter.notebook.read_bytes()
    try:
        json.loads(data)  # its message locates broken JSON; nbformat's quotes the file instead
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except json.JSONDecodeError as error:
        why = f"{error.msg}: line {error.lineno}"
    except Exception as error:  # nbformat raises many kinds for JSON that is not a notebook
        why = (str(error).strip().splitlines() or [type(error).__name__])[0][:80]
    raise NotebookError(
        f"{path} is not a valid notebook ({why}): `git checkout -- {path}` restores it, or "
        f"`make notebooks CHAPTERS={chapter.short}` makes it again") from None


def read_record(chapter: Chapter) -> dict[str, Any] | None:
    """The provenance record of the chapter's committed notebook, or None if it has none."""
    return read_committed(chapter).metadata.get(KEY) or None


def first_line(source: str) -> str:
    """The first non-blank line of a cell, cut at 60 characters."""
    line = next((text for text in source.strip().splitlines() if text.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def cell_changes(made: list[str], sources: list[str]) -> list[str]:
    """What changed between code cells of digests `made` and the present cells `sources`."""
    now = [cell_digest(source) for source in sources]
    changes = []
    matcher = difflib.SequenceMatcher(None, made, now, autojunk=False)
    for tag, first, last, new_first, new_last in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            verb = "changed" if tag == "replace" else "added"
            changes += [f"code cell {index + 1} {verb}: {first_line(sources[index])}"
                        for index in range(new_first, new_last)]
        elif tag == "delete":
            changes.append(f"{last - first} code cell(s) removed after code cell {new_first}")
    return changes


def definition_changes(made: dict[str, str], now: dict[str, str]) -> list[str]:
    """Which reached seqlib definitions changed, came or went between two fingerprints, a line
    per file and kind: ``seqlib/tables.py: summary_markdown changed``."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key in sorted(set(made) | set(now)):
        if made.get(key) != now.get(key):
            file, _, name = key.partition(":")
            verb = ("now used" if key not in made else "no longer used" if key not in now
                    else "changed")
            groups.setdefault((file, verb), []).append(name or "module-level code")
    return [f"{file}: {listing(names)} {verb}" for (file, verb), names in groups.items()]


@dataclasses.dataclass(frozen=True)
class Freshness:
    """Whether a chapter's committed outputs are fresh, and if not, why."""

    chapter: Chapter
    state: str
    reasons: tuple[str, ...]
    record: dict[str, Any] | None


def freshness(chapter: Chapter) -> Freshness:
    """Compare the chapter's present code with the code its committed outputs came from.

    Without a record, the code cells are still compared with the committed notebook's.

    Raises:
        NotebookError: if the committed `.ipynb` is not a notebook.
        tools.definitions.SourceError: if a seqlib module it reaches is not valid Python.
    """
    if not chapter.notebook.is_file():
        reason = f"no committed outputs: {chapter.name}.ipynb is missing"
        return Freshness(chapter, STALE, (reason,), None)
    committed = read_committed(chapter)
    record = committed.metadata.get(KEY) or None
    sources = code_sources(jupytext.read(chapter.markdown))
    if record is None:
        made_cells = [cell_digest(source) for source in code_sources(committed)]
        reasons = cell_changes(made_cells, sources)
        if not reasons:
            return Freshness(chapter, UNRECORDED, (UNRECORDED_REASON,), None)
        return Freshness(chapter, STALE, (*reasons, UNRECORDED_REASON), None)
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        lacks = EARLIER_SCHEME if missing == ["definitions"] else (
            f"the provenance record lacks {listing(missing)}: run make notebooks")
        return Freshness(chapter, STALE, (lacks,), record)
    now = fingerprint(sources, chapter.root / "seqlib")
    reasons = []
    if now.value != record["fingerprint"]:
        reasons += cell_changes(record["cells"], sources)
        reasons += definition_changes(record["definitions"], now.definitions)
    if records.reads_records(now):
        reasons += records.changes(record.get("results"), records.read_state(chapter.root))
    if record["outputs"] != outputs_digest(committed):
        reasons.append("the outputs are not those of the recorded run (saved by another tool?)")
    if record["profile"] != "full":
        reasons.append(f"made in the {record['profile']} profile, not the full one")
    return Freshness(chapter, STALE if reasons else FRESH, tuple(reasons), record)


def duration(seconds: float) -> str:
    """``"9 min 12 s"``, ``"42 s"``, ``"1 h 3 min"``."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def machine(record: dict[str, Any]) -> str:
    """The machine a record was made on, in words."""
    env = record["environment"]
    load = env.get("load_average_1min")
    load = "" if load is None else f", load {load:.1f}"
    return (f"{env['cpu']} ({env['cpu_count']} cores{load}), "
            f"Python {env['python']}, TensorFlow {env['tensorflow']}, Keras {env['keras']}")


def datasets(record: dict[str, Any]) -> str:
    """The datasets of a record, in words."""
    return ", ".join(record["datasets"]) or "no dataset"


def summary(record: dict[str, Any]) -> str:
    """One sentence on how a chapter's outputs were made, for its page."""
    return (f"These outputs were made on {record['started'][:10]} in the {record['profile']} "
            f"profile, on {datasets(record)}, on {machine(record)}; the run took "
            f"{duration(record['wall_seconds'])}.")
