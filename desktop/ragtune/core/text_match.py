"""Small, language-light text matching: sentences, content words, numbers.

Used to trim passages to their relevant sentences, to judge whether retrieval found anything
relevant, and to attribute answer sentences to the passages that support them. Deliberately simple
(lowercase, a stopword list, a crude suffix stemmer) so it behaves the same on any document.
"""

from __future__ import annotations

import re
import unicodedata

# hyphens split words ("18-month" is "18" and "month", as a reader would match it)
_WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"')\]]*\s+|\n\s*\n")
#: the same without paragraph breaks, for text whose line and block breaks fall anywhere (PDF)
_PUNCTUATION_END = re.compile(r"(?<=[.!?。！？])[\"')\]]*\s+")
_NUMBER = re.compile(r"\d")

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "tell", "say", "says", "said", "please", "know", "give", "list", "describe", "explain", "many", "much", "according", "document", "documents", "source", "sources", "file", "files", "page"]
)


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words(text: str) -> list[str]:
    """Lowercased words (numbers with inner separators kept whole: ``3.5``, ``1,200``)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return [m.group(0).strip(".,'’") for m in _WORD.finditer(folded)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` with its character span: (start, end, the word as ``content_words`` or
    ``numbers`` has it, or "" for a stopword)."""
    spans: list[tuple[int, int, str]] = []
    for m in _WORD.finditer(text):
        word = unicodedata.normalize("NFKC", m.group(0)).lower().strip(".,'’")
        start = m.start()
        end = start + len(m.group(0).rstrip(".,'’"))
        if _NUMBER.search(word):
            key = word.replace(",", "")
        elif word in STOPWORDS or len(word) < 2:
            key = ""
        else:
            key = _stem(word)
        spans.append((start, end, key))
    return spans


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning: no stopwords, no single letters."""
    return {_stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def numbers(text: str) -> set[str]:
    """Number-like tokens (``2019``, ``3.5``, ``12``): the facts a citation must match exactly."""
    return {w.replace(",", "") for w in words(text) if _NUMBER.search(w)}


def sentence_spans(text: str, paragraphs: bool = True) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; a blank line also ends one unless
    ``paragraphs`` is False (then only . ! ? do)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in (_SENTENCE_END if paragraphs else _PUNCTUATION_END).finditer(text):
        end = match.start()
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentences(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in sentence_spans(text)]
