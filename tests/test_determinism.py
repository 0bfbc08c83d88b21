"""Repeatable runs and leak-free splits (issue 6).

- The same seed twice gives the same metrics on CPU, for the convnet and for the GRU, on a
  small weather-like run through `feed.make_windows`, and through the recipe; another seed gives other metrics.
- No window reads a target (or an input row) from outside its split, for each split of
  `SplitRanges.book_split`, through the datasets that `model.fit` and `model.evaluate` get.

Proven elsewhere and not repeated here: normalisation statistics come from the training rows
only (tests/test_windows.py::test_normalise_uses_training_rows_only perturbs every other row
and gets the same mean and std); `target_rows` and `make_batch` keep each window inside
hand-made splits (tests/test_windows.py::test_every_window_of_every_split_stays_inside_its_split);
a tiny dense model repeats itself (tests/test_training.py::test_same_seed_same_metrics_on_cpu).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import pytest

from seqlib import feed, models, recipe, training, weather, windows
from seqlib.windows import SplitRanges, WindowSpec

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not

NUM_ROWS = 3000
SPLITS = SplitRanges.book_split(NUM_ROWS)
SPEC = WindowSpec(lookback=120, delay=24, step=1, batch_size=32)


@pytest.fixture(scope="module")
def weather_like() -> np.ndarray:
    """3,000 rows × 3 features: a daily cycle (the target), a noisy cousin, noise; normalised."""
    rng = np.random.default_rng(0)
    day = 2 * np.pi * np.arange(NUM_ROWS) / 144
    noisy_cousin = np.cos(day) + 0.1 * rng.normal(size=NUM_ROWS)
    values = np.stack([np.sin(day), noisy_cousin, rng.normal(size=NUM_ROWS)], axis=1)
    return windows.normalise(values, SPLITS.train)[0]


def _small_run(data: np.ndarray, build: Callable[..., keras.Model], seed: int) -> dict[str, list[float]]:
    """Seed, build, compile, fit 2 epochs of 5 batches, score 2 validation batches: the history."""
    train, val, _ = feed.make_windows(data, SPEC, SPLITS, 0, steps_per_epoch=5, seed=seed, max_eval_batches=2)
    training.set_seed(seed)
    model = build(data.shape[1], SPEC.timesteps)
    model.compile(optimizer="rmsprop", loss="mae")
    return training.fit_model(model, train.dataset(), epochs=2, validation_data=val.dataset()).history


@pytest.mark.parametrize("build", [models.build_conv_forecaster, models.build_gru], ids=["convnet", "gru"])
def test_same_seed_same_metrics_another_seed_other_metrics(weather_like, build):
    first = _small_run(weather_like, build, seed=1)
    assert set(first) == {"loss", "val_loss"} and all(len(values) == 2 for values in first.values())
    assert _small_run(weather_like, build, seed=1) == first  # exactly equal, not approximately
    other = _small_run(weather_like, build, seed=2)
    assert all(other[name] != first[name] for name in first)


def test_the_recipe_same_seed_same_record():
    from synthetic import TINY, tiny_series

    data = weather.prepare_weather(tiny_series())

    def run() -> dict:
        record = recipe.train_forecaster("conv_forecaster", data, 3, TINY, time_step=False).record
        return {key: record[key] for key in ("history", "best_epoch", "test", "baseline_val", "baseline_test")}

    assert run() == run()


@pytest.mark.parametrize(
    "num_rows, period",
    [(420_551, np.timedelta64(10, "m")), (153_384, np.timedelta64(1, "h"))],
    ids=["jena-rows", "merra2-rows"],
)
def test_no_window_reads_outside_its_split_of_the_book_split(num_rows, period):
    """Column 0 holds the row number, so every row a batch read is in plain sight."""
    spec = WindowSpec.from_durations("10 days", "24 hours", "1 hour", period)
    data = np.arange(num_rows, dtype=np.float32)[:, np.newaxis]  # float32 is exact up to 2**24
    splits = SplitRanges.book_split(num_rows)
    train, val, test = feed.make_windows(data, spec, splits, 0, steps_per_epoch=50, seed=0)

    def rows_read(dataset: feed.TrainingWindows | feed.EvaluationWindows, epochs: int = 1) -> tuple[int, int, int, int]:
        """The lowest and highest input row and target row of every batch of `epochs` epochs."""
        low_input = low_target = num_rows
        high_input = high_target = -1
        for _ in range(epochs):
            for index in range(len(dataset)):
                samples, targets = dataset[index]
                low_input, high_input = min(low_input, samples.min()), max(high_input, samples.max())
                low_target, high_target = min(low_target, targets.min()), max(high_target, targets.max())
            if isinstance(dataset, feed.TrainingWindows):
                dataset.draw_epoch()
        return int(low_input), int(high_input), int(low_target), int(high_target)

    for name, dataset, epochs in (("train", train, 2), ("val", val, 1), ("test", test, 1)):
        start, stop = getattr(splits, name)
        low_input, high_input, low_target, high_target = rows_read(dataset, epochs)
        assert start <= low_input and high_input < stop, f"{name} reads inputs outside {start, stop}"
        assert start <= low_target and high_target < stop, f"{name} reads targets outside {start, stop}"
        if name != "train":  # evaluation scores every window, up to the split's very last row
            assert (low_input, high_target) == (start, stop - 1), name
