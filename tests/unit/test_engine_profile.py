"""The engine profile: settings round trip, the plain-http warning, and where the API key comes
from (environment, else the keyring; never the settings file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from ragtune import settings
from ragtune.core.engine_profile import (
    EngineKind,
    EngineProfile,
    api_key,
    http_warning,
    normalize_url,
    store_api_key,
)
from ragtune.errors import ModelError


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict (tests only)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("RAGTUNE_API_KEY", raising=False)
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def test_urls_are_normalized() -> None:
    assert normalize_url("127.0.0.1:8080") == "http://127.0.0.1:8080/v1"
    assert normalize_url("https://api.example.com/v1/") == "https://api.example.com/v1"


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://127.0.0.1:8080/v1", False),
        ("http://localhost:8080", False),
        ("http://[::1]:8080", False),
        ("https://gpu.example.com/v1", False),
        ("http://gpu.example.com:8080/v1", True),
        ("http://192.168.1.20:8080", True),
    ],
)
def test_plain_http_to_another_host_is_warned(url: str, warned: bool) -> None:
    warning = http_warning(url)
    assert (warning is not None) == warned
    if warning:
        assert "unencrypted" in warning


def test_key_from_keyring_then_environment(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api_key("http://gpu.example.com:8080") is None
    store_api_key("http://gpu.example.com:8080", "sk-ring")
    assert memory_keyring.store == {("ragtune", "http://gpu.example.com:8080/v1"): "sk-ring"}
    assert api_key("http://gpu.example.com:8080/v1") == "sk-ring"
    monkeypatch.setenv("RAGTUNE_API_KEY", "sk-env")
    assert api_key("http://gpu.example.com:8080/v1") == "sk-env"


def test_profile_round_trips_through_settings_without_a_key(memory_keyring: MemoryKeyring) -> None:
    s = settings.Settings(engine=EngineKind.OPENAI, engine_url="gpu.example.com:8080", engine_model="qwen")
    settings.save(s)
    store_api_key(s.engine_url, "sk-secret")
    assert "sk-secret" not in settings.settings_path().read_text()
    loaded = settings.load()
    assert loaded == s
    profile = EngineProfile.from_settings(loaded)
    assert profile.base_url == "http://gpu.example.com:8080/v1"
    assert profile.context_size == s.context_size  # 0 = ask the server, else context_size


def test_engine_kind_is_saved_as_its_plain_string_and_old_files_load() -> None:
    """settings.json keeps "openai"/"local" as before the enum: a file written then still loads,
    and a kind the enum does not know falls back to the built-in model."""
    settings.save(settings.Settings(engine=EngineKind.OPENAI, engine_url="http://127.0.0.1:8080/v1"))
    assert '"engine": "openai"' in settings.settings_path().read_text()
    settings.settings_path().write_text('{"engine": "openai", "engine_url": "h:1"}', encoding="utf-8")
    loaded = settings.load()
    assert loaded.engine is EngineKind.OPENAI
    settings.settings_path().write_text('{"engine": "cloud"}', encoding="utf-8")
    assert settings.load().engine is EngineKind.LOCAL


def test_profile_needs_a_url_and_a_known_engine() -> None:
    with pytest.raises(ModelError, match="needs a server URL"):
        EngineProfile.from_settings(settings.Settings(engine=EngineKind.OPENAI))
    with pytest.raises(ModelError, match="unknown engine"):
        EngineProfile.from_settings(settings.Settings(engine="cloud", engine_url="x"))  # type: ignore[arg-type]


def test_cli_engine_set_saves_the_profile_and_keys_the_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from ragtune.cli import run_cli

    monkeypatch.setattr("sys.stdin", io.StringIO("sk-typed\n"))
    code = run_cli(["engine", "set", "openai", "--endpoint", "http://gpu.example.com:8080/v1",
                    "--remote-model", "qwen", "--key-stdin"])
    assert code == 0
    out, err = capsys.readouterr()
    assert "endpoint: http://gpu.example.com:8080/v1" in out
    assert "unencrypted" in err
    saved = settings.load()
    assert (saved.engine, saved.engine_model) == (EngineKind.OPENAI, "qwen")
    assert "sk-typed" not in settings.settings_path().read_text()
    assert api_key(saved.engine_url) == "sk-typed"
    assert run_cli(["engine", "set", "local"]) == 0
    assert settings.load().engine is EngineKind.LOCAL


class _Remote:
    """A stand-in for a connected server engine: remembers the key it was made with."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_changed_api_key_reconnects_the_server_engine(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from ragtune.core.answer_service import Answers
    from ragtune.core.current_settings import CurrentSettings
    from ragtune.core.engine_profile import key_fingerprint

    made: list[_Remote] = []

    def factory(_path: Path, s: settings.Settings) -> Any:
        made.append(_Remote(api_key(s.engine_url)))
        return made[-1]

    s = settings.Settings(engine=EngineKind.OPENAI, engine_url="http://gpu.example.com:8080/v1")
    store_api_key(s.engine_url, "sk-old")
    answers = Answers(CurrentSettings(s), factory)
    first = answers._get_engine()
    assert answers._get_engine() is first  # same profile, same key: stays connected
    assert [r.key for r in made] == ["sk-old"]

    store_api_key(s.engine_url, "sk-new")  # what the Settings dialog's key field does
    assert answers._get_engine() is not first
    assert made[0].closed
    assert [r.key for r in made] == ["sk-old", "sk-new"]
    assert "sk-new" not in repr(answers._engine_key)  # a fingerprint, never the key
    assert answers._engine_key is not None
    assert key_fingerprint(s.engine_url) in answers._engine_key

    monkeypatch.setenv("RAGTUNE_API_KEY", "sk-env")
    answers._get_engine()
    assert [r.key for r in made] == ["sk-old", "sk-new", "sk-env"]
