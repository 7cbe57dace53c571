"""The app's hooks for the bundled build: the self-check (``RAGTUNE_SELF_CHECK``) that
``packaging/check_bundle.py`` reads from outside, run here in the normal app offscreen on a real
first start; its time limit; and the Fine-tune banner of a frozen app, which cannot pip install."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ragtune.gui import finetune_install
from ragtune.gui.first_start import FirstStart
from ragtune.gui.main_window import MainWindow
from ragtune.gui.self_check import SelfCheck, install_from_env, process_start_time

WAIT_MS = 300_000


def test_first_start_self_check_writes_its_report(
    qtbot: QtBot, panel_service: Any, real_chat_model: Path, tmp_path: Path
) -> None:
    """The real model: the bundle's self-check is a first start as a person has it, a real cited
    answer included (packaging/check_bundle.py judges the bundle on it)."""
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    first = FirstStart(window)
    codes: list[int] = []
    report_path = tmp_path / "out" / "report.json"
    check = SelfCheck(window, first, report_path, quit=codes.append)
    with qtbot.waitSignal(check.finished, timeout=WAIT_MS) as finished:
        first.start()
    assert finished.args == [True]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["ok"] is True, report
    assert report["errors"] == []
    assert report["window_shown"] is True
    assert report["frozen"] is False
    assert report["indexed_now"] is True
    assert report["documents_indexed"] == 3
    assert report["failed_files"] == []
    assert report["sample_languages"].startswith("English")
    assert report["asked_by"] == "suggestion button"
    assert report["question"].endswith("?")
    assert report["answer"].strip()
    assert report["declined"] is False
    assert report["answer_timings"]["completion_tokens"] > 0
    assert report["citations"]
    assert {"n", "file", "page"} <= set(report["citations"][0])
    times = [report[f"seconds_to_{step}"] for step in ["window", "indexed", "answered"]]
    assert times == sorted(times)
    assert times[0] >= 0
    assert Path(report["window_picture"]).is_file()
    # the question went through the window: it is in the chat, as a user's would be
    qtbot.waitUntil(lambda: len(window.chat_view.messages) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: codes == [0], timeout=10_000)
    window.close()


def test_self_check_gives_up_at_its_time_limit(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    codes: list[int] = []
    check = SelfCheck(window, FirstStart(window), tmp_path / "r.json", quit=codes.append, timeout_s=0.2)
    with qtbot.waitSignal(check.finished, timeout=10_000) as finished:
        pass  # the first start never runs
    assert finished.args == [False]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["errors"] == ["the self-check ran out of time"]
    qtbot.waitUntil(lambda: codes == [2], timeout=5_000)
    window.close()


def test_self_check_only_when_asked(
    qtbot: QtBot, panel_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    first = FirstStart(window)
    monkeypatch.delenv("RAGTUNE_SELF_CHECK", raising=False)
    assert install_from_env(window, first) is None
    monkeypatch.setenv("RAGTUNE_SELF_CHECK", str(tmp_path / "r.json"))
    monkeypatch.setenv("RAGTUNE_SELF_CHECK_LINGER", "2.5")
    check = install_from_env(window, first)
    assert check is not None
    assert check.path == tmp_path / "r.json"
    assert check.linger_s == 2.5
    assert process_start_time() <= check.started + 1
    window.close()


def test_frozen_app_says_where_to_train_instead_of_installing(
    qtbot: QtBot, panel_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ragtune.gui.finetune_view import FineTuneView

    monkeypatch.setattr(finetune_install, "train_extra_missing", lambda: "Training needs torch.")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    view = FineTuneView(panel_ctx)
    qtbot.addWidget(view)
    view.show()
    assert view.banner.isVisible()
    assert view.banner.text.text() == finetune_install.FROZEN_NOTE
    assert 'pip install "ragtune[train]"' in view.banner.text.text()
    assert not view.banner.install_button.isVisible()
    view.banner.install()  # even if called, a frozen app starts no pip
    assert view.banner.process is None
