"""Benchmark: seconds per training epoch of each book model on this CPU, three ways.

For every model of the book at its full size, times training steps of 128 windows fed

1. ``pipeline``: by seqlib's ``TrainingWindows`` (a ``keras.utils.PyDataset``), as the chapters do;
2. ``in memory``: from one pre-built array (no input pipeline: the model's own arithmetic);
3. ``XLA``: like 1, with ``model.compile(jit_compile=True)``.

Each is scaled to the book's 500 steps per epoch (IMDB: 157 steps of 128 reviews) and shown
next to the 2017 notebook's GPU figures. Data are random arrays of the book's shapes (14
features, as Jena), so no data file is needed; throughput does not depend on the values.

Run:  python benchmarks/bench_training.py [--steps 40] [--repeats 3]
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

from seqlib import models, windows  # noqa: E402

NUM_FEATURES = 14
BOOK_2017_GPU_SECONDS = {"imdb convnet": "3", "conv forecaster": "11", "conv+GRU (240 steps)": "57-60"}


def _epoch_seconds(model: keras.Model, data: dict, steps: int, repeats: int, book_steps: int) -> float:
    """Median seconds per epoch of ``steps`` batches after one warm-up epoch, scaled to ``book_steps``."""
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        model.fit(**data, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * book_steps / steps


def _forecaster_cases(rng: np.random.Generator, steps: int):
    series = rng.normal(size=(60_000, NUM_FEATURES)).astype("float32")
    for name, build, timesteps in (
        ("conv forecaster", models.build_conv_forecaster, 240),
        ("conv+GRU (240 steps)", models.build_conv_gru, 240),
        ("conv+GRU (480 steps)", models.build_conv_gru, 480),
        ("GRU (240 steps)", models.build_gru, 240),
    ):
        spec = windows.WindowSpec(lookback=timesteps, delay=24, step=1)
        pipeline = windows.TrainingWindows(series, spec, (0, len(series)), 1, steps_per_epoch=steps, seed=0)
        samples, targets = windows.make_batch(series, pipeline.epoch_rows.ravel(), spec, 1)
        in_memory = tf.data.Dataset.from_tensor_slices((samples, targets)).batch(128).cache().repeat()
        yield (name, lambda build=build, timesteps=timesteps: build(NUM_FEATURES, timesteps), "mae",
               {"x": pipeline}, {"x": in_memory}, 500)


def _imdb_case(rng: np.random.Generator, steps: int):
    x = rng.integers(1, 10_000, size=(steps * 128, 500)).astype("int32")
    y = rng.integers(0, 2, size=(steps * 128,)).astype("float32")
    in_memory = tf.data.Dataset.from_tensor_slices((x, y)).batch(128).cache().repeat()
    # The chapter passes NumPy arrays to fit; Keras slices them into batches itself.
    yield "imdb convnet", models.build_imdb_convnet, "binary_crossentropy", {"x": x, "y": y, "batch_size": 128}, \
        {"x": in_memory}, 157


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed batches per epoch (scaled to the book's)")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant (median)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"{args.steps} timed steps x {args.repeats} epochs per variant, scaled to a book epoch\n")
    header = f"{'model':22s}{'pipeline':>10s}{'in memory':>11s}{'XLA':>8s}{'pipeline/in memory':>20s}{'2017 GPU':>10s}"
    print(header + "\n" + "-" * len(header))
    cases = [*_imdb_case(rng, args.steps), *_forecaster_cases(rng, args.steps)]
    for name, build, loss, pipeline, in_memory, book_steps in cases:
        seconds = {}
        for variant, data, jit in (("pipeline", pipeline, False), ("in memory", in_memory, False), ("XLA", pipeline, True)):
            keras.utils.set_random_seed(0)
            model = build()
            model.compile(optimizer="rmsprop", loss=loss, jit_compile=jit)
            seconds[variant] = _epoch_seconds(model, data, args.steps, args.repeats, book_steps)
        print(f"{name:22s}{seconds['pipeline']:9.1f}s{seconds['in memory']:10.1f}s{seconds['XLA']:7.1f}s"
              f"{seconds['pipeline'] / seconds['in memory']:19.2f}x{BOOK_2017_GPU_SECONDS.get(name, '-'):>9s}s",
              flush=True)
    print("\nSeconds per epoch of training only (validation not included).")


if __name__ == "__main__":
    main()
