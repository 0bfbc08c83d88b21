import json

import keras
import numpy as np
import pytest

from seqlib import plots, training


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
    assert "validation loss" in labels and "common-sense baseline" in labels
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


def test_compile_forecaster_uses_xla_only_for_the_models_it_helps():
    from seqlib import models

    gru = training.compile_forecaster(models.build_gru(3, 24))
    conv = training.compile_forecaster(models.build_conv_forecaster(3, 120))
    assert gru.jit_compile is True and conv.jit_compile is False
    assert gru.loss == conv.loss == "mae"
    assert float(conv.optimizer.learning_rate) == pytest.approx(1e-3)
