import json

import keras
import numpy as np
import pytest

from seqlib import plots, registry, training

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


def _tiny_regression(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32")).astype("float32")
    return x, y


def _fit(seed, epochs=3):
    training.set_seed(seed)
    x, y = _tiny_regression(0)
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(inputs)))
    model.compile(optimizer="rmsprop", loss="mae")
    return model, training.fit_model(model, x[:48], y[:48], epochs=epochs, batch_size=16,
                                     validation_data=(x[48:], y[48:]))


def test_fit_model_reports_history_timing_and_best_epoch():
    _, result = _fit(0)
    assert result.epochs == 3
    assert len(result.epoch_seconds) == 3 and all(s > 0 for s in result.epoch_seconds)
    assert set(result.history) >= {"loss", "val_loss"}
    assert result.best_value == min(result.history["val_loss"])
    assert result.history["val_loss"][result.best_epoch - 1] == result.best_value
    json.dumps(result.to_dict())  # plain data


def test_restore_best_leaves_the_best_epochs_weights():
    model, result = _fit(1, epochs=4)
    x, y = _tiny_regression(0)
    assert model.evaluate(x[48:], y[48:], verbose=0) == pytest.approx(result.best_value, rel=1e-5)


def test_same_seed_same_metrics_on_cpu():
    assert _fit(7)[1].history == _fit(7)[1].history


def test_fit_model_refuses_runs_without_validation():
    x, y = _tiny_regression(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mae")
    with pytest.raises(ValueError, match="validation"):
        training.fit_model(model, x, y, epochs=1)
    with pytest.raises(ValueError, match="epochs=0"):
        training.fit_model(model, x, y, epochs=0, validation_split=0.2)


def test_set_seed_refuses_negative():
    with pytest.raises(ValueError, match="seed=-1"):
        training.set_seed(-1)


def test_plot_history_returns_a_figure_with_the_baseline():
    _, result = _fit(0)
    figure = plots.plot_history(result, baseline=0.5, title="tiny")
    axis = figure.axes[0]
    labels = [line.get_label() for line in axis.get_lines()]
    assert "validation" in labels and "common-sense baseline" in labels
    assert plots.plot_history(result, labels={"loss": plots.MAE_LABEL}).axes[0].get_ylabel() == plots.MAE_LABEL
    with pytest.raises(ValueError, match="accuracy"):
        plots.plot_history(result, metrics=("accuracy",))


def test_plot_comparison_and_series():
    figure = plots.plot_comparison({"baseline": 0.35, "conv": 0.52}, ylabel="MAE", reference=0.35)
    assert len(figure.axes[0].patches) == 2
    t = np.arange("2020-01-01", "2020-01-11", dtype="datetime64[h]")
    assert plots.plot_series(t, np.arange(len(t)), ylabel="T").axes
    with pytest.raises(ValueError, match="same length"):
        plots.plot_series(t, np.arange(3), ylabel="T")


def test_seconds_per_batch_times_a_training_step():
    model, _ = _fit(0, epochs=1)
    x, y = _tiny_regression(0)
    seconds = training.seconds_per_batch(model, x[:16], y[:16], repeats=3)
    assert 0 < seconds < 5
    with pytest.raises(ValueError, match="repeats=0"):
        training.seconds_per_batch(model, x[:16], y[:16], repeats=0)


def test_compile_model_follows_the_registry_and_one_compile_policy():
    from seqlib import models

    gru = training.compile_model(models.build_gru(3, 24), registry.get_model("gru"))
    conv = training.compile_model(models.build_conv_forecaster(3, 120), registry.get_model("conv_forecaster"))
    imdb = training.compile_model(models.build_imdb_convnet(num_words=50, maxlen=100), registry.get_model("imdb_convnet"))
    assert gru.jit_compile is conv.jit_compile is imdb.jit_compile is training.JIT_COMPILE is False
    assert gru.loss == conv.loss == "mae" and imdb.loss == "binary_crossentropy"
    assert float(conv.optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(imdb.optimizer.learning_rate) == pytest.approx(1e-4)
    xla = training.compile_model(models.build_gru(3, 24), registry.get_model("gru"), jit_compile=True)
    assert xla.jit_compile is True


def test_patience_stops_a_run_that_no_longer_improves():
    x, y = _tiny_regression(0)
    training.set_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mae")  # learns nothing: never improves
    result = training.fit_model(model, x[:48], y[:48], epochs=10, patience=2, validation_data=(x[48:], y[48:]))
    assert result.epochs == 3 and result.best_epoch == 1 and result.stopped_early
    assert result.to_dict()["stopped_early"] is True and result.to_dict()["patience"] == 2
    with pytest.raises(ValueError, match="patience=0"):
        training.fit_model(model, x, y, epochs=1, patience=0, validation_split=0.2)


def test_step_seconds_goes_round_every_model():
    model, _ = _fit(0, epochs=1)
    x, y = _tiny_regression(0)
    seconds = training.step_seconds({"a": (model, x[:16], y[:16]), "b": (model, x[:8], y[:8])}, rounds=2, repeats=2)
    assert list(seconds) == ["a", "b"] and all(len(v) == 2 and min(v) > 0 for v in seconds.values())
    with pytest.raises(ValueError, match="rounds=0"):
        training.step_seconds({"a": (model, x[:16], y[:16])}, rounds=0)


def test_plot_forecasts_draws_the_truth_and_every_forecast():
    t = np.arange("2020-01-01", "2020-01-08", dtype="datetime64[h]")
    figure = plots.plot_forecasts(t, np.arange(len(t)), {"model": np.zeros(len(t))}, ylabel="T")
    assert [line.get_label() for line in figure.axes[0].get_lines()] == ["truth", "model"]
    with pytest.raises(ValueError, match="'model' has 3 values"):
        plots.plot_forecasts(t, np.arange(len(t)), {"model": np.zeros(3)}, ylabel="T")
