"""The engine profile: which engine answers (``EngineKind``: in-process llama.cpp or an
OpenAI-compatible server), where the server is, its API key, and the check that reaches it.

Public (the CLI and the GUI may import it, tests/unit/test_boundary.py): they show the plain-http
warning, set the profile and test the connection. The profile itself lives in
``core.server_profile`` (shared with the server engine, so neither imports the other) and is
re-exported here; the API key is never written to the settings file (``server_profile``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.core.engine_kind import EngineKind
from ragtune.core.server_profile import (
    API_KEY_ENV,
    KEYRING_SERVICE,
    EngineProfile,
    api_key,
    http_warning,
    key_fingerprint,
    normalize_url,
    store_api_key,
)
from ragtune.settings import Settings

__all__ = [
    "API_KEY_ENV",
    "KEYRING_SERVICE",
    "ConnectionReport",
    "EngineKind",
    "EngineProfile",
    "api_key",
    "check_connection",
    "http_warning",
    "key_fingerprint",
    "normalize_url",
    "store_api_key",
]


@dataclass(frozen=True)
class ConnectionReport:
    """What a reachable server said about itself (``check_connection``)."""

    model: str
    context_size: int
    warning: str | None = None

    def describe(self) -> str:
        return f"Connected: model {self.model}, context {self.context_size}"


def check_connection(settings: Settings, key: str | None = None) -> ConnectionReport:
    """Reach the server that ``settings`` describe (as the openai engine), list its models and read
    its context size. Raises the engine's typed errors (``EngineUnreachable``, ``EngineAuthError``,
    ...); slow (network), so the window calls it on a background lane. ``key`` None = the stored
    key (``api_key``)."""
    from ragtune.core.generation.openai_engine import OpenAIEngine  # httpx: only when it is used

    profile = EngineProfile.from_settings(settings)
    engine = OpenAIEngine(profile, key=key or None)
    try:
        return ConnectionReport(engine.model, engine.n_ctx, engine.warning)
    finally:
        engine.close()
