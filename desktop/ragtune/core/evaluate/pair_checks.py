"""The checks a generated question/answer pair must pass to be kept (issue 9, "Generated from the
library"). Each is a pure function; ``check_pair`` and ``check_absent`` run them in order and return
the first failure's reason code (None: keep the pair).

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
  stuck on: its longest run of words found verbatim in the passage is at most ``MAX_COPIED_RUN`` (6)
  words, and, in a question of at least ``MIN_TRIGRAMS`` (5) word trigrams, at most
  ``MAX_TRIGRAM_SHARE`` (half) of them occur in the passage (a short question such as "What is a
  wearing part?" shares most of its few trigrams with any passage that answers it).
- **Retrieved** (``retrieval_rank``): retrieval ranks the source passage in the top ``TOP_K`` (10)
  for the question; a pair whose source is not found there is dropped, not kept as "hard".
"""

from __future__ import annotations

from collections.abc import Sequence

from ragtune.core.text_match import STOPWORDS, content_words, numbers, sentences, words
from ragtune.core.types import Hit

MAX_ANSWER_WORDS = 12
MIN_QUESTION_WORDS = 4
MAX_QUESTION_WORDS = 30
MAX_COPIED_RUN = 6
MAX_TRIGRAM_SHARE = 0.5
MIN_TRIGRAMS = 5
TOP_K = 10

# reason codes (a report counts the dropped pairs by them)
SHAPE = "shape"
UNSUPPORTED = "unsupported"
OFF_TARGET = "off target"
GIVEN_AWAY = "given away"
COPIED = "copied"
NOT_RETRIEVED = "not retrieved"
FOUND = "found in library"  # an absent question whose answer the library may hold after all

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
    question: str, answer: str, passage: str, hits: Sequence[Hit], chunk_id: int, title: str = ""
) -> str | None:
    """Why an answerable pair generated from ``passage`` (chunk ``chunk_id`` of a document titled
    ``title``; ``hits`` what retrieval returned for the question) must be dropped, as a reason code;
    None to keep it."""
    if not shape_ok(question, answer):
        return SHAPE
    if answer_given_away(question, answer):
        return GIVEN_AWAY
    if not answer_supported(answer, passage):
        return UNSUPPORTED
    if not answer_on_target(question, answer, passage, title):
        return OFF_TARGET
    if copies_passage(question, passage):
        return COPIED
    if not in_top(hits, chunk_id):
        return NOT_RETRIEVED
    return None


def check_absent(question: str, passage: str, relevant: Sequence[Hit]) -> str | None:
    """Why an absent question (asked about ``passage``'s topic; ``relevant`` the passages the
    relevance gate let through for it) must be dropped, as a reason code; None to keep it. It is
    kept only when the gate finds nothing relevant in the library, so the right behaviour is to
    decline."""
    if not shape_ok(question, "", answerable=False):
        return SHAPE
    if copies_passage(question, passage):
        return COPIED
    if relevant:
        return FOUND
    return None
