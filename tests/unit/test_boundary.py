"""The import contract (docs/architecture.md, "Layers"), checked on the source so it holds for
imports inside functions and under ``TYPE_CHECKING`` too:

- ``ragtune.core`` imports neither ``ragtune.gui`` nor the CLI (``ragtune.cli*``), nor the
  composition roots (``ragtune.gui.app``, ``ragtune.__main__``);
- the GUI, the CLI and the server (``ragtune.server``, ``ragtune serve``) reach the core only
  through its public surface (``CORE_PUBLIC``): the service
  facade, the value types and the pure formatting rules. Anything else of the core is internal.
- the CLI modules form no import cycle;
- importing the core and the CLI loads no Qt (checked by importing them in a fresh interpreter).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop" / "ragtune"

#: what the GUI and the CLI may import from ragtune.core
CORE_PUBLIC = frozenset(
    {
        "ragtune.core.services",  # the service API: Ragtune, its methods and results
        "ragtune.core.types",  # frozen value types: Hit, Citation, Progress, IndexReport, ...
        "ragtune.core.answer_types",  # answers, modes, adapters, chats; the mode and title rules
        "ragtune.core.units",  # sizes and durations as people read them
        "ragtune.core.locations",  # "file.pdf, p. 3" locators
        "ragtune.core.terminal_text",  # text from documents and names, safe to print in a terminal
        "ragtune.core.command_line",  # commands to copy, quoted for this system's shell
        "ragtune.core.library_names",  # the one rule for library names
        "ragtune.core.compare",  # the events svc.compare reports (CompareSources, CompareToken, ...)
        "ragtune.core.engine_profile",  # engine kinds, the plain-http warning, the API key's home
        "ragtune.core.catalogue",  # catalogue entries and how one fits a machine (svc.models.catalogue)
        "ragtune.core.embedder_types",  # a library's embedding model: options, plan, report, languages
        "ragtune.core.machine",  # Machine and Device values, the GPU build hint (svc.models.machine)
        # evaluation (svc.evaluation): its value types, figures, verdict words and exports
        "ragtune.core.evaluate.questions",  # Question, QuestionSet, Kind, Split, Origin
        "ragtune.core.evaluate.run_types",  # RunInfo, RunRecord, Result, GenerationReport
        "ragtune.core.evaluate.summary",  # a run's counts with intervals, recall@k, MRR
        "ragtune.core.evaluate.verdict",  # the verdict in plain words
        "ragtune.core.evaluate.report",  # a run as JSON, CSV and HTML
        "ragtune.core.evaluate.run_config",  # what differs between two runs' configurations
        "ragtune.core.evaluate.split",  # the split's defaults (DEFAULT_TEST_SHARE, DEFAULT_SEED)
        "ragtune.core.evaluate.judgements",  # a person's judgement of an answer, the rule's agreement
        # marks on answers (svc.evaluation.mark_answer): Mark, Verdict, MarkOutcome, the set's name
        "ragtune.core.marks",
        # the strength a new adapter's bench chose, kept beside it (StrengthChoice)
        "ragtune.core.adapter_strength",
        # fine-tuning: the trainer's options, progress events, result and the missing-extra message
        "ragtune.core.finetune.train_types",
        # fine-tuning (svc.finetune): its value types (Example, TrainingSetReport), defaults and words
        "ragtune.core.finetune.types",
        # the fine-tune workflow (svc.finetune.run): its stages, events, bench rule and result words
        "ragtune.core.finetune.workflow",
    }
)

#: known exceptions, each a core function the service API does not offer yet:
#: (importing module, imported core module) -> why
CORE_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every ragtune module ``path`` names in an import, wherever the import statement is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("ragtune"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ragtune"):
            for alias in node.names:  # ``from ragtune.core import locations`` names a module
                sub = f"{node.module}.{alias.name}"
                yield sub if _is_module(sub) else node.module


def _is_module(name: str) -> bool:
    base = PACKAGE.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _modules(*prefixes: str) -> dict[str, Path]:
    found = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {n: p for n, p in found.items() if any(n == x or n.startswith(x) for x in prefixes)}


def _violations(importers: dict[str, Path], allowed: frozenset[str]) -> list[str]:
    bad = []
    for name, path in sorted(importers.items()):
        for target in _imports(path):
            if not target.startswith("ragtune.core") or target in allowed:
                continue
            if target == "ragtune.core" or (name, target) in CORE_EXCEPTIONS:
                continue
            bad.append(f"{name} imports {target}")
    return bad


def test_core_imports_no_gui_and_no_cli() -> None:
    outer = ("ragtune.gui", "ragtune.cli", "ragtune.server", "ragtune.__main__")
    bad = [
        f"{name} imports {target}"
        for name, path in sorted(_modules("ragtune.core").items())
        for target in _imports(path)
        if target.startswith(outer)
    ]
    assert bad == []


def test_gui_and_cli_use_the_public_core_only() -> None:
    importers = _modules("ragtune.gui", "ragtune.cli", "ragtune.server", "ragtune.__main__")
    assert "ragtune.cli_answer" in importers
    assert "ragtune.server" in importers
    assert "ragtune.gui.main_window" in importers
    assert _violations(importers, CORE_PUBLIC) == []


def test_core_exceptions_are_still_needed() -> None:
    """An exception nobody needs any more is taken off the list."""
    used = {
        (name, target)
        for name, path in _modules("ragtune.gui", "ragtune.cli").items()
        for target in _imports(path)
    }
    assert set(CORE_EXCEPTIONS) - used == set()


def test_cli_modules_form_no_cycle() -> None:
    cli = {n: p for n, p in _modules("ragtune.cli").items() if "." not in n.removeprefix("ragtune.")}
    graph = {n: {t for t in _imports(p) if t in cli and t != n} for n, p in cli.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(t == goal or (t not in seen and reaches(t, goal, seen | {t})) for t in graph[start])

    assert [n for n in sorted(graph) if reaches(n, n, {n})] == []


def test_core_and_cli_do_not_import_pyside6() -> None:
    code = (
        "import sys, pkgutil, importlib, ragtune.core, ragtune.cli\n"
        "for m in pkgutil.walk_packages(ragtune.core.__path__, 'ragtune.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.startswith('PySide6'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
