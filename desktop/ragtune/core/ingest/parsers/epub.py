"""EPUB parser: container.xml → OPF → spine; one page per spine item (chapter), read as HTML."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote

from ragtune.core.ingest.parsers.common import (
    clean_label,
    clean_title,
    normalize_text,
    require_text,
)
from ragtune.core.ingest.parsers.html import html_sections
from ragtune.core.types import Page, ParsedDocument
from ragtune.core.units import format_size
from ragtune.errors import ParseError

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/xml"}
#: a chapter bigger than this (uncompressed) is not read: a zip bomb or not a book
_MAX_ITEM_BYTES = 64 * 1024 * 1024


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(archive: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        data = archive.read(name)
    except KeyError as exc:
        raise ParseError("corrupt", f"the EPUB has no {name}") from exc
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError("corrupt", f"{name} is not valid XML ({exc})") from exc


def _is_drm(archive: zipfile.ZipFile) -> bool:
    """Content (not just fonts) listed in META-INF/encryption.xml means DRM."""
    if _ENCRYPTION not in archive.namelist():
        return False
    root = _xml(archive, _ENCRYPTION)
    for element in root.iter():
        if _local(element.tag) == "CipherReference":
            uri = element.get("URI", "").lower()
            if uri.endswith((".xhtml", ".html", ".htm", ".xml")):
                return True
    return False


def _opf_path(archive: zipfile.ZipFile) -> str:
    for element in _xml(archive, _CONTAINER).iter():
        if _local(element.tag) == "rootfile" and element.get("full-path"):
            return element.get("full-path", "")
    raise ParseError("corrupt", "container.xml names no package file")


def _spine(opf: ET.Element, base: str) -> tuple[list[str], str]:
    """Archive names of the spine's (X)HTML items in reading order, and the dc:title."""
    manifest: dict[str, tuple[str, str]] = {}
    spine_ids: list[str] = []
    title = ""
    for element in opf.iter():
        name = _local(element.tag)
        if name == "item" and element.get("id") and element.get("href"):
            href = posixpath.normpath(posixpath.join(base, unquote(element.get("href", ""))))
            manifest[element.get("id", "")] = (href, element.get("media-type", ""))
        elif name == "itemref" and element.get("idref") and element.get("linear", "yes") != "no":
            spine_ids.append(element.get("idref", ""))
        elif name == "title" and not title and element.text:
            title = element.text.strip()
    names = [
        manifest[i][0]
        for i in spine_ids
        if i in manifest and (manifest[i][1] in _HTML_TYPES or manifest[i][0].endswith(("html", "htm")))
    ]
    return names, title


def parse(path: Path) -> ParsedDocument:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if isinstance(exc, PermissionError):
            raise
        raise ParseError("corrupt", f"not a readable EPUB (zip) file ({exc})") from exc
    with archive:
        if _is_drm(archive):
            raise ParseError("password-protected", "the EPUB is DRM-protected")
        opf_name = _opf_path(archive)
        names, title = _spine(_xml(archive, opf_name), posixpath.dirname(opf_name))
        if not names:
            raise ParseError("empty", "the EPUB's spine lists no chapters")
        pages: list[Page] = []
        hidden_spans = 0  # hidden elements with text left out, all chapters
        for name in names:
            try:
                info = archive.getinfo(name)
            except KeyError:
                continue  # a manifest entry without its file: skip the chapter
            if info.file_size > _MAX_ITEM_BYTES:
                raise ParseError("too large", f"chapter {name} is {format_size(info.file_size)}")
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise ParseError("corrupt", f"chapter {name} could not be read ({exc})") from exc
            sections, chapter_title, hidden = html_sections(data)
            hidden_spans += hidden
            text = normalize_text("\n\n".join(body for _, body in sections))
            if text:
                label = next((lbl for lbl, _ in sections if lbl), "") or chapter_title
                pages.append(Page(len(pages) + 1, text, clean_label(label)))
    pages_read = require_text(tuple(pages))
    return ParsedDocument(str(path), clean_title(title, path), "epub", pages_read, hidden_spans=hidden_spans)
