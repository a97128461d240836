"""The summary strip: how many are waiting, by priority, long waits, median wait, a histogram.

The figures describe the rows the list shows, so they follow the filters. Wait
figures (median, % within 18 weeks, counts past 18 to 104 weeks, the
histogram) count RTT pathways whose wait counts; the line under them says how
many that is and what was left out (``workbench.view.summary``). The plot
items are made once and updated in place (``setOpts``), never rebuilt.
Colours come from the desktop palette so high-contrast themes still read.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from workbench.view.summary import ListSummary
from workbench.fields import LONG_WAIT_WEEKS, RTT_STANDARD_WEEKS
from workbench.report.glossary import explain_text, explained


def percent(part: int, whole: int) -> str:
    """A share as a whole percentage ('<1%' rather than a misleading 0%).

    >>> percent(1, 1000), percent(0, 10), percent(5, 10)
    ('<1%', '0%', '50%')
    """
    if whole == 0 or part == 0:
        return "0%"
    share = 100 * part / whole
    return "<1%" if share < 1 else f"{share:.0f}%"


class SummaryStrip(QWidget):
    """Headline figures and a weeks-waited histogram for the rows shown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Summary of the rows shown")
        self.figures: dict[str, QLabel] = {}
        layout = QHBoxLayout(self)
        figures = QVBoxLayout()
        figures.addLayout(self._figure_grid())
        self.denominator = QLabel()
        self.denominator.setWordWrap(True)
        self.denominator.setAccessibleName("Which rows the wait figures count")
        self.denominator.setToolTip(explained("RTT waits counted", "Overdue for priority"))
        figures.addWidget(self.denominator)
        layout.addLayout(figures, 0)
        layout.addWidget(self._separator())
        self.priorities = self._label("By priority", "priority")
        self.priorities.setWordWrap(True)
        self.priorities.setMinimumWidth(self.fontMetrics().averageCharWidth() * 20)
        layout.addWidget(self.priorities, 1)
        layout.addWidget(self._separator())
        layout.addWidget(self._histogram(), 2)
        self.show_summary(None)

    # Ours ------------------------------------------------------------------
    def show_summary(self, summary: ListSummary | None) -> None:
        """Show the figures for a set of rows (``None``: no list loaded)."""
        if summary is None:
            for label in self.figures.values():
                label.setText("–")
            self.priorities.setText("By priority: –")
            self.denominator.setText("")
            self.bars.setOpts(x0=[], x1=[], height=[])
            return
        counted = summary.rtt_counted
        self.figures["total"].setText(f"{summary.total:,}")
        self.figures["median"].setText("–" if summary.median_weeks is None else f"{summary.median_weeks:.1f} weeks")
        within = summary.within_standard
        self.figures["within"].setText("–" if within is None else percent(counted - summary.over_weeks[RTT_STANDARD_WEEKS], counted))
        for limit in LONG_WAIT_WEEKS:
            over = summary.over_weeks[limit]
            self.figures[f"over_{limit}"].setText(f"{over:,} ({percent(over, counted)})")
        self.figures["overdue"].setText(f"{summary.overdue:,}")
        self.denominator.setText(f"{summary.denominator()}. Percentages are of the RTT waits counted. "
                                 f"{summary.overdue_words()}.")
        self.priorities.setText(self._priority_text(summary))
        self._show_histogram(summary.histogram_edges, summary.histogram_counts)

    # Building ----------------------------------------------------------------
    def _figure_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(self.fontMetrics().averageCharWidth() * 2)
        entries = [("total", "Patients"), ("median", "Median wait"), ("within", f"Within {RTT_STANDARD_WEEKS} weeks")]
        entries += [(f"over_{limit}", f"Over {limit} weeks") for limit in LONG_WAIT_WEEKS]
        entries += [("overdue", "Overdue for priority")]
        for position, (key, caption) in enumerate(entries):
            column, row = divmod(position, 3)  # three rows: nine figures stay narrow enough for a small screen
            title = QLabel(caption)
            value = self._label(caption, key)
            title.setBuddy(value)
            value.setToolTip(explain_text(caption) or "Patients on the list: the rows the filters show.")
            grid.addWidget(title, row * 2, column)
            grid.addWidget(value, row * 2 + 1, column)
        return grid

    def _label(self, caption: str, key: str) -> QLabel:
        label = QLabel()
        font = label.font()
        font.setBold(True)  # emphasis by weight, not size: the desktop's font size stays in charge
        label.setFont(font)
        label.setAccessibleName(caption)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.figures[key] = label
        return label

    def _separator(self) -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        return line

    def _histogram(self) -> pg.PlotWidget:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        self.plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
        self.plot.setAccessibleName("Histogram of weeks waited")
        self.plot.setToolTip("RTT patients by weeks waited, in four-week bars; dashed lines at "
                             + ", ".join(str(w) for w in LONG_WAIT_WEEKS[:-1]) + f" and {LONG_WAIT_WEEKS[-1]} weeks"
                             + "\n\n" + explained("RTT waits counted", "Long waits"))
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(self.fontMetrics().height() * 6)
        self.plot.setMinimumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.plot.setMaximumHeight(self.fontMetrics().height() * 9)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.plot.setLabel("bottom", "weeks waited", color=text.name())
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush=palette.color(QPalette.ColorRole.Highlight),
                                    pen=pg.mkPen(palette.color(QPalette.ColorRole.Base)))
        self.plot.addItem(self.bars)
        for limit in LONG_WAIT_WEEKS:
            self.plot.addItem(pg.InfiniteLine(limit, angle=90, pen=pg.mkPen(text, style=Qt.PenStyle.DashLine)))
        return self.plot

    def _show_histogram(self, edges: np.ndarray, counts: np.ndarray) -> None:
        self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=counts)
        self.plot.setXRange(0, max(float(edges[-1]), LONG_WAIT_WEEKS[-1] + 4), padding=0.02)
        self.plot.setYRange(0, max(1, int(counts.max()) if len(counts) else 1), padding=0.05)

    @staticmethod
    def _priority_text(summary: ListSummary) -> str:
        if not summary.by_priority:
            return "By priority: no priorities in this list"
        parts = [f"{code}\u00a0{count:,}" for code, count in summary.by_priority.items()]
        return "By priority:  " + "   ".join(parts)
