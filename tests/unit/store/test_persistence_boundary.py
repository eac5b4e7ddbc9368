"""Only store/ imports the ORM tables (DESIGN.md, Rules of the house): every other module asks a repository.

Every module of the package is parsed (not imported) and its imports read: `import edugateway.store.tables`,
`from edugateway.store.tables import …`, `from edugateway.store import tables`, and the relative forms of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import edugateway

PACKAGE = Path(edugateway.__file__).parent
TABLES = "edugateway.store.tables"

# Modules that still read the tables themselves, until their queries move into store/ repositories. This list
# only shrinks: a module taken off it must not come back, and no module may be added.
NOT_YET_MOVED: frozenset[str] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, node: ast.ImportFrom, *, is_package: bool) -> str:
    """The absolute name a `from … import` reads from, relative imports resolved against `module`."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts[: len(parts) - node.level + (1 if is_package else 0)]  # a package's `.` is itself
    return ".".join([*base, node.module] if node.module else base)


def imports_tables(module: str, tree: ast.Module, *, is_package: bool = False) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name == TABLES or alias.name.startswith(TABLES + ".") for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node, is_package=is_package)
            if source == TABLES or source.startswith(TABLES + "."):
                return True
            if source == "edugateway.store" and any(alias.name == "tables" for alias in node.names):
                return True
    return False


def _modules() -> dict[str, tuple[ast.Module, bool]]:
    """module name -> (its syntax tree, whether it is a package's __init__)."""
    return {
        _module_name(path): (ast.parse(path.read_text(encoding="utf-8")), path.name == "__init__.py")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _inside_store(name: str) -> bool:
    return name == "edugateway.store" or name.startswith("edugateway.store.")


def test_only_store_imports_the_tables() -> None:
    offenders = sorted(
        name
        for name, (tree, is_package) in _modules().items()
        if not _inside_store(name) and name not in NOT_YET_MOVED and imports_tables(name, tree, is_package=is_package)
    )
    assert offenders == [], f"these modules import {TABLES}; ask a repository in edugateway.store: {offenders}"


def test_the_list_of_modules_not_yet_moved_only_shrinks() -> None:
    modules = _modules()
    moved = sorted(name for name in NOT_YET_MOVED if name not in modules or not imports_tables(name, modules[name][0]))
    assert moved == [], f"these modules no longer import the tables: take them off NOT_YET_MOVED: {moved}"


def test_the_check_sees_every_form_of_the_import() -> None:
    forms = [
        "import edugateway.store.tables",
        "from edugateway.store.tables import PersonRow",
        "from edugateway.store import tables",
        "from ..store.tables import PersonRow",
        "from ..store import tables",
        "def f():\n    from edugateway.store.tables import SyncRunRow",
    ]
    for source in forms:
        assert imports_tables("edugateway.web.pages", ast.parse(source)), source
    assert not imports_tables("edugateway.web.pages", ast.parse("from edugateway.store.db import Database"))
    assert imports_tables("edugateway.store", ast.parse("from . import tables"), is_package=True)
