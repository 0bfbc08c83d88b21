"""The catalogue of bad inputs (issue 6): each one must give a clear error and leave nothing half-written.

Every case triggers one bad input and checks the message for two things: *what* was wrong
(the file, the parameter, the value received) and *what to do* about it. Cases that touch
files also check that the files under the test's folder are exactly as they were (no new,
partial or deleted file, no `.download-*` staging folder). Many of these inputs are also
tested next to their module (test_fetch, test_weather, test_windows, ...); this file is the
one place that counts them and holds every message to the same standard.

`seqlib.windows`, `models` and `explorers` import Keras; they are imported inside the cases
that need them, so that the processes of the concurrent-fetch test start quickly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import io
import multiprocessing
import os
import re
import socket
import struct
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from seqlib import config, fetch, imdb, weather
from seqlib.fetch import DataFormatError, DataNotFoundError, RemoteFile

PAYLOAD = b"seqlib bad-input payload\n" * 200
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()
HOUR = np.timedelta64(1, "h")
DELETE_IT = r"Delete it so that it is downloaded again, or replace it with a good copy"
BY_HAND = r"download it by hand from \S+ into {tmp}/data, or set SEQLIB_DATA_DIR to a folder that holds it"
TO_FIX = r"To fix: check the network connection and try again; or " + BY_HAND
RETRY = (r"To fix: try again later \(the server or a proxy may have sent a damaged or changed file\); "
         r"if it persists, report it; or " + BY_HAND)
WRITABLE = r"To fix: set SEQLIB_DATA_DIR \(or pass `data_dir`\) to a folder you can write to; or download it by hand"


# A local server and a port where nothing listens -------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD as /payload.bin, a zip of it, half of it, and /together.bin (see below)."""

    def do_GET(self) -> None:
        body = PAYLOAD
        if self.path == "/archive.zip":
            body = self.server.archive
        elif self.path == "/truncated.bin":  # announce the whole file, send half, hang up
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        elif self.path == "/together.bin":  # answer only once two requests are in flight at once
            try:
                self.server.together.wait()
                self.server.met.append(True)
            except threading.BrokenBarrierError:
                self.server.met.append(False)
        elif self.path != "/payload.bin":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    """A server on 127.0.0.1 with `url`, `archive` (a zip holding inner.csv), `together` and `met`."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.together, httpd.met = threading.Barrier(2, timeout=30), []
    httpd.archive = _zip_of_payload()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join()


def _zip_of_payload() -> bytes:
    """The bytes of a zip archive holding PAYLOAD as `inner.csv`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", PAYLOAD)
    return buffer.getvalue()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A URL on a port that is bound but not listening: connections are refused, as offline."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{blocker.getsockname()[1]}"


# What a case gets, and the cases ---------------------------------------------------------------


@dataclasses.dataclass
class Scene:
    """What a case works with: its folder (with an empty `data/` in it), the environment, the server."""

    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    url: str
    refused_url: str

    @property
    def data(self) -> Path:
        return self.tmp / "data"

    def register(self, name: str, path: str, known_hash: str, **kwargs: str) -> str:
        """Register `name`, served at `path` of the local server, for this test only."""
        self.monkeypatch.setitem(fetch.REGISTRY, name, RemoteFile(name, self.url + path, known_hash, **kwargs))
        return name

    def unplug(self, name: str) -> None:
        """Make the download of a registered book file fail as it does offline."""
        remote = dataclasses.replace(fetch.REGISTRY[name], url=f"{self.refused_url}/{name}")
        self.monkeypatch.setitem(fetch.REGISTRY, name, remote)


@dataclasses.dataclass(frozen=True)
class BadInput:
    """One bad input: how to set it up, how to trigger it, and the error it must give.

    `error` None means the input is made in a widget, which must show the message instead of
    raising: `trigger` then returns the text shown. In `what` and `todo`, `{tmp}` and `{url}`
    stand for the case's folder and the server's URL (regex-escaped).
    """

    trigger: Callable[[Scene], object]
    error: type[Exception] | None
    what: tuple[str, ...]
    todo: str
    prepare: Callable[[Scene], object] = lambda scene: None


def _tiny_imdb_npz(path: Path) -> None:
    reviews = np.empty(4, dtype=object)
    reviews[:] = [[1, 2, 3] * 50, [4, 5] * 60, [6] * 70, [7, 8, 9] * 40]
    np.savez(path, x_train=reviews, y_train=np.array([0, 1, 0, 1]), x_test=reviews, y_test=np.array([1, 0, 1, 0]))


def _jena_lines(num_rows: int = 6) -> list[str]:
    """Jena's header, then rows of the form `01.01.2009 00:10:00,0.00,0.01,...` every 10 minutes."""
    header = ",".join(f'"{name}"' for name in ("Date Time", *weather.JENA_COLUMNS))
    times = np.datetime64("2009-01-01T00:10") + np.arange(num_rows) * np.timedelta64(10, "m")
    return [header] + [
        f"{time.astype(object):%d.%m.%Y %H:%M:%S}," + ",".join(f"{row + column / 100:.2f}" for column in range(14))
        for row, time in enumerate(times)
    ]


def _write_jena_zip(folder: Path, lines: list[str]) -> None:
    with zipfile.ZipFile(folder / "jena_climate_2009_2016.csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("jena_climate_2009_2016.csv", "\n".join(lines) + "\n")


def _edit_cell(lines: list[str], line: int, column: int, text: str) -> list[str]:
    """Replace one cell; `line` and `column` count from 1, as the error messages do."""
    cells = lines[line - 1].split(",")
    cells[column - 1] = text
    return lines[: line - 1] + [",".join(cells)] + lines[line:]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte_of(path: Path, member: str) -> None:
    """Corrupt one byte in the middle of a zip member's data (its CRC no longer matches)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    data[info.header_offset + 30 + name_length + extra_length + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _fake_brightwind_wheel(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for point in ("NE", "NW", "SE", "SW"):
            archive.writestr(
                f"brightwind/demo_datasets/MERRA-2_{point}_2000-01-01_2017-06-30.csv",
                "DateTime,WS50m_m/s,WD50m_deg,T2M_degC,PS_hPa\r\n"
                + "2000-01-01 00:00:00,6.84,275,4.06,997.17\r\n" * 50,
            )


def _windows() -> ModuleType:
    """`seqlib.windows`, imported when a case needs it."""
    from seqlib import windows

    return windows


def _tiny_series() -> tuple[np.ndarray, object]:
    windows = _windows()
    values = np.random.default_rng(0).normal(size=(3000, 2)).astype(np.float32)
    return values, windows.SplitRanges(train=(0, 2000), val=(2001, 2500), test=(2501, 3000))


def _conv_explorer_with_a_kernel_longer_than_the_window(scene: Scene) -> str:
    from synthetic import TINY, tiny_series

    from seqlib import explorers, recipe

    explorer = explorers.make_conv_explorer(weather.prepare_weather(tiny_series()), TINY)
    kernel, step, button = explorer.children[0].children
    kernel.value, step.value = 25, "12 hours"  # 10 days at a 12-hour step: 20 timesteps
    button.click()
    geometry, output = explorer.children[1].value, explorer.children[2].outputs[0]["data"]["text/html"]
    return f"{geometry}\n{output}"


def _imdb_explorer_with_a_kernel_longer_than_the_reviews(scene: Scene) -> str:
    from synthetic import TINY

    from seqlib import explorers, recipe

    reviews = np.random.default_rng(0).integers(1, 40, size=(20, 60))
    labels = np.arange(20) % 2
    split = imdb.Reviews(reviews[:12], labels[:12], reviews[12:16], labels[12:16], reviews[16:], labels[16:])
    explorer = explorers.make_imdb_explorer(split, TINY, kernel_sizes=(7, 25), maxlens=(20, 60))
    kernel, maxlen, button = explorer.children[0].children
    kernel.value, maxlen.value = 25, 20
    button.click()
    return explorer.children[1].outputs[0]["data"]["text/html"]


def _make_windows(scene: Scene, **spec: int) -> object:
    data, splits = _tiny_series()
    from seqlib import feed

    return feed.make_windows(data, _windows().WindowSpec(**spec), splits, 0, steps_per_epoch=1)


def _window_spec(**spec: object) -> Callable[[Scene], object]:
    def make(scene: Scene) -> object:
        return _windows().WindowSpec(**spec)

    return make


def _build(builder: str, *args: int, **kwargs: int) -> Callable[[Scene], object]:
    def build(scene: Scene) -> object:
        from seqlib import models

        return getattr(models, builder)(*args, **kwargs)

    return build


def _with_env(name: str, value: str, then: Callable[[], object]) -> Callable[[Scene], object]:
    def trigger(scene: Scene) -> object:
        scene.monkeypatch.setenv(name, value)
        return then()

    return trigger


def _offline_without_data_dir_variable(scene: Scene) -> object:
    scene.monkeypatch.delenv("SEQLIB_DATA_DIR", raising=False)
    scene.monkeypatch.setenv("XDG_CACHE_HOME", str(scene.tmp / "cache"))  # the user cache, inside the test
    scene.unplug("imdb_word_index.json")
    return imdb.load_word_index()


def _offline_with_data_dir_variable(scene: Scene) -> object:
    scene.monkeypatch.setenv("SEQLIB_DATA_DIR", str(scene.data))
    scene.unplug("imdb.npz")
    return imdb.load_imdb()


def _offline_jena_with_data_dir_argument(scene: Scene) -> object:
    scene.unplug("jena_climate_2009_2016.csv.zip")
    return weather.load_weather("jena", scene.data)


def _fetch_into_a_data_dir_variable_under_a_file(scene: Scene) -> object:
    scene.monkeypatch.setenv("SEQLIB_DATA_DIR", str(scene.tmp / "afile/sub"))
    return fetch.fetch(scene.register("payload.bin", "/payload.bin", f"sha256:{SHA256}"))


KERNEL_TOO_LONG = r"kernel_size=25\) is longer than the sequence it receives \(20 steps, from timesteps=20\)"
USE_A_SMALLER_KERNEL = r"Use a smaller kernel or pool, or a longer sequence"

CATALOGUE: dict[str, BadInput] = {
    # Corrupted and truncated files in the data folder: the loader names the file and says "Delete it".
    "corrupt-imdb-npz-not-a-zip": BadInput(
        prepare=lambda s: (s.data / "imdb.npz").write_text("<html>Service Unavailable</html>"),
        trigger=lambda s: imdb.load_imdb(data_dir=s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/imdb\.npz is not a valid data file: it cannot be read as an \.npz archive",),
        todo=DELETE_IT,
    ),
    "corrupt-imdb-npz-bad-crc": BadInput(
        prepare=lambda s: (
            _tiny_imdb_npz(s.data / "imdb.npz"), _flip_a_byte_of(s.data / "imdb.npz", "x_train.npy")
        ),
        trigger=lambda s: imdb.load_imdb(data_dir=s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/imdb\.npz is not a valid data file: .*Bad CRC-32 for file 'x_train\.npy'",),
        todo=DELETE_IT,
    ),
    "corrupt-word-index-json": BadInput(
        prepare=lambda s: (s.data / "imdb_word_index.json").write_text('{"the": 1, "and": '),
        trigger=lambda s: imdb.load_word_index(s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/imdb_word_index\.json is not a valid data file: it is not valid JSON",),
        todo=DELETE_IT,
    ),
    "corrupt-jena-zip-bad-crc": BadInput(
        prepare=lambda s: (
            _write_jena_zip(s.data, _jena_lines(400)),
            _flip_a_byte_of(s.data / "jena_climate_2009_2016.csv.zip", "jena_climate_2009_2016.csv"),
        ),
        trigger=lambda s: weather.load_jena(s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/jena_climate_2009_2016\.csv\.zip is not a valid data file: it is not a zip archive "
              r"holding jena_climate_2009_2016\.csv",),
        todo=DELETE_IT,
    ),
    "truncated-imdb-npz": BadInput(
        prepare=lambda s: (_tiny_imdb_npz(s.data / "imdb.npz"), _truncate(s.data / "imdb.npz")),
        trigger=lambda s: imdb.load_imdb(data_dir=s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/imdb\.npz is not a valid data file: it cannot be read as an \.npz archive",),
        todo=DELETE_IT,
    ),
    "truncated-jena-zip": BadInput(
        prepare=lambda s: (
            _write_jena_zip(s.data, _jena_lines(400)), _truncate(s.data / "jena_climate_2009_2016.csv.zip")
        ),
        trigger=lambda s: weather.load_jena(s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/jena_climate_2009_2016\.csv\.zip is not a valid data file: it is not a zip archive",),
        todo=DELETE_IT,
    ),
    "truncated-jena-csv": BadInput(
        prepare=lambda s: (s.data / "jena_climate_2009_2016.csv").write_text("\n".join(_jena_lines())[:-30]),
        trigger=lambda s: weather.load_jena(s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/jena_climate_2009_2016\.csv is not a valid data file: "
              r"line 7 has \d+ cells, expected 15",),
        todo=DELETE_IT,
    ),
    "truncated-merra2-wheel": BadInput(
        prepare=lambda s: (
            _fake_brightwind_wheel(s.data / "brightwind-2.7.0-py3-none-any.whl"),
            _truncate(s.data / "brightwind-2.7.0-py3-none-any.whl"),
        ),
        trigger=lambda s: weather.load_merra2(s.data),
        error=DataFormatError,
        what=(r"{tmp}/data/brightwind-2\.7\.0-py3-none-any\.whl is not a valid data file: it is not the "
              r"brightwind 2\.7\.0 wheel",),
        todo=DELETE_IT,
    ),
    "truncated-download": BadInput(
        trigger=lambda s: fetch.fetch(s.register("truncated.bin", "/truncated.bin", f"sha256:{SHA256}"), s.data),
        error=DataNotFoundError,
        what=(r"Could not get `truncated\.bin`: the download from {url}/truncated\.bin failed",),
        todo=TO_FIX,
    ),
    # Wrong checksums: the download is deleted, the error names the file and both hashes.
    "wrong-checksum": BadInput(
        trigger=lambda s: fetch.fetch(s.register("payload.bin", "/payload.bin", "sha256:" + "1" * 64), s.data),
        error=DataNotFoundError,
        what=(rf"checksum mismatch for payload\.bin: expected sha256:1{{64}}, got sha256:{SHA256}; "
              r"the download was deleted",),
        todo=RETRY,
    ),
    "wrong-checksum-of-a-zip-member": BadInput(
        trigger=lambda s: fetch.fetch(
            s.register("archive.zip", "/archive.zip", "md5:" + "2" * 32, hashed_member="inner.csv"), s.data
        ),
        error=DataNotFoundError,
        what=(rf"checksum mismatch for inner\.csv: expected md5:2{{32}}, got md5:{MD5}",),
        todo=RETRY,
    ),
    # A missing file with no network: where it looked, which rule chose that folder, what to do.
    "offline-missing-file-with-SEQLIB_DATA_DIR": BadInput(
        trigger=_offline_with_data_dir_variable,
        error=DataNotFoundError,
        what=(r"Could not get `imdb\.npz`",
              r"Looked for it in the data folder set by SEQLIB_DATA_DIR='{tmp}/data'",
              r"\n  {tmp}/data/imdb\.npz\n"),
        todo=TO_FIX,
    ),
    "offline-missing-file-without-SEQLIB_DATA_DIR": BadInput(
        trigger=_offline_without_data_dir_variable,
        error=DataNotFoundError,
        what=(r"Could not get `imdb_word_index\.json`",
              r"Looked for it in the user's cache folder \(SEQLIB_DATA_DIR is not set\)",
              r"\n  {tmp}/cache/seqlib/imdb_word_index\.json\n"),
        todo=r"download it by hand from \S+ into {tmp}/cache/seqlib, or set SEQLIB_DATA_DIR to a folder that holds it",
    ),
    "offline-missing-jena-with-data_dir-argument": BadInput(
        trigger=_offline_jena_with_data_dir_argument,
        error=DataNotFoundError,
        what=(r"Looked for it in the data folder given as the `data_dir` argument",
              r"{tmp}/data/jena_climate_2009_2016\.csv\.zip\n  {tmp}/data/jena_climate_2009_2016\.csv\n"),
        todo=TO_FIX,
    ),
    # An unwritable data folder (tests run as root, so a file in the path is what blocks writing).
    "unwritable-data-folder-argument": BadInput(
        prepare=lambda s: (s.tmp / "afile").write_text("a file, not a folder"),
        trigger=lambda s: fetch.fetch(
            s.register("payload.bin", "/payload.bin", f"sha256:{SHA256}"), s.tmp / "afile/sub"
        ),
        error=DataNotFoundError,
        what=(r"the data folder {tmp}/afile/sub cannot be created or written \(.*Not a directory",),
        todo=WRITABLE,
    ),
    "unwritable-data-folder-SEQLIB_DATA_DIR": BadInput(
        prepare=lambda s: (s.tmp / "afile").write_text("a file, not a folder"),
        trigger=_fetch_into_a_data_dir_variable_under_a_file,
        error=DataNotFoundError,
        what=(r"the data folder {tmp}/afile/sub cannot be created or written",
              r"Looked for it in the data folder set by SEQLIB_DATA_DIR='{tmp}/afile/sub'"),
        todo=WRITABLE,
    ),
    # Jena-format CSVs: the message names the line, the column and the cell.
    "jena-csv-missing-column": BadInput(
        prepare=lambda s: (s.data / "jena.csv").write_text("\n".join(
            [line.replace(',"T (degC)"', "") for line in _jena_lines()[:1]] + _jena_lines()[1:]
        )),
        trigger=lambda s: weather.parse_jena_csv(s.data / "jena.csv"),
        error=DataFormatError,
        what=(r"{tmp}/data/jena\.csv is not a valid data file: line 1 \(the header\) lacks the column\(s\) "
              r"\['T \(degC\)'\]",),
        todo=DELETE_IT,
    ),
    "jena-csv-bad-date": BadInput(
        prepare=lambda s: _write_jena_zip(s.data, _edit_cell(_jena_lines(), 4, 1, "2009-01-01 00:30:00")),
        trigger=lambda s: weather.load_jena(s.data),
        error=DataFormatError,
        what=(r"\(member jena_climate_2009_2016\.csv\) is not a valid data file: "
              r"line 4, column 1 \('Date Time'\): "
              r"'2009-01-01 00:30:00' is not a date of the form dd\.mm\.yyyy HH:MM:SS",),
        todo=DELETE_IT,
    ),
    "jena-csv-non-numeric-cell": BadInput(
        prepare=lambda s: (s.data / "jena.csv").write_text("\n".join(_edit_cell(_jena_lines(), 5, 4, "n/a"))),
        trigger=lambda s: weather.parse_jena_csv(s.data / "jena.csv"),
        error=DataFormatError,
        what=(r"{tmp}/data/jena\.csv is not a valid data file: line 5, column 4 \('Tpot \(K\)'\): 'n/a' is not a "
              r"finite number",),
        todo=DELETE_IT,
    ),
    # Impossible window settings: the parameter, the value received, the rule it breaks.
    "lookback-zero": BadInput(
        trigger=_window_spec(lookback=0, delay=1), error=ValueError,
        what=(r"Received: lookback=0",), todo=r"`lookback` must be an integer >= 1",
    ),
    "lookback-negative": BadInput(
        trigger=_window_spec(lookback=-5, delay=1), error=ValueError,
        what=(r"Received: lookback=-5",), todo=r"`lookback` must be an integer >= 1",
    ),
    "step-greater-than-lookback": BadInput(
        trigger=_window_spec(lookback=10, delay=1, step=11), error=ValueError,
        what=(r"Received: step=11, lookback=10",), todo=r"`step` must be <= `lookback`",
    ),
    "step-not-a-whole-number-of-rows": BadInput(
        trigger=lambda s: _windows().WindowSpec.from_durations(
            "10 days", "24 hours", "20 min", HOUR),
        error=ValueError,
        what=(r"`step` = '20 min' is not a whole number of 1 hour rows",), todo=r"Use a multiple of 1 hour",
    ),
    "delay-past-the-end-of-a-split": BadInput(
        trigger=lambda s: _make_windows(s, lookback=120, delay=600), error=ValueError,
        what=(r"The val split \(2001, 2500\): `row_range` = \(2001, 2500\) is too short for one window and its "
              r"target: it has 499 rows .* \(span=120 rows for lookback=120 at step=1, delay=600\)",),
        todo=r"Use a smaller lookback or delay, or a longer range",
    ),
    "delay-past-the-end-of-the-data": BadInput(
        trigger=lambda s: _windows().make_batch(
            _tiny_series()[0], np.array([2990]), _windows().WindowSpec(120, 24), 0),
        error=ValueError,
        what=(r"Received: rows from 2990 to 2990",),
        todo=r"`rows` must lie in \[span - 1, len\(data\) - delay\) = \[119, 2976\)",
    ),
    "splits-overlap": BadInput(
        trigger=lambda s: _windows().SplitRanges((0, 500), (400, 750), (751, 1000)),
        error=ValueError,
        what=(r"`val` = \(400, 750\) overlaps `train` = \(0, 500\)",),
        todo=r"the splits must follow each other in time \(train, val, test\)",
    ),
    "splits-past-the-end-of-the-data": BadInput(
        trigger=lambda s: _windows().SplitRanges((0, 500), (501, 750), (751, 1000)).check(900),
        error=ValueError,
        what=(r"`test` = \(751, 1000\) ends past the last row: the data has 900 rows",),
        todo=r"`stop` must be <= 900",
    ),
    # A kernel longer than the sequence, in the builders and in the widgets.
    "kernel-longer-than-sequence-conv-forecaster-builder": BadInput(
        trigger=_build("build_conv_forecaster", 3, timesteps=20, kernel_size=25), error=ValueError,
        what=(KERNEL_TOO_LONG,), todo=USE_A_SMALLER_KERNEL,
    ),
    "kernel-longer-than-sequence-conv-gru-builder": BadInput(
        trigger=_build("build_conv_gru", 3, timesteps=20, kernel_size=25), error=ValueError,
        what=(KERNEL_TOO_LONG,), todo=USE_A_SMALLER_KERNEL,
    ),
    "kernel-longer-than-sequence-imdb-convnet-builder": BadInput(
        trigger=_build("build_imdb_convnet", maxlen=20, kernel_size=25), error=ValueError,
        what=(KERNEL_TOO_LONG,), todo=USE_A_SMALLER_KERNEL,
    ),
    "kernel-longer-than-sequence-conv-explorer-widget": BadInput(
        trigger=_conv_explorer_with_a_kernel_longer_than_the_window, error=None,
        what=(r"Cannot use these settings:</b> The conv window of stage 1 \(" + KERNEL_TOO_LONG,
              r"Cannot run these settings:</b> The conv window of stage 1 \(" + KERNEL_TOO_LONG),
        todo=USE_A_SMALLER_KERNEL,
    ),
    "kernel-longer-than-sequence-imdb-explorer-widget": BadInput(
        trigger=_imdb_explorer_with_a_kernel_longer_than_the_reviews, error=None,
        what=(r"Cannot run these settings:</b> The conv window of stage 1 \(" + KERNEL_TOO_LONG,),
        todo=USE_A_SMALLER_KERNEL,
    ),
    # Unknown names: the name received and the names that exist.
    "unknown-profile-name": BadInput(
        trigger=lambda s: config.get_profile("fast"), error=ValueError,
        what=(r"Unknown run profile\. Received: name='fast'",), todo=r"Use one of \['full', 'quick'\]",
    ),
    "unknown-profile-SEQLIB_PROFILE": BadInput(
        trigger=_with_env("SEQLIB_PROFILE", "fast", config.get_profile), error=ValueError,
        what=(r"Unknown run profile\. Received: SEQLIB_PROFILE='fast'",),
        todo=r"Use one of \['full', 'quick'\], e\.g\. SEQLIB_PROFILE=quick",
    ),
    "unknown-dataset-name": BadInput(
        trigger=lambda s: weather.load_weather("Jena2", s.data), error=ValueError,
        what=(r"Received: name='Jena2'",), todo=r"`name` must be one of \['jena', 'merra2'\] or None",
    ),
    "unknown-dataset-SEQLIB_WEATHER": BadInput(
        trigger=_with_env("SEQLIB_WEATHER", "noaa", weather.load_weather), error=ValueError,
        what=(r"Received: SEQLIB_WEATHER='noaa'",),
        todo=r"SEQLIB_WEATHER must be one of \['jena', 'merra2'\], or unset for the automatic choice",
    ),
    "unknown-data-file-name": BadInput(
        trigger=lambda s: fetch.fetch("imdb.csv", s.data), error=ValueError,
        what=(r"Received: name='imdb\.csv'",), todo=r"`name` must be one of \[.*'imdb\.npz'",
    ),
}

ISSUE_LIST = {
    "a corrupted data file": r"corrupt-",
    "a truncated data file": r"truncated-",
    "a wrong checksum": r"wrong-checksum",
    "a missing file offline, with SEQLIB_DATA_DIR": r"offline-.*-with-SEQLIB_DATA_DIR",
    "a missing file offline, without SEQLIB_DATA_DIR": r"offline-.*-without-SEQLIB_DATA_DIR",
    "an unwritable cache folder": r"unwritable-",
    "a Jena CSV with a missing column": r"jena-csv-missing-column",
    "a Jena CSV with a bad date": r"jena-csv-bad-date",
    "a Jena CSV with a non-numeric cell": r"jena-csv-non-numeric-cell",
    "lookback <= 0": r"lookback-(zero|negative)",
    "step > lookback": r"step-greater-than-lookback",
    "delay past the end": r"delay-past-the-end",
    "split ranges that overlap": r"splits-overlap",
    "a kernel larger than the sequence in a model builder": r"kernel-longer-than-sequence-.*-builder",
    "a kernel larger than the sequence in a widget": r"kernel-longer-than-sequence-.*-widget",
    "an unknown profile name": r"unknown-profile",
    "an unknown dataset name": r"unknown-dataset",
}


def _files_under(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the sha256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("case", [pytest.param(case, id=name) for name, case in CATALOGUE.items()])
def test_bad_input_gives_a_clear_error_and_leaves_nothing_half_written(
    case: BadInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server, refused_url: str
) -> None:
    for variable in ("SEQLIB_DATA_DIR", "SEQLIB_PROFILE", "SEQLIB_WEATHER"):
        monkeypatch.delenv(variable, raising=False)
    scene = Scene(tmp_path, monkeypatch, server.url, refused_url)
    scene.data.mkdir()
    case.prepare(scene)
    before = _files_under(tmp_path)

    if case.error is None:
        message = str(case.trigger(scene))
        assert "Traceback" not in message
    else:
        with pytest.raises(case.error) as raised:
            case.trigger(scene)
        message = str(raised.value)

    def expand(pattern: str) -> str:
        return pattern.replace("{tmp}", re.escape(str(tmp_path))).replace("{url}", re.escape(server.url))

    for what in case.what:
        assert re.search(expand(what), message), f"the message does not say what was wrong ({what!r}):\n{message}"
    assert re.search(expand(case.todo), message), (
        f"the message does not say what to do ({case.todo!r}):\n{message}"
    )
    assert _files_under(tmp_path) == before, "files were added, changed or removed"
    assert not list(tmp_path.rglob(".download-*")), "a download's staging folder was left behind"


def test_catalogue_covers_the_issue_list(capsys: pytest.CaptureFixture[str]) -> None:
    uncovered = [
        item for item, pattern in ISSUE_LIST.items() if not any(re.match(pattern, name) for name in CATALOGUE)
    ]
    assert not uncovered, f"no case in the catalogue for: {uncovered}"
    with capsys.disabled():
        print(f"\n{len(CATALOGUE)} bad inputs tried, covering the {len(ISSUE_LIST)} items of issue 6's list")


# Two processes fetching the same file at once ------------------------------------------------


def _fetch_in_this_process(url: str, known_hash: str, folder: str, results: multiprocessing.Queue) -> None:
    """Register `together.bin` in this process's registry and fetch it into `folder` (a process target)."""
    fetch.REGISTRY["together.bin"] = RemoteFile("together.bin", url, known_hash)
    try:
        results.put(("ok", str(fetch.fetch("together.bin", folder))))
    except Exception as error:  # reported to the test, which shows it
        results.put(("failed", repr(error)))


def test_two_processes_fetching_the_same_file_at_once_leave_one_good_file(server, tmp_path: Path) -> None:
    folder = tmp_path / "data"  # empty and not even created: both processes race to make it too
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(
            target=_fetch_in_this_process,
            args=(f"{server.url}/together.bin", f"sha256:{SHA256}", str(folder), results),
        )
        for _ in range(2)
    ]
    server.together.reset()
    server.met.clear()
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=60) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert outcomes == [("ok", str(folder / "together.bin"))] * 2
    assert server.met == [True, True], "the two downloads were not in flight at the same time"
    assert os.listdir(folder) == ["together.bin"]  # one file, no staging folder or partial file left
    assert hashlib.sha256((folder / "together.bin").read_bytes()).hexdigest() == SHA256
