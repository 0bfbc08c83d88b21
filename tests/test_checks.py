"""Tests of seqlib.checks: the checks of integer and rate arguments, one wording of their errors."""

import numpy as np
import pytest

from seqlib.checks import check_int, check_positive, check_rates


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_integers_in_range_pass(value):
    check_int("size", value, minimum=1, maximum=7)


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (0, {}, "`size` must be an integer >= 1. Received: size=0"),
        (True, {}, "`size` must be an integer >= 1. Received: size=True"),  # a bool is not a size
        (2.0, {}, "`size` must be an integer >= 1. Received: size=2.0"),
        ("3", {}, "`size` must be an integer >= 1. Received: size='3'"),
        (None, {}, "`size` must be an integer >= 1. Received: size=None"),
        (-1, {"minimum": 0, "optional": True}, "`size` must be an integer >= 0 or None. Received: size=-1"),
        (20_001, {"maximum": 20_000}, "`size` must be an integer between 1 and 20,000. Received: size=20001"),
    ],
)
def test_everything_else_is_refused_by_name(value, kwargs, message):
    with pytest.raises(ValueError) as error:
        check_int("size", value, **kwargs)
    assert str(error.value) == message


def test_check_positive_leaves_sizes_left_to_their_default():
    check_positive(filters=32, units=None)
    with pytest.raises(ValueError, match="`units` must be an integer >= 1. Received: units=0"):
        check_positive(filters=32, units=0)


@pytest.mark.parametrize("rate", [1, 1.5, -0.1, True, "0.2", None])
def test_a_rate_outside_zero_to_one_is_refused_by_name(rate):
    with pytest.raises(ValueError, match=r"`dropout` must be a number in \[0, 1\)\. Received: dropout="):
        check_rates(embedding_dropout=0.2, dropout=rate)


def test_rates_from_zero_to_just_below_one_pass():
    check_rates(embedding_dropout=0, dropout=0.99)
