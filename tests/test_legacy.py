"""Tests of seqlib.legacy: the 2017 generator's quirks, shown on index data (row r holds r)."""

from __future__ import annotations

import numpy as np
import pytest

from seqlib import legacy, windows
from seqlib.windows import WindowSpec

DATA = np.arange(1000, dtype=np.float64)[:, np.newaxis] * np.array([1, 10])


def test_targets_of_the_last_rows_leak_past_max_index():
    generator = legacy.generator_2017(
        DATA, lookback=12, delay=5, min_index=0, max_index=500, shuffle=True, batch_size=500, step=3,
        random_state=np.random.RandomState(0),
    )
    _, targets = next(generator)
    assert targets.max() / 10 >= 500  # read from the next split
    fixed = windows.target_rows(WindowSpec(lookback=12, delay=5, step=3), (0, 500)) + 5
    assert fixed.max() == 499


def test_in_order_it_never_yields_the_final_partial_batch():
    # Rows 12..99 are 88 rows: 5 full batches of 16, then 8 rows that are never yielded.
    generator = legacy.generator_2017(
        DATA, lookback=12, delay=5, min_index=0, max_index=100, batch_size=16, step=3
    )
    first_rows = [next(generator)[0][0, -1, 0] + 3 for _ in range(7)]
    assert first_rows == [12, 28, 44, 60, 76, 12, 28]
    assert windows.count_batches(len(range(12, 100)), 16) == 6


def test_max_index_none_stops_delay_plus_one_rows_before_the_end():
    generator = legacy.generator_2017(
        DATA, lookback=12, delay=5, min_index=900, max_index=None, batch_size=100, step=3
    )
    samples, targets = next(generator)
    assert len(targets) == 1000 - 5 - 1 - 912 and targets[-1] / 10 == 993 + 5


def test_a_step_that_does_not_divide_the_lookback_fails():
    generator = legacy.generator_2017(DATA, lookback=10, delay=5, min_index=0, max_index=100, step=3)
    with pytest.raises(ValueError):
        next(generator)
