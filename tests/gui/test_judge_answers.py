"""The person checks the judge in the Evaluate tab (issue 20): the buttons under an answer overrule
the rule's judgement; the results grid and the verdict follow, and the Results page shows the rule's
agreement with the person with the disagreement listed. The real service, a scripted model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ragtune import paths
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.judgements import Judgement
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.gui.chat_input import SAMPLE_LIBRARY
from ragtune.gui.evaluate_view import PAGE_ANSWERS
from ragtune.gui.main_window import MainWindow

WAIT_MS = 60_000
LAMP = "solar-garden-lamp-manual.md"
ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months", gold_file=LAMP),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT),
]


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.waitUntil(lambda: button.isVisible() and not button.rect().isEmpty(), timeout=WAIT_MS)  # laid out
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_judgement_in_the_tab_overrules_the_rule(qtbot: QtBot, panel_service: Any, scripted_model: Any) -> None:
    svc = panel_service
    scripted_model.answer = "The lamp is guaranteed for two years."
    svc.library.index(SAMPLE_LIBRARY, [str(paths.sample_library_dir())])
    svc.evaluation.add_questions(SAMPLE_LIBRARY, "Tiny", ITEMS)
    record = svc.evaluation.run(SAMPLE_LIBRARY, "Tiny", split=None, modes=[Mode.RAG])
    window = MainWindow(svc)
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    view = window.evaluate_view
    window.tabs.setCurrentWidget(view)
    window.library_panel.select_library(SAMPLE_LIBRARY)
    qtbot.waitUntil(lambda: view.library == SAMPLE_LIBRARY, timeout=30_000)
    view.show_run(record.info.id)
    qtbot.waitUntil(lambda: view.record is not None and view.record.info.id == record.info.id, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ctx.reads.busy(), timeout=WAIT_MS)  # the tab has read everything
    assert view.results.grid.cell_text(0, 0).startswith("0/1")  # the rule: "two years" is wrong
    assert "have not judged" in view.results.agreement.text()

    view.pages.setCurrentIndex(PAGE_ANSWERS)
    lamp = next(q for q in record.questions if q.gold_file == LAMP)
    view.answers.choose(lamp.id)
    (box,) = view.answers.boxes
    assert set(box.judge_buttons) == {Judgement.CORRECT, Judgement.WRONG}
    click(qtbot, box.judge_buttons[Judgement.CORRECT])
    qtbot.waitUntil(lambda: view.results.grid.cell_text(0, 0).startswith("1/1"), timeout=WAIT_MS)
    agreement = view.results.agreement.text()
    assert agreement.startswith("The rule agrees with you on 0 of 1 answers you judged (0%).")
    assert "the rule said wrong, you said correct" in agreement
    (box,) = view.answers.boxes  # shown again, on the same question
    assert box.judge_buttons[Judgement.CORRECT].isChecked()
    assert "correct (yours; the rule said wrong)" in box.verdict.text()

    cup = next(q for q in record.questions if q.kind is Kind.ABSENT)
    view.answers.choose(cup.id)
    (box,) = view.answers.boxes
    assert set(box.judge_buttons) == {Judgement.DECLINED, Judgement.MADE_UP}

    view.answers.choose(lamp.id)
    (box,) = view.answers.boxes
    click(qtbot, box.judge_buttons[Judgement.CORRECT])  # taken back
    qtbot.waitUntil(lambda: view.results.grid.cell_text(0, 0).startswith("0/1"), timeout=WAIT_MS)
    assert "have not judged" in view.results.agreement.text()
