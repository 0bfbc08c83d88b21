"""The one recipe: seed, build, compile, fit by the stopping rule, score, time, one record.

Every model the book reports goes through `train_forecaster` (weather) or `train_classifier`
(IMDB): the chapters, the explorers' short retrains and ``python -m seqlib.experiments``
all call them, so a chapter's seed-0 numbers are the seed-0 record. The steps, in order:

1. the windows (weather) or the 20,000 / 5,000 split of the training reviews (IMDB);
2. `training.set_seed(seed)`, then the model from its `models.REGISTRY` entry;
3. `training.compile_model` (RMSprop at the entry's rate, `training.JIT_COMPILE`);
4. `training.fit_model` until the validation score has not improved for
   ``profile.patience`` epochs (at most the profile's cap), best weights restored;
5. the best epoch's weights score the whole test split (and the common-sense baseline
   the same windows);
6. a fresh copy of the model times one training step at a fixed length.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from seqlib import baselines, config, feed, imdb, models, results, training, weather, windows

__all__ = [
    "TIMING_TIMESTEPS",
    "IMDB_NUM_WORDS",
    "IMDB_MAXLEN",
    "IMDB_VALIDATION",
    "IMDB_DATASET",
    "Run",
    "WeatherData",
    "prepare_weather",
    "train_forecaster",
    "Reviews",
    "load_reviews",
    "train_classifier",
]

TIMING_TIMESTEPS = 480
"""The window length at which every forecaster's training step is timed (equal for all)."""

IMDB_NUM_WORDS = 10_000
IMDB_MAXLEN = 500
IMDB_VALIDATION = 5_000
"""The last 5,000 of the 25,000 training reviews validate; the first 20,000 train."""

IMDB_DATASET = {"key": "imdb", "title": "IMDB movie reviews (Maas et al., 2011), Keras packaging"}


@dataclasses.dataclass
class Run:
    """One trained model and its record.

    Attributes:
        record: what ``python -m seqlib.experiments`` writes (plain data, JSON-ready).
        model: the model, with the weights of its best epoch.
        fit: the training history.
    """

    record: dict[str, Any]
    model: keras.Model
    fit: training.FitResult


def _step_seconds(model: keras.Model, entry: models.ModelEntry, samples: np.ndarray,
                  targets: np.ndarray) -> float:
    training.compile_model(model, entry)
    return training.seconds_per_batch(model, samples, targets, repeats=10)


@dataclasses.dataclass(frozen=True)
class WeatherData:
    """A weather series ready for windows: split in time, normalised by its training rows.

    Attributes:
        series: the loaded series (title, key, period, target).
        data: the normalised float32 values.
        mean, std: the training rows' per-column statistics.
        splits: the book's training, validation and test rows.
    """

    series: weather.WeatherSeries
    data: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    splits: windows.SplitRanges

    @property
    def target_std(self) -> float:
        """The target's training std: a normalised MAE times this is in the target's units."""
        return float(self.std[self.series.target_index])


def prepare_weather(series: weather.WeatherSeries) -> WeatherData:
    """Split a series the book's way and normalise it with its training rows."""
    splits = windows.SplitRanges.book_split(series.num_rows)
    data, mean, std = windows.normalise(series.values, splits.train)
    return WeatherData(series, data, mean, std, splits)


def train_forecaster(
    key: str,
    weather_data: WeatherData,
    seed: int,
    profile: config.Profile,
    *,
    spec: windows.WindowSpec | None = None,
    build: Callable[[int, int], keras.Model] | None = None,
    max_epochs: int | None = None,
    steps_per_epoch: int | None = None,
    patience: int | None | str = "profile",
    score_test: bool = True,
    time_step: bool = True,
) -> Run:
    """Train, score and time one forecaster of `models.REGISTRY` by the book's recipe.

    Args:
        key: the model's registry key.
        weather_data: from `prepare_weather`.
        seed: the seed of the row draws and of the weights.
        profile: the run profile: epoch cap, batches per epoch, patience, validation cap.
        spec: other windows than the entry's (the explorers' step).
        build: another builder than the entry's (the explorers' kernel size).
        max_epochs, steps_per_epoch: other budgets than the profile's (the explorers').
        patience: the stopping rule's patience; ``"profile"`` uses the profile's, None
            runs every epoch.
        score_test: also score the test split (skipped by the explorers).
        time_step: also time a training step at `TIMING_TIMESTEPS` (skipped by the explorers).

    Returns:
        The model, its history and its record.

    Raises:
        ValueError: for an unknown or non-weather model, windows that do not fit the
            splits, or a model that does not fit the windows.
    """
    entry = models.get_entry(key)
    if entry.task != "weather":
        raise ValueError(f"{key!r} is not a forecaster: use `train_classifier`.")
    started, start = results.now(), time.perf_counter()
    series, data = weather_data.series, weather_data.data
    spec = spec if spec is not None else entry.window_spec(series.period)
    build = build if build is not None else entry.build
    train, val, test = feed.make_windows(
        data, spec, weather_data.splits, series.target_index,
        steps_per_epoch=steps_per_epoch or profile.steps_per_epoch, seed=seed,
        max_eval_batches=profile.max_eval_batches)
    training.set_seed(seed)
    model = training.compile_model(build(series.num_features, spec.timesteps), entry)
    fit = training.fit_model(model, train.dataset(), epochs=max_epochs or profile.weather_max_epochs,
                             patience=profile.patience if patience == "profile" else patience,
                             validation_data=val.dataset())
    record: dict[str, Any] = {
        "model": key, "title": entry.title, "seed": seed, "profile": profile.name,
        "settings": dataclasses.asdict(profile), "dataset": {"key": series.key, "title": series.title},
        "metric": "mae", **fit.to_dict(), "jit_compile": training.JIT_COMPILE,
        "test": float(model.evaluate(test.dataset(), verbose=0)) if score_test else None,
        "baseline_val": baselines.common_sense_mae(data, spec, val.rows, series.target_index),
        "baseline_test": (baselines.common_sense_mae(data, spec, test.rows, series.target_index)
                          if score_test else None),
        "parameters": model.count_params(), "timesteps": spec.timesteps, "window": spec.describe(),
        "lead_hours": float(spec.delay * series.period / np.timedelta64(1, "h")),
        "timing_timesteps": None, "seconds_per_batch": None,
    }
    if time_step:
        rng = np.random.default_rng(seed)
        samples = rng.normal(size=(spec.batch_size, TIMING_TIMESTEPS, series.num_features)).astype("float32")
        targets = rng.normal(size=(spec.batch_size,)).astype("float32")
        record["timing_timesteps"] = TIMING_TIMESTEPS
        record["seconds_per_batch"] = _step_seconds(build(series.num_features, TIMING_TIMESTEPS), entry,
                                                    samples, targets)
    return Run(results.stamp(record, started, start), model, fit)


@dataclasses.dataclass(frozen=True)
class Reviews:
    """IMDB reviews as padded word ids: the book's train / validation / test split.

    Attributes:
        x_train, y_train: the first 20,000 training reviews.
        x_val, y_val: the last 5,000 training reviews (validation).
        x_test, y_test: the 25,000 test reviews.
        dataset: the dataset's key and title, for the records.
        words_kept: ``"last"`` if each row holds a review's last words, padded in front
            (`load_reviews`), ``"first"`` if its first words, padded at the end (raw text,
            `seqlib.text_model`).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    dataset: dict[str, str] = dataclasses.field(default_factory=lambda: dict(IMDB_DATASET))
    words_kept: str = "last"


def load_reviews(num_words: int = IMDB_NUM_WORDS, maxlen: int = IMDB_MAXLEN) -> Reviews:
    """IMDB with a ``num_words`` vocabulary, the last ``maxlen`` words of each review, split."""
    (x_train, y_train), (x_test, y_test) = imdb.load_imdb(num_words=num_words)
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    x_test = keras.utils.pad_sequences(x_test, maxlen=maxlen)
    cut = len(x_train) - IMDB_VALIDATION
    return Reviews(x_train[:cut], y_train[:cut], x_train[cut:], y_train[cut:], x_test, y_test)


def train_classifier(
    key: str,
    reviews: Reviews,
    seed: int,
    profile: config.Profile,
    *,
    build: Callable[..., keras.Model] | None = None,
    maxlen: int | None = None,
    learning_rate: float | None = None,
    max_epochs: int | None = None,
    patience: int | None | str = "profile",
    score_test: bool = True,
    time_step: bool = True,
) -> Run:
    """Train, score and time one IMDB classifier of `models.REGISTRY` by the book's recipe.

    Batches of 128 reviews; the best epoch is picked on validation accuracy, and its
    weights score the 25,000 test reviews.

    Args:
        key: the model's registry key.
        reviews: from `load_reviews`.
        seed: the seed of the weights and of the batches' order.
        profile: the run profile: epoch cap and patience.
        build: another builder than the entry's (the explorer's kernel size).
        maxlen: read only the last ``maxlen`` words (default: all the padded words).
        learning_rate: another rate than the entry's (the explorer's short retrains).
        max_epochs: another cap than the profile's.
        patience: as in `train_forecaster`.
        score_test: also score the test reviews.
        time_step: also time one training step on 128 reviews.

    Raises:
        ValueError: for an unknown or non-IMDB model, or a bad ``maxlen``.
    """
    entry = models.get_entry(key)
    if entry.task != "imdb":
        raise ValueError(f"{key!r} is not an IMDB classifier: use `train_forecaster`.")
    if learning_rate is not None:
        entry = dataclasses.replace(entry, learning_rate=learning_rate)
    padded = reviews.x_train.shape[1]
    maxlen = padded if maxlen is None else maxlen
    if not isinstance(maxlen, int) or not 1 <= maxlen <= padded:
        raise ValueError(f"`maxlen` must be an integer between 1 and {padded}. Received: maxlen={maxlen!r}")
    started, start = results.now(), time.perf_counter()
    kept = slice(-maxlen, None) if reviews.words_kept == "last" else slice(None, maxlen)
    x_train, x_val, x_test = (x[:, kept] for x in (reviews.x_train, reviews.x_val, reviews.x_test))
    num_words = int(max(x_train.max(), x_val.max(), x_test.max())) + 1
    build = build if build is not None else entry.build
    training.set_seed(seed)
    model = training.compile_model(build(num_words=num_words, maxlen=maxlen), entry)
    fit = training.fit_model(model, x_train, reviews.y_train, epochs=max_epochs or profile.imdb_max_epochs,
                             patience=profile.patience if patience == "profile" else patience,
                             batch_size=128, validation_data=(x_val, reviews.y_val),
                             monitor="val_accuracy", mode="max")
    test = (float(model.evaluate(x_test, reviews.y_test, batch_size=512, verbose=0)[1])
            if score_test else None)
    record: dict[str, Any] = {
        "model": key, "title": entry.title, "seed": seed, "profile": profile.name,
        "settings": dataclasses.asdict(profile), "dataset": reviews.dataset, "metric": "accuracy",
        **fit.to_dict(), "jit_compile": training.JIT_COMPILE, "learning_rate": entry.learning_rate,
        "test": test, "baseline_val": None, "baseline_test": None,
        "parameters": model.count_params(), "timesteps": maxlen,
        "window": (f"the {reviews.words_kept} {maxlen} words of each review ({num_words:,}-word vocabulary); "
                   f"{len(x_train):,} training and {len(x_val):,} validation reviews, "
                   f"{len(x_test):,} test reviews"),
        "timing_timesteps": None, "seconds_per_batch": None,
    }
    if time_step:
        record["timing_timesteps"] = maxlen
        record["seconds_per_batch"] = _step_seconds(build(num_words=num_words, maxlen=maxlen), entry,
                                                    x_train[:128], reviews.y_train[:128].astype("float32"))
    return Run(results.stamp(record, started, start), model, fit)
