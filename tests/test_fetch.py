"""Tests of seqlib.fetch: the data folder, files verified where they lie, verified downloads, and the
errors that say what to do."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import pickle
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pooch
import pytest

from seqlib import fetch
from seqlib.fetch import DataFormatError, DataNotFoundError, RemoteFile

PAYLOAD = b"seqlib test payload\n" * 100
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()
TAMPERED = PAYLOAD.replace(b"test", b"tEst", 1)  # same size, one letter changed
REPOSITORY = Path(fetch.__file__).resolve().parents[1]
DELETE_IT = "Delete it so that it is downloaded again, or replace it with a good copy"


@pytest.fixture(autouse=True)
def user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh user cache folder (where the checksum cache lives) for each test, outside `tmp_path`."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "seqlib"


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None, set[str]]]:
    """Record each time a file is actually hashed: (file name, zip member, algorithms)."""
    calls = []
    digests = fetch._digests

    def counting(path: Path, member: str | None, algorithms: set[str]) -> dict[str, str]:
        calls.append((path.name, member, set(algorithms)))
        return digests(path, member, algorithms)

    monkeypatch.setattr(fetch, "_digests", counting)
    return calls


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


def test_a_relative_argument_is_read_from_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert fetch.data_dir("relative/folder") == tmp_path / "relative" / "folder"


@pytest.mark.parametrize("working_directory", [".", "chapters", "/"])
def test_a_relative_SEQLIB_DATA_DIR_is_read_from_the_repository_root(monkeypatch, working_directory):
    assert (REPOSITORY / "_toc.yml").is_file() and (REPOSITORY / "chapters").is_dir()
    monkeypatch.chdir(REPOSITORY / working_directory)
    monkeypatch.setenv("SEQLIB_DATA_DIR", "../no-such-data-folder")
    assert fetch.data_dir() == REPOSITORY.parent / "no-such-data-folder"
    with pytest.raises(DataNotFoundError) as raised:
        fetch.fetch("imdb.npz", allow_download=False)
    assert (
        "Looked for it in the data folder set by SEQLIB_DATA_DIR='../no-such-data-folder' (read from the "
        f"repository root: {REPOSITORY.parent / 'no-such-data-folder'}), which does not exist:\n"
    ) in str(raised.value)
    assert not (REPOSITORY.parent / "no-such-data-folder").exists()


def test_an_absolute_or_home_SEQLIB_DATA_DIR_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.chdir(REPOSITORY / "chapters")
    monkeypatch.setenv("SEQLIB_DATA_DIR", str(tmp_path))
    assert fetch.data_dir() == tmp_path
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SEQLIB_DATA_DIR", "~/data")
    assert fetch.data_dir() == tmp_path / "data"


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
    with pytest.raises(ValueError, match=r"`mirror_hashes` must be a tuple .*Received: mirror_hashes='sha256:00'"):
        RemoteFile("x.bin", "https://example.org/x.bin", "sha256:00", mirror_hashes="sha256:00")
    with pytest.raises(ValueError, match=r"`mirror_hashes` must look like .*Received: mirror_hashes='00'"):
        RemoteFile("x.bin", "https://example.org/x.bin", "sha256:00", mirror_hashes=("00",))


def test_unknown_name_lists_the_registry():
    with pytest.raises(ValueError, match=r"`name` must be one of .*imdb\.npz.*Received: name='nope.csv'"):
        fetch.fetch("nope.csv")


# A file found in the data folder: verified once, then known by its size and mtime -------------


def test_a_file_in_the_data_folder_is_hashed_once(monkeypatch, tmp_path, hash_calls, user_cache):
    name = register(monkeypatch, RemoteFile("local.bin", closed_port_url(), f"sha256:{SHA256}"))
    (tmp_path / name).write_bytes(PAYLOAD)
    assert fetch.fetch(name, tmp_path) == tmp_path / name
    assert fetch.fetch(name, tmp_path) == tmp_path / name
    assert fetch.verify(name, tmp_path / name) == "canonical"
    assert hash_calls == [(name, None, {"sha256"})]
    status = (tmp_path / name).stat()
    assert json.loads((user_cache / "checksums.json").read_text()) == {
        str(tmp_path / name): {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "digests": {"sha256": SHA256}}
    }
    assert os.listdir(tmp_path) == [name]  # nothing written next to the data


def test_a_new_process_reads_the_digest_from_the_cache(monkeypatch, tmp_path):
    (tmp_path / "local.bin").write_bytes(PAYLOAD)
    script = f"""
from seqlib import fetch
fetch.REGISTRY["local.bin"] = fetch.RemoteFile("local.bin", "http://127.0.0.1:9/", "sha256:{SHA256}")
digests, hashed = fetch._digests, []
fetch._digests = lambda *arguments: hashed.append(1) or digests(*arguments)
fetch.fetch("local.bin", {str(tmp_path)!r})
print(len(hashed))
"""
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True) for _ in "12"]
    assert [run.stdout for run in runs] == ["1\n", "0\n"]


def test_a_changed_size_or_mtime_means_hashing_again(monkeypatch, tmp_path, hash_calls):
    name = register(monkeypatch, RemoteFile("local.bin", closed_port_url(), f"sha256:{SHA256}"))
    path = tmp_path / name
    path.write_bytes(PAYLOAD)
    fetch.fetch(name, tmp_path)
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))  # touched, same bytes
    assert fetch.fetch(name, tmp_path) == path
    assert len(hash_calls) == 2
    path.write_bytes(TAMPERED)  # same size, new mtime
    with pytest.raises(DataFormatError, match="its checksum is sha256:"):
        fetch.fetch(name, tmp_path)
    path.write_bytes(PAYLOAD + b"more")  # other size
    with pytest.raises(DataFormatError, match="its checksum is sha256:"):
        fetch.fetch(name, tmp_path)
    assert len(hash_calls) == 4


def test_a_tampered_file_is_refused_named_and_left_as_it_is(monkeypatch, tmp_path):
    name = register(monkeypatch, RemoteFile("local.bin", closed_port_url(), f"sha256:{SHA256}"))
    (tmp_path / name).write_bytes(TAMPERED)
    with pytest.raises(DataFormatError) as raised:
        fetch.fetch(name, tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / name} is not a valid data file: its checksum is "
        f"sha256:{hashlib.sha256(TAMPERED).hexdigest()}, not the registered sha256:{SHA256}. "
        f"{DELETE_IT} (if it comes from a local mirror, fix the mirror)."
    )
    assert (tmp_path / name).read_bytes() == TAMPERED and os.listdir(tmp_path) == [name]
    with pytest.raises(DataFormatError):  # a refused file is refused again: the cache keeps digests, not verdicts
        fetch.verify(name, tmp_path / name)


def test_a_documented_mirror_rebuild_is_accepted_and_reported(monkeypatch, tmp_path, hash_calls):
    mirror = RemoteFile("local.bin", closed_port_url(), "md5:" + "4" * 32, mirror_hashes=(f"sha256:{SHA256}",))
    name = register(monkeypatch, mirror)
    (tmp_path / name).write_bytes(PAYLOAD)
    assert fetch.fetch(name, tmp_path) == tmp_path / name
    assert fetch.verify(name, tmp_path / name) == "mirror"
    assert hash_calls == [(name, None, {"md5", "sha256"})]  # both checksums in one reading
    (tmp_path / name).write_bytes(TAMPERED)
    with pytest.raises(DataFormatError, match=(
        rf"its checksum is md5:{hashlib.md5(TAMPERED).hexdigest()} and sha256:\w{{64}}, not the registered "
        rf"md5:4{{32}} nor that of a documented mirror rebuild \(sha256:{SHA256}\)\. {DELETE_IT}"
    )):
        fetch.fetch(name, tmp_path)


def test_a_zip_is_verified_by_its_member_and_an_extracted_member_whole(monkeypatch, tmp_path, hash_calls):
    name = register(monkeypatch, RemoteFile("archive.zip", closed_port_url(), f"md5:{MD5}", hashed_member="inner.csv"))
    with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.csv", PAYLOAD)
    assert fetch.verify(name, tmp_path / name) == "canonical"
    (tmp_path / "inner.csv").write_bytes(PAYLOAD)
    assert fetch.verify(name, tmp_path / "inner.csv") == "canonical"
    assert hash_calls == [("archive.zip", "inner.csv", {"md5"}), ("inner.csv", None, {"md5"})]
    with zipfile.ZipFile(tmp_path / name, "w") as archive:
        archive.writestr("inner.csv", TAMPERED)
    with pytest.raises(DataFormatError, match=rf"the checksum of its member inner\.csv is md5:\w{{32}}, not the"):
        fetch.fetch(name, tmp_path)
    with zipfile.ZipFile(tmp_path / name, "w") as archive:
        archive.writestr("other.csv", PAYLOAD)
    with pytest.raises(DataFormatError, match=r"it is not a zip archive holding inner\.csv \(\"There is no item"):
        fetch.fetch(name, tmp_path)


@pytest.mark.parametrize("cache_problem", ["unwritable", "corrupt"])
def test_a_bad_checksum_cache_only_costs_hashing_again(monkeypatch, tmp_path, hash_calls, cache_problem):
    if cache_problem == "unwritable":  # tests run as root: only a file in the path blocks writing
        (tmp_path / "afile").write_text("a file, not a folder")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "afile" / "cache"))
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        (tmp_path / "cache" / "seqlib").mkdir(parents=True)
        (tmp_path / "cache" / "seqlib" / "checksums.json").write_text('{"truncated": ')
    name = register(monkeypatch, RemoteFile("local.bin", closed_port_url(), f"sha256:{SHA256}"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / name).write_bytes(PAYLOAD)
    assert fetch.fetch(name, tmp_path / "data") == fetch.fetch(name, tmp_path / "data")
    assert len(hash_calls) == 1 + (cache_problem == "unwritable")
    assert not list(tmp_path.rglob(".checksums-*"))  # no temporary file left over


def test_verify_names_the_registry_for_an_unknown_name(tmp_path):
    with pytest.raises(ValueError, match=r"`name` must be one of .*Received: name='nope.csv'"):
        fetch.verify("nope.csv", tmp_path / "nope.csv")


# Downloads ---------------------------------------------------------------------------------


def test_download_with_the_right_hash_is_kept(monkeypatch, tmp_path, server, capfd, hash_calls):
    name = register(monkeypatch, RemoteFile("payload.bin", f"{server}/payload.bin", f"sha256:{SHA256}"))
    path = fetch.fetch(name, tmp_path / "new" / "folder")
    assert path == tmp_path / "new" / "folder" / name
    assert path.read_bytes() == PAYLOAD
    assert os.listdir(tmp_path / "new" / "folder") == [name]  # no temporary file left over
    assert capfd.readouterr().err == ""  # pooch's log messages are kept quiet
    assert fetch.fetch(name, tmp_path / "new" / "folder") == path
    assert len(hash_calls) == 1  # the download's own check is remembered


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
    assert not (tmp_path / "bad").exists()  # the folder made for the download is gone with it


def test_extracted_member_is_accepted_in_place_of_the_zip(monkeypatch, tmp_path):
    name = register(
        monkeypatch,
        RemoteFile("archive.zip", closed_port_url(), f"md5:{MD5}", hashed_member="inner.csv"),
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


@pytest.mark.parametrize("allow_download", [True, False])
def test_a_missing_folder_is_named_and_not_created(monkeypatch, tmp_path, allow_download):
    name = register(monkeypatch, RemoteFile("payload.bin", closed_port_url(), f"sha256:{SHA256}"))
    folder = tmp_path / "typo" / "data"
    monkeypatch.setenv("SEQLIB_DATA_DIR", str(folder))
    with pytest.raises(DataNotFoundError) as raised:
        fetch.fetch(name, allow_download=allow_download)
    message = str(raised.value)
    assert f"Looked for it in the data folder set by SEQLIB_DATA_DIR='{folder}', which does not exist:\n" in message
    assert message.endswith(
        f"or set SEQLIB_DATA_DIR to a folder that holds it ({folder} does not exist: is its name right?)."
    )
    assert os.listdir(tmp_path) == []  # neither typo/ nor typo/data/ is left behind


def test_a_data_folder_that_is_a_file_is_named(monkeypatch, tmp_path):
    name = register(monkeypatch, RemoteFile("payload.bin", closed_port_url(), f"sha256:{SHA256}"))
    (tmp_path / "afile").write_text("a file, not a folder")
    with pytest.raises(DataNotFoundError, match=rf"\({tmp_path / 'afile'} is not a folder: is its name right\?\)\.$"):
        fetch.fetch(name, tmp_path / "afile", allow_download=False)
    assert (tmp_path / "afile").read_text() == "a file, not a folder"


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
def test_mirror_files_are_accepted_and_the_rebuilds_reported(mirror_dir):
    """The mirror's word index and wheel are the canonical bytes; its imdb.npz is a rebuild and its
    aclImdb_v1.tar.gz a repack of the same reviews (SOURCES.md): accepted as documented mirror rebuilds."""
    expected = {
        "imdb_word_index.json": "canonical",
        "brightwind-2.7.0-py3-none-any.whl": "canonical",
        "imdb.npz": "mirror",
        "aclImdb_v1.tar.gz": "mirror",
    }
    for name, match in expected.items():
        assert fetch.fetch(name, mirror_dir, allow_download=False) == mirror_dir / name
        assert fetch.verify(name, mirror_dir / name) == match, name
