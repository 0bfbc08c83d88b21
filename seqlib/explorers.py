"""Interactive explorers: pure functions that do the work, and thin ipywidgets around them.

Every ``*_trial`` function is plain Python (testable without widgets); every
``make_*_explorer`` wraps one in controls and turns a ``ValueError`` (an impossible
combination of settings) into a message shown in the widget instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import html
import io
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import keras
import numpy as np
from IPython.display import HTML, Image
from matplotlib.figure import Figure

from seqlib import baselines, models, plots, training, windows
from seqlib.receptive_field import receptive_field, sequence_lengths

__all__ = [
    "imdb_kernel_trial",
    "make_imdb_explorer",
    "ForecasterTrial",
    "conv_geometry",
    "forecaster_trial",
    "make_conv_explorer",
    "make_step_explorer",
    "plot_trial",
    "run_in_output",
    "make_sweep_explorer",
    "dilated_geometry",
    "make_dilation_explorer",
]


def imdb_kernel_trial(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    kernel_size: int,
    maxlen: int,
    epochs: int,
    seed: int = 0,
) -> training.FitResult:
    """Train the book's IMDB convnet with another kernel size on the last ``maxlen`` words.

    Args:
        x_train, y_train, x_val, y_val: padded reviews (pre-padded, as
            ``keras.utils.pad_sequences`` makes them) and labels.
        kernel_size: width of both convolution windows, in words.
        maxlen: how many of the last words of each review the model reads.
        epochs: training epochs.
        seed: random seed of the run.

    The optimizer is RMSprop at 1e-3, ten times the book's rate, so that a run of one
    or two epochs on a subset learns enough to compare settings.

    Returns:
        The run's ``FitResult`` (monitoring validation accuracy).

    Raises:
        ValueError: if ``maxlen`` exceeds the padded length, or the kernels do not fit.
    """
    if not 1 <= maxlen <= x_train.shape[1]:
        raise ValueError(f"`maxlen` must be between 1 and {x_train.shape[1]}. Received: maxlen={maxlen}")
    training.set_seed(seed)
    model = models.build_imdb_convnet(num_words=int(x_train.max()) + 1, maxlen=maxlen, kernel_size=kernel_size)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return training.fit_model(
        model, x_train[:, -maxlen:], y_train, epochs=epochs, batch_size=128,
        validation_data=(x_val[:, -maxlen:], y_val), monitor="val_accuracy", mode="max",
    )


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


def make_imdb_explorer(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int,
    kernel_sizes: tuple[int, ...] = (3, 5, 7, 9, 15, 25),
    maxlens: tuple[int, ...] = (20, 50, 100, 200, 500),
) -> widgets.VBox:
    """Controls for ``imdb_kernel_trial``: pick a kernel size and review length, press Train."""
    kernel = widgets.SelectionSlider(options=kernel_sizes, value=7 if 7 in kernel_sizes else kernel_sizes[0],
                                     description="kernel size")
    maxlen = widgets.SelectionSlider(options=maxlens, value=max(maxlens), description="words read")
    button = widgets.Button(description="Train", icon="play")
    output = widgets.Output()

    def train(_: Any = None) -> None:
        run_in_output(output, lambda: plots.plot_history(
            imdb_kernel_trial(x_train, y_train, x_val, y_val, kernel.value, maxlen.value, epochs),
            metrics=("loss", "accuracy"),
            title=f"kernel size {kernel.value}, last {maxlen.value} words",
        ))

    button.on_click(train)
    return widgets.VBox([widgets.HBox([kernel, maxlen, button]), output])


def conv_geometry(lookback: str, step: str, kernel_size: int, period: np.timedelta64) -> dict[str, Any]:
    """What the pure convnet of chapter 2 sees for a lookback, a step and a kernel size.

    Returns:
        ``timesteps`` of a window, the sequence ``lengths`` after each conv/pool stage,
        the ``receptive_field`` of one output in timesteps, and ``field_duration``, the
        same in hours.

    Raises:
        ValueError: if the step is not a whole number of rows, is longer than the
            lookback, or the kernels do not fit in the window.
    """
    spec = windows.WindowSpec.from_durations(lookback, 0, step, period)
    stages = models.conv_forecaster_stages(kernel_size)
    field = receptive_field(stages)
    step_hours = spec.step * period / np.timedelta64(1, "h")
    return {
        "timesteps": spec.timesteps,
        "lengths": sequence_lengths(spec.timesteps, stages),
        "receptive_field": field,
        "field_hours": field * step_hours,
    }


@dataclasses.dataclass
class ForecasterTrial:
    """A short training run of a forecaster, next to the common-sense baseline on the same windows."""

    fit: training.FitResult
    baseline_mae: float
    timesteps: int


def forecaster_trial(
    data: np.ndarray,
    splits: windows.SplitRanges,
    target_column: int,
    spec: windows.WindowSpec,
    build: Callable[[int, int], keras.Model],
    epochs: int,
    steps_per_epoch: int,
    max_eval_batches: int | None,
    seed: int = 0,
) -> ForecasterTrial:
    """Train ``build(num_features, timesteps)`` on windows of ``spec`` and score it on validation.

    The model is compiled like the book's forecasters (`training.compile_forecaster`).

    Raises:
        ValueError: if the windows do not fit the splits or the model does not fit the
            windows (e.g. a kernel longer than the sequence).
    """
    training.set_seed(seed)
    model = build(data.shape[1], spec.timesteps)
    train, val, _ = windows.make_windows(data, spec, splits, target_column, steps_per_epoch=steps_per_epoch,
                                         seed=seed, max_eval_batches=max_eval_batches)
    baseline_mae = baselines.common_sense_mae(data, spec, val.rows, target_column)
    training.compile_forecaster(model)
    fit = training.fit_model(model, train.dataset(), epochs=epochs, validation_data=val.dataset())
    return ForecasterTrial(fit, baseline_mae, spec.timesteps)


def plot_trial(trial: ForecasterTrial, title: str) -> Figure:
    """The trial's curves with its baseline and its cost in the title."""
    return plots.plot_history(
        trial.fit, baseline=trial.baseline_mae,
        title=f"{title}\n{trial.timesteps} timesteps, {trial.fit.seconds_per_epoch:.1f} s/epoch, "
              f"best val MAE {trial.fit.best_value:.3f}",
    )


def make_conv_explorer(
    data: np.ndarray,
    splits: windows.SplitRanges,
    target_column: int,
    period: np.timedelta64,
    epochs: int,
    steps_per_epoch: int,
    max_eval_batches: int | None,
    kernel_sizes: Sequence[int] = (3, 5, 7, 9, 15, 25),
    steps: Sequence[str] = ("30 min", "1 hour", "2 hours", "3 hours", "6 hours", "12 hours"),
) -> widgets.VBox:
    """Kernel size and step of the pure convnet: geometry at once, a short retrain on demand."""
    kernel = widgets.SelectionSlider(options=list(kernel_sizes), value=5 if 5 in kernel_sizes else kernel_sizes[0],
                                     description="kernel size")
    step = widgets.SelectionSlider(options=list(steps), value="1 hour" if "1 hour" in steps else steps[0],
                                   description="step")
    geometry = widgets.HTML()
    button = widgets.Button(description="Train", icon="play")
    output = widgets.Output()

    def describe(_: Any = None) -> None:
        try:
            shape = conv_geometry("10 days", step.value, kernel.value, period)
        except ValueError as error:
            geometry.value = f"<b>Cannot use these settings:</b> {html.escape(str(error))}"
            return
        geometry.value = (
            f"window: <b>{shape['timesteps']}</b> timesteps; after each conv/pool stage: {shape['lengths']}; "
            f"one output sees <b>{shape['receptive_field']}</b> timesteps = {shape['field_hours']:g} hours"
        )

    def train(_: Any = None) -> None:
        def work() -> Figure:
            spec = windows.WindowSpec.from_durations("10 days", "24 hours", step.value, period)
            trial = forecaster_trial(
                data, splits, target_column, spec,
                lambda features, timesteps: models.build_conv_forecaster(features, timesteps, kernel_size=kernel.value),
                epochs, steps_per_epoch, max_eval_batches)
            return plot_trial(trial, f"kernel {kernel.value}, step {step.value}")
        run_in_output(output, work)

    kernel.observe(describe, "value")
    step.observe(describe, "value")
    button.on_click(train)
    describe()
    return widgets.VBox([widgets.HBox([kernel, step, button]), geometry, output])


def make_step_explorer(
    data: np.ndarray,
    splits: windows.SplitRanges,
    target_column: int,
    period: np.timedelta64,
    epochs: int,
    steps_per_epoch: int,
    max_eval_batches: int | None,
    lookback: str = "10 days",
    steps: Sequence[str] = ("30 min", "1 hour", "2 hours", "3 hours", "6 hours"),
) -> widgets.VBox:
    """The conv+GRU hybrid at different steps: sequence length, seconds per epoch, validation MAE."""
    step = widgets.SelectionSlider(options=list(steps), value="1 hour" if "1 hour" in steps else steps[0],
                                   description="step")
    button = widgets.Button(description="Train", icon="play")
    output = widgets.Output()

    def train(_: Any = None) -> None:
        def work() -> Figure:
            spec = windows.WindowSpec.from_durations(lookback, "24 hours", step.value, period)
            trial = forecaster_trial(data, splits, target_column, spec, models.build_conv_gru,
                                     epochs, steps_per_epoch, max_eval_batches)
            return plot_trial(trial, f"conv+GRU, {lookback} at step {step.value}")
        run_in_output(output, work)

    button.on_click(train)
    return widgets.VBox([widgets.HBox([step, button]), output])


def make_sweep_explorer(records: Sequence[dict[str, Any]]) -> widgets.VBox:
    """Kernel size and step of the pure convnet, from precomputed runs: works on a static page.

    Each record of ``python -m seqlib.experiments --sweep`` (see
    `seqlib.experiments.load_sweep`) becomes a figure of its validation curve against the
    baseline on its windows (`plot_trial`), or a message for a setting whose kernels do not
    fit the window. The figures sit in one `widgets.Stack` per kernel size, inside a
    `Stack` of kernel sizes; `widgets.jslink` ties each slider's ``index`` to the stacks'
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
            fit = training.FitResult(record["history"], record["epoch_seconds"], record["monitor"], record["mode"])
            figure = plot_trial(ForecasterTrial(fit, record["baseline_val"], record["timesteps"]),
                                f"kernel {kernel_size}, step {step_text}")
            figure.set_size_inches(7.5, 3.6)  # room for the long title
            return figure
        output = widgets.Output()
        run_in_output(output, work)
        return output

    per_kernel = []
    for kernel_size in kernel_sizes:
        stack = widgets.Stack([page(kernel_size, step_text) for step_text in steps], selected_index=step.index)
        widgets.jslink((step, "index"), (stack, "selected_index"))
        per_kernel.append(stack)
    figures = widgets.Stack(per_kernel, selected_index=kernel.index)
    widgets.jslink((kernel, "index"), (figures, "selected_index"))
    return widgets.VBox([widgets.HBox([kernel, step]), figures])


def dilated_geometry(
    kernel_size: int,
    dilation_rates: Sequence[int],
    timesteps: int = 240,
    num_features: int = 14,
) -> dict[str, Any]:
    """What chapter 4's dilated causal forecaster sees of a window, without training.

    Returns:
        The ``stages``, the ``receptive_field`` of the last step in timesteps,
        ``window_seen``: how many of the window's timesteps reach the last step, and the
        ``parameters`` of ``models.build_dilated_causal_forecaster`` on ``num_features`` columns.

    Raises:
        ValueError: as ``models.build_dilated_causal_forecaster`` (non-positive sizes or
            rates, or a dilated kernel longer than the window).
    """
    model = models.build_dilated_causal_forecaster(num_features, timesteps, kernel_size=kernel_size,
                                                   dilation_rates=dilation_rates)
    stages = models.dilated_causal_stages(kernel_size, dilation_rates)
    field = receptive_field(stages)
    return {"stages": stages, "receptive_field": field, "window_seen": min(field, timesteps),
            "parameters": model.count_params()}


def _parse_rates(text: str) -> tuple[int, ...]:
    parts = text.replace(",", " ").split()
    if not parts or not all(part.isdigit() for part in parts):
        raise ValueError(f"Dilation rates must be whole numbers separated by commas, e.g. 1, 2, 4, 8. Received: {text!r}")
    return tuple(int(part) for part in parts)


def make_dilation_explorer(
    timesteps: int = 240,
    kernel_sizes: Sequence[int] = (2, 3, 4, 5),
    dilation_rates: str = "1, 2, 4, 8, 16, 32, 64, 128",
) -> widgets.VBox:
    """Kernel size and dilation rates of a causal stack: what its last step sees, redrawn at once."""
    kernel = widgets.SelectionSlider(options=list(kernel_sizes), value=2 if 2 in kernel_sizes else kernel_sizes[0],
                                     description="kernel size")
    rates = widgets.Text(value=dilation_rates, description="dilations", continuous_update=False)
    summary = widgets.HTML()
    output = widgets.Output()

    def update(_: Any = None) -> None:
        def work() -> Figure:
            shape = dilated_geometry(kernel.value, _parse_rates(rates.value), timesteps)
            summary.value = (
                f"{len(shape['stages'])} causal layers, {shape['parameters']:,} parameters on 14 features; the last "
                f"step sees <b>{shape['window_seen']}</b> of the window's {timesteps} timesteps "
                f"(receptive field {shape['receptive_field']})"
            )
            return plots.plot_reach(shape["stages"], timesteps, causal=True,
                                    title=f"kernel {kernel.value}, dilations {rates.value}")
        summary.value = ""
        run_in_output(output, work)

    kernel.observe(update, "value")
    rates.observe(update, "value")
    update()
    return widgets.VBox([widgets.HBox([kernel, rates]), summary, output])
