"""Multivariate weather series with a temperature target: Jena climate, or its offline stand-in.

The book forecasts the temperature of the Jena climate record (14 measurements every
10 minutes, 2009-2016). Where that file cannot be had, the forecasting chapters run on a
real stand-in, MERRA-2 hourly reanalysis at 4 grid points (SOURCES.md §5), and say so:
every `WeatherSeries` carries its title, its source and the reason it was chosen.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, TextIO

import numpy as np

from seqlib import windows
from seqlib.fetch import DataFormatError, DataNotFoundError, fetch
from seqlib.registry import WINDOWS, DATASETS

__all__ = [
    "JENA_COLUMNS",
    "MERRA2_COLUMNS",
    "WEATHER_NAMES",
    "WeatherSeries",
    "WeatherData",
    "prepare_weather",
    "load_jena",
    "load_merra2",
    "load_weather",
    "parse_jena_csv",
]

WEATHER_NAMES = tuple(key for key, dataset in DATASETS.items() if dataset.inputs == WINDOWS)
"""The datasets `load_weather` knows, as accepted by its `name` and by `SEQLIB_WEATHER`."""

JENA_COLUMNS = (
    "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)",
    "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)",
    "wd (deg)",
)  # fmt: skip
"""The 14 numeric columns of the Jena climate file, in file order (after "Date Time")."""

_JENA_ARCHIVE = "jena_climate_2009_2016.csv.zip"
_JENA_CSV = "jena_climate_2009_2016.csv"
_JENA_TITLE = DATASETS["jena"].title

_MERRA2_WHEEL = "brightwind-2.7.0-py3-none-any.whl"
_MERRA2_MEMBER = "brightwind/demo_datasets/MERRA-2_{point}_2000-01-01_2017-06-30.csv"
_MERRA2_POINTS = ("NE", "NW", "SE", "SW")
_MERRA2_HEADER = ("DateTime", "WS50m_m/s", "WD50m_deg", "T2M_degC", "PS_hPa")
_MERRA2_ROWS = 153_384
_MERRA2_TITLE = DATASETS["merra2"].title

MERRA2_COLUMNS = tuple(f"{point}_{name}" for point in _MERRA2_POINTS for name in _MERRA2_HEADER[1:])
"""The 16 numeric columns of the MERRA-2 stand-in: 4 variables at each of 4 grid points."""


@dataclass(frozen=True, eq=False, repr=False)
class WeatherSeries:
    """A multivariate weather series with a temperature target, and where it came from.

    Attributes:
        key: the dataset's short name, one of `WEATHER_NAMES`.
        title: the dataset's name for people.
        timestamps: the time of each row, `datetime64[s]`.
        values: float32 array of shape (rows, features), in the order of `columns`.
        columns: the name of each feature.
        target_column: the name of the feature to forecast.
        period: the time between two rows (nominal: Jena's file has a few gaps).
        source: the file the series was read from.
        reason: why this dataset was used.
    """

    key: str
    title: str
    timestamps: np.ndarray
    values: np.ndarray
    columns: tuple[str, ...]
    target_column: str
    period: np.timedelta64
    source: str
    reason: str

    @property
    def target_index(self) -> int:
        """The index of the target in `columns` (and in the last axis of `values`)."""
        return self.columns.index(self.target_column)

    @property
    def num_rows(self) -> int:
        """The number of time steps."""
        return self.values.shape[0]

    @property
    def num_features(self) -> int:
        """The number of features per time step."""
        return self.values.shape[1]

    def _summary(self) -> list[tuple[str, str]]:
        """The facts shown by `repr` and by notebooks, as (label, text) pairs."""
        first, last = (str(t).replace("T", " ")[:16] for t in self.timestamps[[0, -1]])
        return [
            ("dataset", f"{self.title} [{self.key}]"),
            ("why this dataset", self.reason),
            ("size", f"{self.num_rows:,} rows × {self.num_features} features"),
            ("time", f"one row every {_describe_period(self.period)}, {first} to {last}"),
            ("target", f"{self.target_column} (feature {self.target_index})"),
            ("source", os.path.basename(self.source)),  # the file, not this machine's folders
        ]

    def __repr__(self) -> str:
        lines = "\n".join(f"  {label}: {text}" for label, text in self._summary())
        return f"WeatherSeries(\n{lines}\n)"

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- **{label}:** {text}" for label, text in self._summary())


@dataclass(frozen=True)
class WeatherData:
    """A weather series ready for windows: split in time, normalised by its training rows.

    Introduced in chapter 2 (`prepare_weather`).

    Attributes:
        series: the loaded series (title, key, period, target).
        data: the normalised float32 values.
        mean, std: the training rows' per-column statistics.
        splits: the book's training, validation and test rows.
    """

    series: WeatherSeries
    data: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    splits: windows.SplitRanges

    @property
    def target_std(self) -> float:
        """The target's training std: a normalised MAE times this is in the target's units."""
        return float(self.std[self.series.target_index])


def prepare_weather(series: WeatherSeries) -> WeatherData:
    """Split a series the book's way and normalise it with its training rows (chapter 2)."""
    splits = windows.SplitRanges.book_split(series.num_rows)
    data, mean, std = windows.normalise(series.values, splits.train)
    return WeatherData(series, data, mean, std, splits)


def load_weather(name: str | None = None, data_dir: str | os.PathLike | None = None) -> WeatherSeries:
    """Load the weather series to forecast: the one named, or Jena climate if it can be had.

    The dataset is chosen by `name`, else by the environment variable `SEQLIB_WEATHER`,
    else automatically: Jena climate if it is in the data folder or can be downloaded,
    otherwise the MERRA-2 stand-in. The returned series' `reason` says which rule chose it.

    Args:
        name: one of `WEATHER_NAMES` ("jena", "merra2"), or None to choose as above.
        data_dir: the data folder (see `seqlib.fetch.data_dir`).

    Returns:
        The chosen `WeatherSeries`.

    Raises:
        ValueError: if `name` or `SEQLIB_WEATHER` is not one of `WEATHER_NAMES`.
        DataNotFoundError: if the chosen dataset (or, automatically, neither) can be had.
        DataFormatError: if a data file is corrupt.
    """
    loaders: dict[str, Callable[..., WeatherSeries]] = {"jena": load_jena, "merra2": load_merra2}
    from_env = os.environ.get("SEQLIB_WEATHER", "").strip().lower()
    if name is not None:
        if name not in loaders:
            raise ValueError(f"`name` must be one of {list(WEATHER_NAMES)} or None. Received: name={name!r}")
        chosen, reason = name, f"requested with load_weather(name={name!r})"
    elif from_env:
        if from_env not in loaders:
            raise ValueError(
                f"The environment variable SEQLIB_WEATHER must be one of {list(WEATHER_NAMES)}, or "
                f"unset for the automatic choice. Received: SEQLIB_WEATHER={os.environ['SEQLIB_WEATHER']!r}"
            )
        chosen, reason = from_env, f"SEQLIB_WEATHER={from_env}"
    else:
        try:
            series = load_jena(data_dir)
        except DataNotFoundError:
            chosen = "merra2"
            reason = ("Jena climate could not be had (`jena_climate_2009_2016.csv.zip` is not in the "
                      "data folder and could not be downloaded), so the offline stand-in was used")
        else:
            return dataclasses.replace(series, reason="automatic choice: Jena climate is available")
    return dataclasses.replace(loaders[chosen](data_dir), reason=reason)


def load_jena(data_dir: str | os.PathLike | None = None) -> WeatherSeries:
    """Load the Jena climate record (420,551 rows × 14 features, every 10 minutes).

    The data folder may hold the canonical `jena_climate_2009_2016.csv.zip` or the CSV
    extracted from it; otherwise the zip is downloaded (see `seqlib.fetch.fetch`).

    Args:
        data_dir: the data folder (see `seqlib.fetch.data_dir`).

    Returns:
        The series; target "T (degC)" (feature 1).

    Raises:
        DataNotFoundError: if the file can be neither found nor downloaded.
        DataFormatError: if the file is corrupt or not in Jena's format.
    """
    path = fetch(_JENA_ARCHIVE, data_dir)
    if path.suffix != ".zip":
        series = parse_jena_csv(path)
    else:
        try:
            with zipfile.ZipFile(path) as archive, archive.open(_JENA_CSV) as stream:
                series = parse_jena_csv(stream, source=f"{path} (member {_JENA_CSV})")
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as error:
            raise DataFormatError(path, f"it is not a zip archive holding {_JENA_CSV} ({error})") from error
    return dataclasses.replace(series, reason="requested with load_jena()")


def parse_jena_csv(
    path_or_file: str | os.PathLike | BinaryIO | TextIO, *, source: str | None = None
) -> WeatherSeries:
    """Parse a CSV file in the format of Jena's `jena_climate_2009_2016.csv`.

    The format: a header of 15 quoted names ("Date Time", then `JENA_COLUMNS`), then one
    row per time step such as `01.01.2009 00:10:00,996.52,-8.02,...`; LF or CRLF line ends.

    Args:
        path_or_file: a path, or a file object open in binary or text mode.
        source: how to name the file in messages; defaults to the path or the file's name.

    Returns:
        The series; target "T (degC)" (feature 1), period 10 minutes.

    Raises:
        DataFormatError: naming the line and the column, for an empty file, a wrong
            header, a bad date, a missing or non-numeric cell.
    """
    if isinstance(path_or_file, (str, os.PathLike)):
        source = source or str(path_or_file)
        with open(path_or_file, "rb") as stream:
            data = stream.read()
    else:
        source = source or str(getattr(path_or_file, "name", "<file object>"))
        data = path_or_file.read()
    timestamps, values = _parse_csv(data, source, ("Date Time", *JENA_COLUMNS), _JENA_DATES)
    return WeatherSeries(
        key="jena",
        title=_JENA_TITLE,
        timestamps=timestamps,
        values=values,
        columns=JENA_COLUMNS,
        target_column="T (degC)",
        period=np.timedelta64(10, "m"),
        source=source,
        reason="parsed with parse_jena_csv()",
    )


def load_merra2(data_dir: str | os.PathLike | None = None) -> WeatherSeries:
    """Load the MERRA-2 stand-in: 153,384 hourly rows × 16 features, 2000-01-01 to 2017-06-30.

    The four CSV files (grid points NE, NW, SE, SW) are read straight out of the
    brightwind 2.7.0 wheel, nothing of that package is imported, and are joined on time.

    Args:
        data_dir: the data folder (see `seqlib.fetch.data_dir`).

    Returns:
        The series; columns `<point>_<variable>` (`MERRA2_COLUMNS`), target "NE_T2M_degC"
        (feature 2), period 1 hour.

    Raises:
        DataNotFoundError: if the wheel can be neither found nor downloaded.
        DataFormatError: if the wheel or a CSV in it is corrupt, or the files disagree in time.
    """
    path = fetch(_MERRA2_WHEEL, data_dir)
    sources = {point: f"{path} (member {_MERRA2_MEMBER.format(point=point)})" for point in _MERRA2_POINTS}
    try:
        with zipfile.ZipFile(path) as archive:
            tables = [
                _parse_csv(
                    archive.read(_MERRA2_MEMBER.format(point=point)),
                    sources[point],
                    _MERRA2_HEADER,
                    _ISO_DATES,
                )
                for point in _MERRA2_POINTS
            ]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as error:
        raise DataFormatError(
            path, f"it is not the brightwind 2.7.0 wheel with the MERRA-2 files ({error})"
        ) from error
    hour = np.timedelta64(1, "h")
    timestamps = tables[0][0]
    for point, (times, _) in zip(_MERRA2_POINTS, tables):
        if len(times) != _MERRA2_ROWS or (np.diff(times) != hour).any():
            raise DataFormatError(sources[point], f"expected {_MERRA2_ROWS:,} hourly rows without gaps")
        if (times != timestamps).any():
            line = 2 + np.flatnonzero(times != timestamps)[0]
            raise DataFormatError(
                sources[point], f"its times differ from those of the NE file from line {line} on"
            )
    return WeatherSeries(
        key="merra2",
        title=_MERRA2_TITLE,
        timestamps=timestamps,
        values=np.concatenate([values for _, values in tables], axis=1),
        columns=MERRA2_COLUMNS,
        target_column="NE_T2M_degC",
        period=hour,
        source=f"{path} (the MERRA-2 CSV files in the brightwind 2.7.0 wheel)",
        reason="requested with load_merra2()",
    )


@dataclass(frozen=True)
class _DateFormat:
    """A timestamp format: its pattern, its conversion to ISO 8601, its name for messages."""

    pattern: re.Pattern
    to_iso: Callable[[str], str]
    text: str


_JENA_DATES = _DateFormat(
    re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d"),
    lambda date: f"{date[6:10]}-{date[3:5]}-{date[:2]}T{date[11:]}",
    "dd.mm.yyyy HH:MM:SS",
)
_ISO_DATES = _DateFormat(
    re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), lambda date: date.replace(" ", "T"), "yyyy-mm-dd HH:MM:SS"
)


def _parse_csv(
    data: bytes | str, source: str, header: tuple[str, ...], dates: _DateFormat
) -> tuple[np.ndarray, np.ndarray]:
    """Parse a CSV of a date column then numeric columns into (datetime64[s], float32) arrays.

    The fast path hands the whole file to NumPy; if anything is wrong, `_locate_problem`
    walks the rows again to name the first bad line and column.
    """
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise DataFormatError(source, f"it is not UTF-8 text ({error})") from error
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DataFormatError(source, "the file is empty")
    found = next(csv.reader(lines[:1]))
    if found != list(header):
        missing = [name for name in header if name not in found]
        problem = f"lacks the column(s) {missing}" if missing else "differs from the expected one"
        raise DataFormatError(
            source, f"line 1 (the header) {problem}; expected {list(header)}, found {found}"
        )
    rows = lines[1:]
    if not rows:
        raise DataFormatError(source, "it has a header but no data rows")
    cells = [row.partition(",") for row in rows]
    try:
        timestamps = _parse_dates([date for date, _, _ in cells], dates)
        values = np.loadtxt([rest for _, _, rest in cells], delimiter=",", dtype=np.float32, ndmin=2)
        if values.shape != (len(rows), len(header) - 1) or not np.isfinite(values).all():
            raise ValueError(f"expected {len(rows)} rows of {len(header) - 1} finite numbers")
    except ValueError as error:
        raise _locate_problem(rows, source, header, dates, error) from None
    return timestamps, values


def _parse_dates(texts: list[str], dates: _DateFormat) -> np.ndarray:
    """Convert timestamps in the format `dates` to datetime64[s]; ValueError if one is bad."""
    if not all(map(dates.pattern.fullmatch, texts)):
        raise ValueError(f"a timestamp is not of the form {dates.text}")
    return np.array([dates.to_iso(text) for text in texts], dtype="datetime64[s]")


def _locate_problem(
    rows: list[str], source: str, header: tuple[str, ...], dates: _DateFormat, error: ValueError
) -> DataFormatError:
    """Return a DataFormatError naming the first bad line and column (line 1 is the header)."""
    for number, row in enumerate(rows, start=2):
        cells = row.split(",")
        if len(cells) != len(header):
            return DataFormatError(
                source, f"line {number} has {len(cells)} cells, expected {len(header)}: {row!r}"
            )
        try:
            _parse_dates(cells[:1], dates)
        except ValueError:
            where = f"line {number}, column 1 ({header[0]!r})"
            return DataFormatError(source, f"{where}: {cells[0]!r} is not a date of the form {dates.text}")
        for column, (name, cell) in enumerate(zip(header[1:], cells[1:]), start=2):
            if not _is_finite_number(cell):
                return DataFormatError(
                    source, f"line {number}, column {column} ({name!r}): {cell!r} is not a finite number"
                )
    return DataFormatError(source, f"it could not be parsed ({error})")


def _is_finite_number(text: str) -> bool:
    """Whether `text` reads as a finite float."""
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


def _describe_period(period: np.timedelta64) -> str:
    """Say a period in words: "10 min", "1 h"."""
    minutes = int(period // np.timedelta64(1, "m"))
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
