"""Benchmark: seconds per training epoch of each book model on this CPU, with and without XLA.

For every model of the book at its full size, this times training steps of 128 windows fed

- ``tf.data``: by ``.dataset()`` (`seqlib.feed`), the batches gathered inside TensorFlow and
  prefetched, compiled without XLA: how the book trains every model (`training.JIT_COMPILE`);
- ``tf.data+XLA``: the same, compiled with ``jit_compile=True``;
- ``in memory``: from one pre-built tensor (no input pipeline: the model's own arithmetic);

and one validation pass: every window of MERRA-2's validation split (285 batches, the
2017 way) against the 100 evenly spaced batches the full profile scores (IMDB: its 40
batches of validation reviews, always all of them). The IMDB models take NumPy arrays,
as chapter 1 passes them, so only their XLA variant differs.

A book epoch is estimated as ``fixed + 500 x step`` (IMDB: 157 steps of 128 reviews), where
``step`` is the median time between two consecutive training batches over ``--repeats``
epochs of ``--steps`` batches (after one warm-up epoch that includes tracing), and
``fixed`` is the median rest of an epoch (its start and end). Data are random arrays of
the book's shapes (14 features, as Jena), so no data file is needed.

The variants of one model are timed one after another, so slow drift of the machine can
favour one of them; the interleaved comparison of compile policies is
``python -m seqlib.experiments --timing`` (chapter 5).

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

from seqlib import feed, models, results, windows  # noqa: E402

NUM_FEATURES = 14
BOOK_STEPS = 500
IMDB_STEPS = 157  # 20,000 training reviews in batches of 128
IMDB_VAL_BATCHES = 40  # 5,000 validation reviews, every one scored each epoch
VAL_BATCHES_ALL = 285  # every validation window of MERRA-2 (36,471 rows) at lookback 240
VAL_BATCHES_CAPPED = 100  # config.PROFILES["full"].max_eval_batches
BOOK_2017_GPU_SECONDS = {"conv forecaster": "11s", "conv+GRU (480 steps)": "57-60s"}
FORECASTERS = (
    ("conv forecaster", models.build_conv_forecaster, 240),
    ("GRU (240 steps)", models.build_gru, 240),
    ("GRU (480 steps)", models.build_gru, 480),
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


def training_windows(series, timesteps: int, steps: int) -> feed.TrainingWindows:
    """Training windows of ``timesteps`` hourly steps over the whole series, ``steps`` batches per epoch."""
    spec = windows.WindowSpec(lookback=timesteps, delay=24, step=1)
    return feed.TrainingWindows(series, spec, (0, len(series)), 1, steps_per_epoch=steps, seed=0)


def _forecaster_row(name, build, timesteps, series, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of one forecaster, every variant."""
    train = training_windows(series, timesteps, steps)
    spec = train.spec
    samples, targets = windows.make_batch(series, train.epoch_rows.ravel(), spec, 1)
    in_memory = tf.data.Dataset.from_tensor_slices((samples, targets)).batch(128, drop_remainder=True).cache()
    dataset = train.dataset().repeat()
    make = lambda: build(NUM_FEATURES, timesteps)  # noqa: E731
    row = {
        "tf.data": train_seconds(make, {"x": dataset}, steps, repeats, False, {"loss": "mae"}),
        "tf.data+XLA": train_seconds(make, {"x": dataset}, steps, repeats, True, {"loss": "mae"}),
        "in memory": train_seconds(make, {"x": in_memory.repeat()}, steps, repeats, False, {"loss": "mae"}),
    }
    model = make()
    model.compile(optimizer="rmsprop", loss="mae")
    val = feed.EvaluationWindows(series, spec, (0, len(series)), 1, max_batches=steps)
    for column, batches in (("val all", VAL_BATCHES_ALL), ("val capped", VAL_BATCHES_CAPPED)):
        row[column] = _val_seconds(model, val.dataset().repeat(), steps, repeats, batches)
    return row


def _imdb_row(build, rng, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of an IMDB model (NumPy arrays, as the chapter passes them)."""
    x = rng.integers(1, 10_000, size=(steps * 128, 500)).astype("int32")
    y = rng.integers(0, 2, size=(steps * 128,)).astype("float32")
    args = {"loss": "binary_crossentropy"}
    data = {"x": x, "y": y, "batch_size": 128}
    plain = train_seconds(build, data, steps, repeats, False, args, IMDB_STEPS)
    xla = train_seconds(build, data, steps, repeats, True, args, IMDB_STEPS)
    model = build()
    model.compile(optimizer="rmsprop", **args)
    val = _val_seconds(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(128).repeat(), steps, repeats,
                       IMDB_VAL_BATCHES)
    return {"tf.data": plain, "tf.data+XLA": xla, "in memory": plain, "val all": val, "val capped": val}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="timed batches per epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    series = rng.normal(size=(60_000, NUM_FEATURES)).astype("float32")
    print(f"machine: {results.describe_environment()}")
    print(f"per variant: {args.repeats} epochs of {args.steps} batches after a warm-up epoch; "
          f"a book epoch = fixed cost + {BOOK_STEPS} x the median step (IMDB: {IMDB_STEPS})\n")
    columns = ("tf.data", "tf.data+XLA", "in memory", "val all", "val capped")
    header = (f"{'seconds per epoch':22s}" + "".join(f"{c:>12s}" for c in columns)
              + f"{'XLA gain':>10s}{'2017 GPU':>10s}")
    print(header + "\n" + "-" * len(header))
    rows = {"imdb convnet": lambda: _imdb_row(models.build_imdb_convnet, rng, args.steps, args.repeats),
            "imdb LSTM": lambda: _imdb_row(models.build_imdb_lstm, rng, args.steps, args.repeats)}
    rows.update({name: (lambda build=build, timesteps=timesteps, name=name: _forecaster_row(
        name, build, timesteps, series, args.steps, args.repeats)) for name, build, timesteps in FORECASTERS})
    gpu = {**BOOK_2017_GPU_SECONDS, "imdb convnet": "3s"}
    for name, measure in rows.items():
        row = measure()
        print(f"{name:22s}" + "".join(f"{row[c]:11.1f}s" for c in columns)
              + f"{row['tf.data'] / row['tf.data+XLA']:9.2f}x{gpu.get(name, '-'):>10s}", flush=True)
    print("\n(XLA gain: tf.data's time over tf.data+XLA's; above 1, XLA is faster. The book trains "
          "every model\nwithout XLA, so that their seconds compare; val capped is what each epoch scores.)")


if __name__ == "__main__":
    main()
