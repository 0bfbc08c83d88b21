"""Raw review text into Keras: the vectorizer, string pipelines, and a model that reads strings.

`make_vectorizer` returns a ``keras.layers.TextVectorization`` whose standardisation,
`standardize_review`, lowercases (Unicode), reads the reviews' ``<br />`` (and control
characters) as a space, and deletes ASCII punctuation before splitting on whitespace; `seqlib.review_texts.words`
does the same in plain Python. `adapt_vectorizer` fits its vocabulary on the training
texts only; `vectorize` turns a `review_texts.TextSplit` into the padded word ids that
`seqlib.recipe.train_classifier` trains on, with the padding where the model's registry
entry wants it (`padded`); `end_to_end` puts the vectorizer in front of
a trained classifier, so that the saved model takes raw strings.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from seqlib.checks import check_int
from seqlib import imdb, review_texts

__all__ = [
    "standardize_review",
    "make_vectorizer",
    "string_dataset",
    "adapt_vectorizer",
    "vectorize",
    "vectorized",
    "padded",
    "bags",
    "end_to_end",
    "score_texts",
]

_BATCH = 1024  # reviews per vectorizer call while adapting and vectorizing


@keras.saving.register_keras_serializable(package="seqlib")
def standardize_review(texts: tf.Tensor) -> tf.Tensor:
    """Lowercase, read ``<br />`` and `review_texts.SEPARATORS` as spaces, delete ASCII punctuation."""
    texts = tf.strings.lower(texts, encoding="utf-8")
    texts = tf.strings.regex_replace(texts, review_texts.LINE_BREAK, " ")
    texts = tf.strings.regex_replace(texts, review_texts.SEPARATORS, " ")
    return tf.strings.regex_replace(texts, review_texts.PUNCTUATION, "")


def make_vectorizer(max_tokens: int, sequence_length: int, ngrams: int = 1) -> keras.layers.TextVectorization:
    """A vectorizer of at most ``max_tokens`` ids (0 pads, 1 is out of vocabulary).

    It keeps the *first* ``sequence_length`` tokens of a review and pads shorter ones with
    zeros at the end (chapter 1's `pad_sequences` kept the last words, padding in front).
    With ``ngrams=2`` the tokens are the review's words, then its pairs of adjacent words.

    Raises:
        ValueError: if a size is not an integer >= 3 (for max_tokens) or >= 1.
    """
    for name, value, minimum in (("max_tokens", max_tokens, 3), ("sequence_length", sequence_length, 1),
                                 ("ngrams", ngrams, 1)):
        check_int(name, value, minimum=minimum)
    return keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize=standardize_review, split="whitespace",
        ngrams=ngrams if ngrams > 1 else None, output_mode="int", output_sequence_length=sequence_length,
        name="vectorizer")


def string_dataset(texts: list[str], labels: np.ndarray | None = None) -> tf.data.Dataset:
    """Reviews (and labels) as a ``tf.data`` pipeline of strings, in batches of 1,024."""
    items = tf.constant(texts, dtype=tf.string)
    slices = items if labels is None else (items, np.asarray(labels, dtype="float32"))
    return tf.data.Dataset.from_tensor_slices(slices).batch(_BATCH)


def adapt_vectorizer(vectorizer: keras.layers.TextVectorization, train_texts: list[str]) -> None:
    """Fit the vocabulary on the training texts (the most frequent words first)."""
    vectorizer.adapt(string_dataset(train_texts))


def vectorize(vectorizer: keras.layers.TextVectorization, split: review_texts.TextSplit) -> imdb.Reviews:
    """The split's texts as padded word ids, ready for `recipe.train_classifier`."""

    def ids(texts: list[str]) -> np.ndarray:
        batches = string_dataset(texts).map(vectorizer, num_parallel_calls=tf.data.AUTOTUNE)
        return np.concatenate(list(batches.as_numpy_iterator())).astype("int32")

    return imdb.Reviews(
        ids(split.train_texts), split.train_labels, ids(split.val_texts), split.val_labels,
        ids(split.test_texts), split.test_labels, dataset="imdb_text", words_kept="first")


def vectorized(split: review_texts.TextSplit, max_tokens: int, sequence_length: int,
               ngrams: int = 1) -> tuple[keras.layers.TextVectorization, imdb.Reviews]:
    """A vectorizer adapted on the split's training texts, and the split as its token ids."""
    vectorizer = make_vectorizer(max_tokens, sequence_length, ngrams)
    adapt_vectorizer(vectorizer, split.train_texts)
    return vectorizer, vectorize(vectorizer, split)


def padded(reviews: imdb.Reviews, side: str) -> imdb.Reviews:
    """The reviews with their padding at the ``side`` a model's registry entry names.

    The vectorizer pads at the ``"end"``. A recurrent layer then reads hundreds of padding
    steps after a short review, and its last state has forgotten the review; with the
    padding at the ``"front"``, as chapter 1's padding puts it, the review comes last. A
    convnet read by global max pooling does not care where the padding is.

    Raises:
        ValueError: if ``side`` is neither ``"front"`` nor ``"end"``.
    """
    if side not in ("front", "end"):
        raise ValueError(f"`side` must be 'front' or 'end'. Received: side={side!r}")
    if side == "end":
        return reviews

    def to_front(ids: np.ndarray) -> np.ndarray:
        moved = np.zeros_like(ids)
        lengths = (ids > 0).sum(axis=1)
        for row, length in enumerate(lengths):
            moved[row, ids.shape[1] - length:] = ids[row, :length]
        return moved

    return dataclasses.replace(reviews, x_train=to_front(reviews.x_train), x_val=to_front(reviews.x_val),
                               x_test=to_front(reviews.x_test))


def bags(reviews: imdb.Reviews) -> imdb.Reviews:
    """Each review's distinct token ids, once each, in increasing order: its bag.

    The bags are padded with zeros at the end to the longest bag of the three splits.
    Introduced in chapter 6, for `seqlib.models.build_bag_of_ngrams`.
    """
    splits = ("x_train", "x_val", "x_test")
    distinct = {name: [np.unique(row[row > 0]) for row in getattr(reviews, name)] for name in splits}
    width = max(len(bag) for rows in distinct.values() for bag in rows)

    def packed(rows: list[np.ndarray]) -> np.ndarray:
        array = np.zeros((len(rows), width), dtype=reviews.x_train.dtype)
        for index, bag in enumerate(rows):
            array[index, :len(bag)] = bag
        return array

    return dataclasses.replace(reviews, **{name: packed(rows) for name, rows in distinct.items()})


def end_to_end(vectorizer: keras.layers.TextVectorization, classifier: keras.Model,
               name: str = "review_classifier") -> keras.Model:
    """A model that takes a batch of raw review strings and returns positive probabilities."""
    texts = keras.Input(shape=(1,), dtype="string", name="review")
    outputs = classifier(vectorizer(texts))
    return keras.Model(texts, outputs, name=name)


def score_texts(model: keras.Model, texts: list[str], batch_size: int = 512) -> np.ndarray:
    """An `end_to_end` model's positive probability for each review, as a 1-D array."""
    batches = tf.data.Dataset.from_tensor_slices(tf.constant(texts, dtype=tf.string)[:, None]).batch(batch_size)
    return model.predict(batches, verbose=0)[:, 0]
