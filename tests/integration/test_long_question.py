"""A 20,000-character question whose last sentence asks a sample-library question, with the real
embedded model's tokenizer and context (2048 tokens): the question is shortened (its end kept) and
the answer says so, and the passage that answers it stays in the prompt whole. Asserted on the
prompt and the passages kept, not on the model's prose."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ragtune import paths
from ragtune.core.answering import answer_question, select_passages
from ragtune.core.generation.prompts import fit, inert, trim_passage
from ragtune.core.services import Ragtune
from ragtune.settings import Settings

ASK = "How long is the warranty on the solar garden lamp?"
SETTINGS = replace(Settings(), max_answer_tokens=8, temperature=0.0)


def long_question(chars: int = 20_000) -> str:
    filler = " ".join(f"Note {i}: the garden path was swept on day {i} and the gate painted green." for i in range(400))
    return (filler[: chars - len(ASK) - 1].rstrip() + " " + ASK).ljust(chars)


def test_a_20000_character_question_keeps_the_answering_passage_whole(
    engine: Any, embedder: Any, tmp_path: Path
) -> None:
    with Ragtune(db_path=tmp_path / "lib.sqlite3", embedder=embedder) as svc:
        svc.library.index("sample", [paths.sample_library_dir()])
        hits = svc.library.search("sample", ASK, k=5)
    warranty = next(h for h in hits if "18-month limited warranty" in h.text)
    question = long_question()
    passages = select_passages(question, hits, SETTINGS.passages)

    fitted = fit(question, passages, engine.count_chat_tokens, engine.n_ctx, SETTINGS.max_answer_tokens)
    assert fitted.whole
    assert fitted.shortened
    assert fitted.question.endswith(ASK)
    [kept] = [s for s in fitted.sources if s.hit.chunk_id == warranty.chunk_id]
    assert kept.text == trim_passage(warranty.text, fitted.question)  # at its usual length, not a scrap
    assert "18-month limited warranty" in kept.text
    prompt = fitted.messages[-1]["content"]
    assert inert(kept.text) in prompt
    assert prompt.endswith(f"Question: {fitted.question}")
    assert engine.count_chat_tokens(fitted.messages) + fitted.answer_tokens <= engine.n_ctx

    answer = answer_question(engine, question, hits, SETTINGS)
    assert not answer.declined
    assert warranty.chunk_id in [h.chunk_id for h in answer.sources]
    assert answer.notes[: len(fitted.notes())] == fitted.notes()  # (a recovery may add its own note)
    assert answer.notes[0].startswith(f"Your question was shortened to {len(fitted.question):,} of its 20,000")
