"""Tests of seqlib.results: atomic records, loading, summaries over seeds, the machine line."""

import datetime
import json
import subprocess
import sys

import pytest

from seqlib import results


def test_light_modules_import_no_tensorflow_and_no_widgets():
    # claims, results and the geometry are read by chapter 5 and the benchmarks' tables:
    # they must stay importable without the heavy floors.
    code = ("import sys, seqlib.claims, seqlib.results, seqlib.receptive_field, seqlib.windows, seqlib.baselines, "
            "seqlib.tables, seqlib.config, seqlib.legacy, seqlib.registry, seqlib.checks, seqlib.cli; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets', 'matplotlib') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_write_json_atomic_replaces_whole_files_only(tmp_path):
    path = tmp_path / "deep" / "run.json"
    results.write_json_atomic(path, {"value": 1})
    assert json.loads(path.read_text()) == {"value": 1}
    with pytest.raises(TypeError):
        results.write_json_atomic(path, {"value": object()})  # fails half-way through writing
    assert json.loads(path.read_text()) == {"value": 1}
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]  # no temporary file left


def _record(model, seed, dataset="merra2", **fields):
    return {"model": model, "title": model.upper(), "seed": seed, "profile": "quick", "metric": "mae",
            "dataset": {"key": dataset, "title": dataset.upper()}, "epoch_seconds": [1.0] * (seed + 1), **fields}


def test_load_results_and_summarise(tmp_path):
    for seed, value in ((1, 0.6), (0, 0.4), (2, 0.5)):
        record = _record("gru", seed, best_value=value, test=value + 0.1, seconds_per_batch=None)
        results.write_json_atomic(results.run_path(tmp_path, "quick", "gru", "merra2", seed), record)
    record = _record("conv_forecaster", 0, best_value=0.7, test=0.8, seconds_per_batch=0.02)
    results.write_json_atomic(results.run_path(tmp_path, "quick", "conv_forecaster", "merra2", 0), record)
    records = results.load_results(tmp_path, "quick")
    assert [(r["model"], r["seed"]) for r in records] == [("conv_forecaster", 0), ("gru", 0), ("gru", 1), ("gru", 2)]
    in_order = results.load_results(tmp_path, "quick", order=["gru", "conv_forecaster"])
    assert [r["model"] for r in in_order] == ["gru"] * 3 + ["conv_forecaster"]
    assert results.load_results(tmp_path, "full") == []

    conv, gru = results.summarise(records)
    assert (gru["model"], gru["title"], gru["dataset"], gru["seeds"], gru["n"]) == ("gru", "GRU", "merra2", [0, 1, 2], 3)
    assert gru["best_value"].mean == pytest.approx(0.5) and gru["best_value"].std == pytest.approx(0.1)
    assert (gru["test"].low, gru["test"].high) == pytest.approx((0.5, 0.7))
    assert gru["epochs"].values == (1.0, 2.0, 3.0)
    assert f"{gru['best_value']:.2f}" == "0.50 (0.40–0.60)"
    assert "seconds_per_batch" not in gru and "baseline_val" not in gru  # null or missing in the runs
    assert f"{conv['seconds_per_batch']:.2f}" == "0.02"  # one seed: no range
    assert f"{results.Spread((0.1234, 0.1236)):.2f}" == "0.12"  # equal as shown: no range


def test_spreads_say_when_their_ranges_overlap():
    assert results.Spread((0.31, 0.33)).overlaps(results.Spread((0.32, 0.40)))
    assert not results.Spread((0.31, 0.33)).overlaps(results.Spread((0.34, 0.40)))


def test_results_folder_and_profile_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("SEQLIB_RESULTS_PROFILE", "quick")
    monkeypatch.setenv("SEQLIB_PROFILE", "full")  # the training profile does not choose what is read
    assert results.results_dir() == tmp_path.resolve() and results.results_profile() == "quick"
    assert results.results_profile("full") == "full"
    monkeypatch.setenv("SEQLIB_RESULTS_PROFILE", "fast")
    with pytest.raises(ValueError, match="'fast'"):
        results.results_profile()


def test_stamp_adds_the_environment_and_the_times():
    record = results.stamp({"model": "gru"}, results.now(), 0.0)
    assert record["model"] == "gru" and record["started"] <= record["finished"] and record["wall_seconds"] > 0
    assert set(record["environment"]) >= {"python", "tensorflow", "keras", "numpy", "cpu", "cpu_count",
                                          "load_average_1min"}


def test_benchmark_header_names_the_machine_the_versions_and_the_day(monkeypatch):
    monkeypatch.setattr(results, "environment", lambda: {
        "cpu": "Test CPU", "cpu_count": 2, "platform": "Linux-x", "python": "3.11.7", "tensorflow": "2.21.0",
        "keras": "3.15.1", "numpy": "2.0.0"})
    line = results.describe_environment()
    assert line.startswith("Test CPU, 2 cores, Linux-x; Python 3.11.7, TensorFlow 2.21.0, Keras 3.15.1, NumPy 2.0.0; ")
    assert line.endswith(datetime.date.today().isoformat())


def test_same_machine_ignores_the_load_and_nothing_else():
    here = results.environment()
    assert results.same_machine(here, {**here, "load_average_1min": 9.0})
    assert not results.same_machine(here, {**here, "platform": here["platform"] + "-another-kernel"})
    assert not results.same_machine(here, {key: value for key, value in here.items() if key != "cpu"})
