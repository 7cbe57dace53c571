"""Agreement of the correctness metric with answers judged by hand.

    .venv/bin/python benchmarks/bench_correctness.py [--file benchmarks/data/judged_answers.jsonl]

Reads real answers of the embedded 0.5B model to the sample library's questions (RAG and model
alone) plus hand-written tricky answers, each judged by a person (``judged_correct``) before the
metric was run on them. Prints, for Ragtune's metric (``ragtune.core.evaluate.correctness``: not
a decline, and ``is_correct``, as a run scores an answer) and
for a naive baseline (the expected answer, or one alternative, is a case-insensitive substring of
the answer): agreement with the hand judgements (k/n and %), the confusion matrix (metric yes/no x
person yes/no) and every disagreement. No model is loaded; it takes a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ragtune.core.evaluate.correctness import is_correct, is_declined
from ragtune.core.evaluate.questions import Question

DEFAULT = Path(__file__).resolve().parent / "data" / "judged_answers.jsonl"

Judge = Callable[[str, Question], bool]


def metric(answer_text: str, question: Question) -> bool:
    """Ragtune's rule as a run applies it: not a decline, and it states an expected answer."""
    return not is_declined(answer_text, False) and is_correct(answer_text, question)


def baseline(answer_text: str, question: Question) -> bool:
    """The naive rule: an expected answer occurs verbatim (ignoring case) in the answer."""
    return any(e.lower() in answer_text.lower() for e in question.expected)


def load(path: Path) -> list[tuple[Question, str, str, bool]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = Question(row["question"], row["expected"], tuple(row.get("alternatives", [])))
            rows.append((question, row["answer_text"], row["mode"], bool(row["judged_correct"])))
        except (ValueError, KeyError, TypeError) as exc:
            print(f"{path}:{n}: skipped ({exc})", file=sys.stderr)
    return rows


def score(rows: list[tuple[Question, str, str, bool]], judge: Judge) -> tuple[list[list[int]], list[int]]:
    """The confusion matrix [[metric yes & person yes, metric yes & person no], [metric no & person
    yes, metric no & person no]] and the indexes of the disagreements."""
    matrix = [[0, 0], [0, 0]]
    wrong = []
    for i, (question, answer, _mode, human) in enumerate(rows):
        metric = judge(answer, question)
        matrix[0 if metric else 1][0 if human else 1] += 1
        if metric != human:
            wrong.append(i)
    return matrix, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT)
    args = parser.parse_args()
    rows = load(args.file)
    n = len(rows)
    modes: dict[str, int] = {}
    for _q, _a, mode, _h in rows:
        modes[mode] = modes.get(mode, 0) + 1
    judged_yes = sum(h for *_, h in rows)
    print(f"{n} answers judged by hand ({', '.join(f'{m}: {c}' for m, c in modes.items())}); "
          f"{judged_yes} judged correct")
    results = {name: score(rows, judge) for name, judge in (("metric", metric), ("baseline", baseline))}
    print(f"\n{'':22s}{'metric':>16s}{'baseline':>16s}")
    agree = {name: n - len(wrong) for name, (_m, wrong) in results.items()}
    print(f"{'agreement':22s}" + "".join(f"{f'{agree[k]}/{n} {100 * agree[k] / n:.0f} %':>16s}" for k in results))
    for mode in modes:
        picked = [i for i, row in enumerate(rows) if row[2] == mode]
        cells = "".join(
            f"{f'{len(picked) - len(set(picked) & set(wrong))}/{len(picked)}':>16s}" for _m, wrong in results.values()
        )
        print(f"{'  ' + mode + ' answers':22s}{cells}")
    labels = ("says yes, person yes", "says yes, person no", "says no, person yes", "says no, person no")
    for idx, label in enumerate(labels):
        cells = "".join(f"{m[idx // 2][idx % 2]:>16d}" for m, _w in results.values())
        print(f"{label:22s}{cells}")
    for name, (_m, wrong) in results.items():
        print(f"\ndisagreements of the {name} ({len(wrong)}):")
        for i in wrong:
            question, answer, mode, human = rows[i]
            print(f"  [{mode}] person says {'correct' if human else 'wrong'}: {question.question}")
            print(f"      expected {' | '.join(question.expected)!r}; answer {' '.join(answer.split())[:160]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
