"""Small real office and mail files for tests: a PowerPoint deck (python-pptx), an Excel workbook
(openpyxl), an e-mail (the standard library) and a LibreOffice-shaped .odt, each with hidden parts
that carry a CANARY a person cannot see."""

from __future__ import annotations

import email.message
import zipfile
from pathlib import Path

import openpyxl
from pptx import Presentation
from pptx.util import Inches

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


def make_pptx(path: Path) -> Path:
    """Three slides: the second hidden; the third with notes and a shape hidden in the selection pane."""
    deck = Presentation()
    for n, title in enumerate(["Ferry times", "Draft", "Budget talk"], start=1):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = f"Slide {n} body text."
        if n == 2:
            slide._element.set("show", "0")
            slide.placeholders[1].text = "CANARY-SLIDE draft figures."
        if n == 3:
            slide.notes_slide.notes_text_frame.text = "Mention the lighthouse tour."
            box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
            box.text_frame.text = "CANARY-SHAPE invisible box"
            box._element.nvSpPr.cNvPr.set("hidden", "1")
    deck.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    """Sheets Budget (a hidden row and column), Secret (hidden) and Trips."""
    book = openpyxl.Workbook()
    budget = book.active
    assert budget is not None
    budget.title = "Budget"
    budget.append(["Item", "Cost"])
    budget.append(["Ferry tickets", 48.0])
    budget.append(["CANARY-ROW", 1])
    budget.row_dimensions[3].hidden = True
    budget["D1"] = "CANARY-COLUMN"
    budget.column_dimensions["D"].hidden = True
    secret = book.create_sheet("Secret")
    secret["A1"] = "CANARY-SHEET"
    secret.sheet_state = "hidden"
    trips = book.create_sheet("Trips")
    trips.append(["Oslo", None, "three nights"])
    book.save(str(path))
    return path


def make_eml(path: Path, html_only: bool = False) -> Path:
    message = email.message.EmailMessage()
    message["From"] = "Harbour Office <office@harbour.example>"
    message["To"] = "crew@harbour.example"
    message["Subject"] = "Ferry timetable"
    message["Date"] = "Mon, 01 Jan 2024 10:00:00 +0000"
    html = "<p>The ferry <b>leaves</b> at 9:40.</p><div hidden>CANARY-HTML</div>"
    if html_only:
        message.set_content(html, subtype="html")
    else:
        message.set_content("The ferry leaves at 9:40.")
        message.add_alternative(html, subtype="html")
    message.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="tickets.zip")
    path.write_bytes(bytes(message))
    return path


def make_odt(path: Path) -> Path:
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODT_NS}>
<office:automatic-styles>
  <style:style style:name="T1" style:family="text"><style:text-properties text:display="none"/></style:style>
</office:automatic-styles>
<office:body><office:text>
  <text:h text:outline-level="1">Harbour guide</text:h>
  <text:p>The lighthouse<text:s text:c="2"/>opens at dawn.<text:span text:style-name="T1">CANARY-ODT</text:span></text:p>
  <table:table><table:table-row><table:table-cell><text:p>Pier</text:p></table:table-cell>
  <table:table-cell><text:p>North</text:p></table:table-cell></table:table-row></table:table>
  <text:h text:outline-level="1">Tides</text:h>
  <text:p>High tide is at noon.</text:p>
</office:text></office:body></office:document-content>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", "<manifest/>")
    return path
