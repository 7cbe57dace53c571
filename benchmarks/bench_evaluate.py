"""The bench on the sample library's own question set, and the bench's own overhead.

    .venv/bin/python benchmarks/bench_evaluate.py [--split all|test|train] [--modes model,rag]
                                                  [--adapter FILE[:STRENGTH]]...

Indexes the sample library in a fresh RAGTUNE_HOME, runs ``svc.evaluation.run`` on its set
"Sample questions" with the embedded 0.5B model, and prints every mode's figures (correct, cited the
right source, declined / made up on absent questions, median time to first token), retrieval's
recall@k and MRR, and the verdict. Overhead: the run's wall time against the time spent inside the
model's answers (retrieval and the prompt included), measured in the same run by timing each answer
call; the rest (judging, storing each result, retrieval for the model-alone mode, progress) is the
bench's own cost. Target: under 5 % of the run's time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="all")
    parser.add_argument("--modes", default="model,rag")
    parser.add_argument("--adapter", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from ragtune import paths
        from ragtune.core.answer_types import AdapterSpec, Mode
        from ragtune.core.evaluate.questions import Split
        from ragtune.core.evaluate.service import SAMPLE_SET_NAME
        from ragtune.core.evaluate.summary import summarize
        from ragtune.core.evaluate.verdict import verdict
        from ragtune.core.services import Ragtune

        with Ragtune() as svc:
            svc.library.index("sample", [paths.sample_library_dir()])
            svc.models.load_model()
            sets = svc.evaluation.question_sets("sample")
            assert sets
            assert sets[0].name == SAMPLE_SET_NAME
            inside: list[float] = []
            real_ask = svc.models.ask

            def timed_ask(*a: Any, **kw: Any) -> Any:
                started = time.perf_counter()
                try:
                    return real_ask(*a, **kw)
                finally:
                    inside.append(time.perf_counter() - started)

            svc.models.ask = timed_ask  # type: ignore[method-assign]
            split = None if args.split == "all" else Split(args.split)
            modes = [Mode(m) for m in args.modes.split(",")]
            adapters = [AdapterSpec.parse(a) for a in args.adapter]
            started = time.perf_counter()
            record = svc.evaluation.run("sample", SAMPLE_SET_NAME, split, modes, adapters, fresh=True)
            wall = time.perf_counter() - started
    s = summarize(record)
    print(f"Sample questions, {args.split} split: {s.answerable} answerable, {s.absent} absent; "
          f"{len(record.results)} answers in {wall:.0f} s")
    print(f"{'mode':15s}{'correct':>22s}{'cited':>22s}{'declined absent':>22s}{'made up':>10s}{'TTFT s':>8s}")
    for m in s.modes:
        ttft = "" if m.median_ttft_s is None else f"{m.median_ttft_s:.2f}"
        print(f"{m.mode.label:15s}{m.correct.describe():>22s}{m.cited.describe():>22s}"
              f"{m.declined_absent.describe():>22s}{m.hallucinated_absent!s:>10s}{ttft:>8s}")
    recall = "  ".join(f"recall@{k} {c}" for k, c in s.retrieval.recall.items())
    print(f"Retrieval: {recall}  MRR {s.retrieval.mrr:.2f}")
    print(verdict(record, s))
    spent = sum(inside)
    print(f"Bench overhead: {wall - spent:.2f} s of {wall:.1f} s = {(wall - spent) / wall:.1%} "
          f"(answers {spent:.1f} s; target < 5 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
