"""Rebuild resources/sample_library/harbor-city-library-lending-policy.pdf (a self-written, 3-page
public-domain sample) with PyMuPDF: ``python packaging/sample_library_src/make_lending_policy_pdf.py``."""

from __future__ import annotations

from pathlib import Path

import pymupdf

PAGES = [
    (
        "Harbor City Public Library - Lending Policy",
        """This policy explains who may borrow from the Harbor City Public Library, for how long, and what
happens when items come back late, damaged or not at all. It was adopted by the Library Board on
3 March 2025 and replaces all earlier lending rules.

1. Membership

Anyone who lives, works or studies in Harbor City may join the library free of charge. Bring a photo
identity document and proof of address, such as a utility bill or a tenancy agreement. Children
under 14 need a parent or guardian to sign the membership form.

Visitors from outside Harbor City may join for an annual fee of 25 dollars. A membership card must
be renewed every three years; renewal is free.""",
    ),
    (
        "2. Loan periods and limits",
        """Books, audiobooks and magazines may be borrowed for 21 days. DVDs and Blu-ray discs may be
borrowed for 7 days. Items from the reference collection, local history archive and newspapers may
not be borrowed and must be used in the library.

A member may have up to 30 items on loan at the same time, of which no more than 5 may be DVDs or
Blu-ray discs. A loan can be renewed twice, online or at the desk, unless another member has
reserved the item.

3. Reservations

Members may reserve up to 10 items. A reserved item is held at the pickup desk for 7 days after
the member is notified; after that it goes to the next member in the queue.""",
    ),
    (
        "3. Late returns, damage and loss",
        """The library charges no late fees for children's items. For adult items, the late fee is 25 cents
per item per day, up to a maximum of 5 dollars per item. Borrowing is suspended while a member owes
more than 10 dollars.

An item that is 42 days overdue is considered lost. The member is charged the replacement cost of
the item plus a processing fee of 3 dollars. If a lost item is found and returned within six months,
the replacement cost is refunded, but the processing fee is not.

Damaged items are assessed by staff. Minor wear is expected and never charged; an item that can no
longer be lent is charged as lost.

4. Privacy

The library keeps a record of a member's current loans only. Once an item is returned and any fee is
paid, the link between the member and the item is deleted.""",
    ),
]


def build(target: Path) -> None:
    doc = pymupdf.open()
    doc.set_metadata({"title": "Harbor City Public Library - Lending Policy", "author": "Ragtune sample"})
    for heading, body in PAGES:
        page = doc.new_page(width=595, height=842)
        page.insert_text((56, 72), heading, fontsize=15, fontname="helv")
        box = pymupdf.Rect(56, 96, 539, 800)
        page.insert_textbox(box, body, fontsize=10.5, fontname="helv", lineheight=1.4)
    doc.save(target, garbage=4, deflate=True)


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    build(root / "resources" / "sample_library" / "harbor-city-library-lending-policy.pdf")
