"""Passage trimming, prompt fitting and citation attribution (no model: token counts are faked by
word counts, which is not the unit under test)."""

from __future__ import annotations

import random

from ragtune.core.generation.citations import (
    Attribution,
    CitingStream,
    attribute,
    strip_invalid_markers,
    support,
)
from ragtune.core.generation.engine import Message
from ragtune.core.generation.prompts import Source, fit_prompt, trim_passage
from ragtune.core.text_match import content_words, numbers, sentence_spans
from ragtune.core.types import Hit


def hit(text: str, path: str = "/docs/manual.pdf", page: int = 3, chunk_id: int = 1) -> Hit:
    return Hit(chunk_id, 1, path, "Manual", page, 10, 10 + len(text), text, 0.5, 1, 1, 0.6)


def word_count(messages: list[Message]) -> int:
    return sum(len(m["content"].split()) for m in messages) + 10


def test_sentence_spans_and_words() -> None:
    text = "The lamp lasts 10 hours. It costs $3.50! Does it float? No."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["The lamp lasts 10 hours.", "It costs $3.50!", "Does it float?", "No."]
    assert numbers("It weighs 1,200 kg and 3.5 m") == {"1200", "3.5"}
    assert "lamp" in content_words("The lamps")
    assert "the" not in content_words("The lamps")


def test_trim_passage_keeps_relevant_sentences_in_order() -> None:
    filler = " ".join(f"Sentence number {i} talks about gardening tools." for i in range(20))
    text = f"{filler} The warranty lasts 18 months from purchase. {filler}"
    trimmed = trim_passage(text, "How long is the warranty?", limit=200)
    assert "warranty lasts 18 months" in trimmed
    assert len(trimmed) <= 201
    assert trim_passage("Short text.", "anything") == "Short text."


def test_fit_prompt_drops_passages_then_trims_and_never_fails() -> None:
    hits = [hit(("word " * 150) + f"fact{i}.", chunk_id=i) for i in range(6)]
    messages, sources, answer_tokens = fit_prompt("What is fact0?", hits, word_count, n_ctx=400, answer_tokens=64)
    assert word_count(messages) + answer_tokens <= 400
    assert 1 <= len(sources) < 6
    assert sources[0].n == 1
    # absurdly small window: still a prompt, with the answer budget cut instead of an error
    messages, sources, answer_tokens = fit_prompt("q " * 500, hits, word_count, n_ctx=60, answer_tokens=64)
    assert answer_tokens >= 1
    assert messages


def test_attribution_adds_markers_drops_invalid_and_flags_unsupported() -> None:
    sources = [
        Source(1, hit("The lamp has an 18-month limited warranty from the date of purchase.", chunk_id=11), ""),
        Source(2, hit("Bake the loaf at 230 degrees for 25 minutes.", path="/docs/bread.txt", page=1, chunk_id=12), ""),
    ]
    sources = [Source(s.n, s.hit, s.hit.text) for s in sources]
    answer = "The lamp has an 18-month warranty from purchase [7]. The moon is made of green cheese entirely."
    result = attribute(answer, sources)
    assert "[7]" not in result.text
    assert "warranty from purchase [1]." in result.text
    assert [c.n for c in result.citations] == [1]
    assert result.citations[0].chunk_id == 11
    assert result.citations[0].page == 3
    assert result.unsupported == ["The moon is made of green cheese entirely."]


def test_numbers_must_match_to_support() -> None:
    assert support("The loaf bakes at 230 degrees.", "Bake the loaf at 230 degrees.") > 0.5
    assert support("The loaf bakes at 250 degrees.", "Bake the loaf at 230 degrees.") == 0.0


def test_strip_invalid_markers() -> None:
    assert strip_invalid_markers("A [1]. B [4].", {1, 2}) == "A [1]. B."
    assert strip_invalid_markers("Up to 10 items [1]. [1].", {1}) == "Up to 10 items [1]."


def test_a_marker_pointing_at_the_wrong_source_is_moved_to_the_right_one() -> None:
    loans = "Books may be borrowed for 21 days. DVDs and Blu-ray discs may be borrowed for 7 days."
    fees = "The library charges no late fees for children's items. After 42 days an item is lost."
    sources = [Source(1, hit(loans, page=2), loans), Source(2, hit(fees, page=3, chunk_id=2), fees)]
    result = attribute("A DVD can be borrowed for 7 days [2].", sources)
    assert result.text == "A DVD can be borrowed for 7 days [1]."
    assert [(c.n, c.page) for c in result.citations] == [(1, 2)]
    unsupported = attribute("DVDs can be kept for 9 weeks [1].", sources)
    assert unsupported.citations == []
    assert unsupported.unsupported == ["DVDs can be kept for 9 weeks."]


def test_a_citation_is_narrowed_to_the_supporting_sentence() -> None:
    text = "Books may be borrowed for 21 days. DVDs and Blu-ray discs may be\n\nborrowed for 7 days. Fees apply."
    result = attribute("DVDs can be borrowed for 7 days.", [Source(1, hit(text), text)])
    (citation,) = result.citations
    assert citation.text == "DVDs and Blu-ray discs may be\n\nborrowed for 7 days."
    offset = text.index("DVDs")
    assert (citation.start, citation.end) == (10 + offset, 10 + offset + len(citation.text))
    # "18-month" states the 18 of "18 months"
    lamp = "The Lumen S2 carries an 18-month limited warranty from the date of purchase."
    assert attribute("The warranty is 18 months.", [Source(1, hit(lamp), lamp)]).citations


def _stream(answer: str, sources: list[Source], cuts: list[int]) -> tuple[list[str], Attribution]:
    stream = CitingStream(sources)
    shown: list[str] = []
    previous = 0
    for cut in [*cuts, len(answer)]:
        shown.append(stream.feed(answer[previous:cut]))
        previous = cut
    shown.append(stream.finish())
    return shown, stream.result()


def test_streamed_text_is_the_final_text_with_final_numbers() -> None:
    """What a person reads while the answer streams is what stays: [2] is never shown when the
    final answer says [1] (the walrus report of the trust issue)."""
    walrus = "Team 118-6 observed 42 walruses on the northern ice shelf in March."
    other = "Team 118-7 counted seals near the harbour."
    sources = [Source(1, hit(walrus), walrus), Source(2, hit(other, page=2, chunk_id=2), other)]
    answer = " Team 118-6 observed 42 walruses [2]. They were on the northern ice shelf [1]. [1]. Yes."
    whole = attribute(answer, sources)
    assert whole.text == "Team 118-6 observed 42 walruses [1]. They were on the northern ice shelf [1]. Yes."
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(answer)), rng.randint(1, 25)))
        shown, result = _stream(answer, sources, cuts)
        assert "".join(shown) == result.text == whole.text
        assert "[2]" not in "".join(shown)
        assert [c.n for c in result.citations] == [c.n for c in whole.citations] == [1]
    # token by token: text appears before the sentence is settled (not held back to its end)
    shown, _ = _stream(answer, sources, list(range(1, len(answer))))
    assert "".join(shown[:20]).startswith("Team 118-6 observ")
