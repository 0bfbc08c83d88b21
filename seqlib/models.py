"""Builders of the book's Keras models (uncompiled Functional models).

Each builder returns the architecture of section 6.4 (or of the GRU it is compared
with, from section 6.3), with today's Keras 3 API. The chapters compile and train them.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from seqlib.receptive_field import Stage, sequence_lengths

__all__ = [
    "build_imdb_convnet",
    "build_conv_forecaster",
    "build_conv_gru",
    "build_gru",
    "conv_forecaster_stages",
    "conv_gru_stages",
    "imdb_convnet_stages",
    "DILATION_RATES",
    "build_dilated_causal_forecaster",
    "dilated_causal_stages",
]

# Chapter 4's default dilations: doubling from 1 to 128, so that kernel-2 layers see
# 256 steps, more than the 240-step windows (10 days at 1 hour) of chapters 2-3.
DILATION_RATES = (1, 2, 4, 8, 16, 32, 64, 128)


def _check_positive(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")


def imdb_convnet_stages(kernel_size: int = 7, pool_size: int = 5) -> list[Stage]:
    """The convolution and pooling stages of ``build_imdb_convnet`` (before global pooling)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size), Stage("conv", kernel_size)]


def conv_forecaster_stages(kernel_size: int = 5, pool_size: int = 3) -> list[Stage]:
    """The stages of ``build_conv_forecaster`` (before global pooling)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size)] * 2 + [Stage("conv", kernel_size)]


def conv_gru_stages(kernel_size: int = 5, pool_size: int = 3) -> list[Stage]:
    """The convolutional front-end of ``build_conv_gru`` (what feeds the GRU)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size), Stage("conv", kernel_size)]


def build_imdb_convnet(
    num_words: int = 10_000,
    maxlen: int = 500,
    embedding_dim: int = 128,
    filters: int = 32,
    kernel_size: int = 7,
    pool_size: int = 5,
    output_activation: str | None = "sigmoid",
) -> keras.Model:
    """The book's IMDB classifier: embedding, two Conv1D layers, a sigmoid output.

    With the defaults it has 1,315,937 parameters, like the 2017 model. Unlike the 2017
    model, the output has a sigmoid: ``Dense(1)`` without it, under binary
    cross-entropy, trains on raw scores that are not probabilities. Pass
    ``output_activation=None`` to rebuild the 2017 model and study that bug.

    Raises:
        ValueError: if a size is not a positive integer, or the kernels and pooling do
            not fit in ``maxlen``.
    """
    _check_positive(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                    filters=filters, kernel_size=kernel_size, pool_size=pool_size)
    sequence_lengths(maxlen, imdb_convnet_stages(kernel_size, pool_size))
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")
    x = layers.Embedding(num_words, embedding_dim)(inputs)
    x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
    x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    outputs = layers.Dense(1, activation=output_activation, name="positive_probability")(x)
    return keras.Model(inputs, outputs, name="imdb_convnet")


def build_conv_forecaster(
    num_features: int,
    timesteps: int | None = None,
    filters: int = 32,
    kernel_size: int = 5,
    pool_size: int = 3,
) -> keras.Model:
    """The book's pure convnet forecaster: three Conv1D layers, global max pooling.

    Args:
        num_features: columns of the weather series.
        timesteps: window length, if known (checked against the kernels).

    Raises:
        ValueError: for non-positive sizes, or kernels longer than the sequence.
    """
    _check_positive(num_features=num_features, timesteps=timesteps, filters=filters,
                    kernel_size=kernel_size, pool_size=pool_size)
    if timesteps is not None:
        sequence_lengths(timesteps, conv_forecaster_stages(kernel_size, pool_size))
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = inputs
    for _ in range(2):
        x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
        x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    outputs = layers.Dense(1, name="temperature")(x)
    return keras.Model(inputs, outputs, name="conv_forecaster")


def build_conv_gru(
    num_features: int,
    timesteps: int | None = None,
    filters: int = 32,
    kernel_size: int = 5,
    pool_size: int = 3,
    units: int = 32,
) -> keras.Model:
    """The book's hybrid: two Conv1D layers shorten the sequence, a GRU reads it in order.

    The GRU uses ``reset_after=False``, the Keras 2 formulation of 2017, so that the
    model has the book's 13,697 parameters on 14 features.

    Raises:
        ValueError: for non-positive sizes, or kernels longer than the sequence.
    """
    _check_positive(num_features=num_features, timesteps=timesteps, filters=filters,
                    kernel_size=kernel_size, pool_size=pool_size, units=units)
    if timesteps is not None:
        sequence_lengths(timesteps, conv_gru_stages(kernel_size, pool_size))
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = layers.Conv1D(filters, kernel_size, activation="relu")(inputs)
    x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
    x = layers.GRU(units, dropout=0.1, recurrent_dropout=0.5, reset_after=False)(x)
    outputs = layers.Dense(1, name="temperature")(x)
    return keras.Model(inputs, outputs, name="conv_gru")


def build_gru(num_features: int, timesteps: int | None = None, units: int = 32) -> keras.Model:
    """The regularised GRU of section 6.3, the order-aware reference for chapters 2-3.

    Raises:
        ValueError: for non-positive sizes.
    """
    _check_positive(num_features=num_features, timesteps=timesteps, units=units)
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = layers.GRU(units, dropout=0.2, recurrent_dropout=0.2, reset_after=False)(inputs)
    outputs = layers.Dense(1, name="temperature")(x)
    return keras.Model(inputs, outputs, name="gru")


def dilated_causal_stages(kernel_size: int = 2, dilation_rates: Sequence[int] = DILATION_RATES) -> list[Stage]:
    """The causal convolutions of ``build_dilated_causal_forecaster``, one per dilation rate.

    With ``padding="causal"`` each layer keeps the sequence length, so the stages are
    used with ``causal=True`` in ``seqlib.receptive_field.reaching_positions`` (chapter 4).
    """
    return [Stage("conv", kernel_size, rate) for rate in dilation_rates]


def build_dilated_causal_forecaster(
    num_features: int,
    timesteps: int | None = None,
    filters: int = 16,
    kernel_size: int = 2,
    dilation_rates: Sequence[int] = DILATION_RATES,
) -> keras.Model:
    """A WaveNet/TCN-style forecaster: causal, dilated Conv1D layers read at the last step.

    Introduced in chapter 4. Each layer's output at step ``t`` depends only on steps
    ``<= t``; doubling the dilation doubles the history per layer, so with the defaults
    (kernel 2, dilations 1 to 128) the last step sees 256 steps, more than a 240-step
    window. The forecast is ``Dense(1)`` on the features of the last step, so the model
    knows which readings are the most recent.

    Args:
        num_features: columns of the weather series.
        timesteps: window length, if known (checked against the dilated kernels).
        filters: channels of every convolution. 16, not the other models' 32: on a CPU,
            TensorFlow runs dilated convolutions through `SpaceToBatchND`, and eight
            layers of 32 channels cost about 2.6 times as much per batch as 16.
        kernel_size: taps of every convolution.
        dilation_rates: one convolution per rate, input side first.

    Raises:
        ValueError: for non-positive sizes or rates, no rates, or a dilated kernel
            longer than the window (its oldest tap would read only zero padding).
    """
    _check_positive(num_features=num_features, timesteps=timesteps, filters=filters, kernel_size=kernel_size)
    if len(dilation_rates) == 0:
        raise ValueError(f"`dilation_rates` must name at least one layer, e.g. (1, 2, 4, 8). "
                         f"Received: dilation_rates={dilation_rates!r}")
    _check_positive(**{f"dilation_rates[{index}]": rate for index, rate in enumerate(dilation_rates)})
    stages = dilated_causal_stages(kernel_size, dilation_rates)
    widest = max(stages, key=lambda stage: stage.reach)
    if timesteps is not None and widest.reach > timesteps:
        raise ValueError(
            f"The causal kernel with dilation {widest.dilation} spans {widest.reach} steps "
            f"((kernel_size - 1) * dilation + 1 with kernel_size={kernel_size}), more than the window "
            f"(timesteps={timesteps}): its oldest tap would read only zero padding. Use smaller dilation "
            "rates or kernel, or a longer window."
        )
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = inputs
    for rate in dilation_rates:
        x = layers.Conv1D(filters, kernel_size, padding="causal", dilation_rate=rate, activation="relu")(x)
    outputs = layers.Dense(1, name="temperature")(x[:, -1, :])
    return keras.Model(inputs, outputs, name="dilated_causal")
