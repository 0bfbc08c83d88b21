"""Geometry of 1D convolution stacks: sequence lengths and receptive fields.

A stack is a list of ``Stage``s: valid ``"conv"`` layers (stride 1, optional dilation)
and ``"pool"`` layers (window = stride, as ``MaxPooling1D(n)``). The functions are plain
arithmetic, so the chapters can answer "how far back does one output see?" instantly.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Stage", "sequence_lengths", "receptive_field", "input_span"]


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
