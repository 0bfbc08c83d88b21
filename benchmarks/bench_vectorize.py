"""Benchmark: reading and vectorizing the 50,000 labelled IMDB reviews, two ways.

Reads ``aclImdb_v1.tar.gz`` (`seqlib.review_texts.read_review_texts`), adapts chapter 6's
vectorizer on the 20,000 training texts, then turns all 50,000 reviews (train,
validation and test) into rows of 500 word ids

1. with ``keras.layers.TextVectorization`` in a ``tf.data`` pipeline
   (`seqlib.text_model.vectorize`, the book's way), and
2. with plain Python: `seqlib.review_texts.words` (the same standardisation with `re`),
   a dict lookup in the same vocabulary, and the same cut and padding,

checks that both give identical ids for every review, and times each. Needs the data
(``SEQLIB_DATA_DIR``, or a download).

Run:  python benchmarks/bench_vectorize.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from seqlib import registry, results, review_texts, text_model  # noqa: E402


def python_ids(texts: list[str], index: dict[str, int], length: int) -> np.ndarray:
    """Word ids by plain Python: `review_texts.words`, a dict lookup, cut and zero-padded."""
    ids = np.zeros((len(texts), length), dtype="int32")
    for row, text in enumerate(texts):
        found = [index.get(word.token, 1) for word in review_texts.words(text)[:length]]
        ids[row, :len(found)] = found
    return ids


def seconds(work, repeats: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``work()`` over ``repeats`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    entry = registry.get_model("text_ngram_convnet")
    max_tokens, length = entry.vocabulary, entry.length

    read_s, texts = seconds(review_texts.read_review_texts, 1)
    split = review_texts.split_texts(texts)
    vectorizer = text_model.make_vectorizer(max_tokens, length)
    adapt_s, _ = seconds(lambda: text_model.adapt_vectorizer(vectorizer, split.train_texts), 1)
    index = {word: i for i, word in enumerate(vectorizer.get_vocabulary())}
    all_texts = split.train_texts + split.val_texts + split.test_texts

    keras_s, reviews = seconds(lambda: text_model.vectorize(vectorizer, split), args.repeats)
    keras_ids = np.concatenate([reviews.x_train, reviews.x_val, reviews.x_test])
    python_s, plain_ids = seconds(lambda: python_ids(all_texts, index, length), args.repeats)
    same = int(np.sum(np.all(keras_ids == plain_ids, axis=1)))

    print(f"machine: {results.describe_environment()}; load average (1 min) {os.getloadavg()[0]:.1f}")
    print(f"data: {len(all_texts):,} reviews from {texts.source.name}; vocabulary {len(index):,} "
          f"ids (max_tokens {max_tokens:,}), first {length} words of each review")
    print(f"read the archive: {read_s:.1f} s   adapt on {len(split.train_texts):,} training texts: {adapt_s:.1f} s")
    print(f"identical ids: {same:,} of {len(all_texts):,} reviews")
    print()
    print(f"Vectorizing all {len(all_texts):,} reviews (median of {args.repeats} runs):")
    print(f"{'method':44s}{'seconds':>9s}{'reviews/s':>12s}{'slower':>9s}")
    for name, value in (("TextVectorization in tf.data (seqlib)", keras_s),
                        ("plain Python (re + dict)", python_s)):
        print(f"{name:44s}{value:9.2f}{len(all_texts) / value:12,.0f}{value / keras_s:8.1f}x")
    print(f"plain Python / TextVectorization: {python_s / keras_s:.1f}x")


if __name__ == "__main__":
    main()
