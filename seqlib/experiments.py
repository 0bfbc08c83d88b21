"""The book's experiments over seeds: every model, one JSON file per run, resumable.

``python -m seqlib.experiments`` trains every model of the book with the chapters' recipes
for each seed and writes one file per run, ``<out>/<profile>/<model>-<dataset>-seed<k>.json``,
atomically. A run whose file exists is skipped, so an interrupted experiment resumes where
it stopped. ``--sweep`` also trains the pure convnet over a grid of kernel sizes and steps
(``<out>/<profile>/sweep/``), the data behind chapter 5's explorer. Chapter 5 and
``seqlib.claims`` read the files back with `load_results` and `load_sweep`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import importlib.metadata
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from seqlib import baselines, config, explorers, imdb, models, training, weather, windows

__all__ = [
    "MODELS",
    "WEATHER_MODELS",
    "TIMING_TIMESTEPS",
    "SWEEP_KERNEL_SIZES",
    "SWEEP_STEPS",
    "IMDB_DATASET",
    "results_dir",
    "results_profile",
    "run_path",
    "sweep_path",
    "window_spec",
    "weather_builder",
    "environment",
    "describe_environment",
    "write_json_atomic",
    "run_imdb_convnet",
    "run_weather_model",
    "run_sweep_setting",
    "run_experiments",
    "load_results",
    "load_sweep",
    "Spread",
    "SUMMARY_METRICS",
    "summarise",
    "main",
]

logger = logging.getLogger(__name__)

MODELS = ("imdb_convnet", "conv_forecaster", "gru", "conv_gru", "dilated_causal")
"""Every model of the book, by its key in the result files."""

WEATHER_MODELS = MODELS[1:]
"""The forecasters, trained on the weather series."""

TIMING_TIMESTEPS = 480
"""The window length at which every forecaster's seconds per batch is measured (equal for all)."""

SWEEP_KERNEL_SIZES = (3, 5, 7, 9)
SWEEP_STEPS = ("1 hour", "2 hours", "3 hours", "6 hours")
"""The sweep's grid: the pure convnet on 10-day windows, each kernel size at each step."""

IMDB_DATASET = {"key": "imdb", "title": "IMDB movie reviews (Maas et al., 2011), Keras packaging"}
_IMDB_NUM_WORDS = 10_000
_IMDB_MAXLEN = 500

_REPO_RESULTS = Path(__file__).resolve().parents[1] / "results"


def results_dir(folder: str | os.PathLike | None = None) -> Path:
    """The results folder: ``folder``, else ``SEQLIB_RESULTS_DIR``, else ``results/`` in the repository."""
    chosen = folder if folder is not None else os.environ.get("SEQLIB_RESULTS_DIR") or _REPO_RESULTS
    return Path(chosen).expanduser().resolve()


def results_profile(name: str | None = None) -> str:
    """The profile whose results are read: ``name``, else ``SEQLIB_RESULTS_PROFILE``, else ``full``.

    Reading does not follow ``SEQLIB_PROFILE``: a quick run of the book still shows the
    committed full-profile results.

    Raises:
        ValueError: if the name is not one of `config.PROFILES`.
    """
    chosen = name if name is not None else os.environ.get("SEQLIB_RESULTS_PROFILE") or "full"
    if chosen not in config.PROFILES:
        raise ValueError(f"The results profile must be one of {sorted(config.PROFILES)}. Received: {chosen!r}")
    return chosen


def run_path(folder: Path, profile: str, model: str, dataset: str, seed: int) -> Path:
    """Where the result of one run lives: ``<folder>/<profile>/<model>-<dataset>-seed<seed>.json``."""
    return Path(folder) / profile / f"{model}-{dataset}-seed{seed}.json"


def sweep_path(folder: Path, profile: str, dataset: str, kernel_size: int, step: str) -> Path:
    """Where one setting of the sweep lives, under ``<folder>/<profile>/sweep/``."""
    name = f"conv_forecaster-{dataset}-kernel{kernel_size}-step_{step.replace(' ', '_')}.json"
    return Path(folder) / profile / "sweep" / name


def window_spec(model: str, period: np.timedelta64) -> windows.WindowSpec:
    """The windows a forecaster reads in the book (chapters 2-4), 24 hours ahead.

    Every model reads 10 days at a 1-hour step (240 timesteps), except the conv+GRU hybrid
    (chapter 3), which reads 10 days at 30 minutes, or, on hourly data that has no half-hour
    readings, 20 days at 1 hour: 480 timesteps either way.

    Raises:
        ValueError: if ``model`` is not one of `WEATHER_MODELS`.
    """
    if model not in WEATHER_MODELS:
        raise ValueError(f"`model` must be one of {list(WEATHER_MODELS)}. Received: model={model!r}")
    if model == "conv_gru":
        try:
            return windows.WindowSpec.from_durations("10 days", "24 hours", "30 min", period)
        except ValueError:
            return windows.WindowSpec.from_durations("20 days", "24 hours", "1 hour", period)
    return windows.WindowSpec.from_durations("10 days", "24 hours", "1 hour", period)


def weather_builder(model: str) -> Callable[[int, int], keras.Model]:
    """The builder ``(num_features, timesteps) -> keras.Model`` of a forecaster in `seqlib.models`.

    Raises:
        ValueError: if ``model`` is not one of `WEATHER_MODELS`, or its builder is not in
            `seqlib.models` (yet).
    """
    names = {"conv_forecaster": "build_conv_forecaster", "gru": "build_gru", "conv_gru": "build_conv_gru",
             "dilated_causal": "build_dilated_causal_forecaster"}
    if model not in names:
        raise ValueError(f"`model` must be one of {list(WEATHER_MODELS)}. Received: model={model!r}")
    build = getattr(models, names[model], None)  # looked up at run time: builders may be added later
    if build is None:
        raise ValueError(f"seqlib.models has no `{names[model]}`, so the model {model!r} cannot be built.")
    return build


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def environment() -> dict[str, Any]:
    """Package versions and the CPU a run used, for the result files."""
    return {
        "python": platform.python_version(),
        "tensorflow": importlib.metadata.version("tensorflow"),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }


def describe_environment() -> str:
    """`environment` in one line, with today's date, for the header of a benchmark table."""
    env = environment()
    return (f"{env['cpu']}, {env['cpu_count']} cores, {env['platform']}; Python {env['python']}, "
            f"TensorFlow {env['tensorflow']}, Keras {env['keras']}, NumPy {env['numpy']}; "
            f"{datetime.date.today().isoformat()}")


def write_json_atomic(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` as JSON to ``path`` through a temporary file and a rename.

    A reader sees either no file or the whole file; if writing fails, ``path`` is left as
    it was and the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(record, stream, indent=1, ensure_ascii=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates it private
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _finish(record: dict[str, Any], started: str, start: float) -> dict[str, Any]:
    return {**record, "environment": environment(), "started": started, "finished": _now(),
            "wall_seconds": time.perf_counter() - start}


def _load_reviews() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    (x_train, y_train), (x_test, y_test) = imdb.load_imdb(num_words=_IMDB_NUM_WORDS)
    return ((keras.utils.pad_sequences(x_train, maxlen=_IMDB_MAXLEN), y_train),
            (keras.utils.pad_sequences(x_test, maxlen=_IMDB_MAXLEN), y_test))


def run_imdb_convnet(
    seed: int,
    profile: config.Profile,
    reviews: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, Any]:
    """Train chapter 1's IMDB convnet with chapter 1's recipe and score the test set.

    RMSprop at 1e-4, binary cross-entropy, batches of 128, ``profile.imdb_epochs`` epochs,
    the last 20% of the training reviews for validation (20,000 / 5,000), the best epoch
    chosen on validation accuracy; its weights score the 25,000 test reviews.

    Args:
        seed: the run's seed.
        profile: the run profile.
        reviews: ``((x_train, y_train), (x_test, y_test))`` padded to 500 words; None loads IMDB.

    Returns:
        The run's record (see `run_experiments`).
    """
    started, start = _now(), time.perf_counter()
    (x_train, y_train), (x_test, y_test) = reviews if reviews is not None else _load_reviews()
    training.set_seed(seed)
    model = models.build_imdb_convnet(num_words=_IMDB_NUM_WORDS, maxlen=x_train.shape[1])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4), loss="binary_crossentropy",
                  metrics=["accuracy"])
    fit = training.fit_model(model, x_train, y_train, epochs=profile.imdb_epochs, batch_size=128,
                             validation_split=0.2, monitor="val_accuracy", mode="max")
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    validation = round(len(x_train) * 0.2)
    record = {
        "model": "imdb_convnet", "seed": seed, "profile": profile.name, "settings": dataclasses.asdict(profile),
        "dataset": IMDB_DATASET, "metric": "accuracy", **fit.to_dict(), "test": float(test_accuracy),
        "baseline_val": None, "baseline_test": None, "parameters": model.count_params(),
        "timesteps": x_train.shape[1],
        "window": (f"the last {x_train.shape[1]} words of each review ({_IMDB_NUM_WORDS:,}-word vocabulary); "
                   f"{len(x_train) - validation:,} training and {validation:,} validation reviews, "
                   f"{len(x_test):,} test reviews"),
        "timing_timesteps": None, "seconds_per_batch": None,
    }
    return _finish(record, started, start)


def _seconds_per_batch(build: Callable[[int, int], keras.Model], num_features: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    samples = rng.normal(size=(128, TIMING_TIMESTEPS, num_features)).astype("float32")
    targets = rng.normal(size=(128,)).astype("float32")
    model = training.compile_forecaster(build(num_features, TIMING_TIMESTEPS))
    return training.seconds_per_batch(model, samples, targets, repeats=10)


def _dataset(series: weather.WeatherSeries) -> dict[str, str]:
    return {"key": series.key, "title": series.title}


def run_weather_model(model: str, seed: int, profile: config.Profile, series: weather.WeatherSeries) -> dict[str, Any]:
    """Train a forecaster with the chapters' recipe, score the test set, time it at 480 steps.

    The windows are `window_spec`'s, fed through ``.dataset()`` as in the chapters;
    normalisation uses the training rows; the model is compiled by
    `training.compile_forecaster` after `training.set_seed(seed)` and trained
    ``profile.weather_epochs`` epochs of ``profile.steps_per_epoch`` batches. The best
    epoch's weights score the whole test split; the common-sense baseline is scored on the
    same validation and test windows. Last, a fresh copy of the model is timed on batches
    of `TIMING_TIMESTEPS` timesteps (`training.seconds_per_batch`), the same length for all.

    Returns:
        The run's record (see `run_experiments`).

    Raises:
        ValueError: if the model is unknown or cannot be built.
    """
    build = weather_builder(model)
    started, start = _now(), time.perf_counter()
    splits = windows.SplitRanges.book_split(series.num_rows)
    data, _, _ = windows.normalise(series.values, splits.train)
    spec = window_spec(model, series.period)
    train, val, test = windows.make_windows(data, spec, splits, series.target_index,
                                            steps_per_epoch=profile.steps_per_epoch, seed=seed,
                                            max_eval_batches=profile.max_eval_batches)
    training.set_seed(seed)
    network = training.compile_forecaster(build(series.num_features, spec.timesteps))
    fit = training.fit_model(network, train.dataset(), epochs=profile.weather_epochs, validation_data=val.dataset())
    record = {
        "model": model, "seed": seed, "profile": profile.name, "settings": dataclasses.asdict(profile),
        "dataset": _dataset(series), "metric": "mae", **fit.to_dict(),
        "test": float(network.evaluate(test.dataset(), verbose=0)),
        "baseline_val": baselines.common_sense_mae(data, spec, val.rows, series.target_index),
        "baseline_test": baselines.common_sense_mae(data, spec, test.rows, series.target_index),
        "parameters": network.count_params(), "timesteps": spec.timesteps, "window": spec.describe(),
        "timing_timesteps": TIMING_TIMESTEPS,
        "seconds_per_batch": _seconds_per_batch(build, series.num_features, seed),
    }
    return _finish(record, started, start)


def run_sweep_setting(
    kernel_size: int, step: str, profile: config.Profile, series: weather.WeatherSeries, seed: int = 0
) -> dict[str, Any]:
    """One setting of the sweep: chapter 2's short explorer retrain of the pure convnet.

    The convnet with kernel size ``kernel_size`` reads 10-day windows at ``step`` and trains
    ``profile.explorer_epochs`` epochs of ``profile.explorer_steps`` batches
    (`explorers.forecaster_trial`, as chapter 2's **Train** button does). A setting whose
    kernels do not fit the window is recorded with its ``error`` instead of a training run.

    Returns:
        The setting's record: kernel size, step, validation history, best validation MAE,
        the baseline on the same windows, seconds per epoch (or ``error``).
    """
    started, start = _now(), time.perf_counter()
    step_rows = windows.parse_duration(step, series.period, "step")
    record: dict[str, Any] = {
        "model": "conv_forecaster", "kernel_size": kernel_size, "step": step,
        "step_hours": float(step_rows * series.period / np.timedelta64(1, "h")),
        "seed": seed, "profile": profile.name, "dataset": _dataset(series),
        "epochs": profile.explorer_epochs, "steps_per_epoch": profile.explorer_steps,
    }
    try:
        explorers.conv_geometry("10 days", step, kernel_size, series.period)
    except ValueError as error:
        return _finish({**record, "error": str(error)}, started, start)
    splits = windows.SplitRanges.book_split(series.num_rows)
    data, _, _ = windows.normalise(series.values, splits.train)
    spec = windows.WindowSpec.from_durations("10 days", "24 hours", step, series.period)
    trial = explorers.forecaster_trial(
        data, splits, series.target_index, spec,
        lambda features, timesteps: models.build_conv_forecaster(features, timesteps, kernel_size=kernel_size),
        epochs=profile.explorer_epochs, steps_per_epoch=profile.explorer_steps,
        max_eval_batches=profile.max_eval_batches, seed=seed)
    return _finish({**record, "error": None, **trial.fit.to_dict(), "baseline_val": trial.baseline_mae,
                    "timesteps": trial.timesteps}, started, start)


def run_experiments(
    model_keys: Iterable[str] = MODELS,
    seeds: Iterable[int] = (0, 1, 2),
    profile: config.Profile | None = None,
    folder: str | os.PathLike | None = None,
    *,
    sweep: bool = False,
) -> list[Path]:
    """Run every (model, seed) whose result file is missing, and the sweep if asked.

    Each record holds: model, seed, profile (and its settings), dataset (key and title),
    metric, history, epoch_seconds, monitor, best_epoch, best_value, seconds_per_epoch,
    test (MAE or accuracy with the best epoch's weights), baseline_val and baseline_test
    (weather), parameters, timesteps, window, seconds_per_batch at timing_timesteps
    (weather), environment (package versions, CPU model and count), started, finished
    and wall_seconds. A model whose builder is missing from `seqlib.models` is skipped
    with a warning.

    Args:
        model_keys: keys of `MODELS` to run.
        seeds: the seeds.
        profile: the run profile (default: `config.get_profile()`).
        folder: the results folder (default: `results_dir()`).
        sweep: also run the sweep of `SWEEP_KERNEL_SIZES` x `SWEEP_STEPS` (seed 0).

    Returns:
        The files written by this call (skipped runs are not listed).

    Raises:
        ValueError: if a model key or a seed is invalid.
    """
    model_keys, seeds = list(model_keys), list(seeds)
    unknown = [key for key in model_keys if key not in MODELS]
    if unknown:
        raise ValueError(f"Unknown model keys {unknown}. Use some of {list(MODELS)}.")
    for seed in seeds:
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"Every seed must be an integer >= 0. Received: seeds={seeds}")
    profile = profile if profile is not None else config.get_profile()
    folder = results_dir(folder)
    series = weather.load_weather() if sweep or any(key in WEATHER_MODELS for key in model_keys) else None
    reviews = None
    written = []

    def save(path: Path, run: Callable[[], dict[str, Any]]) -> None:
        if path.exists():
            logger.info("skip %s (exists)", path)
            return
        logger.info("run %s ...", path.name)
        write_json_atomic(path, run())
        written.append(path)
        logger.info("wrote %s", path)

    for key in model_keys:
        if key in WEATHER_MODELS:
            try:
                weather_builder(key)
            except ValueError as error:
                logger.warning("skip %s: %s", key, error)
                continue
        for seed in seeds:
            if key == "imdb_convnet":
                path = run_path(folder, profile.name, key, IMDB_DATASET["key"], seed)
                if reviews is None and not path.exists():
                    reviews = _load_reviews()
                save(path, functools.partial(run_imdb_convnet, seed, profile, reviews))
            else:
                save(run_path(folder, profile.name, key, series.key, seed),
                     functools.partial(run_weather_model, key, seed, profile, series))
    if sweep:
        for kernel_size in SWEEP_KERNEL_SIZES:
            for step in SWEEP_STEPS:
                save(sweep_path(folder, profile.name, series.key, kernel_size, step),
                     functools.partial(run_sweep_setting, kernel_size, step, profile, series))
    return written


def _read(paths: Iterable[Path]) -> list[dict[str, Any]]:
    records = []
    for path in sorted(paths):
        with open(path, encoding="utf-8") as stream:
            records.append(json.load(stream))
    return records


def load_results(folder: str | os.PathLike | None = None, profile: str | None = None) -> list[dict[str, Any]]:
    """The run records of one profile, ordered by model (as in `MODELS`), dataset and seed.

    Args:
        folder: the results folder (default: `results_dir()`).
        profile: the profile's name (default: `results_profile()`).

    Returns:
        The records; an empty list if there are none.
    """
    records = _read((results_dir(folder) / results_profile(profile)).glob("*-seed*.json"))
    return sorted(records, key=lambda r: (MODELS.index(r["model"]) if r["model"] in MODELS else len(MODELS),
                                          r["model"], r["dataset"]["key"], r["seed"]))


def load_sweep(folder: str | os.PathLike | None = None, profile: str | None = None) -> list[dict[str, Any]]:
    """The sweep's records of one profile, ordered by dataset, kernel size and step."""
    records = _read((results_dir(folder) / results_profile(profile) / "sweep").glob("*.json"))
    return sorted(records, key=lambda r: (r["dataset"]["key"], r["kernel_size"], r["step_hours"]))


@dataclasses.dataclass(frozen=True)
class Spread:
    """One metric over seeds: ``format(spread, ".3f")`` gives ``"0.512 (0.503–0.520)"``, mean (min–max).

    When every seed gave the same value, as formatted, only that value is shown.
    """

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        """Number of values (seeds)."""
        return len(self.values)

    @property
    def mean(self) -> float:
        """The mean over seeds."""
        return statistics.fmean(self.values)

    @property
    def std(self) -> float:
        """The sample standard deviation over seeds (0 for a single seed)."""
        return statistics.stdev(self.values) if self.n > 1 else 0.0

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values)

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values)

    def __format__(self, spec: str) -> str:
        low, high = format(self.low, spec), format(self.high, spec)
        if low == high:
            return format(self.mean, spec)
        return f"{self.mean:{spec}} ({low}–{high})"


SUMMARY_METRICS = ("best_value", "test", "baseline_val", "baseline_test", "best_epoch", "seconds_per_epoch",
                   "seconds_per_batch", "parameters", "timesteps")


def summarise(records: Sequence[dict[str, Any]], metrics: Sequence[str] = SUMMARY_METRICS) -> list[dict[str, Any]]:
    """Per model and dataset, each metric over seeds as a `Spread`.

    Args:
        records: run records, e.g. from `load_results`.
        metrics: record fields to summarise; a field missing or null in a run is left out
            of that row.

    Returns:
        One dict per (model, dataset), in the order of ``records``: ``model``, ``dataset``
        (key), ``dataset_title``, ``metric``, ``profile``, ``seeds`` and ``n``, then one
        `Spread` per metric.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault((record["model"], record["dataset"]["key"]), []).append(record)
    rows = []
    for (model, dataset), runs in groups.items():
        row: dict[str, Any] = {
            "model": model, "dataset": dataset, "dataset_title": runs[0]["dataset"]["title"],
            "metric": runs[0]["metric"], "profile": runs[0]["profile"],
            "seeds": sorted(run["seed"] for run in runs), "n": len(runs),
        }
        for metric in metrics:
            values = [run.get(metric) for run in runs]
            if all(value is not None for value in values):
                row[metric] = Spread(tuple(float(value) for value in values))
        rows.append(row)
    return rows


def _seed(text: str) -> int:
    """A seed on the command line: an integer >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a seed must be an integer >= 0, not {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: ``python -m seqlib.experiments [--seeds] [--models] [--profile] [--out] [--sweep]``."""
    parser = argparse.ArgumentParser(prog="python -m seqlib.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=_seed, nargs="+", default=[0, 1, 2], help="seeds to run (default: 0 1 2)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS),
                        help="models to run (default: all)")
    parser.add_argument("--profile", choices=sorted(config.PROFILES), default=None,
                        help="run profile (default: SEQLIB_PROFILE, else full)")
    parser.add_argument("--out", default=None,
                        help="results folder (default: SEQLIB_RESULTS_DIR, else results/ in the repository)")
    parser.add_argument("--sweep", action="store_true",
                        help="also run the kernel size x step sweep of the pure convnet")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    profile = config.get_profile(args.profile)
    logger.info("profile %s, seeds %s, models %s, results in %s", profile.name, args.seeds, args.models,
                results_dir(args.out) / profile.name)
    written = run_experiments(args.models, args.seeds, profile, args.out, sweep=args.sweep)
    logger.info("done: %d new file(s)", len(written))


if __name__ == "__main__":
    main()
