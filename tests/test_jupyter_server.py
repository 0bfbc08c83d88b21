"""Learners open the Markdown chapters in JupyterLab: Jupytext must serve them as notebooks."""

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "chapters").glob("*.md"))
CHAPTERS = [page for page in PAGES if "kernelspec:" in page.read_text()]  # the executable ones


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port, token = _free_port(), secrets.token_hex(16)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={ROOT}", "--ServerApp.open_browser=False", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"jupyter server did not start: {process.stderr.read()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    process.terminate()
    process.wait(timeout=20)


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
