"""Run profiles: how long the book trains, chosen by ``SEQLIB_PROFILE``.

``full`` (the default) trains every reported model by one stopping rule: until its
validation score has not improved for 4 epochs, at most 40 epochs (weather epochs of
500 batches), keeping the weights of its best epoch. ``quick`` keeps the same data and
the same models but trains for fewer steps and epochs, so that every chapter runs in a
few minutes (CI uses it).
"""

from __future__ import annotations

import dataclasses
import html
import os

__all__ = ["Profile", "PROFILES", "get_profile"]


@dataclasses.dataclass(frozen=True)
class Profile:
    """How much training a chapter does.

    Attributes:
        name: ``"full"`` or ``"quick"``.
        imdb_max_epochs: the epoch cap of the IMDB models (chapter 1).
        weather_max_epochs: the epoch cap of the weather forecasters.
        patience: stop when the validation score has not improved for this many
            epochs (the stopping rule of every reported model; best weights restored).
        steps_per_epoch: training batches of 128 windows drawn per weather epoch.
        max_eval_batches: cap on validation batches per weather epoch, evenly spaced
            over the split; ``None`` scores every window. Test sets are always scored
            in full.
        probe_epochs: epochs of models that only support an argument (chapter 2
            trains a GRU just long enough to test its sensitivity to order).
        explorer_epochs: epochs of the short retrains behind the interactive explorers.
        explorer_steps: training batches per epoch in those retrains.
    """

    name: str
    imdb_max_epochs: int
    weather_max_epochs: int
    patience: int
    steps_per_epoch: int
    max_eval_batches: int | None
    probe_epochs: int
    explorer_epochs: int
    explorer_steps: int

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{field.name}</code></td><td>{html.escape(str(getattr(self, field.name)))}</td></tr>"
            for field in dataclasses.fields(self)
        )
        return f"<table><caption>Run profile</caption>{rows}</table>"


PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        imdb_max_epochs=40,
        weather_max_epochs=40,
        patience=4,
        steps_per_epoch=500,
        max_eval_batches=100,
        probe_epochs=5,
        explorer_epochs=2,
        explorer_steps=100,
    ),
    "quick": Profile(
        name="quick",
        imdb_max_epochs=1,
        weather_max_epochs=2,
        patience=1,
        steps_per_epoch=40,
        max_eval_batches=40,
        probe_epochs=1,
        explorer_epochs=1,
        explorer_steps=20,
    ),
}


def get_profile(name: str | None = None) -> Profile:
    """Return the run profile named by ``name``, else by ``SEQLIB_PROFILE``, else ``full``.

    Raises:
        ValueError: if the name is not one of ``PROFILES``.
    """
    chosen = name if name is not None else os.environ.get("SEQLIB_PROFILE", "full")
    key = chosen.strip().lower()
    if key not in PROFILES:
        given_as = "name" if name is not None else "SEQLIB_PROFILE"
        raise ValueError(
            f"Unknown run profile. Received: {given_as}={chosen!r}. "
            f"Use one of {sorted(PROFILES)}, e.g. SEQLIB_PROFILE=quick."
        )
    return PROFILES[key]
