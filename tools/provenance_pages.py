"""Sphinx extension: how each chapter's outputs were made, on its page and in one table.

Every chapter page gets a folded note under its title, from the provenance record of its committed
notebook (`tools.provenance`): when, in which profile, on which datasets and machine, and in how
long its outputs were made. The directive ``provenance-table`` lists that for every chapter,
with their run times (the book's execution-status page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from tools.chapters import Chapter, chapters
from tools.provenance import datasets, duration, machine, read_record, summary

NOT_RECORDED = ("These outputs hold no provenance record: when and how they were made was not "
                "written down. `make notebooks` re-executes the chapter and records it.")
COLUMNS = ("chapter", "made on", "profile", "datasets", "machine", "run time")


def add_note(app: Sphinx, doctree: nodes.document) -> None:
    """Put the provenance note under the title of a chapter's page, folded (a click opens it)."""
    chapter = Chapter(app.env.docname, Path(app.confdir))
    if not chapter.notebook.is_file():
        return
    record = read_record(chapter)
    note = nodes.admonition(classes=["note", "provenance", "dropdown"])
    note += nodes.title(text="About these outputs")
    note += nodes.paragraph(text=summary(record) if record else NOT_RECORDED)
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        section.insert(1, note)


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell if isinstance(cell, nodes.paragraph) else nodes.paragraph("", "", cell)
        row += entry
    return row


def _link(chapter: Chapter) -> nodes.Node:
    reference = addnodes.pending_xref(refdomain="std", reftype="doc", reftarget=f"/{chapter.name}",
                                      refexplicit=False)
    reference += nodes.inline(text=chapter.name)
    return reference


class ProvenanceTable(SphinxDirective):
    """A table of every chapter's provenance record, and the total run time."""

    def run(self) -> list[nodes.Node]:
        body, total = nodes.tbody(), 0.0
        for chapter in chapters(Path(self.env.app.confdir)):
            self.env.note_dependency(str(chapter.notebook))
            record = read_record(chapter)
            if record is None:
                texts = ["not recorded", *([""] * (len(COLUMNS) - 2))]
            else:
                total += record["wall_seconds"]
                texts = [record["started"][:16].replace("T", " ") + " UTC", record["profile"],
                         datasets(record), machine(record), duration(record["wall_seconds"])]
            body += _row([_link(chapter), *(nodes.Text(text) for text in texts)])
        body += _row([nodes.Text("all chapters"), *(nodes.Text("") for _ in COLUMNS[1:-1]),
                      nodes.Text(duration(total) if total else "")])
        group = nodes.tgroup(cols=len(COLUMNS))
        group += [nodes.colspec(colwidth=1) for _ in COLUMNS]
        head = nodes.thead()
        head += _row([nodes.Text(name) for name in COLUMNS])
        group += [head, body]
        table = nodes.table(classes=["provenance-table"])
        table += group
        return [table]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", add_note)
    app.add_directive("provenance-table", ProvenanceTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
