"""The IMDB reviews as raw text, read from the Large Movie Review Dataset archive.

`read_review_texts` reads the 50,000 labelled reviews of ``aclImdb_v1.tar.gz`` (Maas et
al., 2011) straight out of the archive, without unpacking it, and checks its structure:
12,500 positive and 12,500 negative reviews in each of ``train/`` and ``test/``, every
file named ``<id>_<rating>.txt`` with a rating that agrees with its folder (7-10
positive, 1-4 negative). The 50,000 unlabelled reviews of ``train/unsup/`` are skipped.
`split_texts` then cuts the validation reviews from the training reviews only.

`words` is the book's standardisation in plain Python: it finds, in a review as written,
each word that ``keras.layers.TextVectorization`` with `seqlib.text_model.standardize_review`
reads, with its place in the text, so that a word the model looked at can be highlighted
where the reader wrote it. This module needs neither TensorFlow nor Keras.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tarfile
import zlib

import numpy as np

from seqlib.checks import check_int
from seqlib.fetch import DataFormatError, fetch

__all__ = [
    "ARCHIVE",
    "REVIEWS_PER_CLASS",
    "VALIDATION_REVIEWS",
    "SPLIT_SEED",
    "ReviewTexts",
    "TextSplit",
    "read_review_texts",
    "split_texts",
    "LINE_BREAK",
    "PUNCTUATION",
    "SEPARATORS",
    "Word",
    "words",
]

ARCHIVE = "aclImdb_v1.tar.gz"
REVIEWS_PER_CLASS = 12_500
VALIDATION_REVIEWS = 5_000
"""As in chapter 1: 5,000 of the 25,000 training reviews validate, 20,000 train."""
SPLIT_SEED = 1337
"""The seed of the one shuffle that decides which training reviews validate."""

LINE_BREAK = r"<br */?>"
"""The HTML line break of the reviews (``<br />``), read as a space."""
PUNCTUATION = r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']"
"""ASCII punctuation, deleted from words (so "don't" reads as "dont"). One pattern, valid
both in Python's `re` and in TensorFlow's RE2."""
SEPARATORS = "[\x1c-\x1f\x80-\x9f\u2028\u2029]"
"""Control and line-separator characters, read as a space. In these reviews the C1 controls
are Windows-1252 punctuation read as Latin-1 (``\x85`` was "…", ``\x96`` "–"), and a
vocabulary word holding any of them would not survive a save: Keras writes the
vocabulary one word per line, and Python reads each of them as a line break."""
_WHITESPACE = " \t\n\r\f\v"  # what tf.strings.split splits on (ASCII only)
_SEPARATORS = re.compile(SEPARATORS)
_CHUNK = re.compile(rf"{LINE_BREAK}|((?:(?!{LINE_BREAK})[^{_WHITESPACE}])+)", re.IGNORECASE)
_PUNCTUATION = re.compile(PUNCTUATION)

_MEMBER = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
_RATINGS = {"pos": range(7, 11), "neg": range(1, 5)}


@dataclasses.dataclass(frozen=True, eq=False)
class ReviewTexts:
    """The labelled reviews of the archive, in a fixed order (by split, class, file id).

    Attributes:
        train_texts, test_texts: the reviews, as Python strings.
        train_labels, test_labels: int64 labels, 1 = positive, 0 = negative.
        source: the archive they were read from.
    """

    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    source: os.PathLike


@dataclasses.dataclass(frozen=True, eq=False)
class TextSplit:
    """Training, validation and test reviews: texts (lists of str) and labels (int64)."""

    train_texts: list[str]
    train_labels: np.ndarray
    val_texts: list[str]
    val_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray


def read_review_texts(data_dir: str | os.PathLike | None = None) -> ReviewTexts:
    """Read the 50,000 labelled reviews from ``aclImdb_v1.tar.gz``.

    The archive is found or downloaded by `seqlib.fetch` (a download is checked against
    Stanford's sha256; a file already in the data folder, such as the offline mirror's
    faithful repack, is checked by its structure here).

    Raises:
        DataNotFoundError: if the archive can be neither found nor downloaded.
        DataFormatError: if it is not a readable .tar.gz, a review is not UTF-8, or the
            reviews, their names or their counts are not those of the dataset.
    """
    path = fetch(ARCHIVE, data_dir)
    found: dict[tuple[str, str], dict[int, str]] = {key: {} for key in _groups()}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                match = _MEMBER.match(member.name)
                if not match or not member.isfile():
                    continue
                split, label, review_id, rating = match.groups()
                if int(rating) not in _RATINGS[label]:
                    raise DataFormatError(path, f"{member.name} has rating {rating}, not a {label} rating")
                data = archive.extractfile(member).read()
                try:
                    found[split, label][int(review_id)] = data.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise DataFormatError(path, f"{member.name} is not UTF-8 text ({error})") from error
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise DataFormatError(path, f"it cannot be read as a .tar.gz archive ({error})") from error
    for (split, label), reviews in found.items():
        if sorted(reviews) != list(range(REVIEWS_PER_CLASS)):
            raise DataFormatError(
                path, f"aclImdb/{split}/{label}/ holds {len(reviews):,} reviews; expected "
                f"{REVIEWS_PER_CLASS:,} with ids 0 to {REVIEWS_PER_CLASS - 1:,}")
    texts = {split: [found[split, label][i] for label in ("pos", "neg") for i in range(REVIEWS_PER_CLASS)]
             for split in ("train", "test")}
    labels = np.repeat(np.array([1, 0], dtype="int64"), REVIEWS_PER_CLASS)
    return ReviewTexts(texts["train"], labels, texts["test"], labels.copy(), path)


def split_texts(reviews: ReviewTexts, validation: int = VALIDATION_REVIEWS,
                seed: int = SPLIT_SEED) -> TextSplit:
    """Shuffle the training reviews once and keep the last ``validation`` of them apart.

    The test reviews are left untouched, so no test review is ever used to fit or choose.

    Raises:
        ValueError: if ``validation`` does not leave reviews on both sides.
    """
    total = len(reviews.train_texts)
    check_int("validation", validation, maximum=total - 1)
    order = np.random.default_rng(seed).permutation(total)
    train, val = order[:total - validation], order[total - validation:]
    return TextSplit(
        [reviews.train_texts[i] for i in train], reviews.train_labels[train],
        [reviews.train_texts[i] for i in val], reviews.train_labels[val],
        reviews.test_texts, reviews.test_labels)


def _groups() -> list[tuple[str, str]]:
    return [(split, label) for split in ("train", "test") for label in ("pos", "neg")]


@dataclasses.dataclass(frozen=True)
class Word:
    """One word the vectorizer reads: its standardised token and its place in the text.

    Attributes:
        token: the word lowercased, without punctuation (what the vocabulary holds).
        start, end: where it is in the text as written (``text[start:end]``).
    """

    token: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of ``text`` in the order the vectorizer reads them, with their places.

    Line breaks (`LINE_BREAK`), `SEPARATORS` and ASCII whitespace separate words; each piece in between
    is lowercased and loses its punctuation; a piece left empty (a lone "-") is no word.

    Raises:
        TypeError: if ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"A review must be a string (str). Received: {type(text).__name__} {text!r:.60}")
    found = []
    for match in _CHUNK.finditer(_SEPARATORS.sub(" ", text)):  # one character for one: same places
        if match.group(1) is None:
            continue
        token = _PUNCTUATION.sub("", match.group(1).lower())
        if token:
            found.append(Word(token, match.start(1), match.end(1)))
    return found
