"""The correctness metric of the evaluation bench: normalized matching of expected answers,
declines, gold citations and the rank of the gold passage."""

from __future__ import annotations

import pytest

from ragtune.core.answering import DECLINE_TEXT
from ragtune.core.evaluate.correctness import cites_gold, gold_rank, is_correct, is_declined, tokens
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.types import Citation, Hit

BOOKS = Question("How long can books be borrowed from the library?", "21 days", gold_file="policy.pdf", gold_page=2)


def _hit(path: str, page: int) -> Hit:
    return Hit(chunk_id=1, document_id=1, path=path, title="", page=page, start=0, end=10, text="x", score=1.0)


def _citation(path: str, page: int) -> Citation:
    return Citation(n=1, chunk_id=1, path=path, page=page, start=0, end=10, text="x")


def test_tokens_write_numbers_units_and_currencies_one_way() -> None:
    assert tokens("Twenty-one days [2], $25.00, 1,000 g, 10g, 230°C") == [
        "21", "day", ",", "25", "dollar", ",", "1000", "g", ",", "10", "g", ",", "230", "degc",
    ]
    assert tokens("25 cents") == ["0.25", "dollar"]
    assert tokens("renewed twice") == ["renewed", "2", "time"]


@pytest.mark.parametrize(
    "answer",
    [
        "Books may be borrowed for 21 days [1].",
        "You can keep a book for twenty-one days.",
        "Books: 21-day loans.",
        "The loan period for books is 21.",
        "BOOKS CAN BE BORROWED FOR 21 DAYS",
    ],
)
def test_the_expected_number_with_its_unit_is_correct(answer: str) -> None:
    assert is_correct(answer, BOOKS)


@pytest.mark.parametrize(
    "answer",
    [
        "Books can be borrowed for 12 days.",
        "Books can be borrowed for 2 days or 1 day.",
        "A member may have up to 21 items on loan.",  # the right number for a different thing
        "The late fee is 21 cents.",
        "Books can be borrowed for 21 weeks.",
        "I could not find this in the library.",
        "",
    ],
)
def test_a_wrong_or_missing_number_is_not_correct(answer: str) -> None:
    assert not is_correct(answer, BOOKS)


def test_units_and_currencies_are_compared_after_normalizing() -> None:
    salt = Question("How much salt goes into one loaf?", "10 g")
    assert is_correct("Use 10 grams of salt.", salt)
    assert is_correct("10g of salt", salt)
    assert not is_correct("Use 10 kg of salt.", salt)
    fee = Question("How much does a visitor pay to join?", "25 dollars")
    assert is_correct("Visitors pay $25 a year.", fee)
    assert is_correct("The annual fee is USD 25.00.", fee)  # nothing after the number ties it elsewhere
    assert not is_correct("Visitors pay $52.", fee)
    late = Question("What is the late fee for an adult item?", "25 cents per day")
    assert is_correct("It is $0.25 per item per day [1].", late)
    assert is_correct("The late fee is 25 cents.", late)
    oven = Question("At what temperature is it baked?", "230 °C")
    assert is_correct("Bake at 230 degrees Celsius.", oven)
    assert is_correct("230°C", oven)
    assert not is_correct("Bake at 230 °F.", oven)


def test_any_alternative_counts() -> None:
    renew = Question("How many times can a loan be renewed?", "twice", ("two times",))
    assert is_correct("A loan can be renewed twice [1].", renew)
    assert is_correct("It can be renewed 2 times.", renew)
    assert not is_correct("It can be renewed three times.", renew)
    cool = Question("How long should the bread cool?", "one hour", ("an hour",))
    assert is_correct("Let it cool for at least an hour.", cool)
    assert is_correct("Cool it for 1 hour.", cool)


def test_words_of_a_non_numeric_answer_must_mostly_be_there() -> None:
    part = Question("Which part of the lamp is not covered by the warranty?", "the battery")
    assert is_correct("The battery is not covered, as it is a wearing part.", part)
    assert not is_correct("The solar panel.", part)
    rating = Question("What is the IP rating of the lamp?", "IP65")
    assert is_correct("It is rated IP65 [2].", rating)
    assert is_correct("It is rated IP 65.", rating)
    assert not is_correct("It is rated IP44.", rating)
    docs = Question("What must I bring to join?", "a photo identity document and proof of address")
    assert is_correct("Bring a photo ID document and a proof of your address.", docs)
    assert not is_correct("Bring a utility bill.", docs)


def test_words_the_question_already_says_need_not_be_repeated() -> None:
    reserve = Question("How many items can a member reserve?", "10 items")
    assert is_correct("Members can reserve up to ten.", reserve)
    assert not is_correct("Members can reserve up to five.", reserve)


def test_ratios_and_dates_need_every_number() -> None:
    ratio = Question("What feeding ratio is used for the starter?", "1:5:5")
    assert is_correct("Feed it at 1:5:5 by weight.", ratio)
    assert not is_correct("Feed it at 1:5.", ratio)
    adopted = Question("When was the policy adopted?", "3 March 2025")
    assert is_correct("It was adopted on 3 March 2025 [1].", adopted)
    assert not is_correct("It was adopted on 3 May 2025.", adopted)
    assert not is_correct("It was adopted in 2025.", adopted)


def test_declines_by_the_gate_or_in_words() -> None:
    assert is_declined("anything", True)
    assert is_declined("", False)
    assert is_declined(DECLINE_TEXT.format(question="q"), False)
    assert is_declined("I'm sorry, but the provided sources do not mention opening hours.", False)
    assert is_declined("I don't know.", False)
    assert is_declined("The documents don\u2019t say how much it weighs.", False)
    assert not is_declined("Books may be borrowed for 21 days [1].", False)
    assert is_declined("The provided context does not contain any information about e-books.", False)
    # a plain negative answer is not a decline
    assert not is_declined("The battery is not covered by the warranty [1].", False)
    assert not is_declined("No, newspapers are not available for loan.", False)
    # the fact first, then what the sources leave out: not a decline
    assert not is_declined("Books may be borrowed for 21 days. The sources do not mention e-books.", False)


def test_gold_citations_match_file_and_page() -> None:
    assert cites_gold([_citation("/home/x/policy.pdf", 2)], BOOKS)
    assert not cites_gold([_citation("/home/x/policy.pdf", 3)], BOOKS)
    assert not cites_gold([_citation("/home/x/other.pdf", 2)], BOOKS)
    assert not cites_gold([], BOOKS)
    any_page = Question("q", "a", gold_file="notes.txt")
    assert cites_gold([_citation("/lib/notes.txt", 0), _citation("/lib/x.md", 0)], any_page)


def test_gold_rank_is_one_based_and_none_when_missing() -> None:
    hits = [_hit("/l/other.md", 0), _hit("/l/policy.pdf", 3), _hit("/l/policy.pdf", 2), _hit("/l/policy.pdf", 2)]
    assert gold_rank(hits, BOOKS) == 3
    assert gold_rank(hits[:2], BOOKS) is None
    assert gold_rank([], BOOKS) is None
    absent = Question("Who won the 1966 World Cup?", kind=Kind.ABSENT)
    assert gold_rank(hits, absent) is None
