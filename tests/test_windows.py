"""Tests of seqlib.windows on index data: row r, column c holds r * 10**c.

With such data a window's column 0 *is* its row numbers, so every expected batch is
plain index arithmetic.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from seqlib import legacy, windows
from seqlib.windows import SplitRanges, WindowSpec

NUM_ROWS = 1000
DATA = np.arange(NUM_ROWS, dtype=np.float32)[:, np.newaxis] * np.array([1, 10, 100], dtype=np.float32)
TEN_MINUTES = np.timedelta64(10, "m")
HOUR = np.timedelta64(1, "h")
SPLITS = SplitRanges(train=(0, 500), val=(501, 750), test=(751, NUM_ROWS))
SPEC = WindowSpec(lookback=12, delay=5, step=3, batch_size=16)


def window_rows(samples: np.ndarray) -> np.ndarray:
    """The row numbers a batch of windows was cut from (column 0 of the index data)."""
    return samples[..., 0].astype(np.int64)


# Durations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, period, rows",
    [
        ("10 days", TEN_MINUTES, 1440),
        ("24 hours", TEN_MINUTES, 144),
        ("1 hour", TEN_MINUTES, 6),
        ("30 min", TEN_MINUTES, 3),
        ("10 minutes", TEN_MINUTES, 1),
        ("2 h", HOUR, 2),
        (" 1.5 Hours ", np.timedelta64(30, "m"), 3),
        ("10 days", HOUR, 240),
        (240, HOUR, 240),
        (np.timedelta64(1, "D"), HOUR, 24),
    ],
)
def test_parse_duration_gives_rows(value, period, rows):
    assert windows.parse_duration(value, period, "lookback") == rows


def test_parse_duration_rejects_a_fraction_of_a_row():
    with pytest.raises(ValueError, match=r"`step` = '20 min' is not a whole number of 1 hour rows"):
        windows.parse_duration("20 min", HOUR, "step")


@pytest.mark.parametrize("value", ["ten days", "10 fortnights", "", "1440", "-2 h", 2.5, None])
def test_parse_duration_rejects_unreadable_values(value):
    message = rf"`lookback` must be a duration such as '10 days'.*Received: lookback={re.escape(repr(value))}"
    with pytest.raises(ValueError, match=message):
        windows.parse_duration(value, HOUR, "lookback")


def test_parse_duration_needs_a_period_with_a_unit():
    with pytest.raises(ValueError, match=r"`period` must be a np.timedelta64 with a unit"):
        windows.parse_duration("1 hour", np.timedelta64(10), "step")


def test_format_rows_says_the_time():
    assert windows.format_rows(1440, TEN_MINUTES) == "1440 rows (10 days)"
    assert windows.format_rows(144, TEN_MINUTES) == "144 rows (24 hours)"
    assert windows.format_rows(1, HOUR) == "1 row (1 hour)"
    assert windows.format_rows(3, TEN_MINUTES) == "3 rows (30 minutes)"
    assert windows.format_rows(144) == "144 rows"


# WindowSpec ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lookback=0, delay=1), r"`lookback` must be an integer >= 1. Received: lookback=0"),
        (dict(lookback=-5, delay=1), r"`lookback` must be an integer >= 1. Received: lookback=-5"),
        (dict(lookback=10, delay=1, step=0), r"`step` must be an integer >= 1. Received: step=0"),
        (
            dict(lookback=10, delay=1, step=11),
            r"`step` must be <= `lookback`.*Received: step=11, lookback=10",
        ),
        (dict(lookback=10, delay=-1), r"`delay` must be an integer >= 0. Received: delay=-1"),
        (dict(lookback=10, delay=1, batch_size=0), r"`batch_size` must be an integer >= 1. Received: batch_size=0"),
        (dict(lookback=10.0, delay=1), r"`lookback` must be an integer >= 1. Received: lookback=10.0"),
        (dict(lookback=True, delay=1), r"`lookback` must be an integer >= 1. Received: lookback=True"),
    ],
)
def test_window_spec_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WindowSpec(**kwargs)


@pytest.mark.parametrize(
    "lookback, step, timesteps", [(1440, 6, 240), (720, 3, 240), (10, 3, 4), (10, 10, 1), (7, 1, 7)]
)
def test_timesteps_is_lookback_over_step_rounded_up(lookback, step, timesteps):
    spec = WindowSpec(lookback=lookback, delay=0, step=step)
    assert spec.timesteps == timesteps == len(spec.sample_offsets)


def test_from_durations_gives_the_books_rows():
    jena = WindowSpec.from_durations("10 days", "24 hours", "1 hour", TEN_MINUTES)
    merra = WindowSpec.from_durations("10 days", "24 hours", "1 hour", HOUR)
    assert (jena.lookback, jena.delay, jena.step, jena.batch_size) == (1440, 144, 6, 128)
    assert (merra.lookback, merra.delay, merra.step, merra.timesteps) == (240, 24, 1, 240)
    with pytest.raises(ValueError, match=r"`step` = '20 min' is not a whole number"):
        WindowSpec.from_durations("10 days", "24 hours", "20 min", HOUR)


def test_describe_spells_out_the_index_arithmetic():
    text = WindowSpec.from_durations("10 days", "24 hours", "1 hour", TEN_MINUTES).describe()
    assert "lookback 1440 rows (10 days) → 240 timesteps at step 6 rows (1 hour)" in text
    assert "r-1434, r-1428, ..., r" in text
    assert "r+144, 144 rows (24 hours) after the last reading" in text
    assert "r-9, r-6, r-3, r\n" in str(WindowSpec(lookback=10, delay=0, step=3))


@pytest.mark.parametrize("step", [1, 2, 3, 6, 12])
def test_the_target_is_delay_after_the_last_reading_at_every_step(step):
    # The 2017 windows ended one step before r and predicted r + delay: a lead time of
    # delay + step. Here the last reading is r itself, so the lead time is delay at any step.
    spec = WindowSpec(lookback=48, delay=24, step=step)
    rows = np.array([100, 200])
    samples, targets = windows.make_batch(DATA, rows, spec, target_column=0)
    np.testing.assert_array_equal(targets - window_rows(samples)[:, -1], [24, 24])
    np.testing.assert_array_equal(window_rows(samples)[:, -1], rows)
    assert samples.shape[1] == spec.timesteps == 48 // step
    assert spec.span == (spec.timesteps - 1) * step + 1 <= spec.lookback


# Split ranges -----------------------------------------------------------------------


def test_book_split_on_jena_is_the_2017_split():
    expected = SplitRanges((0, 200_000), (200_001, 300_000), (300_001, 420_551))
    assert SplitRanges.book_split(420_551) == expected


def test_book_split_on_merra2_matches_sources_md():
    expected = SplitRanges((0, 72_944), (72_945, 109_416), (109_417, 153_384))
    assert SplitRanges.book_split(153_384) == expected


@pytest.mark.parametrize(
    "ranges, message",
    [
        (((0, 500), (400, 750), (751, 1000)), r"`val` = \(400, 750\) overlaps `train` = \(0, 500\)"),
        (((0, 500), (501, 750), (700, 1000)), r"`test` = \(700, 1000\) overlaps `val`"),
        (((0, 500), (501, 750), (10, 20)), r"`test` = \(10, 20\) overlaps `val`"),
        (((5, 3), (501, 750), (751, 1000)), r"`train` must be a \(start, stop\) pair.*train=\(5, 3\)"),
        (((-1, 3), (501, 750), (751, 1000)), r"`train` must be a \(start, stop\) pair"),
        (((0, 500), 750, (751, 1000)), r"`val` must be a \(start, stop\) pair.*Received: val=750"),
    ],
)
def test_split_ranges_reject_bad_ranges(ranges, message):
    with pytest.raises(ValueError, match=message):
        SplitRanges(*ranges)


def test_split_ranges_check_bounds():
    assert SPLITS.check(NUM_ROWS) is SPLITS
    with pytest.raises(ValueError, match=r"`test` = \(751, 1000\) ends past the last row: the data has 900"):
        SPLITS.check(900)
    with pytest.raises(ValueError, match=r"`num_rows` is too small.*Received: num_rows=5"):
        SplitRanges.book_split(5)


# Windows ------------------------------------------------------------------------------


def test_make_batch_cuts_exact_windows():
    rows = np.array([20, 21, 500])
    samples, targets = windows.make_batch(DATA, rows, SPEC, target_column=1)
    assert samples.shape == (3, 4, 3) and samples.dtype == targets.dtype == np.float32
    # The window of row r reads rows r-9, r-6, r-3, r and forecasts column 1 of row r+5.
    expected_rows = [[11, 14, 17, 20], [12, 15, 18, 21], [491, 494, 497, 500]]
    np.testing.assert_array_equal(window_rows(samples), expected_rows)
    np.testing.assert_array_equal(samples[..., 2], 100 * samples[..., 0])
    np.testing.assert_array_equal(targets, [250, 260, 5050])


def test_make_batch_with_a_step_that_does_not_divide_the_lookback():
    spec = WindowSpec(lookback=10, delay=0, step=3)
    samples, targets = windows.make_batch(DATA, np.array([9, 999]), spec, target_column=0)
    np.testing.assert_array_equal(window_rows(samples), [[0, 3, 6, 9], [990, 993, 996, 999]])
    np.testing.assert_array_equal(targets, [9, 999])


@pytest.mark.parametrize("rows", [np.array([8]), np.array([100, 995]), np.array([-1])])
def test_make_batch_rejects_windows_outside_the_data(rows):
    message = r"`rows` must lie in \[span - 1, len\(data\) - delay\) = \[9, 995\)"
    with pytest.raises(ValueError, match=message):
        windows.make_batch(DATA, rows, SPEC, target_column=1)


def test_make_batch_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"`target_column` must be < the 3 features"):
        windows.make_batch(DATA, np.array([20]), SPEC, target_column=3)
    with pytest.raises(ValueError, match=r"`rows` must be a 1D array of ints"):
        windows.make_batch(DATA, np.array([20.0]), SPEC, target_column=1)
    with pytest.raises(ValueError, match=r"`data` must be a 2D array"):
        windows.make_batch(DATA[:, 0], np.array([20]), SPEC, target_column=0)


def test_target_rows_are_the_largest_leak_free_range():
    rows = windows.target_rows(SPEC, (100, 400))
    np.testing.assert_array_equal(rows, np.arange(100 + 9, 400 - 5))
    # One row earlier would read row 99, one row later a target at row 400.
    assert rows[0] + SPEC.sample_offsets[0] == 100 and rows[-1] + SPEC.delay == 399


@pytest.mark.parametrize(
    "spec", [SPEC, WindowSpec(lookback=10, delay=0, step=3, batch_size=7), WindowSpec(lookback=60, delay=24)]
)
def test_every_window_of_every_split_stays_inside_its_split(spec):
    for name, (start, stop) in SPLITS.items():
        rows = windows.target_rows(spec, (start, stop))
        samples, targets = windows.make_batch(DATA, rows, spec, target_column=0)
        seen = window_rows(samples)
        assert seen.min() == start and seen.max() < stop, name
        assert targets.min() >= start and targets.max() == stop - 1, name


def test_target_rows_rejects_a_range_too_short_for_one_window_and_its_target():
    message = r"`row_range` = \(100, 114\) is too short.*span=10 rows for lookback=12 at step=3, delay=5"
    with pytest.raises(ValueError, match=message):
        windows.target_rows(SPEC, (100, 114))
    assert len(windows.target_rows(SPEC, (100, 115))) == 1
    with pytest.raises(ValueError, match=r"`row_range` = \(0, 2000\) ends past the last row"):
        windows.target_rows(SPEC, (0, 2000), num_rows=NUM_ROWS)


# The 2017 window of current row r is ours of last reading r - step, with a target
# delay + step after it: the same batches, once the 2017 lead time is spelled out.
SPEC_2017 = WindowSpec(lookback=12, delay=5 + 3, step=3, batch_size=16)


def test_windows_equal_the_2017_generator_in_order():
    generator = legacy.generator_2017(
        DATA, lookback=12, delay=5, min_index=501, max_index=750, batch_size=16, step=3
    )
    for batch in range(3):
        rows = np.arange(501 + 12 + 16 * batch, 501 + 12 + 16 * (batch + 1))
        old_samples, old_targets = next(generator)
        samples, targets = windows.make_batch(DATA, rows - 3, SPEC_2017, target_column=1)
        np.testing.assert_array_equal(samples, old_samples)
        np.testing.assert_array_equal(targets, old_targets)


def test_windows_equal_the_2017_generator_shuffled():
    generator = legacy.generator_2017(
        DATA, lookback=12, delay=5, min_index=0, max_index=500, shuffle=True, batch_size=16, step=3,
        random_state=np.random.RandomState(7),
    )
    draws = np.random.RandomState(7)
    for _ in range(3):
        rows = draws.randint(12, 500, size=16)
        old_samples, old_targets = next(generator)
        samples, targets = windows.make_batch(DATA, rows - 3, SPEC_2017, target_column=1)
        np.testing.assert_array_equal(samples, old_samples)
        np.testing.assert_array_equal(targets, old_targets)


# Normalisation -------------------------------------------------------------------------


def test_normalise_uses_training_rows_only():
    values = np.random.default_rng(0).normal(5.0, 3.0, size=(NUM_ROWS, 3))
    normalised, mean, std = windows.normalise(values, SPLITS.train)
    changed = values.copy()
    changed[500:] = 1e6 * np.random.default_rng(1).normal(size=(500, 3))
    normalised_changed, mean_changed, std_changed = windows.normalise(changed, SPLITS.train)
    np.testing.assert_array_equal(mean, mean_changed)
    np.testing.assert_array_equal(std, std_changed)
    np.testing.assert_array_equal(normalised[:500], normalised_changed[:500])
    assert normalised.dtype == np.float32
    np.testing.assert_allclose(normalised[:500].mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(normalised[:500].std(axis=0), 1, atol=1e-6)
    np.testing.assert_allclose(mean, values[:500].mean(axis=0))


def test_normalise_rejects_a_constant_column():
    values = DATA.copy()
    values[:500, 2] = 7.0
    message = r"Column 2 of `values` is constant over the training rows \(0, 500\)"
    with pytest.raises(ValueError, match=message):
        windows.normalise(values, SPLITS.train)
    with pytest.raises(ValueError, match=r"`train_range` = \(0, 2000\) ends past the last row"):
        windows.normalise(DATA, (0, 2000))


# Batch counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "num_windows, batch_size, batches",
    [(0, 128, 0), (1, 128, 1), (128, 128, 1), (129, 128, 2), (98_415, 128, 769)],
)
def test_count_batches_rounds_up(num_windows, batch_size, batches):
    assert windows.count_batches(num_windows, batch_size) == batches


def test_count_batches_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1. Received: batch_size=0"):
        windows.count_batches(10, 0)
    with pytest.raises(ValueError, match=r"`num_windows` must be an integer >= 0. Received: num_windows=-1"):
        windows.count_batches(-1, 128)
