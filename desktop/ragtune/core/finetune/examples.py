"""The training-set builder: a question set's train split as chat examples in the exact shape
Ragtune answers with at inference (RAFT's recipe, docs/architecture.md "The answer path").

- **Grounded**: the question, the gold passage among distractor passages that Ragtune's own
  retrieval returns for it, shuffled (seeded, per question); the prompt is made by the same
  ``prompts.fit_prompt`` call ``answering.answer_question`` makes (same passage count, trimming,
  context budget), so training and inference see identical messages. The target is a short answer:
  the expected answer and the gold passage's number, ``"7 days [2]."``.
- **Decline**: ``decline_share`` of all the examples teach a decline (an exact count): absent items
  first, declined from their retrieved passages (beyond the share, the rest are left out, chosen by
  a seeded hash), then grounded examples (chosen by a seeded hash of each question) with the gold
  passage left out and one more distractor instead, to make up the share. The target is Ragtune's
  decline sentence. (Issue 20: absent items used to come on top of the share, so a set with many
  absent questions taught the adapter to over-decline.)
- **Train split only**: an item of the test split raises ``ValueError`` (the caller filters, the
  builder checks); an example in which a ``held_out`` question's text appears is dropped, and so
  is a held-out item's passage: a hit on a test item's gold file (and page) that states its answer
  is never a distractor, and a train item whose own gold passage is one is dropped (``held_out``).

The gold passage is the best-ranked retrieved hit of the gold file (and page) that states the
answer (else the best-ranked one); other hits of the gold file are never distractors, nor hits
stating the answer, so a decline example really lacks the answer.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ragtune.core.answering import DECLINE_TEXT, is_relevant
from ragtune.core.evaluate.correctness import is_correct
from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.core.finetune.types import (
    DECLINE,
    DEFAULT_DECLINE_SHARE,
    DEFAULT_SEED,
    GROUNDED,
    STYLE,
    Example,
    TrainingSetReport,
)
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.generation.prompts import MARGIN_TOKENS, Source, fit_prompt, trim_passage
from ragtune.core.types import Hit
from ragtune.errors import RagtuneError
from ragtune.settings import Settings

__all__ = [
    "DECLINE", "GROUNDED", "STYLE", "Example", "TrainingSetReport",
    "build_training_set", "decline_count", "decline_target", "grounded_target", "jsonl_sha256",
    "to_jsonl", "write_jsonl",
]

Search = Callable[[str], list[Hit]]
CountTokens = Callable[[list[Message]], int]


def decline_count(n: int, share: float) -> int:
    """How many of ``n`` grounded candidates become declines: ``share`` of them, rounded half up."""
    if not 0.0 <= share <= 1.0 or math.isnan(share):
        raise ValueError(f"the decline share must be between 0 and 1 (got {share})")
    return min(n, math.floor(n * share + 0.5))


def _absent_room(grounded: int, absent: int, share: float) -> int:
    """How many of ``absent`` decline examples fit beside ``grounded`` candidates without the
    declines passing ``share`` of all the examples (all of them at a share of 1)."""
    if share >= 1.0:
        return absent
    return min(absent, math.floor(share * grounded / (1.0 - share) + 0.5))


def grounded_target(answer: str, n: int) -> str:
    """``"7 days [2]."``: the expected answer, capitalized, citing source ``n``."""
    text = " ".join(answer.split()).rstrip(".")
    return f"{text[:1].upper()}{text[1:]} [{n}]."


def decline_target(question: str) -> str:
    """Ragtune's decline sentence for ``question`` (``answering.DECLINE_TEXT``)."""
    return DECLINE_TEXT.format(question=" ".join(question.split()))


def _key(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}:{' '.join(text.lower().split())}".encode()).hexdigest()


def _normalized(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class _Candidate:
    """A grounded example's parts, kept so it can be rebuilt as a decline."""

    item: Question
    gold: Hit
    others: list[Hit]  # distractor candidates, best first


def _twin(hit: Hit) -> str:
    return " ".join(hit.text.split())[:200]


def _distractors(item: Question, hits: Sequence[Hit], exclude: Hit | None) -> list[Hit]:
    """Hits that may stand beside (or instead of) the gold passage: not of the gold file/page, not
    stating the answer, no twin text; those past the relevance gate first, each group by rank."""
    seen = {_twin(exclude)} if exclude is not None else set()
    chosen: list[Hit] = []
    for hit in hits:
        if item.is_gold(hit.path, hit.page) or _twin(hit) in seen:
            continue
        if item.kind == Kind.ANSWERABLE and is_correct(hit.text, item):
            continue
        seen.add(_twin(hit))
        chosen.append(hit)
    return sorted(chosen, key=lambda h: not is_relevant(item.question, h))


def _gold(item: Question, hits: Sequence[Hit]) -> Hit | None:
    golds = [h for h in hits if item.is_gold(h.path, h.page)]
    return next((h for h in golds if is_correct(h.text, item)), golds[0] if golds else None)


class _Builder:
    """Builds one example at a time and counts what it drops."""

    def __init__(self, count_tokens: CountTokens, n_ctx: int, settings: Settings, seed: int, source: str,
                 held_out: Sequence[Question]) -> None:
        self.count_tokens, self.n_ctx, self.settings, self.seed = count_tokens, n_ctx, settings, seed
        self.source = source
        self.held_out = [_normalized(q.question) for q in held_out if q.question.strip()]
        self.held_out_items = [q for q in held_out if q.kind == Kind.ANSWERABLE and q.expected]
        self.counts: dict[str, int] = {}

    def holds_out(self, hit: Hit, shown: str) -> bool:
        """Whether ``hit``, shown as ``shown``, is a held-out item's passage: on its gold file (and
        page), stating its answer."""
        return any(q.is_gold(hit.path, hit.page) and is_correct(shown, q) for q in self.held_out_items)

    def drop(self, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1

    def prompt(self, item: Question, passages: list[Hit]) -> tuple[list[Message], list[Source]] | None:
        """The inference prompt for ``passages`` in this order, or None (counted) when it does not
        fit whole: ``fit_prompt`` had to drop a passage or shorten the question."""
        messages, sources, _ = fit_prompt(
            item.question, passages, self.count_tokens, self.n_ctx, self.settings.max_answer_tokens
        )
        if len(sources) < len(passages) or not messages[-1]["content"].endswith(f"Question: {item.question}"):
            self.drop("too_long")
            return None
        return messages, sources

    def finish(
        self, messages: list[Message], target: str, kind: str, item: Question | None, sources: Sequence[Source] = ()
    ) -> Example | None:
        """The example with its target, or None (counted) when too long or holding a held-out question."""
        full = [*messages, {"role": "assistant", "content": target}]
        if self.count_tokens(full) + MARGIN_TOKENS > self.n_ctx:
            self.drop("too_long")
            return None
        text = _normalized(" ".join(m["content"] for m in full))
        if any(q in text for q in self.held_out) or any(self.holds_out(x.hit, x.text) for x in sources):
            self.drop("held_out")
            return None
        chunks = tuple(s.hit.chunk_id for s in sources)
        return Example([dict(m) for m in full], kind, item.id if item else None, self.source, chunks)

    def shuffled(self, item: Question, passages: list[Hit]) -> list[Hit]:
        passages = list(passages)
        random.Random(_key(self.seed, item.question)).shuffle(passages)
        return passages

    def grounded(self, c: _Candidate, distractors: int) -> Example | None:
        order = self.shuffled(c.item, [c.gold, *c.others[:distractors]])
        made = self.prompt(c.item, order)
        if made is None:
            return None
        messages, sources = made
        gold = next(s for s in sources if s.hit.chunk_id == c.gold.chunk_id)
        if not is_correct(gold.text, c.item):
            self.drop("skipped_unstated")
            return None
        target = grounded_target(c.item.answer or c.item.expected[0], gold.n)
        return self.finish(messages, target, GROUNDED, c.item, sources)

    def decline(self, item: Question, passages: list[Hit]) -> Example | None:
        if not passages:
            self.drop("skipped_no_passages")
            return None
        made = self.prompt(item, self.shuffled(item, passages))
        return None if made is None else self.finish(made[0], decline_target(item.question), DECLINE, item, made[1])


def build_training_set(
    items: Sequence[Question],
    search: Search,
    count_tokens: CountTokens,
    n_ctx: int,
    settings: Settings,
    decline_share: float = DEFAULT_DECLINE_SHARE,
    seed: int = DEFAULT_SEED,
    distractors: int | None = None,
    style: Sequence[Example] = (),
    held_out: Sequence[Question] = (),
    source: str = "",
    errors: Sequence[str] = (),
) -> TrainingSetReport:
    """Grounded and decline examples from ``items`` (train split only, else ``ValueError``), then the
    ``style`` examples that fit; ``distractors`` defaults to ``settings.passages - 1`` (a prompt
    holds as many passages as at inference). See the module docstring."""
    test = [q.question for q in items if q.split != Split.TRAIN]
    if test:
        raise ValueError(f"training data may use only the train split; {len(test)} test item(s), e.g. {test[0]!r}")
    want = max(0, settings.passages - 1 if distractors is None else distractors)
    decline_count(0, decline_share)  # validates the share
    b = _Builder(count_tokens, n_ctx, settings, seed, source, held_out)
    candidates: list[_Candidate] = []
    absent: list[tuple[Question, list[Hit]]] = []
    for item in items:
        hits = search(item.question)
        gold = _gold(item, hits) if item.kind == Kind.ANSWERABLE and item.expected else None
        # a distractor must not show a held-out item's answer (as trimmed for this question);
        # the prompt actually built is checked again in `finish`
        hits = [h for h in hits if h is gold or not b.holds_out(h, trim_passage(h.text, item.question))]
        if item.kind == Kind.ABSENT:
            absent.append((item, _distractors(item, hits, None)[: want + 1]))
            continue
        if gold is None:
            b.drop("skipped_no_gold")
            continue
        candidates.append(_Candidate(item, gold, _distractors(item, hits, gold)))
    built = [(c, b.grounded(c, want)) for c in candidates]
    kept = [(c, ex) for c, ex in built if ex is not None]
    made: dict[str, list[Example]] = {GROUNDED: [], DECLINE: [], "absent": [], STYLE: []}
    declined_absent = [(item, ex) for item, passages in absent if (ex := b.decline(item, passages)) is not None]
    # the decline share holds over every example: absent items first (the questions the documents do
    # not answer), as many as the share allows beside the grounded ones; left-out gold passages make
    # up the rest
    absent_room = _absent_room(len(kept), len(declined_absent), decline_share)
    absent_order = sorted(range(len(declined_absent)), key=lambda i: _key(seed, declined_absent[i][0].question))
    for place, i in enumerate(absent_order):
        if place < absent_room:
            made["absent"].append(declined_absent[i][1])
        else:
            b.drop("over_share")
    wanted = decline_count(len(kept) + len(made["absent"]), decline_share)
    by_hash = sorted(range(len(kept)), key=lambda i: _key(seed, kept[i][0].item.question))
    to_decline = set(by_hash[: max(0, wanted - len(made["absent"]))])
    for i, (cand, grounded) in enumerate(kept):
        if i not in to_decline:
            made[GROUNDED].append(grounded)
        elif (declined := b.decline(cand.item, cand.others[: want + 1])) is not None:
            made[DECLINE].append(declined)
    for own in style:
        if (fits := b.finish(own.messages[:-1], own.messages[-1]["content"], STYLE, None)) is not None:
            made[STYLE].append(replace(fits, source=own.source))
    examples = [ex for group in made.values() for ex in group]
    n = b.counts
    return TrainingSetReport(
        examples, jsonl_sha256(examples), len(made[GROUNDED]), len(made[DECLINE]), len(made["absent"]),
        len(made[STYLE]), n.get("skipped_no_gold", 0), n.get("skipped_unstated", 0),
        n.get("skipped_no_passages", 0), n.get("too_long", 0), n.get("held_out", 0), list(errors),
        decline_share, seed, n.get("over_share", 0),
    )


def to_jsonl(examples: Sequence[Example]) -> str:
    """The canonical chat-messages JSONL: one ``{"messages": [...]}`` per line, compact, UTF-8."""
    return "".join(
        json.dumps({"messages": ex.messages}, ensure_ascii=False, separators=(",", ":")) + "\n" for ex in examples
    )


def jsonl_sha256(examples: Sequence[Example]) -> str:
    """The sha256 of ``to_jsonl(examples)`` (what ``write_jsonl`` writes), for the adapter's metadata."""
    return hashlib.sha256(to_jsonl(examples).encode("utf-8")).hexdigest()


def write_jsonl(examples: Sequence[Example], path: str | Path) -> None:
    """Write the canonical JSONL through ``PATH.partial`` and a rename (never a half-written file)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(to_jsonl(examples).encode("utf-8"))
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise RagtuneError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
