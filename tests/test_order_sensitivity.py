import numpy as np
import pytest

from seqlib.order_sensitivity import mae_with_shuffled_blocks, shuffle_blocks

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not


def test_shuffle_blocks_moves_whole_blocks_and_keeps_their_inside():
    samples = np.arange(2 * 12 * 1, dtype="float32").reshape(2, 12, 1)
    shuffled = shuffle_blocks(samples, 3, np.random.default_rng(1))
    for window, original in zip(shuffled[:, :, 0], samples[:, :, 0]):
        blocks = window.reshape(4, 3)
        assert np.all(np.diff(blocks, axis=1) == 1)  # order kept inside each block
        assert sorted(blocks[:, 0]) == sorted(original.reshape(4, 3)[:, 0])  # same blocks
    assert not np.array_equal(shuffled, samples)


def test_a_last_value_forecast_is_hurt_and_a_max_detector_is_not():
    rng = np.random.default_rng(0)
    samples = np.cumsum(rng.normal(size=(64, 24, 1)), axis=1).astype("float32")
    targets = samples[:, -1, 0] + rng.normal(scale=0.1, size=64).astype("float32")
    batches = [(samples[:32], targets[:32]), (samples[32:], targets[32:])]
    last_value = mae_with_shuffled_blocks(lambda s: s[:, -1, 0], batches, block=6)
    assert last_value["blocks shuffled"] > 5 * last_value["in order"]
    max_detector = mae_with_shuffled_blocks(lambda s: s.max(axis=(1, 2)), batches, block=6)
    assert max_detector["blocks shuffled"] == pytest.approx(max_detector["in order"])


@pytest.mark.parametrize(("shape", "block", "match"), [((2, 12), 3, "shape="), ((2, 12, 1), 5, "block=5")])
def test_bad_arguments(shape, block, match):
    with pytest.raises(ValueError, match=match):
        shuffle_blocks(np.zeros(shape), block, np.random.default_rng(0))
