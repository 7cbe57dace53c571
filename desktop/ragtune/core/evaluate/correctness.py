"""Whether an answer is right: a normalized match of the expected answer, no model as judge.

The rule, in plain words. An answer to an answerable question is correct when it states any one of
the expected answers (the answer or one of its alternatives). Both texts are first normalized: the
same Unicode form, lowercase, citation markers such as ``[1]`` removed, number words read as
numbers ("twenty-one" is 21, "twice" is 2 times), numbers written one way ("1,000" is 1000, "25.00"
is 25), units and currencies written one way ("10g", "10 grams" and "10 g" are all 10 g; "$25" and
"25 dollars" are the same; "25 cents" is 0.25 dollars; "230 °C" and "230 degrees" are the same).
Then:

- an expected answer holding numbers is stated when **every one of its numbers** occurs in the
  answer and, where the expected answer gives a number a unit ("21 days"), the answer's number is
  not tied to something else: one of its occurrences has the same unit in the few words after it,
  or nothing after it at all ("for 21."), so "21 cents" does not state "21 days". Its other content
  words (those the question does not already say) must be at least half present;
- an expected answer without numbers is stated when at least 60 % of its content words (stemmed,
  stopwords and words of the question dropped unless nothing would be left) occur in the answer.

Only the answer's own statement is judged: a quote of its source that it appends ("The source says:
“…”", as the shipped adapter answers) is evidence, and the evidence is counted apart
(``evidence_holds``: the cited sentences state the expected answer).

Absent questions (the library does not hold the answer) are not scored by ``is_correct``: they are
scored by ``is_declined``, and a non-declined answer to an absent question counts as a
hallucination. Callers count a declined answer (``is_declined``) as not correct.

Known limits, said plainly: an answer that lists several candidates ("7, 14 or 21 days") passes;
a negated statement of the expected fact ("not 21 days") passes. The agreement with answers judged
by hand is measured by ``benchmarks/bench_correctness.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ragtune.core.evaluate.questions import Question
from ragtune.core.text_match import STOPWORDS
from ragtune.core.types import Citation, Hit

#: share of an expected answer's content words a correct answer must contain (no numbers in it)
WORD_RECALL = 0.6
#: the same for the words beside the numbers of an expected answer that has numbers
NUMERIC_WORD_RECALL = 0.5
#: how many words after a number may carry its unit
UNIT_WINDOW = 3

_CITATION = re.compile(r"\[\s*\d+(?:\s*[,;\-\u2013]\s*\d+)*\s*\]")
_CURRENCY = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen"}
_CURRENCY_BEFORE = re.compile(r"([$€£¥])\s*(\d[\d,]*(?:\.\d+)?)")
_DEGREES_F = re.compile(r"(?:°|º|\bdegrees?\b)\s*(?:f\b|fahrenheit\b)|\bfahrenheit\b")
_DEGREES_C = re.compile(r"(?:°|º|\bdegrees?\b)\s*(?:c\b|celsius\b|centigrade\b)?|\bcelsius\b|\bcentigrade\b")
_GLUED_UNIT = re.compile(r"(\d)(kg|mg|g|lbs?|oz|ml|l|mm|cm|km|m|mah|h|hrs?|mins?|s|w|v|lm|%)\b")
_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
_TOKEN = re.compile(r"\d+(?::\d+)+|\d[\d,]*(?:\.\d+)?|[^\W_]+|[.!?;:,]")
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_BOUNDARY = frozenset(".!?;:,")
_RANGE = frozenset(["to", "and", "or", "from", "up", "about", "around", "approximately", "roughly", "of"])

_UNITS = {
    "g": "g", "gram": "g", "grams": "g", "gramme": "g", "grammes": "g",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "kilos": "kg",
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "lb": "lb", "lbs": "lb", "oz": "oz", "ounce": "oz", "ounces": "oz",
    "ml": "ml", "millilitre": "ml", "milliliter": "ml", "millilitres": "ml", "milliliters": "ml",
    "l": "l", "litre": "l", "liter": "l", "litres": "l", "liters": "l",
    "mm": "mm", "millimetre": "mm", "millimeter": "mm", "millimetres": "mm", "millimeters": "mm",
    "cm": "cm", "centimetre": "cm", "centimeter": "cm", "centimetres": "cm", "centimeters": "cm",
    "m": "m", "metre": "m", "meter": "m", "metres": "m", "meters": "m",
    "km": "km", "kilometre": "km", "kilometer": "km", "kilometres": "km", "kilometers": "km",
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week",
    "month": "month", "months": "month", "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "dollar": "dollar", "dollars": "dollar", "usd": "dollar", "cent": "cent", "cents": "cent",
    "euro": "euro", "euros": "euro", "eur": "euro", "pound": "pound", "pounds": "pound",
    "yen": "yen", "percent": "percent", "%": "percent",
    "degc": "degc", "degf": "degf", "lumen": "lumen", "lumens": "lumen", "lm": "lumen",
    "mah": "mah", "w": "watt", "watt": "watt", "watts": "watt", "v": "volt", "volt": "volt",
    "volts": "volt", "time": "time", "times": "time",
}
_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_TIMES = {"twice": 2, "thrice": 3}
_EXTRA_STOPWORDS = frozenset(["per", "every", "each", "least", "most", "up", "maximum", "minimum"])

#: phrases that say the answer is not known or not in the sources; kept to phrases about knowing
#: and sources, so that a plain negative answer ("the battery is not covered") is not a decline
_DECLINE_PHRASES = (
    "i don't know", "i do not know", "i'm not sure", "i am not sure", "i'm sorry, but",
    "cannot find", "can't find", "could not find", "couldn't find", "unable to find", "did not find",
    "didn't find", "no information", "not enough information", "insufficient information",
    "contain information", "contain any information", "provide information",
    "provide any information", "include information", "include any information",
    "no relevant", "no mention", "not mentioned", "isn't mentioned", "is not mentioned",
    "does not mention", "do not mention", "doesn't mention", "don't mention",
    "does not say", "do not say", "doesn't say", "don't say", "does not specify", "do not specify",
    "doesn't specify", "don't specify", "not specified", "not stated", "does not state",
    "do not state", "cannot answer", "can't answer", "unable to answer", "not able to answer",
    "cannot determine", "can't determine", "unable to determine", "cannot be determined",
    "i do not have", "i don't have", "not in the sources", "not in the provided",
    "not in the documents", "not in the library", "outside the scope", "beyond the scope",
)


def _number(text: str) -> str | None:
    """A number token written one way (``1,000`` and ``1000.0`` are ``1000``), or None."""
    if ":" in text:
        return ":".join(str(int(part)) for part in text.split(":"))
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return _canonical(value)


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = _CITATION.sub(" ", text)
    text = re.sub(r"'s\b", "", text)
    text = _CURRENCY_BEFORE.sub(lambda m: f" {m.group(2)} {_CURRENCY[m.group(1)]} ", text)
    text = _DEGREES_F.sub(" degf ", text)
    text = _DEGREES_C.sub(" degc ", text)
    text = text.replace("per cent", "percent").replace("¢", " cent")
    text = _LETTERS_THEN_DIGITS.sub(" ", text)  # "ip65" is "ip 65", as "IP 65" is
    return _GLUED_UNIT.sub(r"\1 \2", text)


def _read_number_words(words: list[str]) -> list[str]:
    """Spelled-out numbers as digits: ``twenty one`` -> ``21``, ``twice`` -> ``2 time``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in _TIMES:
            out += [str(_TIMES[word]), "time"]
            i += 1
            continue
        if word not in _ONES and word not in _TENS:
            out.append(word)
            i += 1
            continue
        total, current = 0, 0
        while i < len(words):
            word = words[i]
            if word in _ONES:
                current += _ONES[word]
            elif word in _TENS:
                current += _TENS[word]
            elif word in _SCALES and (current or total):
                total += max(current, 1) * _SCALES[word]
                current = 0
            elif word == "and" and i + 1 < len(words) and words[i + 1] in {*_ONES, *_TENS}:
                pass
            else:
                break
            i += 1
        out.append(str(total + current))
    return out


def tokens(text: str) -> list[str]:
    """The normalized tokens of a text: words, numbers in one form, units in one spelling, and
    sentence punctuation kept as boundaries."""
    raw = [m.group(0) for m in _TOKEN.finditer(_prepare(text))]
    out: list[str] = []
    for token in _read_number_words(raw):
        number = _number(token) if token[0].isdigit() else None
        out.append(number if number is not None else _UNITS.get(token, token))
    # cents are hundredths of a dollar: "25 cents" states "$0.25"
    for i in range(len(out) - 1):
        if out[i + 1] == "cent" and _is_number(out[i]):
            out[i] = _canonical(Decimal(out[i]) / 100)
            out[i + 1] = "dollar"
    return out


def _is_number(token: str) -> bool:
    return bool(token) and token[0].isdigit()


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _content(toks: Sequence[str]) -> set[str]:
    return {
        _stem(t) for t in toks
        if t not in _BOUNDARY and t not in STOPWORDS and t not in _EXTRA_STOPWORDS
        and not _is_number(t) and (len(t) > 1 or t in _UNITS.values())
    }


def _unit_after(toks: Sequence[str], i: int) -> tuple[str | None, list[str]]:
    """The known unit within a few words after the number at ``i`` (skipping further numbers and
    range words), and the words seen there (up to a sentence boundary)."""
    seen: list[str] = []
    for token in toks[i + 1 :]:
        if token in _BOUNDARY or len(seen) >= UNIT_WINDOW:
            break
        if _is_number(token) or token in _RANGE:
            continue
        if token in _UNITS.values():
            return token, seen
        seen.append(token)
    return None, seen


def _states(answer: list[str], expected: str, question_words: set[str]) -> bool:
    want = tokens(expected)
    if not any(t not in _BOUNDARY for t in want):
        return False
    numbers = [(i, t) for i, t in enumerate(want) if _is_number(t)]
    for i, number in numbers:
        unit, _ = _unit_after(want, i)
        places = [j for j, t in enumerate(answer) if t == number]
        if not places:
            return False
        if unit is not None:
            found = [_unit_after(answer, j) for j in places]
            if not any(u == unit or (u is None and not seen) for u, seen in found):
                return False
    words = _content([t for t in want if t not in _UNITS.values() or not numbers])
    if not words:
        return True
    needed = words - question_words  # what the question already says need not be repeated
    if not needed:
        if numbers:
            return True
        needed = words
    have = _content(answer)
    recall = len(needed & have) / len(needed)
    return recall >= (NUMERIC_WORD_RECALL if numbers else WORD_RECALL)


#: how an answer made with the shipped adapter appends the source sentence it rests on
SOURCE_QUOTE = re.compile(r"\bThe source says:", re.IGNORECASE)


def own_words(answer_text: str) -> str:
    """The answer's own statement: without the quote of its source it may append ("… 84.1 F1 [1].
    The source says: “…”"), which is evidence, counted apart (``evidence_holds``)."""
    return SOURCE_QUOTE.split(answer_text, maxsplit=1)[0]


def is_correct(answer_text: str, question: Question) -> bool:
    """Whether the answer's own words (:func:`own_words`) state one of the question's expected
    answers (see the module docstring). For answerable questions only: absent ones are scored by
    ``is_declined``."""
    answer_text = own_words(answer_text)
    if not answer_text.strip():
        return False
    answer = tokens(answer_text)
    question_words = _content(tokens(question.question))
    return any(_states(answer, expected, question_words) for expected in question.expected)


def is_declined(answer_text: str, declined: bool) -> bool:
    """Whether the answer declines: the retrieval gate declined (``declined``), the answer is
    empty, or its first sentence says it does not know, cannot find it, or that the sources do not
    say (a general phrase list; only the first sentence, so an answer that states the fact and
    then says what the sources leave out is not a decline)."""
    if declined or not answer_text.strip():
        return True
    text = " ".join(_CITATION.sub(" ", unicodedata.normalize("NFKC", answer_text)).lower().split())
    opening = _FIRST_SENTENCE.split(text.replace("\u2019", "'"), maxsplit=1)[0][:300]
    return any(phrase in opening for phrase in _DECLINE_PHRASES)


def evidence_holds(evidence: Sequence[str], question: Question) -> bool:
    """Whether an answer's evidence sentences (its citations' texts) state one of the expected
    answers: counted apart from ``is_correct``, which reads the answer's own words only."""
    joined = " ".join(evidence)
    return bool(joined.strip()) and is_correct(joined, question)


def cites_gold(citations: Sequence[Citation], question: Question) -> bool:
    """Whether any citation points at the question's gold file (and page, when it has one)."""
    return any(question.is_gold(c.path, c.page) for c in citations)


def gold_rank(hits: Sequence[Hit], question: Question) -> int | None:
    """The 1-based rank of the first retrieved passage that is the gold source, None if absent."""
    return next((rank for rank, h in enumerate(hits, 1) if question.is_gold(h.path, h.page)), None)
