"""The command line: ``ragtune index | search | libraries | remove | doctor | models | adapters |
ask | compare | history | eval | prepare | serve``. Same service API as the window; errors go to stderr with a
non-zero exit code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ragtune import logging_setup, paths
from ragtune.cli_answer import add_answer_commands
from ragtune.cli_embedders import add_embedder_command
from ragtune.cli_eval import add_eval_commands
from ragtune.cli_history import add_history_command
from ragtune.cli_models import add_models_command
from ragtune.cli_options import add_library_option, resolve_library
from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c, guarded_output
from ragtune.cli_serve import add_serve_command
from ragtune.cli_train import add_train_commands
from ragtune.core import command_line
from ragtune.core.answer_types import SHIPPED_ADAPTER_STRENGTH, shipped_adapter_path
from ragtune.core.locations import locator
from ragtune.core.services import Ragtune
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.core.types import Hit, Progress, Stage
from ragtune.errors import DatabaseDamaged, RagtuneError, for_cli, plain_reason

EXIT_DAMAGED = 3  # the library database is damaged (see EXIT_CODES, shown by --help)
EXIT_CODES = (
    "exit codes: 0 done; 1 doctor found problems that re-indexing repairs; 2 an error (the message "
    "says what to do); 3 the library database is damaged (the message says how to move it aside); "
    "130 cancelled"
)


def hit_json(hit: Hit) -> dict[str, object]:
    return {
        "path": hit.path,
        "page": hit.page,
        "location": locator(hit.path, hit.page, ocr=hit.ocr),
        "score": round(hit.score, 6),
        "text": hit.text,
        "title": hit.title,
        "start": hit.start,
        "end": hit.end,
        "chunk_id": hit.chunk_id,
        "keyword_rank": hit.keyword_rank,
        "vector_rank": hit.vector_rank,
    }


def cmd_index(svc: Ragtune, args: argparse.Namespace) -> int:
    bar = ProgressBar()

    def progress(p: Progress) -> None:
        if p.stage == Stage.WAITING:  # another run indexes this library: say so at once, on stderr
            print(for_terminal(p.current), file=sys.stderr, flush=True)
        else:
            bar(p)

    with cancel_on_ctrl_c() as cancel:
        try:
            report = svc.library.index(args.library, args.paths, progress=progress, cancel=cancel, force=args.force)
        finally:
            bar.close()
    print(
        f"Library {report.library!r}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed, {report.chunks_written} chunks "
        f"written in {report.seconds:.1f} s."
    )
    for note in report.notes:
        print(one_line(note))
    if report.skipped:
        print(f"Skipped {one_line(report.skipped_sentence())}.")
    if report.failed:
        print(f"{len(report.failed)} file(s) could not be indexed:")
        for f in report.failed:
            print(f"  {one_line(f.path)}: {one_line(plain_reason(f.reason, f.detail))}")
    for source in report.missing_sources:
        command = command_line.command("remove", source, "--library", report.library)
        print(
            f"Missing source: {one_line(source)} is not there (a disconnected drive, or a moved or deleted "
            "folder?). Its documents are kept; to drop them: "
            + (command or "ragtune remove with that path (it contains control characters, so no command "
                          "to copy is shown)")
        )
    if report.cancelled:
        print("Cancelled. The library is consistent; run the same command again to resume.")
        return 130
    return 0


def cmd_search(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.queries:
        text = Path(args.queries).read_text(encoding="utf-8")
        queries = [line.strip() for line in text.splitlines() if line.strip()]
    elif args.query:
        queries = [args.query]
    else:
        raise RagtuneError("Give a QUERY or --queries FILE.")
    results = svc.library.search_many(args.library, queries, k=args.k)
    for query, hits in zip(queries, results, strict=True):
        if args.json:
            print(json.dumps({"query": query, "hits": [hit_json(h) for h in hits]}, ensure_ascii=False))
            continue
        print(f"Results for {query!r}:" if len(queries) > 1 else "", end="\n" if len(queries) > 1 else "")
        if not hits:
            print("No results.")
        for rank, h in enumerate(hits, 1):
            snippet = for_terminal(" ".join(h.text.split())[:160], single_line=True)
            print(f"{rank:2d}. {one_line(h.path)}, {locator(h.path, h.page, short=False, ocr=h.ocr)}  (score {h.score:.4f})\n    {snippet}")
    return 0


def cmd_libraries(svc: Ragtune, args: argparse.Namespace) -> int:
    libs = svc.library.libraries()
    if not libs:
        print("No libraries yet. Create one with: ragtune index PATH --library NAME")
    for lib in libs:
        s = svc.library.stats(lib.name)
        embedder = f", embedder {one_line(s.embedder)}" if s.embedder else ""
        print(f"{one_line(lib.name)}: {s.documents} documents ({s.failed} failed), {s.pages} pages, "
              f"{s.chunks} chunks{embedder}")
        if s.switch_sentence():
            model = s.unfinished_switch[0] if s.unfinished_switch else ""
            command = command_line.command("embedder", "use", model, "--library", lib.name)
            print(f"    {s.switch_sentence()}: {command or 'ragtune embedder use NAME --library LIBRARY'}")
        if s.instructions_sentence():
            print(
                f"    {s.instructions_sentence()}; the shipped adapter resists them: "
                + (command_line.command("ask", "--adapter", f"{shipped_adapter_path()}:{SHIPPED_ADAPTER_STRENGTH:g}")
                   or "ragtune ask --adapter cite-and-decline.gguf")
            )
        if s.reindex_sentence():
            command = command_line.command("index", "--library", lib.name, "--rebuild")
            print(f"    {s.reindex_sentence()}: {command or 'ragtune index --library NAME --rebuild'}")
        if s.hidden_sentence():
            print(f"    {s.hidden_sentence()}, not indexed (ragtune doctor lists the files)")
        for src in lib.sources:
            missing = "  (MISSING: not found; its documents are kept)" if src in lib.missing else ""
            print(f"    source: {one_line(src)}{missing}")
        for path in lib.excluded:
            print(f"    excluded: {one_line(path)}")
    return 0


def cmd_remove(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.list:
        excluded = svc.library.exclusions(args.library)
        if not excluded:
            print(f"Nothing is excluded from {args.library!r}.")
        for path in excluded:
            print(one_line(path))
        return 0
    if not args.path:
        raise RagtuneError("Give the PATH to remove, or --list to see what was removed from inside sources.")
    removed = svc.library.remove(args.library, args.path)
    print(f"Removed {one_line(args.path)} from {args.library!r} ({removed} document(s)).")
    target = str(Path(args.path).expanduser().resolve())
    if target in svc.library.exclusions(args.library):
        command = command_line.command("index", target, "--library", args.library)
        print(
            "It stays out when the library is re-scanned. To add it back: "
            + (command or "the path contains control characters; rename it first, then index it")
        )
    return 0


def cmd_doctor(svc: Ragtune, args: argparse.Namespace) -> int:
    report = svc.library.doctor()
    for line in report.lines:
        print(one_line(line))
    for name in report.needs_reindex:
        command = command_line.command("index", "--library", name, "--rebuild")
        print(f"To re-index {one_line(name)!r}: {command or 'ragtune index --library NAME --rebuild'}")
    print("OK: the library database is consistent." if report.ok else "PROBLEMS FOUND.")
    return 0 if report.ok else 1


def cmd_prepare(svc: Ragtune, args: argparse.Namespace) -> int:
    bar = ProgressBar()
    try:
        svc.models.ensure_models(progress=bar)
    finally:
        bar.close()
    print(f"Embedded models ready in {one_line(paths.models_dir())}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ragtune", description="Cited answers from your own documents, offline.", epilog=EXIT_CODES
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="add files or folders to a library and bring it up to date")
    p.add_argument("paths", nargs="*", help="files or folders (none: re-scan the library's sources)")
    add_library_option(p)
    p.add_argument(
        "--rebuild", "--force", dest="force", action="store_true",
        help="read, split and embed every document again (after a chunking change)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="hybrid keyword + vector search")
    p.add_argument("query", nargs="?")
    p.add_argument("--queries", help="a file with one query per line")
    add_library_option(p)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("libraries", help="list libraries")
    p.set_defaults(func=cmd_libraries)

    p = sub.add_parser(
        "remove",
        help="remove a source, or a file or folder inside one, from a library (it stays out on re-scans)",
    )
    p.add_argument("path", nargs="?")
    add_library_option(p)
    p.add_argument("--list", action="store_true", help="list what was removed from inside sources")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser(
        "doctor",
        help="check the library database for consistency (exit 1: problems re-indexing repairs; "
        "3: the file is damaged)",
    )
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("prepare", help="assemble and verify the embedded models")
    p.set_defaults(func=cmd_prepare)

    add_answer_commands(sub)
    add_history_command(sub)
    add_eval_commands(sub)
    add_models_command(sub)
    add_embedder_command(sub)
    add_serve_command(sub)
    add_train_commands(sub)
    return parser


def run_cli(argv: list[str]) -> int:
    logging_setup.configure()
    with guarded_output():  # what a document or a file name carries is shown, never obeyed
        return _run(argv)


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        with Ragtune() as svc:
            resolve_library(args, svc.library.default_library)
            result: int = args.func(svc, args)
            if svc.library.read_only_note():
                print(svc.library.read_only_note(), file=sys.stderr)
            return result
    except DatabaseDamaged as exc:  # also doctor's answer: not "problems found" (1), a damaged file
        print(f"error: {for_terminal(for_cli(exc))}", file=sys.stderr)
        return EXIT_DAMAGED
    except RagtuneError as exc:
        print(f"error: {for_terminal(for_cli(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
