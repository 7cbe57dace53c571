"""The person checks the judge (issue 20): their own judgement of a bench answer, the figures that
follow it, and how often the rule agrees with them.

The rule (``correctness``) judges every answer; a person looking at an answer in the Evaluate tab
(or ``ragtune eval judge``) may say it differently: **correct** or **wrong** for an answerable
question, **declined** or **made up** for an absent one. Their word wins: ``applied`` gives the run
with those results changed (the figures and the verdict use it) and keeps the rule's judgement
beside the person's (``Result.rule``, ``Result.person``). ``agreement`` says, over the answers the
person judged (agreeing or not), how often the rule said the same, and lists where it did not, as
Kiln shows for its judges. A judgement is stored with its run and, by the question's and the
answer's exact text, carries over to later runs of the same set that give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Kind
from ragtune.core.evaluate.run_types import Result, RunRecord
from ragtune.errors import RagtuneError


class Judgement(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    DECLINED = "declined"
    MADE_UP = "made up"


def choices(kind: Kind) -> tuple[Judgement, Judgement]:
    """What a person may say of an answer to a question of ``kind``."""
    return (Judgement.CORRECT, Judgement.WRONG) if kind is Kind.ANSWERABLE else (Judgement.DECLINED, Judgement.MADE_UP)


def checked(kind: Kind, judged: str) -> Judgement:
    """``judged`` as a judgement that fits ``kind`` (``made-up`` is ``made up``)."""
    wanted = " ".join(judged.replace("-", " ").replace("_", " ").lower().split())
    allowed = choices(kind)
    for judgement in allowed:
        if judgement.value == wanted:
            return judgement
    said = " or ".join(f"\u201c{j.value}\u201d" for j in allowed)
    raise RagtuneError(f"An answer to an {kind.value} question is judged {said}, not \u201c{judged}\u201d.")


def rule_judgement(result: Result, kind: Kind) -> Judgement:
    """What the rule said of ``result``."""
    if kind is Kind.ABSENT:
        return Judgement.DECLINED if result.declined else Judgement.MADE_UP
    return Judgement.CORRECT if result.correct else Judgement.WRONG


def applied(record: RunRecord, judged: Mapping[tuple[int, Mode], Judgement]) -> RunRecord:
    """``record`` with the person's judgements in place of the rule's (see the module)."""
    kinds = {q.id: q.kind for q in record.questions}
    results: list[Result] = []
    for r in record.results:
        person = judged.get((r.question_id, r.mode))
        kind = kinds.get(r.question_id)
        if person is None or kind is None or r.error:
            results.append(r)
            continue
        rule = rule_judgement(r, kind).value
        if kind is Kind.ABSENT:
            results.append(replace(r, declined=person is Judgement.DECLINED, rule=rule, person=person.value))
        else:
            results.append(replace(r, correct=person is Judgement.CORRECT, rule=rule, person=person.value))
    return replace(record, results=results)


@dataclass(frozen=True)
class Disagreement:
    question: str
    mode: Mode
    answer: str
    rule: str
    person: str


@dataclass(frozen=True)
class Agreement:
    """How often the rule said what the person said, over the answers they judged."""

    judged: int
    agree: int
    disagreements: list[Disagreement]

    @property
    def share(self) -> float:
        return self.agree / self.judged if self.judged else 0.0

    def describe(self) -> str:
        """``The rule agrees with you on 17 of 20 answers you judged (85 %).``"""
        if not self.judged:
            return "You have not judged any answer of this run: the figures are the rule's alone."
        return f"The rule agrees with you on {self.agree} of {self.judged} answers you judged ({self.share:.0%})."


def agreement(record: RunRecord) -> Agreement:
    """The rule's agreement with the person on ``record`` (after ``applied``)."""
    questions = {q.id: q.question for q in record.questions}
    judged = [r for r in record.results if r.person]
    disagreements = [
        Disagreement(questions.get(r.question_id, ""), r.mode, r.answer, r.rule, r.person)
        for r in judged if r.rule != r.person
    ]
    return Agreement(len(judged), len(judged) - len(disagreements), disagreements)
