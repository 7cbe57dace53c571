"""``Citation``: a numbered source shown with an answer, narrowed to its evidence sentence with the
fact marked (``core.evidence`` chooses them). A value type of its own module, so every layer can
use it without importing the answer path; ``core.types`` names it too."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A numbered source shown with an answer."""

    n: int
    chunk_id: int
    path: str
    page: int
    start: int
    end: int
    text: str
    title: str = ""
    ocr: bool = False  # its page's text was read by OCR
    #: the evidence: ``text`` is the sentence (or two) of the passage the answer rests on; these say
    #: where it starts in the passage (-1: ``text`` is the whole passage, no sentence was found) and
    #: which span of ``text`` carries the fact (``mark_start`` -1: nothing marked)
    passage_start: int = -1
    mark_start: int = -1
    mark_end: int = -1

    @property
    def mark(self) -> str:
        """The words of ``text`` that carry the fact ("" when none were marked)."""
        return self.text[self.mark_start : self.mark_end] if 0 <= self.mark_start < self.mark_end else ""

    def mark_parts(self) -> tuple[str, str, str]:
        """The evidence sentence as (before, marked, after), cut at the mark's offsets (not by
        searching its words: "12" in "In 2012 the model had 12." is the second one); the whole
        sentence before an empty mark when nothing is marked."""
        if not self.mark:
            return self.text, "", ""
        return self.text[: self.mark_start], self.mark, self.text[self.mark_end :]

    @property
    def has_evidence(self) -> bool:
        """Whether this citation was narrowed to an evidence sentence (answers saved before
        evidence existed cite whole passages: no evidence to show)."""
        return self.passage_start >= 0 and bool(self.text.strip())

    def evidence_json(self) -> dict[str, object]:
        """The evidence as ``ask --json`` and ``ragtune serve`` give it, per citation: the
        sentence, where it is in the passage (``passage_start``, ``passage_end``) and the marked
        span (``mark``: ``start``/``end`` in the sentence, and its text; None when unmarked)."""
        start = max(self.passage_start, 0)
        marked = self.mark
        return {
            "sentence": self.text,
            "passage_start": start,
            "passage_end": start + len(self.text),
            "mark": {"start": self.mark_start, "end": self.mark_end, "text": marked} if marked else None,
        }
