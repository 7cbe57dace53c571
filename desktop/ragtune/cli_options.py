"""Options several commands share: ``--library`` with the core's default library
(``core.library_names.default_library``), resolved once the service is open."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ragtune.core.library_names import DEFAULT_LIBRARY, LEGACY_DEFAULT_LIBRARY


def add_library_option(parser: argparse.ArgumentParser) -> None:
    """``--library/-l NAME``; when left out, the default library (``resolve_library``)."""
    parser.add_argument(
        "--library", "-l", default=None,
        help=f"the library (default: {DEFAULT_LIBRARY!r}, or {LEGACY_DEFAULT_LIBRARY!r} where only that one exists)",
    )
    parser.set_defaults(library_has_default=True)


def resolve_library(args: argparse.Namespace, default: Callable[[], str]) -> None:
    """Put ``default()`` where ``add_library_option``'s ``--library`` was left out (only then is
    the library database opened for it: ``ragtune models`` never touches it)."""
    if getattr(args, "library_has_default", False) and args.library is None:
        args.library = default()
