"""Benchmark: seconds per training epoch of each book model on this CPU, before and after.

For every model of the book at its full size, this times training steps of 128 windows fed

- ``PyDataset``: by indexing seqlib's windows, batches cut with NumPy in a Python thread
  (how the chapters trained before ``.dataset()``);
- ``tf.data``: by ``.dataset()``, the same batches gathered inside TensorFlow and prefetched;
- ``tf.data+XLA``: the same, compiled with ``jit_compile=True``;
- ``in memory``: from one pre-built tensor (no input pipeline: the model's own arithmetic);

and one validation pass: every window of MERRA-2's validation split (285 batches, the
2017 way) against the 100 evenly spaced batches the full profile scores (IMDB: its 40
batches of validation reviews, always all of them; the model takes NumPy arrays, so only
the XLA variant differs). It then adds it
up per book epoch and for the three story experiments of section 6.4 (IMDB 10 epochs,
pure convnet 20, conv+GRU 20), naive against the book's settings
(``training.compile_forecaster``: XLA for the plain GRU only).

A book epoch is estimated as ``fixed + 500 x step`` (IMDB: 157 steps of 128 reviews), where
``step`` is the median time between two consecutive training batches over ``--repeats``
epochs of ``--steps`` batches (after one warm-up epoch that includes tracing), and
``fixed`` is the median rest of an epoch (its start and end). Scaling whole short epochs
instead would multiply ``fit()``'s fixed cost by 500 / steps. Validation is timed the same
way, per batch. Data are random arrays of the book's shapes (14 features, as Jena), so no
data file is needed; throughput does not depend on the values.

Run:  python benchmarks/bench_training.py [--steps 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqlib import experiments, models, training, windows  # noqa: E402

NUM_FEATURES = 14
BOOK_STEPS = 500
STORY_TARGET_MINUTES = 12
IMDB_STEPS = 157  # 20,000 training reviews in batches of 128
IMDB_VAL_BATCHES = 40  # 5,000 validation reviews, every one scored each epoch
VAL_BATCHES_ALL = 285  # every validation window of MERRA-2 (36,471 rows) at lookback 240
VAL_BATCHES_CAPPED = 100  # config.PROFILES["full"].max_eval_batches
BOOK_2017_GPU_SECONDS = {"conv forecaster": "11s", "conv+GRU (240 steps)": "57-60s"}
FORECASTERS = (
    ("conv forecaster", models.build_conv_forecaster, 240),
    ("GRU (240 steps)", models.build_gru, 240),
    ("conv+GRU (240 steps)", models.build_conv_gru, 240),
    ("conv+GRU (480 steps)", models.build_conv_gru, 480),
    ("dilated causal", models.build_dilated_causal_forecaster, 240),
)


class _StepTimer(keras.callbacks.Callback):
    """Wall-clock times of the start, every batch end and the end of each epoch (or evaluation)."""

    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[list[float]] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append([time.perf_counter()])

    def on_train_batch_end(self, batch, logs=None):
        self.epochs[-1].append(time.perf_counter())

    on_epoch_end = on_train_batch_end
    on_test_begin = on_epoch_begin  # one `evaluate` call is timed as one epoch
    on_test_batch_end = on_test_end = on_train_batch_end

    def seconds(self, steps: int) -> tuple[float, float]:
        """``(step, fixed)``: the median time between batches, and the median rest of an epoch."""
        between = [b - a for marks in self.epochs for a, b in zip(marks[1:-2], marks[2:-1])]
        step = statistics.median(between)
        fixed = statistics.median(marks[-1] - marks[0] - steps * step for marks in self.epochs)
        return step, max(fixed, 0.0)


def _epoch_seconds(run, steps: int, book_steps: int, repeats: int) -> float:
    """Seconds of a book epoch of ``book_steps`` batches from ``run(epochs, callbacks)``, epochs of ``steps``."""
    run(1, [])  # warm-up: tracing and compiling
    timer = _StepTimer()
    run(repeats, [timer])
    step, fixed = timer.seconds(steps)
    return fixed + book_steps * step


def train_seconds(build, data, steps: int, repeats: int, jit: bool, compile_args: dict,
                   book_steps: int = BOOK_STEPS) -> float:
    """Seconds of a book epoch of training batches of a fresh model."""
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer="rmsprop", jit_compile=jit, **compile_args)

    def run(epochs, callbacks):
        model.fit(**data, epochs=epochs, steps_per_epoch=steps, shuffle=False, verbose=0, callbacks=callbacks)
    return _epoch_seconds(run, steps, book_steps, repeats)


def _val_seconds(model, dataset, steps: int, repeats: int, batches: int) -> float:
    """Seconds of one validation pass of ``batches`` batches, timed like training."""
    def run(passes, callbacks):
        for _ in range(passes):
            model.evaluate(dataset, steps=steps, verbose=0, callbacks=callbacks)
    return _epoch_seconds(run, steps, batches, repeats)


def training_windows(series, timesteps: int, steps: int) -> windows.TrainingWindows:
    """Training windows of ``timesteps`` hourly steps over the whole series, ``steps`` batches per epoch."""
    spec = windows.WindowSpec(lookback=timesteps, delay=24, step=1)
    return windows.TrainingWindows(series, spec, (0, len(series)), 1, steps_per_epoch=steps, seed=0)


def _forecaster_row(name, build, timesteps, series, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of one forecaster, every variant."""
    train = training_windows(series, timesteps, steps)
    spec = train.spec
    samples, targets = windows.make_batch(series, train.epoch_rows.ravel(), spec, 1)
    in_memory = tf.data.Dataset.from_tensor_slices((samples, targets)).batch(128, drop_remainder=True).cache()
    dataset = train.dataset().repeat()
    make = lambda: build(NUM_FEATURES, timesteps)  # noqa: E731
    row = {
        "PyDataset": train_seconds(make, {"x": train}, steps, repeats, False, {"loss": "mae"}),
        "tf.data": train_seconds(make, {"x": dataset}, steps, repeats, False, {"loss": "mae"}),
        "tf.data+XLA": train_seconds(make, {"x": dataset}, steps, repeats, True, {"loss": "mae"}),
        "in memory": train_seconds(make, {"x": in_memory.repeat()}, steps, repeats, False, {"loss": "mae"}),
    }
    model = training.compile_forecaster(make())
    row["book"] = row["tf.data+XLA" if model.jit_compile else "tf.data"]
    val = windows.EvaluationWindows(series, spec, (0, len(series)), 1, max_batches=steps)
    for column, batches in (("val all", VAL_BATCHES_ALL), ("val capped", VAL_BATCHES_CAPPED)):
        row[column] = _val_seconds(model, val.dataset().repeat(), steps, repeats, batches)
    return row


def _imdb_row(rng, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of the IMDB convnet (NumPy arrays, as the chapter passes them)."""
    x = rng.integers(1, 10_000, size=(steps * 128, 500)).astype("int32")
    y = rng.integers(0, 2, size=(steps * 128,)).astype("float32")
    args = {"loss": "binary_crossentropy"}
    data = {"x": x, "y": y, "batch_size": 128}
    plain = train_seconds(models.build_imdb_convnet, data, steps, repeats, False, args, IMDB_STEPS)
    xla = train_seconds(models.build_imdb_convnet, data, steps, repeats, True, args, IMDB_STEPS)
    model = models.build_imdb_convnet()
    model.compile(optimizer="rmsprop", **args)
    val = _val_seconds(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(128).repeat(), steps, repeats,
                       IMDB_VAL_BATCHES)
    return {"PyDataset": plain, "tf.data": plain, "tf.data+XLA": xla, "in memory": plain, "book": plain,
            "val all": val, "val capped": val}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="timed batches per epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    series = rng.normal(size=(60_000, NUM_FEATURES)).astype("float32")
    print(f"machine: {experiments.describe_environment()}")
    print(f"per variant: {args.repeats} epochs of {args.steps} batches after a warm-up epoch; "
          f"a book epoch = fixed cost + {BOOK_STEPS} x the median step\n")
    columns = ("PyDataset", "tf.data", "tf.data+XLA", "in memory", "book", "val all", "val capped")
    header = f"{'seconds per epoch':22s}" + "".join(f"{c:>12s}" for c in columns) + f"{'2017 GPU':>10s}"
    print(header + "\n" + "-" * len(header))
    rows = {"imdb convnet": _imdb_row(rng, args.steps, args.repeats)}
    print(f"{'imdb convnet':22s}" + "".join(f"{rows['imdb convnet'][c]:11.1f}s" for c in columns) + f"{'3s':>10s}",
          flush=True)
    for name, build, timesteps in FORECASTERS:
        rows[name] = _forecaster_row(name, build, timesteps, series, args.steps, args.repeats)
        print(f"{name:22s}" + "".join(f"{rows[name][c]:11.1f}s" for c in columns)
              + f"{BOOK_2017_GPU_SECONDS.get(name, '-'):>10s}", flush=True)

    print("\nA book epoch, training + validation: naive (PyDataset, no XLA, every validation window)")
    print("against the book's settings (tf.data, XLA where it helps, 100 validation batches):")
    story = {"imdb convnet": 10, "conv forecaster": 20, "conv+GRU (240 steps)": 20, "conv+GRU (480 steps)": 20}
    totals = {"naive": {}, "book": {}}
    for name, row in rows.items():
        naive, book = row["PyDataset"] + row["val all"], row["book"] + row["val capped"]
        print(f"  {name:22s}{naive:7.1f}s -> {book:6.1f}s  ({naive / book:.2f}x)")
        if name in story:
            totals["naive"][name], totals["book"][name] = naive * story[name], book * story[name]
    for hybrid in ("conv+GRU (240 steps)", "conv+GRU (480 steps)"):
        chosen = ("imdb convnet", "conv forecaster", hybrid)
        naive, book = (sum(totals[k][name] for name in chosen) / 60 for k in ("naive", "book"))
        print(f"\nThe three story experiments (IMDB 10 epochs, conv 20, {hybrid} 20), training + validation:"
              f"\n  naive {naive:.1f} min -> book {book:.1f} min "
              f"(target: {STORY_TARGET_MINUTES} min, {'met' if book <= STORY_TARGET_MINUTES else 'not met'})")


if __name__ == "__main__":
    main()
