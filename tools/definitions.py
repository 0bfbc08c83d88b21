"""A seqlib module read as its top-level definitions, and the code that runs on import.

A top-level definition is a function, a class, an assignment to names, or an import of a name
from outside the package (its own one-name statement); an import from the package defines
nothing, its names are followed to where they are defined. Bare strings (docstrings, attribute
docstrings) are dropped everywhere. The rest runs on import and defines nothing (a call, a
loop, an ``if`` or ``try`` block, a ``from __future__`` import): the module's own code, except
an ``if __name__ == "__main__"`` block, which never runs on import. A definition under a
decorator other than the usual ones (`USUAL_DECORATORS`) may register itself somewhere
(Keras's ``register_keras_serializable``): it is *registered*, it runs with its module.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

from tools.problems import BookError

USUAL_DECORATORS = frozenset({
    "dataclass", "dataclasses.dataclass", "property", "staticmethod", "classmethod",
    "functools.cache", "functools.lru_cache", "functools.cached_property", "functools.wraps",
    "functools.total_ordering", "contextlib.contextmanager", "typing.overload"})
NAMED = re.compile(r"\w+(?:\.\w+)+(?::\w+)?")  # "seqlib.models:build_gru", "seqlib.models.x"


class SourceError(BookError):
    """A seqlib module that does not parse: ``seqlib/windows.py, line 513: invalid syntax``."""


def module_path(name: str, package_dir: Path) -> Path | None:
    """The file of module `name` (``seqlib.windows``) under `package_dir`, or None if none."""
    parts = name.split(".")
    if parts[0] != package_dir.name:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from ... import`` statement imports from, made absolute."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


def imported(tree: ast.Module, package: str) -> set[str]:
    """Every module name `tree` imports, made absolute (`package` holds the importing module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def bindings(tree: ast.Module, package: str, top: str) -> dict[str, set[str]]:
    """The names that `tree`'s imports (wherever they stand) bind to things of the package
    `top`, with what they name (``{"windows": {"seqlib.windows"}}``); ``"*"`` holds the
    modules imported with a star."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs = [(alias.asname or alias.name.partition(".")[0],
                      alias.name if alias.asname else alias.name.partition(".")[0])
                     for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            pairs = [(alias.asname or alias.name,
                      base if alias.name == "*" else f"{base}.{alias.name}")
                     for alias in node.names]
        else:
            continue
        for name, target in pairs:
            if target.partition(".")[0] == top:
                found.setdefault(name, set()).add(target)
    return found


def _strip_docstrings(tree: ast.Module) -> ast.Module:
    """`tree` without its bare strings (docstrings, attribute docstrings), in every body."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list):
                setattr(node, field, [statement for statement in statements if not (
                    isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str))])
    return tree


def _is_main_block(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.If) and ast.unparse(statement.test) in (
        "__name__ == '__main__'", "'__main__' == __name__")


def _is_registered(statement: ast.stmt) -> bool:
    """Whether a definition carries a decorator that may register it somewhere."""
    decorators = getattr(statement, "decorator_list", [])
    return any(ast.unparse(d.func if isinstance(d, ast.Call) else d) not in USUAL_DECORATORS
               for d in decorators)


def _defined(statement: ast.stmt, top: str) -> list[tuple[str, ast.stmt]] | None:
    """The names a top-level statement defines, each with the statement that counts for it,
    or None for code that runs without defining (a call, an ``if`` block, ...).

    An import of a name outside the package `top` is a definition (its own one-name
    statement); an import from the package defines nothing: its names are followed.
    """
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [(statement.name, statement)]
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = getattr(statement, "targets", None) or [statement.target]
        names = [node for target in targets for node in ast.walk(target)]
        if all(isinstance(node, (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.Load, ast.Store))
               for node in names):
            return [(node.id, statement) for node in names if isinstance(node, ast.Name)]
        return None
    if isinstance(statement, ast.Import):
        return [(alias.asname or alias.name.partition(".")[0], ast.Import(names=[alias]))
                for alias in statement.names if alias.name.partition(".")[0] != top]
    if isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
        if statement.level or (statement.module or "").partition(".")[0] == top:
            return []
        if any(alias.name == "*" for alias in statement.names):
            return None
        return [(alias.asname or alias.name,
                 ast.ImportFrom(module=statement.module, names=[alias], level=0))
                for alias in statement.names]
    return None


@dataclasses.dataclass
class Module:
    """A parsed module: its name (``seqlib.windows``), its entry key (``seqlib/windows.py``),
    the package its relative imports start from, its tree, what its imports of the package
    bind, its definitions by name, its own code and its registered definitions. The code
    cells of a chapter make one too (``name`` and ``key`` empty)."""

    name: str
    key: str
    package: str
    tree: ast.Module
    bindings: dict[str, set[str]]
    definitions: dict[str, list[ast.stmt]] = dataclasses.field(default_factory=dict)
    code: list[ast.stmt] = dataclasses.field(default_factory=list)
    registered: list[str] = dataclasses.field(default_factory=list)


def parse_module(name: str, path: Path, root: Path) -> Module:
    """The module `name` of file `path`, sorted into definitions and module-level code.

    Raises:
        SourceError: if the file is not valid Python.
    """
    key = path.relative_to(root).as_posix()
    try:
        tree = _strip_docstrings(ast.parse(path.read_text(encoding="utf-8"), filename=key))
    except SyntaxError as error:
        raise SourceError(f"{key}, line {error.lineno}: {error.msg}") from None
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = name.partition(".")[0]
    module = Module(name, key, package, tree, bindings(tree, package, top))
    for statement in tree.body:
        defined = _defined(statement, top)
        if defined is None:
            if not _is_main_block(statement):
                module.code.append(statement)
            continue
        for defined_name, counted in defined:
            module.definitions.setdefault(defined_name, []).append(counted)
            if _is_registered(statement):
                module.registered.append(defined_name)
    return module


def uses(nodes: list[ast.AST]) -> Iterator[list[str]]:
    """Every name `nodes` read, with the attributes read from it: ``windows.make_batch`` gives
    ``["windows", "make_batch"]``, ``getattr(windows, name)`` gives ``["windows"]``."""
    inner: set[int] = set()
    for node in nodes:
        for sub in ast.walk(node):  # breadth first: an attribute comes before its base
            if id(sub) in inner:
                continue
            if isinstance(sub, ast.Attribute):
                chain, base = [], sub
                while isinstance(base, ast.Attribute):
                    chain.append(base.attr)
                    inner.add(id(base.value))
                    base = base.value
                if isinstance(base, ast.Name):
                    yield [base.id, *reversed(chain)]
            elif isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Store):
                yield [sub.id]


def named(nodes: list[ast.AST], top: str) -> Iterator[list[str]]:
    """What the strings of `nodes` name in the package `top`, when a whole string is a name:
    ``"seqlib.models:build_gru"`` gives ``["seqlib", "models", "build_gru"]``."""
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) \
                    and NAMED.fullmatch(sub.value) and sub.value.split(".")[0] == top:
                yield sub.value.replace(":", ".").split(".")
