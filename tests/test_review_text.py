"""Tests of the raw-text chapter's code: reading the archive, the vectorizer, the saved model, the reader."""

import io
import math
import os
import tarfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqlib import imdb, models, recipe, registry, review_explorer, review_reading, review_texts, text_model
from seqlib.fetch import DataFormatError

pytestmark = pytest.mark.slow  # trains models: `make test` runs it, `make check` does not

TRICKY = [
    "Don't <BR />miss it<br/>really-great... (10/10)",
    "  - a lone dash, tabs\tand\vvertical tabs\x0bhere ",
    "İstanbul ÉCOLE naïve café</br>end",
    "non\u00a0breaking\u2003spaces stay inside one word",
    "电影很好看 очень хороший фильм",
    "<br /><br />",
    "a wonder\x85 then\x96dash and\u2028line",
]


def _tokens_by_tensorflow(text: str) -> list[str]:
    standardised = text_model.standardize_review(tf.constant([text]))
    return [token.decode("utf-8") for token in tf.strings.split(standardised).to_list()[0]]


@pytest.mark.parametrize("text", TRICKY)
def test_the_python_words_are_the_vectorizers_tokens(text):
    assert [word.token for word in review_texts.words(text)] == _tokens_by_tensorflow(text)


def test_words_keep_their_place_in_the_text():
    text = "Great<br />film, DON'T miss"
    found = review_texts.words(text)
    assert [w.token for w in found] == ["great", "film", "dont", "miss"]
    assert [text[w.start:w.end] for w in found] == ["Great", "film,", "DON'T", "miss"]


def test_words_refuse_a_non_string():
    with pytest.raises(TypeError, match="A review must be a string .* Received: int 42"):
        review_texts.words(42)


def _archive(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(("files", "message"), [
    ({"aclImdb/train/pos/0_9.txt": "good"}, r"aclImdb/train/pos/ holds 1 reviews; expected 12,500"),
    ({"aclImdb/train/pos/0_3.txt": "good"}, r"aclImdb/train/pos/0_3.txt has rating 3, not a pos rating"),
])
def test_an_archive_without_the_datasets_structure_is_refused(tmp_path, files, message):
    _archive(tmp_path / review_texts.ARCHIVE, files)
    with pytest.raises(DataFormatError, match=message) as raised:
        review_texts.read_review_texts(tmp_path)
    assert "Delete it so that it is downloaded again" in str(raised.value)


def test_a_truncated_archive_is_refused(tmp_path):
    whole = _archive(tmp_path / "whole.tar.gz", {f"aclImdb/test/neg/{i}_1.txt": os.urandom(2000).hex() for i in range(5)})
    (tmp_path / review_texts.ARCHIVE).write_bytes(whole.read_bytes()[:2000])
    with pytest.raises(DataFormatError, match="cannot be read as a .tar.gz archive"):
        review_texts.read_review_texts(tmp_path)


@pytest.mark.skipif(not os.environ.get("SEQLIB_DATA_DIR"), reason="needs the data mirror (SEQLIB_DATA_DIR)")
def test_the_real_archive_reads_as_the_dataset():
    texts = review_texts.read_review_texts()
    assert len(texts.train_texts) == len(texts.test_texts) == 25_000
    assert texts.train_labels.sum() == texts.test_labels.sum() == 12_500
    assert texts.train_texts[0].startswith("Bromwell High is a cartoon comedy")  # train/pos/0_9
    assert texts.test_texts[12_500].startswith("Once again Mr. Costner has dragged out a movie")  # test/neg/0_2
    split = review_texts.split_texts(texts)
    assert (len(split.train_texts), len(split.val_texts)) == (20_000, 5_000)
    assert set(split.val_texts).isdisjoint(split.test_texts[:100])
    assert split.test_texts is texts.test_texts


def test_the_validation_split_comes_from_training_only_and_is_fixed():
    texts = review_texts.ReviewTexts([f"train {i}" for i in range(10)], np.arange(10) % 2,
                                     ["test"], np.array([1]), "memory")
    first, again = review_texts.split_texts(texts, 3), review_texts.split_texts(texts, 3)
    assert first.val_texts == again.val_texts and len(first.train_texts) == 7
    assert sorted(first.train_texts + first.val_texts) == sorted(texts.train_texts)
    with pytest.raises(ValueError, match="`validation` must be an integer between 1 and 9"):
        review_texts.split_texts(texts, 10)


POSITIVE = ["a wonderful film, great acting", "great story and wonderful music", "loved it, great fun"]
NEGATIVE = ["an awful film, boring acting", "boring story and awful music", "hated it, awful mess"]


@pytest.fixture(scope="module")
def trained():
    texts = (POSITIVE + NEGATIVE) * 8
    labels = np.array(([1] * 3 + [0] * 3) * 8)
    split = review_texts.TextSplit(texts, labels, texts[:12], labels[:12], texts[:12], labels[:12])
    vectorizer, reviews = text_model.vectorized(split, 40, 12)
    assert reviews.x_train.shape == (48, 12) and reviews.words_kept == "first"
    build = lambda num_words, maxlen: models.build_ngram_convnet(  # noqa: E731
        num_words=40, maxlen=maxlen, embedding_dim=8, filters=6, kernel_size=2)
    from synthetic import TINY

    run = recipe.train_classifier("text_ngram_convnet", reviews, 0, TINY, build=build, time_step=False,
                                  max_epochs=3, patience=None)
    assert run.record["dataset"]["key"] == "imdb_text"
    assert run.record["window"].startswith("the first 12 words")
    return vectorizer, run.model


def test_the_saved_end_to_end_model_reloads_with_the_same_scores(trained, tmp_path):
    vectorizer, classifier = trained
    model = text_model.end_to_end(vectorizer, classifier)
    reviews = POSITIVE + NEGATIVE + ["", "完全 unknown"]
    before = text_model.score_texts(model, reviews)
    ids = np.asarray(vectorizer(reviews))
    np.testing.assert_allclose(before, classifier.predict(ids, verbose=0)[:, 0], rtol=1e-6)
    path = tmp_path / "reviews.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(text_model.score_texts(reloaded, reviews), before)


def test_the_reader_splits_the_logit_into_the_filters_terms(trained):
    reader = review_reading.ReviewReader(*trained)
    reading = reader.read("A wonderful film, great acting!")
    assert math.isclose(1 / (1 + math.exp(-reading.logit)), reading.score, rel_tol=1e-4)
    assert len(reading.filters) == 6 and reading.kernel_size == 2
    contributions = [abs(r.contribution) for r in reading.filters]
    assert contributions == sorted(contributions, reverse=True)
    for r in reading.filters:
        expected = ["a", "wonderful", "film", "great", "acting"] + [review_reading.PADDING] * 7
        assert list(r.window) == expected[r.position:r.position + 2]
    assert reader.token_ids("A wonderful film") == list(np.asarray(reader.vectorizer(["A wonderful film"]))[0, :3])
    shown = reading.to_html(top=3)
    assert "Score" in shown and "wonderful" in shown and "<table>" in shown


@pytest.mark.parametrize(("text", "error", "message"), [
    ("", ValueError, "The review has no words to read"),
    ("   \n\t <br /> ... ", ValueError, "The review has no words to read"),
    (None, TypeError, "A review must be a string"),
    (["great"], TypeError, "A review must be a string"),
])
def test_a_review_without_words_gives_a_message_not_a_traceback(trained, text, error, message):
    reader = review_reading.ReviewReader(*trained)
    with pytest.raises(error, match=message):
        reader.read(text)
    shown = review_explorer.reading_html(reader, text)
    assert message in shown and "Traceback" not in shown


def test_a_long_or_foreign_review_gets_a_score_and_says_what_was_read(trained):
    reader = review_reading.ReviewReader(*trained)
    long = reader.read("great " * 30)
    assert long.read == 12 and len(long.words) == 30
    assert "read the first 12 of the review's 30 words" in " ".join(long.notes())
    foreign = reader.read("电影很好看 очень хороший фильм")
    assert 0 <= foreign.score <= 1 and foreign.unknown == foreign.read == 4
    assert "outside the vocabulary" in " ".join(foreign.notes())


def test_the_reader_refuses_a_model_it_cannot_read(trained):
    vectorizer, _ = trained
    with pytest.raises(ValueError, match="ReviewReader needs a model with one Conv1D"):
        review_reading.ReviewReader(vectorizer, models.build_imdb_convnet(num_words=40, maxlen=100))


def test_top_ngrams_gives_each_filters_strongest_windows_once(trained):
    reader = review_reading.ReviewReader(*trained)
    ids = np.asarray(reader.vectorizer(POSITIVE + NEGATIVE))
    found = reader.top_ngrams(ids, [0, 1], count=3)
    for ngrams in found.values():
        assert len({ngram for ngram, _ in ngrams}) == len(ngrams) <= 3
        activations = [activation for _, activation in ngrams]
        assert activations == sorted(activations, reverse=True)


def test_the_debouncer_calls_once_after_a_burst():
    import asyncio

    calls = []
    debounced = review_explorer.Debouncer(lambda: calls.append(1), delay=0.05)
    debounced()  # no running loop: at once
    assert calls == [1]

    async def burst():
        for _ in range(5):
            debounced()
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)

    asyncio.run(burst())
    assert calls == [1, 1]


def test_the_static_selector_links_its_slider_to_the_pages(trained):
    import ipywidgets as widgets

    reader = review_reading.ReviewReader(*trained)
    readings = {"first": reader.read(POSITIVE[0]), "second": reader.read(NEGATIVE[0] + "<br />x")}
    selector = review_explorer.make_review_selector(readings)
    choose, pages = selector.children
    assert isinstance(pages, widgets.Stack) and len(pages.children) == 2
    assert choose.options == ("first", "second")
    shown = [page.outputs[0]["data"]["text/html"] for page in pages.children]
    assert "<h4>first</h4>" in shown[0] and "wonderful" in shown[0] and "<br>" in shown[1]
    links = [state["state"] for state in widgets.Widget.get_manager_state()["state"].values()
             if state["model_name"] == "LinkModel"]
    linked = {(tuple(link["source"]), tuple(link["target"])) for link in links}
    assert ((f"IPY_MODEL_{choose.model_id}", "index"), (f"IPY_MODEL_{pages.model_id}", "selected_index")) in linked
    with pytest.raises(ValueError, match="at least one reading"):
        review_explorer.make_review_selector({})


def test_a_recurrent_model_gets_its_padding_in_front():
    ids = np.array([[5, 6, 7, 0, 0], [8, 0, 0, 0, 0], [1, 2, 3, 4, 5]])
    reviews = imdb.Reviews(ids, np.zeros(3), ids[:1], np.zeros(1), ids[1:], np.zeros(2),
                           dataset="imdb_text", words_kept="first")
    recurrent = [key for key, entry in registry.MODELS.items()
                 if entry.inputs == registry.TEXT and "LSTM" in entry.title]
    assert recurrent and all(registry.get_model(key).padding == "front" for key in recurrent)
    assert registry.get_model("text_ngram_convnet").padding == "end"
    moved = text_model.padded(reviews, "front")
    np.testing.assert_array_equal(moved.x_train, [[0, 0, 5, 6, 7], [0, 0, 0, 0, 8], [1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(moved.x_test, [[0, 0, 0, 0, 8], [1, 2, 3, 4, 5]])
    assert text_model.padded(reviews, "end") is reviews
    with pytest.raises(ValueError, match="`side` must be 'front' or 'end'. Received: side='left'"):
        text_model.padded(reviews, "left")


def test_a_bag_holds_each_distinct_token_once_in_order():
    ids = np.array([[5, 3, 5, 0, 0], [8, 8, 8, 8, 0], [1, 2, 3, 4, 2]])
    reviews = imdb.Reviews(ids, np.zeros(3), ids[:1], np.zeros(1), ids[1:], np.zeros(2),
                           dataset="imdb_text", words_kept="first")
    bagged = text_model.bags(reviews)
    np.testing.assert_array_equal(bagged.x_train, [[3, 5, 0, 0], [8, 0, 0, 0], [1, 2, 3, 4]])
    np.testing.assert_array_equal(bagged.x_val, [[3, 5, 0, 0]])  # padded to the longest bag of all
