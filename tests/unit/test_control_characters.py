"""Issue 17, section 2: parsers drop control characters other than newline and tab from indexed
text, so an escape sequence in a document never reaches the index (nor a terminal from it)."""

from __future__ import annotations

from pathlib import Path

from ragtune.core.ingest.parsers import parse_file
from ragtune.core.ingest.parsers.common import clean_title, normalize_text

ESC = "\x1b"
#: a hyperlink the reader never sees, a clipboard write, a screen clear, a bell, C1 CSI, DEL
HOSTILE = (
    f"Ferry times{ESC}]8;;http://attacker.example/{ESC}\\ click{ESC}]8;;{ESC}\\\n"
    f"{ESC}]52;c;cm0gLXJmIH4={chr(7)}{ESC}[2J\x9b31mred\x7f\x00 end"
)


def test_normalize_text_drops_control_characters_but_newline_and_tab() -> None:
    text = normalize_text(HOSTILE + "\ncol\tcol")
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in text)
    assert not any(0x7F <= ord(c) <= 0x9F for c in text)
    assert text.endswith("\ncol\tcol")
    assert "Ferry times]8;;http://attacker.example/\\ click" in text  # the text stays, inert


def test_line_breaking_controls_become_newlines() -> None:
    assert normalize_text("one\x0btwo\x0cthree\x85four\r\nfive\rsix") == "one\ntwo\nthree\nfour\nfive\nsix"


def test_bidirectional_overrides_stay_in_the_text() -> None:
    """They are text (the terminal escapes them when printing); they are not control characters."""
    assert normalize_text("a\u202eb\u2066c") == "a\u202eb\u2066c"


def test_titles_and_section_labels_carry_no_control_characters(tmp_path: Path) -> None:
    assert clean_title(f"Report{ESC}[2J\x07 2024", tmp_path / "x.md") == "Report[2J 2024"
    path = tmp_path / "notes.md"
    path.write_text(f"# Title{ESC}[31m red\n\n## Part{ESC}]52;c;eA==\x07 two\n\n{HOSTILE}\n", "utf-8")
    parsed = parse_file(path)
    assert parsed.title == "Title[31m red"
    for page in parsed.pages:
        assert ESC not in page.text
        assert "\x07" not in page.text
        assert "\x9b" not in page.text
        assert ESC not in page.label
        assert "\x07" not in page.label
    assert any(page.label == "Part]52;c;eA== two" for page in parsed.pages)
