"""After an index run the window's status bar says which files were skipped and why, in the
core's words (``IndexReport.skipped_sentence``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from office_factory import make_pptx
from ragtune.gui.indexing import IndexController


def test_status_bar_names_skipped_types_after_an_index_run(
    qtbot: QtBot, panel_ctx: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "server.log").write_text("WARN backup volume quokka-7 is 93% full\n")
    make_pptx(folder / "talk.pptx")
    for name in ("a.key", "b.key", "c.numbers"):
        (folder / name).write_bytes(b"\x00 not for us")
    controller = IndexController(panel_ctx)
    with qtbot.waitSignal(panel_ctx.messages.shown, timeout=60_000) as shown:
        assert controller.index("Dropped", [str(folder)]) is not None
    message = shown.args[0]
    assert message.startswith("Indexed Dropped: 2 added")
    assert message.endswith(
        "Skipped 3 files of types Ragtune does not read: .key \u00d72, .numbers \u00d71."
    )
    assert panel_ctx.messages.status_bar.currentMessage() == message
