"""Composition root of the window: logging, then the GUI (``ragtune`` with no arguments)."""

from __future__ import annotations

from ragtune import logging_setup


def run_app(argv: list[str]) -> int:
    """Open the Ragtune window; returns the process exit code."""
    logging_setup.configure()
    from ragtune.gui.app import run_gui

    return run_gui(argv)
