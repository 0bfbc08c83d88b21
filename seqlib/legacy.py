"""The 2017 book's window generator, re-implemented with the same semantics, for comparison only.

Use `seqlib.windows` for real work. This module exists so that the tests can check
that `windows` cuts the same windows and the benchmark can time the per-row loop.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["generator_2017"]


def generator_2017(
    data: np.ndarray,
    lookback: int,
    delay: int,
    min_index: int,
    max_index: int | None,
    shuffle: bool = False,
    batch_size: int = 128,
    step: int = 6,
    target_column: int = 1,
    *,
    random_state: np.random.RandomState | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield `(samples, targets)` batches forever, exactly as DLWP 1st ed., section 6.3 did.

    Kept only for comparison (tests, benchmark, and the chapter that explains the 2017
    bugs). It builds every sample with a per-row Python loop into float64 arrays and
    keeps the 2017 quirks:

    - `max_index=None` means ``len(data) - delay - 1``.
    - Current rows ``r`` run up to ``max_index - 1`` and targets are ``r + delay``, so
      the last `delay` rows of a split read their targets past `max_index`: with the
      book's settings, the validation batches score rows 299,856-299,872 against
      targets in the gap row 300,000 and the test split. `seqlib.windows.target_rows`
      stops at ``max_index - delay``.
    - In order (`shuffle=False`), the cursor goes back to ``min_index + lookback``
      when ``i + batch_size >= max_index``, so the final partial batch is never
      yielded, and a caller that asks for more batches than one cycle silently scores
      the first ones again: the notebook's
      ``test_steps = (len(float_data) - 300001 - lookback) // 128`` is 930, one more
      than the test generator's 929-batch cycle (its `max_index` is
      ``len(data) - delay - 1``, which that formula ignores).
    - `shuffle=True` draws ``np.random.randint(min_index + lookback, max_index,
      size=batch_size)``: with replacement, from the global NumPy random state.
    - Samples have ``lookback // step`` timesteps, so a `step` that does not divide
      `lookback` makes NumPy raise a broadcasting ValueError.

    Args:
        data: array of shape (rows, features).
        lookback: rows before the current row that a sample covers.
        delay: rows after the current row where the target is.
        min_index: first row of the split.
        max_index: end of the split (exclusive), or `None` (see above).
        shuffle: draw current rows at random instead of in order.
        batch_size: rows per batch.
        step: keep one row in `step`.
        target_column: the target's feature (1: Jena's "T (degC)").
        random_state: draws for `shuffle=True`; `None` uses the global `np.random`, as in 2017.

    Returns:
        An endless generator of float64 `(samples, targets)` of shapes
        (batch, lookback // step, features) and (batch,).
    """
    randint = np.random.randint if random_state is None else random_state.randint
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while True:
        if shuffle:
            rows = randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            samples[j] = data[range(row - lookback, row, step)]
            targets[j] = data[row + delay][target_column]
        yield samples, targets
