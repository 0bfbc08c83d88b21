"""The worked convolution of chapter 1, checked against Keras's own layers, and its costs.

The module is light (no TensorFlow); these tests import Keras to prove that the numbers it
computes by hand are the ones the real layers compute.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from seqlib import convolution_by_hand as by_hand
from seqlib.convolution_by_hand import (
    BIAS,
    EMBEDDINGS,
    KERNEL,
    MOVED_SENTENCE,
    SENTENCE,
    compare_window_costs,
    conv1d_multiply_adds,
    conv2d_multiply_adds,
    describe_imdb_costs,
    describe_pooling,
    embed_words,
    global_max,
    imdb_multiply_adds,
    make_worked_convolution,
    max_pool,
    move_phrase,
    multiply_windows,
    plot_worked_convolution,
    recurrent_multiply_adds,
    slide_kernel,
)


def keras_layer_output(layer, values: np.ndarray) -> np.ndarray:
    """Run one Keras layer on one example (a batch of one) and drop the batch axis."""
    import keras

    return keras.ops.convert_to_numpy(layer(values[None].astype("float32")))[0]


def keras_conv1d(kernel: np.ndarray, bias: float, activation: str | None):
    """``Conv1D(1, width)`` over 2 channels, its weights set to ``kernel`` and ``bias``."""
    import keras

    layer = keras.layers.Conv1D(1, kernel.shape[0], activation=activation)
    layer.build((None, len(SENTENCE), kernel.shape[1]))
    layer.set_weights([kernel[:, :, None].astype("float32"), np.array([bias], "float32")])
    return layer


# --------------------------------------------------------------------- the worked example


def test_each_product_is_a_word_vector_times_a_kernel_row():
    vectors = embed_words(SENTENCE)
    assert vectors.tolist() == [list(EMBEDDINGS[word]) for word in SENTENCE]
    products = multiply_windows(vectors, KERNEL)
    assert products.shape == (len(SENTENCE) - 3 + 1, 3)  # 4 windows of 3 taps
    for position in range(4):
        for tap in range(3):
            expected = sum(vectors[position + tap, d] * KERNEL[tap, d] for d in range(2))
            assert products[position, tap] == pytest.approx(expected)
    sums = slide_kernel(vectors, KERNEL, BIAS, activation=None)
    np.testing.assert_allclose(sums, products.sum(axis=1) + BIAS)
    np.testing.assert_allclose(slide_kernel(vectors, KERNEL, BIAS), np.maximum(sums, 0))


@pytest.mark.parametrize("words", [SENTENCE, MOVED_SENTENCE])
def test_worked_numbers_equal_keras_conv1d(words):
    worked = make_worked_convolution(words)
    relu_layer = keras_conv1d(KERNEL, BIAS, activation="relu")
    linear_layer = keras_conv1d(KERNEL, BIAS, activation=None)
    np.testing.assert_allclose(keras_layer_output(relu_layer, worked.vectors)[:, 0],
                               worked.outputs, atol=1e-6)
    np.testing.assert_allclose(keras_layer_output(linear_layer, worked.vectors)[:, 0],
                               worked.sums, atol=1e-6)


def test_the_example_shows_what_relu_does():
    """Some windows are negative before the ReLU and zero after; the phrase wins."""
    worked = make_worked_convolution()
    assert (worked.sums < 0).any() and (worked.outputs[worked.sums < 0] == 0).all()
    assert worked.window_words(worked.strongest) == ("not", "very", "good")


def test_table_rows_hold_the_same_numbers_as_the_arrays():
    worked = make_worked_convolution()
    rows = worked.table()
    assert [row["words"] for row in rows] == [
        "the film was", "film was not", "was not very", "not very good"]
    for row in rows:
        assert row["products"] == pytest.approx(worked.products[row["position"]].tolist())
        assert row["sum"] == pytest.approx(sum(row["products"]) + BIAS)
        assert row["output"] == pytest.approx(max(row["sum"], 0.0))
    markdown = worked.to_markdown().splitlines()
    assert len(markdown) == 2 + len(rows)
    assert markdown[-1].startswith("| 3 | not very good |")
    assert f"**{worked.outputs[-1]:.2f}**" in markdown[-1]


@pytest.mark.parametrize("steps, channels", [(4, 1), (5, 1), (7, 3)])
def test_max_pool_and_global_max_equal_keras_pooling(steps, channels):
    import keras

    values = np.random.default_rng(steps).normal(size=(steps, channels))
    np.testing.assert_allclose(
        max_pool(values, 2), keras_layer_output(keras.layers.MaxPooling1D(2), values), atol=1e-6)
    np.testing.assert_allclose(
        global_max(values), keras_layer_output(keras.layers.GlobalMaxPooling1D(), values),
        atol=1e-6)
    # One channel given as a flat sequence: the same numbers.
    np.testing.assert_allclose(max_pool(values[:, 0], 2), max_pool(values, 2)[:, 0])
    assert global_max(values[:, 0]) == pytest.approx(values[:, 0].max())


def test_moving_the_phrase_keeps_the_global_max_and_moves_the_pooled_position():
    sentence, moved = move_phrase()
    phrase = ("not", "very", "good")
    assert sentence.window_words(sentence.strongest) == phrase
    assert moved.window_words(moved.strongest) == phrase
    assert sentence.strongest != moved.strongest  # the phrase stands elsewhere ...
    assert global_max(sentence.outputs) == global_max(moved.outputs)  # ... same max
    # The phrase's window gives the same output wherever it stands: the weights are shared.
    assert sentence.outputs[sentence.strongest] == moved.outputs[moved.strongest]
    # MaxPooling1D(2) keeps a coarse position: the strong value lands in another half.
    assert np.argmax(max_pool(sentence.outputs, 2)) != np.argmax(max_pool(moved.outputs, 2))
    table = describe_pooling([sentence, moved]).splitlines()
    assert len(table) == 4 and all("**1.70**" in line for line in table[2:])


def test_figure_has_a_titled_axes_and_renders():
    figure = plot_worked_convolution()
    assert isinstance(figure, Figure)
    assert all(axis.get_title() for axis in figure.axes)
    figure.savefig(io.BytesIO(), format="png")
    plot_worked_convolution(move_phrase()[1], highlight=0).savefig(io.BytesIO(), format="png")


# -------------------------------------------------------------------------------- costs


def test_multiply_adds_are_the_formulas():
    assert conv1d_multiply_adds(500, 7, 128, 32) == (500 - 7 + 1) * 7 * 128 * 32
    assert conv1d_multiply_adds(500, 7, 128, 32, padding="same") == 500 * 7 * 128 * 32
    assert conv2d_multiply_adds(28, 28, 3, 1, 32) == 26 * 26 * 3 * 3 * 1 * 32
    assert recurrent_multiply_adds(500, 32, 32, "lstm") == 500 * 4 * (32 + 32) * 32
    assert recurrent_multiply_adds(500, 32, 32, "gru") == 500 * 3 * (32 + 32) * 32


def test_imdb_counts_match_the_books_sizes():
    costs = imdb_multiply_adds()
    convnet, lstm = costs["imdb_convnet"], costs["imdb_lstm"]
    assert convnet["conv1d (first)"] == 494 * 7 * 128 * 32 == 14_163_968  # about 14 M
    assert convnet["conv1d (second)"] == 92 * 7 * 32 * 32  # 500 -> 494 -> 98 -> 92 steps
    assert lstm["lstm"] == 500 * 4 * (32 + 32) * 32 == 4_096_000  # about 4 M
    assert sum(convnet.values()) > 3 * sum(lstm.values())
    table = describe_imdb_costs()
    assert "14,163,968" in table and f"**{sum(lstm.values()):,}**" in table


def test_imdb_counts_equal_keras_output_shapes_times_kernel_weights():
    """Each output position uses every kernel weight once; each LSTM step every weight."""
    import keras

    from seqlib import models

    costs = imdb_multiply_adds()
    convolutions = [layer for layer in models.build_imdb_convnet().layers
                    if isinstance(layer, keras.layers.Conv1D)]
    for layer, name in zip(convolutions, ["conv1d (first)", "conv1d (second)"], strict=True):
        length_out = layer.compute_output_shape(layer.input.shape)[1]
        kernel_size, in_channels, filters = layer.kernel.shape
        assert costs["imdb_convnet"][name] == length_out * kernel_size * in_channels * filters
        assert costs["imdb_convnet"][name] == conv1d_multiply_adds(
            layer.input.shape[1], kernel_size, in_channels, filters)
    (recurrent,) = [layer for layer in models.build_imdb_lstm().layers
                    if isinstance(layer, keras.layers.LSTM)]
    steps = recurrent.input.shape[1]
    weights_per_step = int(np.prod(recurrent.cell.kernel.shape)
                           + np.prod(recurrent.cell.recurrent_kernel.shape))
    assert costs["imdb_lstm"]["lstm"] == steps * weights_per_step


def test_a_1d_window_of_nine_costs_what_a_3x3_window_costs():
    per_position_1d = conv1d_multiply_adds(9, 9, 32, 32)  # one output position
    per_position_2d = conv2d_multiply_adds(3, 3, 3, 32, 32)
    assert per_position_1d == per_position_2d == 9 * 32 * 32
    assert conv1d_multiply_adds(7, 7, 32, 32) == 7 * 32 * 32
    rows = compare_window_costs().splitlines()[2:]
    assert "| Conv1D, width 9 | 9 | 9,216 |" in rows and "| Conv2D, 3×3 | 9 | 9,216 |" in rows


# ---------------------------------------------------------------------- light and strict


def test_module_imports_neither_tensorflow_nor_keras():
    code = ("import sys, seqlib.convolution_by_hand; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: slide_kernel(embed_words(SENTENCE[:2]), KERNEL),
         r"`kernel` must be at most as wide as the sentence \(2 words\). "
         r"Received: kernel with shape \(3, 2\)"),
        (lambda: slide_kernel(embed_words(SENTENCE), np.ones((3, 3))),
         r"`kernel` must have one column per vector dimension \(2\). "
         r"Received: kernel with shape \(3, 3\)"),
        (lambda: slide_kernel(embed_words(SENTENCE), np.ones(3)),
         r"Received: kernel with shape \(3,\)"),
        (lambda: slide_kernel(embed_words(SENTENCE), KERNEL, activation="tanh"),
         "Received: activation='tanh'"),
        (lambda: embed_words(["the", "plot"]), "Received: 'plot'"),
        (lambda: max_pool(np.arange(4.0), 0), "Received: size=0"),
        (lambda: max_pool(np.arange(1.0), 2), r"Received: values with shape \(1,\)"),
        (lambda: global_max(np.array([])), r"Received: values with shape \(0,\)"),
        (lambda: move_phrase(SENTENCE, ("not", "good")), "Received: moved="),
        (lambda: plot_worked_convolution(highlight=4), "Received: highlight=4"),
        (lambda: conv1d_multiply_adds(5, 7, 1, 1), "Received: kernel_size=7, steps=5"),
        (lambda: conv1d_multiply_adds(5, 3, 0, 1), "Received: in_channels=0"),
        (lambda: conv2d_multiply_adds(2, 8, 3, 1, 1), "Received: kernel_size=3, height=2"),
        (lambda: recurrent_multiply_adds(5, 2, 2, cell="rnn"), "Received: cell='rnn'"),
        (lambda: compare_window_costs(widths_1d=(0,)), r"Received: window_sizes\[0\]=0"),
    ],
)
def test_bad_inputs_name_the_received_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_public_names_are_documented_and_say_where_they_are_introduced():
    for name in by_hand.__all__:
        value = getattr(by_hand, name)
        if callable(value):
            assert "Introduced in chapter 1" in (value.__doc__ or ""), name
