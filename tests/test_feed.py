"""Tests of seqlib.feed on index data (row r, column c holds r * 10**c, as in test_windows)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from seqlib import feed, windows
from seqlib.windows import SplitRanges, WindowSpec

NUM_ROWS = 1000
DATA = np.arange(NUM_ROWS, dtype=np.float32)[:, np.newaxis] * np.array([1, 10, 100], dtype=np.float32)
SPLITS = SplitRanges(train=(0, 500), val=(501, 750), test=(751, NUM_ROWS))
SPEC = WindowSpec(lookback=12, delay=5, step=3, batch_size=16)


def test_evaluation_windows_score_every_row_once_in_order():
    val = feed.EvaluationWindows(DATA, SPEC, SPLITS.val, target_column=0)
    expected = windows.target_rows(SPEC, SPLITS.val)  # rows 510..744: 235 windows
    assert len(val) == windows.count_batches(len(expected), 16) == 15
    batches = [val[index] for index in range(len(val))]
    assert [len(targets) for _, targets in batches] == [16] * 14 + [11]
    np.testing.assert_array_equal(np.concatenate([targets for _, targets in batches]) - SPEC.delay, expected)
    np.testing.assert_array_equal(val.rows, expected)
    with pytest.raises(IndexError):
        val[len(val)]


def test_evaluation_windows_cap_spreads_rows_over_the_whole_split():
    val = feed.EvaluationWindows(DATA, SPEC, SPLITS.val, target_column=0, max_batches=3)
    all_rows = windows.target_rows(SPEC, SPLITS.val)
    assert len(val) == 3 and len(val.rows) == 48 == len(np.unique(val.rows))
    assert val.rows[0] == all_rows[0] and val.rows[-1] > all_rows[-1] - len(all_rows) / 48
    assert np.isin(val.rows, all_rows).all() and (np.diff(val.rows) > 0).all()
    assert len(feed.EvaluationWindows(DATA, SPEC, SPLITS.val, target_column=0, max_batches=100)) == 15


def test_training_windows_are_reproducible_and_stay_in_the_split():
    def two_epochs(seed: int) -> list[np.ndarray]:
        train = feed.TrainingWindows(
            DATA, SPEC, SPLITS.train, target_column=0, steps_per_epoch=4, seed=seed
        )
        first = [train[index][1] for index in range(len(train))]
        train.draw_epoch()
        return first + [train[index][1] for index in range(len(train))]

    epochs = two_epochs(seed=0)
    assert len(epochs) == 8 and all(len(targets) == 16 for targets in epochs)
    np.testing.assert_array_equal(epochs, two_epochs(seed=0))
    assert not np.array_equal(epochs, two_epochs(seed=1))
    assert not np.array_equal(epochs[:4], epochs[4:])
    targets = np.concatenate(epochs)
    assert targets.min() >= 9 + 5 and targets.max() < 500


def test_datasets_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"`steps_per_epoch` must be an integer >= 1. Received: steps_per_epoch=0"):
        feed.TrainingWindows(DATA, SPEC, SPLITS.train, target_column=0, steps_per_epoch=0)
    with pytest.raises(ValueError, match=r"`max_batches` must be an integer >= 1. Received: max_batches=0"):
        feed.EvaluationWindows(DATA, SPEC, SPLITS.val, target_column=0, max_batches=0)
    with pytest.raises(ValueError, match=r"`row_range` = \(751, 1200\) ends past the last row"):
        feed.EvaluationWindows(DATA, SPEC, (751, 1200), target_column=0)
    with pytest.raises(ValueError, match=r"`target_column` must be < the 3 features"):
        feed.EvaluationWindows(DATA, SPEC, SPLITS.val, target_column=5)


def test_keras_fits_and_evaluates_on_the_windows():
    data = np.random.default_rng(0).normal(size=(NUM_ROWS, 3)).astype(np.float32)
    train, val, test = feed.make_windows(data, SPEC, SPLITS, target_column=1, steps_per_epoch=3, seed=0)
    inputs = keras.Input(shape=(SPEC.timesteps, 3))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    model.compile(optimizer="rmsprop", loss="mae")
    history = model.fit(train.dataset(), validation_data=val.dataset(), epochs=2, verbose=0, shuffle=False)
    assert len(history.history["val_loss"]) == 2
    # evaluate() averages over every window once, the partial last batch included.
    predictions = model.predict(test.dataset(), verbose=0)[:, 0]
    targets = data[test.rows + SPEC.delay, 1]
    assert len(predictions) == len(test.rows) == 235  # 14 batches of 16 and one of 11
    mae = np.mean(np.abs(predictions - targets))
    np.testing.assert_allclose(model.evaluate(test.dataset(), verbose=0), mae, rtol=1e-5)


def test_make_windows_caps_validation_but_scores_every_test_window():
    _, val, test = feed.make_windows(DATA, SPEC, SPLITS, target_column=0, steps_per_epoch=1, max_eval_batches=2)
    assert len(val) == 2 and len(val.rows) == 2 * SPEC.batch_size
    np.testing.assert_array_equal(test.rows, windows.target_rows(SPEC, SPLITS.test))


def test_make_windows_names_the_split_that_is_too_short():
    spec = WindowSpec(lookback=246, delay=5)  # span 246 + delay 5 > 249 rows
    with pytest.raises(ValueError, match=r"^The val split \(501, 750\): `row_range` = \(501, 750\) is too short"):
        feed.make_windows(DATA, spec, SplitRanges((0, 500), (501, 750), (751, NUM_ROWS)), 0, steps_per_epoch=1)


def test_dataset_gives_the_same_batches_as_indexing_epoch_after_epoch():
    train, val, _ = feed.make_windows(DATA, SPEC, SPLITS, target_column=1, steps_per_epoch=3, seed=4)
    twin, _, _ = feed.make_windows(DATA, SPEC, SPLITS, target_column=1, steps_per_epoch=3, seed=4)
    dataset = twin.dataset()
    for _ in range(2):  # each pass over the dataset is one epoch with fresh draws, as with fit()
        for (samples, targets), index in zip(dataset.as_numpy_iterator(), range(len(train)), strict=True):
            np.testing.assert_array_equal(samples, train[index][0])
            np.testing.assert_array_equal(targets, train[index][1])
        train.draw_epoch()
    batches = list(val.dataset().as_numpy_iterator())
    assert len(batches) == len(val)
    for (samples, targets), index in zip(batches, range(len(val))):
        np.testing.assert_array_equal(samples, val[index][0])
        np.testing.assert_array_equal(targets, val[index][1])
