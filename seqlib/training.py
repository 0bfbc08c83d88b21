"""Seeding, fitting with per-epoch wall-clock timing, and results as plain data."""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from typing import Any

import keras
import tensorflow as tf

__all__ = ["set_seed", "compile_forecaster", "XLA_MODELS", "EpochTimer", "FitResult", "fit_model", "seconds_per_batch"]

# Models compiled with XLA (`jit_compile=True`). On a CPU, XLA halves the step of the plain
# GRU but slows every model with convolutions (benchmarks/bench_training.py measures both).
XLA_MODELS = frozenset({"gru"})


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend so that a run can be repeated on CPU.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
    keras.utils.set_random_seed(seed)


def compile_forecaster(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compile a weather model the book's way: RMSprop, MAE loss, XLA where it is faster.

    Args:
        model: a model from `seqlib.models`; XLA is used when its name is in `XLA_MODELS`.
        learning_rate: RMSprop's learning rate (Keras's default, as in 2017).

    Returns:
        The model itself, compiled.
    """
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate), loss="mae",
                  jit_compile=model.name in XLA_MODELS)
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
    """

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    monitor: str
    mode: str

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
    def seconds_per_epoch(self) -> float:
        """Median wall-clock seconds per epoch (the first epoch includes tracing)."""
        return statistics.median(self.epoch_seconds)

    def to_dict(self) -> dict[str, Any]:
        """The result with its derived values, ready for JSON."""
        return {
            **dataclasses.asdict(self),
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
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
    restore_best: bool = True,
    verbose: int = 0,
    **fit_kwargs: Any,
) -> FitResult:
    """Fit a compiled model with validation, timing each epoch.

    Args:
        model: a compiled Keras model.
        x, y: training data, as for ``model.fit`` (``y`` is None for a dataset).
        epochs: number of epochs.
        monitor: validation metric that picks the best epoch (``"val_loss"``,
            ``"val_accuracy"``, ...).
        mode: ``"min"`` if lower ``monitor`` is better, ``"max"`` otherwise.
        restore_best: leave the model with the weights of the best epoch.
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
    if mode not in ("min", "max"):
        raise ValueError(f"`mode` must be 'min' or 'max'. Received: mode={mode!r}")
    if fit_kwargs.get("validation_data") is None and not fit_kwargs.get("validation_split"):
        raise ValueError("fit_model needs `validation_data` or `validation_split`: the book scores every epoch.")
    timer = EpochTimer()
    callbacks = [timer, *fit_kwargs.pop("callbacks", [])]
    if restore_best:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor=monitor, mode=mode, patience=epochs, restore_best_weights=True))
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
    )


def seconds_per_batch(model: keras.Model, samples: Any, targets: Any, repeats: int = 10) -> float:
    """Median wall-clock seconds of one training step of a compiled model on one batch.

    The first step (tracing and compilation) is run once before timing and not counted.

    Raises:
        ValueError: if ``repeats`` is not a positive integer.
    """
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"`repeats` must be an integer >= 1. Received: repeats={repeats!r}")
    model.train_on_batch(samples, targets)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(samples, targets)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
