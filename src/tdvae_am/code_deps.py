"""The library modules a workflow script runs: its import closure within ``tdvae_am``.

Snakemake's code trigger sees only a rule's script, and DVC sees only the deps a stage
lists, so both are given the closure computed here (by reading imports with ``ast``,
without importing anything): the rules take it as inputs, and ``dvc.yaml``'s stage deps
are generated from it (``python -m tdvae_am.code_deps``). Importing ``a.b.c`` runs the
packages' ``__init__`` files too, so they belong to the closure.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

PACKAGE = "tdvae_am"
SRC = Path(__file__).resolve().parent


def _module_file(module: str, src: Path) -> Path | None:
    """``src/a/b.py`` or ``src/a/b/__init__.py`` of the dotted ``module`` (None outside the package)."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = src.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _dotted(path: Path, src: Path) -> str:
    rel = path.relative_to(src).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, src: Path) -> set[str]:
    """Dotted names of the package modules ``path`` imports (``from x import y`` counts ``x.y``
    when ``y`` is a submodule), resolving relative imports."""
    own = _dotted(path, src) if path.is_relative_to(src) else ""
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] == PACKAGE}


@cache
def _closure(path: Path, src: Path) -> frozenset[Path]:
    seen: set[Path] = set()
    todo = [path]
    while todo:
        for module in _imported_modules(todo.pop(), src):
            parts = module.split(".")
            # the module and every package above it are executed on import
            for i in range(1, len(parts) + 1):
                found = _module_file(".".join(parts[:i]), src)
                if found is not None and found not in seen:
                    seen.add(found)
                    todo.append(found)
    return frozenset(seen)


def import_closure(script: str | Path, src: str | Path = SRC) -> list[str]:
    """Sorted paths (relative to the repository root, i.e. ``src``'s grandparent) of every
    ``tdvae_am`` module that running ``script`` imports, directly or indirectly."""
    src = Path(src).resolve()
    root = src.parent.parent
    return sorted(p.relative_to(root).as_posix() for p in _closure(Path(script).resolve(), src))


def main(argv: list[str]) -> None:
    """``python -m tdvae_am.code_deps SCRIPT...``: print the closure of the scripts."""
    for script in argv:
        print("\n".join(import_closure(script)))


if __name__ == "__main__":
    main(sys.argv[1:])
