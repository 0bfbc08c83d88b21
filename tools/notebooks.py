"""`python -m tools.notebooks`: re-execute chapters in the full profile, in place.

    python -m tools.notebooks              the chapters `make stale` lists (make notebooks)
    python -m tools.notebooks NAME ...     these chapters (make notebooks CHAPTERS="NAME ...")
    python -m tools.notebooks --force      every chapter (make notebooks FORCE=1)
    python -m tools.notebooks --book       the stale chapters, but not those that only lack a
                                           provenance record: their committed outputs are used
                                           (make book, before it builds)
    --results-dir DIR                      run on the result records of DIR (default: the
                                           committed results/; a chapter made so is stale)
    --traceback                            show a problem's traceback, not just its line

It says what it will execute and for about how long (from the chapters' last runs), fetches the
data files they need first (one message names every file it cannot get), shows each cell as it
starts, and writes each chapter's `.ipynb` and `.md` only once the chapter has run to its end.
A chapter named on the command line whose `.ipynb` is missing or not a notebook is made anew.
Ctrl-C stops it with one line: the chapter running keeps its committed files, and the line
names the command that resumes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jupytext

from seqlib import fetch
from tools import data
from tools.chapters import Chapter, chapters, select
from tools.execute import ChapterFailed, execute
from tools.problems import BookError, report
from tools.provenance import (FRESH, STALE, UNRECORDED, Freshness, NotebookError, code_sources,
                              duration, freshness)

REMADE = "its .ipynb is not a notebook: made anew from its .md"


def _plan(states: list[Freshness]) -> list[str]:
    last_runs = [(state.record or {}).get("wall_seconds") for state in states]
    known = [seconds for seconds in last_runs if seconds is not None]
    about = f", about {duration(sum(known))} by their last runs" if known else ""
    lines = [f"{len(states)} chapter(s) to execute in the full profile{about}:"]
    for state, seconds in zip(states, last_runs):
        last = "no run recorded" if seconds is None else f"last run {duration(seconds)}"
        lines.append(f"  {state.chapter.name} ({last}): {'; '.join(state.reasons) or 'asked for'}")
    return lines


def _missing_data(states: list[Freshness]) -> list[str]:
    """Fetch the data the chapters need; a message naming what could not be had, or []."""
    needs = {state.chapter: data.needs(code_sources(jupytext.read(state.chapter.markdown)))
             for state in states}
    missing = data.provide(sorted({group for groups in needs.values() for group in groups}))
    if not missing:
        return []
    where = fetch.data_dir()
    rule = (f"SEQLIB_DATA_DIR={os.environ['SEQLIB_DATA_DIR']}" if os.environ.get("SEQLIB_DATA_DIR")
            else "the user cache; SEQLIB_DATA_DIR is not set")
    lines = [f"Cannot execute them: these data files are not in {where} ({rule}) "
             "and could not be downloaded:"]
    for chapter, groups in needs.items():
        wanted = [" or ".join(group) for group in groups if group in missing]
        if wanted:
            lines.append(f"  {chapter.name} needs {' and '.join(wanted)}")
    names = sorted({name for group in missing for name in group})
    lines += [f"    {name}: {data.origin(name)}" for name in names]
    lines.append("Put them (one of each 'or') in a folder and run the command again with "
                 "SEQLIB_DATA_DIR=that/folder, e.g. `make book SEQLIB_DATA_DIR=~/data`, "
                 "or connect to the network.")
    return lines


def _state(chapter: Chapter, named: bool) -> Freshness:
    """The chapter's freshness; one named on the command line is made anew if its `.ipynb` is
    not a notebook (else that stops the command with the line that says how to restore it)."""
    try:
        return freshness(chapter)
    except NotebookError:
        if not named:
            raise
        return Freshness(chapter, STALE, (REMADE,), None)


def _execute(states: list[Freshness], results_dir: Path | None) -> int:
    """Execute the chapters in turn; the exit status (130 on Ctrl-C, with one line)."""
    failed = []
    for index, state in enumerate(states):
        try:
            record = execute(state.chapter, progress=lambda line: print(line, flush=True),
                             results_dir=results_dir)
        except ChapterFailed as error:
            print(f"FAILED: {error}. Its committed files are unchanged.", file=sys.stderr)
            failed.append(state.chapter.name)
        except KeyboardInterrupt:
            rest = " ".join(other.chapter.short for other in states[index:])
            print(f"\nInterrupted: {state.chapter.name} was not written, its committed files are "
                  f"unchanged; to resume: make notebooks CHAPTERS=\"{rest}\"", file=sys.stderr)
            return 130
        else:
            print(f"{state.chapter.name}: done in {duration(record['wall_seconds'])}; "
                  f"{state.chapter.notebook.name} and {state.chapter.markdown.name} written.")
    if failed:
        print(f"{len(failed)} chapter(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _run(args: argparse.Namespace) -> int:
    """Choose the chapters, say what will run, fetch their data and run them."""
    try:
        chosen = select(args.chapters) if args.chapters else chapters()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    states = [_state(chapter, bool(args.chapters) or args.force) for chapter in chosen]
    if args.book:
        unrecorded = [state.chapter.short for state in states if state.state == UNRECORDED]
        if unrecorded:
            print(f"Using the committed outputs of {', '.join(unrecorded)} although they hold no "
                  "provenance record (run `make notebooks` to record it).")
        states = [state for state in states if state.state == STALE]
    elif not (args.force or args.chapters):
        states = [state for state in states if state.state != FRESH]
    if not states:
        print("No chapter to execute: the committed outputs are used.")
        return 0
    print("\n".join(_plan(states)), flush=True)
    problem = _missing_data(states)
    if problem:
        print("\n".join(problem), file=sys.stderr)
        return 1
    return _execute(states, args.results_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names (default: the stale ones)")
    parser.add_argument("--force", action="store_true", help="execute every chapter")
    parser.add_argument("--book", action="store_true",
                        help="only the stale chapters that have a provenance record")
    parser.add_argument("--results-dir", type=Path, metavar="DIR",
                        help="the result records' folder (default: the committed results/)")
    parser.add_argument("--traceback", action="store_true", help="show a problem's traceback")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except BookError as error:
        return report(error, args.traceback)
    except KeyboardInterrupt:
        print("\nInterrupted while no chapter was running: the files are as they were; "
              "run the command again to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
