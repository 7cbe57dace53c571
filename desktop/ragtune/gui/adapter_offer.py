"""The offer above the conversation to switch on the shipped cite-and-decline adapter.

When the current library holds passages that look like instructions to a model and the shipped
adapter is off, the window says so, without a dialog, and offers to turn it on at its measured
strength. When to offer, and the words, are the core's (``core.answer_types.adapter_offer``); this
banner only shows them and says when the person accepts (``accepted``) or dismisses it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from ragtune.core.answer_types import SHIPPED_ADAPTER_STRENGTH
from ragtune.gui.message_parts import wrapping


class AdapterOfferBanner(QFrame):
    """A non-modal notice with "Turn it on" and a dismiss button; hidden while there is no offer."""

    accepted = Signal(str)  # the library the offer was about

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adapterOffer")
        self.library = ""
        self._dismissed: set[str] = set()  # libraries whose offer was dismissed in this session
        self.label = wrapping(QLabel())
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a library's name is shown, never rendered
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.turn_on_button = QPushButton("Turn it on")
        self.turn_on_button.setToolTip(
            f"Switch on the shipped adapter at {round(SHIPPED_ADAPTER_STRENGTH * 100)} % (Model & adapters)"
        )
        self.turn_on_button.clicked.connect(self._accept)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip("Not now (for this library, until Ragtune restarts)")
        self.dismiss_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.turn_on_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_offer(self, library: str | None, text: str) -> None:
        """Show ``text`` (the core's offer) for ``library``; hide when it is empty or dismissed."""
        self.library = library or ""
        visible = bool(text) and self.library not in self._dismissed
        self.label.setText(text)
        self.setVisible(visible)

    def _accept(self) -> None:
        self.setVisible(False)
        self.accepted.emit(self.library)

    def _dismiss(self) -> None:
        self._dismissed.add(self.library)
        self.setVisible(False)
