"""Benchmark: seconds per training epoch of each book model on this CPU, before and after.

For every model of the book at its full size, this times training steps of 128 windows fed

- ``PyDataset``: by indexing seqlib's windows, batches cut with NumPy in a Python thread
  (how the chapters trained before ``.dataset()``);
- ``tf.data``: by ``.dataset()``, the same batches gathered inside TensorFlow and prefetched;
- ``tf.data+XLA``: the same, compiled with ``jit_compile=True``;
- ``in memory``: from one pre-built tensor (no input pipeline: the model's own arithmetic);

and one validation pass: every window of MERRA-2's validation split (285 batches, the
2017 way) against the 100 evenly spaced batches the full profile scores. It then adds it
up per book epoch and for the three story experiments of section 6.4 (IMDB 10 epochs,
pure convnet 20, conv+GRU 20), naive against the book's settings
(``training.compile_forecaster``: XLA for the plain GRU only).

Each figure is the median of ``--repeats`` timed epochs of ``--steps`` batches (after one
warm-up epoch that includes tracing), scaled to the book's 500 steps per epoch (IMDB: 157
steps of 128 reviews). Data are random arrays of the book's shapes (14 features, as
Jena), so no data file is needed; throughput does not depend on the values.

Run:  python benchmarks/bench_training.py [--steps 30] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqlib import models, training, windows  # noqa: E402

NUM_FEATURES = 14
BOOK_STEPS = 500
VAL_BATCHES_ALL = 285  # every validation window of MERRA-2 (36,471 rows) at lookback 240
VAL_BATCHES_CAPPED = 100  # config.PROFILES["full"].max_eval_batches
BOOK_2017_GPU_SECONDS = {"conv forecaster": "11s", "conv+GRU (240 steps)": "57-60s"}
FORECASTERS = (
    ("conv forecaster", models.build_conv_forecaster, 240),
    ("GRU (240 steps)", models.build_gru, 240),
    ("conv+GRU (240 steps)", models.build_conv_gru, 240),
    ("conv+GRU (480 steps)", models.build_conv_gru, 480),
)


def _median_seconds(run, repeats: int) -> float:
    """Median wall-clock seconds of ``run()`` over ``repeats`` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _train_seconds(build, data, steps: int, repeats: int, jit: bool, compile_args: dict) -> float:
    """Median seconds of one epoch of ``steps`` training batches of a fresh model."""
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer="rmsprop", jit_compile=jit, **compile_args)
    return _median_seconds(
        lambda: model.fit(**data, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0), repeats)


def _forecaster_row(name, build, timesteps, series, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of one forecaster, every variant."""
    spec = windows.WindowSpec(lookback=timesteps, delay=24, step=1)
    train = windows.TrainingWindows(series, spec, (0, len(series)), 1, steps_per_epoch=steps, seed=0)
    samples, targets = windows.make_batch(series, train.epoch_rows.ravel(), spec, 1)
    in_memory = tf.data.Dataset.from_tensor_slices((samples, targets)).batch(128).cache().repeat()
    dataset = train.dataset().repeat()
    make = lambda: build(NUM_FEATURES, timesteps)  # noqa: E731
    scale = BOOK_STEPS / steps
    row = {
        "PyDataset": _train_seconds(make, {"x": train}, steps, repeats, False, {"loss": "mae"}) * scale,
        "tf.data": _train_seconds(make, {"x": dataset}, steps, repeats, False, {"loss": "mae"}) * scale,
        "tf.data+XLA": _train_seconds(make, {"x": dataset}, steps, repeats, True, {"loss": "mae"}) * scale,
        "in memory": _train_seconds(make, {"x": in_memory}, steps, repeats, False, {"loss": "mae"}) * scale,
    }
    model = training.compile_forecaster(make())
    row["book"] = row["tf.data+XLA" if model.jit_compile else "tf.data"]
    val = windows.EvaluationWindows(series, spec, (0, len(series)), 1, max_batches=steps)
    val_batch = _median_seconds(lambda: model.evaluate(val.dataset(), verbose=0), repeats) / steps
    row["val all"] = val_batch * VAL_BATCHES_ALL
    row["val capped"] = val_batch * VAL_BATCHES_CAPPED
    return row


def _imdb_row(rng, steps, repeats) -> dict[str, float]:
    """Seconds per book epoch of the IMDB convnet (NumPy arrays, as the chapter passes them)."""
    x = rng.integers(1, 10_000, size=(steps * 128, 500)).astype("int32")
    y = rng.integers(0, 2, size=(steps * 128,)).astype("float32")
    args = {"loss": "binary_crossentropy"}
    data = {"x": x, "y": y, "batch_size": 128}
    scale = 157 / steps
    plain = _train_seconds(models.build_imdb_convnet, data, steps, repeats, False, args) * scale
    xla = _train_seconds(models.build_imdb_convnet, data, steps, repeats, True, args) * scale
    return {"PyDataset": plain, "tf.data": plain, "tf.data+XLA": xla, "in memory": plain, "book": plain,
            "val all": 0.0, "val capped": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed batches per epoch (scaled to the book's)")
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per variant (median)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    series = rng.normal(size=(60_000, NUM_FEATURES)).astype("float32")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"median of {args.repeats} epochs of {args.steps} batches per variant, scaled to a book epoch\n")
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
              f"\n  naive {naive:.1f} min -> book {book:.1f} min (target: 12 min)")


if __name__ == "__main__":
    main()
