"""Entry point: ``ragtune`` with no arguments opens the window; with a command, the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from ragtune.console import usable_streams

    usable_streams()  # before anything prints: no console (a windowed .exe), or a cp1252 pipe
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] == "gui":
        from ragtune.gui.app import run_gui  # Qt is loaded only for the window

        return run_gui(args[1:])
    from ragtune.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
