"""The tf.data feed of windows: the batches `model.fit` and `model.evaluate` read.

`make_windows` gives the training, validation and test windows of a normalised series
(`seqlib.windows` does the index arithmetic). Indexing one (``train[0]``) cuts a batch
with NumPy; ``.dataset()`` gives the same batches as a `tf.data.Dataset`, which is what
the book's models train on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from seqlib.checks import check_int
from seqlib.windows import SplitRanges, WindowSpec, check_range, check_rows, count_batches, make_batch, target_rows

__all__ = ["TrainingWindows", "EvaluationWindows", "make_windows"]


class _Windows:
    """Batches of windows over one split of a series, for `model.fit` and `model.evaluate`."""

    def __init__(
        self,
        data: np.ndarray,
        spec: WindowSpec,
        row_range: tuple[int, int],
        target_column: int,
    ) -> None:
        self.data = np.asarray(data, dtype=np.float32)
        self.spec = spec
        self.row_range = check_range(row_range, "row_range", len(self.data))
        self._all_rows = target_rows(spec, self.row_range)
        _, self.target_column = check_rows(self.data, self._all_rows[:1], spec, target_column)

    def _batch_rows(self, index: int) -> np.ndarray:
        raise NotImplementedError

    def _rows_dataset(self) -> tf.data.Dataset:
        raise NotImplementedError

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        return make_batch(self.data, self._batch_rows(index), self.spec, self.target_column)

    def dataset(self) -> tf.data.Dataset:
        """The same batches as a `tf.data.Dataset` that cuts windows inside TensorFlow.

        Indexing the object (``windows[0]``) cuts one batch with NumPy, which is handy to
        look at; this dataset gathers the windows with `tf.gather` in TensorFlow's own
        threads and prefetches them, so no Python runs between training steps. The
        batches are identical, in the same order.
        """
        data = tf.constant(self.data)
        offsets = tf.constant(self.spec.sample_offsets)
        targets = tf.constant(self.data[:, self.target_column])
        delay = self.spec.delay

        def cut(rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            return tf.gather(data, rows[:, tf.newaxis] + offsets), tf.gather(targets, rows + delay)

        return self._rows_dataset().map(cut, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


class TrainingWindows(_Windows):
    """Training batches of windows drawn at random, with replacement, like the 2017 `shuffle=True`.

    Each epoch draws `steps_per_epoch` batches of last readings uniformly from
    `target_rows(spec, row_range)`, so a window's target never leaves the split. The
    draws come from `np.random.default_rng(seed)` and are redrawn at the end of every
    epoch: the same seed gives the same batches, epoch after epoch.

    Args:
        data: float32 array of shape (rows, features), normalised.
        spec: the window shape (its `batch_size` is the batch size).
        row_range: the training split's half-open `(start, stop)` rows.
        target_column: index of the feature to forecast.
        steps_per_epoch: batches per epoch (the book: 500).
        seed: seed of the row draws.

    Raises:
        ValueError: if an argument is invalid or the range is too short for one window.
    """

    def __init__(
        self,
        data: np.ndarray,
        spec: WindowSpec,
        row_range: tuple[int, int],
        target_column: int,
        *,
        steps_per_epoch: int,
        seed: int = 0,
    ) -> None:
        super().__init__(data, spec, row_range, target_column)
        self.steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch)
        self._rng = np.random.default_rng(check_int("seed", seed, minimum=0))
        self.draw_epoch()

    def draw_epoch(self) -> None:
        """Draw the last readings of the next epoch's windows (each pass over `dataset()` draws anew)."""
        first, stop = self._all_rows[0], self._all_rows[-1] + 1
        self.epoch_rows = self._rng.integers(
            first, stop, size=(self.steps_per_epoch, self.spec.batch_size)
        )

    def __len__(self) -> int:
        return self.steps_per_epoch

    def _batch_rows(self, index: int) -> np.ndarray:
        return self.epoch_rows[index]

    def _rows_dataset(self) -> tf.data.Dataset:
        def next_epoch() -> Any:  # each pass over the dataset is one epoch, then a new draw
            rows = self.epoch_rows
            self.draw_epoch()
            yield rows

        signature = tf.TensorSpec((self.steps_per_epoch, self.spec.batch_size), tf.int64)
        rows = tf.data.Dataset.from_generator(next_epoch, output_signature=signature).unbatch()
        return rows.apply(tf.data.experimental.assert_cardinality(self.steps_per_epoch))  # for Keras's epochs


class EvaluationWindows(_Windows):
    """Evaluation batches: every window of a split once, in time order, the last batch partial.

    With `max_batches`, at most that many full batches are scored, of rows evenly spaced
    over the whole split (not its first weeks), so a capped score still spans every season.

    Args:
        data: float32 array of shape (rows, features), normalised.
        spec: the window shape (its `batch_size` is the batch size).
        row_range: the split's half-open `(start, stop)` rows.
        target_column: index of the feature to forecast.
        max_batches: cap on the number of batches; `None` scores every window.

    Attributes:
        rows: the last readings scored, increasing (all of `target_rows` without a cap).

    Raises:
        ValueError: if an argument is invalid or the range is too short for one window.
    """

    def __init__(
        self,
        data: np.ndarray,
        spec: WindowSpec,
        row_range: tuple[int, int],
        target_column: int,
        *,
        max_batches: int | None = None,
    ) -> None:
        super().__init__(data, spec, row_range, target_column)
        self.rows = self._all_rows
        if max_batches is not None:
            kept = min(len(self.rows), check_int("max_batches", max_batches) * spec.batch_size)
            self.rows = self.rows[np.arange(kept) * len(self.rows) // kept]

    def __len__(self) -> int:
        return count_batches(len(self.rows), self.spec.batch_size)

    def _batch_rows(self, index: int) -> np.ndarray:
        size = self.spec.batch_size
        return self.rows[index * size : (index + 1) * size]

    def _rows_dataset(self) -> tf.data.Dataset:
        return tf.data.Dataset.from_tensor_slices(self.rows).batch(self.spec.batch_size)


def make_windows(
    data: np.ndarray,
    spec: WindowSpec,
    splits: SplitRanges,
    target_column: int,
    *,
    steps_per_epoch: int,
    seed: int = 0,
    max_eval_batches: int | None = None,
) -> tuple[TrainingWindows, EvaluationWindows, EvaluationWindows]:
    """Make the training, validation and test inputs of `model.fit` and `model.evaluate`.

    Args:
        data: float32 array of shape (rows, features), normalised.
        spec: the window shape.
        splits: the row ranges of the three splits.
        target_column: index of the feature to forecast.
        steps_per_epoch: training batches per epoch.
        seed: seed of the training row draws.
        max_eval_batches: cap on validation batches (`None`: every window). The test
            split is always scored in full.

    Returns:
        `(train, val, test)`, ready for `model.fit(train, validation_data=val)`.

    Raises:
        ValueError: if an argument is invalid or a split is too short for one window.
    """
    splits.check(len(data))

    def for_split(name: str, make: Any) -> Any:
        try:
            return make(getattr(splits, name))
        except ValueError as error:  # say which split, not just `row_range`
            raise ValueError(f"The {name} split {getattr(splits, name)}: {error}") from None

    train = for_split("train", lambda row_range: TrainingWindows(
        data, spec, row_range, target_column, steps_per_epoch=steps_per_epoch, seed=seed))
    val, test = (
        for_split(name, lambda row_range: EvaluationWindows(
            data, spec, row_range, target_column, max_batches=max_batches))
        for name, max_batches in (("val", max_eval_batches), ("test", None))
    )
    return train, val, test
