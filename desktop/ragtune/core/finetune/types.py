"""Value types of fine-tuning that the CLI and the GUI see: one training ``Example`` (chat
messages) and the ``TrainingSetReport`` of a built training set (its examples, what was kept and
dropped and why, and the sha256 of its canonical JSONL, recorded in the adapter's metadata), with
the training set's defaults (``DEFAULT_DECLINE_SHARE``, ``DEFAULT_SEED``) and its words
(``TrainingSetReport.summary_lines``): the front ends read them here and say nothing of their own."""

from __future__ import annotations

from dataclasses import dataclass, field

#: example kinds: the gold passage cited; a decline (gold left out, or an absent question); a
#: person's own chat example (style or task)
GROUNDED = "grounded"
DECLINE = "decline"
STYLE = "style"

#: the share of grounded examples whose gold passage is left out to teach the decline, and the
#: seed of the set's shuffles, when the person says nothing else
DEFAULT_DECLINE_SHARE = 0.2
DEFAULT_SEED = 0

#: why an item gave no example (``TrainingSetReport``'s dropped counts), as people read it
DROPPED_WORDS = {
    "skipped_no_gold": "source passage not retrieved",
    "skipped_unstated": "source passage does not state the answer",
    "skipped_no_passages": "nothing retrieved",
    "too_long": "too long for the context",
    "held_out": "would leak the test split or the validation part",
    "over_share": "absent questions beyond the decline share",
}


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
    appears in it, or the train item's gold passage is a test item's), ``over_share`` (an absent
    item beyond the decline share). ``errors``: ``FILE: line
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
    decline_share: float = DEFAULT_DECLINE_SHARE
    seed: int = DEFAULT_SEED
    over_share: int = 0  # absent items left out: declines beyond the decline share

    def counts(self) -> dict[str, int]:
        """Every count by name (the ``--json`` output and the adapter's metadata)."""
        names = ("grounded", "decline", "absent", "style", "skipped_no_gold", "skipped_unstated",
                 "skipped_no_passages", "too_long", "held_out", "over_share")
        return {"examples": len(self.examples), **{n: int(getattr(self, n)) for n in names}}

    def kept_text(self) -> str:
        """``24 examples: 15 citing their source, 4 declining with the source left out, ...``."""
        n = len(self.examples)
        return (f"{n} example{'' if n == 1 else 's'}: {self.grounded} citing their source, {self.decline} "
                f"declining with the source left out, {self.absent} declining a question the documents "
                f"do not answer, {self.style} from your JSONL.")

    def dropped_text(self) -> str:
        """``2 source passage not retrieved, 1 too long for the context``; "" when nothing was dropped."""
        counts = self.counts()
        return ", ".join(f"{counts[key]} {words}" for key, words in DROPPED_WORDS.items() if counts[key])

    def summary_lines(self) -> list[str]:
        """What was kept, then what was left out and why (when anything was), one sentence each."""
        dropped = self.dropped_text()
        return [self.kept_text(), *([f"Left out: {dropped}."] if dropped else [])]

    def skipped_text(self) -> str:
        """``2 JSONL lines skipped``; "" when every line was read (the lines: ``errors``)."""
        n = len(self.errors)
        return f"{n} JSONL line{'' if n == 1 else 's'} skipped" if n else ""
