"""The relevance gate and the decline path of ``answer_question`` (the scripted model: the model is
not the unit under test here; the real model is exercised in tests/e2e and tests/integration)."""

from __future__ import annotations

import threading

import pytest

from ragtune.core.answer_types import AdapterSpec
from ragtune.core.answering import answer_question, is_relevant, select_passages
from ragtune.core.compare import modes_that_apply
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.types import Hit
from ragtune.errors import Cancelled
from ragtune.settings import Settings
from scripted_model import ScriptedModel


def hit(text: str, similarity: float, chunk_id: int = 1) -> Hit:
    return Hit(chunk_id, 1, "/d/policy.pdf", "Policy", 2, 0, len(text), text, 0.1, 1, 1, similarity)


def test_the_scripted_model_is_a_chat_model() -> None:
    model: ChatModel = ScriptedModel("")  # mypy checks the protocol; the answer path takes nothing else
    assert model.info.name == "scripted"
    assert model.n_ctx == 2048


def test_gate_uses_similarity_and_keyword_coverage() -> None:
    q = "What is the late fee for an adult book?"
    assert is_relevant(q, hit("Anything at all", 0.6))
    assert not is_relevant(q, hit("The late fee for adult books is 25 cents.", 0.1))
    assert is_relevant(q, hit("The late fee for adult books is 25 cents per day.", 0.3))
    assert not is_relevant(q, hit("Sourdough starter ratio is 1:5:5.", 0.3))
    hits = [hit("same text", 0.9, 1), hit("same text", 0.9, 2), hit("other text", 0.9, 3)]
    assert [h.chunk_id for h in select_passages(q, hits, 3)] == [1, 3]


def test_declines_without_calling_the_model_when_nothing_is_relevant() -> None:
    engine = ScriptedModel("invented answer")
    seen: list[list[Hit]] = []
    answer = answer_question(engine, "Who won the 1966 World Cup?", [hit("Loaf baking.", 0.05)],
                             Settings(), on_sources=seen.append)
    assert answer.declined
    assert engine.calls == []
    assert "could not find" in answer.text
    assert seen == [[]]


def test_rag_answer_streams_after_sources_and_cites() -> None:
    engine = ScriptedModel("The late fee is 25 cents per day.")
    events: list[str] = []
    answer = answer_question(
        engine,
        "What is the late fee?",
        [hit("For adult items, the late fee is 25 cents per item per day.", 0.7)],
        Settings(),
        adapters=[AdapterSpec("/a.gguf", 0.0)],
        on_sources=lambda hits: events.append(f"sources:{len(hits)}"),
        on_token=lambda piece: events.append("token"),
    )
    assert events[0] == "sources:1"
    assert events[1] == "token"
    assert answer.mode == "rag"
    assert engine.adapter_sets == [[]]
    assert [c.n for c in answer.citations] == [1]
    assert answer.text.endswith("[1].")
    assert "[1] policy.pdf, p. 2:" in engine.calls[0][1]["content"]


def test_modes_that_apply() -> None:
    assert modes_that_apply(False, []) == ["model"]
    assert modes_that_apply(True, [AdapterSpec("a", 1.0)]) == ["model", "rag", "adapter", "rag+adapter"]
    assert modes_that_apply(True, [AdapterSpec("a", 0.0)]) == ["model", "rag"]


def test_the_scripted_model_cites_names_its_adapters_and_stops() -> None:
    """The shared stand-in behaves as the GUI tests rely on: a RAG answer quotes and cites the
    first source, an adapter that is on changes the next answer, and Stop stops it."""
    model = ScriptedModel()
    answer = answer_question(
        model, "What is the late fee?", [hit("The late fee is 25 cents per day. Pay at the desk.", 0.7)],
        Settings(),
    )
    assert answer.text == "The late fee is 25 cents per day [1]."
    assert [c.n for c in answer.citations] == [1]
    assert model.last_stats.completion_tokens == len(answer.text.split())
    plain = model.reply([{"role": "user", "content": "Hi"}])
    model.set_adapters([AdapterSpec("/a/cite.gguf", 0.5)])
    assert model.reply([{"role": "user", "content": "Hi"}]) == f"{plain} (Adapters: cite at 0.5.)"

    model.until_cancelled = True
    cancel = threading.Event()
    stream = model.stream_chat([{"role": "user", "content": "Hi"}], cancel=cancel)
    assert next(stream)
    cancel.set()
    with pytest.raises(Cancelled):
        list(stream)
    assert model.last_stats.finish_reason == "cancelled"
