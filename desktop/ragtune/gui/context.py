"""What every panel of the window shares: the service, the lanes, messages and UI settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ragtune import paths
from ragtune.gui.messages import Messages
from ragtune.gui.tasks import Lane

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune


def ui_settings() -> QSettings:
    """Window layout and UI state, in an ini file under the config directory (``RAGTUNE_HOME``
    isolates tests)."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


@dataclass
class AppContext:
    svc: Ragtune
    index_lane: Lane
    model_lane: Lane
    reads: Lane
    messages: Messages
    settings: QSettings
    #: waits on a training child process (the model lane stays free for the chat meanwhile)
    train_lane: Lane = field(default_factory=lambda: Lane("train"))
    #: model downloads (network and disk only; a partial download is kept when stopped)
    download_lane: Lane = field(default_factory=lambda: Lane("download"))

    def shutdown(self) -> None:
        """Stop the lanes (cancelling their work) before the service closes."""
        for lane in (self.model_lane, self.index_lane, self.reads, self.download_lane):
            lane.shutdown()
        # a training child stops within one example and saves its checkpoint: give it the time
        self.train_lane.shutdown(wait_ms=45_000)
