"""The names a question is about, whether passages mention them, and their siblings."""

from __future__ import annotations

from ragtune.core.answer_checks import AnswerProblem, answer_problem, asks_quantity
from ragtune.core.key_terms import key_terms, mentions, missing_terms, siblings


def test_names_numbers_and_capitals_are_key_terms_question_words_are_not() -> None:
    assert key_terms("How many employees did Nomic AI have in 2023?") == ["Nomic", "AI", "2023"]
    assert key_terms("What learning rate was used to train GPT-4?") == ["GPT-4"]
    assert key_terms("What default weight decay does AdamW use?") == ["AdamW"]
    # "Table 4" and "day 7" say where, a range of single digits is no name
    assert key_terms("According to Table 4, what error does ResNet-152 get on day 7?") == ["ResNet-152"]
    assert key_terms("On the 0-9 scale, what rating makes FHWA call a bridge poor?") == ["FHWA"]
    assert key_terms("what is the capital of a country?") == []


def test_mentions_ignores_separators_case_plurals_and_greek_spelling() -> None:
    text = "We trained ResNet 152 and 34-layer nets with β1 = 0.9 in 2015."
    assert mentions(text, "ResNet-152")
    assert mentions(text, "resnet152")
    assert mentions(text, "34-layers") or mentions("34 layers", "34-layer")
    assert mentions(text, "beta1")
    assert not mentions(text, "ResNet-15")  # glued to more digits: another name
    assert not mentions(text, "201")
    assert missing_terms("What did GPT-4 score in 2015?", [text]) == ["GPT-4"]


def test_siblings_are_names_of_the_same_family() -> None:
    text = "BERT-Base was trained on 4 TPUs; ResNet-152 and ResNet-101 were deeper than ResNet. Adam is fast."
    assert siblings("BERT-Large", text) == ["BERT-Base"]
    assert siblings("ResNet-200", text) == ["ResNet-152", "ResNet-101"]  # the bare family is no sibling
    assert siblings("AdamW", text) == ["Adam"]
    assert siblings("Wi-Fi", "with a wire") == []  # a two-letter head is no family


def test_an_answer_that_repeats_the_question_or_lacks_the_asked_number_is_caught() -> None:
    q = "In the ResNet paper, what mini-batch size was used for SGD on ImageNet?"
    assert answer_problem(q, "In the ResNet paper, the mini-batch size was used for SGD on ImageNet [3].") == AnswerProblem.ECHO
    assert answer_problem(q, "A mini-batch size of 256 was used [1].") is None
    assert answer_problem("How does RFC 7519 define a refresh token?", "RFC 7519 defines a refresh token [1].") == AnswerProblem.ECHO
    assert answer_problem("How many bridges are poor?", "Many bridges are in poor condition, mostly rural ones.") == AnswerProblem.NO_NUMBER
    assert answer_problem("Which term names the effect?", "The degradation problem [1].") is None
    assert asks_quantity("When was RFC 7519 published?")
    assert asks_quantity("In which year was it built?")
    assert not asks_quantity("What term names the drop seen when layers are stacked?")


def test_a_number_or_a_name_is_not_found_inside_another() -> None:
    assert not mentions("see pages 20, 23", "2023")
    assert not mentions("a ratio of 1.52", "152")
    assert not mentions("GPT-4o is newer", "GPT-4")
    assert mentions("the RP2040-based board", "RP2040")


def test_only_strong_names_can_decline_a_question() -> None:
    from ragtune.core.key_terms import is_strong

    terms = key_terms("Summarize the Introduction of the Positional Encoding paper by Google in 2017?")
    assert [t for t in terms if is_strong(t)] == ["2017"]
    assert missing_terms("What does the Introduction say?", ["no such heading"], strong_only=True) == []
    assert key_terms("x" * 60 + " what is it?") == []  # a 60-letter "word" is noise, not a name
