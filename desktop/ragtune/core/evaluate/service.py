"""``Evaluation``: the evaluate part of the service: question sets, generation, bench runs.

It sits above the library (retrieval, the database) and the answers (the chat model) parts and
uses both; the facade (``ragtune.core.services``) holds it as ``svc.evaluation``. Sets and runs are
read and written on the calling thread's connection; ``run`` and ``generate`` use the model, so they
run on the model lane (docs/architecture.md, "Threads").
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import apsw

from ragtune import paths
from ragtune.core.answer_service import Answers
from ragtune.core.answer_types import AdapterSpec, Answer, Mode
from ragtune.core.evaluate import chat_set, judgements, question_files
from ragtune.core.evaluate.bench import run_questions
from ragtune.core.evaluate.generate import GenerationReport, generate_questions
from ragtune.core.evaluate.passage_sample import sample_passages
from ragtune.core.evaluate.questions import Origin, Question, QuestionSet, Split
from ragtune.core.evaluate.run_config import run_config
from ragtune.core.evaluate.run_types import RunInfo, RunRecord
from ragtune.core.evaluate.split import DEFAULT_SEED, DEFAULT_TEST_SHARE, assign_splits
from ragtune.core.library_service import Library
from ragtune.core.marks import CHAT_SET, Mark, MarkOutcome, Verdict
from ragtune.core.store import judgements as judgement_store
from ragtune.core.store import marks as mark_store
from ragtune.core.store import question_store, run_store
from ragtune.core.store.database import Database
from ragtune.core.store.faults import translate_errors
from ragtune.core.types import Hit, ProgressCallback
from ragtune.errors import RagtuneError

SAMPLE_SET_NAME = "Sample questions"
SAMPLE_SET_FILE = "question_set.jsonl"
#: passages sampled per question wanted (many pages of a paper state no checkable fact)
PASSAGES_PER_QUESTION = 12


@dataclass(frozen=True)
class ImportResult:
    """What an import added, and one ``line N: reason`` per row it skipped."""

    question_set: QuestionSet
    added: int
    errors: list[str]


def default_modes(adapters: Sequence[AdapterSpec]) -> list[Mode]:
    """Model alone and RAG; with adapters, also adapter and RAG + adapter."""
    return Mode.of(True, bool(adapters)).and_baselines()


@translate_errors  # SQLite's damaged-file, disk-full and read-only errors, in plain words
class Evaluation:
    """Question sets and bench runs of the libraries (see the module docstring)."""

    def __init__(self, database: Database, library: Library, answers: Answers) -> None:
        self._database = database
        self._library = library
        self._answers = answers
        # the window reads sets on two threads at once (Evaluate and Fine-tune tabs on first start):
        # the sample set is made under this lock, once
        self._sample_lock = threading.Lock()

    @property
    def db_path(self) -> Path:
        return self._database.db_path

    def _conn(self) -> apsw.Connection:
        return self._database.connection()

    def _set(self, library: str, name: str) -> QuestionSet:
        lib_id = self._library.library_id(library)
        if name == CHAT_SET:  # a deleted chat took its marks along: the set follows
            chat_set.sync_chat_set(self._conn(), lib_id, library)
        return question_store.find_set(self._conn(), lib_id, library, name)

    # -- question sets ----------------------------------------------------------------------
    def question_sets(self, library: str) -> list[QuestionSet]:
        """The library's sets; the sample library (a library with the built-in sample folder as a
        source) gets its hand-written set the first time it is asked for."""
        lib_id = self._library.library_id(library)
        chat_set.sync_chat_set(self._conn(), lib_id, library)  # a deleted chat took its marks along
        sets = question_store.list_sets(self._conn(), lib_id, library)
        if not any(s.name != CHAT_SET for s in sets) and self._is_sample(library):
            made = self.ensure_sample_set(library)
            sets = [*sets, made] if made is not None else sets
        return sets

    def _is_sample(self, library: str) -> bool:
        sample = paths.sample_library_dir().resolve()
        return any(
            info.name == library and any(Path(src).resolve() == sample for src in info.sources)
            for info in self._library.libraries()
        )

    def create_question_set(self, library: str, name: str) -> QuestionSet:
        return question_store.create_set(self._conn(), self._library.library_id(library), library, name)

    def rename_question_set(self, library: str, name: str, new_name: str) -> None:
        question_store.rename_set(self._conn(), self._set(library, name).id, new_name)

    def delete_question_set(self, library: str, name: str) -> None:
        question_store.delete_set(self._conn(), self._set(library, name).id)

    def questions(self, library: str, set_name: str, split: Split | None = None) -> list[Question]:
        return question_store.questions(self._conn(), self._set(library, set_name).id, split)

    def add_questions(
        self, library: str, set_name: str, items: Iterable[Question], keep_splits: Sequence[bool] = ()
    ) -> list[Question]:
        """Add ``items`` to the set (created when missing). Items whose ``keep_splits`` flag is set
        keep their split; the others get the seeded split (``core.evaluate.split``)."""
        items = list(items)
        qset = self.create_question_set(library, set_name)
        keep = list(keep_splits) + [False] * (len(items) - len(keep_splits))
        unsplit = assign_splits([q for q, k in zip(items, keep, strict=True) if not k])
        it = iter(unsplit)
        ordered = [q if k else next(it) for q, k in zip(items, keep, strict=True)]
        return question_store.add_questions(self._conn(), qset.id, ordered)

    def update_question(self, library: str, set_name: str, item: Question) -> Question:
        return question_store.update_question(self._conn(), self._set(library, set_name).id, item)

    def delete_questions(self, library: str, set_name: str, ids: Iterable[int]) -> int:
        return question_store.delete_questions(self._conn(), self._set(library, set_name).id, ids)

    def resplit(
        self, library: str, set_name: str, test_share: float = DEFAULT_TEST_SHARE, seed: int = DEFAULT_SEED
    ) -> QuestionSet:
        """Split the whole set again with ``test_share`` and ``seed``."""
        qset = self._set(library, set_name)
        items = question_store.questions(self._conn(), qset.id)
        split = assign_splits(items, test_share, seed)
        question_store.set_splits(self._conn(), qset.id, {q.id: q.split for q in split})
        return self._set(library, set_name)

    def import_questions(self, library: str, set_name: str, path: str | Path) -> ImportResult:
        """Read a JSONL or CSV file into the set (created when missing); bad rows are reported."""
        report = question_files.read_file(Path(path))
        if not report.items and report.errors:
            raise RagtuneError(
                f"No question could be read from {path}:\n" + "\n".join(report.errors[:20])
            )
        added = self.add_questions(library, set_name, report.items, report.has_split)
        return ImportResult(self._set(library, set_name), len(added), report.errors)

    def export_questions(
        self, library: str, set_name: str, path: str | Path, split: Split | None = None
    ) -> int:
        items = self.questions(library, set_name, split)
        question_files.write_file(Path(path), items)
        return len(items)

    def ensure_sample_set(self, library: str) -> QuestionSet | None:
        """Give ``library`` (the sample library) its hand-written question set, once."""
        source = paths.sample_questions_dir() / SAMPLE_SET_FILE
        if not source.is_file():
            return None
        lib_id = self._library.library_id(library)
        with self._sample_lock:
            if any(s.name == SAMPLE_SET_NAME for s in question_store.list_sets(self._conn(), lib_id, library)):
                return self._set(library, SAMPLE_SET_NAME)
            report = question_files.read_file(source)
            items = [replace(q, origin=Origin.WRITTEN) for q in report.items]
            self.add_questions(library, SAMPLE_SET_NAME, items, report.has_split)
            return self._set(library, SAMPLE_SET_NAME)

    def generate(
        self,
        library: str,
        set_name: str,
        n: int,
        absent: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationReport:
        """Have the chat model write up to ``n`` answerable (and ``absent`` absent) questions about
        passages spread over the library's documents; the kept ones are added to the set (created
        when missing) with the seeded split. Runs on the model lane."""
        if n < 1:
            raise RagtuneError("Ask for at least one question (-n 1 or more).")
        lib_id = self._library.library_id(library)
        want_absent = (n + 3) // 4 if absent is None else absent
        passages = sample_passages(self._conn(), lib_id, PASSAGES_PER_QUESTION * max(n, want_absent))
        if not passages:
            raise RagtuneError(f"\u201c{library}\u201d has no indexed text to write questions about yet.")
        k = max(10, self._answers.settings.search_results)
        model = self._answers.engine_for_work()

        def search(question: str) -> list[Hit]:
            return self._library.search(library, question, k)

        def answer_search(question: str) -> list[Hit]:
            return self._library.passages_for(library, question, self._answers.settings.search_results)

        report = generate_questions(model, passages, search, n, want_absent, progress, cancel, answer_search)
        if report.questions:
            report.questions = self.add_questions(library, set_name, report.questions)
        return report

    # -- marks (issue 20: the person's chats become questions) ----------------------------------
    def mark_answer(
        self, message_id: int, verdict: Verdict | str, answer: str = "", gold_file: str = "",
        gold_page: int = 0, absent: bool = False,
    ) -> MarkOutcome:
        """Mark an answer right or wrong (``core.marks``); its library's set \u201cFrom my chats\u201d
        follows (``chat_set``)."""
        return chat_set.mark_answer(
            self._conn(), self._library.library_id, self._library.documents, message_id, verdict,
            answer, gold_file, gold_page, absent,
        )

    def unmark_answer(self, message_id: int) -> MarkOutcome:
        return chat_set.unmark_answer(self._conn(), self._library.library_id, message_id)

    def marks_of(self, message_ids: Sequence[int]) -> dict[int, Mark]:
        return mark_store.marks_of(self._conn(), message_ids)

    def marked_per_chat(self) -> dict[int, int]:
        return mark_store.marked_per_chat(self._conn())

    def marked_counts(self) -> dict[str, int]:
        """How many answers are marked, per library name."""
        names = {lib.id: lib.name for lib in self._library.libraries()}
        return {names[i]: n for i, n in mark_store.marked_counts(self._conn()).items() if i in names}

    # -- runs -------------------------------------------------------------------------------
    def run(
        self,
        library: str,
        set_name: str,
        split: Split | None = Split.TEST,
        modes: Sequence[Mode] | None = None,
        adapters: Sequence[AdapterSpec] = (),
        fresh: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        question_ids: Collection[int] | None = None,
        split_label: str | None = None,
    ) -> RunRecord:
        """Run the bench on the set's ``split`` (None: every item) in ``modes`` (default: model
        alone and RAG, plus the adapter modes when adapters are given). Resumes the newest
        unfinished run with exactly these settings unless ``fresh``. ``question_ids`` keeps only
        those items of the split, and ``split_label`` names the part in the run (the fine-tune
        bench's validation part of the train split)."""
        adapters = list(adapters)
        modes = list(modes) if modes else default_modes(adapters)
        if any(m.uses_adapters for m in modes) and not adapters:
            raise RagtuneError("The adapter modes need an adapter: choose one.", cli_hint="--adapter FILE[:STRENGTH]")
        qset = self._set(library, set_name)
        items = question_store.questions(self._conn(), qset.id, split)
        if question_ids is not None:
            items = [q for q in items if q.id in question_ids]
        if not items:
            where = f"the {split} split of " if split else ""
            raise RagtuneError(f"There are no questions in {where}\u201c{set_name}\u201d to run.")
        for spec in adapters:
            self._answers.check_adapter(spec.path)
        model = self._answers.load_model()
        config = run_config(self._answers.settings, model, adapters, self._library.embedder_of(library).model_id)
        conn, lib_id, split_name = self._conn(), self._library.library_id(library), split_label or split or "all"
        run_id = None if fresh else run_store.find_resumable(conn, lib_id, qset, split_name, modes, config)
        if run_id is None:
            run_id = run_store.create_run(conn, lib_id, qset, split_name, modes, config, items)
        items = run_store.load_run(conn, run_id).questions
        k = self._answers.settings.search_results

        def search(question: str) -> list[Hit]:
            return self._library.passages_for(library, question, k)

        def answer(
            question: str, hits: list[Hit] | None, specs: Sequence[AdapterSpec], stop: threading.Event | None
        ) -> Answer:
            return self._answers.ask(question, hits, specs, cancel=stop)

        run_questions(conn, run_id, items, modes, adapters, search, answer, progress, cancel)
        return self.load_run(run_id)

    def runs(self, library: str | None = None) -> list[RunInfo]:
        lib_id = self._library.library_id(library) if library else None
        return run_store.list_runs(self._conn(), lib_id)

    def load_run(self, run_id: int) -> RunRecord:
        """The run, with the person's judgements in place of the rule's where they gave one."""
        record = run_store.load_run(self._conn(), run_id)
        return judgements.applied(record, judgement_store.judgements_for(self._conn(), record))

    def judge(self, run_id: int, question_id: int, mode: Mode | str, judged: str | None) -> RunRecord:
        """Store the person's judgement of one answer of run ``run_id`` ("correct", "wrong",
        "declined", "made up"; None removes it); the run as it now reads."""
        record = run_store.load_run(self._conn(), run_id)
        mode = Mode(mode)
        item = next((q for q in record.questions if q.id == question_id), None)
        result = record.result(question_id, mode)
        if item is None or result is None:
            raise RagtuneError(f"Run {run_id} has no answer to question {question_id} in mode {mode}.",
                               cli_hint="ragtune eval show RUN --answers lists them")
        if result.error:
            raise RagtuneError("This answer failed; there is nothing to judge.")
        verdict = judgements.checked(item.kind, judged) if judged else None
        judgement_store.set_judgement(self._conn(), run_id, question_id, mode, item.question, result.answer, verdict)
        return self.load_run(run_id)

    def delete_run(self, run_id: int) -> None:
        run_store.delete_run(self._conn(), run_id)
