"""``ragtune train-set`` and ``ragtune train``: fine-tuning from the terminal.

    ragtune train-set --library NAME [--set SET] [--jsonl FILE]... [--decline-share 0.2] [--seed 0]
                      --out FILE.jsonl [--json]
    ragtune train --library NAME [--set SET] [--jsonl FILE]... --name ADAPTER [--epochs N]
                  [--rank R] [--learning-rate LR] [--max-minutes M] [--replace] [--no-bench] [--json]

``train-set`` builds the set from the train split of the library's question set (grounded examples
citing the gold passage, a share with the gold passage left out that decline, absent questions
declined) plus the person's own chat-messages JSONL files, writes it as chat-messages JSONL and
prints the counts and the sha256 of what it wrote. Skipped JSONL lines are listed on stderr (exit
code 1).

``train`` builds the same set, trains the LoRA adapter ADAPTER on it over the current model
(progress on stderr: step, loss, tokens/s, ETA; Ctrl+C stops at the next step with a checkpoint,
and the same command resumes), writes it to the adapters folder, validates it, then runs the bench
on the set's test split: model, RAG, adapter, RAG + adapter, with the verdict. Exit code 130 when
cancelled or when the bench was stopped.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from typing import Any

from ragtune.cli_eval import print_run, set_name_of
from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c, fmt_eta
from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.evaluate.questions import Split
from ragtune.core.evaluate.report import run_json
from ragtune.core.evaluate.run_types import RunRecord, RunStatus
from ragtune.core.finetune.train_types import TrainedAdapter, TrainOptions, TrainProgress
from ragtune.core.finetune.types import TrainingSetReport
from ragtune.core.services import Ragtune
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.errors import Cancelled, RagtuneError


def _dropped(report: TrainingSetReport) -> str:
    reasons = {
        "skipped_no_gold": "gold passage not retrieved",
        "skipped_unstated": "gold passage does not state the answer",
        "skipped_no_passages": "nothing retrieved",
        "too_long": "too long for the context",
        "held_out": "holding a test-split question",
    }
    counts = report.counts()
    return ", ".join(f"{counts[key]} {words}" for key, words in reasons.items() if counts[key])


def cmd_train_set(svc: Ragtune, args: argparse.Namespace) -> int:
    if not 0.0 <= args.decline_share <= 1.0:
        raise RagtuneError(f"--decline-share must be between 0 and 1 (not {args.decline_share}).")
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
        print(f"Wrote {len(report.examples)} examples to {one_line(args.out)} (train split of \u201c{one_line(set_name)}\u201d): "
              f"{report.grounded} grounded, {report.decline} with the gold passage left out, "
              f"{report.absent} absent-question declines, {report.style} from JSONL.")
        dropped = _dropped(report)
        if dropped:
            print(f"Left out: {dropped}.")
        if report.errors:
            print(f"Skipped {len(report.errors)} JSONL lines (listed on stderr).")
        print(f"sha256 {report.sha256}")
    return 1 if report.errors else 0


def _train_set_name(svc: Ragtune, args: argparse.Namespace) -> str | None:
    """``--set``, else the library's only set; None when it has none and JSONL files are given."""
    if args.set or not args.jsonl or svc.evaluation.question_sets(args.library):
        return set_name_of(svc, args)
    return None


def render_progress(event: TrainProgress) -> str:
    """One line of training progress: ``step 5/24 · loss 1.234 · 41 tokens/s · ETA 03:10``."""
    if event.phase == "training":
        loss = "" if event.loss is None else f" · loss {event.loss:.3f}"
        return (f"Training step {event.step}/{event.total} (epoch {event.epoch}){loss} · "
                f"{event.tokens_per_s:.0f} tokens/s · ETA {fmt_eta(event.eta_s)}")
    if event.phase == "checkpoint":
        return f"Checkpoint saved at step {event.step}/{event.total}"
    if event.phase == "exporting":
        return "Writing the adapter"
    return one_line(event.message) if event.message else event.phase.capitalize()


def _bench(svc: Ragtune, args: argparse.Namespace, set_name: str | None, adapter: str) -> RunRecord | None:
    """The bench on the set's test split with the new adapter, or None (said why) when it cannot run."""
    if args.no_bench:
        return None
    if set_name is None or not svc.evaluation.questions(args.library, set_name, Split.TEST):
        print("No bench: the adapter was trained without a question set's test split to judge it on.",
              file=sys.stderr)
        return None
    print(f"Judging the adapter on the test split of \u201c{one_line(set_name)}\u201d (model, RAG, adapter, "
          "RAG + adapter)...", file=sys.stderr)
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        try:
            return svc.evaluation.run(args.library, set_name, Split.TEST, list(Mode),
                                      [AdapterSpec(adapter, 1.0)], progress=bar, cancel=cancel)
        finally:
            bar.close()


def _train_json(args: argparse.Namespace, set_name: str | None, report: TrainingSetReport,
                made: TrainedAdapter, record: RunRecord | None) -> dict[str, Any]:
    r = made.result
    return {
        "library": args.library, "set": set_name, "adapter": r.adapter, "name": made.info.name,
        "training_set": {"path": made.training_set, "sha256": made.training_set_sha256, **report.counts()},
        "steps": r.steps, "total_steps": r.total_steps, "resumed_from": r.resumed_from,
        "examples": r.examples, "dropped_too_long": r.dropped_too_long,
        "final_loss": round(r.final_loss, 6), "tokens_per_s": round(r.tokens_per_s, 2),
        "seconds": round(r.seconds, 1), "device": r.device, "stopped": r.stopped,
        "bench": run_json(record) if record is not None else None,
    }


def cmd_train(svc: Ragtune, args: argparse.Namespace) -> int:
    options = TrainOptions(epochs=args.epochs, rank=args.rank, alpha=2.0 * args.rank,
                           learning_rate=args.learning_rate, max_minutes=args.max_minutes, seed=args.seed)
    svc.finetune.check_new_adapter(args.name, args.replace)  # before any work
    set_name = _train_set_name(svc, args)
    report = svc.finetune.training_set(args.library, set_name, args.decline_share, args.seed, args.jsonl)
    for line in report.errors:
        print(one_line(line), file=sys.stderr)
    print(f"Training set: {len(report.examples)} examples ({report.grounded} grounded, {report.decline} "
          f"declines, {report.absent} absent, {report.style} from JSONL).", file=sys.stderr)
    last = [0.0]

    def progress(event: TrainProgress) -> None:
        now = time.monotonic()
        if event.phase == "training" and now - last[0] < 2.0 and event.step < event.total:
            return
        last[0] = now
        print(render_progress(event), file=sys.stderr, flush=True)

    with cancel_on_ctrl_c() as cancel:
        try:
            made = svc.finetune.train(report.examples, args.name, options, progress, cancel,
                                      replace=args.replace)
        except Cancelled as exc:
            print(for_terminal(str(exc)), file=sys.stderr)
            return 130
    r = made.result
    stopped = {"budget": " (the time budget ran out)", "max_steps": " (step limit)"}.get(r.stopped, "")
    print(f"Adapter {one_line(made.info.name)} written to {one_line(r.adapter)}: {r.steps}/{r.total_steps} steps{stopped}, "
          f"final loss {r.final_loss:.3f}, {r.tokens_per_s:.0f} tokens/s on {r.device}, "
          f"{r.seconds / 60:.1f} min.", file=sys.stderr)
    record = _bench(svc, args, set_name, r.adapter)
    if args.json:
        print(json.dumps(_train_json(args, set_name, report, made, record), indent=2, ensure_ascii=False))
    elif record is not None:
        print_run(record)
    else:
        print(one_line(r.adapter))
    if record is not None and record.info.status != RunStatus.FINISHED:
        print("The bench stopped; this resumes it: ragtune eval run --library "
              f"{one_line(shlex.quote(args.library))} --set {one_line(shlex.quote(str(set_name)))} --split test "
              f"--modes {','.join(map(str, Mode))} --adapter {one_line(shlex.quote(r.adapter))}", file=sys.stderr)
        return 130
    return 0


def add_train_commands(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "train-set", help="build a fine-tuning training set (chat-messages JSONL) from a question set's train split"
    )
    p.add_argument("--library", "-l", required=True)
    p.add_argument("--set", help="the question set (default: the library's only set)")
    p.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                   help="your own chat-messages JSONL examples (style or task); repeatable")
    p.add_argument("--decline-share", type=float, default=0.2,
                   help="share of grounded examples whose gold passage is left out (default 0.2)")
    p.add_argument("--seed", type=int, default=0)
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
    p.add_argument("--rank", type=int, default=defaults.rank, help="LoRA rank (alpha is twice the rank)")
    p.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    p.add_argument("--max-minutes", type=float, default=None,
                   help="wall-clock budget: stop with an adapter of what was trained so far")
    p.add_argument("--decline-share", type=float, default=0.2,
                   help="share of grounded examples whose gold passage is left out (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seeds the training set's shuffles and the training")
    p.add_argument("--replace", action="store_true", help="replace an adapter of the same name")
    p.add_argument("--no-bench", action="store_true", help="do not judge the adapter on the test split")
    p.add_argument("--json", action="store_true", help="print the result (and the bench) as one JSON document")
    p.set_defaults(func=cmd_train)
