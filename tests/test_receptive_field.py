import numpy as np
import pytest

from seqlib import models
from seqlib.receptive_field import Stage, reaching_positions, receptive_field, sequence_lengths


def test_sequence_lengths_follow_valid_convolution_and_pooling():
    assert sequence_lengths(240, models.conv_gru_stages()) == [236, 78, 74]
    assert sequence_lengths(500, models.imdb_convnet_stages()) == [494, 98, 92]  # the 2017 summary


def test_sequence_lengths_match_keras_output_shapes():
    for timesteps in (61, 100, 240):
        model = models.build_conv_forecaster(3, timesteps=timesteps)
        conv_and_pool = [layer for layer in model.layers if "conv1d" in layer.name or "pooling1d" in layer.name]
        conv_and_pool = [layer for layer in conv_and_pool if "global" not in layer.name]
        assert [layer.output.shape[1] for layer in conv_and_pool] == sequence_lengths(
            timesteps, models.conv_forecaster_stages())


def test_receptive_fields_of_the_books_stacks():
    assert receptive_field(models.conv_forecaster_stages()) == 61
    assert receptive_field(models.conv_gru_stages()) == 19
    assert receptive_field([Stage("conv", 2, d) for d in (1, 2, 4, 8)]) == 16


def test_receptive_field_is_what_one_output_really_depends_on():
    """Perturb one input step at a time: the outputs that change are the ones the input reaches."""
    stages = models.conv_gru_stages()
    import keras

    inputs = keras.Input(shape=(60, 1))
    x = inputs
    for stage in stages:
        x = keras.layers.Conv1D(1, stage.size, dilation_rate=stage.dilation)(x) if stage.kind == "conv" \
            else keras.layers.MaxPooling1D(stage.size)(x)
    model = keras.Model(inputs, x)
    model.set_weights([np.ones_like(w) if w.ndim > 1 else np.zeros_like(w) for w in model.get_weights()])
    probes = np.eye(60, dtype="float32")[:, :, None]  # probe i: a single 1 at input step i
    changed = model.predict(probes, verbose=0)[:, :, 0] != model.predict(np.zeros((1, 60, 1)), verbose=0)[:, :, 0]
    for output_index in range(changed.shape[1]):
        seen = reaching_positions(stages, 60, output_index)[0]
        assert (changed[:, output_index] == seen).all(), output_index
        reached = np.flatnonzero(seen)
        assert reached[-1] - reached[0] + 1 == len(reached) == receptive_field(stages), output_index


@pytest.mark.parametrize(
    ("stage", "message"),
    [(Stage("conv", 0), r"`stages\[0\].size` must be an integer >= 1. Received: stages\[0\].size=0"),
     (Stage("dense", 3), "Stage 1: `kind` must be 'conv' or 'pool'"),
     (Stage("conv", 3, 0), r"`stages\[0\].dilation` must be an integer >= 1"),
     (Stage("conv", True), r"`stages\[0\].size` must be an integer >= 1. Received: stages\[0\].size=True")],
)
def test_malformed_stages_are_refused(stage, message):
    with pytest.raises(ValueError, match=message):
        receptive_field([stage])


def test_kernel_longer_than_the_sequence_names_the_stage():
    with pytest.raises(ValueError, match=r"stage 3 \(kernel_size=5\).*\(3 steps, from timesteps=14\)"):
        sequence_lengths(14, models.conv_gru_stages())
