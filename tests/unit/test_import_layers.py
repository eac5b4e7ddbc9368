"""No import cycle between the package's subpackages (a rule of the house, DESIGN.md).

Every module of the installed package is parsed, never imported: each `import` and `from ... import` (relative
ones resolved, those inside functions and under TYPE_CHECKING too) becomes an edge between the subpackages of
the importing and the imported module. A top-level module (`errors.py`, `logs.py`) is a layer of its own.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import edugateway

PACKAGE = "edugateway"
PACKAGE_DIR = Path(edugateway.__file__).resolve().parent


@dataclass(frozen=True)
class ModuleImport:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}) imports {self.imported}"


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _imported_modules(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - node.level + 1]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    if target == PACKAGE:  # `from edugateway import sync` names the subpackage itself
        return [f"{PACKAGE}.{alias.name}" for alias in node.names]
    return [target]


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def package_imports() -> list[ModuleImport]:
    found: list[ModuleImport] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        module, is_package = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for imported in _imported_modules(node, module, is_package):
                if imported.split(".")[0] == PACKAGE:
                    found.append(ModuleImport(module, getattr(node, "lineno", 0), imported))
    return found


def layer_edges(imports: list[ModuleImport]) -> dict[tuple[str, str], list[ModuleImport]]:
    edges: dict[tuple[str, str], list[ModuleImport]] = defaultdict(list)
    for item in imports:
        source, target = _layer(item.module), _layer(item.imported)
        if source is not None and target is not None and source != target:
            edges[(source, target)].append(item)
    return edges


def strongly_connected(nodes: set[str], successors: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components; a component of more than one layer is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(successors.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return components


def test_the_parser_sees_the_package_and_resolves_relative_imports() -> None:
    imports = package_imports()
    assert len({item.module for item in imports}) > 50
    tree = ast.parse("from . import a\nfrom ..b import c\nfrom .d import e")
    nodes = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    resolved = [_imported_modules(node, "edugateway.sync.engine", is_package=False) for node in nodes]
    assert resolved == [["edugateway.sync"], ["edugateway.b"], ["edugateway.sync.d"]]
    assert _imported_modules(nodes[0], "edugateway.sync", is_package=True) == ["edugateway.sync"]


def test_no_import_cycle_between_subpackages() -> None:
    edges = layer_edges(package_imports())
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        successors[source].add(target)
    nodes = {layer for edge in edges for layer in edge}
    cycles = [component for component in strongly_connected(nodes, successors) if len(component) > 1]
    report: list[str] = []
    for component in cycles:
        report.append(f"cycle between {', '.join(sorted(component))}:")
        for (source, target), items in sorted(edges.items()):
            if source in component and target in component:
                report.append(f"  {source} -> {target}:")
                report.extend(f"    {item}" for item in items)
    assert not cycles, "\n".join(report)
