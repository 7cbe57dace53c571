"""The fine-tune rules and words live once, in the core (issue 18): alpha is ``ALPHA_PER_RANK``
times the rank, the decline share and the seed have one default, the stop reasons, the dropped
examples, the progress lines and the bench's outcome have one sentence each, and ``svc.finetune.run``
does the workflow (build, train, validate, bench on the test split). The CLI prints those words and
the window's texts start from them: changing a constant or a sentence in the core changes both."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ragtune import cli_train
from ragtune.core.answer_types import AdapterInfo, AdapterSpec, Mode
from ragtune.core.evaluate.questions import Question, Split
from ragtune.core.evaluate.run_types import RunInfo, RunRecord, RunStatus
from ragtune.core.finetune import service as ft_service
from ragtune.core.finetune import train_types
from ragtune.core.finetune import types as set_types
from ragtune.core.finetune.examples import build_training_set
from ragtune.core.finetune.service import FineTune
from ragtune.core.finetune.train_types import (
    BUDGET,
    DONE,
    MAX_STEPS,
    TrainedAdapter,
    TrainOptions,
    TrainProgress,
    TrainResult,
)
from ragtune.core.finetune.types import Example, TrainingSetReport
from ragtune.core.finetune.workflow import (
    BENCH,
    BUILD,
    TRAIN,
    BenchOutcome,
    FineTuneEvent,
    FineTuneResult,
    Step,
)
from ragtune.core.types import Progress, Stage
from ragtune.gui import finetune_work

EXAMPLES = [Example([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy!"}], "style")] * 2


def _report(**counts: int) -> TrainingSetReport:
    return TrainingSetReport(list(EXAMPLES), "ab" * 32, **cast(Any, counts))


def _made(stopped: str = DONE, resumed: int = 0) -> TrainedAdapter:
    result = TrainResult("/adapters/tiny-cite.gguf", 6, 24, resumed, 2, 0, 1.23456, 41.2, 185.0, "cpu", stopped)
    return TrainedAdapter(result, AdapterInfo(result.adapter, "tiny-cite", "qwen2", 8.0, 96), "/w/set.jsonl", "cd" * 32)


def _record(status: str = RunStatus.FINISHED, answered: int = 4) -> RunRecord:
    info = RunInfo(1, "lib", "Tiny", 1, "test", list(Mode), {}, status, 0.0, None, 1, answered)
    return RunRecord(info, [], [])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ragtune")
    cli_train.add_train_commands(parser.add_subparsers())
    return parser


def _helps(parser: argparse.ArgumentParser) -> list[str]:
    """Every option's help of every subcommand, on one line each."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [" ".join((a.help or "").split()) for p in sub.choices.values() for a in p._actions]


class _FakeFineTune:
    """``svc.finetune`` for the CLI: ``run`` reports ``events`` and returns ``result``."""

    def __init__(self, events: Sequence[FineTuneEvent], result: FineTuneResult) -> None:
        self.events, self.result = events, result
        self.calls: list[dict[str, Any]] = []

    def check_new_adapter(self, name: str, replace: bool = False) -> Path:
        return Path(f"/adapters/{name}.gguf")

    def training_fit(self, precision: str = "auto") -> SimpleNamespace:
        return SimpleNamespace(text=ADVICE)

    def run(self, library: str, set_name: str | None, name: str, options: TrainOptions, **kw: Any) -> FineTuneResult:
        self.calls.append({"library": library, "set": set_name, "name": name, "options": options, **kw})
        for event in self.events:
            kw["progress"](event)
        return self.result


ADVICE = "The trainer can load Tiny (qwen2, 0.6B parameters). Training needs about 3.5 GB."


def _cli_train(argv: list[str], fake: _FakeFineTune) -> int:
    args = _parser().parse_args(["train", "-l", "lib", "--set", "Tiny", "--name", "tiny-cite", *argv])
    svc = argparse.Namespace(finetune=fake)
    return int(args.func(svc, args))


def test_alpha_is_twice_the_rank_once_in_the_core(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    assert TrainOptions(rank=4).alpha == 8.0 == train_types.alpha_for(4)
    assert TrainOptions().alpha == 2 * TrainOptions().rank
    assert TrainOptions(rank=4, alpha=3.0).alpha == 3.0  # said outright, kept
    monkeypatch.setattr(train_types, "ALPHA_PER_RANK", 3.0)
    assert TrainOptions(rank=4).alpha == 12.0
    assert TrainOptions(rank=4).hyperparameters()["alpha"] == 12.0  # what the adapter records
    # the CLI leaves alpha to the core, and says the core's rule in its help
    fake = _FakeFineTune([], FineTuneResult(_report(), _made(), None))
    assert _cli_train(["--rank", "4", "--no-bench"], fake) == 0
    assert fake.calls[0]["options"].alpha == 12.0
    assert "LoRA rank (alpha is 3 times the rank)" in _helps(_parser())
    capsys.readouterr()


def test_decline_share_and_seed_defaults_are_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    for fn in (FineTune.training_set, FineTune.run, build_training_set):
        params = inspect.signature(fn).parameters
        assert params["decline_share"].default == set_types.DEFAULT_DECLINE_SHARE == 0.2
        assert params["seed"].default == set_types.DEFAULT_SEED
    monkeypatch.setattr(set_types, "DEFAULT_DECLINE_SHARE", 0.35)
    monkeypatch.setattr(set_types, "DEFAULT_SEED", 7)
    parser = _parser()
    for argv in (["train-set", "-l", "lib", "--out", "o.jsonl"], ["train", "-l", "lib", "--name", "x"]):
        args = parser.parse_args(argv)
        assert (args.decline_share, args.seed) == (0.35, 7), argv
    assert sum("(default 0.35)" in h for h in _helps(parser)) == 2  # train-set and train


def test_stop_reasons_progress_and_dropped_words_are_the_cores() -> None:
    assert _made(BUDGET).result.stop_text() == "the time budget ran out"
    assert _made(MAX_STEPS).result.stop_text() == "the step limit was reached"
    assert _made(DONE).result.stop_text() == ""
    made = _made(BUDGET, resumed=3)
    assert made.summary() == (
        "Adapter tiny-cite trained: 6/24 steps (the time budget ran out), resumed from step 3, final loss "
        "1.235, 41 tokens/s on cpu (float32), 3 min 5 s. Saved to /adapters/tiny-cite.gguf."
    )
    step = TrainProgress(Stage.TRAINING, 5, 24, 1.2345, 41.0, 190.0, 1)
    assert step.text() == "Training step 5/24 (epoch 1) \u00b7 loss 1.234 \u00b7 41 tokens/s \u00b7 about 3 min 10 s left"
    assert TrainProgress(Stage.CHECKPOINT, 5, 24).text() == "Checkpoint saved at step 5/24"
    report = _report(style=2, skipped_no_gold=2, held_out=1)
    assert report.dropped_text() == "2 source passage not retrieved, 1 would leak the test split or the validation part"
    assert report.summary_lines() == [
        "2 examples: 0 citing their source, 0 declining with the source left out, 0 declining a question "
        "the documents do not answer, 2 from your JSONL.",
        "Left out: 2 source passage not retrieved, 1 would leak the test split or the validation part.",
    ]
    assert _report().summary_lines()[1:] == []  # nothing left out: no sentence about it
    assert "(left out: 2 source passage not retrieved, 1 would leak the test split or the validation part)" in ft_service._nothing_built(
        report, "Tiny")


def test_cli_and_window_say_the_same_sentences(capsys: Any) -> None:
    """What ``ragtune train`` prints and what the Fine-tune tab shows start from the same core words."""
    report, made = _report(style=2, too_long=1), _made(BUDGET)
    step = TrainProgress(Stage.TRAINING, 24, 24, 0.5, 40.0, 0.0, 3)
    no_bench = BenchOutcome(None, "Tiny")
    events: list[FineTuneEvent] = [Step(BUILD, "Tiny"), report, Step(TRAIN, "Tiny"), step, made]
    fake = _FakeFineTune(events, FineTuneResult(report, made, no_bench))
    assert _cli_train([], fake) == 0
    err = capsys.readouterr().err
    for sentence in [ADVICE, *report.summary_lines(), step.text(), made.summary(), no_bench.text(),
                     Step(TRAIN).text()]:
        assert sentence in err, sentence  # the training advice first, as the tab's line under the library
    assert "the time budget ran out" in err
    # the window: the same sentences, with where to go next
    assert finetune_work.trained_text(made).startswith(made.summary())
    assert finetune_work.report_text(report).startswith(" ".join(report.summary_lines()))
    assert finetune_work.bench_text(no_bench).startswith(no_bench.text())
    stopped = BenchOutcome(_record(RunStatus.CANCELLED, answered=2), "Tiny")
    assert stopped.text() == "The bench stopped after 2 of 4 answers."
    assert finetune_work.bench_text(stopped).startswith(stopped.text())


def test_cli_says_the_stopped_bench_and_how_to_resume_it(capsys: Any) -> None:
    stopped = BenchOutcome(_record(RunStatus.CANCELLED, answered=2), "Tiny")
    fake = _FakeFineTune([], FineTuneResult(_report(), _made(), stopped))
    assert _cli_train(["--json"], fake) == 130
    err = capsys.readouterr().err
    assert "The bench stopped after 2 of 4 answers. This resumes it: ragtune eval run --library lib --set Tiny " \
           "--split test --modes model,rag,adapter,rag+adapter --adapter /adapters/tiny-cite.gguf" in err


class _FakeEvaluation:
    """The bench's side of ``Evaluation``: a test split of ``test`` questions, a train split too
    small to carve a validation part from (the strength stays 100 %); runs recorded."""

    def __init__(self, test: int) -> None:
        self.test = test
        self.runs: list[tuple[str, str, Split | None, list[Mode], list[AdapterSpec]]] = []

    def questions(self, library: str, set_name: str, split: Split | None = None) -> list[Question]:
        if split == Split.TRAIN:
            return [Question("t?", "a", split=Split.TRAIN)]
        assert split == Split.TEST
        return [Question(f"q{i}?", "a", split=Split.TEST) for i in range(self.test)]

    def run(self, library: str, set_name: str, split: Split | None, modes: list[Mode], adapters: list[AdapterSpec],
            progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None) -> RunRecord:
        self.runs.append((library, set_name, split, modes, adapters))
        if progress is not None:
            progress(Progress(cast(Any, "evaluating"), 4, 4))
        return _record()


def _workflow(monkeypatch: pytest.MonkeyPatch, test: int) -> tuple[FineTune, _FakeEvaluation, list[str]]:
    evaluation = _FakeEvaluation(test)
    ft = FineTune(cast(Any, None), cast(Any, None), cast(Any, evaluation))
    steps: list[str] = []

    def training_set(library: str, set_name: str | None, share: float, seed: int, jsonl: Any) -> TrainingSetReport:
        steps.append(f"build {library}/{set_name} {share} {seed}")
        return _report(grounded=2)

    def train(examples: Any, name: str, options: TrainOptions, progress: Any, cancel: Any, *, replace: bool) -> Any:
        steps.append(f"train {name} {len(examples)}")
        progress(TrainProgress(Stage.TRAINING, 1, 1))
        return _made()

    monkeypatch.setattr(ft, "check_new_adapter", lambda name, replace=False: steps.append(f"check {name}"))
    monkeypatch.setattr(ft, "training_set", training_set)
    monkeypatch.setattr(ft, "train", train)
    return ft, evaluation, steps


def test_run_builds_trains_then_benches_on_the_test_split(monkeypatch: pytest.MonkeyPatch) -> None:
    ft, evaluation, steps = _workflow(monkeypatch, test=1)
    events: list[FineTuneEvent] = []
    done = ft.run("lib", "Tiny", "tiny-cite", TrainOptions(), progress=events.append)
    assert steps == ["check tiny-cite", "build lib/Tiny 0.2 0", "train tiny-cite 2"]
    assert evaluation.runs == [("lib", "Tiny", Split.TEST, list(Mode), [AdapterSpec("/adapters/tiny-cite.gguf", 1.0)])]
    kinds = [e.name if isinstance(e, Step) else type(e).__name__ for e in events]
    assert kinds == [BUILD, "TrainingSetReport", TRAIN, "TrainProgress", "TrainedAdapter", BENCH, "Progress"]
    assert done.bench is not None
    assert done.bench.finished
    assert done.summary_lines() == [*done.report.summary_lines(), done.made.summary(), done.bench.text()]


def test_run_without_a_test_split_or_with_no_bench(monkeypatch: pytest.MonkeyPatch) -> None:
    ft, evaluation, _ = _workflow(monkeypatch, test=0)
    events: list[FineTuneEvent] = []
    done = ft.run("lib", "Tiny", "tiny-cite", TrainOptions(), progress=events.append)
    assert done.bench == BenchOutcome(None, "Tiny")
    assert not done.bench.finished
    assert done.summary_lines()[-1].startswith("No bench: there is no test split")
    assert evaluation.runs == []
    assert not any(isinstance(e, Step) and e.name == BENCH for e in events)
    assert ft.run("lib", None, "tiny-cite", TrainOptions(), bench=False).bench is None
