"""Dataclasses for answers, adapters, models and chats, shared by generation, services, CLI and GUI."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ragtune import paths
from ragtune.core.adapter_strength import chosen_strength
from ragtune.core.instruction_like import instructions_sentence
from ragtune.core.locations import locator
from ragtune.core.types import Citation, Hit, LibraryStats
from ragtune.errors import AdapterError, RagtuneError


class Mode(StrEnum):
    """How an answer is produced. The values are what history rows and ``ask --json`` hold (a
    ``Mode`` equals its string). The order is the comparison's: model alone first."""

    MODEL = "model"  # the model alone
    RAG = "rag"  # retrieved passages in the prompt
    ADAPTER = "adapter"  # the model with LoRA adapters, no passages
    RAG_ADAPTER = "rag+adapter"

    @property
    def label(self) -> str:
        """The name people read: "Model alone", "RAG", "Adapter", "RAG + adapter". (Not ``title``:
        that is ``str.title()``, which a str enum must keep.)"""
        return _MODE_LABELS[self]

    @property
    def uses_rag(self) -> bool:
        return self in (Mode.RAG, Mode.RAG_ADAPTER)

    @property
    def uses_adapters(self) -> bool:
        return self in (Mode.ADAPTER, Mode.RAG_ADAPTER)

    @classmethod
    def of(cls, rag: bool, adapters: bool) -> Mode:
        """The mode with passages when ``rag``, with adapters when ``adapters``."""
        return next(m for m in cls if (m.uses_rag, m.uses_adapters) == (rag, adapters))

    def and_baselines(self) -> list[Mode]:
        """This mode and those that leave out its passages, its adapters or both (model alone
        first): the modes a comparison runs."""
        return [m for m in Mode if m.uses_rag <= self.uses_rag and m.uses_adapters <= self.uses_adapters]


_MODE_LABELS = {
    Mode.MODEL: "Model alone",
    Mode.RAG: "RAG",
    Mode.ADAPTER: "Adapter",
    Mode.RAG_ADAPTER: "RAG + adapter",
}


def mode_label(mode: str) -> str:
    """The label of a mode as stored (a history row's string); an unknown one as it is."""
    try:
        return Mode(mode).label
    except ValueError:
        return mode


# The strengths an adapter may be applied with, in the CLI (PATH:STRENGTH) and the GUI (its slider,
# in percent): 0 = off, 1 = as trained, 2 = twice as strong. Beyond that (or NaN, infinity) the model
# only produces garbage, such as a stream of "!".
ADAPTER_STRENGTH_MIN = 0.0
ADAPTER_STRENGTH_MAX = 2.0


def check_strength(scale: float, name: str = "adapter") -> float:
    """``scale`` as a float when it is a usable adapter strength, else AdapterError saying the range."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or not ADAPTER_STRENGTH_MIN <= value <= ADAPTER_STRENGTH_MAX:
        raise AdapterError(
            f"{name}: {scale!r} is not a usable strength; give a number from "
            f"{ADAPTER_STRENGTH_MIN:g} to {ADAPTER_STRENGTH_MAX:g} (1 = as trained, 0 = off)"
        )
    return value


#: the adapter shipped with Ragtune (``resources/adapters/``), and the strength it was measured best
#: at: at 50 % it kept RAG's accuracy on the sample library and declined more questions the documents
#: do not answer; at 100 % it declined too often (README, "The shipped adapter")
SHIPPED_ADAPTER = "cite-and-decline"
SHIPPED_ADAPTER_STRENGTH = 0.5


def shipped_adapter_path() -> Path:
    """The shipped adapter's file (``resources/adapters/``), absolute: the CLI's hint, the window's
    adapter list and ``benchmarks/bench_injection.py`` name it this way."""
    return (paths.shipped_adapters_dir() / f"{SHIPPED_ADAPTER}.gguf").absolute()


def question_problem(question: str, library: str | None, rag: bool) -> RagtuneError | None:
    """Why a question cannot be asked as it is (an empty one; RAG without a library), else None:
    the one rule the service and the window check, in the same words."""
    if not question.strip():
        return RagtuneError("Type a question first.")
    if rag and library is None:
        return RagtuneError(
            "Add documents to a library first, or turn RAG off.",
            cli_hint="--library NAME, or --no-rag",
        )
    return None


def default_strength(path: str | Path) -> float:
    """The strength an adapter gets when none is given (the CLI's ``--adapter PATH``, an adapter
    listed in the window): the strength its bench chose (``core.adapter_strength``), the shipped
    one's measured strength, else 1 (as trained)."""
    chosen = chosen_strength(path)
    if chosen is not None:
        return chosen
    try:
        shipped = Path(path).expanduser().resolve() == shipped_adapter_path().resolve()
    except (OSError, RuntimeError, ValueError):
        shipped = False
    return SHIPPED_ADAPTER_STRENGTH if shipped else 1.0


def adapter_offer(library: str, stats: LibraryStats, adapter_on: bool) -> str:
    """What the window says to offer the shipped adapter, or "" when there is nothing to offer: the
    library holds passages that look like instructions to a model and the adapter is off (it
    resists them: ``benchmarks/bench_injection.py``)."""
    if adapter_on or stats.instruction_passages <= 0:
        return ""
    return (
        f"In \u201c{library}\u201d, {instructions_sentence(stats.instruction_passages)}. "
        f"The {SHIPPED_ADAPTER} adapter resists such text."
    )


@dataclass(frozen=True)
class AdapterSpec:
    """An adapter file and the strength to apply it with (0 = off, 1 = as trained)."""

    path: str
    scale: float = 1.0

    @classmethod
    def parse(cls, text: str) -> AdapterSpec:
        """Parse ``PATH[:STRENGTH]`` as the CLI takes it (no strength: :func:`default_strength`); a strength that is not a number in range
        raises AdapterError (a path that itself contains ``:`` is kept when that file exists)."""
        head, sep, tail = text.rpartition(":")
        if not sep or not head or "/" in tail or "\\" in tail:  # no strength, or C:\dir\a.gguf
            return cls(text, default_strength(text))
        try:
            value = float(tail)
        except ValueError:
            if Path(text).expanduser().exists():
                return cls(text, default_strength(text))
            raise AdapterError(
                f"{text}: the strength after ':' must be a number from {ADAPTER_STRENGTH_MIN:g} to "
                f"{ADAPTER_STRENGTH_MAX:g}, not '{tail}'"
            ) from None
        return cls(head, check_strength(value, Path(head).name))


@dataclass(frozen=True)
class Timings:
    time_to_first_token_s: float = 0.0
    time_to_first_source_s: float = 0.0
    tokens_per_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_s: float = 0.0


@dataclass(frozen=True)
class SentenceFlag:
    """An answer sentence a person should check, and why (the reason's words come from the core
    rule that flags it, e.g. ``core.instruction_like.STEERED_REASON``)."""

    sentence: str
    contact: str  # the link, e-mail address or phone number that raised the flag
    reason: str


@dataclass
class Answer:
    """One answer: the text, the sources it cites, how it was produced and how long it took."""

    question: str
    text: str
    mode: Mode
    model: str
    citations: list[Citation] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)  # every passage put in the prompt
    adapters: list[AdapterSpec] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    declined: bool = False  # retrieval found nothing relevant; the model was not asked to invent
    cancelled: bool = False
    error: str = ""  # the answer was cut off (e.g. its server died): the text is what came
    unsupported_sentences: list[str] = field(default_factory=list)  # no passage supports them
    #: sentences carrying a link, e-mail or phone number a document planted next to instructions
    flagged_sentences: list[SentenceFlag] = field(default_factory=list)
    #: why the answer was not saved to the history (e.g. another writer held the database); "" = saved
    history_error: str = ""
    #: what a person should know about how the answer was made (e.g. the question was shortened)
    notes: list[str] = field(default_factory=list)
    #: the model's first answer when it said nothing and was made again (``core.answer_recovery``)
    revised_from: str = ""
    #: the answer's message in the history once saved (0: not saved); marks name it (``core.marks``)
    message_id: int = 0

    def to_json(self) -> dict[str, object]:
        """The object ``ragtune ask --json`` prints (the CLI contract)."""
        return {
            "answer": self.text,
            "citations": [
                {"n": c.n, "path": c.path, "page": c.page, "location": locator(c.path, c.page, ocr=c.ocr),
                 "start": c.start, "end": c.end, "text": c.text, "evidence": c.evidence_json()}
                for c in self.citations
            ],
            "revised_from": self.revised_from,
            "mode": str(self.mode),  # the plain string ("model", "rag", "adapter", "rag+adapter")
            "model": self.model,
            "adapters": [{"path": a.path, "scale": a.scale} for a in self.adapters],
            "declined": self.declined,
            "cancelled": self.cancelled,
            "error": self.error,
            "history_error": self.history_error,
            "message_id": self.message_id,  # for ``ragtune history mark`` (0: not saved)
            "notes": list(self.notes),
            "unsupported_sentences": list(self.unsupported_sentences),
            "flagged_sentences": [
                {"sentence": f.sentence, "contact": f.contact, "reason": f.reason} for f in self.flagged_sentences
            ],
            "timings": {
                "time_to_first_token_s": round(self.timings.time_to_first_token_s, 4),
                "time_to_first_source_s": round(self.timings.time_to_first_source_s, 4),
                "tokens_per_s": round(self.timings.tokens_per_s, 2),
                "prompt_tokens": self.timings.prompt_tokens,
                "completion_tokens": self.timings.completion_tokens,
                "total_s": round(self.timings.total_s, 4),
            },
        }


@dataclass(frozen=True)
class ModelInfo:
    """A chat model Ragtune can load."""

    name: str
    path: str
    size: int
    architecture: str
    context_length: int
    quantization: str
    embedded: bool = False
    runs_on: str = ""  # where the loaded model computes: "CPU", "GPU: NVIDIA …" ("" = not loaded)


@dataclass(frozen=True)
class AdapterInfo:
    """A LoRA adapter that passed validation against a model."""

    path: str
    name: str
    architecture: str
    alpha: float
    tensors: int


@dataclass(frozen=True)
class ChatInfo:
    id: int
    title: str
    library: str | None
    rag: bool
    created: float
    updated: float


@dataclass(frozen=True)
class MessageInfo:
    id: int
    chat_id: int
    role: str  # "user" or "assistant"
    content: str
    mode: str  # a Mode's value for an answer ("" for a question); mode_label() names it
    model: str
    adapters: list[AdapterSpec]
    citations: list[Citation]
    timings: Timings
    created: float


def mode_for(rag: bool, adapters: Sequence[AdapterSpec]) -> Mode:
    """The mode an answer is given in: with passages when ``rag``, with adapters when any applies
    (strength 0 = left out). A comparison runs ``mode_for(...).and_baselines()``."""
    return Mode.of(rag, any(a.scale != 0 for a in adapters))


#: the title of a chat nobody has asked anything in yet (named after its first question then)
NEW_CHAT_TITLE = "New chat"
#: longest chat title made from a question
TITLE_CHARS = 60


def chat_title(question: str, prefix: str = "") -> str:
    """The title a chat gets from its first question: one line, at most TITLE_CHARS characters
    (the window, ``ask`` and ``compare`` all name chats this way)."""
    flat = " ".join(question.split())
    title = flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1] + "…"
    return prefix + title


# -- what ``svc.compare`` reports per mode (core.compare sends them; receivers dispatch on type) --
@dataclass(frozen=True)
class CompareSources:
    """The passages ``mode`` answers from (before its first token; empty without RAG)."""

    mode: Mode
    hits: list[Hit]


@dataclass(frozen=True)
class CompareToken:
    """One streamed piece of ``mode``'s answer."""

    mode: Mode
    text: str


@dataclass(frozen=True)
class CompareDone:
    """``mode``'s finished answer (cancelled when stopped)."""

    mode: Mode
    answer: Answer


CompareEvent = CompareSources | CompareToken | CompareDone
