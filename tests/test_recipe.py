"""Tests of seqlib.recipe: the one recipe, on a tiny series and tiny reviews."""

import json
import math

import numpy as np
import pytest

from seqlib import feed, imdb, models, recipe, registry, training, weather

from synthetic import TINY, tiny_reviews, tiny_series

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


@pytest.fixture(scope="module")
def tiny_weather():
    return weather.prepare_weather(tiny_series())


def test_every_forecaster_reads_the_chapters_windows():
    hourly, ten_minutes = np.timedelta64(1, "h"), np.timedelta64(10, "m")
    assert registry.get_model("conv_forecaster").window_spec(hourly).timesteps == 240
    assert registry.get_model("gru").window_spec(ten_minutes).step == 6
    hybrid_hourly = registry.get_model("conv_gru").window_spec(hourly)  # no half-hour rows: 20 days at 1 hour
    assert (hybrid_hourly.lookback, hybrid_hourly.step, hybrid_hourly.timesteps) == (480, 1, 480)
    hybrid_jena = registry.get_model("conv_gru").window_spec(ten_minutes)  # 10 days at 30 minutes
    assert (hybrid_jena.lookback, hybrid_jena.step, hybrid_jena.timesteps) == (1440, 3, 480)
    for key in registry.models_reading(registry.WINDOWS):
        assert registry.get_model(key).window_spec(hourly).delay == 24  # 24 hours after the last reading
    with pytest.raises(ValueError, match="'imdb_convnet' reads word_ids, not windows"):
        registry.get_model("imdb_convnet").window_spec(hourly)
    with pytest.raises(ValueError, match="Unknown model 'lstm'"):
        registry.get_model("lstm")


def test_train_forecaster_records_everything(tiny_weather):
    run = recipe.train_forecaster("conv_forecaster", tiny_weather, 0, TINY)
    record = run.record
    json.dumps(record)  # plain data
    assert record["model"] == "conv_forecaster" and record["title"] == "pure convnet"
    assert record["seed"] == 0 and record["profile"] == "quick" and record["jit_compile"] is False
    assert record["dataset"] == {"key": "tiny", "title": "a tiny synthetic series"}
    assert record["metric"] == "mae" and record["monitor"] == "val_loss"
    assert record["max_epochs"] == 2 and record["patience"] == 1 and record["lead_hours"] == 24.0
    assert len(record["history"]["val_loss"]) == len(record["epoch_seconds"]) <= 2
    assert record["stopped_early"] == (len(record["epoch_seconds"]) < 2)
    for field in ("best_value", "test", "baseline_val", "baseline_test", "seconds_per_epoch", "seconds_per_batch"):
        assert math.isfinite(record[field]) and record[field] > 0, field
    assert record["timesteps"] == 240 and record["timing_timesteps"] == registry.TIMING_TIMESTEPS
    assert record["parameters"] == run.model.count_params() == models.build_conv_forecaster(3, 240).count_params()
    assert "240 timesteps" in record["window"]
    # The model is left with its best epoch's weights: they score the best validation MAE.
    spec = registry.get_model("conv_forecaster").window_spec(np.timedelta64(1, "h"))
    _, val, _ = feed.make_windows(tiny_weather.data, spec, tiny_weather.splits, 0, steps_per_epoch=2,
                                  max_eval_batches=1)
    assert run.model.evaluate(val.dataset(), verbose=0) == pytest.approx(record["best_value"], rel=1e-5)


def test_the_recipe_is_the_steps_chapter_2_shows(tiny_weather):
    """Chapter 2 trains its convnet step by step once, then names the steps `recipe.train_forecaster`."""
    entry = registry.get_model("conv_forecaster")
    spec = entry.window_spec(tiny_weather.series.period)
    train, val, test = feed.make_windows(tiny_weather.data, spec, tiny_weather.splits, 0,
                                         steps_per_epoch=TINY.steps_per_epoch, seed=0,
                                         max_eval_batches=TINY.max_eval_batches)
    training.set_seed(0)
    model = training.compile_model(entry.build(tiny_weather.series.num_features, spec.timesteps), entry)
    fit = training.fit_model(model, train.dataset(), epochs=TINY.weather_max_epochs, patience=TINY.patience,
                             validation_data=val.dataset())
    by_hand = (fit.history, model.evaluate(test.dataset(), verbose=0))
    run = recipe.train_forecaster("conv_forecaster", tiny_weather, 0, TINY, time_step=False)
    assert (run.fit.history, run.record["test"]) == by_hand  # exactly the same run


def test_train_forecaster_refuses_an_imdb_model(tiny_weather):
    with pytest.raises(ValueError, match="'imdb_lstm' reads word_ids, not windows"):
        recipe.train_forecaster("imdb_lstm", tiny_weather, 0, TINY)


def test_train_classifier_uses_the_books_split():
    record = recipe.train_classifier("imdb_convnet", tiny_reviews(), 0, TINY).record
    assert record["metric"] == "accuracy" and record["monitor"] == "val_accuracy" and record["mode"] == "max"
    assert "48 training and 12 validation reviews, 20 test reviews" in record["window"]
    assert 0 <= record["test"] <= 1 and record["baseline_test"] is None and record["seconds_per_batch"] > 0
    assert record["dataset"] == {"key": "imdb", "title": registry.get_dataset("imdb").title} and record["parameters"] == 1_315_937
    assert record["learning_rate"] == 1e-4 and record["timing_timesteps"] == 50


def test_the_lstm_is_section_6_2s():
    model = models.build_imdb_lstm()
    # Embedding 10,000 x 32; LSTM(32): 4 * (32 * (32 + 32) + 32); Dense: 32 + 1.
    assert model.count_params() == 10_000 * 32 + 4 * (32 * 64 + 32) + 33
    record = recipe.train_classifier("imdb_lstm", tiny_reviews(), 0, TINY, time_step=False).record
    assert record["title"] == "IMDB LSTM (section 6.2)" and record["learning_rate"] == 1e-3


def test_train_classifier_refuses_a_bad_length():
    with pytest.raises(ValueError, match=r"`maxlen` must be an integer between 1 and 50. Received: maxlen=60"):
        recipe.train_classifier("imdb_convnet", tiny_reviews(), 0, TINY, maxlen=60)
    with pytest.raises(ValueError, match="'gru' reads windows, not reviews"):
        recipe.train_classifier("gru", tiny_reviews(), 0, TINY)
