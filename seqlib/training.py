"""Seeding, compiling by the registry, fitting by the stopping rule, and timing training steps."""

from __future__ import annotations

import dataclasses
import logging
import math
import statistics
import time
from collections.abc import Mapping
from typing import Any

import keras
import tensorflow as tf

from seqlib.models import ModelEntry

__all__ = ["JIT_COMPILE", "set_seed", "compile_model", "EpochTimer", "FitResult", "fit_model",
           "step_seconds", "seconds_per_batch"]

JIT_COMPILE = False
"""The compile policy of every training run: without XLA, for every model alike, so that
their seconds compare. XLA helps some models on a CPU and slows others:
``python -m seqlib.experiments --timing`` and `benchmarks/bench_training.py` time both."""


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend so that a run can be repeated on CPU.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
    keras.utils.set_random_seed(seed)


def compile_model(model: keras.Model, entry: ModelEntry, jit_compile: bool = JIT_COMPILE) -> keras.Model:
    """Compile a model the book's way for its registry entry.

    RMSprop at the entry's learning rate; mean absolute error for a forecaster, binary
    cross-entropy with accuracy for an IMDB classifier.

    Args:
        model: a model built by ``entry.build`` (or a variant of it).
        entry: the model's `seqlib.models.REGISTRY` entry.
        jit_compile: XLA or not (`JIT_COMPILE` for every training run).

    Returns:
        The model itself, compiled.
    """
    if entry.task == "imdb":
        model.compile(optimizer=keras.optimizers.RMSprop(entry.learning_rate), loss="binary_crossentropy",
                      metrics=["accuracy"], jit_compile=jit_compile)
    else:
        model.compile(optimizer=keras.optimizers.RMSprop(entry.learning_rate), loss="mae",
                      jit_compile=jit_compile)
    return model


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of every epoch (training plus validation)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


@dataclasses.dataclass
class FitResult:
    """What a training run produced, as plain data.

    Attributes:
        history: metric name -> one value per epoch (Keras's ``History.history``).
        epoch_seconds: wall-clock seconds of each epoch.
        monitor: the validation metric used to pick the best epoch.
        mode: ``"min"`` or ``"max"``: whether lower or higher ``monitor`` is better.
        max_epochs: the epoch cap of the run (None: not recorded).
        patience: the stopping rule's patience (None: no early stopping).
    """

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    monitor: str
    mode: str
    max_epochs: int | None = None
    patience: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.epoch_seconds)

    @property
    def best_epoch(self) -> int:
        """The 1-based epoch with the best ``monitor`` value."""
        values = self.history[self.monitor]
        best = min(values) if self.mode == "min" else max(values)
        return values.index(best) + 1

    @property
    def best_value(self) -> float:
        """The ``monitor`` value at ``best_epoch``."""
        return self.history[self.monitor][self.best_epoch - 1]

    @property
    def stopped_early(self) -> bool:
        """Whether the stopping rule ended the run before the epoch cap."""
        return self.max_epochs is not None and self.epochs < self.max_epochs

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall-clock seconds per epoch (the first epoch includes tracing)."""
        return statistics.median(self.epoch_seconds)

    def to_dict(self) -> dict[str, Any]:
        """The result with its derived values, ready for JSON."""
        return {
            **dataclasses.asdict(self),
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
            "stopped_early": self.stopped_early,
            "seconds_per_epoch": self.seconds_per_epoch,
        }


def fit_model(
    model: keras.Model,
    x: Any,
    y: Any = None,
    *,
    epochs: int,
    monitor: str = "val_loss",
    mode: str = "min",
    patience: int | None = None,
    restore_best: bool = True,
    verbose: int = 0,
    **fit_kwargs: Any,
) -> FitResult:
    """Fit a compiled model with validation, timing each epoch, and keep its best epoch.

    Args:
        model: a compiled Keras model.
        x, y: training data, as for ``model.fit`` (``y`` is None for a dataset).
        epochs: the epoch cap.
        monitor: validation metric that picks the best epoch (``"val_loss"``,
            ``"val_accuracy"``, ...).
        mode: ``"min"`` if lower ``monitor`` is better, ``"max"`` otherwise.
        patience: stop after this many epochs without improvement (the book's
            stopping rule, `config.Profile.patience`); None runs every epoch.
        restore_best: leave the model with the weights of its best epoch on
            ``monitor`` (False: of its last epoch, as the 2017 notebook did).
        verbose: Keras's progress output (0 keeps notebooks quiet).
        **fit_kwargs: passed to ``model.fit`` (``validation_data``,
            ``validation_split``, ``batch_size``, ...). Validation is required.

    Returns:
        The run's history, per-epoch seconds and best epoch.

    Raises:
        ValueError: for a bad ``epochs`` or ``mode``, without validation data, or if
            the monitored metric is missing or not finite.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"`patience` must be an integer >= 1 or None. Received: patience={patience!r}")
    if mode not in ("min", "max"):
        raise ValueError(f"`mode` must be 'min' or 'max'. Received: mode={mode!r}")
    if fit_kwargs.get("validation_data") is None and not fit_kwargs.get("validation_split"):
        raise ValueError("fit_model needs `validation_data` or `validation_split`: the book scores every epoch.")
    timer = EpochTimer()
    callbacks = [timer, *fit_kwargs.pop("callbacks", [])]
    callbacks.append(keras.callbacks.EarlyStopping(
        monitor=monitor, mode=mode, patience=epochs if patience is None else patience,
        restore_best_weights=restore_best))
    if isinstance(x, tf.data.Dataset):
        fit_kwargs.setdefault("shuffle", False)  # a dataset brings its own order; Keras would warn
    history = model.fit(x, y, epochs=epochs, verbose=verbose, callbacks=callbacks, **fit_kwargs)
    values = history.history.get(monitor)
    if values is None:
        raise ValueError(f"`monitor`={monitor!r} is not among the logged metrics {sorted(history.history)}.")
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"Training diverged: {monitor} = {values}. Lower the learning rate or check the inputs.")
    return FitResult(
        history={name: [float(v) for v in vals] for name, vals in history.history.items()},
        epoch_seconds=timer.seconds,
        monitor=monitor,
        mode=mode,
        max_epochs=epochs,
        patience=patience,
    )


def step_seconds(
    candidates: Mapping[str, tuple[keras.Model, Any, Any]], rounds: int = 1, repeats: int = 10
) -> dict[str, list[float]]:
    """Median wall-clock seconds of one training step of each compiled model, interleaved.

    Every model first runs one step (tracing and compilation, not counted). Then, round
    after round, each model in turn runs ``repeats`` steps on its batch: models compared
    share the machine's state (load, clock, caches) as evenly as one process allows.

    Args:
        candidates: name -> (compiled model, samples, targets) of one batch.
        rounds: how many times to go round the models.
        repeats: timed steps per model and round.

    Returns:
        name -> the median seconds per step of each round.

    Raises:
        ValueError: if ``rounds`` or ``repeats`` is not a positive integer.
    """
    for name, value in (("rounds", rounds), ("repeats", repeats)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")
    tensorflow_logger = logging.getLogger("tensorflow")
    level = tensorflow_logger.level
    tensorflow_logger.setLevel(logging.ERROR)  # one traced function per model is expected here
    try:
        for model, samples, targets in candidates.values():
            model.train_on_batch(samples, targets)
        seconds: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(rounds):
            for name, (model, samples, targets) in candidates.items():
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    model.train_on_batch(samples, targets)
                    times.append(time.perf_counter() - start)
                seconds[name].append(statistics.median(times))
    finally:
        tensorflow_logger.setLevel(level)
    return seconds


def seconds_per_batch(model: keras.Model, samples: Any, targets: Any, repeats: int = 10) -> float:
    """Median wall-clock seconds of one training step of a compiled model on one batch.

    The first step (tracing and compilation) is run once before timing and not counted.

    Raises:
        ValueError: if ``repeats`` is not a positive integer.
    """
    return step_seconds({"model": (model, samples, targets)}, rounds=1, repeats=repeats)["model"][0]
