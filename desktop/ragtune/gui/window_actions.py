"""The window's menus and keyboard shortcuts, wired to the slots the window hands in.

Ctrl+O add files, Ctrl+Shift+O add a folder, Ctrl+N new chat, Ctrl+, settings, Ctrl+E export the
chat, Esc stop the answer, F5 re-scan, Ctrl+Q quit. The window passes its slots in (``slots``), so
this module does not import the main window (no import circle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ragtune import __version__, paths
from ragtune.gui.look import icon


def _action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    icon_name: str = "",
) -> QAction:
    action = QAction(icon(icon_name), text, window) if icon_name else QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


def install_actions(window: QMainWindow, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """Create ``window``'s menus, each action calling its slot from ``slots`` (``add_files``,
    ``add_folder``, ``rescan``, ``export``, ``settings``, ``new_chat``, ``stop``, ``compare``);
    returns the actions by name (tests trigger them)."""
    actions = {
        "add_files": _action(window, "Add files…", slots["add_files"], "Ctrl+O", "add"),
        "add_folder": _action(window, "Add folder…", slots["add_folder"], "Ctrl+Shift+O", "folder"),
        "rescan": _action(window, "Re-scan library", slots["rescan"], "F5"),
        "export": _action(window, "Export chat…", slots["export"], "Ctrl+E"),
        "settings": _action(
            window, "Settings…", slots["settings"], QKeySequence.StandardKey.Preferences, "settings"
        ),
        "quit": _action(window, "Quit", window.close, "Ctrl+Q"),
        "new_chat": _action(window, "New chat", slots["new_chat"], "Ctrl+N", "add"),
        "stop": _action(window, "Stop", slots["stop"], "Esc", "stop"),
        "compare": _action(window, "Compare answers…", slots["compare"], None, "compare"),
        "open_log": _action(window, "Open log folder", _open_logs),
        "about": _action(window, "About Ragtune", lambda: _about(window)),
    }
    # Ctrl+, is the Preferences key on most platforms but not all: make sure it is there.
    settings = actions["settings"]
    if QKeySequence("Ctrl+,") not in settings.shortcuts():
        settings.setShortcuts([*settings.shortcuts(), QKeySequence("Ctrl+,")])
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for name in ("add_files", "add_folder", "rescan", "export", "settings", "quit"):
        if name == "settings" or name == "quit":
            file_menu.addSeparator()
        file_menu.addAction(actions[name])
    chat_menu = bar.addMenu("&Chat")
    for name in ("new_chat", "stop", "compare"):
        chat_menu.addAction(actions[name])
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions["open_log"])
    help_menu.addAction(actions["about"])
    return actions


def _open_logs() -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))


def _about(window: QMainWindow) -> None:
    QMessageBox.about(
        window,
        "About Ragtune",
        f"<b>Ragtune {__version__}</b><p>Cited answers from your own documents, offline, with a "
        f"local model and LoRA adapters.</p><p>Data: {paths.data_dir()}<br>Log: {paths.log_path()}</p>",
    )
