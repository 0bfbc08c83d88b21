"""Time-series windows: lookback, step, delay, split ranges, normalisation and Keras inputs.

This is the 2017 book's `generator` (DLWP 1st ed., sections 6.3-6.4) taken apart into
pure functions, with its three flaws fixed: the target is exactly `delay` after the last
reading at every step, a window's target never lies outside its split, and evaluation
scores every window of a split exactly once (see `seqlib.legacy`).

A window is named by its *last reading* ``r``: the model sees the rows
``..., r - 2 * step, r - step, r`` (``timesteps`` of them, covering the lookback) and
predicts the target column at row ``r + delay``. With Jena's 10-minute rows and the
book's settings (lookback 1440, step 6, delay 144) that is 10 days of hourly readings
and a target 24 hours after the last one. The 2017 generator read the rows before ``r``
(``r - lookback, ..., r - step``) and predicted ``r + delay``: its lead time was
``delay + step``, so it grew with the step (25 hours at a 1-hour step, 30 at 6 hours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from seqlib.checks import check_int, is_integer

__all__ = [
    "parse_duration",
    "format_rows",
    "WindowSpec",
    "SplitRanges",
    "target_rows",
    "normalise",
    "make_batch",
    "count_batches",
    "check_range",
    "check_rows",
]

_SECONDS_PER_UNIT = {
    "week": 604_800, "w": 604_800,
    "day": 86_400, "d": 86_400,
    "hour": 3_600, "hr": 3_600, "h": 3_600,
    "minute": 60, "min": 60,
    "second": 1, "sec": 1, "s": 1,
}
_DURATION_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*")
_VALID_EXAMPLES = "'10 days', '24 hours', '1 hour', '30 min', '10 minutes', '2 h'"
_NS_PER_SECOND = 1_000_000_000
# 2017 split of Jena's 420,551 rows: train ends at row 200,000, validation at 300,000.
_BOOK_ROWS, _BOOK_TRAIN_END, _BOOK_VAL_END = 420_551, 200_000, 300_000


def _to_nanoseconds(value: np.timedelta64, name: str) -> int:
    """Return a `np.timedelta64` with a unit as an int number of nanoseconds."""
    if not isinstance(value, np.timedelta64) or np.datetime_data(value.dtype)[0] == "generic":
        raise ValueError(
            f"`{name}` must be a np.timedelta64 with a unit, e.g. np.timedelta64(10, 'm'). "
            f"Received: {name}={value!r}"
        )
    return int(value.astype("timedelta64[ns]").astype(np.int64))


def _period_nanoseconds(period: np.timedelta64) -> int:
    """Return a positive row period in nanoseconds, or raise a ValueError."""
    nanoseconds = _to_nanoseconds(period, "period")
    if nanoseconds <= 0:
        raise ValueError(f"`period` must be positive. Received: period={period!r}")
    return nanoseconds


def _format_duration(nanoseconds: int) -> str:
    """Say a duration in the largest whole unit: "10 days", "24 hours", "30 minutes"."""
    for unit, seconds in (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)):
        count, remainder = divmod(nanoseconds, seconds * _NS_PER_SECOND)
        # One day reads better as 24 hours, the way the book says it.
        if remainder == 0 and not (unit == "day" and count == 1):
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{nanoseconds / _NS_PER_SECOND:g} seconds"


def parse_duration(value: str | int | np.timedelta64, period: np.timedelta64, name: str) -> int:
    """Convert a duration ("10 days", "24 hours", "30 min") or a row count into rows.

    Args:
        value: duration text (a number and a unit: weeks, days, hours, minutes or
            seconds, written in full or as "d", "h", "hr", "min", "s"), a
            `np.timedelta64`, or an int, which is already a number of rows.
        period: the time between two rows, e.g. `np.timedelta64(10, "m")` for Jena.
        name: the parameter's name, used in error messages.

    Returns:
        The number of rows, e.g. 1440 for "10 days" at 10-minute rows.

    Raises:
        ValueError: if `value` cannot be read, or is not a whole number of rows.
    """
    period_ns = _period_nanoseconds(period)
    if is_integer(value):
        return int(value)
    if isinstance(value, np.timedelta64):
        nanoseconds = Fraction(_to_nanoseconds(value, name))
    else:
        match = _DURATION_TEXT.fullmatch(value) if isinstance(value, str) else None
        unit = match.group(2).lower() if match else ""
        if unit not in _SECONDS_PER_UNIT and unit.endswith("s"):
            unit = unit[:-1]
        if unit not in _SECONDS_PER_UNIT:
            raise ValueError(
                f"`{name}` must be a duration such as {_VALID_EXAMPLES}, a np.timedelta64, "
                f"or an int number of rows. Received: {name}={value!r}"
            )
        nanoseconds = Fraction(match.group(1)) * _SECONDS_PER_UNIT[unit] * _NS_PER_SECOND
    rows = nanoseconds / period_ns
    if rows.denominator != 1:
        period_text = _format_duration(period_ns)
        raise ValueError(
            f"`{name}` = {value!r} is not a whole number of {period_text} rows "
            f"(it is {rows} rows). Use a multiple of {period_text}."
        )
    return int(rows)


def format_rows(rows: int, period: np.timedelta64 | None = None) -> str:
    """Say a number of rows with its duration: "1440 rows (10 days)".

    Args:
        rows: a number of rows.
        period: the time between two rows; `None` gives the rows alone.

    Returns:
        The text, e.g. "144 rows (24 hours)", or "144 rows" without a period.

    Raises:
        ValueError: if `period` is not a positive `np.timedelta64`.
    """
    text = f"{rows} row{'' if rows == 1 else 's'}"
    if period is None or rows == 0:
        return text
    return f"{text} ({_format_duration(rows * _period_nanoseconds(period))})"


@dataclass(frozen=True)
class WindowSpec:
    """The shape of a forecasting window, in rows of the series.

    Attributes:
        lookback: how many rows a window covers, up to and including its last reading ``r``.
        delay: how many rows after the last reading ``r`` the target is (0: row ``r`` itself).
        step: keep one row in `step` inside the lookback (6: hourly from 10-minute rows).
        batch_size: windows per batch.
        period: the time between two rows, if known; used only to describe the window.

    Raises:
        ValueError: if a field is not an int, or if lookback < 1, step < 1,
            step > lookback, delay < 0 or batch_size < 1.
    """

    lookback: int
    delay: int
    step: int = 1
    batch_size: int = 128
    period: np.timedelta64 | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        for name, minimum in (("lookback", 1), ("delay", 0), ("step", 1), ("batch_size", 1)):
            object.__setattr__(self, name, check_int(name, getattr(self, name), minimum=minimum))
        if self.step > self.lookback:
            raise ValueError(
                "`step` must be <= `lookback` (a window needs at least one timestep). "
                f"Received: step={self.step}, lookback={self.lookback}"
            )
        if self.period is not None:
            _period_nanoseconds(self.period)

    @classmethod
    def from_durations(
        cls,
        lookback: str | int | np.timedelta64,
        delay: str | int | np.timedelta64,
        step: str | int | np.timedelta64,
        period: np.timedelta64,
        batch_size: int = 128,
    ) -> WindowSpec:
        """Build a spec from durations: `from_durations("10 days", "24 hours", "1 hour", period)`.

        Args:
            lookback: how far back a window reaches, as text, `np.timedelta64` or rows.
            delay: how far after the last reading the target is.
            step: the time between two timesteps of a window.
            period: the time between two rows of the series.
            batch_size: windows per batch.

        Returns:
            The spec in rows, remembering `period` for `describe`.

        Raises:
            ValueError: if a duration cannot be read or is not a whole number of rows,
                or if the resulting rows are invalid (see the class).
        """
        return cls(
            lookback=parse_duration(lookback, period, "lookback"),
            delay=parse_duration(delay, period, "delay"),
            step=parse_duration(step, period, "step"),
            batch_size=batch_size,
            period=period,
        )

    @property
    def timesteps(self) -> int:
        """Timesteps per window: ceil(lookback / step), e.g. 240 for 1440 rows at step 6."""
        return len(range(0, self.lookback, self.step))

    @property
    def span(self) -> int:
        """Rows from a window's first reading to its last, both included: (timesteps - 1) * step + 1."""
        return (self.timesteps - 1) * self.step + 1

    @property
    def sample_offsets(self) -> np.ndarray:
        """Offsets of a window's rows from its last reading ``r``: ..., -2 * step, -step, 0."""
        return np.arange(-(self.timesteps - 1) * self.step, 1, self.step)

    def describe(self, period: np.timedelta64 | None = None) -> str:
        """Spell out the window's index arithmetic, like TensorFlow's `WindowGenerator`.

        Args:
            period: the time between two rows; defaults to the spec's own `period`.

        Returns:
            Several lines of text, e.g. for Jena's book settings: "lookback 1440 rows
            (10 days) -> 240 timesteps at step 6 rows (1 hour)", the sampled rows
            "r-1434, r-1428, ..., r", and the target row "r+144".

        Raises:
            ValueError: if `period` is not a positive `np.timedelta64`.
        """
        period = self.period if period is None else period
        offsets = [f"r{offset}" if offset else "r" for offset in self.sample_offsets]
        if len(offsets) > 4:
            offsets = offsets[:2] + ["...", offsets[-1]]
        return "\n".join([
            f"window ending at row r (its last reading): lookback {format_rows(self.lookback, period)} "
            f"→ {self.timesteps} timesteps at step {format_rows(self.step, period)}",
            f"  sample rows  {', '.join(offsets)}",
            f"  target row   r+{self.delay}, {format_rows(self.delay, period)} after the last reading",
            f"  batch size   {self.batch_size} windows",
        ])

    def __str__(self) -> str:
        return self.describe()


def check_range(row_range: Any, name: str, num_rows: int | None = None) -> tuple[int, int]:
    """Return a half-open row range as `(start, stop)` ints, or raise a ValueError naming it."""
    try:
        start, stop = (check_int(name, bound, minimum=None) for bound in row_range)
    except (TypeError, ValueError):
        start = stop = -1
    if not 0 <= start < stop:
        raise ValueError(
            f"`{name}` must be a (start, stop) pair of row indices with 0 <= start < stop. "
            f"Received: {name}={row_range!r}"
        )
    if num_rows is not None and stop > num_rows:
        raise ValueError(
            f"`{name}` = ({start}, {stop}) ends past the last row: the data has {num_rows} rows, "
            f"so `stop` must be <= {num_rows}."
        )
    return start, stop


@dataclass(frozen=True)
class SplitRanges:
    """Half-open row ranges `(start, stop)` of the training, validation and test splits.

    Attributes:
        train: rows of the training split.
        val: rows of the validation split.
        test: rows of the test split.

    Raises:
        ValueError: if a range is not `(start, stop)` with 0 <= start < stop, or if the
            ranges are not in the order train, val, test without overlap.
    """

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]

    def __post_init__(self) -> None:
        for name, _ in self.items():
            object.__setattr__(self, name, check_range(getattr(self, name), name))
        for (earlier, first), (later, second) in zip(self.items(), self.items()[1:]):
            if second[0] < first[1]:
                raise ValueError(
                    f"`{later}` = {second} overlaps `{earlier}` = {first} or starts before it: "
                    "the splits must follow each other in time (train, val, test)."
                )

    @classmethod
    def book_split(cls, num_rows: int) -> SplitRanges:
        """The 2017 split, scaled: the book's 200000/420551 and 300000/420551 of the rows.

        As in 2017, one row is skipped between splits. Jena's 420,551 rows give train
        [0, 200000), val [200001, 300000), test [300001, 420551); MERRA-2's 153,384 hourly
        rows give train [0, 72944), val [72945, 109416), test [109417, 153384).

        Args:
            num_rows: the number of rows of the series.

        Returns:
            The three ranges (boundaries rounded down).

        Raises:
            ValueError: if `num_rows` is too small to give three non-empty splits.
        """
        num_rows = check_int("num_rows", num_rows, minimum=None)
        train_end = num_rows * _BOOK_TRAIN_END // _BOOK_ROWS
        val_end = num_rows * _BOOK_VAL_END // _BOOK_ROWS
        if not 0 < train_end < val_end - 1 < num_rows - 2:
            raise ValueError(
                "`num_rows` is too small to split into three non-empty ranges. "
                f"Received: num_rows={num_rows}"
            )
        return cls((0, train_end), (train_end + 1, val_end), (val_end + 1, num_rows))

    def items(self) -> list[tuple[str, tuple[int, int]]]:
        """The splits as `[("train", range), ("val", range), ("test", range)]`."""
        return [("train", self.train), ("val", self.val), ("test", self.test)]

    def check(self, num_rows: int) -> SplitRanges:
        """Check that every range fits in a series of `num_rows` rows.

        Args:
            num_rows: the number of rows of the series.

        Returns:
            The ranges themselves, so that the call can be chained.

        Raises:
            ValueError: naming the first range that ends past the last row.
        """
        for name, row_range in self.items():
            check_range(row_range, name, num_rows)
        return self


def target_rows(
    spec: WindowSpec, row_range: tuple[int, int], num_rows: int | None = None
) -> np.ndarray:
    """The last readings ``r`` whose whole window, target included, lies inside `row_range`.

    They are ``r`` in ``[start + span - 1, stop - delay)``: the first sampled row is
    ``r - span + 1 >= start`` and the target row ``r + delay < stop``. The 2017 generator
    let its current row run up to ``stop``, so its last targets were read from the next split.

    Args:
        spec: the window shape.
        row_range: the split's half-open `(start, stop)` rows.
        num_rows: the number of rows of the series, to check that `row_range` fits.

    Returns:
        The current rows, increasing, as an int64 array.

    Raises:
        ValueError: if `row_range` is invalid, ends past `num_rows`, or is too short
            for one window.
    """
    start, stop = check_range(row_range, "row_range", num_rows)
    if stop - start < spec.span + spec.delay:
        raise ValueError(
            f"`row_range` = ({start}, {stop}) is too short for one window and its target: it has "
            f"{stop - start} rows and one window needs span + delay = "
            f"{spec.span + spec.delay} rows (span={spec.span} rows for lookback={spec.lookback} "
            f"at step={spec.step}, delay={spec.delay}). "
            "Use a smaller lookback or delay, or a longer range."
        )
    return np.arange(start + spec.span - 1, stop - spec.delay)


def normalise(
    values: np.ndarray, train_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre and scale every column with the mean and std of the training rows only.

    Args:
        values: array of shape (rows, features).
        train_range: the training split's half-open `(start, stop)` rows.

    Returns:
        `(normalised, mean, std)`: the float32 array ``(values - mean) / std`` and the
        float64 per-column statistics (to turn predictions back into units, e.g. °C).

    Raises:
        ValueError: if `values` is not 2D, `train_range` does not fit, or a column is
            constant over the training rows.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(
            f"`values` must be a 2D array (rows, features). Received: values.shape={values.shape}"
        )
    start, stop = check_range(train_range, "train_range", len(values))
    train = values[start:stop].astype(np.float64)
    mean, std = train.mean(axis=0), train.std(axis=0)
    constant = np.flatnonzero(std == 0)
    if constant.size:
        raise ValueError(
            f"Column {constant[0]} of `values` is constant over the training rows "
            f"({start}, {stop}) (std 0), so it cannot be normalised: drop it first."
        )
    return ((values - mean) / std).astype(np.float32), mean, std


def check_rows(
    data: np.ndarray, rows: Any, spec: WindowSpec, target_column: Any
) -> tuple[np.ndarray, int]:
    """Validate current rows and a target column against `data`; return them as arrays/ints."""
    if data.ndim != 2:
        raise ValueError(
            f"`data` must be a 2D array (rows, features). Received: data.shape={data.shape}"
        )
    target_column = check_int("target_column", target_column, minimum=0)
    if target_column >= data.shape[1]:
        raise ValueError(
            f"`target_column` must be < the {data.shape[1]} features of `data`. "
            f"Received: target_column={target_column}"
        )
    rows = np.asarray(rows)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        raise ValueError(f"`rows` must be a 1D array of ints. Received: rows={rows!r}")
    if rows.size and (rows.min() < spec.span - 1 or rows.max() + spec.delay >= len(data)):
        raise ValueError(
            f"`rows` must lie in [span - 1, len(data) - delay) = [{spec.span - 1}, "
            f"{len(data) - spec.delay}) so that windows and targets are inside `data`. "
            f"Received: rows from {rows.min()} to {rows.max()}"
        )
    return rows, target_column


def make_batch(
    data: np.ndarray, rows: np.ndarray, spec: WindowSpec, target_column: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the windows of some current rows out of `data`, without a Python loop.

    Sample ``b`` holds ``data[rows[b] + spec.sample_offsets]`` and its target is
    ``data[rows[b] + delay, target_column]``. One `np.take` over a flat index gathers
    all rows at once (over 10x faster than the 2017 per-row loop, see
    `benchmarks/bench_windows.py`).

    Args:
        data: float32 array of shape (rows, features), usually normalised.
        rows: 1D int array of current rows, e.g. from `target_rows`.
        spec: the window shape.
        target_column: index of the feature to forecast.

    Returns:
        `(samples, targets)`: float32 arrays of shapes (len(rows), timesteps, features)
        and (len(rows),).

    Raises:
        ValueError: if `data` is not 2D, `target_column` is not a column, or a window
            or target of `rows` falls outside `data`.
    """
    data = np.asarray(data)
    rows, target_column = check_rows(data, rows, spec, target_column)
    indices = (rows[:, np.newaxis] + spec.sample_offsets).ravel()
    samples = np.take(data, indices, axis=0).reshape(len(rows), spec.timesteps, data.shape[1])
    targets = data[rows + spec.delay, target_column]
    return samples.astype(np.float32, copy=False), targets.astype(np.float32, copy=False)


def count_batches(num_windows: int, batch_size: int) -> int:
    """The number of batches that score every window once: ceil(num_windows / batch_size).

    The 2017 notebook wrote ``val_steps = (300000 - 200001 - lookback) // 128``. That
    counts windows whose *current row* is in the split, ignoring `delay` (the last 144
    of them have targets in the next split), and rounds down, so the final partial
    batch is never scored. It happened to equal the length of the generator's cycle,
    which also skips that batch (see `seqlib.legacy`); its `test_steps` did not, and
    wrapped around to the first test batch. With fixed windows on Jena's validation
    rows, ``count_batches(98415, 128) == 769``: 768 full batches and one of 111.

    Args:
        num_windows: how many windows to score, e.g. `len(target_rows(spec, split))`.
        batch_size: windows per batch.

    Returns:
        The number of batches, the last one possibly partial.

    Raises:
        ValueError: if `num_windows` < 0 or `batch_size` < 1.
    """
    num_windows = check_int("num_windows", num_windows, minimum=0)
    batch_size = check_int("batch_size", batch_size)
    return -(-num_windows // batch_size)
