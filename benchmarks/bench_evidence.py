"""Answers that say something, on real documents: which recovery works best for an answer that
only repeats the question (or gives no number), measured side by side in one run.

    .venv/bin/python benchmarks/bench_evidence.py [--data ../shared/data/papers-dev] [--show]

Indexes the PDFs of a question-set folder (default: the real-document dev set) into a temporary
library, then asks every question once with RAG and the embedded model, without recovery. Each
answer that the answer path would recover (``core.answer_recovery``: it repeats the question, lacks
the asked number, states a figure no passage holds, or rests on a sibling's sentence) is then
recovered every way:
- ``retry``: made again from the evidence sentences alone, with a tighter instruction;
- ``quote``: the evidence sentence quoted, labelled as a quote;
- ``retry-then-quote``: made again, quoted when that still says nothing (Ragtune's default).
A quote is only given when the sentence can stand as an answer; otherwise the answer says that the
passages do not state it (which the judge counts as a decline).
Prints per way: correct answers (the judge reads the answer's words only), answers that still say
nothing, answerable declined, absent declined, the evidence holding the expected answer, and the
mean extra seconds the recovery cost. The questions with names no passage mentions are declined
before the model (all ways alike).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "papers-dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with PDFs and questions.jsonl")
    parser.add_argument("--show", action="store_true", help="print every recovered answer")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        from ragtune.core.answer_checks import answer_problem
        from ragtune.core.answer_recovery import Recovery, recover
        from ragtune.core.answering import answer_question
        from ragtune.core.evaluate.correctness import evidence_holds, is_correct, is_declined
        from ragtune.core.evaluate.question_files import read_file
        from ragtune.core.evaluate.questions import Kind
        from ragtune.core.generation.prompts import fit
        from ragtune.core.services import Ragtune

        svc = Ragtune()
        pdfs = sorted(args.data.glob("*.pdf"))
        svc.library.index("bench", [str(p) for p in pdfs])
        questions = read_file(args.data / "questions.jsonl").items
        if args.limit:
            questions = questions[: args.limit]
        engine = svc.models.engine_for_work()
        settings = svc.settings
        ways = ["none", *[str(r) for r in Recovery]]
        tally: dict[str, dict[str, list[float]]] = {w: {} for w in ways}

        def count(way: str, measure: str, value: float) -> None:
            tally[way].setdefault(measure, []).append(value)

        for q in questions:
            hits = svc.library.passages_for("bench", q.question, settings.search_results)
            first = answer_question(engine, q.question, hits, settings, recovery=None)
            fitted = fit(q.question, first.sources, engine.count_chat_tokens, engine.n_ctx, settings.max_answer_tokens)
            for way in ways:
                got = first
                changed = False
                if not first.declined and way != "none":
                    got = copy.deepcopy(first)
                    started = time.perf_counter()
                    changed = recover(engine, got, fitted.sources, fitted.answer_tokens, settings.temperature, how=Recovery(way), asked=fitted.question)
                    if changed:
                        count(way, "extra_s", time.perf_counter() - started)
                declined = is_declined(got.text, got.declined)
                if q.kind == Kind.ANSWERABLE:
                    count(way, "correct", float(not declined and is_correct(got.text, q)))
                    count(way, "declined_answerable", float(declined))
                    count(way, "evidence_holds", float(evidence_holds([c.text for c in got.citations], q)))
                else:
                    count(way, "declined_absent", float(declined))
                if not declined:
                    count(way, "says_nothing", float(answer_problem(q.question, got.text) is not None))
                if changed and args.show:
                    print(f"[{way}] {q.question}\n    first: {first.text[:160]}\n    now:   {got.text[:160]}")
            print(f"{questions.index(q) + 1}/{len(questions)}", file=sys.stderr, end="\r")
        recovered = len(tally[str(Recovery.RETRY_THEN_QUOTE)].get("extra_s", []))
        print(f"\n{len(questions)} questions from {args.data.name}; {recovered} answers needed a recovery")
        print(f"{'way':18s}{'correct':>10s}{'says nothing':>14s}{'ans. declined':>15s}{'abs. declined':>15s}"
              f"{'evidence holds':>16s}{'extra s':>9s}")
        for way in ways:
            t = tally[way]

            def share(measure: str, t: dict[str, list[float]] = t) -> str:
                values = t.get(measure, [])
                return f"{int(sum(values))}/{len(values)}" if values else "-"

            extra = statistics.mean(t["extra_s"]) if t.get("extra_s") else 0.0
            print(f"{way:18s}{share('correct'):>10s}{share('says_nothing'):>14s}{share('declined_answerable'):>15s}"
                  f"{share('declined_absent'):>15s}{share('evidence_holds'):>16s}{extra:9.1f}")
        svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
