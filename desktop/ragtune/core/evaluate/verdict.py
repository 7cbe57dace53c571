"""The verdict of a run in plain words, drawn only from its counts.

It names what each mode got right, what happened on questions the documents do not answer, and which
mode to use for facts, but only claims one mode beats another when a paired sign test on the same
questions says the difference is unlikely to be chance (two-sided p < 0.05: the questions one mode
got right and the other wrong, against those the other way round). Otherwise it says the modes are
too close to call on this many questions, how many more questions would make a difference of the
size seen clear (``questions_needed``, if it holds), and where to get them (marked chats, generation).
Latency is the median time to first token.
"""

from __future__ import annotations

import math

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Kind
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.evaluate.summary import ModeSummary, RunSummary, summarize

SIGNIFICANCE = 0.05
#: beyond this many questions in all, a difference is called too small to chase
MAX_QUESTIONS = 500


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact p-value of ``wins`` against ``losses`` under "either way is equally likely"."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def questions_needed(wins: int, losses: int, asked: int) -> int | None:
    """How many questions in all would make a difference of this size clear, if the modes kept
    disagreeing as often and the same way round as on the ``asked`` questions so far; None when
    they never disagreed, or split evenly, or it would take more than ``MAX_QUESTIONS``."""
    disagreed = wins + losses
    if asked <= 0 or disagreed == 0 or wins == losses:
        return None
    if sign_test(wins, losses) < SIGNIFICANCE:
        return asked
    rate, share = disagreed / asked, max(wins, losses) / disagreed

    def clear(total: int) -> bool:
        n = round(total * rate)
        more = round(n * share)
        return n > 0 and sign_test(more, n - more) < SIGNIFICANCE

    if not clear(MAX_QUESTIONS):
        return None
    low, high = asked, MAX_QUESTIONS  # not clear at low, clear at high (the p-value falls with n)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if clear(middle) else (middle, high)
    return high


def _runner_up(record: RunRecord, best: ModeSummary, close: list[ModeSummary],
               answerable: int) -> tuple[ModeSummary, int | None]:
    """The close mode with the most right answers, and how many questions in all would make the
    best's lead over it clear (None: not within reach, or it does not lead on the paired answers)."""
    runner = max(close, key=lambda m: m.correct.k)
    wins, losses = paired(record, best.mode, runner.mode)
    return runner, questions_needed(wins, losses, answerable) if wins > losses else None


def paired(record: RunRecord, a: Mode, b: Mode) -> tuple[int, int]:
    """Answerable questions ``a`` got right and ``b`` wrong, and the reverse."""
    answerable = {q.id for q in record.questions if q.kind == Kind.ANSWERABLE}
    got = {(r.question_id, r.mode): bool(r.correct) for r in record.results}
    wins = losses = 0
    for qid in answerable:
        if (qid, a) in got and (qid, b) in got:
            wins += got[(qid, a)] and not got[(qid, b)]
            losses += got[(qid, b)] and not got[(qid, a)]
    return wins, losses


def _mode_phrase(m: ModeSummary) -> str:
    text = f"{m.mode.label} answered {m.correct.k}"
    if m.mode.uses_rag and m.cited.n:
        text += f" and cited the right source for {m.cited.k}"
    return text


def _latency(best: ModeSummary, other: ModeSummary) -> str:
    if best.median_ttft_s is None or other.median_ttft_s is None:
        return ""
    delta = best.median_ttft_s - other.median_ttft_s
    if abs(delta) < 0.05:
        return ""
    return f" at {delta:+.1f} s to first token against {other.mode.label}"


def verdict(record: RunRecord, summary: RunSummary | None = None) -> str:
    """A few sentences (see the module docstring)."""
    s = summary or summarize(record)
    info = record.info
    if not s.modes or s.answerable + s.absent == 0:
        return "No answers yet: run the evaluation to get a verdict."
    split = "test " if info.split == "test" else ""
    lines = [
        f"On \u201c{info.library}\u201d ({s.answerable} {split}questions with an answer in the documents"
        + (f", {s.absent} without" if s.absent else "")
        + "): "
        + "; ".join(_mode_phrase(m) for m in s.modes)
        + (f" of {s.answerable}." if s.answerable else ".")
    ]
    if s.absent:
        parts = [f"{m.mode.label} declined {m.declined_absent.k}" for m in s.modes]
        made_up = [m for m in s.modes if m.hallucinated_absent.k]
        line = f"Of the {s.absent} questions the documents do not answer, " + ", ".join(parts) + "."
        if made_up:
            worst = max(made_up, key=lambda m: m.hallucinated_absent.k)
            line += f" {worst.mode.label} made up an answer to {worst.hallucinated_absent.k}."
        lines.append(line)
    if s.answerable:
        lines.append(_recommendation(record, s))
    return " ".join(lines)


def _recommendation(record: RunRecord, s: RunSummary) -> str:
    best = max(s.modes, key=lambda m: (m.correct.k, -(m.median_ttft_s or 0.0)))
    others = [m for m in s.modes if m.mode != best.mode]
    if not others:
        return f"Only {best.mode.label} was run: run another mode to compare."
    clear: list[ModeSummary] = []
    close: list[ModeSummary] = []
    for other in others:
        wins, losses = paired(record, best.mode, other.mode)
        (clear if wins > losses and sign_test(wins, losses) < SIGNIFICANCE else close).append(other)
    if best.correct.k == 0:
        return "No mode answered correctly: check the expected answers, or try a larger model."
    if not clear:
        runner, needed = _runner_up(record, best, close, s.answerable)
        more = (f" About {needed - s.answerable} more questions like these would make a difference this "
                f"size clear, if it holds." if needed else "")
        return (
            f"{best.mode.label} answered the most ({best.correct.k}), but the modes are too close to "
            f"call on {s.answerable} questions.{more} Add questions: mark answers Right or Wrong in "
            f"your chats (they join \u201cFrom my chats\u201d), or generate them."
        )
    beaten = ", ".join(f"{o.mode.label} ({o.correct.k})" for o in clear)
    text = (
        f"{best.mode.label} answered more correctly than {beaten}, a difference unlikely to be "
        f"chance{_latency(best, clear[0])}."
    )
    if close:
        text += " Too close to call against " + ", ".join(f"{o.mode.label} ({o.correct.k})" for o in close) + "."
        runner, needed = _runner_up(record, best, close, s.answerable)
        if needed:
            text += (f" About {needed - s.answerable} more questions like these would show whether "
                     f"{best.mode.label} beats {runner.mode.label}, if the difference holds.")
    if best.mode.uses_rag:
        text += f" For facts in these documents, use {best.mode.label}: its answers cite their pages."
    else:
        text += f" For these questions, use {best.mode.label}."
    if best.mode == Mode.RAG and any(m.mode.uses_adapters for m in s.modes):
        text += " The adapter did not add accuracy on these facts; adapters help with voice and format."
    return text
