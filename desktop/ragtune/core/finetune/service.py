"""``FineTune``: the fine-tune part of the service (``svc.finetune``): training sets from a
library's question set (train split) and a person's JSONL files.

Like ``Evaluation`` it sits above the library (retrieval, the question sets in its database) and the
answers (the chat model, whose tokenizer and context size shape the examples) parts. Building a
training set loads the chat model, so it runs on the model lane (docs/architecture.md, "Threads").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ragtune.core.answer_service import Answers
from ragtune.core.evaluate import question_store
from ragtune.core.evaluate.questions import Split
from ragtune.core.finetune.chat_jsonl import read_chat_jsonl
from ragtune.core.finetune.examples import build_training_set, write_jsonl
from ragtune.core.finetune.types import Example, TrainingSetReport
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.library_service import Library
from ragtune.core.types import Hit
from ragtune.errors import RagtuneError


class FineTune:
    """Training sets for fine-tuning (see the module docstring)."""

    def __init__(self, library: Library, answers: Answers) -> None:
        self._library = library
        self._answers = answers

    def training_set(
        self,
        library: str,
        set_name: str,
        decline_share: float = 0.2,
        seed: int = 0,
        jsonl: Sequence[str | Path] = (),
    ) -> TrainingSetReport:
        """The training set built from the train split of ``library``'s set ``set_name`` (grounded
        and decline examples, ``core.finetune.examples``) plus the examples of the ``jsonl`` files
        (their bad lines reported in ``errors`` as ``FILE: line N: reason``). Nothing is written."""
        if not 0.0 <= decline_share <= 1.0:
            raise RagtuneError(f"The decline share must be between 0 and 1 (not {decline_share}).")
        conn = self._library.connection()
        qset = question_store.find_set(conn, self._library.library_id(library), library, set_name)
        train = question_store.questions(conn, qset.id, Split.TRAIN)
        test = question_store.questions(conn, qset.id, Split.TEST)
        style: list[Example] = []
        errors: list[str] = []
        for path in jsonl:
            examples, bad = read_chat_jsonl(path)
            style += examples
            errors += [f"{Path(path).name}: {line}" for line in bad]
        if not train and not style:
            raise RagtuneError(
                f"\u201c{set_name}\u201d has no questions in its train split and no JSONL examples were "
                "given: add questions, or split the set again (`ragtune eval split`)."
            )
        k = max(10, self._answers.settings.search_results)
        model = self._answers.engine_for_work()

        def search(question: str) -> list[Hit]:
            return self._library.search(library, question, k)

        def count_tokens(messages: list[Message]) -> int:
            return model.count_chat_tokens(messages)

        report = build_training_set(
            train, search, count_tokens, model.n_ctx, self._answers.settings, decline_share, seed,
            style=style, held_out=test, source=set_name, errors=errors,
        )
        if not report.examples:
            raise RagtuneError(_nothing_built(report, set_name))
        return report

    def write_training_set(self, examples: Sequence[Example], path: str | Path) -> None:
        """Write ``examples`` as chat-messages JSONL (the canonical form whose sha256 the report gives)."""
        write_jsonl(examples, path)


def _nothing_built(report: TrainingSetReport, set_name: str) -> str:
    dropped = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report.counts().items() if n)
    errors = "\n".join(report.errors[:20])
    return (f"No training example could be built from \u201c{set_name}\u201d"
            + (f" (dropped: {dropped})" if dropped else "") + "." + (f"\n{errors}" if errors else ""))
