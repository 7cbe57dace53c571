"""``ragtune serve`` as another tool sees it: the real server on 127.0.0.1 (uvicorn in a thread,
one per module) over a tiny real library, called with the official ``openai`` client."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        svc.library.index("kb", [folder])
        try:
            with running(create_app(svc, "kb", TOKEN)) as url:
                yield url, svc
        finally:
            svc.close()


@contextmanager
def running(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1; its /v1 base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():  # waits for readiness, asserts no timing
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


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
    evidence = first["evidence"]  # the sentence the answer rests on, with the fact marked
    assert "312" in evidence["sentence"]
    assert "312" in evidence["mark"]["text"]


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
    assert svc.chats.history("kb", limit=1)[0].content == text  # the same text the service recorded


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


def _post(url: str, body: bytes, token: str | None = TOKEN) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(f"{url}/chat/completions", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _question(text: str) -> bytes:
    return json.dumps({"model": "ragtune:kb", "messages": [{"role": "user", "content": text}]}).encode()


def _raw_post(url: str, declared: int, sent: int, token: str | None = TOKEN) -> tuple[int, dict[str, Any], int]:
    """POST declaring a ``declared``-byte body while a thread tries to send ``sent`` bytes of it;
    the status and JSON of the answer, and how many bytes the server let the client send."""
    host, port = url.removeprefix("http://").removesuffix("/v1").split(":")
    sock = socket.create_connection((host, int(port)), timeout=120)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    sock.sendall(f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                 f"{auth}Content-Length: {declared}\r\n\r\n".encode())
    pushed = [0]

    def push() -> None:
        with contextlib.suppress(OSError):
            while pushed[0] < sent:
                sock.sendall(b"x" * 65536)
                pushed[0] += 65536

    sender = threading.Thread(target=push)
    sender.start()
    answer = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            answer += chunk
    with contextlib.suppress(OSError):  # (the server may have reset the connection already)
        sock.shutdown(socket.SHUT_RDWR)  # the sender stops at once if it has not
    sender.join()
    sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body), pushed[0]


def test_body_over_1_mb_is_refused_before_it_is_read(served: tuple[str, Ragtune]) -> None:
    status, body, pushed = _raw_post(served[0], declared=40 << 20, sent=40 << 20)
    assert status == 413
    assert body["error"]["code"] == "request_too_large"
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert len(json.dumps(body)) < 500
    assert pushed < 20 << 20  # 1 MB read, the rest in socket buffers; it read 64 MB before closing
    host, port = served[0].removeprefix("http://").removesuffix("/v1").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)  # no Content-Length: chunked
    chunks = (b"x" * 65536 for _ in range(32))  # 2 MB
    conn.request("POST", "/v1/chat/completions", body=chunks, encode_chunked=True,
                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "request_too_large"
    conn.close()


def test_a_request_without_the_token_is_refused_before_its_body_is_read(served: tuple[str, Ragtune]) -> None:
    status, body, _ = _raw_post(served[0], declared=1000, sent=0, token=None)  # the body never comes
    assert (status, body["error"]["code"]) == (401, "invalid_api_key")
    status, body, pushed = _raw_post(served[0], declared=40 << 20, sent=40 << 20, token="wrong")
    assert (status, body["error"]["code"]) == (401, "invalid_api_key")
    assert pushed < 20 << 20  # none of it read: what the socket buffers hold


def test_long_question_is_refused_and_never_echoed(served: tuple[str, Ragtune]) -> None:
    status, body = _post(served[0], _question("Z" * 8_001))
    assert status == 400
    assert body["error"]["code"] == "question_too_long"
    assert "8,001 characters" in body["error"]["message"]
    assert "ZZZZ" not in body["error"]["message"]
    status, body = _post(served[0], json.dumps({"messages": "Q" * 500_000}).encode())  # invalid shape
    assert status == 400
    assert "QQQQ" not in body["error"]["message"]
    assert len(body["error"]["message"]) < 600


def test_decline_quotes_only_an_excerpt_of_the_question(served: tuple[str, Ragtune]) -> None:
    question = "Which volcano erupted near the lighthouse? " + "lava " * 1_500  # 7,543 characters
    status, body = _post(served[0], _question(question))
    assert status == 200
    assert body["declined"] is True
    text = body["choices"][0]["message"]["content"]
    assert "Which volcano erupted near the lighthouse? lava" in text
    assert "\u2026" in text
    assert len(text) < 600


def test_api_pages_are_off_with_a_token_and_on_without(served: tuple[str, Ragtune]) -> None:
    url, svc = served
    root = url.removesuffix("/v1")
    for page in ("/docs", "/redoc", "/openapi.json"):
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(root + page, headers=headers), timeout=30)
            assert refused.value.code in (401, 404), page
    with running(create_app(svc, "kb", None)) as open_url:  # loopback without a token: pages on
        for page in ("/docs", "/redoc", "/openapi.json"):
            with urllib.request.urlopen(open_url.removesuffix("/v1") + page, timeout=30) as response:
                assert response.status == 200, page
