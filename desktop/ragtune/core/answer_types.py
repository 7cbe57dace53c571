"""Dataclasses for answers, adapters, models and chats, shared by generation, services, CLI and GUI."""

from __future__ import annotations

from dataclasses import dataclass, field

from ragtune.core.types import Citation, Hit

MODE_MODEL = "model"  # the model alone
MODE_RAG = "rag"  # retrieved passages in the prompt
MODE_ADAPTER = "adapter"  # the model with LoRA adapters, no passages
MODE_RAG_ADAPTER = "rag+adapter"


@dataclass(frozen=True)
class AdapterSpec:
    """An adapter file and the strength to apply it with (0 = off, 1 = as trained)."""

    path: str
    scale: float = 1.0

    @classmethod
    def parse(cls, text: str) -> AdapterSpec:
        """Parse ``PATH[:STRENGTH]`` as the CLI takes it."""
        head, sep, tail = text.rpartition(":")
        if sep and head:
            try:
                return cls(head, float(tail))
            except ValueError:
                pass
        return cls(text, 1.0)


@dataclass(frozen=True)
class Timings:
    time_to_first_token_s: float = 0.0
    time_to_first_source_s: float = 0.0
    tokens_per_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_s: float = 0.0


@dataclass
class Answer:
    """One answer: the text, the sources it cites, how it was produced and how long it took."""

    question: str
    text: str
    mode: str
    model: str
    citations: list[Citation] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)  # every passage put in the prompt
    adapters: list[AdapterSpec] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    declined: bool = False  # retrieval found nothing relevant; the model was not asked to invent
    cancelled: bool = False
    unsupported_sentences: list[str] = field(default_factory=list)  # no passage supports them

    def to_json(self) -> dict[str, object]:
        """The object ``ragtune ask --json`` prints (the CLI contract)."""
        return {
            "answer": self.text,
            "citations": [
                {"n": c.n, "path": c.path, "page": c.page, "start": c.start, "end": c.end, "text": c.text}
                for c in self.citations
            ],
            "mode": self.mode,
            "model": self.model,
            "adapters": [{"path": a.path, "scale": a.scale} for a in self.adapters],
            "declined": self.declined,
            "cancelled": self.cancelled,
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
    mode: str
    model: str
    adapters: list[AdapterSpec]
    citations: list[Citation]
    timings: Timings
    created: float
