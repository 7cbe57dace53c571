"""``ragtune train-set`` and ``ragtune train``: fine-tuning from the terminal.

    ragtune train-set --library NAME [--set SET] [--jsonl FILE]... [--decline-share SHARE] [--seed N]
                      --out FILE.jsonl [--json]
    ragtune train --library NAME [--set SET] [--jsonl FILE]... --name ADAPTER [--epochs N]
                  [--rank R] [--learning-rate LR] [--max-minutes M] [--replace] [--no-bench] [--json]

``train-set`` builds the set from the train split of the library's question set (grounded
examples citing the gold passage, a share with the gold passage left out that decline, absent
questions declined) plus the person's own chat-messages JSONL files, writes it as chat-messages
JSONL and prints the counts and the sha256 of what it wrote. Skipped JSONL lines are listed on
stderr (exit code 1).

``train`` runs the core's workflow (``svc.finetune.run``): it builds the same set, trains the LoRA
adapter ADAPTER on it over the current model (progress on stderr: step, loss, tokens/s, time left;
Ctrl+C stops at the next step with a checkpoint, and the same command resumes), writes it to the
adapters folder, validates it, then runs the bench on the set's test split: model, RAG, adapter,
RAG + adapter, with the verdict. Exit code 130 when cancelled or when the bench was stopped.

The defaults (decline share, seed, alpha) and every sentence about the work come from the core
(``core.finetune``); this module only prints them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from ragtune.cli_eval import print_run, set_name_of
from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c
from ragtune.core import command_line
from ragtune.core.adapter_strength import StrengthChoice
from ragtune.core.evaluate.report import run_json
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.finetune import train_types
from ragtune.core.finetune import types as set_types
from ragtune.core.finetune.train_types import (
    PRECISIONS,
    TrainedAdapter,
    TrainOptions,
    TrainProgress,
)
from ragtune.core.finetune.types import TrainingSetReport
from ragtune.core.finetune.workflow import (
    BENCH_MODES,
    BENCH_SPLIT,
    BenchOutcome,
    FineTuneEvent,
    FineTuneResult,
)
from ragtune.core.services import Ragtune
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.core.types import Progress, Stage
from ragtune.errors import Cancelled

#: training progress lines are printed at most this often (the last step always)
PROGRESS_EVERY_S = 2.0


def cmd_train_set(svc: Ragtune, args: argparse.Namespace) -> int:
    set_name = set_name_of(svc, args)
    report = svc.finetune.training_set(args.library, set_name, args.decline_share, args.seed, args.jsonl)
    svc.finetune.write_training_set(report.examples, args.out)
    for line in report.errors:
        print(one_line(line), file=sys.stderr)
    if args.json:
        doc = {"library": args.library, "set": set_name, "split": "train", "out": args.out,
               "sha256": report.sha256, "decline_share": report.decline_share, "seed": report.seed,
               **report.counts(), "errors": report.errors}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(f"Wrote {one_line(args.out)} (train split of \u201c{one_line(set_name)}\u201d).")
        for line in report.summary_lines():
            print(for_terminal(line))
        if report.errors:
            print(f"{report.skipped_text()} (listed on stderr).")
        print(f"sha256 {report.sha256}")
    return 1 if report.errors else 0


def _train_set_name(svc: Ragtune, args: argparse.Namespace) -> str | None:
    """``--set``, else the library's only set; None when it has none and JSONL files are given."""
    if args.set or not args.jsonl or svc.evaluation.question_sets(args.library):
        return set_name_of(svc, args)
    return None


class _Printer:
    """Prints ``svc.finetune.run``'s events on stderr in the core's words: training progress at most
    every ``PROGRESS_EVERY_S`` seconds, the bench's answers as a progress bar."""

    def __init__(self) -> None:
        self.last = 0.0
        self.bar: ProgressBar | None = None

    def __call__(self, event: FineTuneEvent) -> None:
        if isinstance(event, Progress):
            self.bar = self.bar or ProgressBar()
            self.bar(event)
            return
        if isinstance(event, TrainProgress):
            now = time.monotonic()
            if event.phase == Stage.TRAINING and now - self.last < PROGRESS_EVERY_S and event.step < event.total:
                return
            self.last = now
            lines = [event.text()]
        elif isinstance(event, TrainingSetReport):
            lines = [*event.errors, *event.summary_lines()]
        else:
            lines = [event.summary() if isinstance(event, TrainedAdapter) else event.text()]
        for line in lines:
            print(one_line(line), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _train_json(args: argparse.Namespace, set_name: str | None, done: FineTuneResult) -> dict[str, Any]:
    report, made, r = done.report, done.made, done.made.result
    record = done.bench.record if done.bench is not None else None
    return {
        "library": args.library, "set": set_name, "adapter": r.adapter, "name": made.info.name,
        "training_set": {"path": made.training_set, "sha256": made.training_set_sha256, **report.counts()},
        "steps": r.steps, "total_steps": r.total_steps, "resumed_from": r.resumed_from,
        "examples": r.examples, "dropped_too_long": r.dropped_too_long,
        "final_loss": round(r.final_loss, 6), "tokens_per_s": round(r.tokens_per_s, 2),
        "seconds": round(r.seconds, 1), "device": r.device, "stopped": r.stopped,
        "bench": run_json(record) if record is not None else None,
        "strength": _strength_json(done.bench.strength if done.bench is not None else None),
    }


def _strength_json(choice: StrengthChoice | None) -> dict[str, Any] | None:
    """The strength the bench chose and each strength's figures (None: no validation part)."""
    if choice is None:
        return None
    return {
        "strength": choice.strength, "validation_questions": choice.validation, "set": choice.set_name,
        "tried": [{"strength": s.strength, "correct": s.correct, "declined": s.declined, "score": s.score}
                  for s in choice.scores],
    }


def _resume_hint(args: argparse.Namespace, bench: BenchOutcome, adapter: str) -> str:
    """The command that finishes a stopped bench."""
    words = ["eval", "run", "--library", args.library, "--set", str(bench.set_name), "--split", BENCH_SPLIT,
             "--modes", ",".join(map(str, BENCH_MODES)), "--adapter", adapter]
    return "This resumes it: " + (command_line.command(*words) or one_line(" ".join(["ragtune", *words])))


def cmd_train(svc: Ragtune, args: argparse.Namespace) -> int:
    options = TrainOptions(epochs=args.epochs, rank=args.rank, learning_rate=args.learning_rate,
                           max_minutes=args.max_minutes, seed=args.seed, precision=args.precision)
    svc.finetune.check_new_adapter(args.name, args.replace)  # before the set is looked for
    print(for_terminal(svc.finetune.training_fit(options.precision).text), file=sys.stderr)
    set_name = _train_set_name(svc, args)
    printer = _Printer()
    with cancel_on_ctrl_c() as cancel:
        try:
            done = svc.finetune.run(args.library, set_name, args.name, options, jsonl=args.jsonl,
                                    decline_share=args.decline_share, seed=args.seed, replace=args.replace,
                                    bench=not args.no_bench, progress=printer, cancel=cancel)
        except Cancelled as exc:
            print(for_terminal(str(exc)), file=sys.stderr)
            return 130
        finally:
            printer.close()
    bench, adapter = done.bench, done.made.result.adapter
    record: RunRecord | None = bench.record if bench is not None else None
    if bench is not None and record is None:
        print(for_terminal(bench.text()), file=sys.stderr)
    if args.json:
        print(json.dumps(_train_json(args, set_name, done), indent=2, ensure_ascii=False))
    elif record is not None:
        print_run(record)
    else:
        print(one_line(adapter))
    if bench is not None and record is not None and not bench.finished:
        print(for_terminal(f"{bench.text()} {_resume_hint(args, bench, adapter)}"), file=sys.stderr)
        return 130
    return 0


def _add_share_option(p: argparse.ArgumentParser) -> None:
    share = set_types.DEFAULT_DECLINE_SHARE  # read when the parser is made: the core's, always
    p.add_argument("--decline-share", type=float, default=share,
                   help=f"share of grounded examples whose gold passage is left out (default {share:g})")


def add_train_commands(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "train-set", help="build a fine-tuning training set (chat-messages JSONL) from a question set's train split"
    )
    p.add_argument("--library", "-l", required=True)
    p.add_argument("--set", help="the question set (default: the library's only set)")
    p.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                   help="your own chat-messages JSONL examples (style or task); repeatable")
    _add_share_option(p)
    p.add_argument("--seed", type=int, default=set_types.DEFAULT_SEED)
    p.add_argument("--out", required=True, metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print the counts as one JSON document")
    p.set_defaults(func=cmd_train_set)

    defaults = TrainOptions()
    p = sub.add_parser("train", help="train a LoRA adapter on a question set's train split (and JSONL "
                       "examples), then judge it on the test split")
    p.add_argument("--library", "-l", required=True)
    p.add_argument("--set", help="the question set (default: the library's only set)")
    p.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                   help="your own chat-messages JSONL examples (style or task); repeatable")
    p.add_argument("--name", required=True, metavar="ADAPTER", help="the adapter's name (its file: ADAPTER.gguf)")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--rank", type=int, default=defaults.rank, help=f"LoRA rank ({train_types.alpha_text()})")
    p.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    p.add_argument("--max-minutes", type=float, default=None,
                   help="wall-clock budget: stop with an adapter of what was trained so far")
    p.add_argument("--precision", choices=PRECISIONS, default=defaults.precision,
                   help="the frozen weights' format (auto: bfloat16 where the CPU or GPU computes in it)")
    _add_share_option(p)
    p.add_argument("--seed", type=int, default=set_types.DEFAULT_SEED, help="seeds the training set's shuffles and the training")
    p.add_argument("--replace", action="store_true", help="replace an adapter of the same name")
    p.add_argument("--no-bench", action="store_true", help="do not judge the adapter on the test split")
    p.add_argument("--json", action="store_true", help="print the result (and the bench) as one JSON document")
    p.set_defaults(func=cmd_train)
