"""The IMDB movie reviews as word-index sequences, with `keras.datasets.imdb` semantics.

`load_imdb` reads `imdb.npz` itself (from the data folder or a download, see `seqlib.fetch`)
instead of calling `keras.datasets.imdb.load_data`, because Keras rejects any file whose
sha256 differs from the canonical one, and the offline mirror holds a faithful rebuild
(SOURCES.md §3). The shuffling, offsets and filtering are those of Keras 3's `load_data`,
so both return identical arrays from the same file.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import zipfile
import zlib
from collections.abc import Iterable, Sequence

import numpy as np

from seqlib.checks import check_int
from seqlib.fetch import DataFormatError, fetch

__all__ = ["VALIDATION_REVIEWS", "Reviews", "decode_review", "load_imdb", "load_reviews", "load_word_index",
           "pad_front"]

VALIDATION_REVIEWS = 5_000
"""The last 5,000 of the 25,000 training reviews validate; the first 20,000 train."""


@dataclasses.dataclass(frozen=True)
class Reviews:
    """Reviews as padded word ids: the book's train / validation / test split.

    Introduced in chapter 1 (`load_reviews`); chapter 6 makes them from raw text.

    Attributes:
        x_train, y_train: the first 20,000 training reviews.
        x_val, y_val: the last 5,000 training reviews (validation).
        x_test, y_test: the 25,000 test reviews.
        dataset: the key of the `seqlib.registry.DATASETS` entry they come from.
        words_kept: ``"last"`` if each row holds a review's last words, padded in front
            (`load_reviews`), ``"first"`` if its first words (raw text, `seqlib.text_model`).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    dataset: str = "imdb"
    words_kept: str = "last"


def pad_front(sequences: Iterable[Sequence[int]], maxlen: int) -> np.ndarray:
    """Each sequence's last ``maxlen`` ids, zeros in front: ``keras.utils.pad_sequences``' defaults.

    Introduced in chapter 1.
    """
    sequences = list(sequences)
    padded = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, ids in enumerate(sequences):
        kept = list(ids)[-maxlen:]
        if kept:
            padded[row, maxlen - len(kept):] = kept
    return padded


def load_reviews(num_words: int = 10_000, maxlen: int = 500, data_dir: str | os.PathLike | None = None) -> Reviews:
    """IMDB with a ``num_words`` vocabulary, the last ``maxlen`` words of each review, split.

    Introduced in chapter 1.
    """
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=num_words, data_dir=data_dir)
    x_train, x_test = pad_front(x_train, maxlen), pad_front(x_test, maxlen)
    cut = len(x_train) - VALIDATION_REVIEWS
    return Reviews(x_train[:cut], y_train[:cut], x_train[cut:], y_train[cut:], x_test, y_test)

_KEYS = ("x_train", "y_train", "x_test", "y_test")
# What unpickling a damaged stream can raise, besides the errors of reading the zip itself.
_UNPICKLING_ERRORS = (pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError, KeyError)

# Rebuilding the ragged `dtype=object` arrays of imdb.npz needs these globals and no others.
# Refusing the rest (as Keras 3 does) means a tampered file cannot run code when unpickled,
# which matters because files already in the data folder are not checked against a hash.
_ARRAY_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds numpy arrays and refuses every other object."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle `{module}.{name}`")


def load_imdb(
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    data_dir: str | os.PathLike | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the IMDB reviews exactly as `keras.datasets.imdb.load_data` (Keras 3) does.

    Words are indexed by how often they occur in the training set (1 = "the"), shifted
    up by `index_from`; 0 is padding, `start_char` opens every review and `oov_char`
    stands for words cut by `num_words` or `skip_top`. One quirk of Keras is kept on
    purpose: with `num_words=None` the cut-off is the largest index present, so that
    single most rare word becomes `oov_char` too.

    Args:
        num_words: keep the `num_words` most frequent indices (index < num_words); None keeps all.
        skip_top: indices below `skip_top` become `oov_char`.
        maxlen: drop (not truncate) reviews whose length, start mark included, is >= maxlen.
        seed: seed of the shuffle (one `np.random.RandomState`, train then test).
        start_char: index that marks the start of a review; None for no mark.
        oov_char: index of cut words; None to drop them instead.
        index_from: offset added to every word index.
        data_dir: the data folder (see `seqlib.fetch.data_dir`).

    Returns:
        `((x_train, y_train), (x_test, y_test))`: x are object arrays of lists of ints,
        y are int64 arrays of labels (1 = positive, 0 = negative), 25,000 reviews each.

    Raises:
        ValueError: if an argument is out of range, or `maxlen` keeps no review.
        DataNotFoundError: if `imdb.npz` can be neither found nor downloaded.
        DataFormatError: if `imdb.npz` is corrupt or does not hold the expected arrays.
    """
    check_int("num_words", num_words, minimum=1, optional=True)
    check_int("skip_top", skip_top, minimum=0)
    check_int("maxlen", maxlen, minimum=1, optional=True)
    check_int("seed", seed, minimum=0)
    check_int("start_char", start_char, minimum=0, optional=True)
    check_int("oov_char", oov_char, minimum=0, optional=True)
    check_int("index_from", index_from, minimum=0)
    x_train, labels_train, x_test, labels_test = _read_npz(fetch("imdb.npz", data_dir))

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    start = [] if start_char is None else [start_char]
    x_train = [start + [w + index_from for w in x] for x in x_train]
    x_test = [start + [w + index_from for w in x] for x in x_test]

    if maxlen is not None:
        x_train, labels_train = _shorter_than(maxlen, x_train, labels_train)
        x_test, labels_test = _shorter_than(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"`maxlen` keeps no review: all are at least that long. Received: maxlen={maxlen}. "
                "Increase maxlen."
            )

    sequences = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if num_words is None:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        sequences = [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    else:
        sequences = [[w for w in x if skip_top <= w < num_words] for x in sequences]

    split = len(x_train)
    return (
        (np.array(sequences[:split], dtype="object"), labels[:split]),
        (np.array(sequences[split:], dtype="object"), labels[split:]),
    )


def load_word_index(data_dir: str | os.PathLike | None = None) -> dict[str, int]:
    """Load Keras's IMDB word index: word -> rank by frequency (1 = most frequent).

    Args:
        data_dir: the data folder (see `seqlib.fetch.data_dir`).

    Returns:
        A dict of 88,584 words to their index (before the `index_from` offset).

    Raises:
        DataNotFoundError: if `imdb_word_index.json` can be neither found nor downloaded.
        DataFormatError: if the file is not a JSON object of words to positive integers.
    """
    path = fetch("imdb_word_index.json", data_dir)
    try:
        word_index = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataFormatError(path, f"it is not valid JSON ({error})") from error
    if not isinstance(word_index, dict) or not all(
        isinstance(i, int) and i >= 1 for i in word_index.values()
    ):
        raise DataFormatError(path, "it is not a JSON object of words to integers >= 1")
    return word_index


def decode_review(
    sequence: Iterable[int],
    word_index: dict[str, int],
    index_from: int = 3,
    start_char: int = 1,
    oov_char: int = 2,
) -> str:
    """Turn a sequence of word indices back into words, with "?" for padding, start and OOV.

    This is the book's `' '.join(reverse_word_index.get(i - 3, '?') for i in sequence)`.

    Args:
        sequence: word indices, as returned by `load_imdb` with the same `index_from`.
        word_index: the mapping from `load_word_index`.
        index_from: the offset that `load_imdb` added to every word index.
        start_char: the start mark (decoded as "?").
        oov_char: the out-of-vocabulary mark (decoded as "?").

    Returns:
        The words separated by single spaces.
    """
    words = {index + index_from: word for word, index in word_index.items()}
    marks = {0, start_char, oov_char}
    return " ".join("?" if i in marks else words.get(i, "?") for i in sequence)


def _shorter_than(
    maxlen: int, sequences: list[list[int]], labels: np.ndarray
) -> tuple[list[list[int]], list[int]]:
    """Keep the sequences shorter than `maxlen`, with their labels (Keras's `remove_long_seq`)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def _read_npz(path: os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read and validate the four arrays of `imdb.npz`: x_train, y_train, x_test, y_test."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.removesuffix(".npy"): name for name in archive.namelist()}
            arrays = {key: _read_npy(io.BytesIO(archive.read(names[key]))) for key in _KEYS if key in names}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, *_UNPICKLING_ERRORS) as error:
        raise DataFormatError(path, f"it cannot be read as an .npz archive ({error})") from error
    missing = [key for key in _KEYS if key not in arrays]
    if missing:
        raise DataFormatError(path, f"it lacks the array(s) {missing}; expected {list(_KEYS)}")
    for kind in ("train", "test"):
        x, y = arrays[f"x_{kind}"], arrays[f"y_{kind}"]
        if x.ndim != 1 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
            raise DataFormatError(
                path,
                f"x_{kind} and y_{kind} must be non-empty 1-D arrays of equal length; "
                f"got shapes {x.shape} and {y.shape}",
            )
        if not np.isin(y, (0, 1)).all():
            raise DataFormatError(path, f"y_{kind} must hold labels 0 and 1 only")
        if not all(isinstance(review, list) for review in x):
            raise DataFormatError(path, f"x_{kind} must hold one list of word indices per review")
    return tuple(arrays[key] for key in _KEYS)


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    """Read one .npy member; object arrays go through `_ArrayUnpickler`, never plain pickle."""
    version = np.lib.format.read_magic(stream)
    # Format 3.0 differs from 2.0 only in the header's text encoding; the layout is the same.
    read_header = (
        np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    )
    _, _, dtype = read_header(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = _ArrayUnpickler(stream).load()
    if not isinstance(array, np.ndarray):
        raise ValueError(f"an object array was expected, got {type(array).__name__}")
    return array
