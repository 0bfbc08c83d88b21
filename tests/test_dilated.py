"""Chapter 4: the dilated causal forecaster, the reach of a stack's output, the dilation explorer."""

from pathlib import Path

import ipywidgets as widgets
import keras
import numpy as np
import pytest

from seqlib import explorers, models, plots, registry, results, tables
from seqlib.receptive_field import Stage, dilated_geometry, reaching_positions, receptive_field, sequence_lengths



def _convolutions(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]


# The builder ------------------------------------------------------------------------------


def test_default_stack_has_the_expected_size_and_covers_ten_hourly_days():
    model = models.build_dilated_causal_forecaster(14, timesteps=240)
    assert model.name == "dilated_causal"
    # kernel 2: 14 -> 16 channels, then seven 16 -> 16 layers, then Dense(1).
    assert model.count_params() == (2 * 14 * 16 + 16) + 7 * (2 * 16 * 16 + 16) + 17 == 4_177
    assert [layer.dilation_rate for layer in _convolutions(model)] == [(rate,) for rate in models.DILATION_RATES]
    assert receptive_field(models.dilated_causal_stages()) == 256 >= 240
    samples = np.random.default_rng(0).normal(size=(3, 240, 14)).astype("float32")
    assert model.predict(samples, verbose=0).shape == (3, 1)


def test_without_timesteps_the_model_reads_any_length():
    model = models.build_dilated_causal_forecaster(3, dilation_rates=(1, 2))
    for timesteps in (5, 50):
        assert model.predict(np.zeros((2, timesteps, 3)), verbose=0).shape == (2, 1)


def test_the_causal_stack_never_reads_the_future():
    """Changing the inputs from step 30 on leaves every earlier output of every layer as it was."""
    keras.utils.set_random_seed(0)
    model = models.build_dilated_causal_forecaster(4, timesteps=60, filters=8, kernel_size=3, dilation_rates=(1, 2, 4))
    stack = keras.Model(model.input, [layer.output for layer in _convolutions(model)])
    rng = np.random.default_rng(0)
    samples = rng.normal(size=(2, 60, 4)).astype("float32")
    changed = samples.copy()
    changed[:, 30:] = rng.normal(size=(2, 30, 4))
    for before, after in zip(stack.predict(samples, verbose=0), stack.predict(changed, verbose=0)):
        np.testing.assert_array_equal(before[:, :30], after[:, :30])
        assert not np.allclose(before[:, 30:], after[:, 30:])


def test_the_forecast_depends_on_exactly_the_last_receptive_field_steps():
    """Probe each input step of the real builder (ones as weights): the forecast moves iff the step is in the field."""
    model = models.build_dilated_causal_forecaster(1, timesteps=40, filters=1, kernel_size=2, dilation_rates=(1, 2, 4))
    model.set_weights([np.ones_like(w) if w.ndim > 1 else np.zeros_like(w) for w in model.get_weights()])
    probes = np.eye(40, dtype="float32")[:, :, None]
    moved = np.flatnonzero(model.predict(probes, verbose=0)[:, 0] != 0).tolist()
    field = receptive_field(models.dilated_causal_stages(2, (1, 2, 4)))
    assert moved == list(range(40 - field, 40)) == np.flatnonzero(
        reaching_positions(models.dilated_causal_stages(2, (1, 2, 4)), 40, causal=True)[0]).tolist()


def test_the_books_convnet_never_reads_the_newest_eight_steps():
    """Its two MaxPooling1D(3) drop remainders: steps 232-239 of a 240-step window reach no output."""
    keras.utils.set_random_seed(0)
    model = models.build_conv_forecaster(14, timesteps=240)
    samples = np.random.default_rng(0).normal(size=(4, 240, 14)).astype("float32")
    changed = samples.copy()
    changed[:, 232:] = 100.0
    np.testing.assert_array_equal(model.predict(samples, verbose=0), model.predict(changed, verbose=0))
    assert np.flatnonzero(reaching_positions(models.conv_forecaster_stages(), 240, output_index=None)[0])[-1] == 231


# The reach of an output, against brute force -----------------------------------------------


def _brute_force_reach(stages, timesteps, output_index, causal):
    """For each level, probe every position through a Keras copy of the rest of the stack (ones as weights)."""
    lengths = [timesteps] * (len(stages) + 1) if causal else [timesteps, *sequence_lengths(timesteps, stages)]
    masks = []
    for level, length in enumerate(lengths):
        probes = np.eye(length, dtype="float32")[:, :, None]  # probe i: a single 1 at position i
        if level < len(stages):
            inputs = keras.Input(shape=(length, 1))
            x = inputs
            for stage in stages[level:]:
                x = (keras.layers.MaxPooling1D(stage.size)(x) if stage.kind == "pool" else keras.layers.Conv1D(
                    1, stage.size, dilation_rate=stage.dilation, padding="causal" if causal else "valid",
                    kernel_initializer="ones", bias_initializer="zeros")(x))
            probes = keras.Model(inputs, x).predict(probes, verbose=0)
        outputs = probes[:, :, 0]
        traced = outputs if output_index is None else outputs[:, [output_index]]
        masks.append((traced != 0).any(axis=1))
    return masks


@pytest.mark.parametrize(
    ("stages", "timesteps", "output_index", "causal"),
    [
        (models.conv_forecaster_stages(), 240, -1, False),
        (models.conv_forecaster_stages(), 240, None, False),
        (models.conv_gru_stages(), 100, 10, False),
        ([Stage("conv", 3, 2), Stage("pool", 2), Stage("conv", 2, 3)], 50, -1, False),
        (models.dilated_causal_stages(), 240, -1, True),
        (models.dilated_causal_stages(3, (1, 2, 4)), 30, 5, True),
        (models.dilated_causal_stages(2, (4, 1, 2)), 30, None, True),
    ],
)
def test_reaching_positions_match_brute_force(stages, timesteps, output_index, causal):
    expected = _brute_force_reach(stages, timesteps, output_index, causal)
    found = reaching_positions(stages, timesteps, output_index, causal)
    assert [mask.tolist() for mask in found] == [mask.tolist() for mask in expected]


def test_reach_counts_of_the_three_stacks():
    count = lambda masks: [int(mask.sum()) for mask in masks]  # noqa: E731
    assert count(reaching_positions(models.conv_forecaster_stages(), 240)) == [61, 57, 19, 15, 5, 1]
    assert count(reaching_positions(models.conv_gru_stages(), 240)) == [19, 15, 5, 1]
    assert count(reaching_positions(models.dilated_causal_stages(), 240, causal=True)) == [
        240, 120, 60, 30, 15, 8, 4, 2, 1]


def test_plot_reach_draws_one_row_per_level():
    figure = plots.plot_reach(models.dilated_causal_stages(), 240, causal=True, title="dilated")
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels[0] == "input" and labels[-1] == "conv 2, dilation 128" and len(labels) == 9


# Bad inputs: what was wrong, and what to do ------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(kernel_size=0), r"`kernel_size` must be an integer >= 1\. Received: kernel_size=0"),
        (dict(filters=-1), r"`filters` must be an integer >= 1\. Received: filters=-1"),
        (dict(dilation_rates=(1, 0, 4)), r"`dilation_rates\[1\]` must be an integer >= 1\. Received: dilation_rates\[1\]=0"),
        (dict(dilation_rates=()), r"`dilation_rates` must name at least one layer"),
        (dict(timesteps=100), r"dilation 128 spans 129 steps .*\(timesteps=100\).*Use smaller dilation rates or kernel, "
                              r"or a longer window"),
        (dict(timesteps=240, kernel_size=3), r"dilation 128 spans 257 steps"),
    ],
)
def test_builder_refuses_bad_settings_and_says_why(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.build_dilated_causal_forecaster(14, **kwargs)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: reaching_positions([Stage("conv", 2), Stage("pool", 2)], 20, causal=True), "only 'conv' stages"),
        (lambda: reaching_positions(models.conv_gru_stages(), 100, output_index=30), r"the 28 outputs .* output_index=30"),
        (lambda: reaching_positions(models.conv_gru_stages(), 0), r"`timesteps` must be an integer >= 1"),
        (lambda: reaching_positions(models.conv_gru_stages(), 4), r"stage 1 \(kernel_size=5\)"),
        (lambda: reaching_positions([Stage("conv", 2, 0)], 10, causal=True), r"`stages\[0\].dilation`"),
    ],
)
def test_reaching_positions_refuses_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# The explorer ------------------------------------------------------------------------------


def test_dilated_geometry_of_the_chapters_model():
    shape = dilated_geometry(2, models.DILATION_RATES)
    assert shape["receptive_field"] == 256 and shape["window_seen"] == 240
    assert shape["parameters"] == 4_177 and len(shape["stages"]) == 8
    # The formula counts what Keras builds.
    for kernel_size, rates in ((2, models.DILATION_RATES), (3, (1, 2, 4)), (4, (1, 4))):
        assert (dilated_geometry(kernel_size, rates)["parameters"]
                == models.build_dilated_causal_forecaster(14, 240, kernel_size=kernel_size,
                                                          dilation_rates=rates).count_params())
    assert dilated_geometry(3, (1, 2, 4))["window_seen"] == 15


def test_dilated_geometry_refuses_a_kernel_wider_than_the_window():
    with pytest.raises(ValueError, match="dilation 128 spans 257 steps"):
        dilated_geometry(3, models.DILATION_RATES)


def test_dilation_explorer_redraws_at_once_and_shows_bad_settings_as_messages():
    explorer = explorers.make_dilation_explorer()
    (kernel, rates), summary, output = explorer.children[0].children, explorer.children[1], explorer.children[2]
    assert "<b>240</b> of the window's 240 timesteps" in summary.value
    assert "image/png" in output.outputs[0]["data"]
    for text, shown in (("1, two, 4", "whole numbers separated by commas"), ("1, 2, 256", "dilation 256 spans 257 steps")):
        rates.value = text
        assert "Cannot run these settings" in output.outputs[0]["data"]["text/html"]
        assert shown in output.outputs[0]["data"]["text/html"] and summary.value == ""
    rates.value, kernel.value = "1, 2, 4", 3
    assert "<b>15</b> of the window's" in summary.value and "image/png" in output.outputs[0]["data"]
    assert isinstance(explorer, widgets.VBox)


# The chapter's comparison cell, with and without results ----------------------------------


def _forecaster_rows(folder):
    forecasters = registry.models_reading(registry.WINDOWS)
    return [row for row in results.summarise(results.load_results(folder, "full", order=forecasters))
            if row["model"] in forecasters and row["dataset"] == "merra2"]


def test_comparison_says_it_awaits_the_experiments_without_results(tmp_path):
    text = tables.forecaster_comparison(_forecaster_rows(tmp_path), "MERRA-2 stand-in")
    assert "No results yet for MERRA-2 stand-in" in text and "python -m seqlib.experiments" in text


def test_comparison_tabulates_results_with_a_verdict(tmp_path):
    for model, value, seconds in (("conv_forecaster", 0.35, 3.0), ("gru", 0.26, 30.0), ("dilated_causal", 0.28, 20.0)):
        for seed in (0, 1):
            record = {"model": model, "title": registry.get_model(model).title, "seed": seed,
                      "profile": "full", "metric": "mae", "epoch_seconds": [1.0],
                      "dataset": {"key": "merra2", "title": "MERRA-2 stand-in"},
                      "best_value": value + seed / 100, "test": value, "baseline_val": 0.30, "baseline_test": 0.31,
                      "best_epoch": 3, "seconds_per_epoch": seconds, "seconds_per_batch": 0.01,
                      "parameters": 1000, "timesteps": 240}
            results.write_json_atomic(results.run_path(tmp_path, "full", model, "merra2", seed), record)
    other = dict(record, dataset={"key": "jena", "title": "Jena"})  # another dataset: left out
    results.write_json_atomic(results.run_path(tmp_path, "full", "conv_gru", "jena", 0), other)
    table = tables.forecaster_comparison(_forecaster_rows(tmp_path), "MERRA-2 stand-in")
    assert "GRU" in table and "dilated causal" in table and "conv+GRU" not in table
    assert "0.265 (0.260–0.270)" in table and "lowest mean validation MAE: **GRU**" in table
    assert "no clear winner" not in table and "no other range overlaps it" in table
