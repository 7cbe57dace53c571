"""``ragtune embedder [list | download NAME | use NAME]``: the embedding models a library can use,
their download, and switching a library to one (its passages embedded again; the old index answers
until the new one is complete; Ctrl+C stops, and the same command resumes)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ragtune.cli_options import add_library_option
from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.core.units import format_size

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune


def cmd_embedder(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.action == "download":
        return _download(svc, _name(args))
    if args.action == "use":
        return _use(svc, args.library, _name(args), args.yes)
    return _list(svc, args.library, args.json)


def _name(args: argparse.Namespace) -> str:
    if not args.name:
        raise SystemExit(f"usage: ragtune embedder {args.action} NAME (see `ragtune embedder list`)")
    return str(args.name)


def _list(svc: Ragtune, library: str, as_json: bool) -> int:
    mix = svc.library.embedders.languages(library)
    options = svc.library.embedders.options(library, mix)
    if as_json:
        print(json.dumps({
            "library": library, "languages": dict(mix.shares),
            "models": [{
                "name": o.name, "model_id": o.model_id, "installed": o.installed, "current": o.current,
                "recommended": o.recommended,
                **({} if o.entry is None else {
                    "dimension": o.entry.dimension, "max_tokens": o.entry.max_tokens, "size": o.entry.size,
                    "languages": o.entry.languages, "license": o.entry.license,
                    "scifact_ndcg10": o.entry.scifact_ndcg10, "scifact_source": o.entry.scifact_source,
                }),
            } for o in options],
        }, indent=1, ensure_ascii=False))
        return 0
    print(f"Library {one_line(library)!s}" + (f": text in {mix.describe()}" if mix.passages else ": nothing indexed yet")
          + (" (mostly not English: a multilingual model is recommended)" if mix.mostly_not_english else ""))
    for o in options:
        marks = "* " if o.current else ("★ " if o.recommended else "  ")
        state = "in use" if o.current else ("embedded" if o.entry and o.entry.embedded else
                                            "downloaded" if o.installed else "download")
        print(f"{marks}{one_line(o.name)}  [{state}]" + (" recommended" if o.recommended and o.current else ""))
        e = o.entry
        if e is None:
            continue
        quality = (f"SciFact nDCG@10 {e.scifact_ndcg10:.3f} · source: {e.scifact_source}" if e.scifact_ndcg10
                   else e.scifact_source or "no SciFact figure")
        print(f"    {e.dimension} dimensions · reads {e.max_tokens:,} tokens · {format_size(e.size)} · "
              f"{e.languages} · {e.license}\n    {quality}\n    {e.notes}")
    print("\n* the library's model; ★ recommended for its languages. Switch with: "
          "ragtune embedder use NAME --library LIBRARY")
    return 0


def _download(svc: Ragtune, name: str) -> int:
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        try:
            folder = svc.library.embedders.download(name, progress=bar, cancel=cancel)
        finally:
            bar.close()
    print(f"Downloaded and verified in {one_line(str(folder))}")
    return 0


def _use(svc: Ragtune, library: str, name: str, yes: bool) -> int:
    plan = svc.library.embedders.plan(library, name)
    if plan.unchanged and plan.unfinished_switch:
        report = svc.library.embedders.change(library, plan.new_model)
        print(f"Library {one_line(library)} keeps {one_line(plan.new_name)}; the unfinished switch to "
              f"{one_line(report.dropped_switch)} was dropped.")
        return 0
    if plan.unchanged:
        print(f"Library {one_line(library)} already uses {one_line(plan.new_name)}.")
        return 0
    current = f"{one_line(plan.current_model)} ({plan.current_dim} dimensions)" if plan.current_model else "none yet"
    print(f"Library {one_line(library)}: {current} → {one_line(plan.new_name)} ({plan.new_dim} dimensions).\n"
          + (f"The model ({format_size(plan.download_bytes)}) is downloaded first.\n" if plan.needs_download else "")
          + f"{plan.passages} passages will be embedded again"
          + (f" ({plan.resumable} done by an earlier start are kept)" if plan.resumable else "")
          + "; the library keeps answering with its current model until the new index is complete.")
    if not yes and not _confirmed():
        print("Nothing was changed.")
        return 1
    if plan.needs_download:
        _download(svc, plan.new_model)
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        try:
            report = svc.library.embedders.change(library, plan.new_model, progress=bar, cancel=cancel)
        finally:
            bar.close()
    if report.cancelled:
        print(for_terminal(f"Stopped at {report.resumed_from + report.embedded} of {report.total} passages; "
                           "the library still uses its old model. Run the same command to resume."),
              file=sys.stderr)
        return 130
    print(f"Library {one_line(library)} now uses {one_line(plan.new_name)}: {report.embedded} passages "
          f"embedded in {report.seconds:.0f} s" + (f" ({report.resumed_from} kept from before)" if report.resumed_from else "") + ".")
    return 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("Add --yes to confirm (no terminal to ask in).", file=sys.stderr)
        return False
    try:
        return input("Continue? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def add_embedder_command(sub: Any) -> None:
    p = sub.add_parser(
        "embedder",
        help="a library's embedding model: list the choices, download one, switch the library to one",
    )
    p.add_argument("action", nargs="?", choices=["list", "download", "use"], default="list")
    p.add_argument("name", nargs="?", metavar="NAME", help="a catalogue name or model id")
    add_library_option(p)
    p.add_argument("--yes", "-y", action="store_true", help="use: switch without asking")
    p.add_argument("--json", action="store_true", help="list: as JSON")
    p.set_defaults(func=cmd_embedder)
