"""The one recipe: seed, build, compile, fit by the stopping rule, score, time, one record.

Every model the book reports goes through `train` (`train_forecaster` for a model that reads
windows, `train_classifier` for one that reads reviews): the chapters, the explorers' short
retrains and ``python -m seqlib.experiments`` all call them, so a chapter's seed-0 numbers
are the seed-0 record. `load_data` prepares what a model reads, as its registry entry says.
The steps, in order:

1. the windows (weather) or the 20,000 / 5,000 split of the training reviews (IMDB);
2. `training.set_seed(seed)`, then the model from its `registry.MODELS` entry;
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

from seqlib.checks import check_int
from seqlib import (baselines, config, feed, imdb, registry, results, review_texts, text_model, training,
                    weather, windows)

__all__ = [
    "Run",
    "load_data",
    "train",
    "train_forecaster",
    "train_classifier",
]


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
    fit: results.FitResult


def _step_seconds(model: keras.Model, entry: registry.Model, samples: np.ndarray,
                  targets: np.ndarray) -> float:
    training.compile_model(model, entry)
    return training.seconds_per_batch(model, samples, targets, repeats=10)


def _dataset(key: str) -> dict[str, str]:
    """A record's ``dataset`` field: the key and title of a `registry.DATASETS` entry."""
    return {"key": key, "title": registry.get_dataset(key).title}


def load_data(key: str, loaded: dict[tuple, Any] | None = None) -> Any:
    """What the model ``key`` reads, prepared as its registry entry says.

    A forecaster gets `weather.WeatherData` (Jena climate, or the stand-in); a model of the
    Keras word ids gets `imdb.Reviews` of its vocabulary and length, padded in front; a
    model of raw text gets the reviews as its own vectorizer's word ids, padded at its side.

    Args:
        key: the model's registry key.
        loaded: a dict this call may fill and reuse, so that models reading the same data
            (the runner's loop over models and seeds) load it once.

    Raises:
        ValueError: for an unknown key.
    """
    entry = registry.get_model(key)
    loaded = {} if loaded is None else loaded
    wanted = (entry.dataset, entry.vocabulary, entry.length, entry.padding, entry.ngrams, entry.bag)
    if wanted in loaded:
        return loaded[wanted]
    if entry.inputs == registry.WINDOWS:
        data = weather.prepare_weather(weather.load_weather())
    elif entry.inputs == registry.WORD_IDS:
        data = imdb.load_reviews(entry.vocabulary, entry.length)
    else:
        if "texts" not in loaded:
            loaded["texts"] = review_texts.split_texts(review_texts.read_review_texts())
        vectorized = text_model.vectorized(loaded["texts"], entry.vocabulary, entry.length, entry.ngrams)[1]
        data = text_model.bags(vectorized) if entry.bag else text_model.padded(vectorized, entry.padding)
    loaded[wanted] = data
    return data


def train(key: str, data: Any, seed: int, profile: config.Profile, **options: Any) -> Run:
    """Train, score and time the model ``key`` on ``data`` from `load_data`, by the recipe.

    Options are those of `train_forecaster` or `train_classifier`, whichever the model's
    input convention calls for.
    """
    trainer = train_forecaster if registry.get_model(key).inputs == registry.WINDOWS else train_classifier
    return trainer(key, data, seed, profile, **options)


def train_forecaster(
    key: str,
    weather_data: weather.WeatherData,
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
    """Train, score and time one forecaster of `registry.MODELS` by the book's recipe.

    Args:
        key: the model's registry key.
        weather_data: from `weather.prepare_weather`.
        seed: the seed of the row draws and of the weights.
        profile: the run profile: epoch cap, batches per epoch, patience, validation cap.
        spec: other windows than the entry's (the explorers' step).
        build: another builder than the entry's (the explorers' kernel size).
        max_epochs, steps_per_epoch: other budgets than the profile's (the explorers').
        patience: the stopping rule's patience; ``"profile"`` uses the profile's, None
            runs every epoch.
        score_test: also score the test split (skipped by the explorers).
        time_step: also time a training step at `registry.TIMING_TIMESTEPS` (skipped by the explorers).

    Returns:
        The model, its history and its record.

    Raises:
        ValueError: for an unknown or non-weather model, windows that do not fit the
            splits, or a model that does not fit the windows.
    """
    entry = registry.get_model(key)
    if entry.inputs != registry.WINDOWS:
        raise ValueError(f"{key!r} reads {entry.inputs}, not windows: use `train_classifier`.")
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
                             validation_data=val.dataset(), monitor=entry.policy.monitor,
                             mode=entry.policy.mode)
    record: dict[str, Any] = {
        "model": key, "title": entry.title, "seed": seed, "profile": profile.name,
        "settings": dataclasses.asdict(profile), "dataset": {"key": series.key, "title": series.title},
        "metric": entry.policy.metric, **fit.to_dict(), "jit_compile": training.JIT_COMPILE,
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
        samples = rng.normal(size=(spec.batch_size, registry.TIMING_TIMESTEPS, series.num_features)).astype("float32")
        targets = rng.normal(size=(spec.batch_size,)).astype("float32")
        record["timing_timesteps"] = registry.TIMING_TIMESTEPS
        record["seconds_per_batch"] = _step_seconds(build(series.num_features, registry.TIMING_TIMESTEPS), entry,
                                                    samples, targets)
    return Run(results.stamp(record, started, start), model, fit)


def train_classifier(
    key: str,
    reviews: imdb.Reviews,
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
    """Train, score and time one review classifier of `registry.MODELS` by the book's recipe.

    Batches of 128 reviews; the best epoch is picked on validation accuracy, and its
    weights score the 25,000 test reviews.

    Args:
        key: the model's registry key.
        reviews: from `load_data` (`imdb.load_reviews`, or raw text through its vectorizer).
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
    entry = registry.get_model(key)
    if entry.inputs == registry.WINDOWS:
        raise ValueError(f"{key!r} reads windows, not reviews: use `train_forecaster`.")
    if learning_rate is not None:
        entry = dataclasses.replace(entry, learning_rate=learning_rate)
    padded = reviews.x_train.shape[1]
    maxlen = padded if maxlen is None else maxlen
    check_int("maxlen", maxlen, maximum=padded)
    started, start = results.now(), time.perf_counter()
    kept = slice(-maxlen, None) if reviews.words_kept == "last" else slice(None, maxlen)
    x_train, x_val, x_test = (x[:, kept] for x in (reviews.x_train, reviews.x_val, reviews.x_test))
    num_words = int(max(x_train.max(), x_val.max(), x_test.max())) + 1
    build = build if build is not None else entry.build
    training.set_seed(seed)
    model = training.compile_model(build(num_words, maxlen), entry)
    fit = training.fit_model(model, x_train, reviews.y_train, epochs=max_epochs or profile.imdb_max_epochs,
                             patience=profile.patience if patience == "profile" else patience,
                             batch_size=128, validation_data=(x_val, reviews.y_val),
                             monitor=entry.policy.monitor, mode=entry.policy.mode)
    test = (float(model.evaluate(x_test, reviews.y_test, batch_size=512, verbose=0)[1])
            if score_test else None)
    record: dict[str, Any] = {
        "model": key, "title": entry.title, "seed": seed, "profile": profile.name,
        "settings": dataclasses.asdict(profile), "dataset": _dataset(reviews.dataset),
        "metric": entry.policy.metric,
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
        record["seconds_per_batch"] = _step_seconds(build(num_words, maxlen), entry,
                                                    x_train[:128], reviews.y_train[:128].astype("float32"))
    return Run(results.stamp(record, started, start), model, fit)
