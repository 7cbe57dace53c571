"""Plain frozen dataclasses passed between the core's stages, the CLI and the GUI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ragtune.core.citation import (
    Citation as Citation,  # a value type of its own module, used with these
)
from ragtune.core.hidden_text import MARK as HIDDEN_MARK
from ragtune.core.hidden_text import document_details, document_sentence, library_sentence
from ragtune.core.instruction_like import instructions_sentence
from ragtune.errors import plain_reason

#: an OCR'd word on a PDF page: x0, y0, x1, y1 in points from the rendered page's top left, and its text
WordBox = tuple[float, float, float, float, str]
#: a rectangle on a rendered page: x0, y0, x1, y1 in PNG pixels
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Page:
    """One page of a PDF, or one section of a flowing document (Markdown heading, DOCX heading...)."""

    number: int  # 1-based page or section number, as a user would say "page 12"
    text: str
    label: str = ""  # section heading or page label, when the format has one
    ocr: bool = False  # the text was read from the page's image by OCR (no text layer)
    words: tuple[WordBox, ...] = ()  # OCR: the words in reading order, where they are on the page


@dataclass(frozen=True)
class ParsedDocument:
    """A document's text, page by page, as a parser read it."""

    path: str
    title: str
    format: str  # "pdf", "docx", "markdown", "text", "html", "epub", "pptx", "xlsx", "email", "odt"
    pages: tuple[Page, ...]
    #: spans of text a person cannot see on the page that were left out (white on white, too small
    #: to read, invisible, hidden runs or elements): shown per document as "hidden text left out"
    hidden_spans: int = 0


@dataclass(frozen=True)
class Chunk:
    """A token-bounded slice of one page. ``start``/``end`` are character offsets in that page's text,
    so ``page.text[start:end] == text``. ``embed_text`` is what gets embedded and keyword-indexed:
    the document title (and section heading) followed by the text."""

    ordinal: int
    page: int
    start: int
    end: int
    text: str
    embed_text: str


@dataclass(frozen=True)
class Hit:
    """One search result: a chunk with where it came from and how it was ranked."""

    chunk_id: int
    document_id: int
    path: str
    title: str
    page: int
    start: int
    end: int
    text: str
    score: float  # fused score, higher is better
    keyword_rank: int | None = None  # 1-based rank in the BM25 list, None if absent there
    vector_rank: int | None = None  # 1-based rank in the vector list, None if absent there
    vector_similarity: float | None = None  # cosine similarity of query and chunk, when known
    ocr: bool = False  # its page's text was read by OCR


class Stage(StrEnum):
    """What long work is doing; the CLI and the window choose their words and bars by it."""

    WAITING = "waiting"  # for another run of the same library (its message in ``current``)
    SCANNING = "scanning"  # listing the sources' files
    PLANNED = "planned"  # the files an index run will read (``Progress.planned``), before it reads them
    INDEXING = "indexing"  # files done of total
    DONE = "done"  # the index run finished
    ASSEMBLING = "assembling"  # the embedded model's parts joined (bytes)
    DOWNLOADING = "downloading"  # a catalogue model (bytes)
    VERIFYING = "verifying"  # a file's SHA-256
    CHECKING = "checking"  # a model or adapter checked before use
    LOADING = "loading"  # the chat model read into memory
    EVALUATING = "evaluating"  # a bench run's answers
    GENERATING = "generating"  # passages tried for questions
    TRAINING = "training"  # the trainer's steps
    CHECKPOINT = "checkpoint"  # the trainer saved its state
    EXPORTING = "exporting"  # the adapter written as GGUF
    EMBEDDING = "embedding"  # a library's passages embedded again with another model


@dataclass(frozen=True)
class Progress:
    """Progress of long work (indexing, model assembly, model loading, evaluation, training)."""

    stage: Stage
    done: int
    total: int
    chunks: int = 0
    rate: float = 0.0  # units (files, bytes...) per second
    eta_s: float | None = None
    current: str = ""  # file being worked on, or a short message
    #: indexing: the file the parser has been busy with for a while ("" when none), with the step it
    #: is at when it says ("scan.pdf (OCR of page 3 of 40)"), and the seconds left, at the time of
    #: this report, before its time limit makes the parser give up on it (restarted at each step)
    parsing: str = ""
    parse_left_s: float | None = None
    #: ``Stage.PLANNED``: the files the index run will read (new or changed), by the indexer's own
    #: rules (exclusions, unchanged files skipped), so the window lists them as queued
    planned: tuple[str, ...] = ()

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be indexed, with the reason code shown on its row."""

    path: str
    reason: str
    detail: str = ""


@dataclass
class IndexReport:
    """What one run of indexing did to a library."""

    library: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_written: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0
    #: sources (folders or files) that were not there: their documents were kept, not removed
    missing_sources: list[str] = field(default_factory=list)
    #: files in the sources skipped because Ragtune does not read their type: suffix → count
    #: (``""`` for files without one), most first
    skipped: dict[str, int] = field(default_factory=dict)
    #: sentences about why this run did what it did (documents read again after an upgrade)
    notes: list[str] = field(default_factory=list)

    def skipped_sentence(self) -> str:
        """``12 files of types Ragtune does not read: .pptx \u00d77, .xlsx \u00d75`` (a
        multiplication sign before each count); empty when none were skipped. The CLI and the
        window both say it this way."""
        total = sum(self.skipped.values())
        if not total:
            return ""
        kinds = [f"{suffix or 'no extension'} \u00d7{n}" for suffix, n in self.skipped.items()]
        if len(kinds) > 8:
            kinds = [*kinds[:8], f"{len(kinds) - 8} more types"]
        what = "1 file of a type" if total == 1 else f"{total} files of types"
        if total > 1 and len(self.skipped) == 1:
            what = f"{total} files of a type"
        return f"{what} Ragtune does not read: {', '.join(kinds)}"

    def summary(self) -> str:
        """One line about what the run did (the window's status bar after an index run)."""
        parts = []
        if self.added:
            parts.append(f"{self.added} added")
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.failed:
            first = self.failed[0]
            parts.append(
                f"{len(self.failed)} could not be read (e.g. {Path(first.path).name}: "
                f"{plain_reason(first.reason)})"
            )
        if self.missing_sources:
            parts.append(f"{len(self.missing_sources)} source(s) missing, their documents kept")
        state = "Indexing cancelled" if self.cancelled else "Indexed"
        body = ", ".join(parts) or "nothing new"
        line = " ".join([f"{state} {self.library}: {body} in {self.seconds:.1f} s.", *self.notes])
        skipped = self.skipped_sentence()
        return f"{line} Skipped {skipped}." if skipped else line


@dataclass(frozen=True)
class LibraryInfo:
    id: int
    name: str
    sources: tuple[str, ...]
    #: sources that do not exist now (an unplugged drive, a deleted folder); their documents stay
    missing: tuple[str, ...] = ()
    #: files or folders inside a source that were removed and stay out on re-scans
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    path: str
    title: str
    status: str  # "indexed", "failed", "queued", "indexing"
    error: str  # reason code when failed, else ""
    pages: int
    chunks: int
    size: int
    #: modification time when indexed (with ``size``, what ``unchanged_since`` compares)
    mtime_ns: int = 0
    #: spans of text a person cannot see that were left out when it was indexed
    hidden_spans: int = 0

    def hidden_sentence(self) -> str:
        """``Hidden text left out: 3 spans``; empty when none was (``core.hidden_text``)."""
        return document_sentence(self.hidden_spans)

    def hidden_mark(self) -> str:
        """``hidden text left out`` when any was (the window's state column), else empty."""
        return HIDDEN_MARK if self.hidden_spans > 0 else ""

    def hidden_details(self) -> str:
        """:meth:`hidden_sentence` with what hidden text is (the window's tooltip)."""
        return document_details(self.hidden_spans)


def reindex_sentence(other_chunking: int) -> str:
    """``Needs a re-index: 3 documents were split with another chunk size than the settings
    give``; empty when none were. The front ends add how to start it (a button, a command)."""
    if not other_chunking:
        return ""
    what = "1 document was" if other_chunking == 1 else f"{other_chunking} documents were"
    return f"Needs a re-index: {what} split with another chunk size than the settings give"


@dataclass(frozen=True)
class LibraryStats:
    documents: int
    failed: int
    pages: int
    chunks: int
    database_bytes: int
    #: passages (chunks) of indexed documents that look like instructions to a model
    #: (``core.instruction_like``): the window offers the cite-and-decline adapter when there are any
    instruction_passages: int = 0
    #: spans of text a person cannot see left out of the indexed documents, and how many
    #: documents carried them
    hidden_spans: int = 0
    hidden_documents: int = 0
    #: indexed documents split with another chunking than the settings' (they need a re-index)
    other_chunking: int = 0
    #: the embedding model of the library's vectors ("" before its first index), and an unfinished
    #: switch to another: (model, passages done, passages in all)
    embedder: str = ""
    unfinished_switch: tuple[str, int, int] | None = None

    def switch_sentence(self) -> str:
        """"Switching to M stopped at 8 of 20 passages; …" ("" when there is no unfinished switch)."""
        if self.unfinished_switch is None:
            return ""
        model, done, total = self.unfinished_switch
        return (f"Switching to {model} stopped at {done} of {total} passages (searches use the old "
                "model meanwhile); choose it again to finish")

    @property
    def needs_reindex(self) -> bool:
        return self.other_chunking > 0

    def reindex_sentence(self) -> str:
        """See :func:`reindex_sentence`."""
        return reindex_sentence(self.other_chunking)

    def hidden_sentence(self) -> str:
        """``Hidden text left out: 3 spans in 1 document``; empty when none was (``core.hidden_text``)."""
        return library_sentence(self.hidden_spans, self.hidden_documents)

    def instructions_sentence(self) -> str:
        """``2 passages look like instructions to a model``; empty when none do (``ragtune
        libraries`` and the window say it this way)."""
        return instructions_sentence(self.instruction_passages)


@dataclass(frozen=True)
class RenderedPage:
    """A rendered PDF page and where the passage is on it."""

    png: bytes
    width: int
    height: int
    highlights: list[Rect] = field(default_factory=list)
    page_number: int = 1  # 1-based
    page_count: int = 1
    ocr: bool = False  # highlights found among the page's OCR'd words
