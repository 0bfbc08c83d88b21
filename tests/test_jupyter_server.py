"""Learners open the Markdown chapters in JupyterLab: Jupytext must serve them as notebooks."""

import json
import urllib.request
from pathlib import Path

import pytest
from lab_server import LabServer, LabServerError

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "chapters").glob("*.md"))
CHAPTERS = [page for page in PAGES if "kernelspec:" in page.read_text()]  # the executable ones


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    lab = LabServer(ROOT, tmp_path_factory.mktemp("jupyter"), env={})
    try:
        lab.start()
    except LabServerError as error:
        pytest.fail(str(error))
    yield lab.base_url, lab.token
    lab.stop()


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_served_as_a_notebook(server, chapter):
    base, token = server
    url = f"{base}/api/contents/chapters/{chapter.name}?type=notebook&content=1&token={token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        model = json.load(response)
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    code = [c["source"] for c in cells if c["cell_type"] == "code"]
    assert code and "from seqlib import" in "".join(code)
    assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"
