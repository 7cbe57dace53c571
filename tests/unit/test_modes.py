"""The answer modes: one enum whose values are the strings history rows and ``ask --json`` hold, one
rule for the mode an answer is given in and the modes a comparison runs, and history written before
the enum still reads."""

from __future__ import annotations

import json
from pathlib import Path

from ragtune.core.answer_types import AdapterSpec, Answer, Mode, mode_for, mode_label
from ragtune.core.compare import modes_that_apply
from ragtune.core.store import db
from ragtune.core.store.history import History
from ragtune.gui.answer_format import header_text

ON = [AdapterSpec("/a.gguf", 1.0)]
OFF = [AdapterSpec("/a.gguf", 0.0)]


def test_values_and_labels_are_the_contract() -> None:
    assert [m.value for m in Mode] == ["model", "rag", "adapter", "rag+adapter"]
    assert [m.label for m in Mode] == ["Model alone", "RAG", "Adapter", "RAG + adapter"]
    assert Mode.RAG_ADAPTER == "rag+adapter"
    assert Mode("rag") is Mode.RAG
    assert f"{Mode.RAG_ADAPTER}" == str(Mode.RAG_ADAPTER) == "rag+adapter"
    assert Mode.MODEL.title() == "Model"  # still a str: str.title() is not shadowed
    assert mode_label("rag+adapter") == "RAG + adapter"
    assert mode_label("") == ""
    assert mode_label("some-newer-mode") == "some-newer-mode"


def test_one_rule_for_the_mode_and_the_modes_compared() -> None:
    for rag in (False, True):
        for adapters in ([], OFF, ON):
            mode = mode_for(rag, adapters)
            assert (mode.uses_rag, mode.uses_adapters) == (rag, adapters is ON)
            modes = modes_that_apply(rag, adapters)
            assert modes[0] is Mode.MODEL
            assert modes[-1] is mode
    assert modes_that_apply(True, ON) == list(Mode)
    assert modes_that_apply(False, ON) == [Mode.MODEL, Mode.ADAPTER]
    assert modes_that_apply(True, OFF) == [Mode.MODEL, Mode.RAG]


def test_json_holds_the_plain_string() -> None:
    data = Answer("q", "a", Mode.RAG_ADAPTER, "m").to_json()
    assert type(data["mode"]) is str
    assert data["mode"] == "rag+adapter"
    assert json.loads(json.dumps(data))["mode"] == "rag+adapter"


def test_history_stores_the_string_and_reads_old_rows(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "lib.sqlite3")
    try:
        history = History(conn)
        chat = history.create_chat("modes", None, rag=True)
        history.add_message(chat.id, "user", "q")
        history.add_message(chat.id, "assistant", "a", mode=Mode.RAG_ADAPTER, model="m")
        history.add_message(chat.id, "assistant", "b", mode="adapter", model="m")  # as older versions wrote
        stored = [row[0] for row in conn.execute("SELECT mode FROM messages ORDER BY id")]
        assert stored == ["", "rag+adapter", "adapter"]
        user, new, old = history.messages(chat.id)
        assert (user.mode, new.mode, old.mode) == ("", Mode.RAG_ADAPTER, Mode.ADAPTER)
        assert header_text(old.mode, old.model, []) == "Adapter · m"
        assert header_text(user.mode, "", []) == ""
    finally:
        conn.close()
