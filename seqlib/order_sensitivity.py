"""Does a model care about the order of the timesteps it reads? Shuffle them and see.

``shuffle_blocks`` cuts every window into blocks (e.g. whole days) and puts the blocks
in a random order, keeping the order *inside* each block. A model that only detects
local patterns, wherever they occur, barely notices; a model that reads the sequence in
order (or relies on what happened last) gets much worse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["shuffle_blocks", "mae_with_shuffled_blocks"]


def shuffle_blocks(samples: np.ndarray, block: int, rng: np.random.Generator) -> np.ndarray:
    """Return a copy of ``samples`` whose blocks of ``block`` timesteps are shuffled per window.

    Args:
        samples: windows of shape (batch, timesteps, features); ``timesteps`` must be a
            multiple of ``block``.
        block: timesteps per block (24 = one day of hourly steps).
        rng: the random generator that draws each window's permutation.

    Raises:
        ValueError: if ``samples`` is not 3D, or ``block`` does not divide the timesteps.
    """
    if samples.ndim != 3:
        raise ValueError(f"`samples` must have shape (batch, timesteps, features). Received: shape={samples.shape}")
    batch, timesteps, features = samples.shape
    if not isinstance(block, int) or block < 1 or timesteps % block:
        raise ValueError(f"`block` must be a positive divisor of the {timesteps} timesteps. Received: block={block!r}")
    blocks = samples.reshape(batch, timesteps // block, block, features)
    order = np.argsort(rng.random((batch, timesteps // block)), axis=1)
    return np.take_along_axis(blocks, order[:, :, None, None], axis=1).reshape(samples.shape)


def mae_with_shuffled_blocks(
    predict: Callable[[np.ndarray], np.ndarray],
    batches: Iterable[tuple[np.ndarray, np.ndarray]],
    block: int,
    seed: int = 0,
) -> dict[str, float]:
    """Mean absolute error of ``predict`` on the windows as they are, and with shuffled blocks.

    Args:
        predict: maps a batch of windows to one prediction per window.
        batches: ``(samples, targets)`` pairs, e.g. an ``EvaluationWindows``.
        block: timesteps per shuffled block.
        seed: seed of the permutations (the same for every model compared).

    Returns:
        ``{"in order": mae, "blocks shuffled": mae}``.
    """
    rng = np.random.default_rng(seed)
    errors = {"in order": [], "blocks shuffled": []}
    for samples, targets in batches:
        shuffled = shuffle_blocks(samples, block, rng)
        for name, windows in (("in order", samples), ("blocks shuffled", shuffled)):
            errors[name].append(np.abs(np.ravel(predict(windows)) - targets))
    return {name: float(np.mean(np.concatenate(values))) for name, values in errors.items()}
