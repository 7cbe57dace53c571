"""Citations: which passages support which answer sentences.

A small model rarely writes ``[n]`` markers reliably (docs/architecture.md, "The answer path"), so
Ragtune does not depend on them: each answer sentence is matched against the passages by the
content words and numbers they share. Markers the model wrote are kept when they point at a real
source and dropped when they point nowhere; a sentence without a marker gets the marker of the
passage that supports it best. Sentences that no passage supports are reported, so the UI can mark
them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ragtune.core.evidence import Evidence, Focus, find_evidence
from ragtune.core.generation.prompts import Source
from ragtune.core.text_match import content_words, numbers, sentence_spans
from ragtune.core.types import Citation

_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
#: the same marker written twice in a row ("... [1]. [1].")
_REPEATED = re.compile(r"(\[\d{1,3}\])([.!?]?)(?:\s*\1[.!?]?)+")
#: share of a sentence's content words a passage must contain to support it
SUPPORT_THRESHOLD = 0.5
#: sentences shorter than this many content words ("Yes.", "The sources do not say.") are not
#: attributed
MIN_WORDS = 3


@dataclass(frozen=True)
class Attribution:
    text: str  # the answer with valid markers only, and markers added where support was found
    citations: list[Citation]
    unsupported: list[str]


def support(sentence: str, passage: str) -> float:
    """How well ``passage`` supports ``sentence``: the share of its content words found there,
    zero when the sentence states a number the passage does not contain."""
    wanted = content_words(sentence)
    if not wanted:
        return 0.0
    have = content_words(passage)
    facts = numbers(sentence)
    if facts and not facts <= numbers(passage):
        return 0.0
    return len(wanted & have) / len(wanted)


def strip_invalid_markers(text: str, valid: set[int]) -> str:
    """Drop markers that point at no source, and the same marker repeated in a row."""
    text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in valid else "", text)
    return _REPEATED.sub(r"\1\2", text)


def attribute(
    answer: str, sources: Sequence[Source], question: str = "", evidence_answer: str | None = None
) -> Attribution:
    """Attribute a whole answer at once (the same as streaming it through ``CitingStream``)."""
    stream = CitingStream(sources, question)
    stream.feed(answer)
    stream.finish()
    return stream.result(evidence_answer)


class CitingStream:
    """Attributes an answer while it streams, so what a person reads is what stays.

    ``feed`` takes the model's raw pieces and returns the text that can be shown now; ``finish``
    returns the rest. Each sentence is settled (markers kept, dropped, moved or added) as soon as the
    next one starts; until then its text is shown up to, not including, its first ``[`` and its last
    character, the only places attribution changes. The final answer is exactly the concatenation of
    what was returned, so streamed and final citation numbers always agree.
    """

    def __init__(self, sources: Sequence[Source], question: str = "") -> None:
        self._question = question
        self._sources = list(sources)
        self._by_n = {s.n: s for s in sources}
        self._raw = ""
        self._settled = 0  # raw characters whose sentences are settled
        self._shown = 0  # characters of the open sentence (raw[_settled:]) already returned
        self._out: list[str] = []
        self._used: list[int] = []
        self._last_markers: list[int] = []
        self._evidence: dict[int, list[tuple[int, int]]] = {}
        self._unsupported: list[str] = []

    def feed(self, piece: str) -> str:
        if not self._raw:
            piece = piece.lstrip()
        self._raw += piece
        shown = self._settle(final=False)
        open_part = self._raw[self._settled :]
        cut = _safe_length(open_part)
        if cut > self._shown:
            shown += open_part[self._shown : cut]
            self._shown = cut
        return self._emit(shown)

    def finish(self) -> str:
        self._raw = self._raw.rstrip()
        return self._emit(self._settle(final=True))

    def result(self, evidence_answer: str | None = None) -> Attribution:
        """The answer as shown, each cited source narrowed to its evidence (``core.evidence``):
        the sentence the answer rests on, with the fact marked. ``evidence_answer`` replaces the
        answer's words in that choice ("" for an answer that quotes a source: the question alone
        then says what to mark)."""
        text = "".join(self._out)
        order = [n for n in dict.fromkeys(self._used) if n in self._by_n]
        focus = Focus(self._question, [s.hit.text for s in self._sources], text if evidence_answer is None else evidence_answer)
        citations = []
        for n in order:
            hit_text = self._by_n[n].hit.text
            evidence = find_evidence(focus, hit_text)
            citations.append(_citation(self._by_n[n], self._evidence.get(n, []), evidence))
        return Attribution(text, citations, list(self._unsupported))

    def _emit(self, text: str) -> str:
        if text:
            self._out.append(text)
        return text

    def _settle(self, final: bool) -> str:
        """Settle every sentence that is complete (all of them when ``final``); returns the text
        still to show for them."""
        rest = self._raw[self._settled :]
        spans = sentence_spans(rest)
        shown = ""
        consumed = 0
        for _start, end in spans if final else spans[:-1]:
            settled = self._settle_region(rest[consumed:end])
            shown += settled[self._shown :]  # the part shown while open is unchanged by settling
            consumed = end
            self._shown = 0
        self._settled = len(self._raw) if final else self._settled + consumed
        return shown

    def _settle_region(self, region: str) -> str:
        """The settled text of ``region``: the gap before a sentence and the sentence itself."""
        body = region.lstrip()
        gap = region[: len(region) - len(body)]
        sentence = strip_invalid_markers(body, set(self._by_n))
        plain = _MARKER.sub("", sentence).strip()
        cited = [int(n) for n in _MARKER.findall(sentence)]
        if not plain.strip(".!?") and cited and set(cited) <= set(self._last_markers):
            return ""  # "... [1]. [1]." : the same marker again, alone
        if len(content_words(plain)) < MIN_WORDS:
            self._used.extend(cited)
            self._last_markers = cited or self._last_markers
            return gap + sentence
        scores = {
            s.n: max(support(plain, s.text), support(plain, s.hit.text)) for s in self._sources
        }
        supported = [n for n, score in scores.items() if score >= SUPPORT_THRESHOLD]
        # a marker the model wrote stays only if that source supports the sentence
        keep = [n for n in cited if scores.get(n, 0.0) >= SUPPORT_THRESHOLD]
        wrong = {n for n in cited if n not in keep}
        if wrong:
            sentence = _drop_markers(sentence, wrong)
        if not keep and supported:
            best = max(supported, key=lambda n: scores[n])
            keep = [best]
            sentence = _place_marker(sentence, f" [{best}]")
        if not supported:
            self._unsupported.append(plain)
        self._used.extend(keep)
        self._last_markers = keep
        for n in keep:
            span = _best_sentence(plain, self._by_n[n].hit.text)
            if span is not None:
                self._evidence.setdefault(n, []).append(span)
        return gap + sentence


def _safe_length(open_part: str) -> int:
    """How much of an unsettled sentence (with the gap before it) attribution cannot change: up to
    its first ``[`` (and the space before it) and before its last character."""
    cut = len(open_part.rstrip()) - 1
    bracket = open_part.find("[")
    if bracket >= 0:
        cut = min(cut, bracket)
    while cut > 0 and open_part[cut - 1].isspace():
        cut -= 1
    return max(cut, 0)


def _drop_markers(sentence: str, wrong: set[int]) -> str:
    return _MARKER.sub(lambda m: "" if int(m.group(1)) in wrong else m.group(0), sentence)


def _place_marker(sentence: str, marker: str) -> str:
    """Put ``marker`` before the sentence's final punctuation: ``... 24 months [1].``"""
    stripped = sentence.rstrip()
    tail = sentence[len(stripped) :]
    if stripped and stripped[-1] in ".!?":
        return stripped[:-1] + marker + stripped[-1] + tail
    return stripped + marker + tail


def _best_sentence(sentence: str, passage: str) -> tuple[int, int] | None:
    """Span in ``passage`` of the sentence that supports ``sentence`` best, if one does."""
    best: tuple[float, tuple[int, int]] | None = None
    # PDF text breaks lines and blocks mid-sentence: only punctuation ends a sentence here
    for start, end in sentence_spans(passage, paragraphs=False):
        score = support(sentence, passage[start:end])
        if score > 0 and (best is None or score > best[0]):
            best = (score, (start, end))
    return best[1] if best is not None else None


def _citation(source: Source, spans: list[tuple[int, int]], evidence: Evidence | None = None) -> Citation:
    """The citation of a source, narrowed to its evidence sentence with the fact marked, else to the
    sentences that support the answer (so the viewer highlights them, not the whole chunk); the
    whole chunk when none could be pinned down."""
    h = source.hit
    if evidence is not None:
        text = h.text[evidence.start : evidence.end]
        mark = (evidence.mark_start - evidence.start, evidence.mark_end - evidence.start)
        if evidence.mark_start < 0:
            mark = (-1, -1)
        return Citation(
            source.n, h.chunk_id, h.path, h.page, h.start + evidence.start, h.start + evidence.end,
            text, h.title, h.ocr, evidence.start, *mark,
        )
    if not spans:
        return Citation(source.n, h.chunk_id, h.path, h.page, h.start, h.end, h.text, h.title, h.ocr)
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    text = h.text[start:end].strip()
    start += len(h.text[start:end]) - len(h.text[start:end].lstrip())
    return Citation(
        source.n, h.chunk_id, h.path, h.page, h.start + start, h.start + start + len(text), text, h.title, h.ocr,
        start,
    )
