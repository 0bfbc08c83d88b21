"""Interactive explorers: thin ipywidgets around the recipe and the geometry.

Each ``make_*_explorer`` wraps functions that live where their concept lives
(`seqlib.recipe` trains, `seqlib.receptive_field` measures) in controls, and turns a
``ValueError`` (an impossible combination of settings) into a message shown in the
widget instead of a traceback. `make_sweep_explorer` needs no kernel at all: it switches
precomputed figures in the browser.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, Image
from matplotlib.figure import Figure

from seqlib import config, imdb, models, plots, recipe, registry, training, weather, windows
from seqlib.receptive_field import conv_geometry, dilated_geometry
from seqlib.static_explorers import run_in_output

__all__ = [
    "imdb_trial",
    "make_imdb_explorer",
    "forecaster_trial",
    "describe_conv_geometry",
    "make_conv_explorer",
    "make_step_explorer",
    "parse_rates",
    "make_dilation_explorer",
]


def imdb_trial(reviews: imdb.Reviews, kernel_size: int, maxlen: int, profile: config.Profile) -> Figure:
    """The IMDB convnet's short retrain with another kernel size and review length, as a figure.

    RMSprop at 1e-3, ten times the book's rate, for ``profile.explorer_epochs`` epochs, so
    that a run on a subset of the reviews learns enough to compare settings.

    Raises:
        ValueError: if ``maxlen`` exceeds the padded length, or the kernels do not fit.
    """
    run = recipe.train_classifier(
        "imdb_convnet", reviews, 0, profile,
        build=functools.partial(models.build_imdb_convnet, kernel_size=kernel_size), maxlen=maxlen,
        learning_rate=1e-3, max_epochs=profile.explorer_epochs, patience=None, score_test=False,
        time_step=False)
    return plots.plot_history(run.fit, metrics=("loss", "accuracy"),
                              labels={"loss": "binary cross-entropy"},
                              title=f"kernel size {kernel_size}, last {maxlen} words")


def make_imdb_explorer(
    reviews: imdb.Reviews,
    profile: config.Profile,
    kernel_sizes: tuple[int, ...] = (3, 5, 7, 9, 15, 25),
    maxlens: tuple[int, ...] = (20, 50, 100, 200, 500),
) -> widgets.VBox:
    """Controls for `imdb_trial`: pick a kernel size and review length, press Train."""
    kernel = widgets.SelectionSlider(options=kernel_sizes, value=7 if 7 in kernel_sizes else kernel_sizes[0],
                                     description="kernel size")
    maxlen = widgets.SelectionSlider(options=maxlens, value=max(maxlens), description="words read")
    button = widgets.Button(description="Train", icon="play")
    output = widgets.Output()
    button.on_click(lambda _: run_in_output(output, lambda: imdb_trial(reviews, kernel.value, maxlen.value,
                                                                        profile)))
    return widgets.VBox([widgets.HBox([kernel, maxlen, button]), output])


def forecaster_trial(
    key: str,
    weather_data: weather.WeatherData,
    profile: config.Profile,
    step: str,
    lookback: str = "10 days",
    **build_options: Any,
) -> Figure:
    """A forecaster's short retrain on windows of another step, as a figure.

    `recipe.train_forecaster` with the explorer's budget (``profile.explorer_epochs``
    epochs of ``profile.explorer_steps`` batches, every epoch kept), seed 0, forecasting
    24 hours after the last reading.

    Args:
        key: the model's registry key.
        weather_data: from `weather.prepare_weather`.
        profile: the run profile.
        step: the time between two timesteps of a window.
        lookback: how far back a window reaches.
        **build_options: passed to the model's builder (e.g. ``kernel_size``).

    Raises:
        ValueError: if the step is not a whole number of rows, or the model does not fit
            the windows.
    """
    spec = windows.WindowSpec.from_durations(lookback, registry.FORECAST_DELAY, step, weather_data.series.period)
    entry = registry.get_model(key)
    run = recipe.train_forecaster(
        key, weather_data, 0, profile, spec=spec, build=functools.partial(entry.build, **build_options),
        max_epochs=profile.explorer_epochs, steps_per_epoch=profile.explorer_steps, patience=None,
        score_test=False, time_step=False)
    settings = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in build_options.items())
    return plots.plot_trial(run.fit, run.record["baseline_val"], spec.timesteps,
                            f"{entry.title}, {', '.join(filter(None, [settings, f'{lookback} at step {step}']))}")


def describe_conv_geometry(step: str, kernel_size: int, period: Any) -> str:
    """The pure convnet's geometry for a step and a kernel size, as one line of HTML."""
    try:
        shape = conv_geometry("10 days", step, kernel_size, period)
    except ValueError as error:
        return f"<b>Cannot use these settings:</b> {html.escape(str(error))}"
    return (f"window: <b>{shape['timesteps']}</b> timesteps; after each conv/pool stage: {shape['lengths']}; "
            f"one output sees <b>{shape['receptive_field']}</b> timesteps = {shape['field_hours']:g} hours")


def make_conv_explorer(
    weather_data: weather.WeatherData,
    profile: config.Profile,
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
    period = weather_data.series.period

    def describe(_: Any = None) -> None:
        geometry.value = describe_conv_geometry(step.value, kernel.value, period)

    kernel.observe(describe, "value")
    step.observe(describe, "value")
    button.on_click(lambda _: run_in_output(output, lambda: forecaster_trial(
        "conv_forecaster", weather_data, profile, step.value, kernel_size=kernel.value)))
    describe()
    return widgets.VBox([widgets.HBox([kernel, step, button]), geometry, output])


def make_step_explorer(
    weather_data: weather.WeatherData,
    profile: config.Profile,
    lookback: str = "10 days",
    steps: Sequence[str] = ("30 min", "1 hour", "2 hours", "3 hours", "6 hours"),
) -> widgets.VBox:
    """The conv+GRU hybrid at different steps: sequence length, seconds per epoch, validation MAE."""
    step = widgets.SelectionSlider(options=list(steps), value="1 hour" if "1 hour" in steps else steps[0],
                                   description="step")
    button = widgets.Button(description="Train", icon="play")
    output = widgets.Output()
    button.on_click(lambda _: run_in_output(output, lambda: forecaster_trial(
        "conv_gru", weather_data, profile, step.value, lookback)))
    return widgets.VBox([widgets.HBox([step, button]), output])


def parse_rates(text: str) -> tuple[int, ...]:
    """Dilation rates typed as text ("1, 2, 4, 8") as integers.

    Raises:
        ValueError: if the text is not whole numbers separated by commas or spaces.
    """
    parts = text.replace(",", " ").split()
    if not parts or not all(part.isdigit() for part in parts):
        raise ValueError("Dilation rates must be whole numbers separated by commas, e.g. 1, 2, 4, 8. "
                         f"Received: {text!r}")
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
            shape = dilated_geometry(kernel.value, parse_rates(rates.value), timesteps)
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
