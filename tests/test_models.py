import numpy as np
import pytest

from seqlib import models

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


def test_imdb_convnet_has_the_books_parameter_count():
    model = models.build_imdb_convnet()
    assert model.count_params() == 1_315_937
    assert model.layers[-1].activation.__name__ == "sigmoid"
    raw = models.build_imdb_convnet(output_activation=None)
    assert raw.count_params() == 1_315_937 and raw.layers[-1].activation.__name__ == "linear"


def test_conv_gru_has_the_books_parameter_count_on_14_features():
    assert models.build_conv_gru(14).count_params() == 13_697


def test_conv_forecaster_and_gru_counts():
    # 3 convs on 14 then 32 channels, and the GRU(32) of section 6.3 (Keras 2 formulation).
    assert models.build_conv_forecaster(14).count_params() == (14 * 5 * 32 + 32) + 2 * (32 * 5 * 32 + 32) + 33
    assert models.build_gru(14).count_params() == 3 * (14 * 32 + 32 * 32 + 32) + 33


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.build_conv_forecaster(14, timesteps=30, kernel_size=9),
        lambda: models.build_conv_gru(14, timesteps=4, kernel_size=5),
        lambda: models.build_imdb_convnet(maxlen=5, kernel_size=7),
    ],
)
def test_kernel_longer_than_the_sequence_is_refused(build):
    with pytest.raises(ValueError, match="kernel_size=.*longer than the sequence"):
        build()


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_non_positive_sizes_are_refused(bad):
    with pytest.raises(ValueError, match=r"`kernel_size` must be an integer >= 1\. Received: kernel_size="):
        models.build_conv_forecaster(14, kernel_size=bad)


def test_one_training_step_on_tiny_data_changes_the_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 120, 3)).astype("float32")
    y = rng.normal(size=(8,)).astype("float32")
    for build in (models.build_conv_forecaster, models.build_conv_gru, models.build_gru):
        model = build(3, timesteps=120)
        model.compile(optimizer="rmsprop", loss="mae")
        before = [w.copy() for w in model.get_weights()]
        model.train_on_batch(x, y)
        after = model.get_weights()
        assert any(not np.allclose(a, b) for a, b in zip(before, after)), model.name
        assert model.predict(x, verbose=0).shape == (8, 1)


def test_imdb_convnet_outputs_probabilities():
    model = models.build_imdb_convnet(num_words=50, maxlen=60)
    x = np.random.default_rng(0).integers(0, 50, size=(4, 60))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    model.train_on_batch(x, np.array([0, 1, 0, 1]))
    p = model.predict(x, verbose=0)
    assert p.shape == (4, 1) and np.all((p > 0) & (p < 1))


def test_the_linear_forecaster_is_one_weight_per_reading():
    model = models.build_linear_forecaster(16, 240)
    assert model.count_params() == 240 * 16 + 1
    window = np.zeros((1, 240, 16), dtype="float32")
    window[0, 239, 2] = 1.0  # one reading: the output is its weight plus the bias
    kernel, bias = model.get_layer("temperature").get_weights()
    np.testing.assert_allclose(model.predict(window, verbose=0)[0, 0], kernel[239 * 16 + 2, 0] + bias[0],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="needs the window length"):
        models.build_linear_forecaster(16)


def test_the_bag_of_ngrams_adds_the_weights_of_what_a_review_holds():
    model = models.build_bag_of_ngrams(num_words=10, maxlen=5)
    weights = np.arange(10, dtype="float32")[:, None] / 10  # id i weighs i / 10
    model.get_layer("ngram_weights").set_weights([weights])
    model.get_layer("bag_logit").set_weights([np.array([0.5], dtype="float32")])
    bag = np.array([[3, 4, 9, 0, 0]])  # three n-grams present, two padding positions
    logit = (0.3 + 0.4 + 0.9) / np.sqrt(3) + 0.5
    np.testing.assert_allclose(model.predict(bag, verbose=0)[0, 0], 1 / (1 + np.exp(-logit)), rtol=1e-5)
    assert model.count_params() == 10 + 1
    with pytest.raises(ValueError, match="`l2` must be a number >= 0"):
        models.build_bag_of_ngrams(10, 5, l2=-1.0)


def test_the_region_convnet_is_a_convolution_over_one_hot_words():
    model = models.build_region_convnet(num_words=20, maxlen=6, filters=3, region=2)
    # One weight per word, place and filter, a bias per filter; then 2 x 3 pooled features -> 1.
    assert model.count_params() == (2 * 20 * 3 + 3) + (2 * 3 + 1)
    ids = np.array([[1, 2, 3, 4, 5, 0], [7, 7, 19, 0, 0, 0]], dtype="int32")
    layer = model.get_layer("region_filters")
    conv = models.keras.layers.Conv1D(3, 2)
    conv.build((None, 6, 20))
    conv.set_weights([np.stack([table.numpy() for table in layer.tables]), layer.bias.numpy()])
    np.testing.assert_allclose(np.asarray(layer(ids)), np.asarray(conv(np.eye(20, dtype="float32")[ids])),
                               atol=1e-6)
    regions = np.maximum(np.asarray(layer(ids)), 0)
    pooled = models.keras.Model(model.input, model.get_layer("strongest_and_mean").output).predict(ids, verbose=0)
    np.testing.assert_allclose(pooled, np.concatenate([regions.max(axis=1), regions.mean(axis=1)], axis=1),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"`region` \(7\) must be at most `maxlen` \(6\)"):
        models.build_region_convnet(num_words=20, maxlen=6, region=7)
    with pytest.raises(ValueError, match=r"`dropout` must be a number in \[0, 1\)\. Received: dropout=1"):
        models.build_region_convnet(dropout=1)
