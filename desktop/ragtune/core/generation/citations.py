"""Citations: which passages support which answer sentences.

A small model rarely writes ``[n]`` markers reliably (design.md, "Answers from a small model"), so
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


def attribute(answer: str, sources: Sequence[Source]) -> Attribution:
    by_n = {s.n: s for s in sources}
    text = strip_invalid_markers(answer, set(by_n))
    used: list[int] = []
    evidence: dict[int, list[tuple[int, int]]] = {}  # source -> spans of its supporting sentences
    unsupported: list[str] = []
    pieces: list[str] = []
    cursor = 0
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        plain = _MARKER.sub("", sentence).strip()
        cited = [int(n) for n in _MARKER.findall(sentence)]
        scores = {s.n: max(support(plain, s.text), support(plain, s.hit.text)) for s in sources}
        supported = [n for n, score in scores.items() if score >= SUPPORT_THRESHOLD]
        addition = ""
        if len(content_words(plain)) >= MIN_WORDS:
            # a marker the model wrote stays only if that source supports the sentence
            keep = [n for n in cited if scores.get(n, 0.0) >= SUPPORT_THRESHOLD]
            wrong = [n for n in cited if n not in keep]
            if wrong:
                sentence = _drop_markers(sentence, set(wrong))
            if not keep and supported:
                best = max(supported, key=lambda n: scores[n])
                keep = [best]
                addition = f" [{best}]"
            if not supported:
                unsupported.append(plain)
            used.extend(keep)
            for n in keep:
                span = _best_sentence(plain, by_n[n].hit.text)
                if span is not None:
                    evidence.setdefault(n, []).append(span)
        else:
            used.extend(cited)
        pieces.append(text[cursor:start] + sentence)
        if addition:
            pieces.append(_place_marker(pieces.pop(), addition))
        cursor = end
    pieces.append(text[cursor:])
    order = list(dict.fromkeys(used))
    citations = [_citation(by_n[n], evidence.get(n, [])) for n in order if n in by_n]
    return Attribution("".join(pieces), citations, unsupported)


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


def _citation(source: Source, spans: list[tuple[int, int]]) -> Citation:
    """The citation of a source, narrowed to the sentences that support the answer (so the viewer
    highlights them, not the whole chunk); the whole chunk when none could be pinned down."""
    h = source.hit
    if not spans:
        return Citation(source.n, h.chunk_id, h.path, h.page, h.start, h.end, h.text, h.title)
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    text = h.text[start:end].strip()
    start += len(h.text[start:end]) - len(h.text[start:end].lstrip())
    return Citation(source.n, h.chunk_id, h.path, h.page, h.start + start, h.start + start + len(text), text, h.title)
