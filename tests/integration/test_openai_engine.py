"""The openai engine against real servers on 127.0.0.1: llama-cpp-python's OpenAI-compatible server
with the embedded model (answers, citations, compare, cancel, unknown model), and a tiny scripted
server for faults (401, 404, busy with retries, a stream cut mid-answer, a server that stops)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.answer_types import AdapterSpec
from ragtune.core.answering import answer_question
from ragtune.core.engine_profile import EngineKind, EngineProfile
from ragtune.core.generation.openai_engine import OpenAIEngine
from ragtune.core.services import Ragtune
from ragtune.errors import (
    AdapterError,
    Cancelled,
    EngineAuthError,
    EngineBusy,
    EngineError,
    EngineUnreachable,
    StreamInterrupted,
)
from ragtune.settings import Settings
from remote_servers import (
    ScriptedServer,
    free_port,
    reply_status,
    reply_stream,
    start_llama_server,
    stop,
)

QUESTION = "How many tonnes of apples did the Hillside orchard harvest?"
HELLO = [{"role": "user", "content": "Say hello."}]


@pytest.fixture
def remote_settings(llama_url: str) -> Settings:
    return Settings(
        engine=EngineKind.OPENAI, engine_url=llama_url, engine_context_size=2048,
        max_answer_tokens=16, passages=2,
    )


def _profile(url: str, **kw: Any) -> EngineProfile:
    return EngineProfile(base_url=url, **kw)


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for s in servers:
        s.close()


def test_rag_answer_and_compare_through_the_server(
    tmp_path: Path, embedder: Any, remote_settings: Settings
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text(
        "# Orchard report\n\nThe Hillside orchard harvested 312 tonnes of apples.\n"
    )
    (folder / "fleet.txt").write_text("The delivery fleet has 17 electric vans based in Ghent.\n")
    with Ragtune(settings=remote_settings, embedder=embedder) as svc:
        svc.library.index("kb", [folder])
        answer = svc.ask(QUESTION, library="kb")
        assert not answer.error
        assert answer.sources
        assert answer.sources[0].path.endswith("orchard.md")
        assert "312" in answer.text
        assert answer.citations
        assert answer.citations[0].path.endswith("orchard.md")
        assert answer.timings.completion_tokens > 0
        assert answer.timings.time_to_first_token_s > 0
        assert answer.model.endswith(".gguf")  # the server's model id

        answers = svc.compare(QUESTION, "kb")
        assert [str(a.mode) for a in answers] == ["model", "rag"]
        assert all(a.text for a in answers)


def test_cancel_closes_the_stream(llama_url: str) -> None:
    engine = OpenAIEngine(_profile(llama_url))
    cancel = threading.Event()
    pieces: list[str] = []

    def read() -> None:
        for piece in engine.stream_chat([{"role": "user", "content": "Count to fifty."}], 16, cancel=cancel):
            pieces.append(piece)
            cancel.set()

    with pytest.raises(Cancelled):
        read()
    assert len(pieces) == 1
    assert engine.last_stats.finish_reason == "cancelled"
    assert list(engine.stream_chat(HELLO, 4))  # the engine still answers afterwards
    engine.close()


def test_server_counts_tokens_and_refuses_adapters(llama_url: str) -> None:
    engine = OpenAIEngine(_profile(llama_url, context_size=2048))
    assert engine.n_ctx == 2048
    assert engine.count_chat_tokens(HELLO) > len(HELLO[0]["content"]) // 4
    engine.set_adapters([])
    with pytest.raises(AdapterError, match="does not support adapters"):
        engine.set_adapters([AdapterSpec("x.gguf", 1.0)])
    engine.close()


def test_unknown_model_is_named(llama_url: str) -> None:
    with pytest.raises(EngineError, match="does not know model 'no-such-model'"):
        OpenAIEngine(_profile(llama_url, model="no-such-model"))


def test_unreachable_port() -> None:
    with pytest.raises(EngineUnreachable, match="cannot reach"):
        OpenAIEngine(_profile(f"http://127.0.0.1:{free_port()}/v1", connect_timeout_s=2))


def test_wrong_key_and_404(scripted: list[ScriptedServer]) -> None:
    refused = ScriptedServer(reply_status(401), models_status=401)
    scripted.append(refused)
    with pytest.raises(EngineAuthError, match="refused the API key"):
        OpenAIEngine(_profile(refused.url), key="wrong")
    no_api = ScriptedServer(reply_status(404), models_status=404)
    scripted.append(no_api)
    with pytest.raises(EngineError, match="HTTP 404"):
        OpenAIEngine(_profile(no_api.url))
    missing = ScriptedServer(reply_status(404))
    scripted.append(missing)
    engine = OpenAIEngine(_profile(missing.url))
    with pytest.raises(EngineError, match="HTTP 404"):
        list(engine.stream_chat(HELLO, 4))


def test_busy_server_is_retried_then_given_up(scripted: list[ScriptedServer]) -> None:
    ok = reply_stream(["Hi", "!"])
    busy = reply_status(429, retry_after="0")

    def flaky(handler: Any) -> None:
        (busy if server.calls <= 2 else ok)(handler)

    server = ScriptedServer(flaky)
    scripted.append(server)
    assert list(OpenAIEngine(_profile(server.url)).stream_chat(HELLO, 4)) == ["Hi", "!"]
    assert server.calls == 3
    always = ScriptedServer(reply_status(503, retry_after="0"))
    scripted.append(always)
    with pytest.raises(EngineBusy, match="stayed busy"):
        list(OpenAIEngine(_profile(always.url)).stream_chat(HELLO, 4))


def test_server_killed_mid_answer(chat_model_path: Path) -> None:
    proc, url = start_llama_server(chat_model_path)  # its own server: this one dies
    try:
        engine = OpenAIEngine(_profile(url, read_timeout_s=10))
        pieces: list[str] = []

        def read() -> None:
            for piece in engine.stream_chat([{"role": "user", "content": "Count from 1 to 60."}], 64):
                pieces.append(piece)
                if len(pieces) == 2:
                    proc.kill()

        with pytest.raises(StreamInterrupted, match="incomplete"):
            read()
        assert len(pieces) >= 2
    finally:
        stop(proc)


def test_cut_stream_keeps_the_partial_answer(scripted: list[ScriptedServer]) -> None:
    server = ScriptedServer(reply_stream(["The answer", " is"], then="cut"))
    scripted.append(server)
    engine = OpenAIEngine(_profile(server.url))
    answer = answer_question(engine, "What is it?", None, Settings(max_answer_tokens=16))
    assert answer.text == "The answer is"
    assert "incomplete" in answer.error
    assert answer.to_json()["error"] == answer.error


def test_silent_server_times_out(scripted: list[ScriptedServer]) -> None:
    server = ScriptedServer(reply_stream(["Half"], then="stall", stall_s=5))
    scripted.append(server)
    engine = OpenAIEngine(_profile(server.url, read_timeout_s=0.5))
    pieces: list[str] = []
    with pytest.raises(StreamInterrupted, match="stopped sending"):
        pieces.extend(engine.stream_chat(HELLO, 8))
    assert pieces == ["Half"]


def test_settings_pick_the_engine(llama_url: str, remote_settings: Settings) -> None:
    with Ragtune(settings=remote_settings) as svc:
        info = svc.models.load_model()
        assert info.architecture == "remote"
        assert info.path == llama_url
        svc.settings = replace(remote_settings, engine_model="other")
        with pytest.raises(EngineError, match="does not know model 'other'"):
            svc.models.load_model()


def test_llama_server_adapters_are_picked_by_file_name(scripted: list[ScriptedServer]) -> None:
    listing: list[dict[str, object]] = [
        {"id": 0, "path": "/srv/loras/style.gguf", "scale": 0.0},
        {"id": 1, "path": "/srv/loras/facts.gguf", "scale": 0.0},
    ]
    server = ScriptedServer(reply_stream(["ok"]), lora=listing)
    scripted.append(server)
    engine = OpenAIEngine(_profile(server.url))
    engine.set_adapters([AdapterSpec("/home/me/facts.gguf", 0.5), AdapterSpec("style.gguf", 0.0)])
    assert list(engine.stream_chat(HELLO, 4)) == ["ok"]
    assert server.bodies[-1]["lora"] == [{"id": 1, "scale": 0.5}]
    assert server.bodies[-1]["cache_prompt"] is True
    with pytest.raises(AdapterError, match=r"no adapter 'other\.gguf' loaded"):
        engine.set_adapters([AdapterSpec("other.gguf", 1.0)])
    engine.set_adapters([])
    list(engine.stream_chat(HELLO, 4))
    assert "lora" not in server.bodies[-1]


def test_a_server_adapter_is_checked_against_what_the_server_loaded(
    scripted: list[ScriptedServer], tmp_path: Path
) -> None:
    listing: list[dict[str, object]] = [{"id": 0, "path": "/srv/loras/facts.gguf", "scale": 0.0}]
    with_loras = ScriptedServer(reply_stream(["ok"]), lora=listing)
    without = ScriptedServer(reply_stream(["ok"]))
    scripted.extend([with_loras, without])
    local = tmp_path / "facts.gguf"  # not a GGUF at all: a server adapter's file is never read
    local.write_bytes(b"not a gguf")
    with Ragtune(settings=Settings(engine=EngineKind.OPENAI, engine_url=with_loras.url)) as svc:
        info = svc.models.check_adapter(local)
        assert (info.name, info.architecture) == ("facts.gguf", "server")
        with pytest.raises(AdapterError, match=r"no adapter 'mine\.gguf'.*facts\.gguf.*at launch"):
            svc.models.check_adapter(tmp_path / "mine.gguf")
    with Ragtune(settings=Settings(engine=EngineKind.OPENAI, engine_url=without.url)) as svc, \
            pytest.raises(AdapterError, match=r"does not support adapters.*at launch"):
        svc.models.check_adapter(local)


def test_a_vllm_style_server_selects_an_adapter_by_model_name(scripted: list[ScriptedServer]) -> None:
    """vLLM serves each ``--lora-modules NAME=PATH`` as a model of its own: the adapter is chosen by
    sending its name as the model (no /lora-adapters there), one at a time, at full strength."""
    server = ScriptedServer(reply_stream(["Ahoy."]), models=("Qwen", "style"))
    scripted.append(server)
    engine = OpenAIEngine(_profile(server.url, model="Qwen"))
    engine.set_adapters([AdapterSpec("/adapters/style.gguf", 1.0)])
    assert "".join(engine.stream_chat(HELLO, 8)) == "Ahoy."
    assert server.bodies[-1]["model"] == "style"
    assert engine.check_adapter("style.gguf").architecture == "server"
    with pytest.raises(AdapterError, match="full strength"):
        engine.set_adapters([AdapterSpec("style.gguf", 0.5)])
    with pytest.raises(AdapterError, match=r"no adapter 'voice.gguf'.*style.*--lora-modules voice=PATH"):
        engine.set_adapters([AdapterSpec("voice.gguf", 1.0)])
    engine.set_adapters([])
    list(engine.stream_chat(HELLO, 8))
    assert server.bodies[-1]["model"] == "Qwen"
    engine.close()
