"""Every Qt ``Signal`` declared in ``desktop/ragtune/gui`` is listened to: connected somewhere in
``desktop/ragtune`` (``.NAME.connect(``), or waited on by a GUI test (``qtbot.waitSignal``,
``waitSignals``, ``assertNotEmitted`` or a ``.NAME.connect(`` in tests/), the hooks tests use to
know that work is done. A signal nobody listens to is dead code: it is taken out, not kept.
Checked on the source (an AST walk for the declarations, a text search for the uses)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desktop" / "ragtune"
TESTS = ROOT / "tests"
WAITS = re.compile(r"(?:waitSignals?|assertNotEmitted)\((?P<args>[^)]*)\)")


def _declared() -> list[tuple[str, str]]:
    """``(file, name)`` of each ``name = Signal(...)`` in a class body under gui/."""
    found = []
    for path in sorted((PACKAGE / "gui").rglob("*.py")):
        for cls in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(cls, ast.ClassDef):
                continue
            for node in cls.body:
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name)
                    and node.value.func.id == "Signal"
                ):
                    found += [(path.name, t.id) for t in node.targets if isinstance(t, ast.Name)]
    return found


def _text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py")))


def _waited_on(tests: str) -> set[str]:
    """Signal names that tests wait on or connect to."""
    names = set(re.findall(r"\.(\w+)\.connect\(", tests))
    for match in WAITS.finditer(tests):
        names |= set(re.findall(r"\.(\w+)\b", match["args"]))
    return names


def test_the_check_sees_declarations_and_waits() -> None:
    declared = _declared()
    assert ("tasks.py", "finished") in declared  # Job.finished
    assert len(declared) > 40
    waits = _waited_on("with qtbot.waitSignal(view.compare_finished, timeout=5):\nx.shown.connect(f)")
    assert waits == {"compare_finished", "shown"}


def test_every_gui_signal_is_connected_or_waited_on() -> None:
    source = _text(PACKAGE)
    waited = _waited_on(_text(TESTS))
    dead = [
        f"{file}: {name}"
        for file, name in _declared()
        if f".{name}.connect(" not in source and name not in waited
    ]
    assert dead == []
