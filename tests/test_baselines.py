"""Tests of seqlib.baselines: the common-sense forecast on the windows the models see."""

from __future__ import annotations

import numpy as np
import pytest

from seqlib import baselines, feed, windows
from seqlib.windows import WindowSpec

NUM_ROWS = 1000
SPEC = WindowSpec(lookback=12, delay=5, step=3, batch_size=16)
VAL = (501, 750)


def test_mae_equals_the_books_loop_over_evaluation_batches():
    data = np.random.default_rng(0).normal(size=(NUM_ROWS, 3)).astype(np.float32)
    val = feed.EvaluationWindows(data, SPEC, VAL, target_column=1)
    errors = [np.abs(samples[:, -1, 1] - targets) for samples, targets in (val[i] for i in range(len(val)))]
    expected = np.mean(np.concatenate(errors))
    mae = baselines.common_sense_mae(data, SPEC, val.rows, target_column=1)
    np.testing.assert_allclose(mae, expected, rtol=1e-6)


@pytest.mark.parametrize("lookback, step", [(12, 3), (12, 1), (12, 5), (144, 6)])
def test_mae_on_a_ramp_is_the_slope_times_the_delay_at_every_step(lookback, step):
    # The target column rises by 0.5 per row, so every forecast is off by 0.5 * the rows
    # from the last reading r to the target row r + delay: 5 rows at every step (2017:
    # delay + step, since its windows ended one step before r).
    spec = WindowSpec(lookback=lookback, delay=5, step=step)
    assert spec.sample_offsets[-1] == 0
    data = np.stack([np.zeros(NUM_ROWS), 0.5 * np.arange(NUM_ROWS)], axis=1)
    rows = windows.target_rows(spec, VAL)
    assert baselines.common_sense_mae(data, spec, rows, target_column=1) == 0.5 * 5


def test_predictions_are_the_last_value_seen():
    data = np.arange(NUM_ROWS, dtype=np.float32)[:, np.newaxis] * np.array([1, 10], dtype=np.float32)
    spec = WindowSpec(lookback=1440 // 10, delay=144 // 10, step=6)
    rows = np.array([200, 201, 900])
    predictions, targets = baselines.common_sense_predictions(data, spec, rows, target_column=1)
    np.testing.assert_array_equal(predictions, 10 * rows)  # the book's samples[:, -1, 1]
    np.testing.assert_array_equal(targets, 10 * (rows + 14))


def test_mae_rejects_bad_arguments():
    data = np.zeros((NUM_ROWS, 2), dtype=np.float32)
    rows = windows.target_rows(SPEC, VAL)
    with pytest.raises(ValueError, match=r"`rows` must lie in \[span - 1, len\(data\) - delay\)"):
        baselines.common_sense_mae(data, SPEC, np.array([998]), target_column=1)
    with pytest.raises(ValueError, match=r"`rows` must be a 1D array of ints"):
        baselines.common_sense_mae(data, SPEC, rows[np.newaxis], target_column=1)
    with pytest.raises(ValueError, match=r"`target_column` must be < the 2 features"):
        baselines.common_sense_mae(data, SPEC, rows, target_column=2)
    with pytest.raises(ValueError, match=r"`rows` must lie in"):
        baselines.common_sense_predictions(data, SPEC, np.array([3]), target_column=1)
