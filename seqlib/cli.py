"""The command lines' errors in one line (``python -m seqlib.experiments``, ``python -m seqlib.claims``).

Bad input (a ValueError, such as a malformed record) or a missing file (an OSError) ends the
command with one line naming the problem, and Ctrl-C with one line saying what was kept.
``SEQLIB_TRACEBACK=1`` in the environment shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["traceback_asked", "one_line_errors"]


def traceback_asked(flag: bool = False) -> bool:
    """Whether a traceback is wanted: `flag` (a ``--traceback`` option) or ``SEQLIB_TRACEBACK=1``."""
    return flag or os.environ.get("SEQLIB_TRACEBACK", "") not in ("", "0")


@contextlib.contextmanager
def one_line_errors(program: str, interrupted: str) -> Iterator[None]:
    """Turn an error or Ctrl-C inside the block into a one-line exit (status 1).

    Args:
        program: the command, which starts the line (``python -m seqlib.claims``).
        interrupted: what the line says after Ctrl-C: what was kept, how to go on.
    """
    wanted = traceback_asked()
    try:
        yield
    except KeyboardInterrupt:
        if wanted:
            raise
        raise SystemExit(f"{program}: interrupted. {interrupted}") from None
    except (ValueError, OSError) as error:
        if wanted:
            raise
        raise SystemExit(f"{program}: {error} (SEQLIB_TRACEBACK=1 shows the traceback)") from None
