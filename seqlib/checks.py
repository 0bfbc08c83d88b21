"""The checks of seqlib's integer and rate arguments, with one wording of their errors."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["is_integer", "check_int", "check_positive", "check_rates"]


def is_integer(value: object) -> bool:
    """Whether `value` is an int or a NumPy integer (not a bool, not a `np.timedelta64`)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.timedelta64))


def check_int(name: str, value: object, *, minimum: int | None = 1, maximum: int | None = None,
              optional: bool = False) -> int | None:
    """Return `value` as an int if it is an integer from `minimum` to `maximum`, or raise a ValueError.

    NumPy integers pass; a bool or a `np.timedelta64` does not. With ``optional=True`` None
    passes too. The error names the argument and its value: "`maxlen` must be an integer
    between 1 and 500. Received: maxlen=600".
    """
    if value is None and optional:
        return None
    if is_integer(value) and (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
        return int(value)
    if maximum is not None:
        allowed = f"an integer between {minimum} and {maximum:,}"
    else:
        allowed = "an integer" if minimum is None else f"an integer >= {minimum}"
    allowed += " or None" if optional else ""
    raise ValueError(f"`{name}` must be {allowed}. Received: {name}={value!r}")


def check_positive(**values: int | None) -> None:
    """`check_int` for the sizes of a model: each an integer >= 1 (None, where a builder takes it, passes)."""
    for name, value in values.items():
        if value is not None:
            check_int(name, value)


def check_rates(**rates: float) -> None:
    """Check dropout rates: each a number in [0, 1), or raise a ValueError naming it."""
    for name, rate in rates.items():
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
            raise ValueError(f"`{name}` must be a number in [0, 1). Received: {name}={rate!r}")
