"""The book's Keras models: builders of uncompiled Functional models.

Each builder returns an architecture of section 6.4 (or of the recurrent networks it is
compared with, from sections 6.2-6.3), with today's Keras 3 API, and is called as
``build(width, length)``: the vocabulary size and the words read for a review model, the
features and the timesteps for a forecaster. `seqlib.registry.MODELS` names, for every
model the book reports, its builder and how it is trained.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from seqlib.checks import check_positive, check_rates
from seqlib.receptive_field import (
    DILATION_RATES,
    check_dilated_stack,
    conv_forecaster_stages,
    conv_gru_stages,
    dilated_causal_stages,
    imdb_convnet_stages,
    sequence_lengths,
)

__all__ = [
    "build_imdb_convnet",
    "build_imdb_lstm",
    "build_ngram_convnet",
    "OneHotConv1D",
    "build_region_convnet",
    "BagLogit",
    "build_bag_of_ngrams",
    "build_linear_forecaster",
    "CONV_HEADS",
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
    check_positive(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
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


def build_imdb_lstm(
    num_words: int = 10_000, maxlen: int = 500, embedding_dim: int = 32, units: int = 32
) -> keras.Model:
    """The recurrent IMDB classifier of section 6.2: embedding, ``LSTM(32)``, a sigmoid output.

    Section 6.4 says its convnet's "runtime is faster, both on CPU and GPU" than this
    network's, at a "somewhat lower" accuracy; chapter 1 measures both, side by side, with the
    same recipe.

    Raises:
        ValueError: if a size is not a positive integer.
    """
    check_positive(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim, units=units)
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")
    x = layers.Embedding(num_words, embedding_dim)(inputs)
    x = layers.LSTM(units)(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive_probability")(x)
    return keras.Model(inputs, outputs, name="imdb_lstm")


def build_ngram_convnet(
    num_words: int = 20_000,
    maxlen: int = 500,
    embedding_dim: int = 32,
    filters: int = 128,
    kernel_size: int = 5,
    embedding_dropout: float = 0.2,
    dropout: float = 0.5,
) -> keras.Model:
    """An n-gram convnet for raw-text reviews: one ``Conv1D``, global max pooling, dropout.

    Each filter reads ``kernel_size`` consecutive words and global max pooling keeps its
    strongest window, so the output logit is a sum of one term per filter, each from one
    window of the review (`seqlib.review_reading` shows them). Dropout on the embedded
    words and on the pooled features keeps the wider vocabulary from being learnt by heart.

    Raises:
        ValueError: if a size is not a positive integer, a dropout rate is not in [0, 1),
            or the kernel is longer than ``maxlen``.
    """
    check_positive(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                    filters=filters, kernel_size=kernel_size)
    for name, rate in (("embedding_dropout", embedding_dropout), ("dropout", dropout)):
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"`{name}` must be a number in [0, 1). Received: {name}={rate!r}")
    if kernel_size > maxlen:
        raise ValueError(f"`kernel_size` ({kernel_size}) must be at most `maxlen` ({maxlen}).")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")
    x = layers.Embedding(num_words, embedding_dim)(inputs)
    x = layers.Dropout(embedding_dropout)(x)
    x = layers.Conv1D(filters, kernel_size, activation="relu", name="ngram_filters")(x)
    x = layers.GlobalMaxPooling1D(name="strongest_window")(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive_probability")(x)
    return keras.Model(inputs, outputs, name="ngram_convnet")


class OneHotConv1D(layers.Layer):
    """A ``Conv1D`` over one-hot word vectors, computed as a sum of lookups.

    A filter of a convolution over one-hot vectors has one weight per word of the
    vocabulary and per place in its region; its response to a region is the sum of the
    weights of the words there, plus a bias. So each place ``j`` of the region has a table
    of ``vocabulary x filters`` weights, and the layer adds up row ``ids[t + j]`` of table
    ``j`` over ``j``: the same numbers as ``Conv1D(filters, region)`` on one-hot inputs
    (padding ``"valid"``), without ever making the one-hot vectors. Unlike an embedding
    followed by a convolution, no narrow word vector stands between a word and a filter.
    """

    def __init__(self, vocabulary: int, filters: int, region: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.vocabulary, self.filters, self.region = vocabulary, filters, region

    def build(self, input_shape: object) -> None:
        self.tables = [self.add_weight(shape=(self.vocabulary, self.filters), initializer="glorot_uniform",
                                       name=f"place_{place}") for place in range(self.region)]
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, ids: object) -> object:
        length = keras.ops.shape(ids)[1] - self.region + 1
        total = self.bias
        for place, table in enumerate(self.tables):
            total = total + keras.ops.take(table, ids[:, place:place + length], axis=0)
        return total

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        length = None if input_shape[1] is None else input_shape[1] - self.region + 1
        return (input_shape[0], length, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "vocabulary": self.vocabulary, "filters": self.filters,
                "region": self.region}


def build_region_convnet(
    num_words: int = 30_000,
    maxlen: int = 400,
    filters: int = 256,
    region: int = 3,
    dropout: float = 0.5,
) -> keras.Model:
    """A region convnet for raw-text reviews (Johnson & Zhang, 2015): one-hot regions, max and mean pooled.

    Its one convolution reads regions of ``region`` consecutive words as one-hot vectors
    (`OneHotConv1D`): every word has its own weight in every filter, as in a bag of
    n-grams, but a filter responds to a whole region through a ReLU. Each filter then
    reports its strongest region (global max pooling: the one decisive phrase) and its
    mean over the review (global average pooling: how much of the review says it).

    Raises:
        ValueError: if a size is not a positive integer, the dropout rate is not in
            [0, 1), or the region is longer than ``maxlen``.
    """
    check_positive(num_words=num_words, maxlen=maxlen, filters=filters, region=region)
    check_rates(dropout=dropout)
    if region > maxlen:
        raise ValueError(f"`region` ({region}) must be at most `maxlen` ({maxlen}).")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")
    x = OneHotConv1D(num_words, filters, region, name="region_filters")(inputs)
    x = layers.Activation("relu")(x)
    x = layers.Concatenate(name="strongest_and_mean")(
        [layers.GlobalMaxPooling1D(name="strongest_region")(x),
         layers.GlobalAveragePooling1D(name="mean_region")(x)])
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive_probability")(x)
    return keras.Model(inputs, outputs, name="region_convnet")


@keras.saving.register_keras_serializable(package="seqlib")
class BagLogit(layers.Layer):
    """The logit of a logistic regression on a review's bag of n-grams.

    Given a review's n-gram ids (each present n-gram once, zeros for padding) and each
    id's weight, it returns ``sum of the present n-grams' weights / sqrt(their number) + bias``:
    a linear model on the review's binary bag of n-grams, normalised to unit length.
    """

    def build(self, input_shape: object) -> None:
        self.bias = self.add_weight(shape=(1,), initializer="zeros", name="bias")

    def call(self, ids: object, weights: object) -> object:
        present = keras.ops.cast(keras.ops.not_equal(ids, 0), weights.dtype)
        total = keras.ops.sum(weights[..., 0] * present, axis=-1, keepdims=True)
        count = keras.ops.maximum(keras.ops.sum(present, axis=-1, keepdims=True), 1.0)
        return total / keras.ops.sqrt(count) + self.bias


def build_bag_of_ngrams(num_words: int, maxlen: int, l2: float = 0.0) -> keras.Model:
    """The strongest simple model for reviews: logistic regression on a bag of words and bigrams.

    Introduced in chapter 6. The input is a review's n-gram ids, each present n-gram once
    (`seqlib.text_model.bags`); each id has one weight (an ``Embedding`` of width 1, with an
    L2 penalty), and `BagLogit` adds up the weights of the n-grams present. Order is
    ignored beyond the two words of a bigram: this is the linear model every network
    on IMDB must beat.

    Raises:
        ValueError: if a size is not a positive integer or ``l2`` is negative.
    """
    check_positive(num_words=num_words, maxlen=maxlen)
    if not isinstance(l2, (int, float)) or l2 < 0:
        raise ValueError(f"`l2` must be a number >= 0. Received: l2={l2!r}")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ngram_ids")
    weights = layers.Embedding(num_words, 1, embeddings_regularizer=keras.regularizers.l2(l2),
                               name="ngram_weights")(inputs)
    logit = BagLogit(name="bag_logit")(inputs, weights)
    outputs = layers.Activation("sigmoid", name="positive_probability")(logit)
    return keras.Model(inputs, outputs, name="bag_of_ngrams")


def build_linear_forecaster(num_features: int, timesteps: int | None = None) -> keras.Model:
    """The strongest simple forecaster: one ``Dense`` layer on the flattened window.

    Introduced in chapter 2. Every reading of the window has its own weight, so the model
    knows when each reading was taken, and nothing is non-linear: the networks of the
    book must beat it to earn their cost.

    Raises:
        ValueError: for non-positive sizes, or without ``timesteps``.
    """
    check_positive(num_features=num_features, timesteps=timesteps)
    if timesteps is None:
        raise ValueError("The linear forecaster needs the window length: pass `timesteps`.")
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    outputs = layers.Dense(1, name="temperature")(layers.Flatten()(inputs))
    return keras.Model(inputs, outputs, name="linear")


CONV_HEADS = ("global_max", "flatten")


def build_conv_forecaster(
    num_features: int,
    timesteps: int | None = None,
    filters: int = 32,
    kernel_size: int = 5,
    pool_size: int = 3,
    head: str = "global_max",
) -> keras.Model:
    """The book's pure convnet forecaster: three Conv1D layers, global max pooling.

    Args:
        num_features: columns of the weather series.
        timesteps: window length, if known (checked against the kernels; required for
            the ``"flatten"`` head).
        head: ``"global_max"`` (the book's: each filter's strongest response, wherever
            it is) or ``"flatten"`` (every position of the last Conv1D feeds the output,
            so the model knows *where* a pattern was; chapter 2's order test).

    Raises:
        ValueError: for non-positive sizes, kernels longer than the sequence, an unknown
            head, or the ``"flatten"`` head without ``timesteps``.
    """
    check_positive(num_features=num_features, timesteps=timesteps, filters=filters,
                    kernel_size=kernel_size, pool_size=pool_size)
    if head not in CONV_HEADS:
        raise ValueError(f"`head` must be one of {list(CONV_HEADS)}. Received: head={head!r}")
    if head == "flatten" and timesteps is None:
        raise ValueError("The 'flatten' head needs the window length: pass `timesteps`.")
    if timesteps is not None:
        sequence_lengths(timesteps, conv_forecaster_stages(kernel_size, pool_size))
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = inputs
    for _ in range(2):
        x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
        x = layers.MaxPooling1D(pool_size)(x)
    x = layers.Conv1D(filters, kernel_size, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x) if head == "global_max" else layers.Flatten()(x)
    outputs = layers.Dense(1, name="temperature")(x)
    name = "conv_forecaster" if head == "global_max" else "conv_forecaster_flatten"
    return keras.Model(inputs, outputs, name=name)


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
    check_positive(num_features=num_features, timesteps=timesteps, filters=filters,
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
    check_positive(num_features=num_features, timesteps=timesteps, units=units)
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = layers.GRU(units, dropout=0.2, recurrent_dropout=0.2, reset_after=False)(inputs)
    outputs = layers.Dense(1, name="temperature")(x)
    return keras.Model(inputs, outputs, name="gru")


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
            TensorFlow runs dilated convolutions through `SpaceToBatchND`, so eight
            layers of 32 channels cost several times as much per batch as 16
            (`benchmarks/bench_training.py`).
        kernel_size: taps of every convolution.
        dilation_rates: one convolution per rate, input side first.

    Raises:
        ValueError: for non-positive sizes or rates, no rates, or a dilated kernel
            longer than the window (its oldest tap would read only zero padding).
    """
    check_positive(num_features=num_features, timesteps=timesteps, filters=filters, kernel_size=kernel_size)
    check_dilated_stack(kernel_size, dilation_rates, timesteps)
    inputs = keras.Input(shape=(timesteps, num_features), name="weather_window")
    x = inputs
    for rate in dilation_rates:
        x = layers.Conv1D(filters, kernel_size, padding="causal", dilation_rate=rate, activation="relu")(x)
    outputs = layers.Dense(1, name="temperature")(x[:, -1, :])
    return keras.Model(inputs, outputs, name="dilated_causal")
