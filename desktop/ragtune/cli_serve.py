"""``ragtune serve --library NAME [--host 127.0.0.1] [--port 8000] [--token TOKEN]``: a library as
an OpenAI-compatible endpoint (``ragtune.server``). Loopback by default; any other interface needs
a bearer token (``--token`` or ``RAGTUNE_SERVE_TOKEN``), checked before anything binds."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from ragtune.cli_options import add_library_option
from ragtune.core import command_line
from ragtune.core.library_names import library_name
from ragtune.core.terminal_text import one_line
from ragtune.errors import LibraryNotFound

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune

DEFAULT_PORT = 8000


def cmd_serve(svc: Ragtune, args: argparse.Namespace) -> int:
    import uvicorn  # imported here: the other commands start without the web stack

    from ragtune.server import TOKEN_ENV, check_bind, create_app

    token: str | None = args.token or os.environ.get(TOKEN_ENV) or None
    check_bind(args.host, token)
    library = library_name(args.library)
    if library not in {lib.name for lib in svc.library.libraries()}:
        raise LibraryNotFound(
            f"There is no library named {library!r}. Index one first: "
            + (command_line.command("index", "FOLDER", "--library", library) or "ragtune index FOLDER --library NAME")
        )
    print(
        f"Serving library {library!r} as model 'ragtune:{one_line(library)}' on "
        f"http://{args.host}:{args.port}/v1" + (" (bearer token required)" if token else ""),
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(create_app(svc, library, token), host=args.host, port=args.port, log_level="warning")
    return 0


def add_serve_command(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve a library as an OpenAI-compatible endpoint")
    add_library_option(p)
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--token", help="bearer token clients must send (default: $RAGTUNE_SERVE_TOKEN)")
    p.set_defaults(func=cmd_serve)
