"""Problems with the book's files, each said in one line that names the file and the fix.

The commands (`python -m tools.stale`, `python -m tools.notebooks`) and the Sphinx extension
print a `BookError` as that one line, without a traceback unless one is asked for: with
``--traceback`` on the command line, or ``SEQLIB_TRACEBACK=1`` in the environment.
"""

from __future__ import annotations

import sys

from seqlib.cli import traceback_asked


class BookError(Exception):
    """A problem with one of the book's files; the message names the file and the fix."""


def report(error: BookError, traceback: bool = False) -> int:
    """For a command's `main()`: print `error` as its one line on stderr and return 1, the
    exit status; re-raise it instead when a traceback is asked for."""
    if traceback_asked(traceback):
        raise error
    print(error, file=sys.stderr)
    return 1


def listing(names: list[str], limit: int = 4) -> str:
    """`names` for a one-line message: ``"a, b, c, d and 3 more"``."""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
