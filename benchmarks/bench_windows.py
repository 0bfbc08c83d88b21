"""Benchmark: how fast are batches of Jena-sized windows cut, three ways?

Times the SAME batches (128 windows x 240 timesteps x 14 features: lookback 1440,
step 6, delay 144, i.e. 10 days of hourly readings from 10-minute rows) built by

1. the 2017 generator's per-row Python loop (`seqlib.legacy.generator_2017`),
2. `seqlib.windows.make_batch` (one vectorised `np.take`),
3. `keras.utils.timeseries_dataset_from_array`,

on a seeded random float32 array shaped like Jena (420,551 rows x 14 features), so no
data file is needed. The batches are consecutive current rows (the 2017 in-order
mode), so that all three produce identical batches; this is checked before timing.

These are the rates of batch building alone. Inside `model.fit` a batch is built in a
background thread that shares the CPU with the model, and once a `tf.data` generator
has run TensorFlow lowers glibc's M_TRIM_THRESHOLD to 128 KB (it logs "Memory patch
applied"), so fresh batch arrays cost page faults: every method is slower there, and
the gaps narrow.

Run:  python benchmarks/bench_windows.py [--repeats 5] [--batches 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqlib import legacy, results, windows  # noqa: E402

NUM_ROWS, NUM_FEATURES, TARGET_COLUMN = 420_551, 14, 1
SPEC = windows.WindowSpec(lookback=1440, delay=144, step=6, batch_size=128)
# The 2017 window of current row r ends one step before r and predicts r + delay: it is
# seqlib's window of last reading r - step with a target delay + step after it.
SEQLIB_SPEC = windows.WindowSpec(lookback=1440, delay=144 + 6, step=6, batch_size=128)
FIRST_ROW = 200_001 + SPEC.lookback  # the first current row of the 2017 validation generator


def legacy_batches(data: np.ndarray, num_batches: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """The 2017 generator, in order, from FIRST_ROW."""
    generator = legacy.generator_2017(
        data, SPEC.lookback, SPEC.delay, min_index=FIRST_ROW - SPEC.lookback, max_index=len(data),
        batch_size=SPEC.batch_size, step=SPEC.step, target_column=TARGET_COLUMN,
    )
    return (next(generator) for _ in range(num_batches))


def seqlib_batches(data: np.ndarray, num_batches: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """`windows.make_batch` on the same consecutive rows."""
    rows = FIRST_ROW + np.arange(num_batches * SPEC.batch_size).reshape(num_batches, SPEC.batch_size)
    return (windows.make_batch(data, batch_rows - SPEC.step, SEQLIB_SPEC, TARGET_COLUMN) for batch_rows in rows)


def keras_batches(data: np.ndarray, num_batches: int) -> Iterable[tuple[tf.Tensor, tf.Tensor]]:
    """`keras.utils.timeseries_dataset_from_array` on the same windows.

    A window there starts at its first row ``i = r - lookback`` and `targets[i]` is its
    target, so the targets are the target column shifted by lookback + delay.
    """
    start = FIRST_ROW - SPEC.lookback
    dataset = keras.utils.timeseries_dataset_from_array(
        data,
        targets=data[SPEC.lookback + SPEC.delay :, TARGET_COLUMN],
        sequence_length=SPEC.timesteps,
        sampling_rate=SPEC.step,
        sequence_stride=1,
        batch_size=SPEC.batch_size,
        start_index=start,
        end_index=start + num_batches * SPEC.batch_size + (SPEC.timesteps - 1) * SPEC.step,
    )
    return iter(dataset)


METHODS: dict[str, Callable[[np.ndarray, int], Iterable]] = {
    "2017 generator (per-row loop)": legacy_batches,
    "keras timeseries_dataset_from_array": keras_batches,
    "seqlib make_batch (np.take)": seqlib_batches,
}


def check_identical(data: np.ndarray, num_batches: int) -> None:
    """Raise an AssertionError unless the three methods give the same first batches."""
    reference = list(seqlib_batches(data, num_batches))
    for name, method in METHODS.items():
        batches = list(method(data, num_batches))
        assert len(batches) == num_batches, name
        for (samples, targets), (expected_samples, expected_targets) in zip(batches, reference):
            np.testing.assert_array_equal(np.asarray(samples), expected_samples, err_msg=name)
            np.testing.assert_array_equal(np.asarray(targets), expected_targets, err_msg=name)


def batches_per_second(method: Callable, data: np.ndarray, num_batches: int) -> float:
    """Build `num_batches` batches (the dataset set-up excluded) and return their rate."""
    batches = iter(method(data, num_batches))
    start = time.perf_counter()
    for _ in batches:
        pass
    return num_batches / (time.perf_counter() - start)


def measure(data: np.ndarray, repeats: int, num_batches: int) -> dict[str, float]:
    """The median rate of every method, runs interleaved so that machine load hits all alike."""
    rates: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(repeats):
        for name, method in METHODS.items():
            rates[name].append(batches_per_second(method, data, num_batches))
    return {name: statistics.median(values) for name, values in rates.items()}


def print_table(title: str, median: dict[str, float]) -> None:
    """Print batches/s, ms/batch and how many times faster seqlib is."""
    ours = median["seqlib make_batch (np.take)"]
    print(f"{title}:\n{'method':<38}{'batches/s':>11}{'ms/batch':>10}{'seqlib is':>12}")
    for name, rate in median.items():
        print(f"{name:<38}{rate:>11,.0f}{1000 / rate:>10.2f}{ours / rate:>11.1f}x")
    print(f"seqlib / 2017 generator: {ours / median['2017 generator (per-row loop)']:.1f}x   "
          f"seqlib / keras utility: {ours / median['keras timeseries_dataset_from_array']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per method (the median is shown)")
    parser.add_argument("--batches", type=int, default=200, help="batches per timed run")
    args = parser.parse_args()
    max_batches = (NUM_ROWS - SPEC.delay - FIRST_ROW) // SPEC.batch_size
    if args.repeats < 1 or not 1 <= args.batches <= max_batches:
        parser.error(f"need --repeats >= 1 and 1 <= --batches <= {max_batches}")

    data = np.random.default_rng(0).standard_normal((NUM_ROWS, NUM_FEATURES), dtype=np.float32)
    print(f"machine: {results.describe_environment()}")
    print(f"data: {NUM_ROWS:,} x {NUM_FEATURES} float32 (seeded random, shaped like Jena)")
    print(f"windows: {SPEC.describe(np.timedelta64(10, 'm'))}")
    print(f"batches: {args.batches} consecutive batches of {SPEC.batch_size} from row {FIRST_ROW:,}")

    check_identical(data, num_batches=3)
    print("batches identical: yes (first 3 batches of all three methods, samples and targets)\n")

    median = measure(data, args.repeats, args.batches)
    print_table(f"Batches built per second (median of {args.repeats} runs)", median)


if __name__ == "__main__":
    main()
