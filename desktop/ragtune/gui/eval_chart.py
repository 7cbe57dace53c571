"""The Evaluate tab's chart: per mode, one bar per measure (correct, cited the right source, declined
absent questions, made up an answer to absent ones), its height the share, with a whisker for the
95 % interval of the count (``Count.interval``), and a legend.

Painted with Qt's own ``QPainter``: no plotting library to ship or keep up to date for four bars a
mode, and it follows the palette (light or dark). It draws the same figures as the HTML report's SVG
chart (``core.evaluate.report.chart_svg``): both read ``summarize(record)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ragtune.core.evaluate.summary import Count, RunSummary

#: (label, colour) per measure, in bar order
MEASURES: tuple[tuple[str, str], ...] = (
    ("Correct", "#2f6fb3"),
    ("Cited the right source", "#3b9a57"),
    ("Declined (absent)", "#8a5cc7"),
    ("Made up (absent)", "#c2513c"),
)


@dataclass(frozen=True)
class Bar:
    measure: int  # index into MEASURES
    count: Count


@dataclass(frozen=True)
class Group:
    label: str
    bars: list[Bar]


def groups_of(summary: RunSummary) -> list[Group]:
    """Each mode's bars; a measure with nothing counted (``0/0``) has no bar."""
    out = []
    for m in summary.modes:
        counts = (m.correct, m.cited, m.declined_absent, m.hallucinated_absent)
        out.append(Group(m.mode.label, [Bar(i, c) for i, c in enumerate(counts) if c.n]))
    return out


class EvalChart(QWidget):
    """Grouped bars with interval whiskers (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[Group] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(200)

    def set_summary(self, summary: RunSummary | None) -> None:
        self.groups = groups_of(summary) if summary is not None else []
        self.setToolTip(self._tooltip())
        self.update()

    def has_data(self) -> bool:
        return any(g.bars for g in self.groups)

    def _tooltip(self) -> str:
        lines = []
        for g in self.groups:
            parts = [f"{MEASURES[b.measure][0]} {b.count.describe()}" for b in g.bars]
            lines.append(f"{g.label}: " + "; ".join(parts))
        return "\n".join(lines)

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(50)
        fm = painter.fontMetrics()
        line = fm.height()
        legend_h = self._paint_legend(painter, text)
        left, right = fm.horizontalAdvance("100 %") + 8, self.width() - 6
        top, bottom = legend_h + 8, self.height() - line - 6
        plot = QRectF(left, top, max(right - left, 10), max(bottom - top, 10))
        painter.setPen(text)
        for share in (0.0, 0.5, 1.0):
            y = plot.bottom() - share * plot.height()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - line / 2, left - 4, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{share:.0%}".replace("%", " %"),
            )
        if not self.groups:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No results yet")
            return
        slot = plot.width() / len(self.groups)
        for gi, group in enumerate(self.groups):
            x0 = plot.left() + gi * slot
            label_rect = QRectF(x0, plot.bottom() + 2, slot, line)
            painter.setPen(text)
            painter.drawText(
                label_rect,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                fm.elidedText(group.label, Qt.TextElideMode.ElideRight, int(slot)),
            )
            if not group.bars:
                continue
            inner = slot * 0.8
            width = inner / len(MEASURES)
            start = x0 + (slot - inner) / 2
            for bar in group.bars:
                self._paint_bar(painter, plot, start + bar.measure * width, width * 0.85, bar, text)
        painter.end()

    def _paint_bar(self, painter: QPainter, plot: QRectF, x: float, w: float, bar: Bar, text: QColor) -> None:
        colour = QColor(MEASURES[bar.measure][1])
        h = bar.count.share * plot.height()
        painter.fillRect(QRectF(x, plot.bottom() - h, w, max(h, 1.0)), colour)
        low, high = bar.count.interval
        cx = x + w / 2
        y_low, y_high = plot.bottom() - low * plot.height(), plot.bottom() - high * plot.height()
        painter.setPen(QPen(text, 1.2))
        painter.drawLine(int(cx), int(y_low), int(cx), int(y_high))
        cap = max(2.0, w / 4)
        painter.drawLine(int(cx - cap), int(y_low), int(cx + cap), int(y_low))
        painter.drawLine(int(cx - cap), int(y_high), int(cx + cap), int(y_high))

    def _paint_legend(self, painter: QPainter, text: QColor) -> int:
        """The legend, wrapped over as many lines as the width needs; returns its height."""
        fm = painter.fontMetrics()
        line = fm.height()
        x, y = 6, 2
        for label, colour in MEASURES:
            need = line + 4 + fm.horizontalAdvance(label) + 12
            if x > 6 and x + need > self.width():
                x, y = 6, y + line + 2
            painter.fillRect(QRectF(x, y + 2, line - 4, line - 4), QColor(colour))
            painter.setPen(text)
            painter.drawText(QRectF(x + line, y, need, line), Qt.AlignmentFlag.AlignVCenter, label)
            x += need
        return y + line
