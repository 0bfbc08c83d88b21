"""Tests of tools/doctor.py (make doctor): every gap it finds names its fix."""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

import pytest

from tools import doctor

ROOT = Path(__file__).resolve().parents[1]
Usage = collections.namedtuple("Usage", "total used free")


def test_this_machine_is_ready():
    done = subprocess.run([sys.executable, "tools/doctor.py"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("make doctor: ready (Python 3.")


def test_an_old_python_is_named_with_the_fix(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 10, 12))
    monkeypatch.setattr(sys, "version", "3.10.12 (main)")
    [problem] = doctor.problems(browser=False)
    assert "Python 3.11 or newer is needed" in problem and "is 3.10.12" in problem
    assert "make book PYTHON=python3.11" in problem


def test_missing_npm_is_named_when_the_javascript_is_not_there_yet(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "ROOT", str(tmp_path))
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    assert any("apt-get install npm" in problem for problem in doctor.problems(browser=False))
    (tmp_path / "_static_offline").mkdir()
    (tmp_path / "_static_offline" / ".copied").touch()
    assert not any("npm" in problem for problem in doctor.problems(browser=False))


@pytest.mark.parametrize("installed, free_gb, short", [(False, 3.0, True), (True, 3.0, False),
                                                       (True, 0.2, True)])
def test_disk_space_needed_depends_on_whether_the_venv_is_there(monkeypatch, tmp_path,
                                                                installed, free_gb, short):
    monkeypatch.setattr(doctor, "ROOT", str(tmp_path))
    if installed:
        (tmp_path / ".venv").mkdir()
        (tmp_path / ".venv" / ".installed").touch()
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: Usage(0, 0, free_gb * 1e9))
    problems = [p for p in doctor.problems(browser=False) if "GB free" in p]
    assert bool(problems) == short, problems


def test_browser_needs_chromedriver_or_root(monkeypatch):
    monkeypatch.setattr(doctor, "CHROMEDRIVER", "/nonexistent/chromedriver")
    monkeypatch.setattr(doctor.os, "geteuid", lambda: 1000)
    problems = doctor.problems(browser=True)
    assert any("sudo apt-get install --no-install-recommends chromium chromium-driver" in p
               for p in problems)
    monkeypatch.setattr(doctor.os, "geteuid", lambda: 0)
    assert not any("chromium" in p for p in doctor.problems(browser=True))
