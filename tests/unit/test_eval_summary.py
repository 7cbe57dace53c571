"""A run's figures: counts with Wilson intervals, recall@k and MRR, and a verdict that claims only
what a paired sign test supports."""

from __future__ import annotations

import re

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.run_types import Result, RunInfo, RunRecord
from ragtune.core.evaluate.summary import Count, summarize
from ragtune.core.evaluate.verdict import questions_needed, sign_test, verdict


def _record(rag_right: int, model_right: int, n: int = 20, absent: int = 4) -> RunRecord:
    questions = [Question(f"q{i}?", "1", gold_file="a.pdf", gold_page=1, id=i) for i in range(n)]
    questions += [Question(f"absent {i}?", kind=Kind.ABSENT, id=100 + i) for i in range(absent)]
    results = []
    for q in questions:
        if q.kind == Kind.ANSWERABLE:
            rank = 1 if q.id % 2 == 0 else (5 if q.id % 3 == 0 else None)
            results.append(Result(q.id, Mode.RAG, "a", q.id < rag_right, q.id < rag_right, False, rank,
                                  ttft_s=2.0))
            results.append(Result(q.id, Mode.MODEL, "b", q.id < model_right, None, False, rank, ttft_s=0.5))
        else:
            results.append(Result(q.id, Mode.RAG, "", None, None, True, None))
            results.append(Result(q.id, Mode.MODEL, "made up", None, None, False, None, ttft_s=0.5))
    info = RunInfo(1, "Contracts", "Set", 1, "test", [Mode.MODEL, Mode.RAG], {}, "finished", 0.0, None,
                   len(questions), len(results))
    return RunRecord(info, questions, results)


def test_wilson_interval_is_wide_for_small_samples() -> None:
    low, high = Count(17, 24).interval
    assert 0.50 < low < 0.52
    assert 0.84 < high < 0.86
    assert Count(0, 0).describe() == "0/0"
    assert Count(0, 5).interval[0] == 0.0
    assert Count(5, 5).interval[1] == 1.0


def test_summary_counts_per_mode_and_retrieval() -> None:
    s = summarize(_record(rag_right=15, model_right=3))
    rag, model = s.mode(Mode.RAG), s.mode(Mode.MODEL)
    assert rag is not None
    assert model is not None
    assert (rag.correct.k, rag.correct.n, rag.cited.k) == (15, 20, 15)
    assert model.cited.n == 0  # no passages, nothing to cite
    assert (rag.declined_absent.k, model.hallucinated_absent.k) == (4, 4)
    assert rag.median_ttft_s == 2.0
    assert s.retrieval.recall[1].k == 10
    assert s.retrieval.recall[10].k == 13
    assert abs(s.retrieval.mrr - (10 + 3 / 5) / 20) < 1e-9


def test_sign_test() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(12, 0) < 0.001
    assert sign_test(4, 2) > 0.5


def test_verdict_recommends_only_a_clear_winner() -> None:
    clear = verdict(_record(rag_right=15, model_right=3))
    assert "RAG answered 15 and cited the right source for 15" in clear
    assert "unlikely to be chance" in clear
    assert "use RAG" in clear
    assert "Model alone made up an answer to 4" in clear
    close = verdict(_record(rag_right=9, model_right=7))
    assert "too close to call on 20 questions" in close
    assert "use RAG" not in close
    assert re.search(r"About \d+ more questions like these would make a difference this size clear", close)
    assert "mark answers Right or Wrong in your chats" in close


def test_questions_needed_from_the_sign_test() -> None:
    assert questions_needed(6, 0, 20) == 20  # already clear: p = 0.03
    assert questions_needed(0, 0, 20) is None  # the modes never disagreed
    assert questions_needed(3, 3, 20) is None  # they split evenly
    needed = questions_needed(4, 2, 20)
    assert needed is not None
    assert needed > 20
    # at that many questions, disagreeing as often and the same way round, the test says clear
    n = round(needed * 6 / 20)
    wins = round(n * 4 / 6)
    assert sign_test(wins, n - wins) < 0.05
    assert questions_needed(11, 10, 21) is None  # a difference this small would take over 500


def test_a_winner_close_to_the_runner_up_says_how_many_more_questions_would_tell() -> None:
    record = _record(rag_right=15, model_right=1, n=30)
    extra = [Result(q.id, Mode.RAG_ADAPTER, "c", q.id < 18, q.id < 18, False, 1, ttft_s=3.0)
             if q.kind == Kind.ANSWERABLE else Result(q.id, Mode.RAG_ADAPTER, "", None, None, True, None)
             for q in record.questions]
    info = RunInfo(1, "Contracts", "Set", 1, "test", [Mode.MODEL, Mode.RAG, Mode.RAG_ADAPTER], {}, "finished",
                   0.0, None, len(record.questions), len(record.results) + len(extra))
    text = verdict(RunRecord(info, record.questions, [*record.results, *extra]))
    assert "RAG + adapter answered more correctly than Model alone (1)" in text
    assert "Too close to call against RAG (15)" in text
    match = re.search(r"About (\d+) more questions like these would show whether RAG \+ adapter beats RAG", text)
    assert match is not None
    assert int(match[1]) > 0
