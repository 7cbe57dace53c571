"""``ragtune train-set``: a fine-tuning training set from the terminal.

    ragtune train-set --library NAME [--set SET] [--jsonl FILE]... [--decline-share 0.2] [--seed 0]
                      --out FILE.jsonl [--json]

Builds the set from the train split of the library's question set (grounded examples citing the gold
passage, a share with the gold passage left out that decline, absent questions declined) plus the
person's own chat-messages JSONL files, writes it as chat-messages JSONL and prints the counts and
the sha256 of what it wrote. Skipped JSONL lines are listed on stderr (exit code 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ragtune.cli_eval import _set_name
from ragtune.core.finetune.types import TrainingSetReport
from ragtune.core.services import Ragtune
from ragtune.errors import RagtuneError


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
    set_name = _set_name(svc, args)
    report = svc.finetune.training_set(args.library, set_name, args.decline_share, args.seed, args.jsonl)
    svc.finetune.write_training_set(report.examples, args.out)
    for line in report.errors:
        print(line, file=sys.stderr)
    if args.json:
        doc = {"library": args.library, "set": set_name, "split": "train", "out": args.out,
               "sha256": report.sha256, "decline_share": report.decline_share, "seed": report.seed,
               **report.counts(), "errors": report.errors}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(f"Wrote {len(report.examples)} examples to {args.out} (train split of \u201c{set_name}\u201d): "
              f"{report.grounded} grounded, {report.decline} with the gold passage left out, "
              f"{report.absent} absent-question declines, {report.style} from JSONL.")
        dropped = _dropped(report)
        if dropped:
            print(f"Left out: {dropped}.")
        if report.errors:
            print(f"Skipped {len(report.errors)} JSONL lines (listed on stderr).")
        print(f"sha256 {report.sha256}")
    return 1 if report.errors else 0


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
