"""Value types of question sets: a ``Question`` (one item) and a ``QuestionSet`` (a library's set).

An item is answerable (the library holds the answer; ``answer`` and its ``alternatives`` say what a
correct answer states; ``gold_file``/``gold_page`` say where, page 0 meaning "any page") or absent
(the library does not hold it: the right behaviour is to decline). ``split`` decides whether an item
may reach training data (``train``) or is kept for verdicts (``test``); nothing built from the test
split may reach training data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath


class Kind(StrEnum):
    ANSWERABLE = "answerable"
    ABSENT = "absent"


class Split(StrEnum):
    TRAIN = "train"
    TEST = "test"


class Origin(StrEnum):
    WRITTEN = "written"
    IMPORTED = "imported"
    GENERATED = "generated"
    CHAT = "chat"  # a question from a chat whose answer the person marked right or wrong


@dataclass(frozen=True)
class Question:
    """One item of a question set (``id`` 0 until stored)."""

    question: str
    answer: str = ""
    alternatives: tuple[str, ...] = ()
    gold_file: str = ""
    gold_page: int = 0
    kind: Kind = Kind.ANSWERABLE
    split: Split = Split.TEST
    origin: Origin = Origin.WRITTEN
    note: str = ""
    id: int = 0

    @property
    def expected(self) -> tuple[str, ...]:
        """The answer and its alternatives: a correct answer states one of them."""
        return tuple(a for a in (self.answer, *self.alternatives) if a.strip())

    def as_row(self) -> dict[str, object]:
        """The item as a question file's row (``core.evaluate.question_files``: the JSONL keys)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "alternatives": list(self.alternatives),
            "gold_file": self.gold_file,
            "gold_page": self.gold_page,
            "kind": self.kind.value,
            "split": self.split.value,
            "origin": self.origin.value,
            "note": self.note,
        }

    def is_gold_path(self, path: str) -> bool:
        """Whether ``path`` (a cited or retrieved document) is this item's gold file: the same
        path, or a path ending in the gold file's relative path (``notes/a.pdf`` matches
        ``/home/x/notes/a.pdf``), compared by path parts, case-sensitively."""
        if not self.gold_file:
            return False
        gold = PurePath(self.gold_file.replace("\\", "/")).parts
        have = PurePath(path.replace("\\", "/")).parts
        return len(gold) <= len(have) and have[len(have) - len(gold) :] == gold

    def is_gold(self, path: str, page: int) -> bool:
        """Whether a passage at ``path``/``page`` is this item's gold source."""
        return self.is_gold_path(path) and (self.gold_page == 0 or page == self.gold_page)


@dataclass(frozen=True)
class QuestionSet:
    """A library's question set. ``version`` grows with every change to its items, so a run
    records exactly which questions it answered."""

    id: int
    library: str
    name: str
    version: int
    created: float
    counts: dict[str, int] = field(default_factory=dict)  # "train"/"test"/"answerable"/"absent"

    @property
    def size(self) -> int:
        return self.counts.get("train", 0) + self.counts.get("test", 0)
