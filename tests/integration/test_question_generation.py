"""Questions generated from the sample library by the real embedded chat model (``core.evaluate.
generate``): constrained JSON output (still used by other callers), answers taken from the text and
questions that pass the checks and name their gold source, absent questions made by swapping a
name, and cancel. Real SQLite, the real embedder and model; only a few passages, to keep it short."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ragtune import paths
from ragtune.core.evaluate import pair_checks
from ragtune.core.evaluate.generate import generate_questions
from ragtune.core.evaluate.passage_sample import Passage, sample_passages
from ragtune.core.evaluate.questions import Kind, Origin
from ragtune.core.services import Ragtune
from ragtune.core.types import Progress
from ragtune.errors import Cancelled, ModelError
from ragtune.settings import Settings

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
    "required": ["colour", "count"],
}
ASK = [{"role": "user", "content": "Name one colour of the rainbow and how many colours it has."}]


@pytest.fixture
def sample(embedder: Any) -> Iterator[tuple[Ragtune, list[Passage]]]:
    with Ragtune(settings=Settings(), embedder=embedder) as svc:
        svc.library.index("sample", [paths.sample_library_dir()])
        library = svc.library
        yield svc, sample_passages(library.connection(), library.library_id("sample"), 8, seed=0)


def test_complete_json_returns_a_dict_matching_the_schema(engine: Any) -> None:
    reply = engine.complete_json(ASK, SCHEMA, max_tokens=48)
    assert set(reply) == {"colour", "count"}
    assert isinstance(reply["colour"], str)
    assert isinstance(reply["count"], int)
    with pytest.raises(ModelError, match="token limit"):
        engine.complete_json(ASK, SCHEMA, max_tokens=3)  # cut before the JSON closes
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        engine.complete_json(ASK, SCHEMA, cancel=cancel)


def test_passages_are_spread_over_documents_and_pages(sample: tuple[Ragtune, list[Passage]]) -> None:
    svc, passages = sample
    first = passages[:4]
    assert len({p.path for p in first}) == 3  # round-robin: every document before a second
    assert len({(p.path, p.page) for p in passages}) == len(passages)
    assert all(len(p.text.strip()) >= 200 for p in passages)
    library = svc.library
    again = sample_passages(library.connection(), library.library_id("sample"), 8, seed=0)
    assert again == passages


def test_generated_pairs_pass_the_checks_and_name_their_source(
    engine: Any, sample: tuple[Ragtune, list[Passage]]
) -> None:
    svc, passages = sample
    events: list[Progress] = []
    report = generate_questions(
        engine, passages, lambda q: svc.library.search("sample", q, 10), n=4, absent=1, progress=events.append,
        answer_search=lambda q: svc.library.passages_for("sample", q, 5),
    )
    assert not report.cancelled
    assert report.tried + report.skipped <= len(passages)
    assert report.kept + sum(report.dropped.values()) == report.facts_tried
    assert report.absent_kept <= report.absent_tried
    assert report.kept >= 2  # greedy decoding: the same questions every run
    assert report.kept * 2 >= report.tried  # at least half of the passages tried give a question
    assert report.seconds > 0
    assert report.seconds_per_kept > 0
    assert events[-1].stage == "done"
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert events[-1].done == report.kept + report.absent_kept
    by_path_page = {(p.path, p.page): p for p in passages}
    answerable = [q for q in report.questions if q.kind is Kind.ANSWERABLE]
    assert len(answerable) == report.kept
    for q in report.questions:
        assert q.origin is Origin.GENERATED
    for q in answerable:
        source = by_path_page[(q.gold_file, q.gold_page)]
        assert q.answer in " ".join(source.text.split())  # the answer is the text's own words
        hits = svc.library.search("sample", q.question, 10)
        assert pair_checks.in_top(hits, source.chunk_id)
    for q in report.questions:
        if q.kind is Kind.ABSENT:
            assert q.answer == ""
            assert q.gold_file == ""
            assert pair_checks.shape_ok(q.question, "", answerable=False)
            named = [h.text for h in svc.library.passages_for("sample", q.question, 5)]
            assert "changed to" in q.note
            assert q.note.rsplit(" changed to ", 1)[1].split(",")[0] not in " ".join(named)


def test_cancel_returns_what_was_kept(engine: Any, sample: tuple[Ragtune, list[Passage]]) -> None:
    svc, passages = sample
    cancel = threading.Event()
    cancel.set()
    report = generate_questions(engine, passages, lambda q: svc.library.search("sample", q, 10), n=4, cancel=cancel)
    assert report.cancelled
    assert report.tried == 0
    assert report.questions == []

    cancel = threading.Event()

    def stop_after_first(event: Progress) -> None:
        if event.done >= 1:
            cancel.set()

    report = generate_questions(
        engine, passages, lambda q: svc.library.search("sample", q, 10), n=4, absent=0,
        progress=stop_after_first, cancel=cancel,
    )
    assert report.cancelled
    assert len(report.questions) == report.kept == 1
