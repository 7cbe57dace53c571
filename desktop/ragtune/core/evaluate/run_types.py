"""Value types of evaluation runs: what a run was (``RunInfo``), one answer's judged result
(``Result``), a run with its questions and results (``RunRecord``), and what a question
generation run produced (``GenerationReport``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Question


class RunStatus:
    RUNNING = "running"  # also what a crashed run stays at: the next run with its settings resumes it
    CANCELLED = "cancelled"
    FINISHED = "finished"


@dataclass(frozen=True)
class Result:
    """One question answered in one mode, and how it was judged.

    ``correct`` is None for absent questions (they are scored by ``declined``: answering one is a
    hallucination); ``cites_gold`` is None when the mode has no passages or the item no gold file.
    ``gold_rank`` is the 1-based rank of the gold passage in retrieval (None: not retrieved or no
    gold file). ``error`` says why there is no (full) answer, e.g. the prompt did not fit.
    """

    question_id: int
    mode: Mode
    answer: str
    correct: bool | None
    cites_gold: bool | None
    declined: bool
    gold_rank: int | None
    ttft_s: float = 0.0
    tokens_per_s: float = 0.0
    total_s: float = 0.0
    citations: list[dict[str, Any]] = field(default_factory=list)  # n, path, page, location, text
    error: str = ""
    #: a person's judgement of this answer ("correct", "wrong", "declined", "made up"; "" none) and,
    #: when there is one, what the rule had said (``core.evaluate.judgements``): ``correct`` and
    #: ``declined`` above already follow the person
    person: str = ""
    rule: str = ""


@dataclass(frozen=True)
class RunInfo:
    """A stored run: which set (and version), split and modes, everything that produced its answers
    (``config``: model and its sha256, adapters with sha256 and strengths, embedder, chunking,
    answer settings, engine) and how far it got."""

    id: int
    library: str
    set_name: str
    set_version: int
    split: str
    modes: list[Mode]
    config: dict[str, Any]
    status: str
    created: float
    finished: float | None
    questions: int
    answered: int  # results stored (questions x modes)

    @property
    def total(self) -> int:
        return self.questions * len(self.modes)


@dataclass(frozen=True)
class RunRecord:
    """A run with the questions it asked (a snapshot taken when it started) and its results."""

    info: RunInfo
    questions: list[Question]
    results: list[Result]

    def result(self, question_id: int, mode: Mode) -> Result | None:
        for r in self.results:
            if r.question_id == question_id and r.mode == mode:
                return r
        return None


@dataclass
class GenerationReport:
    """What one generation run produced: the kept questions and how the tries went."""

    questions: list[Question] = field(default_factory=list)
    tried: int = 0  # passages tried (those with a checkable fact)
    kept: int = 0
    skipped: int = 0  # passages without a checkable fact: not tried
    facts_tried: int = 0  # questions asked for (up to three facts per passage): kept + dropped
    model_calls: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # reason code -> count
    absent_tried: int = 0  # kept questions with a name to change (one without is only a reason)
    absent_kept: int = 0
    absent_dropped: dict[str, int] = field(default_factory=dict)
    #: each question written and dropped: (question, answer, reason code)
    dropped_pairs: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def kept_per_100(self) -> float:
        """Answerable questions kept per 100 passages tried."""
        return 100.0 * self.kept / self.tried if self.tried else 0.0

    @property
    def seconds_per_kept(self) -> float:
        """Wall time of the whole run over the questions kept (of both kinds)."""
        kept = self.kept + self.absent_kept
        return self.seconds / kept if kept else 0.0

    def summary(self, set_name: str) -> str:
        """What the run kept, dropped and why, in two or three sentences (the window's status and
        ``ragtune eval generate`` say the same)."""
        text = (
            f"Kept {self.kept} questions from {self.tried} passages tried ({self.kept_per_100:.0f} per 100) "
            f"and {self.absent_kept} of {self.absent_tried} absent ones, in {self.seconds:.0f} s "
            f"({self.seconds_per_kept:.1f} s per kept question); added to \u201c{set_name}\u201d."
        )
        if self.skipped:
            text += f" {self.skipped} passages stated no checkable fact (a number with its unit, a percent, an acronym spelled out)."
        dropped = {**self.dropped, **{f"absent: {k}": v for k, v in self.absent_dropped.items()}}
        if dropped:
            text += " Dropped: " + ", ".join(f"{reason} {count}" for reason, count in sorted(dropped.items())) + "."
        if self.cancelled:
            text += " Stopped early: the questions kept so far were added."
        return text
