"""Value types of fine-tuning that the CLI and the GUI see: one training ``Example`` (chat
messages) and the ``TrainingSetReport`` of a built training set (its examples, what was kept and
dropped and why, and the sha256 of its canonical JSONL, recorded in the adapter's metadata)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: example kinds: the gold passage cited; a decline (gold left out, or an absent question); a
#: person's own chat example (style or task)
GROUNDED = "grounded"
DECLINE = "decline"
STYLE = "style"


@dataclass(frozen=True)
class Example:
    """One training conversation: ``messages`` in the chat-messages format (``role`` system, user
    or assistant, and ``content``), the last one the assistant's target. ``question_id`` is the
    question-set item it was built from (None for a person's own examples); ``source`` the set's
    name or the JSONL file's; ``chunk_ids`` the passages numbered in its prompt, in order."""

    messages: list[dict[str, str]]
    kind: str
    question_id: int | None = None
    source: str = ""
    chunk_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TrainingSetReport:
    """A built training set. Counts: ``grounded`` (the target cites the gold passage),
    ``decline`` (an answerable item with its gold passage left out), ``absent`` (an absent item,
    declined), ``style`` (from JSONL files); dropped: ``skipped_no_gold`` (retrieval did not
    return the gold passage), ``skipped_unstated`` (the gold passage, as trimmed for the prompt,
    does not state the answer), ``skipped_no_passages`` (retrieval returned nothing to put in the
    prompt), ``too_long`` (it does not fit the context whole), ``held_out`` (a test-split question
    appears in it, or the train item's gold passage is a test item's). ``errors``: ``FILE: line
    N: reason`` for each JSONL line skipped."""

    examples: list[Example]
    sha256: str
    grounded: int = 0
    decline: int = 0
    absent: int = 0
    style: int = 0
    skipped_no_gold: int = 0
    skipped_unstated: int = 0
    skipped_no_passages: int = 0
    too_long: int = 0
    held_out: int = 0
    errors: list[str] = field(default_factory=list)
    decline_share: float = 0.2
    seed: int = 0

    def counts(self) -> dict[str, int]:
        """Every count by name (the ``--json`` output and the adapter's metadata)."""
        names = ("grounded", "decline", "absent", "style", "skipped_no_gold", "skipped_unstated",
                 "skipped_no_passages", "too_long", "held_out")
        return {"examples": len(self.examples), **{n: int(getattr(self, n)) for n in names}}
