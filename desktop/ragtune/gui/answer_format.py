"""Text for answers: Markdown with clickable citation links, timings, adapters, chat export."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from ragtune.core import locations
from ragtune.core.answer_types import (
    AdapterSpec,
    Citation,
    MessageInfo,
    SentenceFlag,
    Timings,
    mode_label,
)
from ragtune.core.types import Hit

_MARKER = re.compile(r"\[(\d{1,2})\]")
CITE_SCHEME = "cite"


def link_citations(text: str, numbers: Iterable[int]) -> str:
    """Turn ``[n]`` markers that match a citation into ``cite:n`` links (Markdown)."""
    known = set(numbers)

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[\\[{n}\\]]({CITE_SCHEME}:{n})" if n in known else m.group(0)

    return _MARKER.sub(repl, text)


def answer_markdown(text: str, citations: Sequence[Citation]) -> str:
    """The answer as Markdown with its ``[n]`` markers linked to their citations."""
    return link_citations(text, [c.n for c in citations])


def place(path: str, page: int, ocr: bool = False) -> str:
    return locations.place(path, page, ocr=ocr)


def chip_text(n: int, path: str, page: int, ocr: bool = False) -> str:
    return f"[{n}] {place(path, page, ocr)}"


def citation_from_hit(n: int, hit: Hit) -> Citation:
    return Citation(n, hit.chunk_id, hit.path, hit.page, hit.start, hit.end, hit.text, hit.title, hit.ocr)


def snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


#: an evidence sentence is shown up to this many characters, cut around its marked span
EVIDENCE_CHARS = 280


def evidence_html(citations: Sequence[Citation], mark_colour: str = "#fff3b0") -> str:
    """The evidence under an answer, as HTML for a text browser: per citation, a link ``[n]`` to
    its page, the sentence the answer rests on with the fact marked (cut at the core's offsets,
    ``Citation.mark_parts``), and the file and page. Every word of the document is escaped (it is
    data, never markup). A long sentence is cut to ``EVIDENCE_CHARS`` around its mark."""
    rows = []
    for c in citations:
        if not c.has_evidence:
            continue
        before, mark, after = (re.sub(r"\s+", " ", part) for part in c.mark_parts())
        room = max(40, (EVIDENCE_CHARS - len(mark)) // 2)
        if len(before) > room:
            before = "\u2026" + before[-room:].lstrip()
        if len(after) > room:
            after = after[:room].rstrip() + "\u2026"
        body = html.escape(breakable(before))
        if mark:
            body += f'<span style="background-color:{mark_colour}; font-weight:600">{html.escape(breakable(mark))}</span>'
        body += html.escape(breakable(after))
        where = html.escape(breakable(place(c.path, c.page, c.ocr)))
        rows.append(
            f'<p style="margin:0 0 3px 0"><a href="{CITE_SCHEME}:{c.n}">[{c.n}]</a> '
            f"\u201c{body.strip()}\u201d <i>{where}</i></p>"
        )
    return "".join(rows)


_LONG_WORD = re.compile(r"\S{32,}")
_ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str, every: int = 24) -> str:
    """``text`` with a zero-width space every ``every`` characters of a very long word (a path, a
    URL, a file name), so a word-wrapping label can break it instead of widening its pane."""

    def split(m: re.Match[str]) -> str:
        word = m.group(0)
        return _ZERO_WIDTH_SPACE.join(word[i : i + every] for i in range(0, len(word), every))

    return _LONG_WORD.sub(split, text)


def unsupported_text(sentences: Sequence[str]) -> str:
    """The warning under an answer: its sentences that no retrieved passage supports."""
    if not sentences:
        return ""
    if len(sentences) == 1:
        head = "⚠ No source supports this sentence — check it before relying on it:"
    else:
        head = f"⚠ No source supports these {len(sentences)} sentences — check them before relying on them:"
    quoted = "\n".join(f"“{breakable(snippet(s, 300))}”" for s in sentences)
    return f"{head}\n{quoted}"


def flagged_text(flags: Sequence[SentenceFlag]) -> str:
    """The warning under an answer for its flagged sentences, each with the core's reason."""
    return "\n".join(f"⚠ “{breakable(snippet(f.sentence, 300))}”: {f.reason}." for f in flags)


def timings_text(t: Timings) -> str:
    if not t.total_s and not t.completion_tokens:
        return ""
    return (
        f"first token {t.time_to_first_token_s:.1f} s · {t.tokens_per_s:.1f} tokens/s · "
        f"{t.completion_tokens} tokens in {t.total_s:.1f} s"
    )


def adapters_text(adapters: Sequence[AdapterSpec]) -> str:
    if not adapters:
        return ""
    return "adapters: " + ", ".join(f"{Path(a.path).stem} {round(a.scale * 100)}%" for a in adapters)


def header_text(mode: str, model: str, adapters: Sequence[AdapterSpec]) -> str:
    parts = [mode_label(mode), model, adapters_text(adapters)]
    return " · ".join(p for p in parts if p)


def chat_markdown(title: str, messages: Sequence[MessageInfo]) -> str:
    """A whole chat as a Markdown document (Export chat)."""
    lines = [f"# {title}", ""]
    for m in messages:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.created))
        if m.role == "user":
            lines += [f"## Question ({stamp})", "", m.content, ""]
            continue
        lines += [f"## Answer — {header_text(m.mode, m.model, m.adapters)}", "", m.content, ""]
        if m.citations:
            lines.append("Sources:")
            lines.append("")
            for c in m.citations:
                lines.append(f"- [{c.n}] {c.path}, {locations.locator(c.path, c.page, short=False, ocr=c.ocr)}: “{snippet(c.text, 200)}”")
            lines.append("")
        timing = timings_text(m.timings)
        if timing:
            lines += [f"*{timing}*", ""]
    return "\n".join(lines).rstrip() + "\n"
