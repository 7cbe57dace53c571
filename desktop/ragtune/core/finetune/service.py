"""``FineTune``: the fine-tune part of the service (``svc.finetune``): training sets from a
library's question set (train split) and a person's JSONL files, adapters trained from them, and
their bench on the set's test split; ``run`` does the whole workflow (``core.finetune.workflow``).

Like ``Evaluation`` it sits above the library (retrieval, the question sets in its database) and the
answers (the chat model, whose tokenizer and context size shape the examples) parts, and it judges
adapters through an ``Evaluation``. Building a training set and the bench use the chat model, so
they run on the model lane (docs/architecture.md, "Threads"). ``train`` runs the trainer in a child
process and only waits for it: it may run on any thread, and the chat model keeps answering
meanwhile. The adapter lands in ``paths.adapters_dir()``; the work folder
``paths.training_dir(name)`` keeps the training set and the checkpoint a killed run resumes from
(removed once the adapter is written and validated).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ragtune import paths
from ragtune.core.adapter_strength import StrengthChoice, StrengthScore, choice_path, save_choice
from ragtune.core.answer_service import Answers
from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.command_line import is_reserved_name
from ragtune.core.engine_kind import EngineKind
from ragtune.core.evaluate.questions import Question, Split
from ragtune.core.evaluate.run_types import RunStatus
from ragtune.core.evaluate.service import Evaluation
from ragtune.core.evaluate.summary import summarize
from ragtune.core.finetune import train_checkpoint
from ragtune.core.finetune.chat_jsonl import read_chat_jsonl
from ragtune.core.finetune.examples import build_training_set, jsonl_sha256, write_jsonl
from ragtune.core.finetune.strength import MIN_VALIDATION, STRENGTHS, choose, validation_part
from ragtune.core.finetune.train_fit import TrainingFit, trainable_architectures, training_fit
from ragtune.core.finetune.train_precision import AUTO, choose_precision, cpu_has_bfloat16
from ragtune.core.finetune.train_process import train_adapter
from ragtune.core.finetune.train_types import (
    TrainedAdapter,
    TrainError,
    TrainOptions,
    TrainProgress,
    train_extra_missing,
)
from ragtune.core.finetune.types import (
    DEFAULT_DECLINE_SHARE,
    DEFAULT_SEED,
    Example,
    TrainingSetReport,
)
from ragtune.core.finetune.workflow import (
    BENCH,
    BENCH_MODES,
    BENCH_SPLIT,
    BENCH_STRENGTH,
    BUILD,
    CHOOSE,
    TRAIN,
    VALIDATION_LABEL,
    BenchOutcome,
    FineTuneEvent,
    FineTuneResult,
    Step,
)
from ragtune.core.generation import models
from ragtune.core.generation.adapters import validate_adapter
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.library_service import Library
from ragtune.core.machine import this_machine
from ragtune.core.memory import return_freed_memory
from ragtune.core.types import Hit
from ragtune.errors import RagtuneError

#: an adapter's name: letters, digits, spaces, dots, dashes and underscores, 1-64 characters
_NAME = re.compile(r"[\w][\w .-]{0,63}")
TRAINING_SET_FILE = "training_set.jsonl"


def adapter_path(name: str) -> Path:
    """Where the adapter ``name`` is written (``adapters_dir()/NAME.gguf``); TrainError for a
    name that is not a plain file name."""
    name = name.strip()
    if not name:
        raise TrainError("give the adapter a name (for example cite-sources)")
    if name.lower().endswith(".gguf"):
        name = name[:-5]
    if not _NAME.fullmatch(name) or name.endswith((".", " ")):
        raise TrainError(
            f"\u201c{name}\u201d cannot name an adapter: use 1 to 64 letters, digits, spaces, dots, "
            "dashes or underscores (for example cite-sources)"
        )
    if is_reserved_name(name):  # Windows cannot make con.gguf, nul.gguf, com1.gguf
        raise TrainError(f"\u201c{name}\u201d is a device name on Windows and cannot name a file; choose another")
    return paths.adapters_dir() / f"{name}.gguf"


class FineTune:
    """Training sets for fine-tuning (see the module docstring)."""

    def __init__(self, library: Library, answers: Answers, evaluation: Evaluation) -> None:
        self._library = library
        self._answers = answers
        self._evaluation = evaluation

    def training_set(
        self,
        library: str,
        set_name: str | None,
        decline_share: float = DEFAULT_DECLINE_SHARE,
        seed: int = DEFAULT_SEED,
        jsonl: Sequence[str | Path] = (),
    ) -> TrainingSetReport:
        """The training set built from the train split of ``library``'s set ``set_name`` (grounded
        and decline examples, ``core.finetune.examples``; None: no set, the JSONL files only) plus
        the examples of the ``jsonl`` files (their bad lines reported in ``errors`` as
        ``FILE: line N: reason``). Nothing is written."""
        if not 0.0 <= decline_share <= 1.0:
            raise RagtuneError(f"The decline share must be between 0 and 1 (not {decline_share}).")
        train: list[Question] = []
        test: list[Question] = []
        if set_name is not None:
            train = self._evaluation.questions(library, set_name, Split.TRAIN)
            test = self._evaluation.questions(library, set_name, Split.TEST)
            validation = validation_part(train)  # kept out: the strength is chosen on it
            held = {q.id for q in validation}
            train = [q for q in train if q.id not in held]
            test = [*test, *validation]
        style: list[Example] = []
        errors: list[str] = []
        for path in jsonl:
            examples, bad = read_chat_jsonl(path)
            style += examples
            errors += [f"{Path(path).name}: {line}" for line in bad]
        if not train and not style:
            if set_name is None:
                raise RagtuneError("No training examples: name a question set, or give a JSONL file "
                                   "with valid chat examples." + "".join(f"\n{e}" for e in errors[:20]))
            raise RagtuneError(
                f"\u201c{set_name}\u201d has no questions in its train split and no JSONL examples were "
                "given: add questions, or split the set again (Split in the Evaluate tab).",
                cli_hint="ragtune eval split",
            )
        k = max(10, self._answers.settings.search_results)
        model = self._answers.engine_for_work()

        def search(question: str) -> list[Hit]:
            return self._library.search(library, question, k)

        def count_tokens(messages: list[Message]) -> int:
            return model.count_chat_tokens(messages)

        report = build_training_set(
            train, search, count_tokens, model.n_ctx, self._answers.settings, decline_share, seed,
            style=style, held_out=test, source=set_name or "", errors=errors,
        )
        if not report.examples:
            raise RagtuneError(_nothing_built(report, set_name or "the JSONL files"))
        return report

    def write_training_set(self, examples: Sequence[Example], path: str | Path) -> None:
        """Write ``examples`` as chat-messages JSONL (the canonical form whose sha256 the report gives)."""
        write_jsonl(examples, path)

    def adapters(self) -> list[Path]:
        """The adapters that ship with Ragtune, then those trained here, each group by name."""
        found: list[Path] = []
        for folder in (paths.shipped_adapters_dir(), paths.adapters_dir()):
            if folder.is_dir():
                found += sorted(folder.glob("*.gguf"))
        return found

    def adapter_path(self, name: str) -> Path:
        """Where ``train`` writes the adapter ``name`` (TrainError for a name that cannot be a file)."""
        return adapter_path(name)

    def check_new_adapter(self, name: str, replace: bool = False) -> Path:
        """The path ``train`` would write for ``name``, checked before any work: TrainError for a
        name that cannot be a file, an existing adapter (unless ``replace``), no local model, or the
        training extra not installed."""
        return self._target(name, replace)[0]

    def _target(self, name: str, replace: bool) -> tuple[Path, Path]:
        """``(adapter path, base model file)`` for a new adapter ``name`` (see ``check_new_adapter``)."""
        missing = train_extra_missing()
        if missing:  # said before the training set is built, not after
            raise TrainError(missing)
        out = adapter_path(name)
        if out.exists() and not replace:
            raise TrainError(
                f"an adapter named \u201c{out.stem}\u201d exists ({out}); choose another name, or "
                "replace it",
                cli_hint="--replace",
            )
        return out, self.base_model()

    def base_model(self) -> Path:
        """The GGUF file training starts from: the current local chat model."""
        settings = self._answers.settings
        if settings.engine != EngineKind.LOCAL:
            raise TrainError(
                "training needs the model's GGUF file on this computer; the chat model now runs on a "
                f"server ({settings.engine_url}). Switch the engine to the local model to train."
            )
        return models.resolve_model(settings.chat_model or None)

    def training_fit(self, precision: str = AUTO) -> TrainingFit:
        """Whether the trainer can load the current model and whether training it on the CPU
        in ``precision`` (a ``TrainOptions.precision``) fits this machine's memory: advice before a
        run; TrainError when the model runs on a server. (A CUDA run uses the GPU's memory
        instead, which this advice does not judge.)"""
        machine = this_machine()
        chosen = choose_precision(precision, "cpu", cpu_bf16=cpu_has_bfloat16())
        return training_fit(self.base_model(), machine.ram_bytes, chosen, trainable_architectures())

    def train(
        self,
        examples: Sequence[Example],
        name: str,
        options: TrainOptions,
        progress: Callable[[TrainProgress], None] | None = None,
        cancel: threading.Event | None = None,
        *,
        replace: bool = False,
    ) -> TrainedAdapter:
        """Train the LoRA adapter ``name`` on ``examples`` over the current model, in a child
        process (see the module docstring); the adapter is validated against the model before it
        is returned. An adapter of that name is kept (TrainError) unless ``replace``. Running the
        same call again after a crash, a kill or a cancel resumes from the last checkpoint."""
        out, base = self._target(name, replace)
        choice_path(out).unlink(missing_ok=True)  # a replaced adapter's strength is not the new one's
        work = paths.training_dir(out.stem)
        sha = jsonl_sha256(examples)
        write_jsonl(examples, work / TRAINING_SET_FILE)
        try:
            result = train_adapter(base, [ex.messages for ex in examples], out, options, work, progress,
                                   cancel, set_sha256=sha)
            try:
                info = validate_adapter(out, base)
            except RagtuneError:
                out.unlink(missing_ok=True)  # never offered later as an adapter
                raise
        finally:
            return_freed_memory()  # what the run and the adapter's check left in this process
        (work / train_checkpoint.CHECKPOINT).unlink(missing_ok=True)
        return TrainedAdapter(result, info, str(work / TRAINING_SET_FILE), sha)

    def bench(
        self,
        library: str,
        set_name: str | None,
        adapter: str,
        progress: Callable[[FineTuneEvent], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> BenchOutcome:
        """Choose ``adapter``'s strength on the validation part of the train split of ``library``'s
        set ``set_name`` (``core.finetune.strength``; stored beside the adapter), then judge it at
        that strength on the test split in every mode (``core.finetune.workflow``); no run
        (``record`` None) when there is no test split. Uses the chat model: the model lane."""
        if set_name is None or not self._evaluation.questions(library, set_name, BENCH_SPLIT):
            return BenchOutcome(None, set_name)
        choice = self.choose_strength(library, set_name, adapter, progress, cancel)
        if cancel is not None and cancel.is_set():
            return BenchOutcome(None, set_name, choice, stopped=True)
        strength = choice.strength if choice is not None else BENCH_STRENGTH
        if progress is not None:
            progress(Step(BENCH, set_name))
        record = self._evaluation.run(library, set_name, BENCH_SPLIT, list(BENCH_MODES),
                                      [AdapterSpec(adapter, strength)], progress=progress, cancel=cancel)
        return BenchOutcome(record, set_name, choice)

    def choose_strength(
        self,
        library: str,
        set_name: str,
        adapter: str,
        progress: Callable[[FineTuneEvent], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> StrengthChoice | None:
        """Answer the validation part with RAG + ``adapter`` at each of ``STRENGTHS``, choose the
        best (``strength.choose``) and store it beside the adapter; None when the set has no
        validation part (too few train questions) or on cancel."""
        validation = validation_part(self._evaluation.questions(library, set_name, Split.TRAIN))
        if len(validation) < MIN_VALIDATION:
            return None
        if progress is not None:
            progress(Step(CHOOSE, set_name))
        ids = {q.id for q in validation}
        scores: list[StrengthScore] = []
        for strength in STRENGTHS:
            record = self._evaluation.run(
                library, set_name, Split.TRAIN, [Mode.RAG_ADAPTER], [AdapterSpec(adapter, strength)],
                progress=progress, cancel=cancel, question_ids=ids, split_label=VALIDATION_LABEL,
            )
            if record.info.status != RunStatus.FINISHED:
                return None
            mode = summarize(record).modes[0]
            scores.append(StrengthScore(strength, mode.correct.k, mode.declined_answerable.k, mode.correct.n))
        choice = choose(scores, set_name)
        save_choice(adapter, choice)
        return choice

    def run(
        self,
        library: str,
        set_name: str | None,
        name: str,
        options: TrainOptions,
        *,
        jsonl: Sequence[str | Path] = (),
        decline_share: float = DEFAULT_DECLINE_SHARE,
        seed: int = DEFAULT_SEED,
        replace: bool = False,
        bench: bool = True,
        progress: Callable[[FineTuneEvent], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> FineTuneResult:
        """The whole workflow: check the name, build the training set, train and validate the
        adapter ``name``, then (``bench``) judge it on the set's test split. Each step is reported
        to ``progress`` (a ``Step``, then its events and its result). A cancel during training
        raises ``Cancelled``; during the bench the run stops part way (``BenchOutcome.finished``)."""
        def report(event: FineTuneEvent) -> None:
            if progress is not None:
                progress(event)

        self.check_new_adapter(name, replace)  # before any work
        report(Step(BUILD, set_name))
        built = self.training_set(library, set_name, decline_share, seed, jsonl)
        report(built)
        report(Step(TRAIN, set_name))
        made = self.train(built.examples, name, options, report, cancel, replace=replace)
        report(made)
        judged = self.bench(library, set_name, made.result.adapter, report, cancel) if bench else None
        return FineTuneResult(built, made, judged)


def _nothing_built(report: TrainingSetReport, set_name: str) -> str:
    dropped = report.dropped_text()
    errors = "\n".join(report.errors[:20])
    return (f"No training example could be built from \u201c{set_name}\u201d"
            + (f" (left out: {dropped})" if dropped else "") + "." + (f"\n{errors}" if errors else ""))
