"""How Ragtune tells a person that a document carried hidden text (the CLI, ``doctor`` and the window
print these sentences; the wording lives here only).

The parsers leave out text a person cannot see on the page (white on white, too small to read,
invisible, hidden runs or HTML) and count the spans (``ParsedDocument.hidden_spans``): a file that
carries hidden text may be trying to instruct the model, so a person should be able to see that it did.
"""

from __future__ import annotations

#: what "hidden text" means, after a sentence or in a tooltip
EXPLANATION = "text a person cannot see: white on white, too small to read, invisible or hidden"
#: the short mark of a document that carried hidden text (the window's state column)
MARK = "hidden text left out"


def spans(n: int) -> str:
    """``1 span``, ``3 spans``."""
    return "1 span" if n == 1 else f"{n} spans"


def document_sentence(hidden_spans: int) -> str:
    """``Hidden text left out: 3 spans``; empty when none was."""
    return f"Hidden text left out: {spans(hidden_spans)}" if hidden_spans > 0 else ""


def document_details(hidden_spans: int) -> str:
    """``Hidden text left out: 3 spans, not indexed (text a person cannot see: ...)``, the window's
    tooltip; empty when none was."""
    sentence = document_sentence(hidden_spans)
    return f"{sentence}, not indexed ({EXPLANATION})" if sentence else ""


def library_sentence(hidden_spans: int, documents: int) -> str:
    """``Hidden text left out: 3 spans in 1 document``; empty when none was."""
    if hidden_spans <= 0:
        return ""
    where = "1 document" if documents == 1 else f"{documents} documents"
    return f"Hidden text left out: {spans(hidden_spans)} in {where}"


def doctor_lines(documents: list[tuple[str, str, int]], limit: int = 20) -> list[str]:
    """``doctor``'s lines for (library, path, hidden spans) of documents that carried hidden text:
    a heading, one line per document (``limit`` at most), none when there are none. Not a problem
    of the database: they are shown so a person can look at those files."""
    if not documents:
        return []
    where = "1 document" if len(documents) == 1 else f"{len(documents)} documents"
    lines = [
        f"Hidden text left out of {where} ({EXPLANATION}). Not a problem of the database, but look "
        "at these files: hidden text may be meant to instruct the model."
    ]
    lines.extend(f"    {path} (library {library}): {spans(n)}" for library, path, n in documents[:limit])
    if len(documents) > limit:
        lines.append(f"    ... and {len(documents) - limit} more")
    return lines
