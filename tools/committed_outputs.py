"""Sphinx extension: the book is built from the committed notebooks, and never from stale ones.

The build never executes a chapter. On `config-inited` it stops at once, with one line naming
the fix (``SEQLIB_TRACEBACK=1``: with the traceback), when

- the offline JavaScript is missing (`make offline-js`);
- MyST-NB would execute notebooks itself (``execute_notebooks`` other than ``cache``);
- a chapter's committed outputs are stale, or it has none (`make notebooks CHAPTERS=...`);
- a committed notebook is not one, or a seqlib module does not parse (the file and line).

A chapter without a provenance record is only noted. On `builder-inited` each chapter's
committed outputs are put into jupyter-cache under the key MyST-NB computes for its `.md`, so
that ``execute_notebooks: cache`` finds them and executes nothing. Each chapter's page depends
on its `.ipynb` (new outputs rebuild it), and its download button offers that notebook next
to the `.md`.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from myst_nb.core.read import create_nb_reader
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from tools.chapters import Chapter, chapters
from tools.problems import BookError, traceback_asked
from tools.provenance import KEY, STALE, UNRECORDED, freshness, read_committed

logger = logging.getLogger(__name__)


def _stop(line: str) -> None:
    """End the build now with one line on stderr (an exception would print a traceback)."""
    raise SystemExit(f"jupyter-book build: {line}")


def check_sources(app: Sphinx, config: Config) -> None:
    """Stop unless the offline JavaScript is there and every chapter's outputs are fresh."""
    for entry in config.html_extra_path:
        if not (Path(app.confdir) / entry).is_dir():
            _stop(f"{entry} is missing (the JavaScript the book serves itself): "
                  "run `make offline-js` first")
    if config.nb_execution_mode != "cache":
        _stop(f"execute_notebooks is {config.nb_execution_mode!r} in _config.yml: set it to "
              "cache, so that the book shows the committed outputs and executes nothing")
    try:
        states = [freshness(chapter) for chapter in chapters(Path(app.confdir))]
    except BookError as error:
        if traceback_asked():
            raise
        _stop(str(error))
    stale = [state for state in states if state.state == STALE]
    if stale:
        why = "; ".join(f"{state.chapter.short}: {state.reasons[0]}" for state in stale)
        names = " ".join(state.chapter.short for state in stale)
        _stop(f"stale committed outputs ({why}): run `make notebooks CHAPTERS=\"{names}\"` "
              "first")
    unrecorded = [state.chapter.short for state in states if state.state == UNRECORDED]
    if unrecorded:
        logger.info(f"committed outputs without a provenance record: {', '.join(unrecorded)}")


def _with_outputs(notebook: nbformat.NotebookNode,
                  committed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`notebook` (as MyST-NB reads the `.md`) with the committed notebook's outputs."""
    merged = nbformat.from_dict(notebook)
    code = [cell for cell in merged.cells if cell.cell_type == "code"]
    done = [cell for cell in committed.cells if cell.cell_type == "code"]
    for cell, run in zip(code, done, strict=True):
        cell.outputs, cell.execution_count = run.outputs, run.execution_count
    for key in ("language_info", "widgets"):
        if key in committed.metadata:
            merged.metadata[key] = committed.metadata[key]
    return merged


def prime_cache(app: Sphinx) -> None:
    """Put every chapter's committed outputs into jupyter-cache, where MyST-NB will look."""
    config = app.env.mystnb_config
    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    for chapter in chapters(Path(app.confdir)):
        text = chapter.markdown.read_text("utf-8")
        notebook = create_nb_reader(str(chapter.markdown), app.env.myst_config, config,
                                    text).read(text)
        committed_bytes = chapter.notebook.read_bytes()
        digest = hashlib.sha256(committed_bytes).hexdigest()
        try:
            if cache.match_cache_notebook(notebook).data.get("committed") == digest:
                continue
        except KeyError:
            pass
        committed = read_committed(chapter)
        record = committed.metadata.get(KEY) or {}
        cache.cache_notebook_bundle(
            CacheBundleIn(_with_outputs(notebook, committed), str(chapter.markdown),
                          data={"execution_seconds": record.get("wall_seconds"),
                                "committed": digest}),
            check_validity=False, overwrite=True)
        logger.info(f"committed outputs of {chapter.name} put into the cache")


def _chapter(app: Sphinx, docname: str) -> Chapter | None:
    chapter = Chapter(docname, Path(app.confdir))
    return chapter if chapter.notebook.is_file() and chapter.markdown.is_file() else None


def depend_on_notebook(app: Sphinx, doctree: Any) -> None:
    """Rebuild a chapter's page when its committed notebook changes."""
    chapter = _chapter(app, app.env.docname)
    if chapter is not None:
        app.env.note_dependency(str(chapter.notebook))


def offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict,
                   doctree: Any) -> None:
    """Serve the committed `.ipynb` next to the page's `.md`, for the theme's download button."""
    chapter = _chapter(app, pagename)
    if chapter is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(chapter.notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", check_sources)
    app.connect("builder-inited", prime_cache, priority=900)  # after MyST-NB's own set-up
    app.connect("doctree-read", depend_on_notebook)
    app.connect("html-page-context", offer_notebook)  # before the theme's buttons (priority 501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
