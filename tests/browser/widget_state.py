"""What a page's embedded widget state says a precomputed explorer must show for each setting.

A precomputed explorer (``seqlib.static_explorers.make_sweep_explorer``, DESIGN.md's "widgets that
work without a kernel") is a widget whose descendants are sliders and a tree of ``Stack``
widgets, one tree level per slider: ``widgets.jslink`` ties the first slider's position (a
SelectionSlider's ``index``) to the ``selected_index`` of the outermost Stack, the next
slider to every Stack one level in, and so on. The leaves are ``Output`` widgets holding one
figure (PNG) or one message.
``explorers`` reads that structure from the state alone and says, for every combination of
slider positions, which PNG or message the page must show; it rejects a tree whose Stacks
are not all linked, level by level, to sliders with as many positions as they have children.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
from collections.abc import Iterator

SLIDER = "SelectionSliderModel"  # its `index` (0-based position) is what is jslinked to a Stack


@dataclasses.dataclass(frozen=True)
class Slider:
    model_id: str
    description: str
    labels: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Leaf:
    """What one setting shows: a PNG (base64, no whitespace) or a message (plain text)."""

    png: str | None
    message: str | None


@dataclasses.dataclass(frozen=True)
class Explorer:
    view_id: str
    sliders: tuple[Slider, ...]
    leaves: dict[tuple[int, ...], Leaf]  # slider positions -> what the page must show

    def settings(self) -> Iterator[tuple[int, ...]]:
        """Every combination of slider positions, each one slider move from the last (a snake)."""
        yield from _snake([len(slider.labels) for slider in self.sliders])


def _snake(sizes: list[int]) -> Iterator[tuple[int, ...]]:
    if not sizes:
        yield ()
        return
    inner = list(_snake(sizes[1:]))
    for first in range(sizes[0]):
        for rest in inner if first % 2 == 0 else reversed(inner):
            yield (first, *rest)


def _model_id(reference: str) -> str:
    return reference.removeprefix("IPY_MODEL_")


def _children(state: dict, model_id: str) -> list[str]:
    return [_model_id(child) for child in state[model_id]["state"].get("children", [])]


def _descendants(state: dict, model_id: str) -> list[str]:
    """``model_id`` and every widget below it, depth first in display order."""
    found = [model_id]
    for child in _children(state, model_id):
        found += _descendants(state, child)
    return found


def _leaf(model: dict) -> Leaf:
    if model["model_name"] != "OutputModel" or len(model["state"].get("outputs", [])) != 1:
        outputs = len(model["state"].get("outputs", []))
        raise ValueError("a leaf of the Stacks must be an Output with one output. "
                         f"Received: {model['model_name']} with {outputs} outputs")
    data = model["state"]["outputs"][0].get("data", {})
    if "image/png" in data:
        return Leaf(png=re.sub(r"\s+", "", data["image/png"]), message=None)
    text = html.unescape(re.sub(r"<[^>]+>", "", data.get("text/html", data.get("text/plain", ""))))
    return Leaf(png=None, message=" ".join(text.split()))


def explorers(state: dict, view_ids: list[str]) -> list[Explorer]:
    """The precomputed explorers (with jslinked Stacks) among the displayed widgets ``view_ids``.

    Raises:
        ValueError: if an explorer's Stacks are not linked level by level to its sliders.
    """
    links: dict[str, tuple[str, str]] = {}  # Stack id -> (slider id, slider trait)
    for model in state.values():
        if model["model_name"] != "LinkModel":
            continue
        ends = [(_model_id(model["state"][end][0]), model["state"][end][1])
                for end in ("source", "target")]
        for (stack, trait), (other, other_trait) in (ends, ends[::-1]):
            if state[stack]["model_name"] == "StackModel" and trait == "selected_index":
                links[stack] = (other, other_trait)
    found = []
    for view_id in view_ids:
        widgets = _descendants(state, view_id)
        stacks = [w for w in widgets if state[w]["model_name"] == "StackModel"]
        if not any(stack in links for stack in stacks):
            continue
        sliders = [Slider(w, state[w]["state"].get("description", ""),
                          tuple(state[w]["state"].get("_options_labels", ())))
                   for w in widgets if state[w]["model_name"] == SLIDER]
        found.append(Explorer(view_id, tuple(sliders), _leaves(state, stacks[0], sliders, links)))
    return found


def _leaves(state: dict, root: str, sliders: list[Slider],
            links: dict) -> dict[tuple[int, ...], Leaf]:
    leaves = {}
    for setting in itertools.product(*(range(len(slider.labels)) for slider in sliders)):
        node = root
        for level, (slider, position) in enumerate(zip(sliders, setting)):
            model = state[node]
            if model["model_name"] != "StackModel":
                raise ValueError(f"level {level} of the explorer ({slider.description!r}) is a "
                                 f"{model['model_name']}, not a Stack")
            linked, trait = links.get(node, (None, None))
            if (linked, trait) != (slider.model_id, "index"):
                raise ValueError(f"the Stack at level {level} is not jslinked to the position of "
                                 f"{slider.description!r} (linked to: {linked} {trait})")
            children = _children(state, node)
            if len(children) != len(slider.labels):
                raise ValueError(f"the Stack at level {level} has {len(children)} children for the "
                                 f"{len(slider.labels)} positions of {slider.description!r}")
            node = children[position]
        leaves[setting] = _leaf(state[node])
    return leaves
