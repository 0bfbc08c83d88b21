"""Seeding, compiling by the registry, fitting by the stopping rule, and timing training steps."""

from __future__ import annotations

import logging
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import tensorflow as tf

import numpy as np

from seqlib.checks import check_int
from seqlib.registry import Model, get_model
from seqlib.results import FitResult

__all__ = ["JIT_COMPILE", "POLICIES", "set_seed", "compile_model", "EpochTimer", "fit_model",
           "step_seconds", "seconds_per_batch", "time_models"]

JIT_COMPILE = False
"""The compile policy of every training run: without XLA, for every model alike, so that
their seconds compare. XLA helps some models on a CPU and slows others:
``python -m seqlib.experiments --timing`` and `benchmarks/bench_training.py` time both."""

POLICIES = {"no_xla": False, "xla": True}
"""The two compile policies every speed comparison times: name -> ``jit_compile``."""


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend so that a run can be repeated on CPU.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.
    """
    check_int("seed", seed, minimum=0)
    keras.utils.set_random_seed(seed)


def compile_model(model: keras.Model, entry: Model, jit_compile: bool = JIT_COMPILE) -> keras.Model:
    """Compile a model the book's way: RMSprop at its entry's rate, its entry's loss and metrics.

    Introduced in chapter 2 (the recipe's steps, shown once).

    Args:
        model: a model built by ``entry.build`` (or a variant of it).
        entry: the model's `seqlib.registry.MODELS` entry.
        jit_compile: XLA or not (`JIT_COMPILE` for every training run).

    Returns:
        The model itself, compiled.
    """
    model.compile(optimizer=keras.optimizers.RMSprop(entry.learning_rate), loss=entry.policy.loss,
                  metrics=list(entry.policy.metrics), jit_compile=jit_compile)
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
    check_int("epochs", epochs)
    check_int("patience", patience, optional=True)
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
        check_int(name, value)
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


def time_models(keys: Sequence[str], length: int, num_features: int | None = None, *, rounds: int = 3,
                repeats: int = 10, policies: Sequence[str] = tuple(POLICIES),
                batch_size: int = 128) -> dict[str, dict[str, list[float]]]:
    """Time one training step of each model under each compile policy, side by side.

    Every model of `seqlib.registry.MODELS` named reads batches of ``batch_size`` examples of
    the same ``length`` (random word ids below its vocabulary, or random windows of
    ``num_features`` columns), is built and compiled once per policy, and `step_seconds`
    goes round all of them in this one process. Introduced in chapter 1; the runner's
    ``--timing`` and chapters 1, 3, 4 and 6 call it.

    Args:
        keys: model keys.
        length: words or timesteps per example, equal for all.
        num_features: columns of a window (needed if a forecaster is named).
        rounds, repeats: as in `step_seconds`.
        policies: names of `POLICIES` to time.

    Returns:
        ``seconds[key][policy]``: the median seconds per step of each round.

    Raises:
        ValueError: for an unknown key or policy, or a forecaster without ``num_features``.
    """
    unknown = [name for name in policies if name not in POLICIES]
    if unknown:
        raise ValueError(f"Unknown compile policies {unknown}. Use some of {list(POLICIES)}.")
    rng = np.random.default_rng(0)
    candidates = {}
    for key in keys:
        entry = get_model(key)
        if entry.windows:
            if num_features is None:
                raise ValueError(f"{key!r} reads windows: pass `num_features`, the columns of its series.")
            width = num_features
            samples = rng.normal(size=(batch_size, length, num_features)).astype("float32")
            targets = rng.normal(size=(batch_size,)).astype("float32")
        else:
            width = entry.vocabulary
            samples = rng.integers(1, width, size=(batch_size, length)).astype("int32")
            targets = rng.integers(0, 2, size=(batch_size,)).astype("float32")
        for policy in policies:
            model = compile_model(entry.build(width, length), entry, jit_compile=POLICIES[policy])
            candidates[key, policy] = (model, samples, targets)
    seconds: dict[str, dict[str, list[float]]] = {}
    for (key, policy), values in step_seconds(candidates, rounds=rounds, repeats=repeats).items():
        seconds.setdefault(key, {})[policy] = values
    return seconds
