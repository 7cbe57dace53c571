"""A server engine's profile: where the OpenAI-compatible server is (``EngineProfile``), the
plain-http warning and the API key's home. The API key is never written to the settings file: it
comes from the ``RAGTUNE_API_KEY`` environment variable, else the OS keyring (service ``ragtune``,
user name = the server's base URL) through the ``keyring`` package.

Internal: the GUI and the CLI reach it through ``core.engine_profile``, which re-exports it. It is
its own module so that the server engine (``generation.openai_engine``) and ``engine_profile``
(whose connection check makes that engine) import it without importing each other.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from ragtune.core.engine_kind import EngineKind
from ragtune.errors import ModelError
from ragtune.settings import Settings

log = logging.getLogger(__name__)

KEYRING_SERVICE = "ragtune"
API_KEY_ENV = "RAGTUNE_API_KEY"


@dataclass(frozen=True)
class EngineProfile:
    """A remote server as the settings describe it."""

    base_url: str
    model: str = ""
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    context_size: int = 4096  # used when the server does not say its own

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineProfile:
        if settings.engine not in set(EngineKind):
            kinds = ", ".join(EngineKind)
            raise ModelError(f"unknown engine {settings.engine!r}: use one of {kinds}")
        if not settings.engine_url:
            raise ModelError("the openai engine needs a server URL", cli_hint="--endpoint URL")
        return cls(
            base_url=normalize_url(settings.engine_url),
            model=settings.engine_model,
            connect_timeout_s=settings.engine_connect_timeout_s,
            read_timeout_s=settings.engine_read_timeout_s,
            context_size=settings.engine_context_size or settings.context_size,
        )


def normalize_url(url: str) -> str:
    """``host:port`` or ``http://host:port`` → ``http://host:port/v1`` (the OpenAI API root)."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    if not url.endswith("/v1"):
        url += "/v1"
    return url


def http_warning(url: str) -> str | None:
    """A warning when ``url`` is plain http to a host that is not this machine (the questions, the
    passages and the API key travel unencrypted); None otherwise."""
    parts = urlsplit(normalize_url(url))
    if parts.scheme != "http":
        return None
    host = parts.hostname or ""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"warning: {host} is reached over plain http: questions, document passages and the API "
        "key travel unencrypted; use https or a server on this machine"
    )


def api_key(base_url: str) -> str | None:
    """The API key for ``base_url``: ``RAGTUNE_API_KEY``, else the keyring, else None."""
    key = os.environ.get(API_KEY_ENV)
    if key:
        return key
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, normalize_url(base_url))
        except KeyringError as exc:
            log.info("No API key from the keyring: %s", exc)
    except Exception as exc:  # a broken keyring backend must not stop answering
        log.info("Keyring unavailable: %s", exc)
    return None


def key_fingerprint(base_url: str) -> str:
    """A short hash of the API key ``api_key(base_url)`` finds ("" when none): lets the service see
    that the key changed (so a connected engine reconnects) without holding the key itself."""
    key = api_key(base_url)
    if not key:
        return ""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def store_api_key(base_url: str, key: str) -> None:
    """Keep ``key`` for ``base_url`` in the OS keyring (never in the settings file)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, normalize_url(base_url), key)
