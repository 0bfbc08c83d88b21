"""Benchmark: do TensorFlow's thread-pool settings speed up the book's models on this CPU?

TensorFlow runs independent operations on an inter-op pool and splits large operations
over an intra-op pool; by default each has one thread per core. The pools are fixed once
TensorFlow starts, so each setting is timed in its own process. Every process times the
same training steps as ``bench_training.py`` (tf.data input, without XLA, as the book
trains) and reports seconds per book epoch; the table puts the
settings side by side, as ratios to TensorFlow's default.

Run:  python benchmarks/bench_threads.py [--steps 40] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SETTINGS = ((0, 0), (1, 1), (2, 1), (1, 2), (4, 2))
"""(intra-op threads, inter-op threads); 0 is TensorFlow's default (one per core)."""


def _child(intra: int, inter: int, steps: int, repeats: int) -> None:
    """Set the pools, then print seconds per book epoch of each forecaster as JSON."""
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(intra)
    tf.config.threading.set_inter_op_parallelism_threads(inter)
    from bench_training import FORECASTERS, NUM_FEATURES, train_seconds, training_windows

    series = np.random.default_rng(0).normal(size=(60_000, NUM_FEATURES)).astype("float32")
    seconds = {}
    for name, build, timesteps in FORECASTERS:
        train = training_windows(series, timesteps, steps)
        seconds[name] = train_seconds(lambda: build(NUM_FEATURES, timesteps), {"x": train.dataset().repeat()},  # noqa: B023
                                      steps, repeats, False, {"loss": "mae"})
    print(json.dumps(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed batches per epoch")
    parser.add_argument("--repeats", type=int, default=2, help="timed epochs per model")
    parser.add_argument("--child", type=int, nargs=2, metavar=("INTRA", "INTER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child, args.steps, args.repeats)
        return
    from seqlib import results

    print(f"machine: {results.describe_environment()}")
    print(f"seconds per book epoch (500 batches, tf.data, no XLA as the book trains); {args.repeats} epochs of "
          f"{args.steps} batches per model and setting; each setting in its own process\n")
    results = {}
    for intra, inter in SETTINGS:
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(intra), str(inter), "--steps", str(args.steps),
             "--repeats", str(args.repeats)], capture_output=True, text=True, check=False)
        if child.returncode:
            sys.exit(f"setting intra={intra}, inter={inter} failed:\n{child.stderr[-3000:]}")
        results[intra, inter] = json.loads(child.stdout.strip().splitlines()[-1])
    label = lambda intra, inter: "default" if (intra, inter) == (0, 0) else f"{intra} / {inter}"  # noqa: E731
    models = list(results[0, 0])
    header = f"{'intra / inter threads':22s}" + "".join(f"{name:>22s}" for name in models)
    print(header + "\n" + "-" * len(header))
    for setting, row in results.items():
        cells = "".join(f"{row[name]:9.1f}s ({results[0, 0][name] / row[name]:4.2f}x)".rjust(22) for name in models)
        print(f"{label(*setting):22s}{cells}")
    print("\n(x: the default's time over this setting's; above 1 is faster than the default)")


if __name__ == "__main__":
    main()
