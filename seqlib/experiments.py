"""The book's experiments over seeds: every model, one JSON file per run, resumable.

``python -m seqlib.experiments`` trains every model of `models.REGISTRY` with the one
recipe (`seqlib.recipe`) for each seed and writes one record per run,
``<out>/<profile>/<model>-<dataset>-seed<k>.json``, atomically. A run whose file exists
is skipped, so an interrupted experiment resumes where it stopped. ``--sweep`` also trains
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

from seqlib import (config, models, receptive_field, recipe, results, review_texts, text_model, training,
                    weather, windows)

__all__ = [
    "SWEEP_KERNEL_SIZES",
    "SWEEP_STEPS",
    "TIMING_ROUNDS",
    "run_sweep_setting",
    "run_timing",
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
    spec = windows.WindowSpec.from_durations("10 days", models.FORECAST_DELAY, step, series.period)
    run = recipe.train_forecaster(
        "conv_forecaster", weather_data, seed, profile, spec=spec,
        build=functools.partial(models.build_conv_forecaster, kernel_size=kernel_size),
        max_epochs=profile.explorer_epochs, steps_per_epoch=profile.explorer_steps, patience=None,
        score_test=False, time_step=False)
    keep = ("history", "epoch_seconds", "monitor", "mode", "best_epoch", "best_value", "seconds_per_epoch",
            "baseline_val", "timesteps", "lead_hours", "window", "environment", "wall_seconds")
    return {**record, "error": None, **{name: run.record[name] for name in keep}}


def _timing_candidates(keys: Sequence[str], num_features: int, timesteps: int) -> dict[str, tuple]:
    rng = np.random.default_rng(0)
    candidates = {}
    for key in keys:
        entry = models.get_entry(key)
        if entry.task == "weather":
            samples = rng.normal(size=(128, timesteps, num_features)).astype("float32")
            targets = rng.normal(size=(128,)).astype("float32")
        else:
            num_words = entry.text_vectorizer[0] if entry.text_vectorizer else recipe.IMDB_NUM_WORDS
            samples = rng.integers(1, num_words, size=(128, timesteps)).astype("int32")
            targets = rng.integers(0, 2, size=(128,)).astype("float32")
        for jit_compile in (False, True):
            model = (entry.build(num_features, timesteps) if entry.task == "weather"
                     else entry.build(num_words=num_words, maxlen=timesteps))
            training.compile_model(model, entry, jit_compile=jit_compile)
            candidates[f"{key}|{'xla' if jit_compile else 'no_xla'}"] = (model, samples, targets)
    return candidates


def run_timing(
    keys: Sequence[str], dataset: dict[str, str], num_features: int, timesteps: int, rounds: int = TIMING_ROUNDS
) -> dict[str, Any]:
    """Time one training step of every model named, with and without XLA, interleaved.

    All models read batches of 128 of the same length (``timesteps``); each is compiled
    twice (``jit_compile`` False and True) and `training.step_seconds` goes round all of
    them ``rounds`` times in this one process, so every comparison is on equal terms.

    Returns:
        The timing record: ``seconds[model]["no_xla" | "xla"]`` is the median seconds per
        step of each round.
    """
    started, start = results.now(), time.perf_counter()
    seconds = training.step_seconds(_timing_candidates(keys, num_features, timesteps), rounds=rounds)
    by_model: dict[str, dict[str, list[float]]] = {}
    for name, values in seconds.items():
        key, policy = name.split("|")
        by_model.setdefault(key, {})[policy] = values
    record = {"kind": "timing", "dataset": dataset, "timesteps": timesteps, "batch_size": 128,
              "rounds": rounds, "repeats": 10, "titles": {key: models.get_entry(key).title for key in keys},
              "seconds": by_model}
    return results.stamp(record, started, start)


def run_experiments(
    model_keys: Iterable[str] = tuple(models.REGISTRY),
    seeds: Iterable[int] = (0, 1, 2),
    profile: config.Profile | None = None,
    folder: str | os.PathLike | None = None,
    *,
    sweep: bool = False,
    timing: bool = False,
) -> list[Path]:
    """Run every (model, seed) whose record is missing, and the sweep and timing if asked.

    Each record holds what `recipe.train_forecaster` or `recipe.train_classifier`
    returns: model and title, seed, profile (and its settings), dataset, metric, history,
    epoch_seconds, the stopping rule (max_epochs, patience, stopped_early), best_epoch,
    best_value, seconds_per_epoch, test, baseline_val and baseline_test (weather),
    parameters, timesteps, window, lead_hours (weather), seconds_per_batch at
    timing_timesteps, jit_compile, environment (versions, CPU, load), started, finished
    and wall_seconds.

    Args:
        model_keys: keys of `models.REGISTRY` to run.
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
    unknown = [key for key in model_keys if key not in models.REGISTRY]
    if unknown:
        raise ValueError(f"Unknown model keys {unknown}. Use some of {list(models.REGISTRY)}.")
    for seed in seeds:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"Every seed must be an integer >= 0. Received: seeds={seeds}")
    profile = profile if profile is not None else config.get_profile()
    folder = results.results_dir(folder)
    tasks = {models.get_entry(key).task for key in model_keys}
    weather_data = (recipe.prepare_weather(weather.load_weather())
                    if sweep or "weather" in tasks or timing else None)
    reviews: list[recipe.Reviews] = []  # loaded once, when a run needs them
    texts: dict[Any, Any] = {}  # the raw-text split, and its word ids per vectorizer
    written = []

    def save(path: Path, run: Callable[[], dict[str, Any]]) -> None:
        if path.exists():
            logger.info("skip %s (exists)", path)
            return
        logger.info("run %s ...", path.name)
        results.write_json_atomic(path, run())
        written.append(path)
        logger.info("wrote %s", path)

    def classifier(key: str, seed: int) -> dict[str, Any]:
        settings = models.get_entry(key).text_vectorizer
        if settings is not None:
            if "split" not in texts:
                texts["split"] = review_texts.split_texts(review_texts.read_review_texts())
            if settings not in texts:
                texts[settings] = text_model.vectorized(texts["split"], *settings)[1]
            model = models.get_entry(key).build(num_words=settings[0], maxlen=settings[1])
            reviews_read = text_model.padded_for(model, texts[settings])
            return recipe.train_classifier(key, reviews_read, seed, profile).record
        if not reviews:
            reviews.append(recipe.load_reviews())
        return recipe.train_classifier(key, reviews[0], seed, profile).record

    for key in model_keys:
        for seed in seeds:
            entry = models.get_entry(key)
            if entry.task == "imdb":
                dataset = review_texts.TEXT_DATASET if entry.text_vectorizer else recipe.IMDB_DATASET
                save(results.run_path(folder, profile.name, key, dataset["key"], seed),
                     functools.partial(classifier, key, seed))
            else:
                save(results.run_path(folder, profile.name, key, weather_data.series.key, seed),
                     lambda key=key, seed=seed: recipe.train_forecaster(key, weather_data, seed, profile).record)
    if sweep:
        for kernel_size in SWEEP_KERNEL_SIZES:
            for step in SWEEP_STEPS:
                save(results.sweep_path(folder, profile.name, weather_data.series.key, kernel_size, step),
                     functools.partial(run_sweep_setting, kernel_size, step, profile, weather_data))
    if timing:
        forecasters = [key for key, entry in models.REGISTRY.items() if entry.task == "weather"]
        classifiers = [key for key, entry in models.REGISTRY.items()
                       if entry.task == "imdb" and not entry.text_vectorizer]
        text_classifiers = [key for key, entry in models.REGISTRY.items() if entry.text_vectorizer]
        series = weather_data.series
        save(results.timing_path(folder, profile.name, series.key),
             lambda: run_timing(forecasters, {"key": series.key, "title": series.title},
                                series.num_features, recipe.TIMING_TIMESTEPS))
        save(results.timing_path(folder, profile.name, recipe.IMDB_DATASET["key"]),
             lambda: run_timing(classifiers, recipe.IMDB_DATASET, 1, recipe.IMDB_MAXLEN))
        save(results.timing_path(folder, profile.name, review_texts.TEXT_DATASET["key"]),
             lambda: run_timing(text_classifiers, review_texts.TEXT_DATASET, 1, recipe.IMDB_MAXLEN))
    return written


def _seed(text: str) -> int:
    """A seed on the command line: an integer >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a seed must be an integer >= 0, not {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m seqlib.experiments [--seeds] [--models] [--profile] [--out] [--sweep] [--timing]``."""
    parser = argparse.ArgumentParser(prog="python -m seqlib.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=_seed, nargs="+", default=[0, 1, 2], help="seeds to run (default: 0 1 2)")
    parser.add_argument("--models", nargs="*", choices=list(models.REGISTRY), default=list(models.REGISTRY),
                        help="models to run (default: all; none: only --sweep / --timing)")
    parser.add_argument("--profile", choices=sorted(config.PROFILES), default=None,
                        help="run profile (default: SEQLIB_PROFILE, else full)")
    parser.add_argument("--out", default=None,
                        help="results folder (default: SEQLIB_RESULTS_DIR, else results/ in the repository)")
    parser.add_argument("--sweep", action="store_true",
                        help="also run the kernel size x step sweep of the pure convnet")
    parser.add_argument("--timing", action="store_true",
                        help="also time every model's training step with and without XLA, interleaved")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    profile = config.get_profile(args.profile)
    logger.info("profile %s, seeds %s, models %s, results in %s", profile.name, args.seeds, args.models,
                results.results_dir(args.out) / profile.name)
    written = run_experiments(args.models, args.seeds, profile, args.out, sweep=args.sweep, timing=args.timing)
    logger.info("done: %d new file(s)", len(written))


if __name__ == "__main__":
    main()
