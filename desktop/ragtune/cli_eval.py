"""``ragtune eval``: question sets and the bench from the terminal.

    ragtune eval sets --library NAME
    ragtune eval questions --library NAME [--set SET] [--split train|test]
    ragtune eval import FILE --library NAME [--set SET]       (JSONL or CSV; README "Question sets")
    ragtune eval export FILE --library NAME [--set SET] [--split train|test]
    ragtune eval split --library NAME [--set SET] [--test-share 0.3] [--seed 0]
    ragtune eval generate --library NAME -n N [--set SET] [--absent K]
    ragtune eval run --library NAME [--set SET] [--split test|train|all] [--modes model,rag,...]
                     [--adapter FILE[:STRENGTH]]... [--fresh] [--json]
    ragtune eval show [RUN] [--against RUN] [--json] [--html FILE] [--csv FILE]
    ragtune eval judge RUN QUESTION_ID MODE correct|wrong|declined|made-up|none
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c
from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.evaluate.judgements import agreement
from ragtune.core.evaluate.questions import Split
from ragtune.core.evaluate.report import run_json, write_run
from ragtune.core.evaluate.run_config import differences
from ragtune.core.evaluate.run_types import GenerationReport, RunRecord, RunStatus
from ragtune.core.evaluate.split import DEFAULT_SEED, DEFAULT_TEST_SHARE
from ragtune.core.evaluate.summary import summarize
from ragtune.core.evaluate.verdict import verdict
from ragtune.core.services import Ragtune
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.errors import RagtuneError

GENERATED_SET = "Generated"


def set_name_of(svc: Ragtune, args: argparse.Namespace, default: str | None = None) -> str:
    """``--set``, else the library's only set (or ``default``)."""
    if args.set:
        return str(args.set)
    sets = svc.evaluation.question_sets(args.library)
    if len(sets) == 1:
        return sets[0].name
    if default is not None:
        return default
    if not sets:
        raise RagtuneError(
            f"Library \u201c{args.library}\u201d has no question set yet: "
            "`ragtune eval import FILE` or `ragtune eval generate -n 20` makes one."
        )
    names = ", ".join(f"\u201c{s.name}\u201d" for s in sets)
    raise RagtuneError(f"Library \u201c{args.library}\u201d has several question sets ({names}): name one with --set.")


def _split(text: str | None) -> Split | None:
    if text in (None, "", "all"):
        return None
    try:
        return Split(str(text))
    except ValueError:
        raise RagtuneError(f"--split must be train, test or all (not {text!r}).") from None


def _modes(text: str | None) -> list[Mode] | None:
    if not text:
        return None
    modes = []
    for part in text.split(","):
        try:
            modes.append(Mode(part.strip()))
        except ValueError:
            valid = ", ".join(str(m) for m in Mode)
            raise RagtuneError(f"Unknown mode {part.strip()!r}: use {valid}.") from None
    return modes


def cmd_sets(svc: Ragtune, args: argparse.Namespace) -> int:
    sets = svc.evaluation.question_sets(args.library)
    if args.json:
        print(json.dumps([{"name": s.name, "version": s.version, **s.counts} for s in sets], indent=2))
        return 0
    if not sets:
        print(f"No question sets in \u201c{one_line(args.library)}\u201d.")
    for s in sets:
        c = s.counts
        print(f"{one_line(s.name)}: {s.size} questions ({c['test']} test, {c['train']} train; "
              f"{c['answerable']} answerable, {c['absent']} absent), version {s.version}")
    return 0


def cmd_questions(svc: Ragtune, args: argparse.Namespace) -> int:
    items = svc.evaluation.questions(args.library, set_name_of(svc, args), _split(args.split))
    if args.json:
        print(json.dumps([{"id": q.id, **q.as_row()} for q in items], indent=2, ensure_ascii=False))
        return 0
    for q in items:
        expected = " | ".join(q.expected) or "(absent)"
        where = f"  [{q.gold_file}{f' p. {q.gold_page}' if q.gold_page else ''}]" if q.gold_file else ""
        print(f"{q.id:5d} {q.split.value:5s} {one_line(q.question)}  -> {one_line(expected)}{one_line(where)}")
    return 0


def cmd_import(svc: Ragtune, args: argparse.Namespace) -> int:
    name = args.set or Path(args.file).stem
    result = svc.evaluation.import_questions(args.library, name, args.file)
    for line in result.errors:
        print(f"{one_line(args.file)}: {one_line(line)}", file=sys.stderr)
    print(f"Imported {result.added} questions into \u201c{one_line(name)}\u201d"
          + (f"; skipped {len(result.errors)} rows (above)." if result.errors else "."))
    return 1 if result.errors else 0


def cmd_export(svc: Ragtune, args: argparse.Namespace) -> int:
    n = svc.evaluation.export_questions(args.library, set_name_of(svc, args), args.file, _split(args.split))
    print(f"Wrote {n} questions to {one_line(args.file)}.")
    return 0


def cmd_split(svc: Ragtune, args: argparse.Namespace) -> int:
    s = svc.evaluation.resplit(args.library, set_name_of(svc, args), args.test_share, args.seed)
    print(f"{one_line(s.name)}: {s.counts['test']} test, {s.counts['train']} train (seed {args.seed}).")
    return 0


def cmd_generate(svc: Ragtune, args: argparse.Namespace) -> int:
    name = args.set or GENERATED_SET
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        report = svc.evaluation.generate(args.library, name, args.n, args.absent, bar, cancel)
    bar.close()
    if args.json:
        print(json.dumps(_generation_json(report), indent=2, ensure_ascii=False))
        return 130 if report.cancelled else 0
    print(one_line(report.summary(name)))
    for q in report.questions:
        print(f"  [{q.split.value}] {one_line(q.question)}  -> {one_line(q.answer or '(absent)')}")
    return 130 if report.cancelled else 0


def _generation_json(report: GenerationReport) -> dict[str, Any]:
    return {
        "tried": report.tried, "kept": report.kept, "dropped": report.dropped,
        "absent_tried": report.absent_tried, "absent_kept": report.absent_kept,
        "absent_dropped": report.absent_dropped, "skipped": report.skipped, "facts_tried": report.facts_tried,
        "model_calls": report.model_calls, "seconds": round(report.seconds, 2),
        "seconds_per_kept": round(report.seconds_per_kept, 2), "cancelled": report.cancelled,
        "questions": [{"id": q.id, **q.as_row()} for q in report.questions],
        "dropped_questions": [
            {"question": q, "answer": a, "reason": r} for q, a, r in report.dropped_pairs
        ],
    }


def print_run(record: RunRecord) -> None:
    s = summarize(record)
    info = record.info
    print(f"Run {info.id}: {one_line(info.library)} / {one_line(info.set_name)} (v{info.set_version}), {info.split} split, "
          f"{info.answered}/{info.total} answers, {info.status}")
    print(f"{'mode':15s}{'correct':>22s}{'cited':>22s}{'declined absent':>22s}{'TTFT':>8s}")
    for m in s.modes:
        ttft = "" if m.median_ttft_s is None else f"{m.median_ttft_s:.2f}s"
        print(f"{m.mode.label:15s}{m.correct.describe():>22s}{m.cited.describe():>22s}"
              f"{m.declined_absent.describe():>22s}{ttft:>8s}")
    for m in s.modes:
        if m.evidence_holds.n or m.echoes.k:
            print(f"{m.mode.label}: evidence holds the answer {m.evidence_holds}, answers that say nothing {m.echoes}")
    recall = "  ".join(f"recall@{k} {c}" for k, c in s.retrieval.recall.items())
    print(f"Retrieval: {recall}  MRR {s.retrieval.mrr:.2f}")
    agreed = agreement(record)
    if agreed.judged:
        print(one_line(agreed.describe()))
        for d in agreed.disagreements:
            print(f"  {d.mode.label}: {one_line(d.question)} -> the rule said {d.rule}, you said {d.person}")
    print()
    print(for_terminal(verdict(record, s)))


def cmd_judge(svc: Ragtune, args: argparse.Namespace) -> int:
    judged = None if args.judgement == "none" else args.judgement
    record = svc.evaluation.judge(args.run, args.question, args.mode, judged)
    print(one_line(agreement(record).describe()))
    return 0


def cmd_run(svc: Ragtune, args: argparse.Namespace) -> int:
    adapters = [AdapterSpec.parse(a) for a in args.adapter or []]
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        record = svc.evaluation.run(
            args.library, set_name_of(svc, args), _split(args.split), _modes(args.modes), adapters,
            fresh=args.fresh, progress=bar, cancel=cancel,
        )
    bar.close()
    if args.json:
        print(json.dumps(run_json(record), indent=2, ensure_ascii=False))
    else:
        print_run(record)
    if record.info.status != RunStatus.FINISHED:
        print(f"Stopped: run `ragtune eval run` again with the same settings to resume run {record.info.id}.",
              file=sys.stderr)
        return 130
    return 0


def cmd_show(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.run is None:
        runs = svc.evaluation.runs(args.library)
        if not runs:
            print("No evaluation runs yet: `ragtune eval run --library NAME` makes one.")
        for r in runs:
            print(f"{r.id:4d}  {one_line(r.library)} / {one_line(r.set_name)}  {r.split}  {','.join(map(str, r.modes))}  "
                  f"{r.answered}/{r.total}  {r.status}")
        return 0
    record = svc.evaluation.load_run(args.run)
    if args.html:
        write_run(record, Path(args.html), "html")
    if args.csv:
        write_run(record, Path(args.csv), "csv")
    if args.json:
        print(json.dumps(run_json(record), indent=2, ensure_ascii=False))
    else:
        print_run(record)
    if args.against is not None:
        other = svc.evaluation.load_run(args.against)
        print(f"\nAgainst run {other.info.id}:")
        mine, theirs = summarize(record), summarize(other)
        for m in mine.modes:
            o = theirs.mode(m.mode)
            if o is not None:
                print(f"  {m.mode.label}: correct {o.correct} -> {m.correct}, cited {o.cited} -> {m.cited}")
        for line in differences(other.info.config, record.info.config) or ["same configuration"]:
            print(f"  {one_line(line)}")
    return 0


def add_judge_command(ev: Any) -> None:
    p = ev.add_parser("judge", help="say whether one answer of a run is right (your word wins over the rule)")
    p.add_argument("run", type=int)
    p.add_argument("question", type=int, help="the question's id (eval show RUN --json lists them)")
    p.add_argument("mode", choices=[str(m) for m in Mode])
    p.add_argument("judgement", choices=["correct", "wrong", "declined", "made-up", "none"],
                   help="correct|wrong for an answerable question, declined|made-up for an absent one; none removes yours")
    p.set_defaults(func=cmd_judge)


def add_eval_commands(sub: Any) -> None:
    ev = sub.add_parser("eval", help="question sets and the bench: which mode answers best").add_subparsers(
        dest="eval_command", required=True
    )

    def cmd(name: str, func: Any, help_: str, library: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = ev.add_parser(name, help=help_)
        if library:
            p.add_argument("--library", "-l", required=True)
        p.set_defaults(func=func)
        return p

    add_judge_command(ev)
    p = cmd("sets", cmd_sets, "list a library's question sets")
    p.add_argument("--json", action="store_true")
    p = cmd("questions", cmd_questions, "list a set's questions")
    p.add_argument("--set")
    p.add_argument("--split")
    p.add_argument("--json", action="store_true")
    p = cmd("import", cmd_import, "read questions from a JSONL or CSV file")
    p.add_argument("file")
    p.add_argument("--set", help="default: the file's name")
    p = cmd("export", cmd_export, "write a set as JSONL or CSV (by the file's suffix)")
    p.add_argument("file")
    p.add_argument("--set")
    p.add_argument("--split")
    p = cmd("split", cmd_split, "split a set into train and test again (seeded)")
    p.add_argument("--set")
    p.add_argument("--test-share", type=float, default=DEFAULT_TEST_SHARE)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p = cmd("generate", cmd_generate, "have the chat model write questions about the library")
    p.add_argument("-n", type=int, default=20, help="passages to try")
    p.add_argument("--absent", type=int, default=None, help="absent questions to try (default n/5)")
    p.add_argument("--set", help=f"default: {GENERATED_SET}")
    p.add_argument("--json", action="store_true")
    p = cmd("run", cmd_run, "run the bench: every question in every mode")
    p.add_argument("--set")
    p.add_argument("--split", default="test", help="test (default), train or all")
    p.add_argument("--modes", help="comma-separated: model,rag,adapter,rag+adapter")
    p.add_argument("--adapter", action="append", metavar="FILE[:STRENGTH]")
    p.add_argument("--fresh", action="store_true", help="start a new run instead of resuming")
    p.add_argument("--json", action="store_true")
    p = cmd("show", cmd_show, "list runs, or show one", library=False)
    p.add_argument("run", nargs="?", type=int)
    p.add_argument("--library", "-l")
    p.add_argument("--against", type=int, metavar="RUN", help="compare with another run")
    p.add_argument("--json", action="store_true")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--csv", metavar="FILE", help="write every answer as CSV")
