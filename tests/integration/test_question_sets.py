"""Question sets stored in the library's database (real SQLite): import with bad rows reported,
edits bump the version, splits are seeded, export reads back, the sample library's set loads once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.evaluate.question_files import read_file
from ragtune.core.evaluate.questions import Kind, Origin, Question, Split
from ragtune.core.evaluate.service import SAMPLE_SET_NAME
from ragtune.core.services import Ragtune
from ragtune.core.store.question_store import QuestionSetNotFound
from ragtune.errors import RagtuneError


@pytest.fixture
def svc(embedder: Any) -> Any:
    with Ragtune(embedder=embedder) as service:
        service.library.create_library("work")
        yield service


def test_import_edit_delete_and_export(svc: Ragtune, tmp_path: Path) -> None:
    source = tmp_path / "set.jsonl"
    rows = [f'{{"question": "Question {i}?", "answer": "{i}"}}' for i in range(10)]
    rows.insert(3, '{"question": "bad", "kind": "unknown"}')
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ev = svc.evaluation
    result = ev.import_questions("work", "Contracts", source)
    assert result.added == 10
    assert result.errors == ["line 4: kind must be one of answerable, absent, not 'unknown'"]
    qset = result.question_set
    assert (qset.counts["test"], qset.counts["train"]) == (3, 7)
    items = ev.questions("work", "Contracts")
    assert all(q.origin == Origin.IMPORTED for q in items)

    edited = ev.update_question("work", "Contracts", replace(items[0], answer="zero", note="checked"))
    assert (edited.answer, edited.note) == ("zero", "checked")
    assert ev.delete_questions("work", "Contracts", [items[1].id]) == 1
    after = ev.question_sets("work")[0]
    assert after.version == qset.version + 2
    assert after.size == 9

    out = tmp_path / "out.csv"
    assert ev.export_questions("work", "Contracts", out, Split.TEST) == after.counts["test"]
    assert all(q.split == Split.TEST for q in read_file(out).items)


def test_a_file_with_no_readable_row_is_refused(svc: Ragtune, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(RagtuneError, match="line 1: not valid JSON"):
        svc.evaluation.import_questions("work", "Bad", bad)
    assert svc.evaluation.question_sets("work") == []


def test_unknown_set_lists_the_sets_there_are(svc: Ragtune) -> None:
    svc.evaluation.create_question_set("work", "First")
    with pytest.raises(QuestionSetNotFound, match="sets: \u201cFirst\u201d"):
        svc.evaluation.questions("work", "Second")


def test_imported_splits_are_kept_and_resplit_is_seeded(svc: Ragtune) -> None:
    ev = svc.evaluation
    items = [Question(f"Q{i}?", "a", split=Split.TRAIN) for i in range(6)]
    ev.add_questions("work", "S", items, keep_splits=[True] * 6)
    assert ev.question_sets("work")[0].counts["test"] == 0
    again = ev.resplit("work", "S", test_share=0.5, seed=3)
    assert again.counts["test"] == 3
    assert ev.resplit("work", "S", test_share=0.5, seed=3).counts == again.counts


def test_empty_questions_and_negative_pages_are_refused(svc: Ragtune) -> None:
    with pytest.raises(RagtuneError, match="cannot be empty"):
        svc.evaluation.add_questions("work", "S", [Question("   ")])
    with pytest.raises(RagtuneError, match="negative"):
        svc.evaluation.add_questions("work", "S", [Question("Q?", "a", gold_page=-1)])


def test_the_sample_set_loads_once_with_both_kinds(svc: Ragtune) -> None:
    svc.library.create_library("sample")
    first = svc.evaluation.ensure_sample_set("sample")
    assert first is not None
    assert first.name == SAMPLE_SET_NAME
    assert first.counts["answerable"] >= 20
    assert first.counts["absent"] >= 3
    assert first.counts["test"] >= 8
    again = svc.evaluation.ensure_sample_set("sample")
    assert again is not None
    assert again.size == first.size
    assert again.version == first.version
    items = svc.evaluation.questions("sample", SAMPLE_SET_NAME)
    assert all(q.origin == Origin.WRITTEN for q in items)
    assert all(q.gold_file for q in items if q.kind == Kind.ANSWERABLE)


def test_the_sample_library_shows_its_set_without_being_asked(svc: Ragtune) -> None:
    from ragtune import paths

    svc.library.index("Sample library", [paths.sample_library_dir()])
    sets = svc.evaluation.question_sets("Sample library")
    assert [s.name for s in sets] == [SAMPLE_SET_NAME]
    assert svc.evaluation.question_sets("work") == []  # other libraries start empty


def test_the_sample_set_is_made_once_when_two_threads_ask_at_once(svc: Ragtune) -> None:
    """The window's Evaluate and Fine-tune tabs read the sets on two threads on first start: the
    sample set must be added once, not twice."""
    import threading

    svc.library.create_library("sample")
    start = threading.Barrier(4)
    made: list[Any] = []

    def ask() -> None:
        start.wait()
        made.append(svc.evaluation.ensure_sample_set("sample"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(made) == 4
    sizes = {s.size for s in made if s is not None}
    assert len(sizes) == 1
    assert len(svc.evaluation.questions("sample", SAMPLE_SET_NAME)) == sizes.pop() == 45
