"""Widgets that show what the n-gram convnet reads: live in JupyterLab, precomputed on a page.

`make_review_explorer` needs a running kernel: the learner types a review and, a moment
after the last keystroke (debounced), the score and the highlighted windows follow.
`make_review_selector` works on the static book: every reading is precomputed HTML in an
``Output`` of a ``widgets.Stack``, and ``widgets.jslink`` ties the slider's position to the
stack's, so the browser switches between them without Python (the same shape as chapter
5's sweep explorer, which the browser tests move through every position).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML

from seqlib.review_reading import ReviewReader, ReviewReading
from seqlib.static_explorers import linked_stack

__all__ = ["DEBOUNCE_S", "Debouncer", "reading_html", "make_review_explorer", "make_review_selector"]

DEBOUNCE_S = 0.3
"""Seconds of quiet after a keystroke before the review is read again."""


class Debouncer:
    """Calls ``action`` once, ``delay`` seconds after the last of a burst of calls.

    Without a running event loop (outside a kernel), it calls ``action`` at once.
    """

    def __init__(self, action: Callable[[], None], delay: float = DEBOUNCE_S) -> None:
        self.action, self.delay = action, delay
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self, *_: Any) -> None:
        if self._pending is not None:
            self._pending.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.action()
            return
        self._pending = loop.call_later(self.delay, self.action)


def reading_html(reader: ReviewReader, text: Any, top: int = 8) -> str:
    """The reading of ``text`` as HTML, or a short message saying why there is none."""
    try:
        return reader.read(text).to_html(top)
    except (TypeError, ValueError) as error:
        return f'<p class="review-message"><em>{html.escape(str(error))}</em></p>'


def make_review_explorer(reader: ReviewReader, text: str = "", top: int = 8) -> widgets.VBox:
    """A text box for a review, and its score and highlighted windows, updated as you type."""
    box = widgets.Textarea(value=text, placeholder="Type a movie review here",
                           continuous_update=True, layout=widgets.Layout(width="100%", height="7em"))
    shown = widgets.HTML(reading_html(reader, text, top))

    def update() -> None:
        shown.value = reading_html(reader, box.value, top)

    box.observe(Debouncer(update), names="value")
    return widgets.VBox([box, shown])


def make_review_selector(readings: Mapping[str, ReviewReading], captions: Mapping[str, str] | None = None,
                         top: int = 8) -> widgets.VBox:
    """A slider over precomputed readings that works without a kernel (static pages).

    Args:
        readings: a short label per reading (the slider's positions), in order.
        captions: a heading per label (default: the label).
        top: filters highlighted per reading.

    Raises:
        ValueError: if there are no readings.
    """
    if not readings:
        raise ValueError("make_review_selector needs at least one reading.")
    choose = widgets.SelectionSlider(options=list(readings), description="review",
                                     layout=widgets.Layout(width="60%"))
    pages = []
    for label, reading in readings.items():
        page = widgets.Output()
        caption = html.escape((captions or {}).get(label, label))
        page.append_display_data(HTML(f"<h4>{caption}</h4>{reading.to_html(top)}"))
        pages.append(page)
    return widgets.VBox([choose, linked_stack(choose, pages)])
