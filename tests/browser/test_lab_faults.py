"""The JupyterLab tests fail well: a server that cannot start, a kernel that dies.

Each fault must fail at once with what a maintainer needs (the server log's tail, the step
reached), not run into a bare timeout.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import nbformat
import pytest

import jupyterlab as lab_ui
from lab_server import LabServer, LabServerError
from steps import StepFailed, Steps

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_server_that_cannot_start_fails_at_once_with_its_log(tmp_path: Path):
    server = LabServer(tmp_path, tmp_path / "jupyter", env={})
    with socket.socket() as taken:  # another program holds the server's port
        taken.bind(("127.0.0.1", server.port))
        taken.listen()
        started = time.monotonic()
        with pytest.raises(LabServerError, match=r"exited with status") as failure:
            server.start(timeout_s=60)
    assert time.monotonic() - started < 30, "the failure waited for the timeout"
    assert "last " in str(failure.value) and str(server.port) in str(failure.value), failure.value


def test_a_kernel_that_dies_fails_the_step_with_the_server_log(tmp_path: Path, own_driver,
                                                               screenshot_dir):
    root = tmp_path / "book"
    root.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    nbformat.write(notebook, root / "crash.ipynb")
    server = LabServer(root, tmp_path / "jupyter", env={})
    server.start()
    steps = Steps(own_driver, screenshot_dir / "lab-faults", diagnose=server.log_tail)
    try:
        with steps("open the notebook"):
            own_driver.get(server.lab_url)
            lab_ui.double_click_file(own_driver, "crash.ipynb")
            lab_ui.wait_until_idle(own_driver, server, "the kernel to start", lab_ui.UI_TIMEOUT_S)
        started = time.monotonic()
        with pytest.raises(StepFailed) as failure:
            with steps("run the cell that kills its kernel"):
                lab_ui.run_cells(own_driver, server, "Run All Cells", "the cell", 120)
    finally:
        server.stop()
    message = str(failure.value)
    assert time.monotonic() - started < 60, "the failure waited for the timeout"
    assert "step 2 'run the cell that kills its kernel' failed" in message, message
    assert "the kernel died" in message and "KernelRestarter" in message, message
