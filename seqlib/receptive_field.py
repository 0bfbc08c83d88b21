"""Geometry of 1D convolution stacks: sequence lengths and receptive fields.

A stack is a list of ``Stage``s: valid ``"conv"`` layers (stride 1, optional dilation)
and ``"pool"`` layers (window = stride, as ``MaxPooling1D(n)``). The functions are plain
arithmetic, so the chapters can answer "how far back does one output see?" instantly.
``reaching_positions`` also traces causal stacks (``padding="causal"``, chapter 4).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Stage", "sequence_lengths", "receptive_field", "input_span", "reaching_positions"]


class Stage(NamedTuple):
    """One layer of a 1D stack: ``Stage("conv", kernel_size, dilation)`` or ``Stage("pool", pool_size)``."""

    kind: str
    size: int
    dilation: int = 1

    @property
    def reach(self) -> int:
        """Input steps one output of this stage covers: ``(size - 1) * dilation + 1``."""
        return (self.size - 1) * self.dilation + 1


def _check(stages: list[Stage]) -> None:
    for position, stage in enumerate(stages, start=1):
        if stage.kind not in ("conv", "pool"):
            raise ValueError(f"Stage {position}: `kind` must be 'conv' or 'pool'. Received: kind={stage.kind!r}")
        if not isinstance(stage.size, int) or stage.size < 1 or not isinstance(stage.dilation, int) or stage.dilation < 1:
            raise ValueError(f"Stage {position}: `size` and `dilation` must be integers >= 1. Received: {stage}")


def sequence_lengths(timesteps: int, stages: list[Stage]) -> list[int]:
    """Length of the sequence after each stage.

    Args:
        timesteps: length of the input sequence.
        stages: the stack, input side first.

    Returns:
        One length per stage.

    Raises:
        ValueError: if a stage is malformed, or its window is longer than the sequence it
            receives (naming the stage, its size and the lengths involved).
    """
    _check(stages)
    lengths = []
    length = timesteps
    for position, stage in enumerate(stages, start=1):
        if stage.reach > length:
            parameter = "kernel_size" if stage.kind == "conv" else "pool_size"
            raise ValueError(
                f"The {stage.kind} window of stage {position} ({parameter}={stage.size}"
                f"{f', dilation={stage.dilation}' if stage.dilation > 1 else ''}) is longer than the "
                f"sequence it receives ({length} steps, from timesteps={timesteps}). Use a smaller kernel "
                "or pool, or a longer sequence (larger lookback or smaller step)."
            )
        length = length - stage.reach + 1 if stage.kind == "conv" else length // stage.size
        lengths.append(length)
    return lengths


def receptive_field(stages: list[Stage]) -> int:
    """Number of consecutive input steps that one output of the stack depends on.

    Raises:
        ValueError: if a stage is malformed.
    """
    _check(stages)
    field, jump = 1, 1
    for stage in stages:
        field += (stage.reach - 1) * jump
        if stage.kind == "pool":
            jump *= stage.size
    return field


def input_span(stages: list[Stage], output_index: int) -> tuple[int, int]:
    """The half-open range of input steps that output ``output_index`` of the stack sees.

    Raises:
        ValueError: if ``output_index`` is negative or a stage is malformed.
    """
    if output_index < 0:
        raise ValueError(f"`output_index` must be >= 0. Received: output_index={output_index}")
    jump = 1
    for stage in stages:
        if stage.kind == "pool":
            jump *= stage.size
    start = output_index * jump
    return start, start + receptive_field(stages)


def reaching_positions(
    stages: list[Stage],
    timesteps: int,
    output_index: int | None = -1,
    causal: bool = False,
) -> list[np.ndarray]:
    """Which positions of every level of the stack reach one output of its last stage.

    Introduced in chapter 4, to draw which input steps a forecast can see.

    Args:
        stages: the stack, input side first.
        timesteps: length of the input sequence.
        output_index: the output of the last stage to trace back (``-1``: the last
            step); ``None`` traces every output, as a global pooling layer reads them all.
        causal: the convolutions use ``padding="causal"`` (zero padding on the left,
            length unchanged; taps before step 0 read only padding) instead of
            ``"valid"``. Causal stacks have no pooling stages.

    Returns:
        One boolean array per level, the input first (``timesteps`` long), then one per
        stage (the length of its output): True where the position reaches the output.

    Raises:
        ValueError: for malformed stages, a window longer than the sequence it receives
            (valid stacks), pooling in a causal stack, or an ``output_index`` out of range.
    """
    if not isinstance(timesteps, int) or timesteps < 1:
        raise ValueError(f"`timesteps` must be an integer >= 1. Received: timesteps={timesteps!r}")
    if causal:
        _check(stages)
        if any(stage.kind == "pool" for stage in stages):
            raise ValueError("A causal stack here has only 'conv' stages. Received: a 'pool' stage with causal=True")
        lengths = [timesteps] * len(stages)
    else:
        lengths = sequence_lengths(timesteps, stages)
    masks = [np.zeros(length, dtype=bool) for length in [timesteps, *lengths]]
    if output_index is None:
        masks[-1][:] = True
    elif -len(masks[-1]) <= output_index < len(masks[-1]):
        masks[-1][output_index] = True
    else:
        raise ValueError(f"`output_index` must index the {len(masks[-1])} outputs of the last stage, or be None. "
                         f"Received: output_index={output_index}")
    for level in range(len(stages), 0, -1):
        stage, outputs = stages[level - 1], np.flatnonzero(masks[level])
        if stage.kind == "pool":
            inputs = outputs[:, None] * stage.size + np.arange(stage.size)
        else:
            taps = np.arange(stage.size) * stage.dilation
            inputs = outputs[:, None] + (taps - taps[-1] if causal else taps)
        masks[level - 1][inputs[inputs >= 0]] = True
    return masks
