"""The model writes a question around an answer the text states (issue 20).

The answer span comes from the text (``fact_spans``); the model is shown the sentence that states
it, the document's title and the answer, and writes one question (the sentence before was tried as
context: its section numbers and fragments leaked into the questions). Plain text, not JSON: the reply's first line that ends with a
question mark is the question, anything else is no question (the JSON grammar halves the token rate
of a small model on 2 cores). Two worked examples come first, always the same, so llama.cpp keeps
them in its cache from one question to the next. An acronym spelled out needs no model:
"What does JWT stand for in <title>?".

Greedy decoding: the same fact gives the same question.
"""

from __future__ import annotations

import re
import threading

from ragtune.core.evaluate.fact_spans import Fact, FactKind
from ragtune.core.generation.chat_model import ChatModel, Message
from ragtune.errors import EngineError, ModelError

#: the question is one line; a longer reply is cut here
MAX_TOKENS = 48
#: a title longer than this is cut at a word
TITLE_CHARS = 90

SYSTEM = (
    "You write one quiz question whose answer is the given answer, using the text. Name the "
    "thing the question is about (a device, a method, a model, a place, a study) so the question "
    "makes sense without the text. Use the text's own words for what is measured (an error stays "
    "an error, a minimum stays a minimum). Never put the answer in the question. Reply with the "
    "question only."
)
#: worked examples on made-up documents (never the user's), the same for every question
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Title: Field tests of the Zephyr-3 survey drone\n"
        "Text: We flew each unit over the test range twice a day. On a full battery the Zephyr-3 "
        "stays airborne for up to 42 minutes.\nAnswer: 42 minutes",
        "How long can the Zephyr-3 drone stay airborne on a full battery?",
    ),
    (
        "Title: Water quality in the Lenne river, annual report\n"
        "Text: In 2022, 18% of the samples taken at Altena exceeded the nitrate limit.\nAnswer: 18%",
        "What share of the Altena water samples exceeded the nitrate limit in 2022?",
    ),
    (
        "Title: Forecasting river levels with gradient boosting\n"
        "Text: Only gauges that report for longer than 30 days are used; on them the boosted "
        "model reaches a mean absolute error of 4.1 cm.\nAnswer: 4.1 cm",
        "What mean absolute error does the boosted model reach on the river gauges?",
    ),
)
#: the round trip: the model answers its own question from the passage, briefly
ANSWER_SYSTEM = (
    "Answer the question from the text only, with the exact words of the text: the value and "
    "its unit, or the name. No sentence, no explanation."
)
ANSWER_TOKENS = 24
ANSWER_PASSAGE_CHARS = 1500
_QUESTION = re.compile(r"^\s*(?:Q(?:uestion)?\s*[:.]\s*)?[\"“]?(.+?\?)[\"”]?\s*$")


def short_title(title: str) -> str:
    """``title`` cut at a word to ``TITLE_CHARS``; "" for a file name standing in for a title
    (``songbird-networks``: the model would take it for a name)."""
    title = " ".join(title.split())
    if " " not in title:
        return ""
    if len(title) <= TITLE_CHARS:
        return title
    return title[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def messages_for(fact: Fact, title: str) -> list[Message]:
    """The prompt that asks for a question around ``fact``."""
    messages: list[Message] = [{"role": "system", "content": SYSTEM}]
    for shown, question in EXAMPLES:
        messages.append({"role": "user", "content": shown})
        messages.append({"role": "assistant", "content": question})
    text = fact.sentence
    head = f"Title: {short_title(title)}\n" if short_title(title) else ""
    messages.append({"role": "user", "content": f"{head}Text: {text}\nAnswer: {fact.answer}"})
    return messages


def parse_question(reply: str) -> str | None:
    """The question in ``reply``: its first non-empty line when it ends with a question mark
    (a "Question:" label and quotes removed); None otherwise."""
    for line in reply.splitlines():
        if line.strip():
            match = _QUESTION.match(line)
            return " ".join(match.group(1).split()) if match else None
    return None


def expansion_question(fact: Fact, title: str) -> str:
    """The question for an acronym the text spells out (no model needed)."""
    return f"What does {fact.acronym} stand for?"


def write_question(
    model: ChatModel, fact: Fact, title: str, cancel: threading.Event | None = None
) -> str | None:
    """A question whose answer is ``fact.answer``; None when the model's reply holds none. Engine
    faults (``EngineError``) and cancels are raised; any other model error gives None."""
    if fact.kind is FactKind.EXPANSION:
        return expansion_question(fact, title)
    reply = _first_lines(model, messages_for(fact, title), MAX_TOKENS, cancel)
    return parse_question(reply) if reply is not None else None


def answer_back(
    model: ChatModel, question: str, passage: str, cancel: threading.Event | None = None
) -> str:
    """The model's short answer to ``question`` from ``passage`` alone ("" when it gives none): a
    question whose answer it cannot find again there is a vague or a wrong one."""
    messages: list[Message] = [
        {"role": "system", "content": ANSWER_SYSTEM},
        {"role": "user", "content": f"Text: {' '.join(passage.split())[:ANSWER_PASSAGE_CHARS]}\n\nQuestion: {question}"},
    ]
    reply = _first_lines(model, messages, ANSWER_TOKENS, cancel)
    return reply.strip() if reply is not None else ""


def _first_lines(
    model: ChatModel, messages: list[Message], max_tokens: int, cancel: threading.Event | None
) -> str | None:
    """The reply streamed until its first line is complete (None on a model error; engine faults
    and cancels are raised)."""
    pieces: list[str] = []
    try:
        for piece in model.stream_chat(messages, max_tokens=max_tokens, cancel=cancel):
            pieces.append(piece)
            if "\n" in piece and "".join(pieces).strip():
                break
    except EngineError:
        raise
    except ModelError:
        return None
    return "".join(pieces)
