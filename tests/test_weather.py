"""Tests of seqlib.weather: Jena's format on files made here, the MERRA-2 stand-in, the choice."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from seqlib import weather
from seqlib.fetch import DataFormatError, DataNotFoundError
from seqlib.weather import JENA_COLUMNS, load_jena, load_merra2, load_weather, parse_jena_csv

JENA_HEADER = ",".join(f'"{name}"' for name in ("Date Time", *JENA_COLUMNS))
FIRST_ROW = (
    "01.01.2009 00:10:00,996.52,-8.02,265.40,-8.90,93.30,3.33,3.11,0.22,1.94,3.12,1307.75,1.03,1.75,152.30"
)


def jena_text(num_rows: int = 500, newline: str = "\n") -> tuple[str, np.ndarray]:
    """A file in Jena's exact format: the real header and first row, then plausible rows."""
    rng = np.random.default_rng(0)
    first = np.array(FIRST_ROW.split(",")[1:], dtype=float)
    steps = rng.normal(0, 0.05, size=(num_rows, 14))
    steps[0] = 0
    values = np.round(first + np.cumsum(steps, axis=0), 2)  # a small random walk from the real first row
    times = np.datetime64("2009-01-01T00:10") + np.arange(num_rows) * np.timedelta64(10, "m")
    dates = [f"{t.astype(object):%d.%m.%Y %H:%M:%S}" for t in times]
    rows = [date + "," + ",".join(f"{value:.2f}" for value in row) for date, row in zip(dates, values)]
    return newline.join([JENA_HEADER, *rows, ""]), values


def write_jena_zip(folder, text: str) -> None:
    """Zip a CSV as the canonical download does: one member, `jena_climate_2009_2016.csv`."""
    with zipfile.ZipFile(folder / "jena_climate_2009_2016.csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("jena_climate_2009_2016.csv", text)


@pytest.fixture(scope="module")
def merra2(mirror_dir):
    return load_merra2(mirror_dir)


@pytest.fixture
def no_weather_env(monkeypatch):
    monkeypatch.delenv("SEQLIB_WEATHER", raising=False)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_parse_jena_csv(newline, tmp_path):
    text, values = jena_text(newline=newline)
    assert text.splitlines()[1] == FIRST_ROW
    (tmp_path / "jena.csv").write_bytes(text.encode())
    series = parse_jena_csv(tmp_path / "jena.csv")
    assert (series.key, series.num_rows, series.num_features) == ("jena", 500, 14)
    assert series.values.shape == (500, 14) and series.values.dtype == np.float32
    assert series.columns == JENA_COLUMNS and series.columns[1] == "T (degC)"
    assert (series.target_column, series.target_index) == ("T (degC)", 1)
    np.testing.assert_array_equal(series.values, values.astype(np.float32))
    assert series.values[0, 1] == np.float32(-8.02)
    assert series.timestamps.dtype == np.dtype("datetime64[s]")
    assert series.timestamps[0] == np.datetime64("2009-01-01T00:10:00")
    assert series.timestamps[-1] == np.datetime64("2009-01-04T11:20:00")
    assert series.period == np.timedelta64(10, "m")
    assert (np.diff(series.timestamps) == series.period).all()
    assert series.source == str(tmp_path / "jena.csv")


def test_parse_jena_csv_from_file_objects():
    text, values = jena_text(20)
    for stream in (io.StringIO(text), io.BytesIO(text.encode())):
        np.testing.assert_array_equal(
            parse_jena_csv(stream, source="memory").values, values.astype(np.float32)
        )


def test_load_jena_from_the_zip_or_the_csv(tmp_path):
    text, _ = jena_text()
    write_jena_zip(tmp_path, text)
    series = load_jena(tmp_path)
    assert series.num_rows == 500
    assert (
        series.source == f"{tmp_path / 'jena_climate_2009_2016.csv.zip'} (member jena_climate_2009_2016.csv)"
    )
    assert series.reason == "requested with load_jena()"
    (tmp_path / "jena_climate_2009_2016.csv.zip").unlink()
    (tmp_path / "jena_climate_2009_2016.csv").write_text(text)
    assert load_jena(tmp_path).source == str(tmp_path / "jena_climate_2009_2016.csv")


BAD_CSVS = {
    "missing column": (
        lambda lines: [lines[0].replace(',"T (degC)"', "")] + lines[1:],
        r"line 1 \(the header\) lacks the column\(s\) \['T \(degC\)'\]",
    ),
    "bad date": (
        lambda lines: lines[:3] + [lines[3].replace("01.01.2009", "32.01.2009")] + lines[4:],
        r"line 4, column 1 \('Date Time'\): '32.01.2009 00:30:00' is not a date of the form dd.mm.yyyy",
    ),
    "impossible date": (
        lambda lines: lines[:3] + [lines[3].replace("01.01.2009", "31.02.2009")] + lines[4:],
        r"line 4, column 1 \('Date Time'\)",
    ),
    "ISO date": (
        lambda lines: lines[:2] + [lines[2].replace("01.01.2009", "2009-01-01")] + lines[3:],
        r"line 3, column 1 \('Date Time'\): '2009-01-01 00:20:00' is not a date",
    ),
    "non-numeric cell": (
        lambda lines: (
            lines[:5] + [",".join(lines[5].split(",")[:3] + ["abc"] + lines[5].split(",")[4:])] + lines[6:]
        ),
        r"line 6, column 4 \('Tpot \(K\)'\): 'abc' is not a finite number",
    ),
    "empty cell": (
        lambda lines: lines[:5] + [lines[5].rsplit(",", 1)[0] + ","] + lines[6:],
        r"line 6, column 15 \('wd \(deg\)'\): '' is not a finite number",
    ),
    "missing cell": (
        lambda lines: lines[:7] + [lines[7].rsplit(",", 1)[0]] + lines[8:],
        r"line 8 has 14 cells, expected 15",
    ),
    "empty file": (lambda lines: [], "the file is empty"),
    "header only": (lambda lines: lines[:1], "it has a header but no data rows"),
}


@pytest.mark.parametrize("case", BAD_CSVS, ids=list(BAD_CSVS))
def test_bad_jena_csv_names_line_and_column(case, tmp_path):
    edit, message = BAD_CSVS[case]
    path = tmp_path / "jena.csv"
    path.write_text("\n".join(edit(jena_text(20)[0].splitlines())))
    with pytest.raises(DataFormatError, match=message) as raised:
        parse_jena_csv(path)
    assert str(raised.value).startswith(f"{path} is not a valid data file")


def test_corrupt_jena_zip(tmp_path):
    (tmp_path / "jena_climate_2009_2016.csv.zip").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataFormatError, match="is not a zip archive holding jena_climate_2009_2016.csv"):
        load_jena(tmp_path)


@pytest.mark.requires_mirror
def test_merra2_from_the_mirror(merra2):
    assert (merra2.key, merra2.num_rows, merra2.num_features) == ("merra2", 153_384, 16)
    assert merra2.values.dtype == np.float32
    assert merra2.columns[:4] == ("NE_WS50m_m/s", "NE_WD50m_deg", "NE_T2M_degC", "NE_PS_hPa")
    assert merra2.columns[-1] == "SW_PS_hPa"
    assert (merra2.target_column, merra2.target_index) == ("NE_T2M_degC", 2)
    assert merra2.timestamps[0] == np.datetime64("2000-01-01T00:00")
    assert merra2.timestamps[-1] == np.datetime64("2017-06-30T23:00")
    assert merra2.period == np.timedelta64(1, "h")
    target = merra2.values[:, merra2.target_index]
    assert (round(float(target.min()), 1), round(float(target.max()), 1)) == (-6.0, 25.3)
    train = target[:72_944].astype(np.float64)  # the book's train share, SOURCES.md §5
    assert train.mean() == pytest.approx(8.4686, abs=1e-4)
    assert train.std() == pytest.approx(4.7999, abs=1e-4)


@pytest.mark.requires_mirror
def test_merra2_says_what_it_is(merra2):
    text = repr(merra2)
    assert "offline stand-in for Jena" in text and "153,384 rows × 16 features" in text
    assert "one row every 1 h, 2000-01-01 00:00 to 2017-06-30 23:00" in text
    assert "why this dataset: requested with load_merra2()" in text
    assert "**why this dataset:**" in merra2._repr_markdown_()


def test_merra2_wheel_with_a_short_file(tmp_path):
    csv = "DateTime,WS50m_m/s,WD50m_deg,T2M_degC,PS_hPa\r\n2000-01-01 00:00:00,6.84,275,4.06,997.17\r\n"
    wheel = tmp_path / "brightwind-2.7.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for point in ("NE", "NW", "SE", "SW"):
            archive.writestr(f"brightwind/demo_datasets/MERRA-2_{point}_2000-01-01_2017-06-30.csv", csv)
    with pytest.raises(DataFormatError, match="expected 153,384 hourly rows without gaps"):
        load_merra2(tmp_path)
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("brightwind/__init__.py", "")
    with pytest.raises(DataFormatError, match="is not the brightwind 2.7.0 wheel with the MERRA-2 files"):
        load_merra2(tmp_path)


@pytest.mark.requires_mirror
def test_automatic_choice_falls_back_to_the_stand_in(mirror_dir, offline, no_weather_env):
    series = load_weather(data_dir=mirror_dir)
    assert series.key == "merra2"
    assert series.reason.startswith(
        "Jena climate could not be had (`jena_climate_2009_2016.csv.zip` is not in the data folder"
    )
    assert series.reason.endswith("so the offline stand-in was used")
    assert series.reason in repr(series)
    assert str(mirror_dir) not in repr(series)  # no local folders on the page


def test_automatic_choice_takes_jena_when_it_is_there(tmp_path, offline, no_weather_env):
    write_jena_zip(tmp_path, jena_text(50)[0])
    series = load_weather(data_dir=tmp_path)
    assert (series.key, series.reason) == ("jena", "automatic choice: Jena climate is available")


@pytest.mark.requires_mirror
def test_environment_variable_chooses(mirror_dir, merra2, monkeypatch, offline):
    monkeypatch.setenv("SEQLIB_WEATHER", "jena")
    with pytest.raises(DataNotFoundError, match="SEQLIB_DATA_DIR"):
        load_weather(data_dir=mirror_dir)
    monkeypatch.setenv("SEQLIB_WEATHER", "merra2")
    monkeypatch.setattr(weather, "load_merra2", lambda data_dir=None: merra2)  # already loaded once
    series = load_weather(data_dir=mirror_dir)
    assert (series.key, series.reason) == ("merra2", "SEQLIB_WEATHER=merra2")


def test_name_argument_wins_over_the_environment(tmp_path, monkeypatch):
    write_jena_zip(tmp_path, jena_text(50)[0])
    monkeypatch.setenv("SEQLIB_WEATHER", "merra2")
    series = load_weather("jena", tmp_path)
    assert (series.key, series.reason) == ("jena", "requested with load_weather(name='jena')")


def test_unknown_names(monkeypatch, no_weather_env):
    with pytest.raises(
        ValueError, match=r"`name` must be one of \['jena', 'merra2'\] or None. Received: name='Jena2'"
    ):
        load_weather("Jena2")
    monkeypatch.setenv("SEQLIB_WEATHER", "noaa")
    with pytest.raises(
        ValueError,
        match=r"SEQLIB_WEATHER must be one of \['jena', 'merra2'\].*Received: SEQLIB_WEATHER='noaa'",
    ):
        load_weather()
