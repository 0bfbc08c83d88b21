"""The book's experiments over seeds: every model, one JSON file per run, resumable.

``python -m seqlib.experiments`` trains every model of `registry.MODELS` with the one
recipe (`seqlib.recipe`) for each seed and writes one record per run,
``<out>/<profile>/<model>-<dataset>-seed<k>.json``, atomically. A run whose file exists
is skipped, so an interrupted experiment resumes where it stopped. ``--model KEY --seed S``
runs one cell of the grid, so that any scheduler can run the cells in parallel, and
``--dry-run`` lists what a call would run. ``--sweep`` also trains
the pure convnet over a grid of kernel sizes and steps (the explorer's short retrain,
chapter 5's static explorer); ``--timing`` times one training step of every model under
both compile policies, interleaved in one process (the speed claims). Chapter 5 and
`seqlib.claims` read the files back with `seqlib.results`.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqlib.checks import check_int
from seqlib.cli import one_line_errors
from seqlib import config, models, receptive_field, recipe, registry, results, training, windows

__all__ = [
    "SWEEP_KERNEL_SIZES",
    "SWEEP_STEPS",
    "TIMING_ROUNDS",
    "run_sweep_setting",
    "run_timing",
    "planned_runs",
    "run_experiments",
    "main",
]

logger = logging.getLogger(__name__)

SWEEP_KERNEL_SIZES = (3, 5, 7, 9)
SWEEP_STEPS = ("1 hour", "2 hours", "3 hours", "6 hours")
"""The sweep's grid: the pure convnet on 10-day windows, each kernel size at each step."""

TIMING_ROUNDS = 5
"""Rounds of `training.step_seconds` in the timing run (each model 10 steps per round)."""


def run_sweep_setting(
    kernel_size: int, step: str, profile: config.Profile, weather_data: recipe.WeatherData, seed: int = 0
) -> dict[str, Any]:
    """One setting of the sweep: chapter 2's explorer retrain of the pure convnet.

    The convnet with kernel size ``kernel_size`` reads 10-day windows at ``step`` and
    trains ``profile.explorer_epochs`` epochs of ``profile.explorer_steps`` batches (as
    chapter 2's **Train** button does), forecasting 24 hours after the last reading at
    every step. A setting whose kernels do not fit the window is recorded with its
    ``error`` instead of a training run.

    Returns:
        The setting's record: kernel size, step, validation history, best validation MAE,
        the baseline on the same windows, seconds per epoch (or ``error``).
    """
    series = weather_data.series
    step_rows = windows.parse_duration(step, series.period, "step")
    record: dict[str, Any] = {
        "model": "conv_forecaster", "kernel_size": kernel_size, "step": step,
        "step_hours": float(step_rows * series.period / np.timedelta64(1, "h")),
        "seed": seed, "profile": profile.name, "dataset": {"key": series.key, "title": series.title},
        "epochs": profile.explorer_epochs, "steps_per_epoch": profile.explorer_steps,
    }
    try:
        receptive_field.conv_geometry("10 days", step, kernel_size, series.period)
    except ValueError as error:
        return {**record, "error": str(error), "environment": results.environment()}
    spec = windows.WindowSpec.from_durations("10 days", registry.FORECAST_DELAY, step, series.period)
    run = recipe.train_forecaster(
        "conv_forecaster", weather_data, seed, profile, spec=spec,
        build=functools.partial(models.build_conv_forecaster, kernel_size=kernel_size),
        max_epochs=profile.explorer_epochs, steps_per_epoch=profile.explorer_steps, patience=None,
        score_test=False, time_step=False)
    keep = ("history", "epoch_seconds", "monitor", "mode", "best_epoch", "best_value", "seconds_per_epoch",
            "baseline_val", "timesteps", "lead_hours", "window", "environment", "wall_seconds")
    return {**record, "error": None, **{name: run.record[name] for name in keep}}


def run_timing(
    keys: Sequence[str], dataset: str, num_features: int | None, timesteps: int, rounds: int = TIMING_ROUNDS
) -> dict[str, Any]:
    """Time one training step of every model named, with and without XLA, interleaved.

    All models read batches of 128 of the same length (``timesteps``), each compiled under
    both policies, and `training.time_models` goes round all of them ``rounds`` times in
    this one process, so every comparison is on equal terms.

    Args:
        keys: model keys of one dataset.
        dataset: the key of the dataset they read (the series actually loaded, for forecasters).
        num_features: the series' columns (None for review models).
        timesteps: timesteps or words per example.

    Returns:
        The timing record: ``seconds[model]["no_xla" | "xla"]`` is the median seconds per
        step of each round.
    """
    started, start = results.now(), time.perf_counter()
    seconds = training.time_models(keys, timesteps, num_features, rounds=rounds, repeats=10)
    record = {"kind": "timing", "dataset": {"key": dataset, "title": registry.get_dataset(dataset).title},
              "timesteps": timesteps, "batch_size": 128, "rounds": rounds, "repeats": 10,
              "titles": {key: registry.get_model(key).title for key in keys}, "seconds": seconds}
    return results.stamp(record, started, start)


def _check_grid(model_keys: list[str], seeds: list[int]) -> None:
    unknown = [key for key in model_keys if key not in registry.MODELS]
    if unknown:
        raise ValueError(f"Unknown model keys {unknown}. Use some of {list(registry.MODELS)}.")
    for index, seed in enumerate(seeds):
        check_int(f"seeds[{index}]", seed, minimum=0)


def _record_dataset(key: str, weather_key: str | None) -> str:
    """The dataset key a model's record is filed under: the series loaded, for a forecaster."""
    entry = registry.get_model(key)
    return weather_key if entry.inputs == registry.WINDOWS and weather_key else entry.dataset


def planned_runs(
    model_keys: Iterable[str] = tuple(registry.MODELS),
    seeds: Iterable[int] = (0, 1, 2),
    profile: str = "full",
    folder: str | os.PathLike | None = None,
    weather_key: str | None = None,
) -> list[tuple[str, int, Path, bool]]:
    """The (model, seed) cells a call would run: ``(model, seed, record path, exists)``.

    Args:
        weather_key: the series forecasters read (default: the dataset of their registry
            entry; the runner passes the series it loaded).

    Raises:
        ValueError: if a model key or a seed is invalid.
    """
    model_keys, seeds = list(model_keys), list(seeds)
    _check_grid(model_keys, seeds)
    folder = results.results_dir(folder)
    cells = []
    for key in model_keys:
        for seed in seeds:
            path = results.run_path(folder, profile, key, _record_dataset(key, weather_key), seed)
            cells.append((key, seed, path, path.exists()))
    return cells


def run_experiments(
    model_keys: Iterable[str] = tuple(registry.MODELS),
    seeds: Iterable[int] = (0, 1, 2),
    profile: config.Profile | None = None,
    folder: str | os.PathLike | None = None,
    *,
    sweep: bool = False,
    timing: bool = False,
) -> list[Path]:
    """Run every (model, seed) whose record is missing, and the sweep and timing if asked.

    Each record holds what `recipe.train` returns: model and title, seed, profile (and its
    settings), dataset, metric, history, epoch_seconds, the stopping rule (max_epochs,
    patience, stopped_early), best_epoch, best_value, seconds_per_epoch, test, baseline_val
    and baseline_test (weather), parameters, timesteps, window, lead_hours (weather),
    seconds_per_batch at timing_timesteps, jit_compile, environment (versions, CPU, load),
    started, finished and wall_seconds.

    Args:
        model_keys: keys of `registry.MODELS` to run.
        seeds: the seeds.
        profile: the run profile (default: `config.get_profile()`).
        folder: the results folder (default: `results.results_dir()`).
        sweep: also run the sweep of `SWEEP_KERNEL_SIZES` x `SWEEP_STEPS` (seed 0).
        timing: also time every model's training step under both compile policies.

    Returns:
        The files written by this call (skipped runs are not listed).

    Raises:
        ValueError: if a model key or a seed is invalid.
    """
    model_keys, seeds = list(model_keys), list(seeds)
    _check_grid(model_keys, seeds)
    profile = profile if profile is not None else config.get_profile()
    folder = results.results_dir(folder)
    loaded: dict[tuple, Any] = {}  # each dataset loaded once, when a run needs it
    forecasters = registry.models_reading(registry.WINDOWS)
    needs_weather = sweep or timing or any(key in forecasters for key in model_keys)
    weather_data = recipe.load_data(forecasters[0], loaded) if needs_weather else None
    weather_key = weather_data.series.key if weather_data is not None else None
    written = []

    def save(path: Path, run: Callable[[], dict[str, Any]]) -> None:
        if path.exists():
            logger.info("skip %s (exists)", path)
            return
        logger.info("run %s ...", path.name)
        results.write_json_atomic(path, run())
        written.append(path)
        logger.info("wrote %s", path)

    def train(key: str, seed: int) -> dict[str, Any]:
        return recipe.train(key, recipe.load_data(key, loaded), seed, profile).record

    for key, seed, path, _ in planned_runs(model_keys, seeds, profile.name, folder, weather_key):
        save(path, functools.partial(train, key, seed))
    if sweep:
        for kernel_size in SWEEP_KERNEL_SIZES:
            for step in SWEEP_STEPS:
                save(results.sweep_path(folder, profile.name, weather_key, kernel_size, step),
                     functools.partial(run_sweep_setting, kernel_size, step, profile, weather_data))
    if timing:
        for dataset in dict.fromkeys(entry.dataset for entry in registry.MODELS.values()):
            keys = [key for key, entry in registry.MODELS.items() if entry.dataset == dataset]
            entry = registry.get_model(keys[0])
            reads_windows = entry.inputs == registry.WINDOWS
            save(results.timing_path(folder, profile.name, weather_key if reads_windows else dataset),
                 functools.partial(run_timing, keys, weather_key if reads_windows else dataset,
                                   weather_data.series.num_features if reads_windows else None,
                                   registry.TIMING_TIMESTEPS if reads_windows else registry.TIMING_WORDS))
    return written


def _seed(text: str) -> int:
    """A seed on the command line: an integer >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a seed must be an integer >= 0, not {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m seqlib.experiments [--seeds] [--models] [--profile] [--out] [--sweep]
    [--timing] [--dry-run]``."""
    parser = argparse.ArgumentParser(prog="python -m seqlib.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", "--seed", type=_seed, nargs="+", default=[0, 1, 2],
                        help="seeds to run (default: 0 1 2)")
    parser.add_argument("--models", "--model", nargs="*", choices=list(registry.MODELS),
                        default=list(registry.MODELS),
                        help="models to run (default: all; `--models` with none runs only --sweep / --timing)")
    parser.add_argument("--profile", choices=sorted(config.PROFILES), default=None,
                        help="run profile (default: SEQLIB_PROFILE, else full)")
    parser.add_argument("--out", default=None,
                        help="results folder (default: SEQLIB_RESULTS_DIR, else results/ in the repository)")
    parser.add_argument("--sweep", action="store_true",
                        help="also run the kernel size x step sweep of the pure convnet")
    parser.add_argument("--timing", action="store_true",
                        help="also time every model's training step with and without XLA, interleaved")
    parser.add_argument("--dry-run", action="store_true",
                        help="list the runs this call would make (and the records that exist), run nothing")
    args = parser.parse_args(argv)
    with one_line_errors("python -m seqlib.experiments",
                         "Every finished run is saved in its own file; the same command again runs only "
                         "the missing ones."):
        if args.dry_run:
            profile_name = config.get_profile(args.profile).name
            forecasters = registry.models_reading(registry.WINDOWS)
            weather_key = (recipe.load_data(forecasters[0]).series.key
                           if any(key in forecasters for key in args.models) else None)
            for key, seed, path, exists in planned_runs(args.models, args.seeds, profile_name, args.out,
                                                        weather_key):
                print(f"{'skip' if exists else 'run '} --model {key} --seed {seed}  ->  {path}")
            return
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
        profile = config.get_profile(args.profile)
        logger.info("profile %s, seeds %s, models %s, results in %s", profile.name, args.seeds, args.models,
                    results.results_dir(args.out) / profile.name)
        written = run_experiments(args.models, args.seeds, profile, args.out, sweep=args.sweep,
                                  timing=args.timing)
    logger.info("done: %d new file(s)", len(written))


if __name__ == "__main__":
    main()
