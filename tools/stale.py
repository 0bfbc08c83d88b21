"""`python -m tools.stale`: the chapters whose committed outputs are stale, and why.

A chapter is stale when its code cells, the seqlib definitions they reach or the result records
it reads changed since its outputs were made, when they were not made in the full profile, or
when it has no `.ipynb` at all. A notebook that holds no provenance record counts as stale too.
Exits 1 if any chapter is stale, or with one line (``--traceback``: the traceback) when a file
cannot be read: a notebook that is not one, a seqlib module that does not parse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.chapters import ROOT, chapters
from tools.problems import BookError, report
from tools.provenance import FRESH, Freshness, freshness


def describe(states: list[Freshness]) -> list[str]:
    """Lines saying which chapters are stale and why."""
    stale = [state for state in states if state.state != FRESH]
    if not stale:
        return [f"All {len(states)} chapters' committed outputs are fresh."]
    lines = []
    for state in stale:
        lines.append(f"{state.chapter.name}: {state.state}")
        lines += [f"  - {reason}" for reason in state.reasons]
    names = " ".join(state.chapter.short for state in stale)
    lines.append(f"{len(stale)} of {len(states)} chapters are stale: "
                 f"make notebooks CHAPTERS=\"{names}\"")
    return lines


def main(root: Path = ROOT, argv: Sequence[str] = ()) -> int:
    """Print the report of the book at `root`; 1 if any chapter is stale, else 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.stale",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--traceback", action="store_true", help="show a problem's traceback")
    args = parser.parse_args(argv)
    try:
        states = [freshness(chapter) for chapter in chapters(root)]
    except BookError as error:
        return report(error, args.traceback)
    print("\n".join(describe(states)))
    return 0 if all(state.state == FRESH for state in states) else 1


if __name__ == "__main__":
    sys.exit(main(argv=sys.argv[1:]))
