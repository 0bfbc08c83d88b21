"""The executable chapters of the book: the pages of `_toc.yml` that hold code cells.

A chapter is a `.md` page (Jupytext MyST) with ``{code-cell}`` blocks, paired with an
`.ipynb` committed with its outputs; a chapter whose `.ipynb` is missing is still one (its
outputs are stale: `make notebooks` makes them). Pages without code cells (the Notes) are not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Chapter:
    """A chapter: its name in `_toc.yml` (``chapters/02_conv_forecaster``) and its two files."""

    name: str
    root: Path = ROOT

    @property
    def markdown(self) -> Path:
        """The source: Jupytext MyST Markdown."""
        return self.root / f"{self.name}.md"

    @property
    def notebook(self) -> Path:
        """The paired notebook, committed with the outputs of a full-profile run."""
        return self.root / f"{self.name}.ipynb"

    @property
    def short(self) -> str:
        """The file name without folder or suffix (``02_conv_forecaster``)."""
        return Path(self.name).name


def toc_files(entry: dict) -> list[str]:
    """Every ``file`` of a `_toc.yml` entry and its parts, chapters and sections, in order."""
    files = [entry["file"]] if "file" in entry else []
    for key in ("parts", "chapters", "sections"):
        for child in entry.get(key, []):
            files += toc_files(child)
    return files


def is_executable(page: Chapter) -> bool:
    """Whether a page of the book is a chapter: its `.md` holds code cells, read as MyST."""
    return page.markdown.is_file() and any(
        cell.cell_type == "code" for cell in jupytext.read(page.markdown, fmt="md:myst").cells)


def chapters(root: Path = ROOT) -> list[Chapter]:
    """The chapters of `_toc.yml` (its root page included), in its order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]] if "root" in toc else []
    pages = [Chapter(name.removesuffix(".md"), root) for name in names + toc_files(toc)]
    return [page for page in pages if is_executable(page)]


def select(names: list[str], root: Path = ROOT) -> list[Chapter]:
    """The chapters named by `names` (``02_conv_forecaster``, ``chapters/02_conv_forecaster.md``,
    or the ``.ipynb``), in book order.

    Raises:
        ValueError: if a name matches no chapter; the message lists them.
    """
    known = chapters(root)
    by_key = {}
    for chapter in known:
        for key in (chapter.name, chapter.short):
            by_key[key] = chapter
    chosen, unknown = set(), []
    for name in names:
        key = name.removesuffix(".md").removesuffix(".ipynb").removeprefix("./")
        if key in by_key:
            chosen.add(by_key[key])
        else:
            unknown.append(name)
    if unknown:
        raise ValueError(f"No chapter is called {', '.join(unknown)}. "
                         f"The chapters: {', '.join(c.short for c in known)}")
    return [chapter for chapter in known if chapter in chosen]
