import dataclasses
import datetime
import json
import logging
import math

import numpy as np
import pytest

from seqlib import config, experiments, models, weather

TINY = dataclasses.replace(config.PROFILES["quick"], imdb_epochs=1, weather_epochs=1, steps_per_epoch=2,
                           max_eval_batches=1, explorer_epochs=1, explorer_steps=2)


@pytest.fixture(scope="module")
def series():
    """100 days of a small hourly series: enough rows for every window of the book."""
    rows = 2400
    hours = np.arange(rows)
    rng = np.random.default_rng(0)
    temperature = np.sin(2 * np.pi * hours / 24) + 0.1 * rng.normal(size=rows)
    values = np.stack([temperature, rng.normal(size=rows), np.cos(2 * np.pi * hours / 24)], axis=1)
    return weather.WeatherSeries(
        key="tiny", title="a tiny synthetic series",
        timestamps=np.datetime64("2000-01-01T00", "s") + hours.astype("timedelta64[h]"),
        values=values.astype("float32"), columns=("T", "noise", "phase"), target_column="T",
        period=np.timedelta64(1, "h"), source="tests", reason="tests")


@pytest.fixture
def tiny_weather(monkeypatch, series):
    monkeypatch.setattr(weather, "load_weather", lambda: series)
    return series


def test_window_spec_is_the_chapters():
    hourly, ten_minutes = np.timedelta64(1, "h"), np.timedelta64(10, "m")
    assert experiments.window_spec("conv_forecaster", hourly).timesteps == 240
    assert experiments.window_spec("gru", ten_minutes).step == 6
    hybrid_hourly = experiments.window_spec("conv_gru", hourly)  # no half-hour rows: 20 days at 1 hour
    assert (hybrid_hourly.lookback, hybrid_hourly.step, hybrid_hourly.timesteps) == (480, 1, 480)
    hybrid_jena = experiments.window_spec("conv_gru", ten_minutes)  # 10 days at 30 minutes
    assert (hybrid_jena.lookback, hybrid_jena.step, hybrid_jena.timesteps) == (1440, 3, 480)
    with pytest.raises(ValueError, match="model='imdb_convnet'"):
        experiments.window_spec("imdb_convnet", hourly)


def test_run_weather_model_records_everything(series):
    record = experiments.run_weather_model("conv_forecaster", 0, TINY, series)
    json.dumps(record)  # plain data
    assert record["model"] == "conv_forecaster" and record["seed"] == 0 and record["profile"] == "quick"
    assert record["dataset"] == {"key": "tiny", "title": "a tiny synthetic series"}
    assert record["metric"] == "mae" and record["monitor"] == "val_loss"
    assert len(record["history"]["val_loss"]) == len(record["epoch_seconds"]) == 1 and record["best_epoch"] == 1
    for field in ("best_value", "test", "baseline_val", "baseline_test", "seconds_per_epoch", "seconds_per_batch"):
        assert math.isfinite(record[field]) and record[field] > 0, field
    assert record["timesteps"] == 240 and record["timing_timesteps"] == experiments.TIMING_TIMESTEPS
    assert record["parameters"] == models.build_conv_forecaster(3, 240).count_params()
    assert "240 timesteps" in record["window"]
    assert set(record["environment"]) >= {"python", "tensorflow", "keras", "numpy", "cpu", "cpu_count"}
    assert record["started"] <= record["finished"] and record["wall_seconds"] > 0


def test_run_imdb_convnet_uses_chapter_1s_split():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10_000, size=(80, 50))
    y = (rng.random(80) < 0.5).astype("int64")
    record = experiments.run_imdb_convnet(0, TINY, reviews=((x[:60], y[:60]), (x[60:], y[60:])))
    assert record["metric"] == "accuracy" and record["monitor"] == "val_accuracy" and record["mode"] == "max"
    assert "48 training and 12 validation reviews, 20 test reviews" in record["window"]
    assert 0 <= record["test"] <= 1 and record["baseline_test"] is None and record["seconds_per_batch"] is None
    assert record["dataset"] == experiments.IMDB_DATASET and record["parameters"] == 1_315_937


def test_run_experiments_writes_one_file_per_run_then_skips_it(tmp_path, tiny_weather, monkeypatch):
    written = experiments.run_experiments(["conv_forecaster"], [0], TINY, tmp_path)
    path = tmp_path / "quick" / "conv_forecaster-tiny-seed0.json"
    assert written == [path]
    assert json.loads(path.read_text())["seed"] == 0

    def refuse(*args, **kwargs):
        raise AssertionError("an existing run was trained again")

    monkeypatch.setattr(experiments, "run_weather_model", refuse)
    assert experiments.run_experiments(["conv_forecaster"], [0], TINY, tmp_path) == []


def test_run_experiments_skips_a_model_whose_builder_is_missing(tmp_path, tiny_weather, monkeypatch, caplog):
    monkeypatch.delattr(models, "build_dilated_causal_forecaster", raising=False)
    with pytest.raises(ValueError, match="build_dilated_causal_forecaster"):
        experiments.weather_builder("dilated_causal")
    with caplog.at_level(logging.WARNING, logger="seqlib.experiments"):
        assert experiments.run_experiments(["dilated_causal"], [0], TINY, tmp_path) == []
    assert "skip dilated_causal" in caplog.text and "build_dilated_causal_forecaster" in caplog.text


@pytest.mark.parametrize(("arguments", "message"), [
    (dict(model_keys=["lstm"]), "lstm"),
    (dict(seeds=[-1]), "seeds=\\[-1\\]"),
])
def test_run_experiments_refuses_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        experiments.run_experiments(**{"model_keys": ["imdb_convnet"], "seeds": [0], "profile": TINY,
                                       "folder": tmp_path, **arguments})


def test_the_sweep_records_impossible_settings_and_resumes(tmp_path, tiny_weather, monkeypatch):
    monkeypatch.setattr(experiments, "SWEEP_KERNEL_SIZES", (3, 9))
    monkeypatch.setattr(experiments, "SWEEP_STEPS", ("2 hours", "6 hours"))
    written = experiments.run_experiments([], [0], TINY, tmp_path, sweep=True)
    assert len(written) == 4
    records = {(r["kernel_size"], r["step"]): r for r in experiments.load_sweep(tmp_path, "quick")}
    impossible = records[(9, "6 hours")]
    assert "longer than the sequence" in impossible["error"] and "history" not in impossible
    trained = records[(3, "2 hours")]
    assert trained["error"] is None and trained["timesteps"] == 120 and trained["step_hours"] == 2.0
    assert trained["baseline_val"] > 0 and len(trained["history"]["val_loss"]) == TINY.explorer_epochs
    assert experiments.run_experiments([], [0], TINY, tmp_path, sweep=True) == []


def test_write_json_atomic_replaces_whole_files_only(tmp_path):
    path = tmp_path / "deep" / "run.json"
    experiments.write_json_atomic(path, {"value": 1})
    assert json.loads(path.read_text()) == {"value": 1}
    with pytest.raises(TypeError):
        experiments.write_json_atomic(path, {"value": object()})  # fails half-way through writing
    assert json.loads(path.read_text()) == {"value": 1}
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]  # no temporary file left


def _record(model, seed, dataset="merra2", **fields):
    return {"model": model, "seed": seed, "profile": "quick", "metric": "mae",
            "dataset": {"key": dataset, "title": dataset.upper()}, **fields}


def test_load_results_and_summarise(tmp_path):
    for seed, value in ((1, 0.6), (0, 0.4), (2, 0.5)):
        record = _record("gru", seed, best_value=value, test=value + 0.1, seconds_per_batch=None)
        experiments.write_json_atomic(experiments.run_path(tmp_path, "quick", "gru", "merra2", seed), record)
    record = _record("conv_forecaster", 0, best_value=0.7, test=0.8, seconds_per_batch=0.02)
    experiments.write_json_atomic(experiments.run_path(tmp_path, "quick", "conv_forecaster", "merra2", 0), record)
    records = experiments.load_results(tmp_path, "quick")
    assert [(r["model"], r["seed"]) for r in records] == [("conv_forecaster", 0), ("gru", 0), ("gru", 1), ("gru", 2)]
    assert experiments.load_results(tmp_path, "full") == []

    conv, gru = experiments.summarise(records)
    assert (gru["model"], gru["dataset"], gru["seeds"], gru["n"]) == ("gru", "merra2", [0, 1, 2], 3)
    assert gru["best_value"].mean == pytest.approx(0.5) and gru["best_value"].std == pytest.approx(0.1)
    assert (gru["test"].low, gru["test"].high) == pytest.approx((0.5, 0.7))
    assert f"{gru['best_value']:.2f}" == "0.50 (0.40–0.60)"
    assert "seconds_per_batch" not in gru and "baseline_val" not in gru  # null or missing in the runs
    assert f"{conv['seconds_per_batch']:.2f}" == "0.02"  # one seed: no range
    assert f"{experiments.Spread((0.1234, 0.1236)):.2f}" == "0.12"  # equal as shown: no range


def test_results_folder_and_profile_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("SEQLIB_RESULTS_PROFILE", "quick")
    monkeypatch.setenv("SEQLIB_PROFILE", "full")  # the training profile does not choose what is read
    assert experiments.results_dir() == tmp_path.resolve() and experiments.results_profile() == "quick"
    assert experiments.results_profile("full") == "full"
    monkeypatch.setenv("SEQLIB_RESULTS_PROFILE", "fast")
    with pytest.raises(ValueError, match="'fast'"):
        experiments.results_profile()


def test_command_line(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(experiments, "run_experiments", lambda *args, **kwargs: calls.append((args, kwargs)) or [])
    experiments.main(["--models", "gru", "conv_gru", "--seeds", "4", "--profile", "quick", "--out", str(tmp_path),
                      "--sweep"])
    (model_keys, seeds, profile, folder), options = calls[0]
    assert (model_keys, seeds, profile.name, folder) == (["gru", "conv_gru"], [4], "quick", str(tmp_path))
    assert options == {"sweep": True}
    experiments.main([])
    (model_keys, seeds, _, folder), options = calls[1]
    assert (model_keys, seeds, folder, options) == (list(experiments.MODELS), [0, 1, 2], None, {"sweep": False})


@pytest.mark.parametrize("seed", ["-1", "one", "1.5"])
def test_command_line_refuses_a_bad_seed_with_a_usage_message(seed, capsys, monkeypatch):
    monkeypatch.setattr(experiments, "run_experiments", lambda *args, **kwargs: pytest.fail("should not run"))
    with pytest.raises(SystemExit) as exit_info:
        experiments.main(["--seeds", "0", seed])
    assert exit_info.value.code == 2
    assert f"a seed must be an integer >= 0, not '{seed}'" in capsys.readouterr().err


def test_benchmark_header_names_the_machine_the_versions_and_the_day(monkeypatch):
    monkeypatch.setattr(experiments, "environment", lambda: {
        "cpu": "Test CPU", "cpu_count": 2, "platform": "Linux-x", "python": "3.11.7", "tensorflow": "2.21.0",
        "keras": "3.15.1", "numpy": "2.0.0"})
    line = experiments.describe_environment()
    assert line.startswith("Test CPU, 2 cores, Linux-x; Python 3.11.7, TensorFlow 2.21.0, Keras 3.15.1, NumPy 2.0.0; ")
    assert line.endswith(datetime.date.today().isoformat())
