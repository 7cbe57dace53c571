"""A person's chat-messages JSONL (``core.finetune.chat_jsonl``): good lines kept, each bad line
reported by its number and skipped, an unreadable or empty file refused with a clear message; and
the canonical JSONL the builder writes reads back the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtune.core.finetune.chat_jsonl import read_chat_jsonl
from ragtune.core.finetune.examples import decline_count, grounded_target, jsonl_sha256, write_jsonl
from ragtune.core.finetune.types import STYLE, Example
from ragtune.errors import RagtuneError


def _line(*messages: tuple[str, object]) -> str:
    return json.dumps({"messages": [{"role": r, "content": c} for r, c in messages]})


GOOD = _line(("system", "Talk like a pirate."), ("user", "Say hello."), ("assistant", "Ahoy, matey!"))
MULTI = _line(("user", "Hi"), ("assistant", "Ahoy"), ("user", "Bye"), ("assistant", "Fair winds"))


def test_good_and_bad_lines_by_number(tmp_path: Path) -> None:
    lines = [
        GOOD,  # 1
        "",  # 2: blank, ignored
        "{not json",  # 3
        "[1, 2]",  # 4
        json.dumps({"text": "hi"}),  # 5
        json.dumps({"messages": []}),  # 6
        _line(("user", "Hi"), ("tool", "x"), ("assistant", "y")),  # 7
        _line(("user", "Hi")),  # 8
        _line(("system", "S"), ("assistant", "A")),  # 9
        _line(("user", "Hi"), ("user", "Again"), ("assistant", "A")),  # 10
        _line(("user", "Hi"), ("assistant", "A"), ("system", "late"), ("user", "x"), ("assistant", "y")),  # 11
        _line(("user", 5), ("assistant", "A")),  # 12
        _line(("user", "  "), ("assistant", "A")),  # 13
        json.dumps({"messages": ["hello"]}),  # 14
        MULTI,  # 15
    ]
    path = tmp_path / "voice.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    examples, errors = read_chat_jsonl(path)
    assert [len(e.messages) for e in examples] == [3, 4]
    assert all(e.kind == STYLE and e.source == "voice.jsonl" and e.question_id is None for e in examples)
    assert examples[0].messages[-1] == {"role": "assistant", "content": "Ahoy, matey!"}
    assert errors == [
        "line 3: not valid JSON (Expecting property name enclosed in double quotes)",
        "line 4: not a JSON object",
        'line 5: no "messages" list',
        'line 6: "messages" is empty',
        "line 7: message 2: role must be system, user or assistant, not 'tool'",
        "line 8: the last message must be the assistant's (the answer to learn)",
        "line 9: no user message",
        "line 10: message 2: expected an assistant message here, not user",
        "line 11: message 3: a system message may only come first",
        "line 12: message 1: content must be a string",
        "line 13: message 1: the user message is empty",
        "line 14: message 1 is not an object with role and content",
    ]


def test_unreadable_and_empty_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="does not exist"):
        read_chat_jsonl(tmp_path / "missing.jsonl")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"messages": [{"role": "user", "content": "Caf\u00e9?"}]}'.encode("latin-1"))
    with pytest.raises(RagtuneError, match="not UTF-8"):
        read_chat_jsonl(latin)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(RagtuneError, match="no examples"):
        read_chat_jsonl(empty)
    with pytest.raises(RagtuneError, match="is a folder"):
        read_chat_jsonl(tmp_path)


def test_written_jsonl_reads_back_with_its_hash(tmp_path: Path) -> None:
    examples = [
        Example([{"role": "user", "content": "Caf\u00e9?"}, {"role": "assistant", "content": "Oui [1]."}], STYLE),
        Example([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
                 {"role": "assistant", "content": "A"}], STYLE),
    ]
    out = tmp_path / "set.jsonl"
    write_jsonl(examples, out)
    assert not (tmp_path / "set.jsonl.partial").exists()
    back, errors = read_chat_jsonl(out)
    assert errors == []
    assert [e.messages for e in back] == [e.messages for e in examples]
    assert len(jsonl_sha256(examples)) == 64
    assert jsonl_sha256(examples) != jsonl_sha256(examples[:1])


def test_targets_and_the_decline_count_rule() -> None:
    assert grounded_target("seven days.", 2) == "Seven days [2]."
    assert [decline_count(n, 0.2) for n in (0, 1, 2, 3, 5, 25, 26)] == [0, 0, 0, 1, 1, 5, 5]
    assert decline_count(3, 1.0) == 3
    with pytest.raises(ValueError, match="between 0 and 1"):
        decline_count(3, 1.5)
