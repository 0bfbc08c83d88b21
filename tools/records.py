"""The multi-seed result records a chapter reads, as its provenance keeps them.

A chapter reads the records when the seqlib definitions it reaches include `READER`, the
function that every loader of records (`seqlib.results.load_results`, `load_sweep`,
`load_timing`) asks where they are. `make notebooks` runs the chapters on the committed
records, ``results/`` of the repository in the ``full`` profile, unless its command line names
another folder: the kernel gets `SEQLIB_RESULTS_DIR` and `SEQLIB_RESULTS_PROFILE` from here,
never from the caller's environment. The provenance keeps the folder read and a digest of
each of its record files (every ``*.json`` under it), so that a chapter made from other
records than the committed ones is stale.
"""

from __future__ import annotations

from pathlib import Path

from tools.fingerprint import Fingerprint, digest
from tools.problems import listing

READER = "seqlib/results.py:results_dir"
PROFILE = "full"
NOT_RECORDED = "the result records it read were not recorded"


def reads_records(code: Fingerprint) -> bool:
    """Whether code of this fingerprint reads the result records."""
    return READER in code.definitions


def kernel_environment(results_dir: Path) -> dict[str, str]:
    """The variables that point a chapter's kernel at the records of `results_dir`."""
    return {"SEQLIB_RESULTS_DIR": str(results_dir), "SEQLIB_RESULTS_PROFILE": PROFILE}


def read_state(root: Path, results_dir: Path | None = None) -> dict[str, object]:
    """The records a chapter of the book at `root` reads: their folder (relative to `root`
    where it lies inside, e.g. ``results/full``) and the digest of each file, by name.

    Args:
        root: the book's repository.
        results_dir: the results folder (default: the committed one, ``results/``).
    """
    folder = (results_dir or root / "results").resolve() / PROFILE
    label = (folder.relative_to(root.resolve()).as_posix()
             if folder.is_relative_to(root.resolve()) else str(folder))
    files = {path.relative_to(folder).as_posix(): digest(path.read_text(encoding="utf-8"))
             for path in sorted(folder.rglob("*.json"))}
    return {"folder": label, "files": files}


def changes(made: dict | None, now: dict) -> list[str]:
    """Why the records a chapter read (`made`, from its provenance) are not those it would
    read now (`now`, from `read_state`); [] if they are."""
    if made is None:
        return [NOT_RECORDED]
    if made["folder"] != now["folder"]:
        return [f"made from the records in {made['folder']}, not {now['folder']}"]
    before, after = made["files"], now["files"]
    changed = [name + ("" if name in after else " (removed)") + ("" if name in before else " (new)")
               for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
    return [f"{now['folder']} changed: {listing(changed)}"] if changed else []
