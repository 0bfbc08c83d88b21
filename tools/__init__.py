"""The book's own tools: how its committed outputs are made, checked and shown.

Modules (none imports TensorFlow; run the command-line ones from the repository root):

- ``problems``     a problem with a file of the book, said in one line with its fix
- ``chapters``     the executable chapters of ``_toc.yml`` (``.md`` pages with code cells)
- ``fingerprint``  what produced a chapter's outputs: its code cells and the seqlib definitions
                   they reach
- ``records``      the multi-seed result records a chapter reads
- ``provenance``   the record a notebook keeps of its run, and whether its outputs are still fresh
- ``data``         the data files a chapter needs, fetched before it runs
- ``execute``      one chapter run in the full profile and written in place, atomically
- ``stale``        ``python -m tools.stale``: the chapters whose outputs are stale (``make stale``)
- ``notebooks``    ``python -m tools.notebooks``: re-execute chapters (``make notebooks``,
                   ``make book``)
- ``doctor``       ``python3 tools/doctor.py``: what the set-up needs (``make doctor``)
- ``committed_outputs``  Sphinx: build from the committed notebooks, never from stale ones
- ``provenance_pages``   Sphinx: each chapter's provenance on its page, and the run-times table
"""
