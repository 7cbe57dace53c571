"""The checkable facts of a passage: the answer spans generated questions are written around
(issue 20, "Generated questions that work on real documents").

A small model asked to invent a question *and* its answer about a page of a research paper mostly
picks nothing checkable ("What is the name of the company that studies DL technology?"). Here the
answer comes from the text itself and the model only writes the question around it. A fact is:

- **a quantity**: a number with its unit or a percent sign (``3.57%``, ``152 layers``,
  ``133 MHz``, ``0.0001``), never a number inside a name (``ResNet-152``, ``RP2040``), a citation
  (``[12]``), a pointer (``Table 2``, ``Section 4``), a page or an equation number;
- **an expansion**: an acronym spelled out in the text (``JSON Web Token (JWT)``: asked as
  "What does JWT stand for?").
- **a year** (``2019``), weaker: only when the sentence holds no quantity.

Only sentences a reader could ask about are used: whole sentences (opening with a capital), of a
sentence's length, mostly words (a table row or a reference list entry is neither), with at most
``MAX_NUMBERS`` numbers (more make the question ambiguous). Facts are ranked: a quantity with a
unit first, then a percent, an expansion, a bare number, a year; among equals, the sentence that
names more things (``core.key_terms``) gives a question that stands on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from ragtune.core.evidence import units
from ragtune.core.key_terms import POINTERS, is_strong, key_terms
from ragtune.core.text_match import STOPWORDS, numbers, words

MIN_SENTENCE_CHARS = 50
MAX_SENTENCE_CHARS = 320
MIN_WORDS = 7
#: a sentence with more numbers than this is a table row or a list of results: ambiguous
MAX_NUMBERS = 4
#: at least this share of a sentence's characters are letters or spaces
MIN_LETTER_SHARE = 0.7
#: a unit word is at most this long ("layers", "minutes", "parameters")
MAX_UNIT_CHARS = 12
#: a "sentence" with more capitalised words than this share is a heading, a label or a name list
MAX_CAPITAL_SHARE = 0.5

_AFTER = re.compile(
    r"\s?(%|percent\b|\u00d7\s?\d+(?:\.\d+)?|\u00d7|°C|°)"
    r"|\s(thousand|million|billion|trillion)\b(?:\s([A-Za-zµΩ][A-Za-z\-]{0,20}))?"
    r"|\s([A-Za-zµΩ][A-Za-z\-]{0,20})"
)
_REFERENCE = re.compile(r"\bet al\b|\bIn Proc|\barXiv\b|\bdoi\b|https?://|www\.|\bpp\.\s*\d|\bvol\.\s*\d", re.IGNORECASE)
#: a footnote mark run into the text ("34-layer 3We have", "in 2014-2018.32 the", "repair.5 FHWA"):
#: the sentence is two texts spliced
_GLUED_FOOTNOTE = re.compile(r"\b\d+[A-Z][a-z]|\b(?:19|20)\d\d\.\d{1,3}\b|[a-z]\.\d{1,3}\s+[A-Z]")
#: a caption's label ("Figure 1:", "Table 2.") or a reference to a figure's parts
_CAPTION = re.compile(r"\b(?:Figure|Fig\.|Table)\s*\d+\s*[:.]", re.IGNORECASE)
_ACRONYM = re.compile(r"((?:[A-Z][\w\-]*\s+){1,6}?(?:[A-Z][\w\-]*))\s+\(([A-Z][A-Za-z]{1,9})\)")
#: units of measure, written after a number with or without a space ("5.5V", "133 MHz")
UNITS = frozenset(
    ["V", "mV", "A", "mA", "µA", "uA", "W", "mW", "kW", "Hz", "kHz", "MHz", "GHz", "B", "KB", "kB", "MB", "GB", "TB", "Kb", "Mb", "Gb", "bit", "bits", "s", "ms", "µs", "us", "ns", "h", "hr", "hrs", "min", "m", "cm", "mm", "km", "nm", "µm", "g", "kg", "mg", "K", "k", "M", "pF", "nF", "µF", "Ω", "dB", "dBm", "x", "bpm", "rpm", "feet", "foot", "ft", "inches", "miles", "tons", "acres", "degrees", "people", "men", "women", "children"]
)
_NUMBER = re.compile(
    r"(?<![\w.,\-/\u00d7])(\$?)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")?(?![\w\-/]|[.,]\d)"
)
#: words that say "how many of what" when they follow a number only as a plural ("152 layers")
_PLURAL = re.compile(r"[a-z][a-z\-]{2,}[^su]s|[A-Z]{2,}s")  # "layers", "GPUs", "FLOPs"
#: a year is a fact when it says when ("in 2019", "by 2038"), not when it names an edition
_YEAR_BEFORE = frozenset(["in", "since", "by", "until", "before", "after", "through", "during", "from"])


class FactKind(IntEnum):
    """What kind of fact, best first (the value is its rank)."""

    QUANTITY = 0  # a number with a unit word
    PERCENT = 1
    EXPANSION = 2  # an acronym spelled out
    NUMBER = 3  # a bare number (not a year)
    YEAR = 4


@dataclass(frozen=True)
class Fact:
    """One answer span of a passage: the sentence that states it, the answer as the text writes it
    (``answer``), other ways to write it (``alternatives``) and, for an expansion, the acronym."""

    kind: FactKind
    sentence: str
    answer: str
    alternatives: tuple[str, ...] = ()
    acronym: str = ""
    names: int = 0  # the names the sentence holds (more make a question that stands on its own)

    @property
    def rank(self) -> tuple[int, int, int]:
        return (int(self.kind), -min(self.names, 3), len(self.sentence))


def askable(sentence: str) -> bool:
    """Whether ``sentence`` is one a reader could ask about: a whole sentence of ordinary length,
    mostly words, not a reference entry, with few numbers."""
    if not MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS or len(words(sentence)) < MIN_WORDS:
        return False
    first = sentence.lstrip("\"'“(")[:1]
    if not first.isupper():
        return False
    if _REFERENCE.search(sentence) or _GLUED_FOOTNOTE.search(sentence) or _CAPTION.search(sentence):
        return False
    tokens = [t for t in sentence.split() if t[:1].isalpha()]
    if sum(t[0].isupper() for t in tokens) > MAX_CAPITAL_SHARE * len(tokens):
        return False  # a heading, axis labels or a list of names, not a sentence
    letters = sum(c.isalpha() or c.isspace() for c in sentence)
    return letters / len(sentence) >= MIN_LETTER_SHARE and len(numbers(sentence)) <= MAX_NUMBERS


def facts_in(passage: str) -> list[Fact]:
    """The facts of ``passage``, best first (see the module), one per sentence, each answer once."""
    found: list[Fact] = []
    seen: set[str] = set()
    for start, end in units(passage):
        sentence = " ".join(passage[start:end].split())
        if not askable(sentence):
            continue
        candidates = quantities(sentence) + expansions(sentence)
        if not candidates:
            continue
        best = min(candidates, key=lambda f: f.rank)
        if best.answer.lower() not in seen:
            seen.add(best.answer.lower())
            found.append(best)
    return sorted(found, key=lambda f: f.rank)


def quantities(sentence: str) -> list[Fact]:
    """The numbers of ``sentence`` that are values (see the module), each with its unit."""
    names = sum(is_strong(t) for t in key_terms(sentence))
    found: list[Fact] = []
    covered = 0  # the end of the last answer: the upper bound of a range is not another fact
    for match in _NUMBER.finditer(sentence):
        dollar, number, glued = match.group(1), match.group(2), match.group(3)
        if match.start() < covered or match.start() == 0 or _is_pointer(sentence, match.start()) or _in_brackets(sentence, match.start(), match.end()):
            continue  # a number opening a sentence is a footnote, a list or a table cell
        unit, unit_end = (glued, match.end()) if glued else _unit(sentence, match.end())
        if len(unit) == 1 and unit.isalpha() and not glued and re.match(r"\s[a-z]", sentence[unit_end:]):
            continue  # "1 s chunks": a unit letter used as an adjective reads as a word
        end = _range_end(sentence, unit_end) if unit else unit_end
        plain = number.replace(",", "")
        if unit in ("%", "percent"):
            kind, answer = FactKind.PERCENT, f"{number}%"
            alternatives: tuple[str, ...] = (f"{number} %", f"{number} percent")
        elif unit or dollar:
            kind, answer = FactKind.QUANTITY, sentence[match.start() : end]
            alternatives = (number,) if (len(plain) > 1 or "." in plain) and end == unit_end else ()
        elif re.fullmatch(r"(19|20)\d\d", plain):
            if _word_before(sentence, match.start()).lower() not in _YEAR_BEFORE:
                continue
            kind, answer, alternatives = FactKind.YEAR, number, ()
        elif len(plain) > 1:
            kind, answer, alternatives = FactKind.NUMBER, number, ()
        else:
            continue  # a bare digit: a count of something the sentence does not say
        covered = end
        found.append(Fact(kind, sentence, answer, alternatives, names=names))
    return found


def expansions(sentence: str) -> list[Fact]:
    """Acronyms ``sentence`` spells out ("JSON Web Token (JWT)"): the words' initials make the
    acronym."""
    found: list[Fact] = []
    for match in _ACRONYM.finditer(sentence):
        phrase, acronym = match.group(1).split(), match.group(2)
        for start in range(len(phrase)):
            tail = phrase[start:]
            initials = "".join(w[0] for w in tail).upper()
            if initials == acronym.upper() or initials.replace("-", "") == acronym.upper():
                found.append(Fact(FactKind.EXPANSION, sentence, " ".join(tail), acronym=acronym, names=1))
                break
    return found


def _unit(sentence: str, at: int) -> tuple[str, int]:
    """The unit right after a number ending at ``at`` and where it ends ("", ``at``: none)."""
    match = _AFTER.match(sentence, at)
    if not match:
        return "", at
    if match.group(1):
        if match.group(1)[-1].isdigit():  # a size ("224x224" with the times sign), perhaps with its unit
            unit, end = _unit(sentence, match.end())
            return match.group(1) + (f" {unit}" if unit else ""), end
        return match.group(1), match.end()
    scale, after_scale, word = match.group(2), match.group(3), match.group(4)
    if scale:
        if after_scale and _is_unit(after_scale):
            return f"{scale} {after_scale}", match.end()
        return scale, match.end(2)
    return (word, match.end()) if _is_unit(word) else ("", at)


def _is_unit(word: str) -> bool:
    """A unit of measure, or a plural noun that says what was counted ("layers", "images")."""
    return word in UNITS or (len(word) <= MAX_UNIT_CHARS and bool(_PLURAL.fullmatch(word)) and word.lower() not in STOPWORDS)


_RANGE = re.compile(r"\s?(?:to|\u2013|-|and)\s?\$?\d+(?:[.,]\d+)*\s?(%|[A-Za-zµΩ]+)?")


def _range_end(sentence: str, end: int) -> int:
    """Where a quantity ends when it is a range ("1.8V to 5.5V", "2-3 days"): after its upper
    bound, else ``end``."""
    match = _RANGE.match(sentence, end)
    return match.end() if match and (match.group(1) or "").lower() not in STOPWORDS else end


def _word_before(sentence: str, start: int) -> str:
    before = sentence[:start].split()
    return before[-1].strip(".,;:()\"'“”") if before else ""


def _is_pointer(sentence: str, start: int) -> bool:
    """The number says where or names something: it follows a pointer word ("Table 2", "Sec. 4",
    "Eq. 3", "page 7") or a capitalised word ("ICLR 2015", "RFC 7519", "Lecture 6.5")."""
    word = _word_before(sentence, start)
    lower = word.lower()
    if lower in POINTERS | {"sec", "eqn", "ref", "no", "p", "pp", "fig", "version", "v"}:
        return True
    return word[:1].isupper() and lower not in STOPWORDS and lower not in _YEAR_BEFORE


def _in_brackets(sentence: str, start: int, end: int) -> bool:
    """The number is a citation or an equation number: ``[12]``, ``[3, 4]``, ``(2)``."""
    opening = sentence.rfind("[", 0, start)
    if opening >= 0 and sentence.find("]", end) >= 0 and sentence.rfind("]", 0, start) < opening:
        inside = sentence[opening + 1 : sentence.find("]", end)]
        if re.fullmatch(r"[\d,\s\-\u2013]+", inside):
            return True
    return bool(re.match(r"\(\d{1,2}\)", sentence[max(0, start - 1) : end + 1]))
