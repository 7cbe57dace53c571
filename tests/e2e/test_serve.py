"""``ragtune serve`` as another tool sees it: the real server on 127.0.0.1 (uvicorn in a thread,
one per module) over a tiny real library, called with the official ``openai`` client."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn

from ragtune.cli import run_cli
from ragtune.core.answer_types import Answer
from ragtune.core.services import Ragtune
from ragtune.server import create_app
from ragtune.settings import Settings

TOKEN = "s3cret-test-token"
QUESTION = "How many tonnes of apples did the Hillside orchard harvest?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder: object, chat_model_path: Path) -> Iterator[tuple[str, Ragtune]]:
    """Base URL of a running server for library ``kb``, guarded by TOKEN, and its service."""
    root = tmp_path_factory.mktemp("serve")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAGTUNE_HOME", str(root / "home"))
        folder = root / "kb"
        folder.mkdir()
        (folder / "orchard.md").write_text(
            "# Orchard report\n\nThe Hillside orchard harvested 312 tonnes of apples in 2025.\n"
        )
        (folder / "fleet.txt").write_text("The delivery fleet has 17 electric vans based in Ghent.\n")
        svc = Ragtune(settings=Settings(max_answer_tokens=32, passages=2), embedder=embedder)  # type: ignore[arg-type]
        svc.index("kb", [folder])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(svc, "kb", TOKEN), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started and thread.is_alive():  # waits for readiness, asserts no timing
            time.sleep(0.05)
        assert server.started
        try:
            yield f"http://127.0.0.1:{port}/v1", svc
        finally:
            server.should_exit = True
            thread.join()
            sock.close()
            svc.close()


def client(base_url: str, key: str = TOKEN) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def test_models_lists_the_library(served: tuple[str, Ragtune]) -> None:
    models = client(served[0]).models.list()
    assert [m.id for m in models.data] == ["ragtune:kb"]


def test_answer_carries_citations(served: tuple[str, Ragtune]) -> None:
    raw = client(served[0]).chat.completions.with_raw_response.create(
        model="ragtune:kb", messages=[{"role": "user", "content": QUESTION}]
    )
    completion = raw.parse()
    text = completion.choices[0].message.content or ""
    assert "312" in text
    body = json.loads(raw.text)
    assert body["declined"] is False
    assert body["interrupted"] is None
    assert body["note"] is None  # no earlier turns
    first = body["citations"][0]
    assert {"n", "path", "page", "location", "text"} <= first.keys()
    assert first["path"].endswith("orchard.md")
    assert f"[{first['n']}]" in text


def test_stream_joins_to_the_answer(served: tuple[str, Ragtune]) -> None:
    url, svc = served
    chunks = list(
        client(url).chat.completions.create(
            model="ragtune:kb", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "312" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra or {}
    assert extra["declined"] is False
    assert extra["citations"][0]["path"].endswith("orchard.md")
    assert svc.history("kb", limit=1)[0].content == text  # the same text the service recorded


def test_earlier_turns_are_noted_and_the_last_question_is_answered(served: tuple[str, Ragtune]) -> None:
    history: list[Any] = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "How many electric vans does the fleet have?"},
        {"role": "assistant", "content": "17 [1]"},
        {"role": "user", "content": QUESTION},
    ]
    chunks = list(
        client(served[0]).chat.completions.create(model="ragtune:kb", messages=history, stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "312" in text
    extra = chunks[-1].model_extra or {}
    assert "2 other message(s)" in extra["note"]
    assert "not sent to the model" in extra["note"]
    assert extra["citations"][0]["path"].endswith("orchard.md")  # retrieval on the last question


def test_wrong_or_missing_token_gets_401(served: tuple[str, Ragtune]) -> None:
    with pytest.raises(openai.AuthenticationError) as wrong:
        client(served[0], key="not-the-token").models.list()
    assert wrong.value.status_code == 401
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{served[0]}/models", timeout=30)
    assert missing.value.code == 401
    error = json.loads(missing.value.read())["error"]
    assert error["code"] == "invalid_api_key"
    assert error["message"]


def test_other_interface_needs_a_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("RAGTUNE_SERVE_TOKEN", raising=False)
    assert run_cli(["serve", "--library", "kb", "--host", "0.0.0.0"]) != 0  # refused before binding
    err = capsys.readouterr().err
    assert "0.0.0.0" in err
    assert "--token" in err


def test_unknown_library_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["serve", "--library", "no-such-library"]) != 0
    assert "no library named 'no-such-library'" in capsys.readouterr().err


def _held_answers(monkeypatch: pytest.MonkeyPatch, svc: Ragtune) -> tuple[threading.Event, list[threading.Event]]:
    """Make each answer wait after its first token until it is cancelled (or a minute passes)."""
    started, cancels = threading.Event(), []
    real_ask = svc.ask

    def ask(question: str, cancel: threading.Event, on_token: Callable[[str], None] | None = None,
            **kwargs: Any) -> Answer:
        cancels.append(cancel)

        def token(piece: str) -> None:
            if on_token is not None:
                on_token(piece)
            started.set()
            cancel.wait(60)

        return real_ask(question, cancel=cancel, on_token=token, **kwargs)

    monkeypatch.setattr(svc, "ask", ask)
    return started, cancels


@pytest.mark.parametrize("stream", [True, False])
def test_client_disconnect_cancels_the_answer(
    served: tuple[str, Ragtune], monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    url, svc = served
    started, cancels = _held_answers(monkeypatch, svc)
    payload = json.dumps(
        {"model": "ragtune:kb", "messages": [{"role": "user", "content": QUESTION}], "stream": stream}
    ).encode()
    host, port = url.removeprefix("http://").removesuffix("/v1").split(":")
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    with socket.create_connection((host, int(port))) as conn:  # a client that hangs up mid-answer
        conn.sendall(head.encode() + payload)
        assert started.wait(120)  # the answer is under way; leaving the block hangs up
    assert cancels[-1].wait(120), "the server did not cancel the answer of a client that left"
