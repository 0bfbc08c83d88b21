"""`python -m tools.stale`: the chapters whose committed outputs are stale, and why.

A chapter is stale when its code cells, or the code of the seqlib modules it reaches, changed
since its outputs were made, or when they were not made in the full profile. A notebook that
holds no provenance record counts as stale too. Exits 1 if any chapter is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.chapters import ROOT, chapters
from tools.provenance import FRESH, Freshness, freshness


def report(states: list[Freshness]) -> list[str]:
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


def main(root: Path = ROOT) -> int:
    """Print the report of the book at `root`; 1 if any chapter is stale, else 0."""
    states = [freshness(chapter) for chapter in chapters(root)]
    print("\n".join(report(states)))
    return 0 if all(state.state == FRESH for state in states) else 1


if __name__ == "__main__":
    sys.exit(main())
