"""A person's marks on answers become the library's set "From my chats" (``core.marks``,
``core.evaluate.chat_set``): right, wrong with the right answer and its page, wrong because it is
not in the documents, changed, removed, the same question asked twice, a chat without a library,
a deleted chat, and every refusal. Real SQLite, the real sample library and embedder; the answers
are recorded as the window records them (no model: the model is not what is under test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ragtune import paths
from ragtune.core.answer_types import Answer, Mode
from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.evaluate.split import split_for
from ragtune.core.locations import place
from ragtune.core.marks import CHAT_SET
from ragtune.core.services import Ragtune
from ragtune.core.types import Citation
from ragtune.errors import RagtuneError
from ragtune.settings import Settings

QUESTION = "How many items can a member borrow at once?"


@pytest.fixture
def svc(embedder: Any) -> Iterator[Ragtune]:
    with Ragtune(settings=Settings(), embedder=embedder) as service:
        service.library.index("sample", [paths.sample_library_dir()])
        yield service


def answered(svc: Ragtune, question: str, text: str, library: str | None = "sample", cite: bool = True) -> int:
    """Record ``text`` as the answer to ``question`` in a new chat; its message id."""
    doc = svc.library.documents("sample")[0].path
    sentence = "Members may borrow up to 30 items."
    at = sentence.index("30")
    citations = [Citation(1, 7, doc, 2, 0, 40, sentence, passage_start=0, mark_start=at, mark_end=at + 2)]
    answer = Answer(question, text, Mode.RAG, "scripted", citations=citations if cite else [])
    assert svc.chats.record(question, library, library is not None, [answer], None) == ""
    assert answer.message_id > 0
    return answer.message_id


def chat_items(svc: Ragtune) -> list[Any]:
    return svc.evaluation.questions("sample", CHAT_SET)


def test_a_right_answer_becomes_a_question_with_its_cited_page(svc: Ragtune) -> None:
    assert CHAT_SET not in [s.name for s in svc.evaluation.question_sets("sample")]
    message_id = answered(svc, QUESTION, "A member can borrow up to 30 items [1]. Renewals are free.")
    outcome = svc.evaluation.mark_answer(message_id, "right")
    assert outcome.mark is not None
    assert outcome.library == "sample"
    assert "From my chats" in outcome.said
    (item,) = chat_items(svc)
    assert item.question == QUESTION
    assert item.answer == "30"  # the fact its evidence marked
    assert item.alternatives == ("A member can borrow up to 30 items.",)  # its first sentence, no marker
    assert (item.gold_page, item.kind, item.origin) == (2, Kind.ANSWERABLE, Origin.CHAT)
    assert item.gold_file == svc.library.documents("sample")[0].path
    assert item.split == split_for(QUESTION)
    assert svc.evaluation.marks_of([message_id])[message_id].describe() == "right"
    assert svc.evaluation.marked_counts() == {"sample": 1}


def test_asked_again_and_marked_wrong_it_stays_one_question_with_the_persons_answer(svc: Ragtune) -> None:
    first = answered(svc, QUESTION, "Up to 30 items [1].")
    svc.evaluation.mark_answer(first, "right")
    version = next(s.version for s in svc.evaluation.question_sets("sample") if s.name == CHAT_SET)
    again = answered(svc, "  how many items can a member borrow at once? ", "Ten items [1].")
    name = Path(svc.library.documents("sample")[1].path).name
    outcome = svc.evaluation.mark_answer(again, "wrong", answer="30 items", gold_file=name, gold_page=1)
    assert outcome.mark is not None
    assert outcome.mark.describe() == f"wrong: \u201c30 items\u201d ({place(outcome.mark.gold_file, 1)})"
    (item,) = chat_items(svc)
    assert item.answer == "30 items"
    assert item.gold_file == svc.library.documents("sample")[1].path  # the name, resolved
    assert item.gold_page == 1
    assert next(s.version for s in svc.evaluation.question_sets("sample") if s.name == CHAT_SET) > version
    assert svc.evaluation.marked_counts() == {"sample": 2}


def test_not_in_my_documents_is_an_absent_question_and_a_bare_wrong_is_none(svc: Ragtune) -> None:
    absent = answered(svc, "What colour is the library's front door?", "It is red [1].")
    svc.evaluation.mark_answer(absent, "wrong", absent=True)
    bare = answered(svc, "Who founded the library?", "Ada Lovelace [1].")
    outcome = svc.evaluation.mark_answer(bare, "wrong")
    assert outcome.question is None
    assert "Give the right answer" in outcome.said
    (item,) = chat_items(svc)
    assert (item.kind, item.answer, item.gold_file) == (Kind.ABSENT, "", "")
    declined = answered(svc, "Who paints the front door?", "The documents do not say who paints it.", cite=False)
    svc.evaluation.mark_answer(declined, "right")  # a right decline: absent too
    assert sorted(q.kind for q in chat_items(svc)) == [Kind.ABSENT, Kind.ABSENT]


def test_a_mark_changed_or_removed_changes_the_set(svc: Ragtune) -> None:
    message_id = answered(svc, QUESTION, "Up to 30 items [1].")
    svc.evaluation.mark_answer(message_id, "wrong", absent=True)
    assert chat_items(svc)[0].kind is Kind.ABSENT
    svc.evaluation.mark_answer(message_id, "right")
    assert chat_items(svc)[0].kind is Kind.ANSWERABLE
    assert "removed" in svc.evaluation.unmark_answer(message_id).said
    assert chat_items(svc) == []
    assert svc.evaluation.marks_of([message_id]) == {}
    assert "not marked" in svc.evaluation.unmark_answer(message_id).said


def test_a_deleted_chat_takes_its_question_along(svc: Ragtune) -> None:
    message_id = answered(svc, QUESTION, "Up to 30 items [1].")
    svc.evaluation.mark_answer(message_id, "right")
    chat_id = svc.chats.history("sample")[0].chat_id
    svc.chats.delete_chat(chat_id)
    assert chat_items(svc) == []
    assert svc.evaluation.marked_counts() == {}


def test_a_chat_without_a_library_keeps_its_mark_in_no_set(svc: Ragtune) -> None:
    message_id = answered(svc, QUESTION, "Up to 30 items.", library=None, cite=False)
    outcome = svc.evaluation.mark_answer(message_id, "right")
    assert outcome.library is None
    assert "no library" in outcome.said
    assert svc.evaluation.marks_of([message_id])[message_id].describe() == "right"
    assert CHAT_SET not in [s.name for s in svc.evaluation.question_sets("sample")]


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"verdict": "maybe"}, "not \u201cmaybe\u201d"),
        ({"verdict": "right", "answer": "30"}, "needs no correction"),
        ({"verdict": "wrong", "absent": True, "answer": "30"}, "one or the other"),
        ({"verdict": "wrong", "answer": "30", "gold_page": 2}, "A page needs its file"),
        ({"verdict": "wrong", "answer": "30", "gold_file": "nowhere.pdf"}, "not a document of this library"),
        ({"verdict": "wrong", "answer": "30", "gold_file": "x.md", "gold_page": -1}, "Page -1 does not exist"),
        ({"verdict": "right", "gold_file": "nowhere.pdf"}, "needs no correction"),
        ({"verdict": "wrong", "answer": "30", "gold_file": "harbor-city-library-lending-policy.pdf", "gold_page": 99},
         "has 3 pages, not 99"),
        ({"verdict": "wrong", "answer": "3" * 400}, "at most 300"),
    ],
)
def test_marks_that_make_no_sense_are_refused_and_nothing_changes(svc: Ragtune, kwargs: dict[str, Any], said: str) -> None:
    message_id = answered(svc, QUESTION, "Up to 30 items [1].")
    with pytest.raises(RagtuneError, match=said):
        svc.evaluation.mark_answer(message_id, **kwargs)
    assert svc.evaluation.marks_of([message_id]) == {}
    question_id = message_id - 1
    with pytest.raises(RagtuneError, match="only answers can be marked"):
        svc.evaluation.mark_answer(question_id, "right")
    with pytest.raises(RagtuneError, match="No message with id"):
        svc.evaluation.mark_answer(99999, "right")


def test_questions_put_in_the_set_by_hand_stay(svc: Ragtune) -> None:
    message_id = answered(svc, QUESTION, "Up to 30 items [1].")
    svc.evaluation.mark_answer(message_id, "right")
    (written,) = svc.evaluation.add_questions("sample", CHAT_SET, [Question("Is there a cafe?", kind=Kind.ABSENT)])
    svc.evaluation.unmark_answer(message_id)
    assert [q.question for q in chat_items(svc)] == ["Is there a cafe?"]  # only the marks' items go
    assert written.origin is not Origin.CHAT
