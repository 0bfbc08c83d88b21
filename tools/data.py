"""The data files a chapter needs, fetched before it runs.

A chapter needs the files of the data modules its code cells import themselves (`seqlib.imdb`,
`seqlib.review_texts`, `seqlib.weather`); a module it only reaches through others (chapter 5, through `seqlib.recipe`)
does not count: such a chapter loads no data.
"""

from __future__ import annotations

from seqlib import fetch

from tools.definitions import imported
from tools.fingerprint import PACKAGE, as_python

# Data module -> the files it reads: every group is needed, and any one file of a group will do.
NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "seqlib.imdb": (("imdb.npz",), ("imdb_word_index.json",)),
    "seqlib.review_texts": (("aclImdb_v1.tar.gz",),),
    "seqlib.weather": (("jena_climate_2009_2016.csv.zip", "brightwind-2.7.0-py3-none-any.whl"),),
}


def needs(cell_sources: list[str]) -> list[tuple[str, ...]]:
    """The groups of data files that code cells `cell_sources` read."""
    names = set().union(*(imported(as_python(source), PACKAGE) for source in cell_sources))
    return [group for module, groups in NEEDS.items() if module in names for group in groups]


def _have(name: str, allow_download: bool) -> bool:
    try:
        fetch.fetch(name, allow_download=allow_download)
    except fetch.DataNotFoundError:
        return False
    return True


def provide(groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Make sure every group has a file in the data folder, downloading where needed.

    Returns:
        The groups none of whose files is there or could be downloaded.
    """
    present = [group for group in groups if any(_have(name, False) for name in group)]
    return [group for group in groups
            if group not in present and not any(_have(name, True) for name in group)]


def origin(name: str) -> str:
    """Where a data file comes from: its URL, or the pip command that downloads it."""
    return fetch.REGISTRY[name].origin
