"""User settings, saved as JSON in the config directory. Unknown or bad values fall back to defaults."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path

from ragtune import paths
from ragtune.core.engine_kind import EngineKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    threads: int = max(1, min(8, os.cpu_count() or 2))
    context_size: int = 4096
    temperature: float = 0.0
    max_answer_tokens: int = 256
    passages: int = 3  # number of retrieved passages put in a RAG prompt
    search_results: int = 10
    chunk_tokens: int = 220  # changing it needs a re-index
    chunk_overlap: int = 40  # changing it needs a re-index
    chat_model: str = ""  # "" = the embedded default; else a catalogue name or a GGUF path
    # the engine profile (core.engine_profile): EngineKind.LOCAL ("local" in the file) = in-process
    # llama.cpp, EngineKind.OPENAI ("openai") = any OpenAI-compatible server. The API key is never
    # stored here (RAGTUNE_API_KEY or the keyring).
    engine: EngineKind = EngineKind.LOCAL
    engine_url: str = ""  # e.g. http://127.0.0.1:8080/v1
    engine_model: str = ""  # "" = the first model the server lists
    engine_connect_timeout_s: float = 5.0
    engine_read_timeout_s: float = 60.0  # longest silence mid-answer before it counts as cut
    engine_context_size: int = 0  # 0 = ask the server, else context_size
    #: layers of the local model put on the GPU: -1 automatic (all that fit), 0 CPU only, N exactly N
    gpu_layers: int = -1

    #: settings whose change only takes effect after re-indexing
    REINDEX_FIELDS = ("chunk_tokens", "chunk_overlap")

    def needs_reindex(self, other: Settings) -> bool:
        return any(getattr(self, f) != getattr(other, f) for f in self.REINDEX_FIELDS)

    @property
    def chunking(self) -> str:
        """How documents are split, as recorded with each indexed document ("220/40")."""
        return chunking_label(self.chunk_tokens, self.chunk_overlap)


def chunking_label(tokens: int, overlap: int) -> str:
    """The chunking a document was split with: passage size and overlap in tokens ("220/40")."""
    return f"{tokens}/{overlap}"


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> Settings:
    """Read settings; a missing, unreadable or partly wrong file gives defaults for what is wrong."""
    path = settings_path()
    defaults = Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return defaults
    except (OSError, ValueError) as exc:
        log.warning("Ignoring unreadable settings file %s: %s", path, exc)
        return defaults
    if not isinstance(raw, dict):
        return defaults
    values = {}
    for f in fields(Settings):
        if f.name in raw:
            default = getattr(defaults, f.name)
            value = raw[f.name]
            if isinstance(default, float) and isinstance(value, int):
                value = float(value)
            if isinstance(default, StrEnum) and isinstance(value, str):  # saved as its plain string
                value = _member(type(default), value, default)
            if type(value) is type(default):
                values[f.name] = value
    return replace(defaults, **values)


def _member(kind: type[StrEnum], value: str, default: StrEnum) -> StrEnum:
    """``value`` as a member of ``kind``; ``default`` (with a log line) when it names none."""
    try:
        return kind(value)
    except ValueError:
        log.warning("Ignoring unknown %s %r in the settings file", kind.__name__, value)
        return default


def save(settings: Settings) -> None:
    """Write settings atomically (a crash never leaves a half-written file)."""
    path = settings_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
