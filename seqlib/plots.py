"""Figures of the book; every function returns a matplotlib Figure and shows nothing."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from seqlib.receptive_field import Stage, reaching_positions, receptive_field

if TYPE_CHECKING:
    from seqlib.results import FitResult

__all__ = ["MAE_LABEL", "plot_history", "plot_trial", "plot_series", "plot_forecasts", "plot_comparison",
           "plot_cost_against_error", "plot_reach"]

MAE_LABEL = "MAE (normalised)"
"""The axis label of a forecaster's loss: mean absolute error in training standard deviations."""


def plot_history(
    result: FitResult,
    metrics: Sequence[str] = ("loss",),
    baseline: float | None = None,
    baseline_label: str = "common-sense baseline",
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Training and validation curves, one panel per metric, best epoch marked.

    Args:
        result: a ``FitResult``.
        metrics: metric names without the ``val_`` prefix (``"loss"``, ``"accuracy"``).
        baseline: optional value drawn as a horizontal line in the first panel.
        title: figure title.
        labels: axis label per metric (default: the metric's name), e.g.
            ``{"loss": MAE_LABEL}``.

    Raises:
        ValueError: if a metric is not in the history.
    """
    for metric in metrics:
        if metric not in result.history or f"val_{metric}" not in result.history:
            raise ValueError(f"`metrics` must name logged metrics. Received: {metric!r}; logged: {sorted(result.history)}")
    figure = Figure(figsize=(5.2 * len(metrics), 3.6), layout="constrained")
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    epochs = np.arange(1, result.epochs + 1)
    labels = dict(labels or {})
    for panel, (axis, metric) in enumerate(zip(axes, metrics)):
        name = labels.get(metric, metric)
        axis.plot(epochs, result.history[metric], "o", color="tab:blue", label="training")
        axis.plot(epochs, result.history[f"val_{metric}"], "-", color="tab:blue", label="validation")
        if f"val_{metric}" == result.monitor:
            axis.axvline(result.best_epoch, color="grey", linestyle=":", label=f"best epoch ({result.best_epoch})")
        if baseline is not None and panel == 0:
            axis.axhline(baseline, color="tab:red", linestyle="--", label=baseline_label)
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel(name)
        axis.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


def plot_trial(result: FitResult, baseline: float, timesteps: int, title: str) -> Figure:
    """A forecaster's validation curve against its baseline, its cost and best MAE in the title."""
    return plot_history(
        result, baseline=baseline, labels={"loss": MAE_LABEL},
        title=f"{title}\n{timesteps} timesteps, {result.seconds_per_epoch:.1f} s/epoch, "
              f"best val MAE {result.best_value:.3f}",
    )


def plot_series(
    timestamps: np.ndarray,
    values: np.ndarray,
    ylabel: str,
    title: str = "",
) -> Figure:
    """A time series against its timestamps (e.g. the whole temperature record, or 10 days)."""
    if len(timestamps) != len(values):
        raise ValueError(f"`timestamps` and `values` must have the same length. Received: {len(timestamps)} and {len(values)}")
    figure = Figure(figsize=(9, 3), layout="constrained")
    axis = figure.subplots()
    axis.plot(timestamps, values, linewidth=0.6)
    axis.set_xlabel("date")
    axis.set_ylabel(ylabel)
    if title:
        axis.set_title(title)
    figure.autofmt_xdate()
    return figure


def plot_forecasts(
    timestamps: np.ndarray,
    truth: np.ndarray,
    forecasts: Mapping[str, np.ndarray],
    ylabel: str,
    title: str = "",
) -> Figure:
    """Forecasts against the truth, one line each, on the times they forecast.

    Raises:
        ValueError: if a forecast's length differs from the truth's.
    """
    figure = Figure(figsize=(9, 3.4), layout="constrained")
    axis = figure.subplots()
    axis.plot(timestamps, truth, color="black", linewidth=1.4, label="truth")
    for name, values in forecasts.items():
        if len(values) != len(truth):
            raise ValueError(f"The forecast {name!r} has {len(values)} values for {len(truth)} times.")
        axis.plot(timestamps, values, linewidth=0.9, label=name)
    axis.set_xlabel("date (the time each forecast is for)")
    axis.set_ylabel(ylabel)
    axis.legend(fontsize="small", ncol=len(forecasts) + 1, loc="upper left")
    if title:
        axis.set_title(title)
    figure.autofmt_xdate()
    return figure


def plot_comparison(
    scores: Mapping[str, float],
    ylabel: str,
    reference: float | None = None,
    reference_label: str = "common-sense baseline",
    title: str = "",
) -> Figure:
    """A bar chart of one score per model, with an optional reference line."""
    if not scores:
        raise ValueError("`scores` must name at least one model.")
    names = list(scores)
    figure = Figure(figsize=(max(6.0, 1.4 * len(names)), 3.4), layout="constrained")
    axis = figure.subplots()
    labels = ["\n".join(textwrap.fill(line, 14) for line in name.splitlines()) for name in names]
    bars = axis.bar(labels, [scores[name] for name in names], color="tab:blue")
    axis.bar_label(bars, fmt="%.3f")
    axis.margins(y=0.15)
    if reference is not None:
        axis.axhline(reference, color="tab:red", linestyle="--", label=reference_label)
        # Above the axes and their title, so that it hides neither a bar nor the title.
        figure.legend(fontsize="small", loc="outside upper right", frameon=False)
    axis.set_ylabel(ylabel)
    if title:
        axis.set_title(title)
    return figure


def plot_cost_against_error(rows: Sequence[Mapping], title: str) -> Figure:
    """Seconds per epoch against validation and test MAE, one point per model (chapter 5).

    Args:
        rows: `seqlib.results.summarise` rows of forecasters (their Spreads give the bars,
            from the lowest to the highest seed).
        title: figure title.
    """
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    reference = next((row for row in rows if row["model"] == "conv_forecaster"), rows[0])
    panels = (("best_value", "baseline_val", f"best validation {MAE_LABEL}"),
              ("test", "baseline_test", f"test {MAE_LABEL}"))
    for axis, (metric, baseline, label) in zip(axes, panels):
        for row in rows:
            x, y = row["seconds_per_epoch"], row[metric]
            axis.errorbar(x.mean, y.mean, xerr=[[x.mean - x.low], [x.high - x.mean]],
                          yerr=[[y.mean - y.low], [y.high - y.mean]], fmt="o", capsize=3, label=row["title"])
        axis.axhline(reference[baseline].mean, color="tab:red", linestyle="--", label="common-sense baseline")
        axis.set_xlabel("seconds per epoch (as trained)")
        axis.set_ylabel(label)
    axes[1].legend(fontsize="small")
    figure.suptitle(title)
    return figure


def plot_reach(
    stages: Sequence[Stage],
    timesteps: int,
    causal: bool = False,
    output_index: int | None = -1,
    title: str = "",
) -> Figure:
    """Which positions of every level of a 1D stack reach one output (chapter 4).

    One row per level, the input at the bottom. Each position is drawn at the last input
    step it sees, so all rows share the input's time axis; the positions that reach the
    output are dark, and the count on the right says how many of the row's do.

    Args:
        stages: the stack, input side first (e.g. ``models.conv_forecaster_stages()``).
        timesteps: length of the input sequence.
        causal: the convolutions use ``padding="causal"``.
        output_index: the traced output of the last stage; ``None`` for all of them.
        title: figure title.

    Raises:
        ValueError: as ``receptive_field.reaching_positions``.
    """
    stages = list(stages)
    masks = reaching_positions(stages, timesteps, output_index, causal)
    figure = Figure(figsize=(9, 1.2 + 0.36 * len(masks)), layout="constrained")
    axis = figure.subplots()
    labels = ["input"]
    for stage in stages:
        labels.append(f"pool {stage.size}" if stage.kind == "pool"
                      else f"conv {stage.size}" + (f", dilation {stage.dilation}" if stage.dilation > 1 else ""))
    for level, mask in enumerate(masks):
        prefix = stages[:level]
        jump = int(np.prod([stage.size for stage in prefix if stage.kind == "pool"]))
        x = np.arange(len(mask)) * jump + (0 if causal else receptive_field(prefix) - 1)
        axis.scatter(x[~mask], np.full((~mask).sum(), level), s=3, color="lightgrey", marker="s")
        axis.scatter(x[mask], np.full(mask.sum(), level), s=8, color="tab:blue", marker="s")
        axis.text(1.01, level, f"{mask.sum()} of {len(mask)}", transform=axis.get_yaxis_transform(),
                  va="center", fontsize="small")
    if output_index is not None:  # x and mask are the top level's
        axis.scatter(x[mask], [len(masks) - 1], s=60, color="tab:red", marker="*")
    axis.set_yticks(range(len(masks)), labels)
    axis.set_xlim(-2, timesteps + 1)
    axis.set_ylim(-0.6, len(masks) - 0.4)
    axis.set_xlabel("input timestep (0 = oldest)" + ("; red star: the traced output" if output_index is not None else ""))
    if title:
        axis.set_title(title)
    return figure
