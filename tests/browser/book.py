"""The book the browser tests read: its pages, which of them hold explorers, where it is built."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tools.chapters import toc_files

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = ROOT / "_build" / "html"
SCREENSHOT_DIR = ROOT / "_build" / "screenshots"


def source(page: str) -> str:
    """The MyST Markdown source of a page of _toc.yml (`chapters/02_conv_forecaster`)."""
    return (ROOT / f"{page}.md").read_text()


_TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [_TOC["root"], *toc_files(_TOC)]
# The pages that end with an ipywidgets explorer (seqlib.explorers.make_*_explorer).
WIDGET_PAGES = [page for page in PAGES if re.search(r"explorers?\.make_\w+\(", source(page))]
