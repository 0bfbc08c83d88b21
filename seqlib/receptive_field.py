"""Geometry of 1D convolution stacks: sequence lengths and receptive fields.

A stack is a list of ``Stage``s: valid ``"conv"`` layers (stride 1, optional dilation)
and ``"pool"`` layers (window = stride, as ``MaxPooling1D(n)``). The functions are plain
arithmetic, so the chapters and the explorers can answer "how far back does one output
see?" instantly, without TensorFlow. ``reaching_positions`` also traces causal stacks
(``padding="causal"``, chapter 4). The stacks of the book's models are here too
(``*_stages``); `seqlib.models` builds the layers from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from seqlib.checks import check_int
from seqlib.windows import WindowSpec

__all__ = [
    "Stage",
    "sequence_lengths",
    "receptive_field",
    "reaching_positions",
    "DILATION_RATES",
    "imdb_convnet_stages",
    "conv_forecaster_stages",
    "conv_gru_stages",
    "dilated_causal_stages",
    "check_dilated_stack",
    "conv_geometry",
    "dilated_geometry",
]

# Chapter 4's default dilations: doubling from 1 to 128, so that kernel-2 layers see
# 256 steps, more than the 240-step windows (10 days at 1 hour) of chapters 2-3.
DILATION_RATES = (1, 2, 4, 8, 16, 32, 64, 128)


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
        check_int(f"stages[{position - 1}].size", stage.size)
        check_int(f"stages[{position - 1}].dilation", stage.dilation)


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
    check_int("timesteps", timesteps)
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


def imdb_convnet_stages(kernel_size: int = 7, pool_size: int = 5) -> list[Stage]:
    """The convolution and pooling stages of ``build_imdb_convnet`` (before global pooling)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size), Stage("conv", kernel_size)]


def conv_forecaster_stages(kernel_size: int = 5, pool_size: int = 3) -> list[Stage]:
    """The stages of ``build_conv_forecaster`` (before its head)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size)] * 2 + [Stage("conv", kernel_size)]


def conv_gru_stages(kernel_size: int = 5, pool_size: int = 3) -> list[Stage]:
    """The convolutional front-end of ``build_conv_gru`` (what feeds the GRU)."""
    return [Stage("conv", kernel_size), Stage("pool", pool_size), Stage("conv", kernel_size)]


def dilated_causal_stages(kernel_size: int = 2, dilation_rates: Sequence[int] = DILATION_RATES) -> list[Stage]:
    """The causal convolutions of ``build_dilated_causal_forecaster``, one per dilation rate.

    With ``padding="causal"`` each layer keeps the sequence length, so the stages are
    used with ``causal=True`` in `reaching_positions` (chapter 4).
    """
    return [Stage("conv", kernel_size, rate) for rate in dilation_rates]


def check_dilated_stack(kernel_size: int, dilation_rates: Sequence[int], timesteps: int | None) -> list[Stage]:
    """The stages of a dilated causal stack, checked against the window it reads.

    Raises:
        ValueError: for a non-positive kernel or rate, no rates, or a dilated kernel
            longer than the window (its oldest tap would read only zero padding).
    """
    if len(dilation_rates) == 0:
        raise ValueError(f"`dilation_rates` must name at least one layer, e.g. (1, 2, 4, 8). "
                         f"Received: dilation_rates={dilation_rates!r}")
    for index, value in [("kernel_size", kernel_size), *((f"dilation_rates[{i}]", r) for i, r in enumerate(dilation_rates))]:
        check_int(index, value)
    stages = dilated_causal_stages(kernel_size, dilation_rates)
    widest = max(stages, key=lambda stage: stage.reach)
    if timesteps is not None and widest.reach > timesteps:
        raise ValueError(
            f"The causal kernel with dilation {widest.dilation} spans {widest.reach} steps "
            f"((kernel_size - 1) * dilation + 1 with kernel_size={kernel_size}), more than the window "
            f"(timesteps={timesteps}): its oldest tap would read only zero padding. Use smaller dilation "
            "rates or kernel, or a longer window."
        )
    return stages


def conv_geometry(lookback: str, step: str, kernel_size: int, period: np.timedelta64) -> dict[str, Any]:
    """What the pure convnet of chapter 2 sees for a lookback, a step and a kernel size.

    Returns:
        ``timesteps`` of a window, the sequence ``lengths`` after each conv/pool stage,
        the ``receptive_field`` of one output in timesteps, and ``field_hours``, the
        same in hours.

    Raises:
        ValueError: if the step is not a whole number of rows, is longer than the
            lookback, or the kernels do not fit in the window.
    """
    spec = WindowSpec.from_durations(lookback, 0, step, period)
    stages = conv_forecaster_stages(kernel_size)
    field = receptive_field(stages)
    step_hours = spec.step * period / np.timedelta64(1, "h")
    return {
        "timesteps": spec.timesteps,
        "lengths": sequence_lengths(spec.timesteps, stages),
        "receptive_field": field,
        "field_hours": field * step_hours,
    }


def dilated_geometry(
    kernel_size: int,
    dilation_rates: Sequence[int],
    timesteps: int = 240,
    num_features: int = 14,
    filters: int = 16,
) -> dict[str, Any]:
    """What chapter 4's dilated causal forecaster sees of a window, without building it.

    Returns:
        The ``stages``, the ``receptive_field`` of the last step in timesteps,
        ``window_seen``: how many of the window's timesteps reach the last step, and the
        ``parameters`` of ``build_dilated_causal_forecaster`` with these settings (each
        layer ``(kernel_size * inputs + 1) * filters``, then ``filters + 1`` for the output).

    Raises:
        ValueError: as `check_dilated_stack`.
    """
    stages = check_dilated_stack(kernel_size, dilation_rates, timesteps)
    field = receptive_field(stages)
    inputs = [num_features] + [filters] * (len(stages) - 1)
    parameters = sum((kernel_size * channels + 1) * filters for channels in inputs) + filters + 1
    return {"stages": stages, "receptive_field": field, "window_seen": min(field, timesteps),
            "parameters": parameters}
