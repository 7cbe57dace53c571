"""Formats without pages are cited by section, PDFs by page: one rule for the CLI, window and prompt."""

from __future__ import annotations

from ragtune.core.answer_types import Answer, Mode
from ragtune.core.generation.prompts import place as prompt_place
from ragtune.core.locations import locator, place
from ragtune.core.types import Citation, Hit


def test_only_pdfs_have_pages() -> None:
    assert place("/d/policy.PDF", 3) == "policy.PDF, p. 3"
    assert locator("/d/policy.pdf", 3, short=False) == "page 3"
    for name in ("notes.md", "contract.docx", "log.txt", "page.html", "book.epub"):
        assert place(f"/d/{name}", 2) == f"{name}, section 2"
    assert place("/d/notes.md", 0) == "notes.md"


def test_slides_and_sheets_are_cited_by_their_number() -> None:
    assert place("/d/talk.PPTX", 3) == "talk.PPTX, slide 3"
    assert locator("/d/budget.xlsx", 2, short=False) == "sheet 2"
    assert place("/d/mail.eml", 1) == "mail.eml, section 1"


def test_prompt_and_json_say_section_for_markdown() -> None:
    hit = Hit(1, 1, "/d/notes.md", "Notes", 2, 0, 4, "Text", 1.0)
    assert prompt_place(hit) == "notes.md, section 2"
    answer = Answer("q", "a", Mode.RAG, "m", citations=[Citation(1, 1, "/d/notes.md", 2, 0, 4, "Text", "Notes")])
    assert answer.to_json()["citations"] == [
        {"n": 1, "path": "/d/notes.md", "page": 2, "location": "section 2", "start": 0, "end": 4, "text": "Text",
         "evidence": {"sentence": "Text", "passage_start": 0, "passage_end": 4, "mark": None}}
    ]
