"""A JupyterLab server for tests: on 127.0.0.1 with a token, its own settings, and its log kept.

The browser tests drive it (`tests/browser`); `test_jupyter_server.py` asks its contents API
how Jupytext serves the chapters.

The server runs from this test's Python (the book's environment, so the kernel imports seqlib)
in a folder of its own, with fresh JupyterLab settings and workspaces (a learner's first
start, and no layout restored from an earlier run) and the environment given to it (the
quick profile, the data mirror). A server that exits or does not answer in time fails at
once with the tail of its log.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

# What the server's log says when a kernel died (jupyter_client's KernelRestarter).
KERNEL_DIED = ("KernelRestarter: restarting kernel", "KernelRestarter: restart failed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServerError(RuntimeError):
    """The server did not start, or died; the message ends with its log."""


class LabServer:
    """``jupyter lab`` serving ``root``, logging to ``state_dir/server.log``."""

    def __init__(self, root: Path, state_dir: Path, env: dict[str, str]) -> None:
        self.root = root
        self.state_dir = state_dir
        self.log_path = state_dir / "server.log"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.env = {
            **os.environ, **env,
            "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
            "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(state_dir / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(state_dir / "workspaces"),
        }
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lab_url(self) -> str:
        """JupyterLab's page, logged in with the token."""
        return f"{self.base_url}/lab?token={self.token}"

    def start(self, timeout_s: float = 90) -> None:
        """Start the server and wait until its REST API answers.

        Raises:
            LabServerError: if it exits, or does not answer within ``timeout_s``.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            env=self.env, cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise LabServerError(f"jupyter lab exited with status {self.process.returncode} "
                                     f"before it answered\n{self.log_tail()}")
            try:
                urllib.request.urlopen(f"{self.base_url}/api/status?token={self.token}", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise LabServerError(f"jupyter lab did not answer within {timeout_s:g} s\n"
                                         f"{self.log_tail()}") from None
                time.sleep(0.5)

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server's log, headed by its path."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError as error:
            return f"(no server log: {error})"
        head = f"--- last {min(lines, len(text))} lines of {self.log_path} ---"
        return "\n".join([head, *text[-lines:]])

    def kernel_died(self) -> bool:
        """Whether the log says a kernel died (and was restarted, or could not be)."""
        try:
            log = self.log_path.read_text(errors="replace")
        except OSError:
            return False
        return any(sign in log for sign in KERNEL_DIED)

    def stop(self) -> None:
        """Stop the server and its kernels (SIGTERM, then SIGKILL after 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)


@contextlib.contextmanager
def lab_on_chapter(chapter: Path, tmp_path: Path, mirror_dir: Path) -> Iterator[LabServer]:
    """JupyterLab on a copy of one chapter's pair, in the quick profile, on the data mirror.

    Raises:
        LabServerError: if the server does not start.
    """
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    for suffix in (".ipynb", ".md"):  # copy2: the pair keeps its timestamps, as in a checkout
        shutil.copy2(chapter.with_suffix(suffix), root / "chapters")
    server = LabServer(root, tmp_path / "jupyter", env={
        "SEQLIB_PROFILE": "quick", "SEQLIB_DATA_DIR": str(mirror_dir), "TF_CPP_MIN_LOG_LEVEL": "3"})
    server.start()
    try:
        yield server
    finally:
        server.stop()
