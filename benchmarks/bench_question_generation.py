"""Generated questions on real documents: yield, speed and the absent questions, measured side by
side in one run (issue 20, "Generated questions that work on real documents").

    .venv/bin/python benchmarks/bench_question_generation.py [--data ../shared/data/papers-dev] \
        [-n 30] [--absent 8] [--out kept.jsonl]

Indexes the PDFs of a question-set folder (default: the real-document dev set) into a temporary
library, then generates with the embedded model three ways on the same passages:
- ``answer first`` (Ragtune's default): facts found in the text, the model writes the question
  and answers it back (the round trip), up to three facts per passage;
- ``no round trip``: the same without the model answering its question back;
- ``one fact``: only the best fact of each passage.
Prints per way: passages looked at, passages tried (with a checkable fact), answerable questions
kept (and per 100 passages tried), absent questions kept of those tried, model calls, seconds per
kept question, and the reasons for the drops. ``--out`` writes the default way's kept questions
(and the dropped ones, with why) as JSONL, for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "papers-dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with PDFs")
    parser.add_argument("-n", type=int, default=30, help="answerable questions wanted")
    parser.add_argument("--absent", type=int, default=8, help="absent questions wanted")
    parser.add_argument("--out", type=Path, help="write the default way's questions here (JSONL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        from ragtune.core.evaluate.generate import generate_questions
        from ragtune.core.evaluate.passage_sample import sample_passages
        from ragtune.core.evaluate.service import PASSAGES_PER_QUESTION
        from ragtune.core.services import Ragtune
        from ragtune.core.types import Hit

        svc = Ragtune()
        pdfs = sorted(args.data.glob("*.pdf"))
        started = time.perf_counter()
        svc.library.index("bench", [str(p) for p in pdfs])
        print(f"Indexed {len(pdfs)} PDFs in {time.perf_counter() - started:.0f} s.", flush=True)
        library = svc.library
        passages = sample_passages(library.connection(), library.library_id("bench"), PASSAGES_PER_QUESTION * args.n)
        engine = svc.models.engine_for_work()

        def search(question: str) -> list[Hit]:
            return library.search("bench", question, 10)

        def answer_search(question: str) -> list[Hit]:
            return library.passages_for("bench", question, svc.settings.search_results)

        ways = {
            "answer first": {},
            "no round trip": {"round_trip": False},
            "one fact": {"facts_per_passage": 1},
        }
        print(f"{'way':15s} {'looked':>6s} {'tried':>5s} {'kept':>4s} {'/100':>5s} {'absent':>7s} {'calls':>5s} {'s/kept':>6s}  dropped")
        for name, options in ways.items():
            report = generate_questions(engine, passages, search, args.n, args.absent, answer_search=answer_search, **options)  # type: ignore[arg-type]
            looked = report.tried + report.skipped
            dropped = ", ".join(f"{k} {v}" for k, v in sorted(report.dropped.items()))
            print(f"{name:15s} {looked:6d} {report.tried:5d} {report.kept:4d} {report.kept_per_100:5.0f} "
                  f"{report.absent_kept:3d}/{report.absent_tried:<3d} {report.model_calls:5d} {report.seconds_per_kept:6.1f}  {dropped}",
                  flush=True)
            if name == "answer first" and args.out:
                with args.out.open("w", encoding="utf-8") as out:
                    for q in report.questions:
                        out.write(json.dumps({"kept": True, **q.as_row()}, ensure_ascii=False) + "\n")
                    for question, answer, reason in report.dropped_pairs:
                        out.write(json.dumps({"kept": False, "question": question, "answer": answer, "reason": reason}, ensure_ascii=False) + "\n")
        svc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
