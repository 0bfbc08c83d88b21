"""Where the data files live and how they are obtained: the data folder, the registry, downloads.

The data folder is, in order of precedence: the `data_dir` argument, the environment
variable `SEQLIB_DATA_DIR`, or the user's cache folder. A file already in the data folder
is used as it is (it may be a local mirror, used without network); a missing file is
downloaded with pooch into a temporary folder, its checksum is verified, and only then is
it renamed into place, so a failed or tampered download never leaves a file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pooch

__all__ = [
    "DOWNLOAD_TIMEOUT_S",
    "REGISTRY",
    "DataFormatError",
    "DataNotFoundError",
    "RemoteFile",
    "data_dir",
    "fetch",
]

DOWNLOAD_TIMEOUT_S = 20
"""Seconds to wait for a server to connect or send data; an offline machine fails fast."""

_PIP_OPTIONS = ("--no-deps", "--only-binary=:all:")


class DataNotFoundError(FileNotFoundError):
    """A data file is not in the data folder and could not be downloaded into it."""


class DataFormatError(ValueError):
    """A data file exists but is corrupt, truncated, or not in the expected format."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return (
            f"{self.path} is not a valid data file: {self.problem}. Delete it so that it is "
            "downloaded again, or replace it with a good copy (if it comes from a local "
            "mirror, fix the mirror)."
        )


@dataclass(frozen=True)
class RemoteFile:
    """A data file: its name in the data folder, where it comes from, and its checksum.

    Exactly one of `url` (downloaded with pooch) and `requirement` (a wheel obtained
    with `pip download`) is set. `known_hash` is written in pooch's form
    (`"sha256:<hex>"` or `"md5:<hex>"`). When `hashed_member` is set, the file is a zip
    archive and `known_hash` is the checksum of that member of it; the member, already
    extracted into the data folder, is then accepted in place of the archive.
    """

    name: str
    url: str | None
    known_hash: str
    requirement: str | None = None
    hashed_member: str | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.requirement is None):
            raise ValueError(
                "A `RemoteFile` needs exactly one of `url` and `requirement`. "
                f"Received: url={self.url!r}, requirement={self.requirement!r}"
            )
        algorithm, _, digest = self.known_hash.partition(":")
        if algorithm not in ("sha256", "md5") or not digest:
            raise ValueError(
                '`known_hash` must look like "sha256:<hex>" or "md5:<hex>". '
                f"Received: known_hash={self.known_hash!r}"
            )

    @property
    def origin(self) -> str:
        """Where the file is downloaded from: the URL, or the pip command."""
        return self.url or f"`python -m pip download {' '.join(_PIP_OPTIONS)} {self.requirement}`"


REGISTRY: dict[str, RemoteFile] = {
    remote.name: remote
    for remote in [
        RemoteFile(
            "imdb.npz",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz",
            "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
        ),
        RemoteFile(
            "imdb_word_index.json",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json",
            "md5:bfafd718b763782e994055a2d397834f",
        ),
        # Stanford's archive of the raw reviews (84,125,825 bytes); its sha256 as published
        # with the archive's Git LFS pointer in a second repository (SOURCES.md §2).
        RemoteFile(
            "aclImdb_v1.tar.gz",
            "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
            "sha256:c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        ),
        # The zip's own checksum is not published anywhere we could check, so the download
        # is verified by the md5 of the CSV inside it (43,164,220 bytes). That md5 comes from
        # a single third-party source (a DVC file in logus2k/jena_weather, SOURCES.md §4):
        # likely right, but not confirmed by a second source.
        RemoteFile(
            "jena_climate_2009_2016.csv.zip",
            "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip",
            "md5:959915f05bfafef18e471a97ae679535",
            hashed_member="jena_climate_2009_2016.csv",
        ),
        # The offline stand-in for Jena: MERRA-2 series shipped in this wheel (SOURCES.md §5).
        RemoteFile(
            "brightwind-2.7.0-py3-none-any.whl",
            None,
            "sha256:7f346914d3ee45f5ee511f05afb1b160815065fd99753a620e1ca9a4414b9cd6",
            requirement="brightwind==2.7.0",
        ),
    ]
}
"""The data files the book uses, by file name."""


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Return the data folder: `path` if given, else `SEQLIB_DATA_DIR`, else the user cache.

    Args:
        path: a folder, or None to use the environment variable `SEQLIB_DATA_DIR` or,
            when that is unset or empty, the user's cache folder for "seqlib".

    Returns:
        The folder as an absolute path. It may not exist yet.
    """
    return _choose_data_dir(path)[0]


def _choose_data_dir(path: str | os.PathLike | None) -> tuple[Path, str]:
    """The data folder and, in words for error messages, the rule that chose it."""
    if path is not None:
        chosen, rule = path, "the data folder given as the `data_dir` argument"
    elif os.environ.get("SEQLIB_DATA_DIR"):
        chosen = os.environ["SEQLIB_DATA_DIR"]
        rule = f"the data folder set by SEQLIB_DATA_DIR={chosen!r}"
    else:
        chosen, rule = pooch.os_cache("seqlib"), "the user's cache folder (SEQLIB_DATA_DIR is not set)"
    return Path(chosen).expanduser().resolve(), rule




def fetch(name: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True) -> Path:
    """Return the path of a registered data file, downloading it if it is not there yet.

    A file already in the data folder is returned without a checksum test: the caller
    validates it by its structure. This is deliberate: a local mirror may hold faithful
    rebuilds whose bytes differ from the canonical file (the mirror's `imdb.npz`, see
    SOURCES.md), and rejecting them would make the book unusable offline. Downloads, on
    the other hand, are always verified against the registered checksum.

    Args:
        name: a file name in `REGISTRY`, e.g. `"imdb.npz"`.
        data_dir: the data folder (see `data_dir()`); None for the default.
        allow_download: if False, only look in the data folder.

    Returns:
        The absolute path of the file (for a `RemoteFile` with `hashed_member`, possibly
        the already extracted member).

    Raises:
        ValueError: if `name` is not registered.
        DataNotFoundError: if the file is not in the data folder and the download failed
            (no network, checksum mismatch, unwritable folder, ...) or was not allowed.
    """
    if name not in REGISTRY:
        raise ValueError(f"`name` must be one of {sorted(REGISTRY)}. Received: name={name!r}")
    remote = REGISTRY[name]
    directory, rule = _choose_data_dir(data_dir)
    candidates = [directory / remote.name]
    if remote.hashed_member:
        candidates.append(directory / remote.hashed_member)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    by_hand = (f"download it by hand from {remote.origin} into {directory}, or set SEQLIB_DATA_DIR "
               "to a folder that holds it")
    if not allow_download:
        reason, fix = "downloads were not allowed (allow_download=False)", by_hand
    else:
        try:
            return _download(remote, directory)
        except _DownloadFailed as error:
            reason, fix = error.reason, f"{error.fix}; or {by_hand}"
    looked = "\n".join(f"  {candidate}" for candidate in candidates)
    raise DataNotFoundError(
        f"Could not get `{remote.name}`: {reason}.\n"
        f"Looked for it in {rule}:\n{looked}\n"
        f"Source: {remote.origin}\n"
        f"To fix: {fix}."
    )


class _DownloadFailed(Exception):
    """Why a download failed and what to do, in words; `fetch` turns it into a `DataNotFoundError`."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def _download(remote: RemoteFile, directory: Path) -> Path:
    """Download `remote` into a temporary folder in `directory`, verify it, rename it into place."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = tempfile.TemporaryDirectory(dir=directory, prefix=".download-")
    except OSError as error:
        raise _DownloadFailed(
            f"the data folder {directory} cannot be created or written ({error})",
            "set SEQLIB_DATA_DIR (or pass `data_dir`) to a folder you can write to",
        ) from error
    with staging as staging_dir:
        try:
            downloaded = _download_to(remote, Path(staging_dir))
        except (OSError, subprocess.SubprocessError) as error:
            raise _DownloadFailed(f"the download from {remote.origin} failed ({error})",
                                  "check the network connection and try again") from error
        try:
            _verify(downloaded, remote)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            raise _DownloadFailed(
                f"the file downloaded from {remote.origin} is not the registered one ({error})",
                "try again later (the server or a proxy may have sent a damaged or changed file); "
                "if it persists, report it",
            ) from error
        target = directory / remote.name
        try:
            os.replace(downloaded, target)
        except OSError as error:
            raise _DownloadFailed(f"the download could not be moved into place ({error})",
                                  "set SEQLIB_DATA_DIR (or pass `data_dir`) to a folder you can write to") from error
    return target


def _download_to(remote: RemoteFile, folder: Path) -> Path:
    """Download `remote` into `folder` and return the path of the new file (not verified yet)."""
    if remote.url:
        with _quiet_pooch():
            pooch.retrieve(
                remote.url,
                known_hash=None,
                fname=remote.name,
                path=folder,
                downloader=pooch.HTTPDownloader(timeout=DOWNLOAD_TIMEOUT_S, progressbar=False),
            )
    else:
        command = [sys.executable, "-m", "pip", "download", *_PIP_OPTIONS, str(remote.requirement)]
        command += ["-d", str(folder), "--timeout", str(DOWNLOAD_TIMEOUT_S), "--retries", "1", "--no-input"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30 * DOWNLOAD_TIMEOUT_S)
        if done.returncode != 0:
            last_lines = " ".join(done.stderr.strip().splitlines()[-2:])
            raise OSError(f"pip exited with status {done.returncode}: {last_lines}")
    path = folder / remote.name
    if not path.is_file():
        raise OSError(f"the download did not produce {remote.name}")
    return path


def _verify(path: Path, remote: RemoteFile) -> None:
    """Raise ValueError, naming the expected and actual checksums, unless `path` matches `remote`."""
    algorithm, _, expected = remote.known_hash.partition(":")
    if remote.hashed_member:
        with zipfile.ZipFile(path) as archive, archive.open(remote.hashed_member) as stream:
            actual = _digest(stream, algorithm)
    else:
        with open(path, "rb") as stream:
            actual = _digest(stream, algorithm)
    if actual != expected.lower():
        raise ValueError(
            f"checksum mismatch for {remote.hashed_member or remote.name}: expected {remote.known_hash}, "
            f"got {algorithm}:{actual}; the download was deleted"
        )


def _digest(stream: BinaryIO, algorithm: str) -> str:
    """The hex digest of everything left in `stream`, read in 1 MiB chunks."""
    digest = hashlib.new(algorithm)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence pooch's log messages (it logs to stderr, which shows in notebooks)."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
