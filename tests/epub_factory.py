"""Small real EPUB files for tests: a container, a package with a title and a spine, and chapters."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:'
    'xmlns:container"><rootfiles><rootfile full-path="OEBPS/c.opf" media-type="application/'
    'oebps-package+xml"/></rootfiles></container>'
)


def make_epub(path: Path, title: str, chapters: list[str]) -> Path:
    """Write an EPUB at ``path`` whose spine holds ``chapters`` (XHTML texts) in order."""
    ids = [f"c{i}" for i in range(len(chapters))]
    manifest = "".join(f'<item id="{i}" href="{i}.xhtml" media-type="application/xhtml+xml"/>' for i in ids)
    spine = "".join(f'<itemref idref="{i}"/>' for i in ids)
    package = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
        f"</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", _CONTAINER)
        z.writestr("OEBPS/c.opf", package)
        for i, chapter in zip(ids, chapters, strict=True):
            z.writestr(f"OEBPS/{i}.xhtml", chapter)
    return path
