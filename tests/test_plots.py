"""Every figure the book draws (all come from seqlib) names what its axes measure."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.category import StrCategoryFormatter
from matplotlib.ticker import FixedFormatter, FuncFormatter

from seqlib import plots, receptive_field
from seqlib.convolution_by_hand import move_phrase, plot_worked_convolution
from seqlib.results import FitResult, Spread

HISTORY = FitResult({"loss": [0.5, 0.4, 0.45], "val_loss": [0.52, 0.41, 0.47],
                     "accuracy": [0.6, 0.7, 0.8], "val_accuracy": [0.58, 0.69, 0.71]},
                    [1.0, 1.1, 0.9], "val_loss", "min", max_epochs=3, patience=1)
HOURS = np.datetime64("2017-01-01T00") + np.arange(48).astype("timedelta64[h]")
ROW = {"model": "conv_forecaster", "title": "pure convnet", "seconds_per_epoch": Spread((9.0, 11.0)),
       "best_value": Spread((0.50, 0.52)), "test": Spread((0.51, 0.53)),
       "baseline_val": Spread((0.34,)), "baseline_test": Spread((0.35,))}

FIGURES = {
    "history": lambda: plots.plot_history(HISTORY, metrics=("loss", "accuracy"), baseline=0.3),
    "trial": lambda: plots.plot_trial(HISTORY, 0.3, 240, "pure convnet"),
    "series": lambda: plots.plot_series(HOURS, np.sin(np.arange(48)), ylabel="temperature (°C)"),
    "forecasts": lambda: plots.plot_forecasts(HOURS, np.zeros(48), {"persistence": np.ones(48)}, ylabel="°C"),
    "comparison": lambda: plots.plot_comparison({"persistence": 0.35, "GRU": 0.31}, "MAE", reference=0.35,
                                                title="validation"),
    "cost against error": lambda: plots.plot_cost_against_error([ROW], "cost"),
    "reach": lambda: plots.plot_reach(receptive_field.conv_forecaster_stages(), 240),
    "reach, causal": lambda: plots.plot_reach(receptive_field.dilated_causal_stages(), 64, causal=True,
                                              output_index=None),
    "worked convolution": lambda: plot_worked_convolution(),
    "moved phrase": lambda: plot_worked_convolution(move_phrase()[1], highlight=0),
}


def _unlabelled(figure) -> list[str]:
    """The axes of `figure` whose numbers or dates come without a label saying what they are."""
    FigureCanvasAgg(figure).draw()  # tick labels exist once drawn
    missing = []
    for index, axes in enumerate(figure.axes):
        if not axes.axison:
            continue  # a drawing (words, arrows), not a chart
        for name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
            shown = [label.get_text() for label in axis.get_ticklabels() if label.get_text()]
            # Ticks set to words ("input", "conv 5"; a bar per model) name their own positions.
            named_ticks = (isinstance(axis.get_major_formatter(), (FixedFormatter, FuncFormatter, StrCategoryFormatter))
                           and all(any(character.isalpha() for character in text) for text in shown))
            if shown and not named_ticks and not axis.get_label_text():
                missing.append(f"axes {index}: {name}")
    return missing


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_labels_the_axes_it_numbers(name):
    assert _unlabelled(FIGURES[name]()) == []


def test_an_unlabelled_axis_is_caught():
    figure = plots.plot_series(HOURS, np.arange(48), ylabel="T")
    figure.axes[0].set_xlabel("")
    assert _unlabelled(figure) == ["axes 0: x"]
