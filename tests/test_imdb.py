"""Tests of seqlib.imdb: the published facts of the dataset, Keras's semantics, bad files."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from seqlib.fetch import DataFormatError, DataNotFoundError
from seqlib import imdb
from seqlib.imdb import decode_review, load_imdb, load_word_index


@pytest.fixture(scope="module")
def imdb_10000(mirror_dir):
    """The book's IMDB load, `num_words=10000`, read once for the module (a few seconds)."""
    return load_imdb(num_words=10000, data_dir=mirror_dir)


@pytest.mark.requires_mirror
def test_published_facts(imdb_10000):
    (x_train, y_train), (x_test, y_test) = imdb_10000
    assert len(x_train) == len(y_train) == len(x_test) == len(y_test) == 25_000
    assert x_train[0][:8] == [1, 14, 22, 16, 43, 530, 973, 1622]
    assert (len(x_train[0]), len(x_train[1]), len(x_test[0])) == (218, 189, 68)
    assert y_train[:10].tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert max(max(x) for x in x_train) == 9_999
    assert y_train.dtype == np.int64 and x_train.dtype == object


@pytest.mark.requires_mirror
def test_word_index_and_decoding(imdb_10000, mirror_dir):
    word_index = load_word_index(mirror_dir)
    assert len(word_index) == 88_584
    assert (word_index["the"], word_index["film"]) == (1, 19)
    (x_train, _), _ = imdb_10000
    assert decode_review(x_train[0], word_index).startswith("? this film was just brilliant casting")


def test_decode_review_marks_padding_start_and_oov():
    word_index = {"the": 1, "film": 19}
    assert decode_review([0, 1, 4, 22, 2, 99], word_index) == "? ? the film ? ?"
    assert decode_review([1, 19], word_index, index_from=0) == "? film"


def keras_load_data(npz_path, monkeypatch, **arguments):
    """Real `keras.datasets.imdb.load_data`, reading `npz_path`."""
    keras_imdb = pytest.importorskip("keras.src.datasets.imdb")
    # Keras's `get_file` would reject any file but the canonical one by its hash (SOURCES.md §3).
    monkeypatch.setattr(keras_imdb, "get_file", lambda *args, **kwargs: str(npz_path))
    return keras_imdb.load_data(**arguments)


def assert_same_arrays(ours, expected):
    for (x_ours, y_ours), (x_keras, y_keras) in zip(ours, expected):
        assert np.array_equal(y_ours, y_keras)
        assert len(x_ours) == len(x_keras) and all(a == b for a, b in zip(x_ours, x_keras))


@pytest.mark.requires_mirror
def test_same_arrays_as_keras_load_data(imdb_10000, mirror_dir, monkeypatch):
    assert_same_arrays(imdb_10000, keras_load_data(mirror_dir / "imdb.npz", monkeypatch, num_words=10000))


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"num_words": 100, "skip_top": 5},
        {"maxlen": 30, "seed": 7, "start_char": None, "oov_char": None, "index_from": 0},
        {"num_words": 50, "start_char": None, "oov_char": 9, "index_from": 2},
    ],
)
def test_same_arrays_as_keras_load_data_with_every_option(arguments, tmp_path, monkeypatch):
    """Every option behaves as in Keras, checked on a small file of random reviews."""
    rng = np.random.default_rng(0)
    x = np.empty(300, dtype=object)
    x[:] = [rng.integers(1, 300, size=rng.integers(1, 60)).tolist() for _ in range(300)]
    labels = rng.integers(0, 2, size=300)
    np.savez(
        tmp_path / "imdb.npz", x_train=x[:150], y_train=labels[:150], x_test=x[150:], y_test=labels[150:]
    )
    expected = keras_load_data(tmp_path / "imdb.npz", monkeypatch, **arguments)
    assert_same_arrays(load_imdb(**arguments, data_dir=tmp_path), expected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"num_words": 0}, "`num_words` must be an integer >= 1 or None. Received: num_words=0"),
        ({"num_words": "10000"}, "Received: num_words='10000'"),
        ({"skip_top": -1}, "`skip_top` must be an integer >= 0. Received: skip_top=-1"),
        ({"maxlen": 0}, "`maxlen` must be an integer >= 1 or None. Received: maxlen=0"),
        ({"seed": -1}, "Received: seed=-1"),
        ({"index_from": True}, "Received: index_from=True"),
    ],
)
def test_bad_arguments(arguments, message, tmp_path):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_imdb(**arguments, data_dir=tmp_path)


@pytest.mark.requires_mirror
def test_truncated_npz_names_the_file(mirror_dir, tmp_path):
    (tmp_path / "imdb.npz").write_bytes((mirror_dir / "imdb.npz").read_bytes()[:1_000_000])
    with pytest.raises(DataFormatError, match=f"{tmp_path / 'imdb.npz'} is not a valid data file.*Delete it"):
        load_imdb(data_dir=tmp_path)


def test_npz_with_wrong_structure(tmp_path):
    x = np.empty(2, dtype=object)
    x[:] = [[1, 2], [3]]
    np.savez(tmp_path / "imdb.npz", x_train=x, y_train=np.array([0, 1]), x_test=x, y_test=np.array([0, 2]))
    with pytest.raises(DataFormatError, match="y_test must hold labels 0 and 1 only"):
        load_imdb(data_dir=tmp_path)
    np.savez(tmp_path / "imdb.npz", x_train=x, y_train=np.array([0, 1]))
    with pytest.raises(DataFormatError, match=r"lacks the array\(s\) \['x_test', 'y_test'\]"):
        load_imdb(data_dir=tmp_path)


class _Trap:
    """Unpickling this would create a folder: the loader must refuse it, not run it."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __reduce__(self):
        return os.mkdir, (self.folder,)


def test_npz_that_would_run_code_is_refused(tmp_path):
    trap = tmp_path / "trap-was-sprung"
    x = np.empty(1, dtype=object)
    x[0] = _Trap(str(trap))
    np.savez(tmp_path / "imdb.npz", x_train=x, y_train=np.array([0]), x_test=x, y_test=np.array([1]))
    with pytest.raises(DataFormatError, match="refusing to unpickle"):
        load_imdb(data_dir=tmp_path)
    assert not trap.exists()


def test_corrupt_word_index(tmp_path):
    (tmp_path / "imdb_word_index.json").write_text('{"the": 1, "and": ')
    with pytest.raises(
        DataFormatError, match="imdb_word_index.json is not a valid data file: it is not valid JSON"
    ):
        load_word_index(tmp_path)
    (tmp_path / "imdb_word_index.json").write_text('["the", "and"]')
    with pytest.raises(DataFormatError, match="not a JSON object of words to integers"):
        load_word_index(tmp_path)


def test_empty_data_dir_offline(tmp_path, offline):
    with pytest.raises(DataNotFoundError) as raised:
        load_imdb(data_dir=tmp_path)
    message = str(raised.value)
    assert "SEQLIB_DATA_DIR" in message and str(tmp_path / "imdb.npz") in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz" in message


def test_not_a_zip(tmp_path):
    (tmp_path / "imdb.npz").write_text("<html>Not Found</html>")
    with pytest.raises(DataFormatError, match="cannot be read as an .npz archive"):
        load_imdb(data_dir=tmp_path)


def test_pad_front_is_keras_pad_sequences_with_its_defaults():
    # Each row keeps a review's last words, zeros in front; the short, empty and long reviews too.
    import keras

    reviews = [[], [7], [1, 2, 3, 4, 5], list(range(1, 11)), list(range(1, 12)), list(range(3, 33))]
    expected = keras.utils.pad_sequences(reviews, maxlen=10)
    np.testing.assert_array_equal(imdb.pad_front(reviews, 10), expected)
    assert imdb.pad_front(reviews, 10).dtype == expected.dtype == np.int32
    np.testing.assert_array_equal(imdb.pad_front([[1, 2, 3]], 5), [[0, 0, 1, 2, 3]])  # read as arithmetic
