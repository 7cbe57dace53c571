"""CLI commands that use the chat model: ``ask``, ``compare``, ``engine``, ``models``, ``adapters``
(``history`` is in ``cli_history``).

An answer that could not be saved to the history (another writer held the database past the busy
time-out, a full disk) is still printed, with a note on stderr saying so, and the exit code stays 0:
the answer itself is good. Under ``--json`` the object's ``history_error`` carries the note."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ragtune.cli_options import add_library_option
from ragtune.cli_progress import cancel_on_ctrl_c
from ragtune.core.answer_types import (
    AdapterSpec,
    Answer,
    CompareEvent,
    CompareSources,
    CompareToken,
    Mode,
    mode_label,
)
from ragtune.core.engine_profile import EngineKind, http_warning, store_api_key
from ragtune.core.locations import locator, place
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.core.types import Hit

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune


def _print_citations(answer: Answer) -> None:
    if answer.citations:
        print("Sources:")
        for c in answer.citations:
            snippet = one_line(" ".join(c.text.split())[:100])
            print(f"  [{c.n}] {one_line(c.path)}, {locator(c.path, c.page, short=False, ocr=c.ocr)}: {snippet}")


def evidence_lines(answer: Answer, emphasis: bool = False) -> list[str]:
    """The "Evidence:" block: per citation, the sentence the answer rests on with the fact marked
    (bold on a terminal, else between ⟦ ⟧; cut at the core's offsets), and where it is."""
    lines: list[str] = []
    for c in answer.citations:
        if not c.has_evidence:
            continue
        before, mark, after = (for_terminal(one_line(re.sub(r"\s+", " ", p))) for p in c.mark_parts())
        if mark:
            mark = f"\x1b[1m{mark}\x1b[0m" if emphasis else f"\u27e6{mark}\u27e7"
        sentence = f"{before}{mark}{after}".strip()
        where = one_line(place(c.path, c.page, short=False, ocr=c.ocr))
        lines.append(f"  [{c.n}] \u201c{sentence}\u201d ({where})")
    return ["Evidence:", *lines] if lines else []


def flag_lines(answer: Answer) -> list[str]:
    """The warnings printed after an answer's sources: each flagged sentence with the core's
    reason (``Answer.flagged_sentences``)."""
    return [f"\u26a0 \u201c{one_line(f.sentence)}\u201d: {f.reason}." for f in answer.flagged_sentences]


def _timings_line(answer: Answer) -> str:
    t = answer.timings
    return (
        f"first token {t.time_to_first_token_s:.2f} s, {t.tokens_per_s:.1f} tokens/s, "
        f"{t.prompt_tokens} prompt tokens, {t.completion_tokens} answer tokens"
    )


def _apply_model(svc: Ragtune, args: argparse.Namespace) -> None:
    """The engine options (``--engine openai --endpoint URL --remote-model NAME``) for this
    command, then ``--model``; a plain-http remote server is warned about on stderr."""
    engine = getattr(args, "engine", None)
    if engine or getattr(args, "endpoint", None) or getattr(args, "remote_model", None):
        s = svc.settings
        svc.settings = replace(
            s,
            engine=engine or (EngineKind.OPENAI if args.endpoint else s.engine),
            engine_url=args.endpoint or s.engine_url,
            engine_model=args.remote_model or s.engine_model,
        )
    if svc.settings.engine != EngineKind.LOCAL:
        warning = http_warning(svc.settings.engine_url) if svc.settings.engine_url else None
        if warning:
            print(for_terminal(warning), file=sys.stderr)
    if getattr(args, "model", None):
        svc.models.load_model(args.model)


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", type=EngineKind, choices=list(EngineKind), help="in-process model or an OpenAI-compatible server")
    p.add_argument("--endpoint", metavar="URL", help="the server, e.g. http://127.0.0.1:8080/v1")
    p.add_argument("--remote-model", metavar="NAME", help="the server's model (default: its first)")


def cmd_ask(svc: Ragtune, args: argparse.Namespace) -> int:

    _apply_model(svc, args)
    adapters = [AdapterSpec.parse(a) for a in args.adapter]
    for spec in adapters:
        svc.models.check_adapter(spec.path)

    def on_token(piece: str) -> None:
        if not args.json:  # with --json, stdout is one JSON document and nothing else
            sys.stdout.write(for_terminal(piece))
            sys.stdout.flush()

    def on_sources(hits: list[Hit]) -> None:
        if not args.json and hits:
            names = ", ".join(one_line(place(h.path, h.page, ocr=h.ocr)) for h in hits)
            print(f"(searching {len(hits)} passage(s): {names})", file=sys.stderr)

    with cancel_on_ctrl_c() as cancel:
        answer = svc.ask(
            args.question,
            library=None if args.no_rag else args.library,
            rag=not args.no_rag,
            adapters=adapters,
            on_sources=on_sources,
            on_token=on_token,
            cancel=cancel,
        )
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        if answer.declined:
            sys.stdout.write(for_terminal(answer.text))
        print()
        if answer.revised_from:  # what streamed said nothing; the answer made again follows
            print(f"Revised answer: {for_terminal(answer.text)}")
        _print_citations(answer)
        for line in evidence_lines(answer, emphasis=sys.stdout.isatty()):
            print(line)
        for line in flag_lines(answer):
            print(for_terminal(line))
        print(f"({_timings_line(answer)})", file=sys.stderr)
        for note in answer.notes:  # e.g. the question was shortened to fit
            print(f"Note: {for_terminal(note)}", file=sys.stderr)
    if answer.history_error:  # the answer above stands; only the history lacks it (exit code 0)
        print(for_terminal(answer.history_error), file=sys.stderr)
    if answer.error:
        print(f"error: {for_terminal(answer.error)}", file=sys.stderr)
        return 2
    return 130 if answer.cancelled else 0


def cmd_compare(svc: Ragtune, args: argparse.Namespace) -> int:

    _apply_model(svc, args)
    adapters = [AdapterSpec.parse(a) for a in args.adapter]
    for spec in adapters:
        svc.models.check_adapter(spec.path)

    def on_event(event: CompareEvent) -> None:
        if args.json:
            return
        if isinstance(event, CompareSources):
            print(f"\n=== {mode_label(event.mode)} ===", flush=True)
        elif isinstance(event, CompareToken):
            sys.stdout.write(for_terminal(event.text))
            sys.stdout.flush()

    with cancel_on_ctrl_c() as cancel:
        answers = svc.compare(args.question, args.library, adapters, on_event=on_event, cancel=cancel)
    failed = [a for a in answers if a.error]
    if answers and answers[0].history_error:
        print(for_terminal(answers[0].history_error), file=sys.stderr)
    for a in failed:
        print(f"error ({mode_label(a.mode)}): {for_terminal(a.error)}", file=sys.stderr)
    if args.json:
        print(json.dumps([a.to_json() for a in answers], ensure_ascii=False))
        return 2 if failed else 0
    print("\n")
    width = max(len(m.label) for m in Mode)
    print(f"{'mode':<{width}}  first token  tokens/s  prompt  citations")
    for a in answers:
        t = a.timings
        print(
            f"{mode_label(a.mode):<{width}}  {t.time_to_first_token_s:9.2f} s  "
            f"{t.tokens_per_s:8.1f}  {t.prompt_tokens:6d}  "
            + ", ".join(f"[{c.n}] {one_line(place(c.path, c.page, ocr=c.ocr))}" for c in a.citations)
        )
    return 0


def cmd_adapters(svc: Ragtune, args: argparse.Namespace) -> int:
    _apply_model(svc, args)
    info = svc.models.check_adapter(args.path)
    if info.architecture == "server":
        print(f"OK: {one_line(info.name)} is loaded on the server at {one_line(svc.settings.engine_url)}.")
        return 0
    print(f"OK: {one_line(info.name)} fits the current model ({info.architecture}, {info.tensors} tensors, alpha {info.alpha:g}).")
    return 0


def cmd_engine(svc: Ragtune, args: argparse.Namespace) -> int:
    """``ragtune engine [show | set local|openai --endpoint URL --remote-model NAME --key-stdin]``:
    the saved engine profile; the key goes to the OS keyring, never to the settings file."""
    s = svc.settings
    if args.action == "set":
        if not args.kind:
            raise SystemExit("usage: ragtune engine set local|openai [--endpoint URL] ...")
        s = replace(
            s, engine=args.kind, engine_url=args.endpoint or s.engine_url,
            engine_model=args.remote_model if args.remote_model is not None else s.engine_model,
        )
        if s.engine != EngineKind.LOCAL and not s.engine_url:
            raise SystemExit("ragtune engine set openai needs --endpoint URL")
        svc.update_settings(s)
        if args.key_stdin:
            store_api_key(s.engine_url, sys.stdin.readline().strip())
            print("API key stored in the OS keyring.", file=sys.stderr)
    if s.engine == EngineKind.LOCAL:
        print("engine: local (in-process llama.cpp)")
        return 0
    print(f"engine: {s.engine}\nendpoint: {one_line(s.engine_url)}\nmodel: {one_line(s.engine_model or '(the first the server lists)')}")
    warning = http_warning(s.engine_url)
    if warning:
        print(for_terminal(warning), file=sys.stderr)
    return 0


def add_answer_commands(sub: Any) -> None:
    p = sub.add_parser("ask", help="ask a question; the answer cites file and page")
    p.add_argument("question")
    add_library_option(p)
    p.add_argument("--no-rag", action="store_true", help="answer from the model alone")
    p.add_argument("--adapter", action="append", default=[], metavar="PATH[:STRENGTH]")
    p.add_argument("--model", help="a catalogue name or a GGUF path")
    p.add_argument("--json", action="store_true")
    _add_engine_options(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("compare", help="model alone vs RAG vs adapter vs RAG + adapter")
    p.add_argument("question")
    add_library_option(p)
    p.add_argument("--adapter", action="append", default=[], metavar="PATH[:STRENGTH]")
    p.add_argument("--model")
    p.add_argument("--json", action="store_true")
    _add_engine_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("engine", help="show or set the engine: in-process or an OpenAI-compatible server")
    p.add_argument("action", nargs="?", choices=["show", "set"], default="show")
    p.add_argument("kind", nargs="?", type=EngineKind, choices=list(EngineKind))
    p.add_argument("--endpoint", metavar="URL")
    p.add_argument("--remote-model", metavar="NAME")
    p.add_argument("--key-stdin", action="store_true", help="read the API key from stdin into the OS keyring")
    p.set_defaults(func=cmd_engine)

    p = sub.add_parser("adapters", help="check a LoRA adapter against the current model")
    p.add_argument("action", choices=["check"])
    p.add_argument("path", help="a GGUF file; with a server engine, the file name of one it loaded")
    _add_engine_options(p)
    p.set_defaults(func=cmd_adapters)
