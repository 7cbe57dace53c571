"""Fitting a prompt into the context window when the question itself is long: the question gives way
first (and the answer says so), one passage stays whole, and only a window too small for even that
cuts the passage (the answer path then declines). Token counts come from a stand-in (4 characters
a token), which is not the unit under test."""

from __future__ import annotations

from ragtune.core.generation.engine import Message
from ragtune.core.generation.prompts import (
    PASSAGE_CHARS,
    fit,
    fit_prompt,
    shorten_question,
    trim_passage,
)
from ragtune.core.types import Hit

ASK = "How long is the warranty on the solar garden lamp?"


def hit(text: str, chunk_id: int) -> Hit:
    return Hit(chunk_id, 1, f"/docs/doc{chunk_id}.md", "Doc", 1, 0, len(text), text, 0.5, 1, 1, 0.6)


def four_chars_a_token(messages: list[Message]) -> int:
    return sum(len(m["content"]) // 4 + 4 for m in messages)


def long_question(chars: int = 20_000) -> str:
    filler = " ".join(f"Note {i}: the garden path was swept on day {i} and the gate painted green." for i in range(400))
    return (filler[: chars - len(ASK) - 1].rstrip() + " " + ASK).ljust(chars)


PASSAGES = [
    hit("The Lumen S2 carries an 18-month limited warranty from the date of purchase. It covers the "
        "lamp body, the solar panel and the battery. " * 3, 1),
    *(hit(f"Unrelated passage {i} about sourdough starters and oven temperatures. " * 6, i) for i in range(2, 6)),
]


def test_a_long_question_is_shortened_first_and_the_best_passage_stays_whole() -> None:
    question = long_question()
    assert len(question) == 20_000
    fitted = fit(question, PASSAGES, four_chars_a_token, n_ctx=2048, answer_tokens=256)

    assert fitted.shortened
    assert 200 <= len(fitted.question) < 20_000
    assert fitted.question.endswith(ASK)  # the end, where the question is, is kept
    assert fitted.whole
    assert fitted.sources
    best = fitted.sources[0]
    assert best.hit.chunk_id == 1
    assert best.text == trim_passage(PASSAGES[0].text, fitted.question, PASSAGE_CHARS)
    assert "18-month limited warranty" in best.text
    assert len(best.text) > 300
    assert best.text in fitted.messages[-1]["content"]
    assert four_chars_a_token(fitted.messages) + fitted.answer_tokens <= 2048
    assert fitted.notes() == [
        f"Your question was shortened to {len(fitted.question):,} of its 20,000 characters (its "
        "beginning and its end were kept) to fit the model's context of 2,048 tokens."
    ]
    # the three-value form that the training set and the benchmarks use gives the same prompt
    assert fit_prompt(question, PASSAGES, four_chars_a_token, 2048, 256) == (
        fitted.messages, fitted.sources, fitted.answer_tokens)


def test_a_short_question_keeps_its_words_and_passages_give_way() -> None:
    fitted = fit(ASK, PASSAGES, four_chars_a_token, n_ctx=600, answer_tokens=128)
    assert fitted.question == ASK
    assert not fitted.shortened
    assert fitted.notes() == []
    assert 1 <= len(fitted.sources) < len(PASSAGES)
    assert fitted.whole
    assert fitted.messages[-1]["content"].endswith(f"Question: {ASK}")


def test_a_window_too_small_for_one_whole_passage_is_marked() -> None:
    fitted = fit(long_question(), PASSAGES, four_chars_a_token, n_ctx=300, answer_tokens=64)
    assert not fitted.whole  # answer_question declines instead of answering from a scrap
    assert fitted.answer_tokens >= 1
    assert fitted.messages


def test_shorten_question_keeps_its_start_and_its_end_between_words() -> None:
    text = "Start here please. " + "filler words " * 100 + ASK
    short = shorten_question(text, 200)
    assert short.startswith("Start here please.")
    assert short.endswith(ASK)
    assert " … " in short
    assert len(short) <= 200
    assert shorten_question(ASK, 200) == ASK
