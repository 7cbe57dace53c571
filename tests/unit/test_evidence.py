"""Evidence sentences and their marked spans, and the recovery rules, on made-up passages."""

from __future__ import annotations

from ragtune.core.answer_recovery import (
    evidence_sources,
    name_gap,
    quote_answer,
    sibling_slip,
    with_named_passages,
)
from ragtune.core.evidence import (
    MAX_UNIT_CHARS,
    Focus,
    find_evidence,
    units,
)
from ragtune.core.generation.citations import attribute
from ragtune.core.generation.prompts import Source
from ragtune.core.types import Hit

PASSAGE = (
    "We evaluate on ImageNet. BERT-Base was trained on 4 Cloud TPUs for 4 days. BERT-Large was trained "
    "on 16 Cloud TPUs (64 TPU chips total). An ensemble of these residual nets achieves 3.57% error on "
    "the ImageNet test set. The authors thank Ivo Danihelka and Tom Schaul for the name."
)


def hit(text: str, n: int = 1, path: str = "/docs/paper.pdf", similarity: float = 0.6) -> Hit:
    return Hit(n, 1, path, "A paper", 3, 100, 100 + len(text), text, 1.0, vector_similarity=similarity)


def evidence(question: str, answer: str = "", passage: str = PASSAGE) -> tuple[str, str]:
    found = find_evidence(Focus(question, [passage], answer), passage)
    assert found is not None
    return found.sentence(passage), found.mark(passage)


def test_the_sentence_that_holds_the_answer_is_chosen_and_its_fact_marked() -> None:
    sentence, mark = evidence("How low was the ensemble's error on the ImageNet test set?", "It reached 3.57% [1].")
    assert sentence.startswith("An ensemble")
    assert mark == "3.57% error"
    sentence, mark = evidence("Who is thanked for the name?", "Ivo Danihelka and Tom Schaul [1].")
    assert mark == "Ivo Danihelka and Tom Schaul"


def test_the_sentence_naming_the_asked_thing_beats_its_sibling() -> None:
    sentence, mark = evidence("How many Cloud TPUs was BERT-Large trained on?")
    assert sentence.startswith("BERT-Large")
    sentence, mark = evidence("How many Cloud TPUs was BERT-Large trained on?", "BERT-Large used 16 Cloud TPUs [1].")
    assert sentence.startswith("BERT-Large")
    assert mark.startswith("16 Cloud")


def test_a_table_without_full_stops_is_cut_into_sentence_sized_pieces() -> None:
    table = "\n".join(f"State {i}  {1000 + i}  {i}.5" for i in range(80))
    pieces = units(table)
    assert len(pieces) > 3
    assert all(end - start <= MAX_UNIT_CHARS for start, end in pieces)


def test_citations_carry_the_evidence_sentence_its_offsets_and_the_mark() -> None:
    h = hit(PASSAGE)
    result = attribute("An ensemble reached 3.57% error [1].", [Source(1, h, PASSAGE)], "How low was the ensemble's error?")
    (c,) = result.citations
    assert c.text == PASSAGE[c.passage_start : c.passage_start + len(c.text)]
    assert c.text.startswith("An ensemble")
    assert c.mark == "3.57% error"
    assert c.start == h.start + c.passage_start  # the viewer highlights this sentence on the page
    assert c.evidence_json()["mark"] == {"start": c.mark_start, "end": c.mark_end, "text": "3.57% error"}
    assert c.mark_parts() == (c.text[: c.mark_start], "3.57% error", c.text[c.mark_end :])


def test_a_question_naming_what_no_passage_mentions_is_caught_with_its_siblings() -> None:
    passages = [hit(PASSAGE)]
    gap = name_gap("How many TPUs did BERT-Huge use?", passages)
    assert gap is not None
    assert gap.missing == ["BERT-Huge"]
    assert gap.siblings == ["BERT-Base", "BERT-Large"]
    assert gap.decline("q?", "paper.pdf, p. 3").startswith(
        "The passages found mention BERT-Base and BERT-Large, but not BERT-Huge, so I will not guess."
    )
    assert name_gap("How many TPUs did BERT-Large use?", passages) is None
    # the file's name counts as a mention: "the Adam paper" asked of adam.pdf
    assert name_gap("What does the Adam paper say about ImageNet?", [hit(PASSAGE, path="/d/adam.pdf")]) is None


def test_a_passage_naming_the_missing_thing_is_swapped_in() -> None:
    a, b = hit("BERT-Base took 4 days.", 1), hit("Residual nets are deep.", 2)
    named = hit("BERT-Large took 4 days on 16 TPUs.", 3)
    assert with_named_passages("How long did BERT-Large take?", [a, b], [a, b, named]) == [a, named]
    assert with_named_passages("How long did BERT-Base take?", [a, b], [a, b, named]) == [a, b]


def test_an_answer_resting_on_a_sibling_is_caught_and_the_quote_is_labelled() -> None:
    h = hit(PASSAGE)
    sources = [Source(1, h, PASSAGE)]
    question = "How many Cloud TPUs was BERT-Large trained on?"
    slipped = attribute("It was trained on 4 Cloud TPUs for 4 days [1].", sources, question)
    assert sibling_slip(question, slipped.citations, sources) == "BERT-Base"
    right = attribute("It was trained on 16 Cloud TPUs [1].", sources, question)
    assert sibling_slip(question, right.citations, sources) == ""
    focused = evidence_sources(question, sources)
    assert focused[0].text.startswith("BERT-Large was trained on 16")
    quote = quote_answer(focused)
    assert quote.startswith("The documents say: \u201cBERT-Large was trained on 16")
    assert quote.endswith("[1].")
