"""Chat history on the real library database: chats, messages with adapters, citations and timings
round-tripped through JSON, ordering, deletion and Markdown export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

from ragtune.core.answer_types import AdapterSpec, Timings
from ragtune.core.store import db
from ragtune.core.store.history import History
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import Citation
from ragtune.errors import RagtuneError


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[apsw.Connection]:
    c = db.connect(tmp_path / "lib.sqlite3")
    yield c
    c.close()


CITATION = Citation(1, 42, "/docs/handbook.pdf", 3, 10, 60, "27 days of paid holiday", "Handbook")


def test_messages_round_trip(conn: apsw.Connection) -> None:
    lib = LibraryStore(conn).create_library("work")
    history = History(conn)
    chat = history.create_chat("Holidays", lib, rag=True)
    assert (chat.title, chat.library, chat.rag) == ("Holidays", "work", True)
    history.add_message(chat.id, "user", "How many days of holiday?")
    timings = Timings(time_to_first_token_s=1.5, tokens_per_s=20.0, prompt_tokens=300, completion_tokens=12, total_s=2.1)
    history.add_message(
        chat.id,
        "assistant",
        "27 days [1].",
        mode="rag+adapter",
        model="qwen",
        adapters=[AdapterSpec("/a/cite.gguf", 0.5)],
        citations=[CITATION],
        timings=timings,
    )
    user, answer = history.messages(chat.id)
    assert (user.role, user.content, user.citations, user.adapters) == ("user", "How many days of holiday?", [], [])
    assert answer.adapters == [AdapterSpec("/a/cite.gguf", 0.5)]
    assert answer.citations == [CITATION]
    assert answer.timings == timings
    assert (answer.mode, answer.model) == ("rag+adapter", "qwen")


def test_chats_order_rename_delete(conn: apsw.Connection) -> None:
    history = History(conn)
    first = history.create_chat("first", None, rag=False)
    second = history.create_chat("second", None)  # in the same clock tick as the first, maybe
    assert [c.id for c in history.chats()] == [second.id, first.id]
    history.add_message(first.id, "user", "bump")  # activity moves a chat to the top
    assert [c.id for c in history.chats()] == [first.id, second.id]
    assert history.chats()[0].library is None
    assert history.chats()[0].rag is False

    history.rename_chat(first.id, "renamed")
    assert history.chat(first.id).title == "renamed"
    history.delete_chat(first.id)
    assert [c.id for c in history.chats()] == [second.id]
    assert conn.execute("SELECT count(*) FROM messages").get == 0  # cascaded
    with pytest.raises(RagtuneError, match="No chat"):
        history.messages(first.id)


def test_activity_orders_chats_when_the_clock_stands_still(
    conn: apsw.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chats made and bumped within one clock tick (or with the clock set back) still list the
    latest activity first: the order never depends on the clock's resolution."""
    history = History(conn)
    monkeypatch.setattr("ragtune.core.store.history.time.time", lambda: 1_000.0)
    a, b, c = (history.create_chat(name, None) for name in "abc")
    assert [x.id for x in history.chats()] == [c.id, b.id, a.id]
    history.add_message(a.id, "user", "bump")
    assert [x.id for x in history.chats()] == [a.id, c.id, b.id]
    monkeypatch.setattr("ragtune.core.store.history.time.time", lambda: 900.0)  # the clock set back
    history.add_message(b.id, "user", "bump")
    assert [x.id for x in history.chats()] == [b.id, a.id, c.id]
    assert history.chat(b.id).created == 1_000.0  # when it was made is still the clock's


def test_recent_answers_filter_by_library(conn: apsw.Connection) -> None:
    store = LibraryStore(conn)
    a, b = store.create_library("a"), store.create_library("b")
    history = History(conn)
    chat_a = history.create_chat("qa", a, True)
    chat_b = history.create_chat("qb", b, True)
    history.add_message(chat_a.id, "user", "q1")
    history.add_message(chat_a.id, "assistant", "answer a1")
    history.add_message(chat_b.id, "assistant", "answer b1")
    history.add_message(chat_a.id, "assistant", "answer a2")
    assert [m.content for m in history.recent_answers(None, 10)] == ["answer a2", "answer b1", "answer a1"]
    assert [m.content for m in history.recent_answers(a, 10)] == ["answer a2", "answer a1"]
    assert [m.content for m in history.recent_answers(None, 1)] == ["answer a2"]

    store.delete_library("a")  # chats outlive their library
    assert history.chat(chat_a.id).library is None


def test_export_markdown(conn: apsw.Connection) -> None:
    history = History(conn)
    chat = history.create_chat("Holidays", None)
    history.add_message(chat.id, "user", "How many days?")
    history.add_message(chat.id, "assistant", "27 days.", mode="rag", model="qwen", citations=[CITATION])
    text = history.export_markdown(chat.id)
    assert text.startswith("# Holidays\n")
    assert "How many days?" in text
    assert "27 days." in text
    assert "Sources" in text
    assert "[1] handbook.pdf, p. 3" in text
