"""The checks a generated question/answer pair must pass to be kept (issue 9, "Generated from the
library"; issue 20). Each is a pure function; ``check_pair`` runs them in order and returns the first
failure's reason code (None: keep the pair). Absent questions are checked in ``absent_swap``.

- **Shape** (``shape_ok``): the question ends with "?" and has 4 to 30 words; the answer is non-empty
  and at most ``MAX_ANSWER_WORDS`` (12) words: a short fact, not a paragraph.
- **Supported** (``answer_supported``): every number of the answer and every rare word of it (not a
  stopword, not among ``COMMON_WORDS``) occurs in the passage, compared as ``text_match`` words (lower
  case, crude stems; "four" matches "4"), so the answer states what the passage says and nothing
  the model made up.
- **On target** (``answer_on_target``): a sentence of the passage holds both one of the answer's
  facts and a rare word of the question that is neither in the answer nor in the title, so
  the answer is the fact the question asks about, not another number of the same passage.
- **Not given away** (``answer_given_away``): the question does not already state the answer.
- **Not copied** (``copies_passage``): the question is not a sentence of the passage with "what"
  stuck on: its longest run of words found verbatim in the passage is at most ``MAX_COPIED_RUN`` (12)
  words, and, in a question of at least ``MIN_TRIGRAMS`` (5) word trigrams, at most
  ``MAX_TRIGRAM_SHARE`` (85 %) of them occur in the passage (a short question such as "What is a
  wearing part?" shares most of its few trigrams with any passage that answers it). Issue 20
  loosened both (from 6 words and half): a question written around a sentence's own fact reuses
  its words for what is measured ("What percentage of bridges in poor condition were rural?"), as
  a person who read the page would; on the dev set the old limits dropped 8 of 40 such questions.
- **Retrieved** (``retrieval_rank``): retrieval ranks the source passage in the top ``TOP_K`` (10)
  for the question; a pair whose source is not found there is dropped, not kept as "hard".
- **Asks for its kind** (``asks_for_kind``): a question about a percentage or a share has a percent
  for its answer; a question about a year, a year.
- **The same bound** (``same_bound``): a question about a maximum ("at most", "up to") is about a
  sentence that states one, and a question about a minimum ("at least", "longer than") likewise.
- **Answered back** (``answered_back``, after the other checks): the model, given the passage and
  the question alone, answers with the same figures (or words): the round trip of synthetic
  question filtering. A question it cannot answer again is vague or asks something else.
- **Unambiguous** (``points_to_answer``): among the passages retrieval ranks first for the question,
  the sentence the evidence rule (``core.evidence``) picks for the question alone holds the answer:
  "How many layers does the model have?" in a paper with five depths points at another sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ragtune.core.evidence import Focus, ranked_evidence
from ragtune.core.text_match import STOPWORDS, content_words, numbers, sentences, words
from ragtune.core.types import Hit

MAX_ANSWER_WORDS = 12
MIN_QUESTION_WORDS = 4
MAX_QUESTION_WORDS = 30
MAX_COPIED_RUN = 12
MAX_TRIGRAM_SHARE = 0.85
MIN_TRIGRAMS = 5
TOP_K = 10

# reason codes (a report counts the dropped pairs by them)
SHAPE = "shape"
UNSUPPORTED = "unsupported"
OFF_TARGET = "off target"
GIVEN_AWAY = "given away"
COPIED = "copied"
NOT_RETRIEVED = "not retrieved"
AMBIGUOUS = "ambiguous"
WRONG_KIND = "asks another kind"
OTHER_BOUND = "other bound"
_UPPER = r"\b(?:maximum|max|most|highest|largest|longest|up to|peak|no more than|less than|fewer than|shorter than)\b"
_LOWER = r"\b(?:minimum|min|least|lowest|smallest|shortest|more than|longer than|greater than|exceed\w*)\b"
ANSWERED_OTHERWISE = "answered otherwise"
_ASKS_SHARE = re.compile(r"\b(?:percent|percentage|share|proportion|fraction)\b", re.IGNORECASE)
_ASKS_YEAR = re.compile(r"\b(?:what|which) year\b|\bwhen\b", re.IGNORECASE)
#: the passages the unambiguous check reads (the answer path's first ones)
EVIDENCE_PASSAGES = 5

_COMMON = (
    "able across add after again ago almost already always amount another around away back best "
    "better big called case certain change come day days different done due early either else end "
    "enough even ever every example far first follow following full get given go going good great "
    "half hand high hour hours however important keep kind large last least left less like little "
    "long low made main make may mean means minute minutes month months must need never new next "
    "none number often old one open order part per place point possible put rather really right "
    "round second see seen set several short side since small something sometimes still take "
    "thing things think three time times today together total two type under upon use used using "
    "usually want way week weeks well whole within without work year years yes maximum minimum "
    "duration average"
)
#: frequent English words an answer may use without the passage using them ("about", "hours"...)
COMMON_WORDS = frozenset(_COMMON.split())


_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_SMALL.split())} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100"}


def numbers_in(text: str) -> set[str]:
    """The numbers of ``text`` (``text_match.numbers``) plus those written as words ("four": "4")."""
    return numbers(text) | {_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS}


def shape_ok(question: str, answer: str, answerable: bool = True) -> bool:
    """The question ends with "?" and has ``MIN_QUESTION_WORDS`` to ``MAX_QUESTION_WORDS`` words;
    for an answerable pair the answer has 1 to ``MAX_ANSWER_WORDS`` words (an absent question's
    answer is ignored)."""
    q_words = len(words(question))
    if not question.strip().endswith("?") or not MIN_QUESTION_WORDS <= q_words <= MAX_QUESTION_WORDS:
        return False
    return not answerable or 1 <= len(words(answer)) <= MAX_ANSWER_WORDS


def rare_words(text: str) -> set[str]:
    """The words of ``text`` a reader could not have guessed: not stopwords, not ``COMMON_WORDS``,
    not numbers, longer than one letter; stemmed as ``text_match.content_words`` stems them."""
    rare: set[str] = set()
    for word in words(text):
        if word in STOPWORDS or word in COMMON_WORDS or len(word) < 2 or any(c.isdigit() for c in word):
            continue
        rare |= content_words(word)
    return rare


def answer_supported(answer: str, passage: str) -> bool:
    """Every number (``numbers_in``) and every rare word (``rare_words``) of ``answer`` occurs in
    ``passage``."""
    return numbers_in(answer) <= numbers_in(passage) and rare_words(answer) <= content_words(passage)


def answer_on_target(question: str, answer: str, passage: str, title: str = "") -> bool:
    """Some sentence of ``passage`` holds one of the answer's facts (its numbers and rare words,
    else its content words) and one of the question's clues (its rare words that are neither in the
    answer nor in ``title``; "bright" matches "brightness"). True when there is nothing to compare."""
    facts = (numbers_in(answer) | rare_words(answer)) or content_words(answer)
    clues = rare_words(question) - content_words(answer) - content_words(title)
    if not facts or not clues:
        return True
    for sentence in sentences(passage):
        have = content_words(sentence) | numbers_in(sentence)
        if facts & have and any(_related(clue, word) for clue in clues for word in have):
            return True
    return False


def _related(a: str, b: str) -> bool:
    """The same word, or one a prefix of the other of at least 5 letters ("bright", "brightness")."""
    short, long_ = sorted((a, b), key=len)
    return a == b or (len(short) >= 5 and long_.startswith(short))


def answer_given_away(question: str, answer: str) -> bool:
    """The question already states the answer: all of the answer's numbers and content words are in
    the question (an answer of only stopwords is not given away by this test)."""
    facts = content_words(answer) | numbers(answer)
    return bool(facts) and facts <= (content_words(question) | numbers(question))


def longest_common_run(question: str, passage: str) -> int:
    """The length, in words, of the longest run of consecutive question words found in the passage
    in the same order."""
    q, p = words(question), words(passage)
    best = 0
    previous = [0] * (len(p) + 1)
    for i in range(1, len(q) + 1):
        current = [0] * (len(p) + 1)
        for j in range(1, len(p) + 1):
            if q[i - 1] == p[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def trigram_share(question: str, passage: str) -> float:
    """The share of the question's word trigrams that occur in the passage (0 for a question of
    fewer than three words)."""
    q, p = words(question), words(passage)
    grams = [tuple(q[i : i + 3]) for i in range(len(q) - 2)]
    if not grams:
        return 0.0
    present = {tuple(p[i : i + 3]) for i in range(len(p) - 2)}
    return sum(g in present for g in grams) / len(grams)


def copies_passage(question: str, passage: str) -> bool:
    """The question copies the passage: a verbatim run of more than ``MAX_COPIED_RUN`` words, or,
    when it has at least ``MIN_TRIGRAMS`` word trigrams, more than ``MAX_TRIGRAM_SHARE`` of them
    found in the passage."""
    if longest_common_run(question, passage) > MAX_COPIED_RUN:
        return True
    long_enough = len(words(question)) - 2 >= MIN_TRIGRAMS
    return long_enough and trigram_share(question, passage) > MAX_TRIGRAM_SHARE


def retrieval_rank(hits: Sequence[Hit], chunk_id: int) -> int | None:
    """The 1-based rank of chunk ``chunk_id`` among ``hits`` (best first), None when absent."""
    for rank, hit in enumerate(hits, 1):
        if hit.chunk_id == chunk_id:
            return rank
    return None


def in_top(hits: Sequence[Hit], chunk_id: int, k: int = TOP_K) -> bool:
    """Retrieval ranks chunk ``chunk_id`` within the first ``k`` hits."""
    rank = retrieval_rank(hits, chunk_id)
    return rank is not None and rank <= k


def check_pair(
    question: str, answer: str, passage: str, hits: Sequence[Hit], chunk_id: int, title: str = "",
    sentence: str = "", expansion: bool = False,
) -> str | None:
    """Why an answerable pair generated from ``passage`` (chunk ``chunk_id`` of a document titled
    ``title``; ``hits`` what retrieval returned for the question; ``sentence`` the one stating the
    answer, when known) must be dropped, as a reason code; None to keep it. An ``expansion``
    ("What does JWT stand for?", made without the model) is only checked for retrieval."""
    if expansion:
        return None if in_top(hits, chunk_id) else NOT_RETRIEVED
    if not shape_ok(question, answer):
        return SHAPE
    if answer_given_away(question, answer):
        return GIVEN_AWAY
    if not answer_supported(answer, passage):
        return UNSUPPORTED
    if not answer_on_target(question, answer, passage, title):
        return OFF_TARGET
    if not asks_for_kind(question, answer):
        return WRONG_KIND
    if not same_bound(question, sentence or passage):
        return OTHER_BOUND
    if sentence and not names_the_measure(question, answer, sentence):
        return WRONG_KIND
    if copies_passage(question, passage):
        return COPIED
    if not in_top(hits, chunk_id):
        return NOT_RETRIEVED
    if not points_to_answer(question, answer, [h.text for h in hits[:EVIDENCE_PASSAGES]]):
        return AMBIGUOUS
    return None


def asks_for_kind(question: str, answer: str) -> bool:
    """A question about a share has a percent for its answer; one about a year or "when", a year
    or a date (an answer with a four-digit number from 1000 to 2999)."""
    if _ASKS_SHARE.search(question) and not re.search(r"%|percent", answer):
        return False
    return not (_ASKS_YEAR.search(question) and not re.search(r"\b[12]\d{3}\b", answer))


def same_bound(question: str, passage: str) -> bool:
    """A question that asks for a maximum (a minimum) is about a text that states one, and not
    about one that states only the other bound."""
    for bound in (_UPPER, _LOWER):
        if re.search(bound, question, re.IGNORECASE) and not re.search(bound, passage, re.IGNORECASE):
            return False
    upper_only = re.search(_UPPER, question, re.IGNORECASE) and not re.search(_LOWER, question, re.IGNORECASE)
    return not (upper_only and re.search(_LOWER, passage, re.IGNORECASE) and not re.search(_UPPER, passage, re.IGNORECASE))


def names_the_measure(question: str, answer: str, sentence: str) -> bool:
    """A percent followed in ``sentence`` by what it measures ("3.57% error", "76% accuracy") is
    asked about by a question that names that measure."""
    if "%" not in answer:
        return True
    at = sentence.find(answer)
    after = words(sentence[at + len(answer) :])[:1] if at >= 0 else []
    if not after or after[0] in STOPWORDS or after[0] in COMMON_WORDS or any(c.isdigit() for c in after[0]):
        return True
    return bool(content_words(after[0]) & content_words(question))


def answered_back(answer: str, reply: str) -> bool:
    """The model's own answer (``reply``) states the answer's numbers, or without numbers its
    rare words."""
    facts = numbers_in(answer) or rare_words(answer) or content_words(answer)
    return bool(facts) and facts <= (numbers_in(reply) | content_words(reply))


def points_to_answer(question: str, answer: str, passages: Sequence[str]) -> bool:
    """The sentence the evidence rule picks for ``question`` alone among ``passages`` holds the
    answer's numbers (or, without numbers, its rare words)."""
    focus = Focus(question, passages)
    best = ranked_evidence(focus, passages, limit=1)
    if not best:
        return False
    index, evidence = best[0]
    sentence = evidence.sentence(passages[index])
    facts = numbers_in(answer) or rare_words(answer)
    have = numbers_in(sentence) | content_words(sentence)
    return bool(facts) and facts <= have
