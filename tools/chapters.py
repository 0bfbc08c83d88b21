"""The executable chapters of the book: the pages of `_toc.yml` paired with a committed notebook."""

from __future__ import annotations

import dataclasses
from pathlib import Path

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


def chapters(root: Path = ROOT) -> list[Chapter]:
    """The chapters of `_toc.yml`, in its order (pages without an `.ipynb` left out)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [Chapter(name.removesuffix(".md"), root) for name in toc_files(toc)]
    return [page for page in pages if page.notebook.is_file() and page.markdown.is_file()]


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
