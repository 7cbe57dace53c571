"""Pages → token-bounded chunks that keep their page number and character offsets.

Chunks are measured with the embedder's own tokenizer (a ``tokenizers.Tokenizer`` whose offsets map
tokens back to characters), so a chunk never exceeds what the model reads. Each chunk ends at a
paragraph or sentence boundary when one lies in the last part of the window, and the next chunk
starts ``overlap`` tokens earlier so no sentence is cut in two without being whole somewhere.
``page.text[chunk.start:chunk.end] == chunk.text`` always holds. The text that is embedded and
keyword-indexed starts with the document title (and section heading), which helps both searches.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from ragtune.core.types import Chunk, Page, ParsedDocument

#: the embedding model reads at most this many tokens (all-MiniLM-L6-v2 was trained on 256)
MODEL_MAX_TOKENS = 256
#: the title/heading prefix is cut to this many tokens
MAX_PREFIX_TOKENS = 32
#: a window end is moved back to a boundary only within this last fraction of the window
BOUNDARY_SEARCH = 0.35

_WORD = re.compile(r"\S+")


class _Encoding(Protocol):
    offsets: list[tuple[int, int]]


def chunk_document(
    doc: ParsedDocument, tokenizer: Any, max_tokens: int = 220, overlap: int = 40
) -> list[Chunk]:
    """Cut every page of ``doc`` into chunks of at most ``max_tokens`` tokens (fewer when the
    title prefix needs room within the model's 256), overlapping by ``overlap`` tokens."""
    chunks: list[Chunk] = []
    for page in doc.pages:
        prefix = _prefix(doc.title, page, tokenizer)
        budget = max(32, min(max_tokens, MODEL_MAX_TOKENS - 2 - _count(prefix, tokenizer)))
        step_overlap = max(0, min(overlap, budget // 3))
        for start, end in _windows(page.text, tokenizer, budget, step_overlap):
            text = page.text[start:end]
            if not text.strip():
                continue
            embed_text = f"{prefix}\n{text}" if prefix else text
            chunks.append(Chunk(len(chunks), page.number, start, end, text, embed_text))
    return chunks


def _prefix(title: str, page: Page, tokenizer: Any) -> str:
    parts = [title.strip()]
    label = page.label.strip()
    if label and label.lower() != parts[0].lower() and not label.isdigit():
        parts.append(label)
    prefix = " — ".join(p for p in parts if p)
    offsets = _offsets(prefix, tokenizer)
    if len(offsets) > MAX_PREFIX_TOKENS:
        prefix = prefix[: offsets[MAX_PREFIX_TOKENS - 1][1]]
    return prefix


def _count(text: str, tokenizer: Any) -> int:
    return len(_offsets(text, tokenizer)) if text else 0


def _offsets(text: str, tokenizer: Any) -> list[tuple[int, int]]:
    """Character span of every token of ``text`` (words when there is no tokenizer)."""
    if tokenizer is None:
        return [(m.start(), m.end()) for m in _WORD.finditer(text)]
    encoding: _Encoding = tokenizer.encode(text, add_special_tokens=False)
    spans: list[tuple[int, int]] = []
    for start, end in encoding.offsets:
        if end <= start and not spans:
            continue
        if spans and start < spans[-1][1]:  # byte-level pieces of one character share offsets
            start = spans[-1][1]
            end = max(start, end)
        spans.append((start, end))
    return spans


def _windows(text: str, tokenizer: Any, budget: int, overlap: int) -> list[tuple[int, int]]:
    """Character spans of the chunks of one page."""
    spans = _offsets(text, tokenizer)
    n = len(spans)
    if n == 0:
        return []
    if n <= budget:
        return [(spans[0][0], spans[-1][1])]
    windows: list[tuple[int, int]] = []
    i = 0
    while i < n:
        j = min(n, i + budget)
        if j < n:
            j = _boundary_before(text, spans, i, j)
        windows.append((spans[i][0], max(spans[j - 1][1], spans[i][1])))
        if j >= n:
            break
        next_i = max(i + 1, j - overlap)
        i = _sentence_start_after(text, spans, next_i, j)
    return windows


def _boundary_before(text: str, spans: list[tuple[int, int]], i: int, j: int) -> int:
    """Move the window end ``j`` back to just after a paragraph break (best), a sentence end or a
    line break, whichever is found in the last part of the window."""
    lowest = max(i + 1, j - int((j - i) * BOUNDARY_SEARCH))
    sentence_end = line_end = None
    for k in range(j, lowest - 1, -1):
        end = spans[k - 1][1]
        following = text[end : end + 2]
        if following == "\n\n":
            return k
        if sentence_end is None and text[end - 1 : end] in ".!?" and following[:1] in (" ", "\n"):
            sentence_end = k
        if line_end is None and following[:1] == "\n":
            line_end = k
    return sentence_end or line_end or j


def _sentence_start_after(text: str, spans: list[tuple[int, int]], i: int, limit: int) -> int:
    """The first token at or after ``i`` (and before ``limit``) that begins a sentence or line;
    ``i`` itself when there is none, so the overlap stays as asked."""
    for k in range(i, max(i, limit - 1)):
        before = text[max(0, spans[k][0] - 2) : spans[k][0]]
        if "\n" in before or (before[:1] in ".!?" and before.endswith(" ")):
            return k
    return i


__all__ = ["MODEL_MAX_TOKENS", "chunk_document"]
