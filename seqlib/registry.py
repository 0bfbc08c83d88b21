"""What the book knows, as data: every dataset and every model, in one light place.

Like d2l's ``DATA_HUB``, but for models too. A `Dataset` says what its files are, who
loads it and, for a series, its period and target; a `Model` says which dataset it reads,
in which input convention (word ids, raw text, windows) with its padding side, how it is
compiled and stopped, which builder makes it and which chapter introduces it. The recipe,
the runner, the claims, the tables, the tools and the chapters read these fields; code
branches on a field, never on a model's or a dataset's name. Builders and loaders are
named, not imported (``"seqlib.models:build_gru"``), so this module imports neither
TensorFlow, Keras nor widgets; `resolve` finds the function when it is needed.

Introduced in chapter 1 (the IMDB models); every chapter reads it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from seqlib.windows import WindowSpec

__all__ = [
    "WORD_IDS",
    "TEXT",
    "WINDOWS",
    "FORECAST_DELAY",
    "TIMING_TIMESTEPS",
    "TIMING_WORDS",
    "CompilePolicy",
    "CLASSIFIER",
    "FORECASTER",
    "Dataset",
    "DATASETS",
    "Model",
    "MODELS",
    "get_dataset",
    "get_model",
    "models_reading",
    "resolve",
]

WORD_IDS = "word_ids"
"""Input convention: reviews as integer word ids of the Keras packaging, padded to a length."""
TEXT = "text"
"""Input convention: raw review strings, turned into word ids by the model's own vectorizer."""
WINDOWS = "windows"
"""Input convention: windows of a multivariate series, (timesteps, features) each."""

FORECAST_DELAY = "24 hours"
"""How far after a window's last reading every forecaster predicts the temperature."""

TIMING_TIMESTEPS = 480
"""The window length at which every forecaster's training step is timed (equal for all)."""

TIMING_WORDS = 500
"""The review length, in tokens, at which every review model's training step is timed (equal for
all: the 2017 reviews' length, whatever length a model reads when it trains)."""


@dataclasses.dataclass(frozen=True)
class CompilePolicy:
    """How a model is compiled and which validation score picks its best epoch.

    Attributes:
        loss: the Keras loss.
        metrics: the Keras metrics besides the loss.
        monitor: the validation score the stopping rule watches.
        mode: ``"min"`` or ``"max"``: whether a lower or a higher ``monitor`` is better.
        metric: the record's name for the score (``"mae"``, ``"accuracy"``).
    """

    loss: str
    metrics: tuple[str, ...]
    monitor: str
    mode: str
    metric: str


CLASSIFIER = CompilePolicy("binary_crossentropy", ("accuracy",), "val_accuracy", "max", "accuracy")
"""Review classifiers: binary cross-entropy, best epoch by validation accuracy."""
FORECASTER = CompilePolicy("mae", (), "val_loss", "min", "mae")
"""Forecasters: mean absolute error, best epoch by validation MAE."""


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A dataset the book reads.

    Attributes:
        key: the name in result files and records (``"imdb_text"``).
        title: the name readers see.
        files: the data files it needs (names of `seqlib.fetch.REGISTRY`).
        loader: the function that loads it, as ``"module:function"``.
        inputs: the input convention of its examples (`WORD_IDS`, `TEXT` or `WINDOWS`).
        short: a short name for narrow table columns.
        period: for a series, the time between rows (``"10 min"``).
        target: for a series, the column forecast.
        stand_in: the key of the dataset used where this one cannot be had (and said so).
    """

    key: str
    title: str
    files: tuple[str, ...]
    loader: str
    inputs: str
    short: str
    period: str | None = None
    target: str | None = None
    stand_in: str | None = None


DATASETS: dict[str, Dataset] = {dataset.key: dataset for dataset in (
    Dataset("imdb", "IMDB movie reviews (Maas et al., 2011), Keras packaging",
            ("imdb.npz", "imdb_word_index.json"), "seqlib.imdb:load_reviews", WORD_IDS, "IMDB"),
    Dataset("imdb_text", "IMDB movie reviews (Maas et al., 2011), raw text",
            ("aclImdb_v1.tar.gz",), "seqlib.review_texts:read_review_texts", TEXT, "IMDB raw text"),
    Dataset("jena", "Jena climate 2009–2016 (Max Planck Institute for Biogeochemistry)",
            ("jena_climate_2009_2016.csv.zip",), "seqlib.weather:load_weather", WINDOWS, "Jena",
            period="10 min", target="T (degC)", stand_in="merra2"),
    Dataset("merra2", "MERRA-2 hourly reanalysis, 4 grid points, 2000–2017 (offline stand-in for Jena)",
            ("brightwind-2.7.0-py3-none-any.whl",), "seqlib.weather:load_merra2", WINDOWS,
            "the MERRA-2 stand-in", period="1 hour", target="NE_T2M_degC"),
)}
"""Every dataset the book reads."""


@dataclasses.dataclass(frozen=True)
class Model:
    """One model the book reports.

    Attributes:
        key: the name in result files (``"gru"``).
        title: the name readers see (``"GRU"``).
        dataset: the key of the `Dataset` it reads (a forecaster reads Jena, or its stand-in).
        builder: the function that builds it, as ``"module:function"``; every builder is
            called as ``build(width, length)``: the vocabulary size and the words read for
            a review model, the features and the timesteps for a forecaster.
        learning_rate: RMSprop's learning rate (the 2017 book's for that model).
        chapter: where the book introduces it.
        policy: how it is compiled and which validation score picks its best epoch.
        vocabulary: for a review model, the number of words it knows.
        length: for a review model, the number of words it reads.
        padding: for a review model, where the padding goes: ``"front"`` (the review's
            words come last, as a recurrent layer needs) or ``"end"``.
        windows: for a forecaster, ``(lookback, step)`` durations to try in order; the
            first whose step is a whole number of rows of the series is used.
        ngrams: for a raw-text model, 1 if its tokens are words, 2 if words and the pairs
            of adjacent words.
        bag: for a raw-text model, whether it reads each review's distinct tokens, once
            each, in no order (a bag) instead of its tokens in order.
    """

    key: str
    title: str
    dataset: str
    builder: str
    learning_rate: float
    chapter: str
    policy: CompilePolicy
    vocabulary: int | None = None
    length: int | None = None
    padding: str | None = None
    windows: tuple[tuple[str, str], ...] = ()
    ngrams: int = 1
    bag: bool = False

    @property
    def inputs(self) -> str:
        """The input convention of the dataset it reads."""
        return get_dataset(self.dataset).inputs

    def build(self, width: int, length: int, **options: Any) -> Any:
        """The model, uncompiled: ``builder(width, length, **options)`` (Keras is imported here)."""
        return resolve(self.builder)(width, length, **options)

    def window_spec(self, period: np.timedelta64) -> WindowSpec:
        """The windows this forecaster reads on a series sampled every ``period``.

        Raises:
            ValueError: for a model that reads no windows, or if no window fits the period.
        """
        if not self.windows:
            raise ValueError(f"The model {self.key!r} reads {self.inputs}, not windows of a series.")
        errors = []
        for lookback, step in self.windows:
            try:
                return WindowSpec.from_durations(lookback, FORECAST_DELAY, step, period)
            except ValueError as error:
                errors.append(str(error))
        raise ValueError(f"No window of the model {self.key!r} fits rows of {period}: {'; '.join(errors)}")


_TEN_DAYS_HOURLY = (("10 days", "1 hour"),)
_REVIEWS = {"policy": CLASSIFIER, "length": 500}
_FORECAST = {"dataset": "jena", "policy": FORECASTER, "learning_rate": 1e-3}

MODELS: dict[str, Model] = {model.key: model for model in (
    # The strongest simple model of each task comes first: every network stands beside it.
    # Its vocabulary, penalty and rate were chosen on validation (benchmarks/select_linear.py).
    Model("bag_of_bigrams", "bag of words and bigrams", "imdb_text",
          "seqlib.models:build_bag_of_ngrams", 1e-2, "chapter 6", CLASSIFIER, vocabulary=50_000,
          length=6_000, padding="end", ngrams=2, bag=True),
    Model("imdb_convnet", "IMDB convnet", "imdb", "seqlib.models:build_imdb_convnet", 1e-4, "chapter 1",
          vocabulary=10_000, padding="front", **_REVIEWS),
    Model("imdb_lstm", "IMDB LSTM (section 6.2)", "imdb", "seqlib.models:build_imdb_lstm", 1e-3,
          "chapter 1", vocabulary=10_000, padding="front", **_REVIEWS),
    Model("text_convnet", "IMDB convnet, raw text", "imdb_text", "seqlib.models:build_imdb_convnet",
          1e-4, "chapter 6", vocabulary=10_000, padding="end", **_REVIEWS),
    Model("text_lstm", "IMDB LSTM (section 6.2), raw text", "imdb_text", "seqlib.models:build_imdb_lstm",
          1e-3, "chapter 6", vocabulary=10_000, padding="front", **_REVIEWS),
    # RMSprop at 1e-3 (ten times the book convnet's), chosen with its sizes on validation accuracy.
    Model("text_ngram_convnet", "n-gram convnet, raw text", "imdb_text", "seqlib.models:build_ngram_convnet",
          1e-3, "chapter 6", vocabulary=20_000, padding="end", **_REVIEWS),
    Model("linear", "linear", "jena", "seqlib.models:build_linear_forecaster", 1e-4, "chapter 2",
          FORECASTER, windows=(("5 days", "1 hour"),)),
    Model("conv_forecaster", "pure convnet", builder="seqlib.models:build_conv_forecaster",
          chapter="chapter 2", windows=_TEN_DAYS_HOURLY, **_FORECAST),
    Model("gru", "GRU", builder="seqlib.models:build_gru", chapter="chapter 3", windows=_TEN_DAYS_HOURLY,
          **_FORECAST),
    # Twice the timesteps of the others: 10 days at 30 minutes, or, on hourly rows that have
    # no half-hour readings, 20 days at 1 hour (480 timesteps either way).
    Model("conv_gru", "conv+GRU hybrid", builder="seqlib.models:build_conv_gru", chapter="chapter 3",
          windows=(("10 days", "30 min"), ("20 days", "1 hour")), **_FORECAST),
    Model("dilated_causal", "dilated causal", builder="seqlib.models:build_dilated_causal_forecaster",
          chapter="chapter 4", windows=_TEN_DAYS_HOURLY, **_FORECAST),
)}
"""Every model the book reports, in the order of its tables."""


def _entry(table: dict[str, Any], kind: str, key: str) -> Any:
    if key not in table:
        raise ValueError(f"Unknown {kind} {key!r}. Use one of {list(table)}.")
    return table[key]


def get_dataset(key: str) -> Dataset:
    """The dataset of a key.

    Raises:
        ValueError: if the key is not in `DATASETS`; the message lists them.
    """
    return _entry(DATASETS, "dataset", key)


def get_model(key: str) -> Model:
    """The model of a key.

    Raises:
        ValueError: if the key is not in `MODELS`; the message lists them.
    """
    return _entry(MODELS, "model", key)


def models_reading(inputs: str) -> list[str]:
    """The keys of the models whose dataset has the input convention ``inputs``, in order."""
    return [key for key, model in MODELS.items() if model.inputs == inputs]


def resolve(name: str) -> Callable[..., Any]:
    """The function named ``"module:function"`` (imports its module).

    Raises:
        ValueError: if the name is malformed, or the module or the function does not exist.
    """
    module_name, _, function_name = name.partition(":")
    if not module_name or not function_name:
        raise ValueError(f"A builder or loader is named 'module:function'. Received: {name!r}")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"{name!r} names no function ({error}). Fix the registry entry.") from None
    return function
