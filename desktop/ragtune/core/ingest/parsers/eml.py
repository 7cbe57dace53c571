"""E-mail parser (the standard library's ``email``, modern policy): one message, read as a person
reads it in a mail program: the From, To, Cc, Date and Subject headers, then the body.

The body is the ``text/html`` part's visible text (the HTML parser's own reading, so hidden
elements stay out and are counted), else the ``text/plain`` part: a mail program shows the HTML
alternative when there is one, so an instruction only in the plain one is never seen and is not
indexed. The unseen plain alternative is not counted as hidden text (telling whether it says
anything the HTML does not would need a comparison that proves little). Attachments are not
opened: they are listed by name ("Attachments: budget.xlsx, photo.jpg"). Long messages are cut into
numbered sections.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage, MIMEPart
from pathlib import Path

from ragtune.core.ingest.parsers.common import clean_title, normalize_text, require_text, split_long
from ragtune.core.ingest.parsers.html import html_sections
from ragtune.core.types import Page, ParsedDocument

_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header the policy cannot parse
        value = message.get_all(name, [""])[0] if message.defects else None
    return " ".join(str(value or "").split())


def _content(part: MIMEPart) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _body(message: EmailMessage) -> tuple[str, int]:
    """The body's text, and how many hidden HTML elements with text were left out of it."""
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "", 0
    text = _content(part)
    if part.get_content_subtype() != "html":
        return text, 0
    sections, _title, hidden = html_sections(text)
    return "\n\n".join(body for _label, body in sections), hidden


def _attachments(message: EmailMessage) -> list[str]:
    names = []
    for part in message.iter_attachments():
        name = part.get_filename()
        if name:
            names.append(" ".join(str(name).split()))
    return names


def parse(path: Path) -> ParsedDocument:
    with path.open("rb") as fh:
        parsed = email.message_from_binary_file(fh, policy=email.policy.default)
    message = parsed if isinstance(parsed, EmailMessage) else EmailMessage()
    lines = [f"{name}: {value}" for name in _HEADERS if (value := _header(message, name))]
    attachments = _attachments(message)
    if attachments:
        lines.append(f"Attachments: {', '.join(attachments)}")
    body, hidden = _body(message)
    body = normalize_text(body)
    text = normalize_text("\n".join(lines) + "\n\n" + body)
    pages = require_text(tuple(Page(i + 1, piece) for i, piece in enumerate(split_long(text))))
    subject = _header(message, "Subject")
    return ParsedDocument(str(path), clean_title(subject, path), "email", pages, hidden_spans=hidden)
