"""Interactive explorers: pure functions that do the work, and thin ipywidgets around them.

Every ``*_trial`` function is plain Python (testable without widgets); every
``make_*_explorer`` wraps one in controls and turns a ``ValueError`` (an impossible
combination of settings) into a message shown in the widget instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import keras
import numpy as np
from IPython.display import display

from seqlib import models, plots, training

__all__ = ["imdb_kernel_trial", "make_imdb_explorer", "run_in_output"]


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
    model = models.build_imdb_convnet(num_words=int(x_train.max()) + 1, maxlen=maxlen, kernel_size=kernel_size)
    training.set_seed(seed)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return training.fit_model(
        model, x_train[:, -maxlen:], y_train, epochs=epochs, batch_size=128,
        validation_data=(x_val[:, -maxlen:], y_val), monitor="val_accuracy", mode="max",
    )


def run_in_output(output: widgets.Output, work: Callable[[], Any]) -> None:
    """Run ``work`` and display what it returns in ``output``; show a ``ValueError`` as a message."""
    output.clear_output(wait=True)
    with output:
        try:
            display(work())
        except ValueError as error:
            display(widgets.HTML(f"<b>Cannot run these settings:</b> {error}"))


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
    kernel = widgets.SelectionSlider(options=kernel_sizes, value=7, description="kernel size")
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
