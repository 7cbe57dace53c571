"""The core and the CLI never import Qt (design.md: one direction, Qt-free core)."""

from __future__ import annotations

import subprocess
import sys


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
