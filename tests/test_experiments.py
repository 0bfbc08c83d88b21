"""Tests of seqlib.experiments: the runner writes one record per run, resumes, sweeps and times."""

import json

import numpy as np
import pytest

from seqlib import experiments, recipe, registry, results, review_texts, weather
from synthetic import TINY, tiny_series

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


@pytest.fixture
def tiny_weather(monkeypatch):
    series = tiny_series()
    monkeypatch.setattr(weather, "load_weather", lambda: series)
    return series


def test_run_experiments_writes_one_file_per_run_then_skips_it(tmp_path, tiny_weather, monkeypatch):
    written = experiments.run_experiments(["conv_forecaster"], [0], TINY, tmp_path)
    path = tmp_path / "quick" / "conv_forecaster-tiny-seed0.json"
    assert written == [path]
    assert json.loads(path.read_text())["seed"] == 0

    def refuse(*args, **kwargs):
        raise AssertionError("an existing run was trained again")

    monkeypatch.setattr(recipe, "train_forecaster", refuse)
    assert experiments.run_experiments(["conv_forecaster"], [0], TINY, tmp_path) == []


def test_the_runner_and_a_chapter_get_the_same_record(tmp_path, tiny_weather):
    # A chapter calls the recipe itself; the runner calls it for every seed: same numbers.
    experiments.run_experiments(["gru"], [1], TINY, tmp_path)
    stored = results.load_results(tmp_path, "quick")[0]
    direct = recipe.train_forecaster("gru", weather.prepare_weather(tiny_weather), 1, TINY, time_step=False).record
    for field in ("history", "best_epoch", "best_value", "test", "baseline_val", "baseline_test", "parameters"):
        assert stored[field] == direct[field], field


@pytest.mark.parametrize(("arguments", "message"), [
    (dict(model_keys=["lstm"]), "lstm"),
    (dict(seeds=[-1]), r"`seeds\[0\]` must be an integer >= 0. Received: seeds\[0\]=-1"),
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
    records = {(r["kernel_size"], r["step"]): r for r in results.load_sweep(tmp_path, "quick")}
    impossible = records[(9, "6 hours")]
    assert "longer than the sequence" in impossible["error"] and "history" not in impossible
    trained = records[(3, "2 hours")]
    assert trained["error"] is None and trained["timesteps"] == 120 and trained["step_hours"] == 2.0
    assert trained["lead_hours"] == 24.0  # the same lead time at every step
    assert trained["baseline_val"] > 0 and len(trained["history"]["val_loss"]) == TINY.explorer_epochs
    assert experiments.run_experiments([], [0], TINY, tmp_path, sweep=True) == []


def test_timing_times_every_model_under_both_policies(tmp_path):
    record = experiments.run_timing(["conv_forecaster", "gru"], "merra2", 3, 96, rounds=2)
    json.dumps(record)
    assert record["kind"] == "timing" and record["timesteps"] == 96 and record["rounds"] == 2
    assert record["titles"] == {"conv_forecaster": "pure convnet", "gru": "GRU"}
    for model in ("conv_forecaster", "gru"):
        for policy in ("no_xla", "xla"):
            seconds = record["seconds"][model][policy]
            assert len(seconds) == 2 and all(np.isfinite(seconds)) and min(seconds) > 0


def test_timing_gives_every_model_of_a_dataset_one_length(tmp_path, tiny_weather, monkeypatch):
    """Reviews at `TIMING_WORDS` tokens whatever a model reads in training (the bag: 6,000 n-grams)."""
    calls = {}

    def timed(keys, dataset, num_features, timesteps):
        calls[dataset] = (keys, timesteps)
        return {"kind": "timing"}

    monkeypatch.setattr(experiments, "run_timing", timed)
    experiments.run_experiments([], [0], TINY, tmp_path, timing=True)
    assert {dataset: timesteps for dataset, (_, timesteps) in calls.items()} == {
        "imdb": registry.TIMING_WORDS, "imdb_text": registry.TIMING_WORDS, "tiny": registry.TIMING_TIMESTEPS}
    assert sorted(key for keys, _ in calls.values() for key in keys) == sorted(registry.MODELS)


def test_command_line(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(experiments, "run_experiments", lambda *args, **kwargs: calls.append((args, kwargs)) or [])
    experiments.main(["--models", "gru", "conv_gru", "--seeds", "4", "--profile", "quick", "--out", str(tmp_path),
                      "--sweep"])
    (model_keys, seeds, profile, folder), options = calls[0]
    assert (model_keys, seeds, profile.name, folder) == (["gru", "conv_gru"], [4], "quick", str(tmp_path))
    assert options == {"sweep": True, "timing": False}
    experiments.main([])
    (model_keys, seeds, _, folder), options = calls[1]
    assert (model_keys, seeds, folder, options) == (list(experiments.registry.MODELS), [0, 1, 2], None,
                                                    {"sweep": False, "timing": False})
    experiments.main(["--models", "--timing"])
    assert calls[2][0][0] == [] and calls[2][1]["timing"] is True


@pytest.mark.parametrize("seed", ["-1", "one", "1.5"])
def test_command_line_refuses_a_bad_seed_with_a_usage_message(seed, capsys, monkeypatch):
    monkeypatch.setattr(experiments, "run_experiments", lambda *args, **kwargs: pytest.fail("should not run"))
    with pytest.raises(SystemExit) as exit_info:
        experiments.main(["--seeds", "0", seed])
    assert exit_info.value.code == 2
    assert f"a seed must be an integer >= 0, not '{seed}'" in capsys.readouterr().err


def test_a_raw_text_model_reads_the_archive_through_its_vectorizer(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    words = np.array(["good", "great", "bad", "awful", "film", "plot", "the", "a"])
    texts = [" ".join(rng.choice(words, size=12)) for _ in range(5_600)]
    labels = np.array([int("good" in text or "great" in text) for text in texts])
    monkeypatch.setattr(review_texts, "read_review_texts", lambda: review_texts.ReviewTexts(
        texts, labels, texts[:300], labels[:300], "memory"))
    written = experiments.run_experiments(["text_ngram_convnet"], [0], TINY, tmp_path)
    assert written == [tmp_path / "quick" / "text_ngram_convnet-imdb_text-seed0.json"]
    record = json.loads(written[0].read_text())
    assert record["dataset"]["key"] == "imdb_text" and record["timesteps"] == 500
    assert record["window"].startswith("the first 500 words of each review (10-word vocabulary)")
    assert "600 training and 5,000 validation reviews, 300 test reviews" in record["window"]
