"""Explorers that work on a static page: sliders over precomputed figures, no kernel needed.

Every page of such an explorer is computed when the chapter runs and sits in a
``widgets.Stack``; ``widgets.jslink`` ties a slider's position to the stack's, so the
browser switches pages without Python (`linked_stack`). Chapter 5's sweep and chapter 6's
review readings are built this way. Light: ipywidgets and matplotlib, no TensorFlow.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, Image
from matplotlib.figure import Figure

from seqlib import plots
from seqlib.results import FitResult

__all__ = ["run_in_output", "linked_stack", "make_sweep_explorer"]


def run_in_output(output: widgets.Output, work: Callable[[], Figure]) -> None:
    """Show the figure that ``work`` returns in ``output``, or a ``ValueError`` as a message."""
    output.outputs = ()
    try:
        figure = work()
    except ValueError as error:
        output.append_display_data(HTML(f"<b>Cannot run these settings:</b> {html.escape(str(error))}"))
        return
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    output.append_display_data(Image(data=buffer.getvalue(), format="png"))


def linked_stack(slider: widgets.Widget, pages: Sequence[widgets.Widget]) -> widgets.Stack:
    """A stack of ``pages`` whose shown page follows ``slider``'s index, in the browser too.

    Introduced in chapter 5 (the sweep); chapter 6's review readings use it as well.
    """
    stack = widgets.Stack(list(pages), selected_index=slider.index)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return stack


def make_sweep_explorer(records: Sequence[dict[str, Any]]) -> widgets.VBox:
    """Kernel size and step of the pure convnet, from precomputed runs: works on a static page.

    Each record of ``python -m seqlib.experiments --sweep`` (see
    `seqlib.results.load_sweep`) becomes a figure of its validation curve against the
    baseline on its windows, or a message for a setting whose kernels do not fit the
    window. The figures sit in one `widgets.Stack` per kernel size, inside a `Stack` of
    kernel sizes; `widgets.jslink` ties each slider's ``index`` to the stacks'
    ``selected_index``, so the browser switches figures without a running kernel.

    Raises:
        ValueError: if ``records`` is empty or mixes datasets.
    """
    if not records:
        raise ValueError("`records` is empty: run `python -m seqlib.experiments --sweep` first.")
    datasets = sorted({record["dataset"]["key"] for record in records})
    if len(datasets) > 1:
        raise ValueError(f"`records` must come from one dataset. Received records of {datasets}.")
    kernel_sizes = sorted({record["kernel_size"] for record in records})
    steps = [step for _, step in sorted({(record["step_hours"], record["step"]) for record in records})]
    by_setting = {(record["kernel_size"], record["step"]): record for record in records}
    kernel = widgets.SelectionSlider(options=kernel_sizes, value=5 if 5 in kernel_sizes else kernel_sizes[0],
                                     description="kernel size")
    step = widgets.SelectionSlider(options=steps, value="1 hour" if "1 hour" in steps else steps[0],
                                   description="step")

    def page(kernel_size: int, step_text: str) -> widgets.Output:
        def work() -> Figure:
            record = by_setting.get((kernel_size, step_text))
            if record is None:
                raise ValueError("the sweep has no result for this setting (was it interrupted?).")
            if record["error"]:
                raise ValueError(record["error"])
            fit = FitResult(record["history"], record["epoch_seconds"], record["monitor"], record["mode"])
            figure = plots.plot_trial(fit, record["baseline_val"], record["timesteps"],
                                      f"kernel {kernel_size}, step {step_text}")
            figure.set_size_inches(7.5, 3.6)  # room for the long title
            return figure
        output = widgets.Output()
        run_in_output(output, work)
        return output

    per_kernel = [linked_stack(step, [page(kernel_size, step_text) for step_text in steps])
                  for kernel_size in kernel_sizes]
    return widgets.VBox([widgets.HBox([kernel, step]), linked_stack(kernel, per_kernel)])
