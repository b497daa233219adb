"""The project's imports flow one way: no module imports, at the top or inside a function,
a module that imports it back through any chain (issue 22 found three such circles:
moo_core.api ↔ engine ↔ lockstep, pages._shared ↔ pages._workshop, worker.loop ↔ worker.race).

The graph is read from the source: `import a.b`, `from a import b` (b a module, or a name a
package maps to its module with `lazy_names`), relative imports resolved; a package's own
__init__ is not an edge of its submodules (Python runs it first, but it is no import back)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("moo_core", "storage", "worker", "ui", "pages")


def modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def lazy_map(tree: ast.Module) -> dict[str, str]:
    """A package's `_WHERE = {"name": "module", …}` (moo_core.registry.lazy_names)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_WHERE" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    return {}


def graph() -> dict[str, set[str]]:
    known = modules()
    trees = {name: ast.parse(path.read_text()) for name, path in known.items()}
    lazy = {name: lazy_map(tree) for name, tree in trees.items()}
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, tree in trees.items():
        package = name if known[name].name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = []
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    if full in known:
                        targets.append(full)
                    elif alias.name in lazy.get(base, {}):
                        targets.append(lazy[base][alias.name])
                    else:
                        targets.append(base)
            else:
                continue
            edges[name] |= {t for t in targets if t in known and t != name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_project_has_no_import_circle():
    assert circles(graph()) == []


def test_the_check_finds_a_circle():
    """Not vacuous: a circle, direct or through lazy names and relative imports, is found."""
    edges = graph()
    assert edges["moo_core.engine"] >= {"moo_core.steps", "moo_core.outcomes"}
    edges["moo_core.outcomes"] = edges["moo_core.outcomes"] | {"moo_core.engine"}
    assert ["moo_core.engine", "moo_core.outcomes"] in circles(edges)
