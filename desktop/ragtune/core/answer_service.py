"""``Answers``: the model part of the service (``svc.models``): the catalogue and downloads, models,
the loaded chat model, adapters, answers and comparisons. It knows nothing of libraries or history: the facade (``ragtune.core.services``)
retrieves the passages, hands them here and records what comes back.

The chat model is made by an ``EngineFactory`` (by default the in-process llama.cpp ``Engine``);
an OpenAI-compatible engine plugs in there. Everything that touches the model runs on the caller's
thread, which must be the one model lane (a llama.cpp context is not thread-safe); the GUI
guarantees that, the CLI is single-threaded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

from ragtune.core import compare as compare_mod
from ragtune.core.answer_types import AdapterInfo, AdapterSpec, Answer, ModelInfo
from ragtune.core.answering import answer_question
from ragtune.core.catalogue import (
    CatalogueEntry,
    Fit,
    assess,
    chat_models,
    embedding_models,
    find_entry,
)
from ragtune.core.current_settings import CurrentSettings
from ragtune.core.downloads import install_model
from ragtune.core.embedded import ensure_chat_model, ensure_embedding_model
from ragtune.core.engine_kind import EngineKind
from ragtune.core.finetune.train_fit import trainable_architectures
from ragtune.core.generation import models
from ragtune.core.generation.adapters import validate_adapter
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.generation.engine import Engine
from ragtune.core.generation.gguf_info import read_gguf
from ragtune.core.machine import Machine, offload_layers, this_machine
from ragtune.core.server_profile import EngineProfile, key_fingerprint
from ragtune.core.types import Hit, Progress, ProgressCallback, Stage
from ragtune.errors import AdapterError, ModelError
from ragtune.settings import Settings

log = logging.getLogger(__name__)

#: Added to a server engine's adapter refusal: what an adapter is there and how to name one.
SERVER_ADAPTERS = (
    "On a server, adapters are the ones it loaded at launch (llama-server --lora FILE); name one "
    "by its file name; no local file is sent"
)


@runtime_checkable
class ServerAdapters(Protocol):
    """A server engine that can say whether it loaded an adapter (``OpenAIEngine``)."""

    def check_adapter(self, path: str) -> AdapterInfo: ...


#: Makes the chat model for a resolved model file and the current settings (context size, threads).
EngineFactory = Callable[[Path, Settings], ChatModel]


def gpu_layers(settings: Settings, path: Path, machine: Machine) -> int:
    """The one rule for how many of the model's layers go on this machine's GPU: none for a
    server engine (it places its own), else ``offload_layers`` for the GGUF at ``path`` and the
    ``gpu_layers`` setting (-1 automatic, 0 CPU only, N exactly N). ModelError for a bad GGUF."""
    if settings.engine != EngineKind.LOCAL:
        return 0
    info = read_gguf(path)
    blocks = int(info.metadata.get(f"{info.architecture}.block_count") or 0)
    return offload_layers(settings.gpu_layers, info.size, blocks, machine)


def default_engine(path: Path, settings: Settings) -> ChatModel:
    """The engine the settings' profile names: the in-process llama.cpp ``Engine`` (``path``), or
    an OpenAI-compatible server (``EngineKind.OPENAI``; ``path`` is unused)."""
    if settings.engine != EngineKind.LOCAL:
        from ragtune.core.generation.openai_engine import OpenAIEngine

        return OpenAIEngine(EngineProfile.from_settings(settings))
    machine = this_machine()
    layers = gpu_layers(settings, path, machine)
    return Engine(
        path, n_ctx=settings.context_size, n_threads=settings.threads, n_gpu_layers=layers,
        runs_on=machine.runs_on(layers),
    )


class Answers:
    """The chat model (made on first use, remade when its file, context size or threads change, or,
    for a server, its profile or API key) and what runs on it. ``settings`` is read from the session's
    one ``CurrentSettings``."""

    def __init__(self, settings: CurrentSettings, engine_factory: EngineFactory = default_engine) -> None:
        self._settings = settings
        self._engine_factory = engine_factory
        self._engine: ChatModel | None = None
        self._engine_key: tuple[object, ...] | None = None

    @property
    def settings(self) -> Settings:
        return self._settings.value

    @property
    def engine(self) -> ChatModel | None:
        """The loaded chat model, None until the first answer or ``load_model``."""
        return self._engine

    # -- models ---------------------------------------------------------------------------------
    def ensure_models(self, progress: ProgressCallback | None = None) -> None:
        """Assemble and verify the embedded models (only slow the first time)."""
        ensure_embedding_model(progress)
        ensure_chat_model(progress)

    def list_models(self) -> list[ModelInfo]:
        """The chat models this machine has: the embedded one, added and downloaded ones."""
        return models.list_models()

    def catalogue(self) -> list[Fit]:
        """The catalogue's chat models and how each fits this machine (one recommended)."""
        return assess(chat_models(), this_machine(), trainable_architectures())

    def embedding_catalogue(self) -> list[CatalogueEntry]:
        """The embedding models the catalogue lists, with their measured quality and speed."""
        return embedding_models()

    def machine(self) -> Machine:
        """This machine: memory, CPU threads and the devices llama.cpp can run a model on."""
        return this_machine()

    def download_model(
        self, name: str, progress: ProgressCallback | None = None, cancel: threading.Event | None = None
    ) -> ModelInfo:
        """Download a catalogue model (resuming a partial download), verify and list it."""
        return install_model(find_entry(name), progress, cancel)

    def gguf_kind(self, path: str | Path) -> str:
        """``"adapter"`` for a LoRA adapter file, else ``"model"`` (a dropped GGUF file goes to the
        adapters or the models by it; an unreadable one to the models, which say what is wrong)."""
        try:
            info = read_gguf(str(path))
        except Exception:  # any reader failure: the model check explains it
            return "model"
        return "adapter" if info.general_type == "adapter" else "model"

    def add_model(self, path: str | Path) -> ModelInfo:
        return models.add_model(Path(path))

    def current_model(self) -> ModelInfo:
        if self._engine is not None:
            return self._engine.info
        wanted = self.settings.chat_model
        for info in models.list_models():
            if (not wanted and info.embedded) or wanted in (info.name, info.path):
                return self._where_it_will_run(info)
        return self._where_it_will_run(models.inspect_gguf(models.resolve_model(wanted)))

    def _where_it_will_run(self, info: ModelInfo) -> ModelInfo:
        """``info`` with where a local model will compute once loaded (the GPU layers it gets)."""
        if self.settings.engine != EngineKind.LOCAL or not Path(info.path).is_file():
            return info
        machine = this_machine()
        try:
            layers = gpu_layers(self.settings, Path(info.path), machine)
        except ModelError:
            return info
        return replace(info, runs_on=machine.runs_on(layers))

    def load_model(self, name_or_path: str | None = None, progress: ProgressCallback | None = None) -> ModelInfo:
        """Load (or switch to) a chat model; None: the one ``settings.chat_model`` names. Switching
        changes ``settings.chat_model`` for this session (``svc.update_settings`` saves it)."""
        if name_or_path is not None and name_or_path != self.settings.chat_model:
            self._settings.value = replace(self.settings, chat_model=name_or_path)
            self.drop_engine()
        return self._get_engine(progress).info

    def _get_engine(self, progress: ProgressCallback | None = None) -> ChatModel:
        s = self.settings
        if s.engine == EngineKind.LOCAL:
            path = models.resolve_model(s.chat_model or None)
            key: tuple[object, ...] = (str(path), s.context_size, s.threads, s.gpu_layers)
            label = path.name
        else:  # a server: the profile and the API key's fingerprint (never the key) are the key,
            # so a key changed in the keyring or environment reconnects on the next answer
            path = Path(s.engine_url)
            profile = EngineProfile.from_settings(s)
            key = (s.engine, profile, key_fingerprint(profile.base_url))
            label = s.engine_url
        if self._engine is None or self._engine_key != key:
            self.drop_engine()
            if progress is not None:
                progress(Progress(Stage.LOADING, 0, 1, current=f"Loading {label}"))
            self._engine = self._engine_factory(path, self.settings)
            self._engine_key = key
            if progress is not None:
                progress(Progress(Stage.LOADING, 1, 1, current=f"Loaded {label}"))
        return self._engine

    def engine_for_work(self) -> ChatModel:
        """The loaded chat model (loading it), for work beyond answers: writing questions."""
        return self._get_engine()

    def drop_engine(self) -> None:
        """Free the loaded model (the next answer loads it again)."""
        if self._engine is not None:
            self._engine.close()
        self._engine = None
        self._engine_key = None

    def check_adapter(self, path: str | Path) -> AdapterInfo:
        """Validate an adapter against the current model (raises AdapterError with the reason).
        With a server engine, ``path`` names (by file name) an adapter the server loaded at launch
        (llama-server's ``GET /lora-adapters``); no local file is read."""
        if self.settings.engine != EngineKind.LOCAL:
            engine = self._get_engine()
            try:
                if not isinstance(engine, ServerAdapters):
                    raise AdapterError(f"this engine ({engine.info.name}) takes no adapters")
                return engine.check_adapter(str(path))
            except AdapterError as exc:
                raise AdapterError(f"{exc}. {SERVER_ADAPTERS}", cli_hint="--adapter FILE.gguf[:STRENGTH]") from exc
        model_path = models.resolve_model(self.settings.chat_model or None)
        return validate_adapter(Path(path), model_path)

    # -- answers --------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        hits: list[Hit] | None,
        adapters: Sequence[AdapterSpec] = (),
        on_sources: Callable[[list[Hit]], None] | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        started: float | None = None,
    ) -> Answer:
        """Answer ``question`` from ``hits`` (None: the model alone). The time to the first source
        counts from ``started`` (``time.monotonic()`` when the question came, retrieval included;
        default now)."""
        started = time.monotonic() if started is None else started
        first_source: list[float] = []

        def sources_seen(passages: list[Hit]) -> None:
            first_source.append(time.monotonic() - started)
            if on_sources is not None:
                on_sources(passages)

        engine = self._get_engine()
        answer = answer_question(
            engine,
            question,
            hits,
            self.settings,
            adapters=list(adapters),
            on_sources=sources_seen,
            on_token=on_token,
            cancel=cancel,
            model_name=engine.info.name,
        )
        if first_source:
            answer.timings = replace(answer.timings, time_to_first_source_s=first_source[0])
        return answer

    def compare(
        self,
        question: str,
        hits: list[Hit] | None,
        adapters: Sequence[AdapterSpec] = (),
        on_event: compare_mod.EventCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Answer]:
        """Model alone, RAG, adapter and RAG + adapter (those that apply) on one question."""
        return compare_mod.compare(
            self._get_engine(),
            question,
            hits,
            self.settings,
            list(adapters),
            on_event=on_event,
            cancel=cancel,
        )

    def close(self) -> None:
        self.drop_engine()
