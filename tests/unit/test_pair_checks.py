"""The checks a generated question/answer pair must pass (``core.evaluate.pair_checks``): each check
on a pair that passes and on one that fails, then ``check_pair`` in order."""

from __future__ import annotations

from ragtune.core.evaluate import pair_checks as pc
from ragtune.core.types import Hit

PASSAGE = (
    "The Lumen S2 carries an 18-month limited warranty from the date of purchase. It covers the "
    "lamp body, the panel and the electronics, but not the battery, which is a wearing part. The "
    "lamp uses one rechargeable 18650 lithium-ion cell of 2200 mAh."
)


def hits(*chunk_ids: int, text: str = PASSAGE) -> list[Hit]:
    return [Hit(c, 1, "/d/lamp.md", "Lamp", 1, 0, 10, text, 0.1) for c in chunk_ids]


def test_shape() -> None:
    assert pc.shape_ok("How long is the lamp's warranty?", "18 months")
    assert not pc.shape_ok("How long is the lamp's warranty", "18 months")  # no question mark
    assert not pc.shape_ok("Warranty?", "18 months")  # too short to be a question
    assert not pc.shape_ok("How long is the lamp's warranty?", "")
    assert not pc.shape_ok("How long is the lamp's warranty?", " ".join(["word"] * 13))
    assert pc.shape_ok("How long is the lamp's warranty?", " ".join(["word"] * 12))
    assert pc.shape_ok("What colour is the lamp's cable?", "", answerable=False)


def test_answer_supported_by_numbers_and_rare_words() -> None:
    assert pc.answer_supported("18 months", PASSAGE)
    assert pc.answer_supported("a 2200 mAh lithium-ion cell", PASSAGE)
    assert pc.answer_supported("about two years", "the warranty lasts two years")  # common words
    assert not pc.answer_supported("24 months", PASSAGE)  # a number the passage lacks
    assert not pc.answer_supported("a nickel cell", PASSAGE)  # a rare word the passage lacks
    assert "nickel" in pc.rare_words("a nickel cell")
    assert pc.rare_words("about two years") == set()


def test_answer_given_away() -> None:
    assert pc.answer_given_away("Is the warranty 18 months long?", "18 months")
    assert not pc.answer_given_away("How long is the warranty?", "18 months")
    assert not pc.answer_given_away("How long is the warranty?", "the")  # nothing to give away


def test_copies_passage() -> None:
    copied = "Does the Lumen S2 carry an 18-month limited warranty from the date of purchase? It covers the lamp body, the panel and the electronics?"
    assert pc.longest_common_run(copied, PASSAGE) > pc.MAX_COPIED_RUN
    assert pc.copies_passage(copied, PASSAGE)
    own_words = "How long is the Lumen S2's limited warranty from the date of purchase?"
    assert pc.longest_common_run(own_words, PASSAGE) <= pc.MAX_COPIED_RUN
    assert pc.trigram_share(own_words, PASSAGE) <= pc.MAX_TRIGRAM_SHARE
    assert not pc.copies_passage(own_words, PASSAGE)
    # a short question may share most of its few trigrams; a longer one may not
    assert pc.trigram_share("What is a wearing part?", PASSAGE) > 0.5
    assert not pc.copies_passage("What is a wearing part?", PASSAGE)
    asked_back = "It covers the lamp body, the panel and the electronics, but not the battery, which is what?"
    assert pc.copies_passage(asked_back, PASSAGE)


def test_retrieval_rank_top_10() -> None:
    assert pc.retrieval_rank(hits(5, 7, 9), 9) == 3
    assert pc.retrieval_rank(hits(5, 7), 9) is None
    assert pc.in_top(hits(*range(1, 11)), 10)
    assert not pc.in_top(hits(*range(1, 12)), 11)
    assert not pc.in_top([], 1)


def test_check_pair_gives_the_first_reason() -> None:
    good = ("For how long does the warranty run?", "18 months")
    assert pc.check_pair(*good, PASSAGE, hits(3, 4), 4) is None
    assert pc.check_pair(good[0], "", PASSAGE, hits(4), 4) == pc.SHAPE
    assert pc.check_pair(good[0], "36 months", PASSAGE, hits(4), 4) == pc.UNSUPPORTED
    assert pc.check_pair("Is the lamp guaranteed for 18 months?", "18 months", PASSAGE, hits(4), 4) == pc.GIVEN_AWAY
    copied = "Which lamp carries an 18-month limited warranty from the date of purchase? It covers the lamp body, the panel?"
    assert pc.check_pair(copied, "Lumen S2", PASSAGE, hits(4), 4) == pc.COPIED
    assert pc.check_pair(*good, PASSAGE, hits(*range(20, 40)), 4) == pc.NOT_RETRIEVED
    off = ("What does the battery hold?", "18 months")  # 18 is there, but not about the battery
    assert pc.check_pair(*off, PASSAGE, hits(4), 4) == pc.OFF_TARGET


def test_ambiguous_when_the_question_points_at_another_sentence() -> None:
    other = "The Lumen S3 lamp carries a 24-month limited warranty from the date of purchase."
    question = ("For how long does the warranty run?", "18 months")
    assert pc.points_to_answer(*question, [PASSAGE])
    # another lamp's warranty sentence is picked first for a question that does not name the lamp
    assert not pc.points_to_answer(*question, [other, PASSAGE])
    assert pc.check_pair(*question, PASSAGE, [*hits(9, text=other), *hits(4)], 4) == pc.AMBIGUOUS
    named = ("For how long does the Lumen S2 warranty run?", "18 months")
    assert pc.points_to_answer(*named, [other, PASSAGE])


def test_asks_for_its_kind_and_the_same_bound() -> None:
    assert pc.asks_for_kind("What share of the samples failed?", "18%")
    assert not pc.asks_for_kind("What percentage of governments get grants?", "26 cents")
    assert not pc.asks_for_kind("In what year did the scheme start?", "40 bridges")
    assert pc.asks_for_kind("In what year did the scheme start?", "2019")
    sentence = "All bridges longer than 20 feet on public roads must be inspected."
    assert not pc.same_bound("What is the maximum length of a bridge that must be inspected?", sentence)
    assert pc.same_bound("What is the minimum length of a bridge that must be inspected?", sentence)
    assert pc.same_bound("How long must a bridge be to be inspected?", sentence)
    assert not pc.same_bound("What is the minimum voltage?", "It runs at up to 3.3V.")
    long_q = ("What is the maximum length of a bridge that must be inspected by the state?", "20 feet")
    assert pc.check_pair(*long_q, sentence, hits(4, text=sentence), 4, sentence=sentence) == pc.OTHER_BOUND


def test_a_percent_names_what_it_measures() -> None:
    sentence = "An ensemble of these nets achieves 3.57% error on the test set."
    assert not pc.names_the_measure("What percentage of the test set does the ensemble reach?", "3.57%", sentence)
    assert pc.names_the_measure("What error does the ensemble reach on the test set?", "3.57%", sentence)
    assert pc.names_the_measure("By how much is the deeper net better?", "2.8%", "It is better (by 2.8%).")


def test_answered_back_needs_the_same_figures() -> None:
    assert pc.answered_back("18 months", "18 months.")
    assert pc.answered_back("$248 billion", "about $248 billion (in 2024 dollars)")
    assert not pc.answered_back("18 months", "24 months")
    assert not pc.answered_back("18 months", "")
    assert pc.answered_back("Serial Wire Debug", "serial wire debug")


def test_an_expansion_is_only_checked_for_retrieval() -> None:
    question = ("What does JWT stand for?", "JSON Web Token")
    text = "JSON Web Token (JWT) is a compact claims representation format."
    assert pc.check_pair(*question, text, hits(4, text=text), 4, expansion=True) is None
    assert pc.check_pair(*question, text, hits(*range(20, 40), text=text), 4, expansion=True) == pc.NOT_RETRIEVED


def test_numbers_written_as_words_count() -> None:
    assert pc.numbers_in("four to five hours") == {"4", "5"}
    assert pc.answer_supported("4 to 5 hours", "usually four to five hours at room temperature")
    assert not pc.answer_supported("6 hours", "usually four to five hours at room temperature")


def test_answer_on_target() -> None:
    passage = (
        "Wipe the panel with a damp cloth once a month; dust can halve the charge it collects. "
        "The Lumen S2 carries an 18-month limited warranty from the date of purchase."
    )
    title = "Lumen S2 Solar Garden Lamp"
    # the warranty sentence holds the answer and the question's clue
    assert pc.answer_on_target("How long is the Lumen S2's warranty?", "18 months", passage, title)
    # 18 is in the passage, but not in the sentence about the charge the question asks about
    wrong = "What is the maximum charge the Lumen S2 can collect per month?"
    assert not pc.answer_on_target(wrong, "18 months", passage, title)
    assert pc.check_pair(wrong, "18 months", passage, hits(4), 4, title) == pc.OFF_TARGET
    assert pc.answer_on_target("What is it?", "18 months", passage)  # no clue to compare: not judged
    modes = "Press once for warm white (60 lumens), twice for bright white (200 lumens)."
    assert pc.answer_on_target("What is the maximum brightness in lumens?", "200 lumens", modes, title)
