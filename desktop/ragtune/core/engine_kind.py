"""``EngineKind``: which engine answers, the in-process llama.cpp model or an OpenAI-compatible
server. A ``StrEnum``: the value saved in settings.json is the plain string ("local", "openai"), so
settings files written before the enum still load. The GUI and the CLI import it from
``core.engine_profile`` (the public module); ``ragtune.settings`` imports it from here, a module
that imports nothing of Ragtune, so the settings and the engine profile form no import circle.
"""

from __future__ import annotations

from enum import StrEnum


class EngineKind(StrEnum):
    """Which engine answers (``Settings.engine``)."""

    LOCAL = "local"  # the in-process llama.cpp model (``generation.engine.Engine``)
    OPENAI = "openai"  # any OpenAI-compatible server (``generation.openai_engine.OpenAIEngine``)

