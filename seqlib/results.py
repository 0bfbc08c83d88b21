"""The results folder: run records as JSON files, read back and summarised over seeds.

Light on purpose (NumPy-free, no TensorFlow, no widgets): `seqlib.claims`, chapter 5 and
the benchmarks read results through this module alone. ``python -m seqlib.experiments``
writes the records: one file per run, ``<folder>/<profile>/<model>-<dataset>-seed<k>.json``,
the sweep under ``<profile>/sweep/`` and the interleaved step timings in
``<profile>/timing-<dataset>.json``.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from seqlib import config

__all__ = [
    "FitResult",
    "results_dir",
    "results_profile",
    "run_path",
    "sweep_path",
    "timing_path",
    "write_json_atomic",
    "load_results",
    "load_sweep",
    "load_timing",
    "environment",
    "same_machine",
    "describe_environment",
    "now",
    "stamp",
    "Spread",
    "SUMMARY_METRICS",
    "summarise",
]

@dataclasses.dataclass
class FitResult:
    """What a training run produced, as plain data (`seqlib.training.fit_model` returns it).

    Attributes:
        history: metric name -> one value per epoch (Keras's ``History.history``).
        epoch_seconds: wall-clock seconds of each epoch.
        monitor: the validation metric used to pick the best epoch.
        mode: ``"min"`` or ``"max"``: whether lower or higher ``monitor`` is better.
        max_epochs: the epoch cap of the run (None: not recorded).
        patience: the stopping rule's patience (None: no early stopping).
    """

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    monitor: str
    mode: str
    max_epochs: int | None = None
    patience: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.epoch_seconds)

    @property
    def best_epoch(self) -> int:
        """The 1-based epoch with the best ``monitor`` value."""
        values = self.history[self.monitor]
        best = min(values) if self.mode == "min" else max(values)
        return values.index(best) + 1

    @property
    def best_value(self) -> float:
        """The ``monitor`` value at ``best_epoch``."""
        return self.history[self.monitor][self.best_epoch - 1]

    @property
    def stopped_early(self) -> bool:
        """Whether the stopping rule ended the run before the epoch cap."""
        return self.max_epochs is not None and self.epochs < self.max_epochs

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall-clock seconds per epoch (the first epoch includes tracing)."""
        return statistics.median(self.epoch_seconds)

    def to_dict(self) -> dict[str, Any]:
        """The result with its derived values, ready for JSON."""
        return {
            **dataclasses.asdict(self),
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
            "stopped_early": self.stopped_early,
            "seconds_per_epoch": self.seconds_per_epoch,
        }



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
        ValueError: if the name is not one of `seqlib.config.PROFILES`.
    """
    chosen = name if name is not None else os.environ.get("SEQLIB_RESULTS_PROFILE") or "full"
    if chosen not in config.PROFILES:
        raise ValueError(f"The results profile must be one of {sorted(config.PROFILES)}. Received: {chosen!r}")
    return chosen


def run_path(folder: Path, profile: str, model: str, dataset: str, seed: int) -> Path:
    """Where the record of one run lives: ``<folder>/<profile>/<model>-<dataset>-seed<seed>.json``."""
    return Path(folder) / profile / f"{model}-{dataset}-seed{seed}.json"


def sweep_path(folder: Path, profile: str, dataset: str, kernel_size: int, step: str) -> Path:
    """Where one setting of the sweep lives, under ``<folder>/<profile>/sweep/``."""
    name = f"conv_forecaster-{dataset}-kernel{kernel_size}-step_{step.replace(' ', '_')}.json"
    return Path(folder) / profile / "sweep" / name


def timing_path(folder: Path, profile: str, dataset: str) -> Path:
    """Where the interleaved step timings of one dataset's models live."""
    return Path(folder) / profile / f"timing-{dataset}.json"


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


def _read(paths: Iterable[Path]) -> list[dict[str, Any]]:
    records = []
    for path in sorted(paths):
        with open(path, encoding="utf-8") as stream:
            records.append(json.load(stream))
    return records


def load_results(
    folder: str | os.PathLike | None = None,
    profile: str | None = None,
    order: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The run records of one profile, ordered by model, dataset and seed.

    Args:
        folder: the results folder (default: `results_dir()`).
        profile: the profile's name (default: `results_profile()`).
        order: model keys in the order wanted (e.g. ``list(seqlib.models.REGISTRY)``);
            models not named come after, by key.

    Returns:
        The records; an empty list if there are none.
    """
    records = _read((results_dir(folder) / results_profile(profile)).glob("*-seed*.json"))
    rank = {key: index for index, key in enumerate(order)}
    return sorted(records, key=lambda r: (rank.get(r["model"], len(rank)), r["model"], r["dataset"]["key"],
                                          r["seed"]))


def load_sweep(folder: str | os.PathLike | None = None, profile: str | None = None) -> list[dict[str, Any]]:
    """The sweep's records of one profile, ordered by dataset, kernel size and step."""
    records = _read((results_dir(folder) / results_profile(profile) / "sweep").glob("*.json"))
    return sorted(records, key=lambda r: (r["dataset"]["key"], r["kernel_size"], r["step_hours"]))


def load_timing(folder: str | os.PathLike | None = None, profile: str | None = None) -> list[dict[str, Any]]:
    """The interleaved step-timing records of one profile (one per dataset)."""
    return _read((results_dir(folder) / results_profile(profile)).glob("timing-*.json"))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment() -> dict[str, Any]:
    """Package versions, the CPU and its load (1-minute average) when a record is written."""
    return {
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "numpy": _version("numpy"),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def same_machine(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two `environment` records name the same machine and libraries (the load aside).

    Only then does a seeded run repeat another to the digit: on another CPU or kernel,
    TensorFlow may pick other convolution kernels, which round differently (chapter 5).
    """
    return all(first.get(key) == second.get(key) for key in environment() if key != "load_average_1min")


def describe_environment() -> str:
    """`environment` in one line, with today's date, for the header of a benchmark table."""
    env = environment()
    return (f"{env['cpu']}, {env['cpu_count']} cores, {env['platform']}; Python {env['python']}, "
            f"TensorFlow {env['tensorflow']}, Keras {env['keras']}, NumPy {env['numpy']}; "
            f"{datetime.date.today().isoformat()}")


def now() -> str:
    """The current UTC time, ISO 8601 to the second: a record's ``started`` and ``finished``."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def stamp(record: dict[str, Any], started: str, start: float) -> dict[str, Any]:
    """``record`` with its environment, start and finish times, and wall seconds since ``start``.

    Args:
        record: the run's fields.
        started: `now()` when the run began.
        start: ``time.perf_counter()`` when the run began.
    """
    return {**record, "environment": environment(), "started": started, "finished": now(),
            "wall_seconds": time.perf_counter() - start}


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

    def overlaps(self, other: Spread) -> bool:
        """Whether the two ranges (min–max) overlap: then neither is clearly the better."""
        return self.low <= other.high and other.low <= self.high

    def __format__(self, spec: str) -> str:
        low, high = format(self.low, spec), format(self.high, spec)
        if low == high:
            return format(self.mean, spec)
        return f"{self.mean:{spec}} ({low}–{high})"


SUMMARY_METRICS = ("best_value", "test", "baseline_val", "baseline_test", "best_epoch", "epochs",
                   "seconds_per_epoch", "seconds_per_batch", "parameters", "timesteps")


def summarise(records: Sequence[dict[str, Any]], metrics: Sequence[str] = SUMMARY_METRICS) -> list[dict[str, Any]]:
    """Per model and dataset, each metric over seeds as a `Spread`.

    Args:
        records: run records, e.g. from `load_results`.
        metrics: record fields to summarise; a field missing or null in a run is left out
            of that row. ``epochs`` is the number of epochs run (the history's length).

    Returns:
        One dict per (model, dataset), in the order of ``records``: ``model``, ``title``,
        ``dataset`` (key), ``dataset_title``, ``metric``, ``profile``, ``seeds`` and ``n``,
        then one `Spread` per metric.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault((record["model"], record["dataset"]["key"]), []).append(record)
    rows = []
    for (model, dataset), runs in groups.items():
        row: dict[str, Any] = {
            "model": model, "title": runs[0].get("title", model), "dataset": dataset,
            "dataset_title": runs[0]["dataset"]["title"], "metric": runs[0]["metric"],
            "profile": runs[0]["profile"], "seeds": sorted(run["seed"] for run in runs), "n": len(runs),
        }
        for metric in metrics:
            values = [len(run["epoch_seconds"]) if metric == "epochs" else run.get(metric) for run in runs]
            if all(value is not None for value in values):
                row[metric] = Spread(tuple(float(value) for value in values))
        rows.append(row)
    return rows
