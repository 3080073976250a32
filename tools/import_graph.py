"""Count the import circles and the imports that run back up a layer in copro/.

``lint-imports`` (in CI) fails on an upward import; this script gives the
numbers docs/architecture.md quotes, counting every import: module-level,
inside functions and under ``if TYPE_CHECKING`` (the package's facade,
``copro/__init__.py``, is left out: it names everything on purpose).

Run: python tools/import_graph.py [--verbose] [REPO]   (REPO: another checkout)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

_GIVEN = [a for a in sys.argv[1:] if not a.startswith("-")]
REPO = Path(_GIVEN[0]).resolve() if _GIVEN else Path(__file__).resolve().parent.parent
LAYERS = {"cli": 5, "site": 4, "web": 4, "views": 3, "write": 3, "store": 2, "hub": 1, "core": 0}
"""Package -> height; an import from a lower package to a higher one runs back up."""


def modules() -> dict[str, Path]:
    found = {}
    for path in (REPO / "copro").rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The copro modules ``name`` imports (a ``from package import module`` counts the module)."""

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            if target.startswith("copro"):
                resolved = resolve(target)
                if resolved and resolved != name:
                    out.add(resolved)
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package(module: str) -> str:
    """``copro.store.index`` -> ``store``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def height(module: str) -> int | None:
    return LAYERS.get(package(module))


def main() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items() if name != "copro"}
    for targets in graph.values():
        targets.discard("copro")
    loops = circles(graph)
    upward = sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if (h := height(source)) is not None and (t := height(target)) is not None and t > h
    )
    across = sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if {package(source), package(target)} == {"views", "write"}
    )
    print(f"{len(known)} modules, {sum(map(len, graph.values()))} imports")
    print(f"circles: {len(loops)}")
    print(f"imports running back up a layer: {len(upward)}")
    print(f"imports between views and writers: {len(across)}")
    if "--verbose" in sys.argv:
        for loop in loops:
            print("  circle:", " ".join(loop))
        for source, target in upward:
            print("  up:", source, "->", target)
        for source, target in across:
            print("  across:", source, "->", target)


if __name__ == "__main__":
    main()
