"""The names and numbers a question is about, and whether the passages mention them.

A question that names a thing (``ResNet-200``, ``GPT-4``, ``Nomic AI``, ``2023``) is only answered
by a passage that names it too. A small model handed passages about a sibling (``ResNet-152``,
``GPT-3``) answers with the sibling's fact; these rules let the answer path see that first:

- :func:`key_terms`: the tokens of a question that name something: a word with a digit in it
  (``ResNet-200``, ``RP2040``, ``top-5``), a number of two digits or more (``2023``; "Table 2" and
  "day 7" say where, not what), a word with a capital inside it (``IETF``, ``AdaMax``, ``Wi-Fi``), or
  a capitalised word that does not open the question (``Iowa``, ``Nomic``). Words that only point
  into a document (Table, Figure, Section) are not names.
- :func:`mentions`: whether a text mentions a term, written with or without hyphens and spaces
  (``ResNet-152``, ``ResNet 152`` and ``ResNet152`` are one name; ``GPT-4o`` is not ``GPT-4``).
- :func:`is_strong`: a name with a digit or an inner capital; only those decline a question.
- :func:`siblings`: the names in a text of the same family as a term and not the term itself
  (``ResNet-152`` for ``ResNet-200``; ``BERT-Base`` for ``BERT-Large``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from ragtune.core.text_match import STOPWORDS
from ragtune.core.types import Hit

_TOKEN = re.compile(r"[^\W_](?:[\w.\-/]*[^\W_])?")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"[\W_]+")
#: capitalised words that say where in a document, not what it is about
POINTERS = frozenset(
    ["table", "tables", "figure", "figures", "fig", "section", "sections", "appendix", "chapter",
     "page", "pages", "eq", "equation", "paragraph", "part", "step", "item", "note", "example"]
)
#: question openers and other capitalised words that name nothing
_OPENERS = frozenset(["i", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was", "were", "does", "did", "do", "can", "could", "should", "would", "will", "has", "have", "had", "per", "roughly", "about", "approximately", "over", "under", "for", "from", "in", "on", "at", "by", "of", "to", "the", "a", "an", "according", "and", "or", "if", "name", "list", "give", "tell"])


def _family(token: str) -> str:
    """The letters a name's family shares: ``ResNet`` of ``ResNet-200``, ``BERT`` of ``BERT-Large``,
    ``Adam`` of ``AdamW``; "" when the token has no such head."""
    head = re.split(r"[\d\-/.]", token, maxsplit=1)[0]
    if head != token:
        return head if len(head) >= 2 else ""
    camel = re.fullmatch(r"([A-Z]?[a-z]{2,})[A-Z]{1,2}", token)  # AdamW -> Adam; ResNet has no family
    return camel.group(1) if camel else ""


#: Greek letters as a question types them and as a paper prints them (``beta1`` is ``β1``)
_GREEK_NAMES = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
GREEK = {name: chr(0x3B1 + i + (1 if i >= 17 else 0)) for i, name in enumerate(_GREEK_NAMES)}  # no final sigma
_GREEK_NAME = re.compile(r"^(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?=[\W_\d]|$)")


def normal(term: str) -> str:
    """A term as it is compared: lowercase, no separators (``ResNet-152`` is ``resnet152``)."""
    return _SEPARATORS.sub("", term.lower())


#: a question longer than this is mostly context (a pasted text): its names are read from the
#: sentence that asks (its last one with a question mark, else its last)
LONG_QUESTION_CHARS = 300
#: a longer "word" is a hash, a URL or noise, not a name
MAX_TERM_CHARS = 40
_ASKING_CLAUSE = re.compile(r"\b(?:how|what|which|who|whom|whose|when|where|why)\b[^?]*\?\s*$", re.IGNORECASE)


def asked_part(question: str) -> str:
    """The part of ``question`` that asks: all of it, or for a long one its asking sentence (from
    its question word on, when it has one)."""
    if len(question) <= LONG_QUESTION_CHARS:
        return question
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", question.strip()) if p.strip()]
    asking = [p for p in parts if p.endswith("?")]
    last = (asking or parts or [question])[-1]
    clause = _ASKING_CLAUSE.search(last)  # a pasted text cut mid-sentence runs into the question
    return clause.group(0) if clause else last


def is_strong(term: str) -> bool:
    """Whether ``term`` is a name no paraphrase would change: it has a digit (``GPT-4``, ``2023``)
    or a capital inside it (``AdamW``, ``IETF``, ``Wi-Fi``). A plain capitalised word (``Iowa``,
    ``Introduction``) may be a heading or a paraphrase: it ranks passages, it never declines."""
    return bool(_DIGIT.search(term)) or any(c.isupper() for c in term[1:])


def key_terms(question: str) -> list[str]:
    """The names and numbers ``question`` is about (in its asking part), in its order, once each."""
    text = _POSSESSIVE.sub("", asked_part(question))
    found: list[str] = []
    first = True
    for match in _TOKEN.finditer(text):
        token = match.group(0).strip(".-/")
        opening = first
        first = False
        lower = token.lower()
        if not token or len(token) > MAX_TERM_CHARS or lower in POINTERS or (lower in STOPWORDS and not _DIGIT.search(token)):
            continue
        has_digit = bool(_DIGIT.search(token))
        letters = [c for c in token if c.isalpha()]
        if has_digit and not letters:
            parts = re.split(r"[-/\u2013]", token)  # "0-9" is a range of digits, "2023" a year
            name = any(len(normal(p)) >= 2 for p in parts) and not _after_pointer(text, match.start())
        elif has_digit or (any(c.isupper() for c in token[1:]) and len(letters) >= 2):
            name = True
        else:
            name = token[0].isupper() and not opening and lower not in _OPENERS and len(token) > 1
        if name and token not in found:
            found.append(token)
    return found


def _after_pointer(text: str, start: int) -> bool:
    """Whether the number at ``start`` follows a pointer word ("Table 12", "Section 10")."""
    before = text[:start].split()
    return bool(before) and before[-1].lower().strip(".,") in POINTERS


def mentions(text: str, term: str) -> bool:
    """Whether ``text`` mentions ``term`` (separators and case ignored; a number or a name not glued
    to more digits or letters than the term has)."""
    wanted = normal(term)
    if not wanted:
        return True
    greek = _GREEK_NAME.match(term.lower())
    if greek and mentions(text, GREEK[greek.group(1)] + term[len(greek.group(1)) :]):
        return True
    # separators may differ only where the term has one or changes between letters and digits
    # ("ResNet-152", "ResNet 152", "ResNet152"), never inside a run ("1.52" is not "152")
    parts = re.findall(r"[^\W\d_]+|\d+", term.lower())
    pattern = r"[\W_]{0,2}".join(re.escape(p) for p in parts)
    edge_before = r"(?<![0-9.,])" if wanted[0].isdigit() else r"(?<![a-z0-9])"
    edge_after = r"(?![0-9a-z]|[.,]\d)" if wanted[-1].isdigit() else r"(?:e?s)?(?![a-z])"  # plurals too
    return re.search(edge_before + pattern + edge_after, text.lower()) is not None


def missing_terms(question: str, texts: Iterable[str], strong_only: bool = False) -> list[str]:
    """The key terms of ``question`` (only the strong ones: :func:`is_strong`) that none of
    ``texts`` mentions."""
    joined = "\n".join(texts)
    terms = [t for t in key_terms(question) if is_strong(t) or not strong_only]
    return [t for t in terms if not mentions(joined, t)]


def siblings(term: str, text: str, limit: int = 3) -> list[str]:
    """Names in ``text`` of the same family as ``term`` (``ResNet-152`` for ``ResNet-200``), not
    ``term`` itself; at most ``limit``, in the order they occur."""
    family = _family(term)
    if len(family) < 3:
        return []
    # "ResNet" alone is the family, not a sibling, of "ResNet-200"; "Adam" is one of "AdamW"
    bare_is_sibling = term[len(family) : len(family) + 1].isalpha()
    pattern = re.compile(rf"(?<![\w-]){re.escape(family)}(?:-[\w.]*\w| ?\d(?:[\w.]*\w)?|\w*)")
    found: list[str] = []
    for match in pattern.finditer(text):
        name = match.group(0)
        if normal(name) == normal(term) or normal(name) in (normal(f) for f in found):
            continue
        if name == family and not bare_is_sibling:
            continue
        found.append(name)
        if len(found) >= limit:
            break
    return found


def haystack(hit: Hit) -> str:
    """What a passage says about itself: its text, its document's title and its file name."""
    return f"{hit.text}\n{hit.title}\n{PurePath(hit.path).stem}"
