"""Tests of tools.fingerprint on a small package: what counts as a change of code, what does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.fingerprint import as_python, code_digest, fingerprint, reached_modules

ROOT = Path(__file__).resolve().parents[1]

MODULE = '''"""Module docstring."""

import os


def scale(value):
    """Docstring of scale."""
    return value * 2  # a comment


class Window:
    """Docstring of Window."""

    size = 3
'''


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """`pkg`: a imports b absolutely, b imports c relatively, c imports nothing of pkg."""
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text('"""The package."""\n')
    (root / "a.py").write_text("from pkg import b\n")
    (root / "b.py").write_text("from .c import helper\n")
    (root / "c.py").write_text("def helper():\n    import json\n    return json\n")
    (root / "unused.py").write_text("x = 1\n")
    return root


@pytest.mark.parametrize("edit", [
    lambda s: s.replace('"""Module docstring."""', '"""Another docstring, longer."""'),
    lambda s: s.replace('"""Docstring of scale."""', '"""Doubles.\n\n    Args: value.\n    """'),
    lambda s: s.replace("# a comment", "# another comment"),
    lambda s: s.replace("import os\n", "import os  # the os\n\n\n"),
], ids=["module docstring", "function docstring", "comment", "blank lines"])
def test_docstrings_comments_and_layout_do_not_change_the_digest(edit):
    assert code_digest(edit(MODULE)) == code_digest(MODULE)


@pytest.mark.parametrize("edit", [
    lambda s: s.replace("value * 2", "value * 3"),
    lambda s: s.replace("size = 3", "size = 3\n    step = 1"),
    lambda s: s + "LIMIT = 1\n",
    lambda s: s.replace('"""Docstring of Window."""', '"""Docstring of Window."""\n    x = "doc"'),
], ids=["constant", "class attribute", "appended line", "string after the docstring"])
def test_a_code_change_changes_the_digest(edit):
    assert code_digest(edit(MODULE)) != code_digest(MODULE)


def test_magics_and_shell_escapes_parse():
    tree = as_python("%matplotlib inline\n!ls\nfrom pkg import a\n")
    assert any(getattr(node, "module", None) == "pkg" for node in tree.body)


def test_invalid_cell_imports_nothing():
    assert as_python("def broken(:\n").body == []


def test_modules_are_reached_transitively_with_their_package(package):
    found = reached_modules([as_python("from pkg import a")], package)
    assert list(found) == ["pkg", "pkg.a", "pkg.b", "pkg.c"]


@pytest.mark.parametrize("cell", ["import pkg.c", "from pkg.c import helper",
                                  "import pkg.c as c", "def f():\n    from pkg import c\n"])
def test_every_import_form_counts(package, cell):
    assert list(reached_modules([as_python(cell)], package)) == ["pkg", "pkg.c"]


def test_names_that_are_not_modules_and_other_packages_are_ignored(package):
    found = reached_modules([as_python("from pkg import helper_name\nimport numpy, os")], package)
    assert list(found) == ["pkg"]


def test_fingerprint_changes_with_a_reached_module_only(package):
    cells = ["from pkg import a", "print(a)"]
    before = fingerprint(cells, package)
    (package / "unused.py").write_text("x = 2\n")
    assert fingerprint(cells, package) == before
    documented = '"""Now documented."""\n' + (package / "c.py").read_text()
    (package / "c.py").write_text(documented)
    assert fingerprint(cells, package) == before
    (package / "c.py").write_text("def helper():\n    return None\n")
    after = fingerprint(cells, package)
    assert after.value != before.value
    changed = [name for name in after.modules if after.modules[name] != before.modules[name]]
    assert changed == ["pkg.c"]


def test_the_stale_check_imports_neither_tensorflow_nor_keras():
    code = ("import sys; from tools import stale; stale.main(); "
            "assert not {'tensorflow', 'keras'} & set(sys.modules), 'heavy modules imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "heavy modules imported" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
