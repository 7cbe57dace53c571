"""The "Engine" section of the settings dialog: the built-in model or an OpenAI-compatible server
(base URL, model name, API key, timeouts), the plain-http warning shown inline, and "Test
connection", which reaches the server on the read lane so the window never waits on the network.

The API key is never part of ``Settings``: ``store_key`` hands it to the OS keyring through
``core.engine_profile.store_api_key`` (docs/architecture.md, "The answer path").
"""

from __future__ import annotations

from dataclasses import replace

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ragtune.core.engine_profile import (
    ConnectionReport,
    EngineKind,
    check_connection,
    http_warning,
    store_api_key,
)
from ragtune.gui.context import AppContext
from ragtune.gui.look import muted
from ragtune.gui.tasks import Job
from ragtune.settings import Settings

LOCAL_TEXT = "Built-in model (this computer)"
SERVER_TEXT = "OpenAI-compatible server"


def _seconds(value: float, high: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.5, high)
    box.setDecimals(1)
    box.setSingleStep(1.0)
    box.setSuffix(" s")
    box.setValue(max(0.5, min(high, value)))
    return box


class EngineSection(QGroupBox):
    """Edits the engine fields of ``Settings``; ``apply`` folds them into a ``Settings`` value."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Engine", parent)
        self.ctx = ctx
        s = ctx.svc.settings
        self.kind = QComboBox()
        self.kind.addItem(LOCAL_TEXT, EngineKind.LOCAL.value)
        self.kind.addItem(SERVER_TEXT, EngineKind.OPENAI.value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(str(s.engine))))
        self.url = QLineEdit(s.engine_url)
        self.url.setPlaceholderText("http://127.0.0.1:8080/v1")
        self.model = QLineEdit(s.engine_model)
        self.model.setPlaceholderText("the first model the server lists")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("empty = keep the stored key (kept in the system keyring)")
        self.connect_timeout = _seconds(s.engine_connect_timeout_s, 120.0)
        self.connect_timeout.setToolTip("How long to wait for the server to accept a connection")
        self.read_timeout = _seconds(s.engine_read_timeout_s, 3600.0)
        self.read_timeout.setToolTip("Longest silence mid-answer before the answer counts as cut")
        self.context = QSpinBox()
        self.context.setRange(0, 1_048_576)
        self.context.setSingleStep(512)
        self.context.setSpecialValueText("ask the server")
        self.context.setValue(max(0, s.engine_context_size))
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b25000;")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = muted(QLabel())
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        form = QFormLayout(self)
        form.addRow("Engine", self.kind)
        form.addRow("Base URL", self.url)
        form.addRow("Model name", self.model)
        form.addRow("API key", self.key)
        form.addRow("Connect timeout", self.connect_timeout)
        form.addRow("Read timeout", self.read_timeout)
        form.addRow("Server context", self.context)
        form.addRow("", self.warning)
        form.addRow("", test_row)
        self.kind.currentIndexChanged.connect(self._update)
        self.url.textChanged.connect(self._update)
        self.testing: Job | None = None
        self._update()

    def is_server(self) -> bool:
        return self.kind.currentData() == EngineKind.OPENAI

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with the engine fields as the section shows them (never the key)."""
        return replace(
            settings,
            engine=EngineKind(self.kind.currentData()),
            engine_url=self.url.text().strip(),
            engine_model=self.model.text().strip(),
            engine_connect_timeout_s=round(self.connect_timeout.value(), 1),
            engine_read_timeout_s=round(self.read_timeout.value(), 1),
            engine_context_size=self.context.value(),
        )

    def problem(self) -> str | None:
        """Why the section cannot be saved as it is, or None."""
        if self.is_server() and not self.url.text().strip():
            return "An OpenAI-compatible server needs its base URL."
        return None

    def store_key(self) -> None:
        """Keep a newly typed API key in the keyring (raises the keyring's error if it cannot)."""
        key = self.key.text().strip()
        if key and self.is_server() and self.url.text().strip():
            store_api_key(self.url.text().strip(), key)
            self.key.clear()

    def _update(self) -> None:
        server = self.is_server()
        for widget in (self.url, self.model, self.key, self.connect_timeout, self.read_timeout,
                       self.context, self.test_button):
            widget.setEnabled(server)
        url = self.url.text().strip()
        warning = http_warning(url) if server and url else None
        self.warning.setText(warning or "")
        self.warning.setVisible(bool(warning))

    # -- test connection ---------------------------------------------------------------------------
    def test_connection(self) -> Job | None:
        """Reach the server as the fields say, on the read lane; the answer lands in ``test_result``."""
        problem = self.problem()
        if problem:
            self.test_result.setText(problem)
            return None
        settings = self.apply(self.ctx.svc.settings)
        key = self.key.text().strip() or None
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")
        self.testing = self.ctx.reads.submit(
            lambda _job: check_connection(settings, key),
            on_result=self._tested,
            on_error=self._test_failed,
            name="test connection",
        )
        return self.testing

    def _tested(self, report: ConnectionReport) -> None:
        if shiboken6.isValid(self):
            self._show_test(report.describe())

    def _test_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            self._show_test(f"Not connected: {exc}")

    def _show_test(self, text: str) -> None:
        self.test_result.setText(text)
        self.test_button.setEnabled(self.is_server())
