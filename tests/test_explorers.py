import ipywidgets as widgets
import numpy as np
import pytest
from synthetic import TINY, tiny_series

from seqlib import explorers, imdb, receptive_field, static_explorers, weather

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


@pytest.fixture(scope="module")
def tiny_reviews():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 40, size=(80, 60))
    y = ((x[:, -10:] < 10).sum(axis=1) > 2).astype("float32")  # a learnable pattern in the last words
    return imdb.Reviews(x[:48], y[:48], x[48:64], y[48:64], x[64:], y[64:])


def test_imdb_trial_trains_with_the_requested_settings(tiny_reviews):
    figure = explorers.imdb_trial(tiny_reviews, kernel_size=3, maxlen=50, profile=TINY)
    assert len(figure.axes) == 2 and "kernel size 3, last 50 words" in figure.texts[0].get_text()


@pytest.mark.parametrize(
    ("kernel_size", "maxlen", "message"),
    [(25, 20, "kernel_size=25"), (7, 61, "maxlen=61"), (7, 0, "maxlen=0")],
)
def test_imdb_trial_refuses_impossible_settings(tiny_reviews, kernel_size, maxlen, message):
    with pytest.raises(ValueError, match=message):
        explorers.imdb_trial(tiny_reviews, kernel_size=kernel_size, maxlen=maxlen, profile=TINY)


def _press_train(explorer):
    controls, output = explorer.children[0], explorer.children[-1]
    button = next(child for child in controls.children if isinstance(child, widgets.Button))
    button.click()
    return output


def test_imdb_explorer_shows_a_message_not_a_traceback(tiny_reviews):
    explorer = explorers.make_imdb_explorer(tiny_reviews, TINY, kernel_sizes=(3, 25), maxlens=(20, 50))
    kernel, maxlen = explorer.children[0].children[:2]
    kernel.value, maxlen.value = 25, 20
    output = _press_train(explorer)
    shown = output.outputs[0]["data"]
    assert "Cannot run these settings" in shown["text/html"] and "kernel_size=25" in shown["text/html"]
    assert not any(o.get("output_type") == "error" for o in output.outputs)


def test_imdb_explorer_plots_a_valid_run(tiny_reviews):
    explorer = explorers.make_imdb_explorer(tiny_reviews, TINY, kernel_sizes=(3,), maxlens=(50,))
    output = _press_train(explorer)
    assert output.outputs and "image/png" in output.outputs[0]["data"]


def test_conv_geometry_of_the_books_setting():
    shape = receptive_field.conv_geometry("10 days", "1 hour", 5, np.timedelta64(1, "h"))
    assert shape == {"timesteps": 240, "lengths": [236, 78, 74, 24, 20], "receptive_field": 61, "field_hours": 61.0}
    jena = receptive_field.conv_geometry("10 days", "1 hour", 5, np.timedelta64(10, "m"))
    assert jena["timesteps"] == 240 and jena["field_hours"] == 61.0


@pytest.mark.parametrize(
    ("step", "kernel_size", "message"),
    [("30 min", 5, "30 min"), ("12 hours", 9, "kernel_size=9"), ("11 days", 5, "step")],
)
def test_conv_geometry_refuses_impossible_settings(step, kernel_size, message):
    with pytest.raises(ValueError, match=message):
        receptive_field.conv_geometry("10 days", step, kernel_size, np.timedelta64(1, "h"))


@pytest.fixture(scope="module")
def tiny_weather():
    return weather.prepare_weather(tiny_series())


def test_forecaster_trial_plots_the_fit_against_the_baseline_on_the_same_windows(tiny_weather):
    figure = explorers.forecaster_trial("conv_forecaster", tiny_weather, TINY, "2 hours", kernel_size=3)
    title = figure.texts[0].get_text()
    assert "pure convnet, kernel size 3, 10 days at step 2 hours" in title and "120 timesteps" in title
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert "common-sense baseline" in labels


def test_conv_explorer_describes_and_refuses_in_the_widget(tiny_weather):
    explorer = explorers.make_conv_explorer(tiny_weather, TINY)
    (kernel, step, _), geometry, output = explorer.children[0].children, explorer.children[1], explorer.children[2]
    assert "240</b> timesteps" in geometry.value and "61</b> timesteps" in geometry.value
    kernel.value = 7
    field = receptive_field.receptive_field(receptive_field.conv_forecaster_stages(7))
    assert f"{field}</b> timesteps" in geometry.value
    step.value = "30 min"
    assert "Cannot use these settings" in geometry.value
    _press_train(explorer)
    assert "Cannot run these settings" in output.outputs[0]["data"]["text/html"]


def test_step_explorer_refuses_a_step_finer_than_the_data(tiny_weather):
    explorer = explorers.make_step_explorer(tiny_weather, TINY, lookback="4 days")
    step = explorer.children[0].children[0]
    step.value = "30 min"
    output = _press_train(explorer)
    assert "30 min" in output.outputs[0]["data"]["text/html"]
    step.value = "2 hours"
    output = _press_train(explorer)
    assert "image/png" in output.outputs[0]["data"]


def _sweep_record(kernel_size, step, step_hours, error=None):
    record = {"kernel_size": kernel_size, "step": step, "step_hours": step_hours, "error": error,
              "dataset": {"key": "tiny", "title": "tiny"}}
    if error is None:
        record.update(history={"loss": [0.5, 0.4], "val_loss": [0.45, 0.42]}, epoch_seconds=[1.0, 0.8],
                      monitor="val_loss", mode="min", baseline_val=0.35, timesteps=int(240 / step_hours))
    return record


def test_sweep_explorer_switches_precomputed_figures_in_the_browser():
    records = [_sweep_record(5, "1 hour", 1.0), _sweep_record(5, "12 hours", 12.0, error="kernel too long"),
               _sweep_record(3, "1 hour", 1.0)]  # (3, "12 hours") was not run
    explorer = static_explorers.make_sweep_explorer(records)
    (kernel, step), figures = explorer.children[0].children, explorer.children[1]
    assert kernel.options == (3, 5) and step.options == ("1 hour", "12 hours")  # steps in time order
    assert (kernel.value, step.value) == (5, "1 hour")
    assert figures.selected_index == kernel.index and len(figures.children) == 2
    shown = {(k, s): figures.children[i].children[j].outputs[0]["data"]
             for i, k in enumerate(kernel.options) for j, s in enumerate(step.options)}
    assert "image/png" in shown[5, "1 hour"] and "image/png" in shown[3, "1 hour"]
    assert "kernel too long" in shown[5, "12 hours"]["text/html"]
    assert "no result for this setting" in shown[3, "12 hours"]["text/html"]

    links = [state["state"] for state in widgets.Widget.get_manager_state()["state"].values()
             if state["model_name"] == "LinkModel"]
    linked = {(tuple(link["source"]), tuple(link["target"])) for link in links}
    assert ((f"IPY_MODEL_{kernel.model_id}", "index"), (f"IPY_MODEL_{figures.model_id}", "selected_index")) in linked
    for stack in figures.children:
        assert ((f"IPY_MODEL_{step.model_id}", "index"), (f"IPY_MODEL_{stack.model_id}", "selected_index")) in linked


def test_sweep_explorer_refuses_no_records_and_mixed_datasets():
    with pytest.raises(ValueError, match="--sweep"):
        static_explorers.make_sweep_explorer([])
    other = {**_sweep_record(3, "1 hour", 1.0), "dataset": {"key": "other", "title": "other"}}
    with pytest.raises(ValueError, match="one dataset"):
        static_explorers.make_sweep_explorer([_sweep_record(3, "1 hour", 1.0), other])
