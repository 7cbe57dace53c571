"""Marking answers in the window (issue 20): an answer marked wrong with the right answer and its
page lands in the library's set "From my chats" and in the next bench run; a refused mark is shown
in the editor, which keeps what was typed; Right, Alt+R on the latest answer, removing the mark, and
the mark shown again when the chat is opened later. The real service and lanes, a scripted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Split
from ragtune.core.marks import CHAT_SET, Verdict
from ragtune.gui.chat_view import ChatView
from window_support import make_documents

WAIT_MS = 60_000


QUESTION = "What is the keeper's cat called?"


def on_docs(qtbot: QtBot, panel_ctx: Any, tmp_path: Path, view_class: Any) -> Any:
    """A view of ``view_class`` on the library "docs" (indexed now), shown."""
    panel_ctx.svc.library.index("docs", [make_documents(tmp_path / "docs")])
    view = view_class(panel_ctx, lambda: [], lambda: "docs")
    qtbot.addWidget(view)
    view.show()
    return view


def asked(qtbot: QtBot, panel_ctx: Any, tmp_path: Path) -> ChatView:
    view: ChatView = on_docs(qtbot, panel_ctx, tmp_path, ChatView)
    with qtbot.waitSignal(view.answer_finished, timeout=WAIT_MS):
        view.ask(QUESTION)
    return view


def idle(qtbot: QtBot, panel_ctx: Any) -> None:
    qtbot.waitUntil(lambda: not panel_ctx.reads.busy(), timeout=WAIT_MS)


def test_an_answer_marked_wrong_with_a_correction_joins_the_set_and_the_next_bench(
    qtbot: QtBot, panel_ctx: Any, tmp_path: Path
) -> None:
    view = asked(qtbot, panel_ctx, tmp_path)
    answer = view.messages[-1]
    bar, editor = answer.mark_bar, answer.mark_editor
    assert bar.isVisible()
    assert bar.message_id > 0
    assert answer.citations  # the scripted answer cites the passage it quotes

    qtbot.mouseClick(bar.wrong_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.isVisible, timeout=WAIT_MS)
    assert not bar.wrong_button.isChecked()  # nothing is marked until the editor is saved
    # a file the library does not have is refused in the editor, which keeps what was typed
    qtbot.keyClicks(editor.answer, "Marmalade")
    editor.where.setCurrentIndex(editor.where.findData("elsewhere"))
    assert editor.other_row.isVisibleTo(editor)
    editor.other_file.setCurrentText("nowhere.pdf")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.problem.isVisible, timeout=WAIT_MS)
    assert "not a document of this library" in editor.problem.text()
    assert editor.answer.text() == "Marmalade"
    assert bar.mark is None

    cited = answer.citations[0]
    editor.where.setCurrentIndex(editor.where.findData(f"cited {cited.n}"))
    qtbot.keyClick(editor.answer, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: bar.mark is not None, timeout=WAIT_MS)
    assert not editor.isVisible()
    assert bar.wrong_button.isChecked()
    assert not bar.right_button.isChecked()
    assert bar.state.text().startswith("Marked wrong: \u201cMarmalade\u201d")
    assert "From my chats" in panel_ctx.messages.last_message

    svc = panel_ctx.svc
    (item,) = svc.evaluation.questions("docs", CHAT_SET)
    assert (item.question, item.answer) == ("What is the keeper's cat called?", "Marmalade")
    assert (item.gold_file, item.gold_page) == (cited.path, cited.page)
    record = svc.evaluation.run("docs", CHAT_SET, split=None, modes=[Mode.RAG])
    assert [q.question for q in record.questions] == [item.question]
    assert record.info.total == 1
    (result,) = record.results
    assert result.cites_gold  # judged against the page the person named
    assert result.correct is ("Marmalade" in result.answer)  # and against the person's answer

    # opened again later, the chat shows the stored mark
    chat = view.chat
    view.set_chat(None)
    view.set_chat(chat)
    qtbot.waitUntil(lambda: bool(view.messages) and view.messages[-1].mark_bar.mark is not None, timeout=WAIT_MS)
    assert view.messages[-1].mark_bar.mark is not None
    assert view.messages[-1].mark_bar.mark.answer == "Marmalade"


def test_right_by_click_and_by_alt_r_and_removing_it(qtbot: QtBot, panel_ctx: Any, tmp_path: Path) -> None:
    view = asked(qtbot, panel_ctx, tmp_path)
    bar = view.messages[-1].mark_bar
    view.input.setFocus()
    qtbot.keyClick(view.input, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # Alt+R: the latest answer
    qtbot.waitUntil(lambda: bar.mark is not None, timeout=WAIT_MS)
    assert bar.mark is not None
    assert bar.mark.verdict is Verdict.RIGHT
    assert bar.right_button.isChecked()
    (item,) = panel_ctx.svc.evaluation.questions("docs", CHAT_SET)
    assert item.split in (Split.TRAIN, Split.TEST)
    assert item.answer  # the answer's own first sentence

    qtbot.mouseClick(bar.right_button, Qt.MouseButton.LeftButton)  # clicking the checked one removes it
    qtbot.waitUntil(lambda: bar.mark is None, timeout=WAIT_MS)
    idle(qtbot, panel_ctx)
    assert not bar.right_button.isChecked()
    assert panel_ctx.svc.evaluation.questions("docs", CHAT_SET) == []

    qtbot.keyClick(view.input, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Alt+W: the editor
    editor = view.messages[-1].mark_editor
    qtbot.waitUntil(editor.isVisible, timeout=WAIT_MS)
    editor.where.setCurrentIndex(editor.where.findData("absent"))
    assert not editor.answer.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.mark is not None, timeout=WAIT_MS)
    assert bar.state.text() == "Marked wrong: not in my documents"
    assert panel_ctx.svc.evaluation.questions("docs", CHAT_SET)[0].kind.value == "absent"


def test_compare_answers_can_be_marked_too(qtbot: QtBot, panel_ctx: Any, tmp_path: Path) -> None:
    from ragtune.gui.compare_view import CompareView

    view: CompareView = on_docs(qtbot, panel_ctx, tmp_path, CompareView)
    with qtbot.waitSignal(view.compare_finished, timeout=WAIT_MS):
        view.run(QUESTION)
    bars = [c.message.mark_bar for c in view.columns.values()]
    assert len(bars) == 2  # model alone and RAG
    assert all(b.isVisible() and b.message_id > 0 for b in bars)
    rag = view.columns[Mode.RAG].message.mark_bar
    qtbot.mouseClick(rag.right_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rag.mark is not None, timeout=WAIT_MS)
    (item,) = panel_ctx.svc.evaluation.questions("docs", CHAT_SET)
    assert item.question == "What is the keeper's cat called?"


def test_esc_closes_the_editor_in_the_whole_window(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    from ragtune.gui.main_window import MainWindow

    panel_service.library.index("docs", [make_documents(tmp_path / "docs")])
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    window.library_panel.select_library("docs")
    qtbot.waitUntil(lambda: window.chat_view.library() == "docs", timeout=WAIT_MS)
    view = window.chat_view
    with qtbot.waitSignal(view.answer_finished, timeout=WAIT_MS):
        view.ask("What is the keeper's cat called?")
    answer = view.messages[-1]
    qtbot.waitUntil(lambda: answer.mark_bar.message_id > 0, timeout=WAIT_MS)
    view.marking.open_latest_wrong()
    editor = answer.mark_editor
    qtbot.waitUntil(editor.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(editor.answer.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(editor.answer, Qt.Key.Key_Escape)  # the window's Esc is Stop: the editor's wins here
    assert not editor.isVisible()
    assert answer.mark_bar.mark is None  # nothing was marked
