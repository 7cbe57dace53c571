"""The Fine-tune tab takes its defaults and its words from the core (issue 18), without a model: the
share of declines and alpha follow the core's constants, the training progress and the steps of the
workflow show the core's sentences, and a finished adapter with no test split to judge it on shows
the core's summary and its "No bench" sentence."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import AdapterInfo
from ragtune.core.finetune import train_types
from ragtune.core.finetune import types as set_types
from ragtune.core.finetune.train_types import BUDGET, TrainedAdapter, TrainProgress, TrainResult
from ragtune.core.finetune.workflow import BENCH, TRAIN, BenchOutcome, Step
from ragtune.core.types import Stage
from ragtune.gui.finetune_options import TrainOptionsBox, decline_share_box, share_of
from ragtune.gui.finetune_view import FineTuneView


class _Messages:
    def __init__(self) -> None:
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def error(self, exc: BaseException, context: str) -> None:
        raise AssertionError(f"{context}: {exc}")


def _view(qtbot: QtBot) -> FineTuneView:
    view = FineTuneView(cast(Any, SimpleNamespace(messages=_Messages())))
    qtbot.addWidget(view)
    return view


def test_declines_and_alpha_follow_the_core(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    assert decline_share_box().value() == round(set_types.DEFAULT_DECLINE_SHARE * 100) == 20
    monkeypatch.setattr(set_types, "DEFAULT_DECLINE_SHARE", 0.35)
    monkeypatch.setattr(train_types, "ALPHA_PER_RANK", 3.0)
    box = decline_share_box()
    assert box.value() == 35
    assert share_of(box) == pytest.approx(0.35)
    options = TrainOptionsBox()
    qtbot.addWidget(options)
    options.rank.setValue(4)
    assert options.options().alpha == 12.0
    assert "alpha is 3 times the rank" in options.rank.toolTip()
    view = _view(qtbot)
    assert view.decline_share.value() == 35


def test_progress_and_result_show_the_cores_sentences(qtbot: QtBot) -> None:
    view = _view(qtbot)
    step = TrainProgress(Stage.TRAINING, 5, 24, 1.2345, 41.0, 190.0, 1)
    view._train_progress(step)
    assert view.options.status.text() == step.text()
    assert view.options.progress.value() == 5
    for event in (Step(TRAIN, "Tiny"), Step(BENCH, "Tiny")):
        view._train_progress(event)
        assert view.options.status.text() == event.text()

    result = TrainResult("/a/tiny.gguf", 6, 24, 0, 2, 0, 1.5, 40.0, 65.0, "cpu", BUDGET)
    made = TrainedAdapter(result, AdapterInfo(result.adapter, "tiny", "qwen2", 8.0, 96), "/w/set.jsonl", "ab" * 32)
    with qtbot.waitSignal(view.adapter_trained) as trained:
        view._trained(made)
    assert trained.args == ["/a/tiny.gguf"]
    with qtbot.waitSignal(view.bench_finished) as benched:
        view._job_done()  # the training job is over: the bench follows (no set built: no test split)
    assert benched.args == [None]
    shown = view.verdict.text()
    assert made.summary() in shown
    assert "(the time budget ran out)" in shown
    assert BenchOutcome(None).text() in shown
