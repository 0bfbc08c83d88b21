"""A reader takes a chapter with them: the download button of every chapter page, in Chromium.

The theme's download menu opens and offers the chapter's notebook (`.ipynb`, with the
committed outputs) and its source (`.md`); both links load from the book itself. Each page also
shows, under its title, how its outputs were made.
"""

from __future__ import annotations

import json

import pytest

from book import PAGES, ROOT
from browsing import wait_until_loaded

pytestmark = pytest.mark.browser

CHAPTERS = [page for page in PAGES if (ROOT / f"{page}.ipynb").is_file()]

FETCH_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(r => r.text().then(t => done({status: r.status, text: t})))
                   .catch(e => done({status: 0, text: String(e)}));
"""
MENU_JS = """
const links = Array.from(document.querySelectorAll('.dropdown-download-buttons a.dropdown-item'));
return links.map(a => ({text: a.innerText.trim(), href: a.href,
                        visible: a.getBoundingClientRect().width > 0}));
"""


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_offers_its_notebook_and_source(page, driver, book_url):
    driver.get(f"{book_url}{page}.html")
    wait_until_loaded(driver)
    driver.find_element("css selector", ".dropdown-download-buttons button").click()
    links = {link["text"]: link for link in driver.execute_script(MENU_JS)}
    assert {".ipynb", ".md"} <= set(links), links
    assert all(links[kind]["visible"] for kind in (".ipynb", ".md")), links
    notebook = driver.execute_async_script(FETCH_JS, links[".ipynb"]["href"])
    source = driver.execute_async_script(FETCH_JS, links[".md"]["href"])
    assert notebook["status"] == 200 and source["status"] == 200, (notebook, source)
    cells = json.loads(notebook["text"])["cells"]
    assert any(cell.get("outputs") for cell in cells), "the notebook comes without its outputs"
    assert source["text"].startswith("---\njupytext:"), source["text"][:80]
    note = driver.execute_script(
        "const n = document.querySelector('.admonition.provenance'); return n && n.innerText;")
    assert note and note.startswith("About these outputs"), note
