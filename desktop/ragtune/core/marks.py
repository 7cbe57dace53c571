"""A person's mark on an answer, and the question it becomes (issue 20, "Questions from use").

An answer in a chat (or a Compare) is marked **right** or **wrong**. A wrong one may carry the right
answer (short) and where it is: a page of a document, or "not in my documents". Every marked answer
of a chat on a library becomes an item of that library's set **From my chats** (``CHAT_SET``,
origin ``chat``), so the bench and the trainer use the questions the person actually asks:

- **right**: the expected answer is the fact its evidence marked (``3.57%``), with the answer's own
  first sentence (citation markers removed) as an alternative (the sentence alone when nothing was
  marked); the gold source is the first cited page. A right decline ("The documents do not
  say…") is an absent question.
- **wrong** with "not in my documents": an absent question (the right behaviour is to decline).
- **wrong** with the right answer: that answer, at the page the person named (any page when none).
- **wrong** without either: kept as a mark, but no question can be judged from it
  (``question_from_mark`` gives None and the caller says so).

A question asked again later is one item: the newest mark of the same question (compared without
case and spacing) wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ragtune.core.answer_types import MessageInfo
from ragtune.core.evaluate.correctness import is_declined, own_words
from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.evaluate.split import split_for
from ragtune.core.locations import place
from ragtune.errors import RagtuneError

#: the question set every library's marked answers go to
CHAT_SET = "From my chats"
#: the longest right answer a person may give (a fact, not an essay)
MAX_ANSWER_CHARS = 300
_MARKER = re.compile(r"\s*\[\s*\d+(?:\s*[,;\-\u2013]\s*\d+)*\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Verdict(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"


@dataclass(frozen=True)
class Mark:
    """A person's mark on answer message ``message_id`` (see the module)."""

    message_id: int
    verdict: Verdict
    answer: str = ""
    gold_file: str = ""
    gold_page: int = 0
    absent: bool = False
    updated: float = 0.0

    def describe(self) -> str:
        """``right``, ``wrong: not in my documents``, ``wrong: 3.57% (resnet.pdf, page 2)``."""
        if self.verdict is Verdict.RIGHT:
            return "right"
        if self.absent:
            return "wrong: not in my documents"
        parts = [f"\u201c{self.answer}\u201d"] if self.answer else []
        if self.gold_file:
            parts.append(f"({place(self.gold_file, self.gold_page)})" if parts else place(self.gold_file, self.gold_page))
        return "wrong: " + " ".join(parts) if parts else "wrong"


@dataclass(frozen=True)
class MarkOutcome:
    """What a mark (or its removal) did: the mark as stored (None once removed), the library whose
    set it feeds (None: the chat has none), the item it became (None when it cannot be judged) and
    a sentence that says so."""

    mark: Mark | None
    library: str | None
    question: Question | None
    said: str


def checked_mark(
    message: MessageInfo, verdict: Verdict | str, answer: str = "", gold_file: str = "",
    gold_page: int = 0, absent: bool = False,
) -> Mark:
    """The mark a person gives ``message``, checked: only answers are marked; a right answer needs
    no correction; "not in my documents" has no answer nor page; a page needs its file."""
    if message.role != "assistant":
        raise RagtuneError(f"Message {message.id} is a question: only answers can be marked right or wrong.")
    try:
        verdict = Verdict(verdict)
    except ValueError:
        raise RagtuneError(f"Mark an answer \u201cright\u201d or \u201cwrong\u201d, not \u201c{verdict}\u201d.") from None
    answer = " ".join(answer.split())
    gold_file = gold_file.strip()
    if verdict is Verdict.RIGHT and (answer or gold_file or absent):
        raise RagtuneError("A right answer needs no correction: mark it wrong to give the right answer or its page.")
    if absent and (answer or gold_file):
        raise RagtuneError("\u201cNot in my documents\u201d has no right answer or page to give: choose one or the other.")
    if gold_page < 0:
        raise RagtuneError(f"Page {gold_page} does not exist: pages count from 1 (0 for any page).")
    if gold_page and not gold_file:
        raise RagtuneError("A page needs its file: say which document page it is.", cli_hint="--file FILE --page N")
    if len(answer) > MAX_ANSWER_CHARS:
        raise RagtuneError(f"The right answer is {len(answer)} characters long; give the fact in at most {MAX_ANSWER_CHARS}.")
    return Mark(message.id, verdict, answer, gold_file, gold_page, absent)


def first_sentence(text: str) -> str:
    """The answer's own first sentence, citation markers removed."""
    plain = _MARKER.sub("", own_words(text)).strip()
    return _SENTENCE_END.split(plain, maxsplit=1)[0].strip()


def question_from_mark(question: str, message: MessageInfo, mark: Mark) -> Question | None:
    """The set item a marked answer becomes (see the module); None when it cannot be judged."""
    question = " ".join(question.split())
    if not question:
        return None

    def item(answer: str = "", alternatives: tuple[str, ...] = (), gold_file: str = "", gold_page: int = 0,
             kind: Kind = Kind.ANSWERABLE) -> Question:
        return Question(
            question, answer, alternatives, gold_file, gold_page, kind, split_for(question), Origin.CHAT,
            note=f"marked {mark.describe()} in chat {message.chat_id}",
        )

    if mark.verdict is Verdict.RIGHT:
        if is_declined(message.content, False):
            return item(kind=Kind.ABSENT)
        cited = message.citations[0] if message.citations else None
        facts = list(dict.fromkeys(c.mark for c in message.citations if c.mark))
        sentence = first_sentence(message.content)
        # the fact the evidence marked, when there is one: a later answer may say it in other words
        expected = facts[0] if facts else sentence
        alternatives = tuple(a for a in dict.fromkeys([*facts[1:], sentence]) if a and a != expected)
        return item(expected, alternatives, cited.path if cited else "", cited.page if cited else 0)
    if mark.absent:
        return item(kind=Kind.ABSENT)
    if not mark.answer:
        return None
    return item(mark.answer, (), mark.gold_file, mark.gold_page)


def question_key(question: str) -> str:
    return " ".join(question.lower().split())


def chat_questions(marked: Iterable[tuple[Mark, str, MessageInfo]]) -> dict[str, Question]:
    """The set items of ``marked`` (oldest first), one per question: the newest mark that can be
    judged wins (a later "wrong" without a correction tells nothing new)."""
    items: dict[str, Question] = {}
    for mark, question, message in marked:
        item = question_from_mark(question, message, mark)
        if item is not None:
            items[question_key(question)] = item
    return items
