"""A 1D convolution worked by hand, and what convolutions and recurrences cost.

Chapter 1 shows the idea of a ``Conv1D`` layer before it builds one: a six-word
sentence, each word a 2-dimensional vector from a small readable table, one kernel of
width 3 that slides along it, a ReLU, then pooling over time. Every number comes from
the functions here, so the chapter's table and figure always agree with each other
(and the tests check them against Keras's own layers).

The second half is cost arithmetic: multiply-adds per example of a ``Conv1D``, a
``Conv2D`` and a recurrent layer, and of the book's two IMDB classifiers, which
explains why the convnet is not much faster than the LSTM on a CPU.

Light: NumPy and matplotlib only (no TensorFlow, no Keras, no widgets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from seqlib.checks import check_int
from seqlib.receptive_field import imdb_convnet_stages, sequence_lengths

__all__ = [
    "EMBEDDINGS",
    "EMBEDDING_AXES",
    "SENTENCE",
    "MOVED_SENTENCE",
    "KERNEL",
    "BIAS",
    "GATES",
    "embed_words",
    "multiply_windows",
    "slide_kernel",
    "max_pool",
    "global_max",
    "WorkedConvolution",
    "make_worked_convolution",
    "move_phrase",
    "describe_pooling",
    "plot_worked_convolution",
    "conv1d_multiply_adds",
    "conv2d_multiply_adds",
    "recurrent_multiply_adds",
    "imdb_multiply_adds",
    "describe_imdb_costs",
    "compare_window_costs",
]

EMBEDDING_AXES = ("praise", "negation")
"""What the two dimensions of the toy embedding stand for (a real embedding is learned)."""

EMBEDDINGS: dict[str, tuple[float, float]] = {
    "the": (0.1, 0.0),
    "film": (0.2, 0.1),
    "was": (0.0, 0.2),
    "not": (-0.4, 0.9),
    "very": (0.3, 0.4),
    "good": (0.9, -0.1),
}
"""A toy embedding table: one 2-dimensional vector per word, as (praise, negation)."""

SENTENCE = ("the", "film", "was", "not", "very", "good")
"""The worked example's sentence: six words, so a width-3 kernel has four windows."""

MOVED_SENTENCE = ("not", "very", "good", "was", "the", "film")
"""The same words with the phrase "not very good" moved to the front."""

KERNEL = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, -0.5]])
"""One filter of width 3 over 2 channels, shape (3, 2): negation, then anything, then praise."""

BIAS = -0.5
"""The filter's bias: a window must add up to more than 0.5 before the ReLU lets it through."""

GATES: dict[str, int] = {"lstm": 4, "gru": 3}
"""Matrix products per time step of a recurrent cell: LSTM input/forget/cell/output, GRU 3."""


def embed_words(
    words: Sequence[str], table: Mapping[str, Sequence[float]] = EMBEDDINGS
) -> np.ndarray:
    """Look each word up in an embedding table. Introduced in chapter 1.

    Args:
        words: the sentence, one string per word.
        table: word -> vector; every vector has the same length.

    Returns:
        An array of shape ``(len(words), dimensions)``, one row per word.

    Raises:
        ValueError: if a word is not in the table, or the sentence is empty.
    """
    if len(words) == 0:
        raise ValueError(f"`words` must hold at least one word. Received: words={words!r}")
    missing = [word for word in words if word not in table]
    if missing:
        raise ValueError(
            f"Every word must be in the embedding table ({sorted(table)}). "
            f"Received: {missing[0]!r} in words={list(words)!r}"
        )
    return np.array([table[word] for word in words], dtype=float)


def _check_kernel(vectors: np.ndarray, kernel: np.ndarray) -> None:
    if vectors.ndim != 2:
        raise ValueError(
            "`vectors` must have shape (words, dimensions). "
            f"Received: vectors with shape {vectors.shape}"
        )
    if kernel.ndim != 2:
        raise ValueError(
            "`kernel` must have shape (width, dimensions), like KERNEL's (3, 2). "
            f"Received: kernel with shape {kernel.shape}"
        )
    if kernel.shape[1] != vectors.shape[1]:
        raise ValueError(
            f"`kernel` must have one column per vector dimension ({vectors.shape[1]}). "
            f"Received: kernel with shape {kernel.shape}"
        )
    if not 1 <= kernel.shape[0] <= vectors.shape[0]:
        raise ValueError(
            f"`kernel` must be at most as wide as the sentence ({vectors.shape[0]} words). "
            f"Received: kernel with shape {kernel.shape} (width {kernel.shape[0]})"
        )


def multiply_windows(vectors: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Each window's word vectors times the kernel's rows, one dot product per tap.

    Introduced in chapter 1. Window ``i`` covers words ``i, ..., i + width - 1``
    (valid padding: no window hangs over the sentence's ends).

    Args:
        vectors: shape ``(words, dimensions)``.
        kernel: shape ``(width, dimensions)``.

    Returns:
        Shape ``(words - width + 1, width)``: entry ``[i, j]`` is
        ``vectors[i + j] @ kernel[j]``.

    Raises:
        ValueError: if the shapes do not fit (the kernel is wider than the sentence, or
            its rows are not as long as the word vectors).
    """
    vectors, kernel = np.asarray(vectors, dtype=float), np.asarray(kernel, dtype=float)
    _check_kernel(vectors, kernel)
    width = kernel.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(vectors, width, axis=0)
    # windows: (positions, dimensions, width) -> one product per position and tap
    return np.einsum("pdw,wd->pw", windows, kernel)


def slide_kernel(
    vectors: np.ndarray,
    kernel: np.ndarray,
    bias: float = 0.0,
    activation: str | None = "relu",
) -> np.ndarray:
    """Slide one kernel along a sequence: window sums plus the bias, then ReLU.

    Introduced in chapter 1. This is ``Conv1D(1, width, activation="relu")`` with
    valid padding, written out for one example and one filter.

    Args:
        vectors: shape ``(words, dimensions)``.
        kernel: shape ``(width, dimensions)``.
        bias: added to every window's sum.
        activation: ``"relu"`` or ``None`` (the sums before the ReLU).

    Returns:
        One value per window, shape ``(words - width + 1,)``.

    Raises:
        ValueError: if the shapes do not fit, or the activation is unknown.
    """
    if activation not in ("relu", None):
        raise ValueError(
            f'`activation` must be "relu" or None. Received: activation={activation!r}'
        )
    sums = multiply_windows(vectors, kernel).sum(axis=1) + bias
    return np.maximum(sums, 0.0) if activation == "relu" else sums


def max_pool(values: np.ndarray, size: int) -> np.ndarray:
    """The largest value of each stretch of ``size`` steps, as ``MaxPooling1D(size)``.

    Introduced in chapter 1. Stretches do not overlap, and steps left over at the end
    (fewer than ``size``) are dropped, as Keras does with valid padding.

    Args:
        values: shape ``(steps,)`` or ``(steps, channels)``.
        size: the pool size (and stride), an integer >= 1.

    Returns:
        Shape ``(steps // size,)`` or ``(steps // size, channels)``.

    Raises:
        ValueError: if ``size`` is not an integer >= 1 or is longer than the sequence.
    """
    values = np.asarray(values, dtype=float)
    check_int("size", size)
    if values.ndim not in (1, 2) or values.shape[0] < size:
        raise ValueError(
            f"`values` must have shape (steps,) or (steps, channels) with at least "
            f"size={size} steps. Received: values with shape {values.shape}"
        )
    kept = values[: values.shape[0] // size * size]
    return kept.reshape(-1, size, *values.shape[1:]).max(axis=1)


def global_max(values: np.ndarray) -> float | np.ndarray:
    """The largest value over all steps, as ``GlobalMaxPooling1D``. Introduced in chapter 1.

    Args:
        values: shape ``(steps,)`` or ``(steps, channels)``.

    Returns:
        A float for one channel, else one value per channel.

    Raises:
        ValueError: if there are no steps.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim not in (1, 2) or values.shape[0] == 0:
        raise ValueError(
            "`values` must have shape (steps,) or (steps, channels) with at least one step. "
            f"Received: values with shape {values.shape}"
        )
    pooled = values.max(axis=0)
    return float(pooled) if values.ndim == 1 else pooled


def _number(value: float) -> str:
    return f"{value:.2f}".replace("-0.00", "0.00")


def _signed_sum(values: Sequence[float], leading: bool = False) -> str:
    """``0.40 + 0.40 − 0.10``; with ``leading``, the first term carries its sign too."""
    terms = []
    for index, value in enumerate(values):
        sign = "−" if value < 0 and _number(value) != "0.00" else "+"
        magnitude = _number(abs(value))
        if index == 0 and not leading:
            terms.append(_number(value))
        else:
            terms.append(f"{sign} {magnitude}")
    return " ".join(terms)


def _pair(vector: np.ndarray) -> str:
    return "(" + ", ".join(f"{value:.1f}" for value in vector) + ")"


@dataclass(frozen=True)
class WorkedConvolution:
    """One filter slid along one sentence, every intermediate number kept.

    Introduced in chapter 1. Build it with `make_worked_convolution`.

    Attributes:
        words: the sentence.
        vectors: the words' vectors, shape ``(words, dimensions)``.
        kernel: shape ``(width, dimensions)``.
        bias: the filter's bias.
    """

    words: tuple[str, ...]
    vectors: np.ndarray
    kernel: np.ndarray
    bias: float

    @property
    def width(self) -> int:
        """The kernel's width in words."""
        return int(self.kernel.shape[0])

    @cached_property
    def products(self) -> np.ndarray:
        """Shape ``(windows, width)``: each tap's dot product (`multiply_windows`)."""
        return multiply_windows(self.vectors, self.kernel)

    @cached_property
    def sums(self) -> np.ndarray:
        """Each window's products added up, plus the bias (before the ReLU)."""
        return slide_kernel(self.vectors, self.kernel, self.bias, activation=None)

    @cached_property
    def outputs(self) -> np.ndarray:
        """The layer's outputs: the sums after the ReLU."""
        return np.maximum(self.sums, 0.0)

    def window_words(self, position: int) -> tuple[str, ...]:
        """The words of the window at ``position`` (0 = the first window)."""
        return self.words[position : position + self.width]

    @property
    def strongest(self) -> int:
        """The position of the window with the largest output (the first, on a tie)."""
        return int(np.argmax(self.outputs))

    def table(self) -> list[dict[str, Any]]:
        """One row per window: its words, each tap's product, the sum, the output.

        Returns:
            Dicts with keys ``position``, ``words``, ``products`` (one per tap),
            ``sum`` (products + bias) and ``output`` (after ReLU).
        """
        return [
            {
                "position": position,
                "words": " ".join(self.window_words(position)),
                "products": [float(value) for value in self.products[position]],
                "sum": float(self.sums[position]),
                "output": float(self.outputs[position]),
            }
            for position in range(len(self.outputs))
        ]

    def to_markdown(self) -> str:
        """The `table` as a Markdown table (two decimals), for a chapter to display."""
        taps = [f"word {tap + 1} · kernel row {tap + 1}" for tap in range(self.width)]
        header = ["window", "words", *taps, f"sum + bias ({_number(self.bias)})", "ReLU"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.table():
            cells = [
                str(row["position"]),
                row["words"],
                *(_number(value) for value in row["products"]),
                _number(row["sum"]),
                f"**{_number(row['output'])}**",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def make_worked_convolution(
    words: Sequence[str] = SENTENCE,
    table: Mapping[str, Sequence[float]] = EMBEDDINGS,
    kernel: np.ndarray = KERNEL,
    bias: float = BIAS,
) -> WorkedConvolution:
    """Embed a sentence and slide one kernel along it. Introduced in chapter 1.

    Args:
        words: the sentence.
        table: the embedding table (word -> vector).
        kernel: shape ``(width, dimensions)``.
        bias: the filter's bias.

    Returns:
        A `WorkedConvolution` holding every intermediate number.

    Raises:
        ValueError: if a word is unknown, or the kernel does not fit the vectors.
    """
    vectors = embed_words(words, table)
    kernel = np.array(kernel, dtype=float)
    _check_kernel(vectors, kernel)
    return WorkedConvolution(tuple(words), vectors, kernel, float(bias))


def move_phrase(
    sentence: Sequence[str] = SENTENCE,
    moved: Sequence[str] = MOVED_SENTENCE,
    table: Mapping[str, Sequence[float]] = EMBEDDINGS,
    kernel: np.ndarray = KERNEL,
    bias: float = BIAS,
) -> tuple[WorkedConvolution, WorkedConvolution]:
    """The same filter on a sentence and on its words reordered. Introduced in chapter 1.

    The filter's weights are shared by every window, so a phrase gives the same output
    wherever it stands: moved elsewhere, it moves the output, and the global maximum
    stays the same (translation invariance).

    Args:
        sentence: the first sentence.
        moved: the second one, the same words in another order.
        table, kernel, bias: as `make_worked_convolution`.

    Returns:
        The two `WorkedConvolution`s, ``sentence``'s first.

    Raises:
        ValueError: if ``moved`` does not hold the same words as ``sentence``, or as
            `make_worked_convolution`.
    """
    if sorted(sentence) != sorted(moved):
        raise ValueError(
            f"`moved` must hold the words of `sentence` ({list(sentence)!r}) in another "
            f"order. Received: moved={list(moved)!r}"
        )
    return (
        make_worked_convolution(sentence, table, kernel, bias),
        make_worked_convolution(moved, table, kernel, bias),
    )


def describe_pooling(
    convolutions: Sequence[WorkedConvolution], pool_size: int = 2
) -> str:
    """A Markdown table of what two kinds of pooling keep of each sentence's outputs.

    Introduced in chapter 1. One row per sentence: the filter's outputs, the strongest
    window, ``MaxPooling1D(pool_size)`` (keeps a coarse position) and the global
    maximum (keeps only the strongest value).

    Args:
        convolutions: e.g. the pair from `move_phrase`.
        pool_size: the pool size of ``MaxPooling1D``.

    Returns:
        A Markdown table string.

    Raises:
        ValueError: as `max_pool`.
    """
    header = [
        "sentence",
        "outputs",
        "strongest window",
        f"MaxPooling1D({pool_size})",
        "global max",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for worked in convolutions:
        pooled = max_pool(worked.outputs, pool_size)
        cells = [
            " ".join(worked.words),
            ", ".join(_number(value) for value in worked.outputs),
            f"{worked.strongest} ({' '.join(worked.window_words(worked.strongest))})",
            ", ".join(_number(value) for value in pooled),
            f"**{_number(global_max(worked.outputs))}**",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_worked_convolution(
    worked: WorkedConvolution | None = None, highlight: int | None = None
) -> Figure:
    """The kernel sliding along the sentence, its outputs and their maximum.

    Introduced in chapter 1. Top row: the words and their vectors; under them one
    bracket per window; then each window's output; at the bottom the maximum over
    time. The highlighted window (by default the strongest) is drawn in colour, with
    its arithmetic written out.

    Args:
        worked: a `WorkedConvolution` (default: `make_worked_convolution()`).
        highlight: the window to highlight (default: the strongest).

    Returns:
        A matplotlib Figure.

    Raises:
        ValueError: if ``highlight`` is not a window of the sentence.
    """
    worked = make_worked_convolution() if worked is None else worked
    count = len(worked.outputs)
    highlight = worked.strongest if highlight is None else highlight
    if not isinstance(highlight, (int, np.integer)) or not 0 <= highlight < count:
        raise ValueError(
            f"`highlight` must be a window position from 0 to {count - 1}. "
            f"Received: highlight={highlight!r}"
        )
    colour, grey, light = "tab:orange", "0.55", "#fde9d4"
    words = len(worked.words)
    figure = Figure(figsize=(8.6, 6.0), layout="constrained")
    axis = figure.subplots()
    axis.set_xlim(-2.35, words - 0.45)
    axis.set_ylim(-0.4, 6.2)
    axis.set_axis_off()
    axis.set_title(
        f"A width-{worked.width} kernel slides along the sentence; "
        "the maximum over time keeps the strongest window",
        fontsize=11,
    )
    axis.set_xlabel("word position in the sentence")
    axis.set_ylabel("stage of the computation")

    def box(x: float, y: float, w: float, h: float, text: str, chosen: bool,
            **style: Any) -> None:
        axis.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                      boxstyle="round,pad=0.02,rounding_size=0.08",
                                      facecolor=light if chosen else "white",
                                      edgecolor=colour if chosen else "0.3", linewidth=1.2))
        axis.text(x, y, text, ha="center", va="center",
                  fontweight="bold" if chosen else "normal", **style)

    def arrow(start: tuple[float, float], end: tuple[float, float], colour_: str) -> None:
        axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11,
                                       color=colour_, linewidth=1.1, shrinkA=0, shrinkB=0))

    rows = {"words": 5.55, "kernel": 4.45, "windows": 3.25, "outputs": 1.85, "max": 0.3}
    labels = {
        "words": "words and their\nvectors (" + ", ".join(EMBEDDING_AXES) + ")",
        "kernel": f"kernel on window {highlight}:\nrow · word vector\n"
                  "(the same weights\nfor every window)",
        "windows": f"the {count} windows\nof {worked.width} words",
        "outputs": f"outputs: ReLU(sum\n+ bias), bias {worked.bias:.1f}",
        "max": "max over time\n(GlobalMaxPooling1D)",
    }
    for key, text in labels.items():
        axis.text(-2.3, rows[key], text, ha="left", va="center", fontsize=9,
                  color=colour if key == "kernel" else "0.25")

    # The words and their vectors; under the highlighted window, the kernel's rows.
    for index, (word, vector) in enumerate(zip(worked.words, worked.vectors)):
        tap = index - highlight
        chosen = 0 <= tap < worked.width
        box(index, rows["words"], 0.88, 0.9, f"{word}\n{_pair(vector)}", chosen, fontsize=9.5)
        if chosen:
            axis.text(index, rows["kernel"],
                      f"row {tap + 1}\n{_pair(worked.kernel[tap])}\n"
                      f"→ {_number(worked.products[highlight, tap])}",
                      ha="center", va="center", fontsize=9, color=colour,
                      family="monospace")

    # One bracket per window, staggered so that they do not overlap.
    for position in range(count):
        y = rows["windows"] + 0.45 - 0.3 * position
        left, right = position - 0.4, position + worked.width - 1 + 0.4
        chosen = position == highlight
        line = {"color": colour if chosen else grey, "linewidth": 2.2 if chosen else 1.0}
        axis.plot([left, left, right, right], [y + 0.12, y, y, y + 0.12], **line)
        axis.text(left - 0.06, y, str(position), ha="right", va="center", fontsize=8.5,
                  color=line["color"])
        middle = position + (worked.width - 1) / 2
        arrow((middle, y), (middle, rows["outputs"] + 0.37), line["color"])

    # The outputs, under the middle word of their window, and their maximum.
    centre = (words - 1) / 2
    for position, value in enumerate(worked.outputs):
        middle = position + (worked.width - 1) / 2
        box(middle, rows["outputs"], 0.7, 0.7, _number(value), position == highlight,
            fontsize=10.5)
        arrow((middle, rows["outputs"] - 0.37), (centre, rows["max"] + 0.37), grey)
    box(centre, rows["max"], 1.9, 0.7,
        f"global max = {_number(global_max(worked.outputs))}", True, fontsize=10.5)

    # The highlighted window's arithmetic.
    products = _signed_sum(worked.products[highlight])
    bias = _signed_sum([worked.bias], leading=True)
    axis.text(words - 0.5, rows["max"],
              f"window {highlight}:\n{products}\n{bias} = "
              f"{_number(worked.sums[highlight])}\nReLU → {_number(worked.outputs[highlight])}",
              ha="right", va="center", fontsize=9, color=colour, family="monospace")
    return figure


# --------------------------------------------------------------------------- costs


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")


def _output_length(steps: int, kernel_size: int, padding: str, name: str) -> int:
    if padding not in ("valid", "same", "causal"):
        raise ValueError(
            f'`padding` must be "valid", "same" or "causal". Received: padding={padding!r}'
        )
    if padding != "valid":
        return steps
    if kernel_size > steps:
        raise ValueError(
            f"`kernel_size` must be at most `{name}` with valid padding. "
            f"Received: kernel_size={kernel_size}, {name}={steps}"
        )
    return steps - kernel_size + 1


def conv1d_multiply_adds(
    steps: int, kernel_size: int, in_channels: int, filters: int, padding: str = "valid"
) -> int:
    """Multiply-adds of one ``Conv1D`` layer on one example. Introduced in chapter 1.

    Each output position multiplies every kernel weight once:
    ``length_out * kernel_size * in_channels * filters`` (biases are adds only).

    Args:
        steps: length of the input sequence.
        kernel_size, in_channels, filters: the layer's sizes.
        padding: ``"valid"`` (``length_out = steps - kernel_size + 1``), ``"same"`` or
            ``"causal"`` (``length_out = steps``).

    Raises:
        ValueError: if a size is not an integer >= 1, or the kernel is longer than a
            valid-padded sequence.
    """
    _check_sizes(steps=steps, kernel_size=kernel_size, in_channels=in_channels, filters=filters)
    length_out = _output_length(steps, kernel_size, padding, "steps")
    return length_out * kernel_size * in_channels * filters


def conv2d_multiply_adds(
    height: int,
    width: int,
    kernel_size: int,
    in_channels: int,
    filters: int,
    padding: str = "valid",
) -> int:
    """Multiply-adds of one square ``Conv2D`` layer on one image. Introduced in chapter 1.

    ``height_out * width_out * kernel_size**2 * in_channels * filters``.

    Args:
        height, width: the input's size.
        kernel_size: the side of the square window (3 for a 3x3 window).
        in_channels, filters: the layer's channels.
        padding: ``"valid"`` or ``"same"``.

    Raises:
        ValueError: if a size is not an integer >= 1, or the window does not fit.
    """
    _check_sizes(height=height, width=width, kernel_size=kernel_size,
                 in_channels=in_channels, filters=filters)
    if padding == "causal":
        raise ValueError(f'`padding` must be "valid" or "same". Received: padding={padding!r}')
    rows = _output_length(height, kernel_size, padding, "height")
    columns = _output_length(width, kernel_size, padding, "width")
    return rows * columns * kernel_size**2 * in_channels * filters


def recurrent_multiply_adds(steps: int, input_dim: int, units: int, cell: str = "lstm") -> int:
    """Multiply-adds of an LSTM or GRU layer over one sequence. Introduced in chapter 1.

    At every step each gate multiplies the input (``input_dim``) and the previous
    output (``units``) by its weights: ``steps * gates * (input_dim + units) * units``,
    with 4 gates for an LSTM and 3 for a GRU (`GATES`). The steps run one after
    another: step ``t`` needs the output of step ``t - 1``.

    Args:
        steps: length of the sequence.
        input_dim: size of each input vector.
        units: the layer's units.
        cell: ``"lstm"`` or ``"gru"``.

    Raises:
        ValueError: if a size is not an integer >= 1, or the cell is unknown.
    """
    _check_sizes(steps=steps, input_dim=input_dim, units=units)
    if cell not in GATES:
        raise ValueError(f"`cell` must be one of {sorted(GATES)}. Received: cell={cell!r}")
    return steps * GATES[cell] * (input_dim + units) * units


def imdb_multiply_adds(
    maxlen: int = 500,
    embedding_dim: int = 128,
    filters: int = 32,
    kernel_size: int = 7,
    pool_size: int = 5,
    lstm_embedding_dim: int = 32,
    units: int = 32,
) -> dict[str, dict[str, int]]:
    """Multiply-adds per review of the book's IMDB convnet and LSTM. Introduced in chapter 1.

    The defaults are the sizes of ``models.build_imdb_convnet`` (``Embedding(10000,
    128)``, ``Conv1D(32, 7)``, ``MaxPooling1D(5)``, ``Conv1D(32, 7)``, global max
    pooling, ``Dense(1)``) and ``models.build_imdb_lstm`` (``Embedding(10000, 32)``,
    ``LSTM(32)``, ``Dense(1)``), on reviews of 500 words. An embedding is a table
    look-up and pooling compares values: neither multiplies.

    Returns:
        ``{"imdb_convnet": {layer: count}, "imdb_lstm": {layer: count}}``, layers in
        order, each model's counts adding up to its total.

    Raises:
        ValueError: if a size is not an integer >= 1, or the kernels do not fit.
    """
    _check_sizes(maxlen=maxlen, embedding_dim=embedding_dim, filters=filters,
                 kernel_size=kernel_size, pool_size=pool_size,
                 lstm_embedding_dim=lstm_embedding_dim, units=units)
    _, pooled, _ = sequence_lengths(maxlen, imdb_convnet_stages(kernel_size, pool_size))
    return {
        "imdb_convnet": {
            "conv1d (first)": conv1d_multiply_adds(maxlen, kernel_size, embedding_dim, filters),
            "conv1d (second)": conv1d_multiply_adds(pooled, kernel_size, filters, filters),
            "dense": filters,
        },
        "imdb_lstm": {
            "lstm": recurrent_multiply_adds(maxlen, lstm_embedding_dim, units, "lstm"),
            "dense": units,
        },
    }


def describe_imdb_costs(**sizes: int) -> str:
    """A Markdown table of `imdb_multiply_adds`: one row per layer, then the totals.

    Introduced in chapter 1.

    Args:
        **sizes: passed to `imdb_multiply_adds`.

    Returns:
        A Markdown table string (counts with thousands separators).
    """
    costs = imdb_multiply_adds(**sizes)
    lines = ["| model | layer | multiply-adds per review |", "|---|---|---:|"]
    for model, layers in costs.items():
        for layer, count in layers.items():
            lines.append(f"| {model} | {layer} | {count:,} |")
        lines.append(f"| {model} | **total** | **{sum(layers.values()):,}** |")
    return "\n".join(lines)


def compare_window_costs(
    in_channels: int = 32,
    filters: int = 32,
    widths_1d: Sequence[int] = (3, 7, 9),
    sides_2d: Sequence[int] = (3,),
) -> str:
    """A Markdown table: multiply-adds per output position of 1D and 2D windows.

    Introduced in chapter 1. One output position of a layer costs
    ``taps * in_channels * filters``; a 1D window of width ``k`` has ``k`` taps, a
    square 2D window of side ``k`` has ``k * k``.

    Args:
        in_channels, filters: the layer's channels (the same for every row).
        widths_1d: widths of the 1D windows.
        sides_2d: sides of the square 2D windows.

    Returns:
        A Markdown table string.

    Raises:
        ValueError: if a size is not an integer >= 1.
    """
    _check_sizes(in_channels=in_channels, filters=filters)
    for index, size in enumerate([*widths_1d, *sides_2d]):
        _check_sizes(**{f"window_sizes[{index}]": size})
    rows = [(f"Conv1D, width {k}", k) for k in widths_1d]
    rows += [(f"Conv2D, {k}×{k}", k * k) for k in sides_2d]
    lines = [
        f"| window ({in_channels} channels in, {filters} filters) | taps "
        "| multiply-adds per output position |",
        "|---|---:|---:|",
    ]
    for name, taps in sorted(rows, key=lambda row: row[1]):
        lines.append(f"| {name} | {taps} | {taps * in_channels * filters:,} |")
    return "\n".join(lines)
