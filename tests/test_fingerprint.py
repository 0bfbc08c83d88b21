"""Tests of tools.fingerprint on a tiny package: which definitions a chapter reaches, and which
changes to them count.

The package is called `seqlib`, as the book's, and lives in the test's folder. A chapter whose
one cell prints ``tables.a(...)`` reaches `a` and what `a` uses (a helper, a constant, an
imported name, a class and a function of another module), and nothing else: a change
anywhere else leaves its fingerprint as it was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.definitions import SourceError
from tools.fingerprint import as_python, fingerprint
from tools.provenance import definition_changes

ROOT = Path(__file__).resolve().parents[1]

TABLES = '''"""Tables."""

import math

from seqlib import helpers
from seqlib.helpers import Row

WIDTH = 3
"""How wide a column is."""


def _pad(text):
    return text.ljust(WIDTH)


def a(values):
    """Docstring of a."""
    row = Row(values)
    return _pad(helpers.joined(row.cells)) + str(math.pi)


def b(values):
    return "|".join(values)  # a comment
'''
HELPERS = '''"""Helpers."""


class Row:
    """A row."""

    def __init__(self, cells):
        self.cells = cells


def joined(cells):
    return ", ".join(cells)


def unused():
    return 1
'''
CELL = "from seqlib import tables\nprint(tables.a(['x']))"
REACHED = ["seqlib/__init__.py", "seqlib/helpers.py", "seqlib/helpers.py:Row",
           "seqlib/helpers.py:joined", "seqlib/tables.py", "seqlib/tables.py:WIDTH",
           "seqlib/tables.py:_pad", "seqlib/tables.py:a", "seqlib/tables.py:math"]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "seqlib"
    root.mkdir()
    (root / "__init__.py").write_text('"""The package."""\n')
    (root / "tables.py").write_text(TABLES)
    (root / "helpers.py").write_text(HELPERS)
    return root


def _reached(package: Path, cell: str = CELL) -> list[str]:
    return list(fingerprint([cell], package).definitions)


def _edit(package: Path, module: str, old: str, new: str) -> None:
    path = package / f"{module}.py"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def test_a_chapter_reaches_what_it_uses_and_what_that_uses(package):
    assert _reached(package) == REACHED  # neither tables.b nor helpers.unused


@pytest.mark.parametrize("cell", [
    "from seqlib.tables import a\na(['x'])",
    "import seqlib.tables as t\nt.a(['x'])",
    "import seqlib.tables\nseqlib.tables.a(['x'])",
    "from seqlib import tables as t\nt.a(['x'])",
    "def show():\n    from seqlib import tables\n    return tables.a(['x'])\n",
], ids=["from-module-import-name", "import-as", "import-dotted", "from-package-import-as",
        "import-in-a-function"])
def test_every_import_form_reaches_the_same(package, cell):
    assert _reached(package, cell) == REACHED


@pytest.mark.parametrize("module, old, new", [
    ("tables", "return \"|\".join(values)", "return \"/\".join(values)"),
    ("helpers", "return 1", "return 2"),
    ("tables", '"""Docstring of a."""', '"""Says more.\n\n    Returns: a string.\n    """'),
    ("tables", '"""How wide a column is."""', '"""How wide, in characters."""'),
    ("tables", "# a comment", "# another comment"),
    ("helpers", "def joined", "\n\ndef joined"),
    ("helpers", "def unused", 'if __name__ == "__main__":\n    print(1)\n\n\ndef unused'),
], ids=["tables.b", "helpers.unused", "docstring", "attribute docstring", "comment",
        "blank lines", "main block"])
def test_a_change_to_what_it_does_not_use_changes_nothing(package, module, old, new):
    before = fingerprint([CELL], package)
    _edit(package, module, old, new)
    assert fingerprint([CELL], package) == before


@pytest.mark.parametrize("module, old, new, reason", [
    ("tables", "text.ljust(WIDTH)", "text.rjust(WIDTH)", "seqlib/tables.py: _pad changed"),
    ("tables", "WIDTH = 3", "WIDTH = 4", "seqlib/tables.py: WIDTH changed"),
    ("tables", "import math", "import cmath as math", "seqlib/tables.py: math changed"),
    ("helpers", "self.cells = cells", "self.cells = list(cells)", "seqlib/helpers.py: Row changed"),
    ("helpers", '", ".join(cells)', '"; ".join(cells)', "seqlib/helpers.py: joined changed"),
    ("helpers", "class Row", "print('imported')\n\n\nclass Row",
     "seqlib/helpers.py: module-level code changed"),
    ("tables", "+ str(math.pi)", "+ b(['y'])", "seqlib/tables.py: a changed"),
], ids=["a helper a calls", "a constant a reads", "a name a imports", "a class a instantiates",
        "a function of another module a calls", "code run on import", "a itself"])
def test_a_change_to_what_it_uses_is_named(package, module, old, new, reason):
    before = fingerprint([CELL], package)
    _edit(package, module, old, new)
    after = fingerprint([CELL], package)
    assert after.value != before.value
    assert definition_changes(before.definitions, after.definitions)[0] == reason


def test_definitions_taken_up_or_dropped_are_named(package):
    before = fingerprint([CELL], package)
    _edit(package, "tables", "+ str(math.pi)", "+ b(['y'])")
    changes = definition_changes(before.definitions, fingerprint([CELL], package).definitions)
    assert changes == ["seqlib/tables.py: a changed", "seqlib/tables.py: b now used",
                       "seqlib/tables.py: math no longer used"]


@pytest.mark.parametrize("cell", [
    "from seqlib import tables\ngetattr(tables, 'a')(['x'])",
    "from seqlib import tables\ntables.made_at_run_time(['x'])",
    "from seqlib.tables import *\na(['x'])",
], ids=["module used as a value", "name the module does not define", "star import"])
def test_where_the_reading_stops_the_whole_module_counts(package, cell):
    reached = _reached(package, cell)
    assert {"seqlib/tables.py:a", "seqlib/tables.py:b"} <= set(reached)
    assert "seqlib/helpers.py:unused" not in reached


def test_globals_in_a_definition_bring_its_whole_module(package):
    _edit(package, "helpers", "return \", \".join(cells)", "return globals()['unused']()")
    assert "seqlib/helpers.py:unused" in _reached(package)


def test_a_registering_decorator_brings_its_definition_with_the_module(package):
    _edit(package, "helpers", "def unused",
          "@keras.saving.register_keras_serializable()\ndef unused")
    assert "seqlib/helpers.py:unused" in _reached(package)
    _edit(package, "helpers", "@keras.saving.register_keras_serializable()", "@functools.cache")
    assert "seqlib/helpers.py:unused" not in _reached(package)


REGISTRY = '''import importlib

BUILDERS = {"join": "seqlib.helpers:joined"}


def resolve(key):
    module, _, name = BUILDERS[key].partition(":")
    return getattr(importlib.import_module(module), name)
'''


def test_a_name_in_a_string_is_a_use_and_a_dynamic_import_reaches_every_such_name(package):
    (package / "registry.py").write_text(REGISTRY)
    reached = _reached(package, "from seqlib import registry\nregistry.BUILDERS['join']")
    assert "seqlib/helpers.py:joined" in reached and "seqlib/registry.py:resolve" not in reached
    (package / "elsewhere.py").write_text('NAME = "seqlib.helpers:unused"\n')
    assert "seqlib/helpers.py:unused" not in reached
    assert "seqlib/helpers.py:unused" in _reached(
        package, "from seqlib import registry\nregistry.resolve('join')")


def test_a_module_that_does_not_parse_is_named_with_its_line(package):
    _edit(package, "helpers", "return 1", "return = 1")
    with pytest.raises(SourceError) as raised:
        fingerprint([CELL], package)
    assert str(raised.value) == "seqlib/helpers.py, line 16: invalid syntax"


def test_magics_and_shell_escapes_parse():
    tree = as_python("%matplotlib inline\n!ls\nfrom seqlib import tables\n")
    assert any(getattr(node, "module", None) == "seqlib" for node in tree.body)


def test_invalid_cell_imports_nothing():
    assert as_python("def broken(:\n").body == []


def test_the_stale_check_imports_neither_tensorflow_nor_keras():
    code = ("import sys; from tools import stale; stale.main(); "
            "assert not {'tensorflow', 'keras'} & set(sys.modules), 'heavy modules imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "heavy modules imported" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
