"""Figures of the book; every function returns a matplotlib Figure and shows nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from seqlib.training import FitResult

__all__ = ["plot_history", "plot_series", "plot_comparison"]


def plot_history(
    result: FitResult,
    metrics: Sequence[str] = ("loss",),
    baseline: float | None = None,
    baseline_label: str = "common-sense baseline",
    title: str = "",
) -> Figure:
    """Training and validation curves, one panel per metric, best epoch marked.

    Args:
        result: a ``FitResult``.
        metrics: metric names without the ``val_`` prefix (``"loss"``, ``"accuracy"``).
        baseline: optional value drawn as a horizontal line in the first panel.
        title: figure title.

    Raises:
        ValueError: if a metric is not in the history.
    """
    for metric in metrics:
        if metric not in result.history or f"val_{metric}" not in result.history:
            raise ValueError(f"`metrics` must name logged metrics. Received: {metric!r}; logged: {sorted(result.history)}")
    figure = Figure(figsize=(5.2 * len(metrics), 3.6), layout="constrained")
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    epochs = np.arange(1, result.epochs + 1)
    for panel, (axis, metric) in enumerate(zip(axes, metrics)):
        axis.plot(epochs, result.history[metric], "o", color="tab:blue", label=f"training {metric}")
        axis.plot(epochs, result.history[f"val_{metric}"], "-", color="tab:blue", label=f"validation {metric}")
        if f"val_{metric}" == result.monitor:
            axis.axvline(result.best_epoch, color="grey", linestyle=":", label=f"best epoch ({result.best_epoch})")
        if baseline is not None and panel == 0:
            axis.axhline(baseline, color="tab:red", linestyle="--", label=baseline_label)
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


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
    axis.set_ylabel(ylabel)
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
    figure = Figure(figsize=(6, 3.4), layout="constrained")
    axis = figure.subplots()
    names = list(scores)
    bars = axis.bar(names, [scores[name] for name in names], color="tab:blue")
    axis.bar_label(bars, fmt="%.3f")
    if reference is not None:
        axis.axhline(reference, color="tab:red", linestyle="--", label=reference_label)
        axis.legend(fontsize="small")
    axis.set_ylabel(ylabel)
    if title:
        axis.set_title(title)
    return figure
