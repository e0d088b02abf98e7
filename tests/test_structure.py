"""Package structure: no import cycle among ``salespm_docs`` modules.

Every import counts, wherever it is written: at module level, under ``if TYPE_CHECKING:`` and inside
functions (a lazy import hides a cycle from the interpreter, not from the reader).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "salespm_docs"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The package module ``name`` refers to: itself, else its nearest enclosing module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Package modules that ``module`` imports (``from . import x`` counts as importing ``x``)."""
    is_package = path.name == "__init__.py"
    base = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                origin = f"{anchor}.{node.module}" if node.module else anchor
            else:
                origin = node.module or ""
            # ``from pkg import name``: a submodule if ``pkg.name`` is one, else an attribute of pkg.
            targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names]
        for target in targets:
            resolved = _resolve(target, modules) if target.startswith(PACKAGE) else None
            if resolved and resolved != module:
                found.add(resolved)
                found |= _enclosing_inits(module, resolved, modules)
    return found


def _enclosing_inits(module: str, target: str, modules: dict[str, Path]) -> set[str]:
    """The packages whose ``__init__`` importing ``target`` runs first, seen from ``module``.

    Importing ``salespm_docs.model.core`` from ``salespm_docs.facts`` runs ``salespm_docs/model/__init__``;
    from inside ``salespm_docs.model`` it does not (that package is already being imported).
    """
    inits = set()
    package = target.rpartition(".")[0]
    while package and package != PACKAGE:
        if package in modules and not (module == package or module.startswith(package + ".")):
            inits.add(package)
        package = package.rpartition(".")[0]
    return inits


def import_graph() -> dict[str, set[str]]:
    """``salespm_docs`` module → the ``salespm_docs`` modules it imports (anywhere in its source).

    Importing a submodule from outside its package also runs the package's ``__init__``: that
    counts as an import of the ``__init__`` too. From inside the package it does not (a package's
    ``__init__`` importing its own children is the normal layout, not a cycle).
    """
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(components)


def _path_within(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle inside a strongly connected component, for the failure message."""
    members = set(component)
    start = component[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in parents:
                    parents[w] = v
                    nxt.append(w)
        frontier = nxt
    return component


def test_graph_sees_every_kind_of_import():
    graph = import_graph()
    assert "salespm_docs.facts" in graph["salespm_docs.build"]          # module level
    assert "salespm_docs.render.pdf" in graph["salespm_docs.build"]     # inside a function
    assert "salespm_docs.model" in graph["salespm_docs.artifacts.registry"]  # under TYPE_CHECKING
    assert "salespm_docs.model" in graph["salespm_docs.figures.outcomes"]   # model.core runs model/__init__
    assert "salespm_docs.model" not in graph["salespm_docs.model.project"]


def test_cycle_finder_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert _path_within(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycle():
    graph = import_graph()
    cycles = [f"{', '.join(c)} (e.g. {' → '.join(_path_within(graph, c))})" for c in find_cycles(graph)]
    assert not cycles, "import cycles among salespm_docs modules:\n" + "\n".join(cycles)
