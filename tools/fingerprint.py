"""What produced a chapter's outputs: its code cells and the code of the seqlib modules it reaches.

A module's digest is taken of its syntax tree without docstrings and without line numbers, so
comments, docstrings and blank lines do not count; any other change does. The modules are those
the code cells import from `seqlib`, and those these import, transitively (every `import`
statement counts, wherever it stands). Nothing is imported: the files are parsed.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

PACKAGE = "seqlib"


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


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:]
    return tree


def code_digest(source: str) -> str:
    """The digest of a module's code: its syntax tree, without docstrings and line numbers."""
    return digest(ast.dump(_without_docstrings(ast.parse(source))))


def imported(tree: ast.Module, package: str) -> set[str]:
    """Every module name `tree` imports, made absolute (`package` holds the importing module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


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


def reached_modules(trees: list[ast.Module], package_dir: Path) -> dict[str, Path]:
    """The modules of `package_dir` that `trees` import, transitively, with their parent
    packages (importing ``seqlib.windows`` runs ``seqlib/__init__.py``), by name."""
    found: dict[str, Path] = {}
    pending = [(tree, package_dir.name) for tree in trees]
    while pending:
        tree, package = pending.pop()
        for name in sorted(imported(tree, package)):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                module = ".".join(parts[:end])
                path = module_path(module, package_dir)
                if path is None or module in found:
                    continue
                found[module] = path
                parent = module if path.name == "__init__.py" else module.rpartition(".")[0]
                pending.append((ast.parse(path.read_text(encoding="utf-8")), parent))
    return dict(sorted(found.items()))


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """The digests of a chapter's code cells, in order, and of the seqlib modules they reach."""

    cells: tuple[str, ...]
    modules: dict[str, str]

    @property
    def value(self) -> str:
        """One digest of it all."""
        return digest(json.dumps([list(self.cells), sorted(self.modules.items())]))


def fingerprint(cell_sources: list[str], package_dir: Path) -> Fingerprint:
    """The fingerprint of code cells `cell_sources`, reaching into the package at `package_dir`."""
    modules = reached_modules([as_python(source) for source in cell_sources], package_dir)
    return Fingerprint(
        cells=tuple(cell_digest(source) for source in cell_sources),
        modules={name: code_digest(path.read_text(encoding="utf-8"))
                 for name, path in modules.items()},
    )
