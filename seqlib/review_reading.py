"""What an n-gram convnet looks at in a review: each filter's winning window and its share.

The n-gram convnet (`seqlib.models.build_ngram_convnet`) has one ``Conv1D`` layer read by
``GlobalMaxPooling1D`` into ``Dense(1)``. So the score's logit is *exactly*

    bias + sum over filters f of  weight[f] * max over positions p of activation[f, p]

and each filter's term comes from one window of ``kernel_size`` consecutive words: the
position its max pooling picked. `ReviewReader.read` returns those terms
(`FilterReading`) for one review, and `ReviewReading.to_html` highlights the windows of
the filters that matter most in the text as written (green pushes towards positive, red
towards negative). What it cannot show: everything but each filter's single winning
window (the same filter may fire almost as strongly elsewhere), and how the words of a
window combine inside the filter.
"""

from __future__ import annotations

import dataclasses
import html
import re

import keras
import numpy as np

from seqlib import review_texts

__all__ = ["FilterReading", "ReviewReading", "ReviewReader", "PADDING"]

PADDING = "·"
"""How a padding position (after the end of a short review) is shown in a window."""


@dataclasses.dataclass(frozen=True)
class FilterReading:
    """One filter's part in a review's score.

    Attributes:
        filter: the filter's index in the ``Conv1D`` layer.
        position: the first word of the window its max pooling picked.
        activation: its maximum (ReLU) activation over the review.
        weight: its weight into the output unit.
        window: the window's words (`PADDING` past the end of the review).
    """

    filter: int
    position: int
    activation: float
    weight: float
    window: tuple[str, ...]

    @property
    def contribution(self) -> float:
        """``weight * activation``: what this filter adds to the logit."""
        return self.weight * self.activation


@dataclasses.dataclass(frozen=True)
class ReviewReading:
    """A review as the n-gram convnet read it.

    Attributes:
        text: the review as written.
        score: the model's probability that the review is positive.
        bias: the output unit's bias (the logit is bias + the filters' contributions).
        words: the words of the text (`review_texts.words`), read or not.
        read: how many of them the model read (at most the sequence length).
        unknown: how many of the words read are outside the vocabulary.
        filters: every filter's reading, the largest absolute contribution first.
        kernel_size: words per window.
    """

    text: str
    score: float
    bias: float
    words: list[review_texts.Word]
    read: int
    unknown: int
    filters: list[FilterReading]
    kernel_size: int

    @property
    def logit(self) -> float:
        """The score before the sigmoid, rebuilt from the bias and the contributions."""
        return self.bias + sum(reading.contribution for reading in self.filters)

    @property
    def label(self) -> str:
        """``"positive"`` if the score is above 0.5, else ``"negative"``."""
        return "positive" if self.score > 0.5 else "negative"

    def notes(self) -> list[str]:
        """What a reader should know about this reading: cut words, unknown words."""
        notes = []
        if self.read < len(self.words):
            notes.append(f"The model read the first {self.read:,} of the review's {len(self.words):,} "
                         "words; the rest (grey) does not count.")
        if self.unknown:
            verb = "is" if self.unknown == 1 else "are"
            notes.append(f"{self.unknown:,} of the {self.read:,} words read {verb} outside the "
                         "vocabulary: the model sees them all as one unknown word.")
        return notes

    def word_weights(self, top: int) -> np.ndarray:
        """Per word read, the summed contributions of the ``top`` filters whose window covers it."""
        weights = np.zeros(self.read)
        for reading in self.filters[:top]:
            weights[reading.position:reading.position + self.kernel_size] += reading.contribution
        return weights

    def to_html(self, top: int = 8) -> str:
        """The review with the windows of its ``top`` filters highlighted, and a table of them."""
        weights = self.word_weights(top)
        scale = max(float(np.abs(weights).max(initial=0.0)), 1e-9)
        parts, cursor = [], 0
        for index, word in enumerate(self.words):
            parts.append(_gap_html(self.text[cursor:word.start]))
            written = html.escape(self.text[word.start:word.end])
            if index >= self.read:
                parts.append(f'<span style="color:#999">{written}</span>')
            elif weights[index]:
                parts.append(_highlight(written, weights[index], scale))
            else:
                parts.append(written)
            cursor = word.end
        parts.append(_gap_html(self.text[cursor:]))
        rows = "".join(
            f"<tr><td>{r.filter}</td><td>{html.escape(' '.join(r.window))}</td>"
            f"<td>{r.activation:.2f}</td><td>{r.weight:+.2f}</td><td>{r.contribution:+.2f}</td></tr>"
            for r in self.filters[:top])
        notes = "".join(f"<p><em>{html.escape(note)}</em></p>" for note in self.notes())
        return (
            f'<div class="review-reading"><p><strong>Score {self.score:.3f}: {self.label}</strong> '
            f"(logit {self.logit:+.2f} = bias {self.bias:+.2f} + the {len(self.filters)} filters' "
            f"contributions; the {min(top, len(self.filters))} below add "
            f"{sum(r.contribution for r in self.filters[:top]):+.2f})</p>{notes}"
            f'<div style="line-height:1.7;border-left:3px solid #ccc;padding-left:0.6em">{"".join(parts)}</div>'
            f"<table><thead><tr><th>filter</th><th>window it picked</th><th>activation</th>"
            f"<th>weight</th><th>contribution</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _gap_html(gap: str) -> str:
    """The text between two words: line breaks kept, control characters as spaces."""
    pieces = re.split(review_texts.LINE_BREAK, re.sub(review_texts.SEPARATORS, " ", gap), flags=re.IGNORECASE)
    return "<br>".join(html.escape(piece) for piece in pieces)


def _highlight(written: str, weight: float, scale: float) -> str:
    alpha = 0.15 + 0.65 * min(abs(weight) / scale, 1.0)
    colour = f"rgba(0,150,60,{alpha:.2f})" if weight > 0 else f"rgba(210,40,40,{alpha:.2f})"
    return f'<span style="background:{colour}" title="{weight:+.2f}">{written}</span>'


class ReviewReader:
    """Reads reviews with a vectorizer and an n-gram convnet, filter by filter.

    Args:
        vectorizer: the adapted ``TextVectorization`` the classifier was trained with.
        classifier: a model whose only ``Conv1D`` feeds ``GlobalMaxPooling1D``, whose
            result (through dropout at most) feeds the last layer, ``Dense(1)`` with a
            sigmoid.

    Raises:
        ValueError: if the classifier does not have that shape.
    """

    def __init__(self, vectorizer: keras.layers.TextVectorization, classifier: keras.Model) -> None:
        convolutions = [layer for layer in classifier.layers if isinstance(layer, keras.layers.Conv1D)]
        output = classifier.layers[-1]
        if (len(convolutions) != 1 or convolutions[0].padding != "valid" or convolutions[0].strides != (1,)
                or not any(isinstance(layer, keras.layers.GlobalMaxPooling1D) for layer in classifier.layers)
                or not isinstance(output, keras.layers.Dense) or output.units != 1):
            raise ValueError(
                f"ReviewReader needs a model with one Conv1D (valid padding, stride 1) read by "
                f"GlobalMaxPooling1D into Dense(1), such as `models.build_ngram_convnet`; "
                f"{classifier.name!r} is not one.")
        self.vectorizer = vectorizer
        self.vocabulary = vectorizer.get_vocabulary()
        self._index = {word: index for index, word in enumerate(self.vocabulary)}
        self.sequence_length = int(classifier.input_shape[1])
        self.kernel_size = int(convolutions[0].kernel_size[0])
        self._activations = keras.Model(classifier.input, convolutions[0].output)
        self._classifier = classifier
        kernel, bias = output.get_weights()
        self.weights, self.bias = kernel[:, 0].astype("float64"), float(bias[0])

    def token_ids(self, text: str) -> list[int]:
        """The ids the vectorizer gives the words of ``text``, computed in Python (not cut)."""
        return [self._index.get(word.token, 1) for word in review_texts.words(text)]

    def read(self, text: str) -> ReviewReading:
        """Score one review and say which window of it each filter picked.

        Raises:
            TypeError: if ``text`` is not a string.
            ValueError: if it holds no word (empty, or only spaces and punctuation).
        """
        found = review_texts.words(text)
        if not found:
            raise ValueError("The review has no words to read (it is empty, or only spaces, line breaks "
                             "and punctuation). Type a review.")
        ids = np.asarray(self.vectorizer([text]))[:1]
        read = min(len(found), self.sequence_length)
        activations = np.asarray(self._activations(ids, training=False))[0]
        score = float(np.asarray(self._classifier(ids, training=False))[0, 0])
        positions, maxima = activations.argmax(axis=0), activations.max(axis=0)
        vocabulary_words = [self.vocabulary[i] if i else PADDING for i in ids[0]]
        readings = sorted(
            (FilterReading(f, int(positions[f]), float(maxima[f]), float(self.weights[f]),
                           tuple(vocabulary_words[positions[f]:positions[f] + self.kernel_size]))
             for f in range(len(self.weights))),
            key=lambda r: -abs(r.contribution))
        unknown = int(np.sum(ids[0, :read] == 1))
        return ReviewReading(text, score, self.bias, found, read, unknown, readings, self.kernel_size)

    def strongest_windows(self, ids: np.ndarray, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
        """Each filter's maximum activation and its position, for every row of word ids.

        Returns:
            ``(maxima, positions)``, both of shape (reviews, filters).
        """
        maxima, positions = [], []
        for start in range(0, len(ids), batch_size):
            activations = np.asarray(self._activations(ids[start:start + batch_size], training=False))
            maxima.append(activations.max(axis=1))
            positions.append(activations.argmax(axis=1))
        return np.concatenate(maxima), np.concatenate(positions)

    def top_ngrams(self, ids: np.ndarray, filters: list[int], count: int = 6) -> dict[int, list[tuple[str, float]]]:
        """The windows that excite each filter most over many reviews, each n-gram once.

        Args:
            ids: word ids of the reviews (as the vectorizer gives them).
            filters: the filters to report.
            count: n-grams per filter.

        Returns:
            filter -> ``[(n-gram, its highest activation), ...]``, strongest first.
        """
        maxima, positions = self.strongest_windows(ids)
        found: dict[int, list[tuple[str, float]]] = {}
        for f in filters:
            seen: dict[str, float] = {}
            for review in np.argsort(-maxima[:, f]):
                start = positions[review, f]
                window = ids[review, start:start + self.kernel_size]
                ngram = " ".join(self.vocabulary[i] if i else PADDING for i in window)
                seen.setdefault(ngram, float(maxima[review, f]))
                if len(seen) == count:
                    break
            found[f] = list(seen.items())
        return found
