"""What produced a chapter's outputs: its code cells and the seqlib definitions they reach.

The code cells reach the top-level definitions (functions, classes, assignments, imported
names) of seqlib modules that they use: ``windows.make_batch`` after ``from seqlib import
windows``, ``make_batch`` after ``from seqlib.windows import make_batch``, ``w.make_batch``
after ``import seqlib.windows as w``. A definition reaches in turn every name its code uses:
the module's other top-level names and the seqlib names it imports; a class brings its whole
body. A string that names a seqlib definition whole, ``"seqlib.models:build_gru"`` (the
registry names builders and loaders so), is a use of it too. Each reached definition is
digested by its syntax tree without docstrings (every bare string) and line numbers, so
comments, docstrings and layout do not count; any other change does. Entries are named
``seqlib/tables.py:summary_markdown``.

What a module defines, and what runs on import, is read by `tools.definitions`. The code that
runs on import but defines nothing is the module's own entry, ``seqlib/tables.py``: it counts
for every chapter that imports the module, directly or through other modules, and so does a
definition that may register itself (under an unusual decorator).

Where the code escapes this reading, the whole module counts: a name the module does not
define (``windows.made_at_run_time``), a module used as a value (``getattr(windows, name)``),
``from seqlib.x import *``, ``globals()``, ``eval`` or ``exec``. A dynamic import
(``importlib.import_module``, ``__import__``) reaches what any string of the package names
(a module name built at run time escapes this). Nothing is imported: files are parsed.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

from tools.definitions import Module, bindings, imported, module_path, named, parse_module, uses

PACKAGE = "seqlib"
WHOLE_MODULE = frozenset({"globals", "eval", "exec"})
DYNAMIC_IMPORT = frozenset({"__import__", "import_module"})


def digest(text: str) -> str:
    """A short SHA-256 digest of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cell_digest(source: str) -> str:
    """The digest of a code cell's source (surrounding blank space ignored)."""
    return digest(source.strip())


def as_python(source: str) -> ast.Module:
    """A code cell parsed as Python, IPython's magics and shell escapes turned into calls.

    A cell that is not valid Python gives an empty module: it imports nothing.
    """
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _statements_digest(statements: list[ast.stmt]) -> str:
    return digest(json.dumps([ast.dump(statement) for statement in statements]))


class _Reach:
    """The definitions of the package at `package_dir` that some code reaches, with digests."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir
        self.parsed: dict[str, Module | None] = {}
        self.found: dict[str, str] = {}
        self.resolved: set[tuple[str, ...]] = set()
        self.dynamic = False
        self.todo: list[tuple[Module, list[ast.AST]]] = []

    def module(self, name: str) -> Module | None:
        """The module `name` (``seqlib.windows``) parsed, or None if it is not in the package."""
        if name not in self.parsed:
            path = module_path(name, self.package_dir)
            self.parsed[name] = (None if path is None
                                 else parse_module(name, path, self.package_dir.parent))
        return self.parsed[name]

    def run(self, cells: Module) -> dict[str, str]:
        """Reach from the code cells `cells`; the digests of what they reach, by entry."""
        for name in imported(cells.tree, ""):
            self.load(name)
        for star in cells.bindings.get("*", ()):
            self.whole(star)
        self.todo.append((cells, [cells.tree]))
        while self.todo:
            module, nodes = self.todo.pop()
            for chain in uses(nodes):
                self.follow(module, chain)
            for parts in named(nodes, self.package_dir.name):
                self.resolve(parts)
        return dict(sorted(self.found.items()))

    def load(self, name: str) -> None:
        """Importing module `name` runs it and its parent packages: their module-level code,
        registered definitions and star imports, and the modules they import in turn."""
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            module = self.module(".".join(parts[:end]))
            if module is None or module.key in self.found:
                continue
            self.found[module.key] = _statements_digest(module.code)
            self.todo.append((module, module.code))
            for defined in module.registered:
                self.define(module, defined)
            for star in module.bindings.get("*", ()):
                self.whole(star)
            for other in imported(module.tree, module.package):
                self.load(other)

    def define(self, module: Module, name: str) -> None:
        """Reach the top-level definition `name` of `module`."""
        key = f"{module.key}:{name}"
        if key not in self.found:
            self.found[key] = _statements_digest(module.definitions[name])
            self.todo.append((module, module.definitions[name]))

    def whole(self, name: str) -> None:
        """Reach every definition of module `name`, and what its imported names name."""
        module = self.module(name)
        if module is None:
            return
        self.load(name)
        for defined in module.definitions:
            self.define(module, defined)
        for targets in module.bindings.values():
            for target in targets:
                if self.module(target) is None:
                    self.resolve(target.split("."))

    def follow(self, module: Module, chain: list[str]) -> None:
        """Reach what a name read in `module`'s code names (`chain`: it and its attributes)."""
        if chain[0] in WHOLE_MODULE:
            self.whole(module.name)
        if (chain[0] in DYNAMIC_IMPORT or chain[-1] in DYNAMIC_IMPORT) and not self.dynamic:
            self.dynamic = True  # it may import whatever a string of the package names
            for path in sorted(self.package_dir.rglob("*.py")):
                parts = path.relative_to(self.package_dir.parent).with_suffix("").parts
                name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                for target in named([self.module(name).tree], self.package_dir.name):
                    self.resolve(target)
        if chain[0] in module.definitions:
            self.define(module, chain[0])
        for target in module.bindings.get(chain[0], ()):
            self.resolve(target.split(".") + chain[1:])

    def resolve(self, parts: list[str]) -> None:
        """Reach what the absolute dotted name `parts` (``seqlib.windows.make_batch``) names."""
        if tuple(parts) in self.resolved or self.module(parts[0]) is None:
            return
        self.resolved.add(tuple(parts))
        name = parts[0]
        self.load(name)
        for index, part in enumerate(parts[1:], start=1):
            module = self.module(name)
            if part in module.definitions or part in module.bindings:
                self.follow(module, parts[index:])
                return
            if self.module(f"{name}.{part}") is None:
                self.whole(name)  # a name the module does not define: made at run time?
                return
            name = f"{name}.{part}"
            self.load(name)
        self.whole(name)  # a module used as a value


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """The digests of a chapter's code cells, in order, and of the seqlib definitions they
    reach, by entry (``seqlib/tables.py:summary_markdown``; ``seqlib/tables.py``: its
    module-level code)."""

    cells: tuple[str, ...]
    definitions: dict[str, str]

    @property
    def value(self) -> str:
        """One digest of it all."""
        return digest(json.dumps([list(self.cells), sorted(self.definitions.items())]))


def fingerprint(cell_sources: list[str], package_dir: Path) -> Fingerprint:
    """The fingerprint of code cells `cell_sources`, reaching into the package at `package_dir`.

    Raises:
        tools.definitions.SourceError: if a module the cells reach is not valid Python.
    """
    cells = ast.Module(body=[node for source in cell_sources for node in as_python(source).body],
                       type_ignores=[])
    reached = _Reach(package_dir).run(
        Module("", "", "", cells, bindings(cells, "", package_dir.name)))
    return Fingerprint(tuple(cell_digest(source) for source in cell_sources), reached)
