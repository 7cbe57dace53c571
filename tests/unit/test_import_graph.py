"""No import circles among the ragtune modules, checked on the source (an AST walk, like
tests/unit/test_boundary.py): a circle makes the import order matter and hides which module is the
lower layer. Two circles were broken this way (``engine_profile`` and ``openai_engine`` now share
``server_profile``; ``window_actions`` gets the window's slots handed in).

- at import time: the module-level imports (those inside functions and under ``if TYPE_CHECKING:``
  run later or never), with no exception;
- at all: every import statement, in functions and under ``TYPE_CHECKING`` too, with the one known
  circle listed below (``KNOWN``) until it is broken.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop" / "ragtune"

#: circles that remain (through imports inside functions), each with why: sorted module names
KNOWN: dict[tuple[str, ...], str] = {
    ("ragtune.core.answer_types", "ragtune.core.instruction_like", "ragtune.core.types"): (
        "instruction_like builds answer_types' SentenceFlag inside a function; answer_types and "
        "types import its sentence builder"
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The ragtune modules one import statement names (``from ragtune.core import x`` names x)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name in MODULES)
    elif node.module and node.module.startswith("ragtune"):
        for alias in node.names:
            sub = f"{node.module}.{alias.name}"
            yield sub if sub in MODULES else node.module


def _statements(body: Iterable[ast.stmt], everywhere: bool) -> Iterator[ast.stmt]:
    """The statements of ``body`` and of the blocks inside them: module level only (classes,
    ``if``/``try``/``with`` blocks, not functions nor ``if TYPE_CHECKING:``), or ``everywhere``."""
    for node in body:
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node) and not everywhere:
            yield from _statements(node.orelse, everywhere)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not everywhere:
            continue
        for block in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, block, []), everywhere)
        for handler in getattr(node, "handlers", []):
            yield from _statements(handler.body, everywhere)
        for case in getattr(node, "cases", []):
            yield from _statements(case.body, everywhere)


def _graph(everywhere: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {
            target
            for node in _statements(tree.body, everywhere)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _targets(node)
            if target != name
        }
    return graph


def _circles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_walk_sees_imports_in_functions_and_under_type_checking() -> None:
    """The checks below can fail: a circle in a made-up graph is found, and the walk reads the
    import statements it should (a lazy import is seen only when looking everywhere)."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]
    tree = ast.parse(
        "import ragtune.paths\n"
        "if TYPE_CHECKING:\n    import ragtune.errors\n"
        "def f():\n    import ragtune.settings\n"
    )

    def seen(everywhere: bool) -> set[str]:
        return {
            t
            for n in _statements(tree.body, everywhere)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for t in _targets(n)
        }

    assert seen(False) == {"ragtune.paths"}
    assert seen(True) == {"ragtune.paths", "ragtune.errors", "ragtune.settings"}


def test_no_import_circle_at_import_time() -> None:
    assert _circles(_graph(everywhere=False)) == []


def test_no_import_circle_at_all_but_the_known_ones() -> None:
    """Lazy imports (in a function, under TYPE_CHECKING) close circles too; only ``KNOWN`` stay,
    and one that is broken is taken off the list."""
    assert _circles(_graph(everywhere=True)) == sorted(KNOWN)
