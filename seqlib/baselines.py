"""The common-sense forecast: the temperature 24 hours from now equals the last one seen.

This is the baseline a model must beat (DLWP 1st ed., section 6.3). It is scored on
exactly the windows the models are scored on (`seqlib.windows.target_rows`).
"""

from __future__ import annotations

import numpy as np

from seqlib.windows import WindowSpec, check_rows

__all__ = ["common_sense_predictions", "common_sense_mae"]


def common_sense_predictions(
    data: np.ndarray, spec: WindowSpec, rows: np.ndarray, target_column: int
) -> tuple[np.ndarray, np.ndarray]:
    """Predict each window's target as the last value of the target column in the window.

    The last timestep of the window of row ``r`` is row ``r`` itself, at every step: the
    book's ``samples[:, -1, 1]``, forecasting exactly ``spec.delay`` rows ahead.

    Args:
        data: array of shape (rows, features), usually normalised.
        spec: the window shape.
        rows: 1D int array of last readings, e.g. `EvaluationWindows.rows`.
        target_column: index of the feature to forecast.

    Returns:
        `(predictions, targets)`, two arrays of shape (len(rows),) in the dtype of `data`.

    Raises:
        ValueError: if `data` is not 2D, `target_column` is not a column, or a window
            or target of `rows` falls outside `data`.
    """
    data = np.asarray(data)
    rows, target_column = check_rows(data, rows, spec, target_column)
    predictions = data[rows, target_column]
    return predictions, data[rows + spec.delay, target_column]


def common_sense_mae(
    data: np.ndarray, spec: WindowSpec, rows: np.ndarray, target_column: int
) -> float:
    """The mean absolute error of the common-sense forecast over the windows of some rows.

    Args:
        data: array of shape (rows, features), usually normalised (the MAE is then in
            units of the target's training std; multiply by it for °C).
        spec: the window shape.
        rows: 1D int array of last readings: `EvaluationWindows.rows` scores exactly the
            windows a model is scored on; `target_rows(spec, split)` every window of a split.
        target_column: index of the feature to forecast.

    Returns:
        The MAE, computed in float64.

    Raises:
        ValueError: if `data` is not 2D, `target_column` is not a column, or a window
            or target of `rows` falls outside `data`.
    """
    predictions, targets = common_sense_predictions(data, spec, rows, target_column)
    return float(np.mean(np.abs(predictions.astype(np.float64) - targets)))
