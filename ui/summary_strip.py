"""The summary strip: how many are waiting, by priority, long waits, median wait, a histogram.

The figures describe the rows the list shows, so they follow the filters. Wait
figures (median, % within 18 weeks, counts past 18 to 104 weeks, the
histogram) count RTT pathways whose wait counts; the line under them says how
many that is and what was left out (``workbench.view.summary``). The plot
items are made once and updated in place (``setOpts``), never rebuilt.
Colours come from the desktop palette so high-contrast themes still read.
The histogram's axes say what they count; the national thresholds are dashed
and labelled; waits of 104 weeks or more are one bar of their own, "104+".
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.charts import CountAxis, chart_colours, follow_app_font, paint_axes
from ui.sizing import font_changed
from workbench import formats
from workbench.fields import LONG_WAIT_WEEKS, RTT_STANDARD_WEEKS
from workbench.report.glossary import explain_text, explained
from workbench.view.summary import HISTOGRAM_TAIL_WEEKS, HISTOGRAM_WEEK_STEP, ListSummary

THRESHOLD_WEEKS = LONG_WAIT_WEEKS[:-1]  # 18, 52, 65, 78: dashed and labelled; 104 starts the tail's bar


class SummaryStrip(QWidget):
    """Headline figures and a weeks-waited histogram for the rows shown.

    Compact so the list keeps its rows on a small screen: nine figures in three
    lines (caption beside value), the priorities and the denominator under them,
    the histogram beside.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Summary of the rows shown")
        self.figures: dict[str, QLabel] = {}
        self.summary: ListSummary | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        figures = QVBoxLayout()
        figures.setSpacing(2)
        figures.addLayout(self._figure_grid())
        self.priorities = self._label("By priority", "priority")
        self.priorities.setWordWrap(True)
        figures.addWidget(self.priorities)
        self.denominator = QLabel()
        self.denominator.setWordWrap(True)
        self.denominator.setAccessibleName("Which rows the wait figures count")
        self.denominator.setToolTip(explained("RTT waits counted", "Overdue for priority"))
        figures.addWidget(self.denominator)
        figures.addStretch(1)
        layout.addLayout(figures, 3)
        layout.addWidget(self._separator())
        layout.addWidget(self._histogram(), 2)
        self.show_summary(None)

    # Ours ------------------------------------------------------------------
    def show_summary(self, summary: ListSummary | None) -> None:
        """Show the figures for a set of rows (``None``: no list loaded)."""
        self.summary = summary
        if summary is None:
            for label in self.figures.values():
                label.setText("–")
            self.priorities.setText("By priority: –")
            self.denominator.setText("")
            self._show_histogram(np.zeros(1), np.zeros(0, dtype=np.int64), 0)
            return
        counted = summary.rtt_counted
        self.figures["total"].setText(f"{summary.total:,}")
        self.figures["median"].setText("–" if summary.median_weeks is None else f"{summary.median_weeks:.1f} weeks")
        within = summary.within_standard
        self.figures["within"].setText("–" if within is None else formats.percent_of(counted - summary.over_weeks[RTT_STANDARD_WEEKS], counted))
        for limit in LONG_WAIT_WEEKS:
            over = summary.over_weeks[limit]
            self.figures[f"over_{limit}"].setText(f"{over:,} ({formats.percent_of(over, counted)})")
        self.figures["overdue"].setText(f"{summary.overdue:,}")
        self.denominator.setText(f"{summary.denominator()}. Percentages are of the RTT waits counted. "
                                 f"{summary.overdue_words()}.")
        self.priorities.setText(self._priority_text(summary))
        self._show_histogram(summary.histogram_edges, summary.histogram_counts, summary.histogram_tail)

    def axis_words(self) -> dict[str, str]:
        """What the histogram's axes say: their titles, and the labels under the weeks axis."""
        return {"left": self.plot.getAxis("left").labelText, "bottom": self.plot.getAxis("bottom").labelText,
                "ticks": " ".join(text for _week, text in self.week_ticks)}

    # Qt --------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_chart()
        elif font_changed(event):
            follow_app_font(self.plot.getPlotItem())
        super().changeEvent(event)

    # Building ----------------------------------------------------------------
    def _figure_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(self.fontMetrics().averageCharWidth())
        grid.setVerticalSpacing(0)
        entries = [("total", "Patients"), ("median", "Median wait"), ("within", f"Within {RTT_STANDARD_WEEKS} weeks")]
        entries += [(f"over_{limit}", f"Over {limit} weeks") for limit in LONG_WAIT_WEEKS]
        entries += [("overdue", "Overdue for priority")]
        for position, (key, caption) in enumerate(entries):
            column, row = divmod(position, 3)  # three lines of three figures, each caption beside its value
            title = QLabel(caption)
            value = self._label(caption, key)
            title.setBuddy(value)
            value.setToolTip(explain_text(caption) or "Patients on the list: the rows the filters show.")
            grid.addWidget(title, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
        for column in (1, 3):
            grid.setColumnMinimumWidth(column, self.fontMetrics().averageCharWidth() * 12)
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
        self.plot = pg.PlotWidget(axisItems={"left": CountAxis(orientation="left")})
        self.plot.setAccessibleName("Histogram of weeks waited")
        self.plot.setToolTip(
            f"RTT patients by weeks waited, in {HISTOGRAM_WEEK_STEP}-week bars; the waits of {HISTOGRAM_TAIL_WEEKS} weeks "
            f"or more in one bar marked {HISTOGRAM_TAIL_WEEKS}+. Dashed lines at "
            + ", ".join(str(w) for w in THRESHOLD_WEEKS) + " weeks, each labelled."
            + "\n\n" + explained("RTT waits counted", "Long waits"))
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(self.fontMetrics().height() * 5)
        self.plot.setMinimumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.plot.setMaximumHeight(self.fontMetrics().height() * 8)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.plot.setLabel("bottom", "Weeks waited")
        self.plot.setLabel("left", "Patients")
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[])
        self.tail_bar = pg.BarGraphItem(x0=[], x1=[], height=[])  # darker, and "104+" under it
        for item in (self.bars, self.tail_bar):
            self.plot.addItem(item)
        self.lines = [pg.InfiniteLine(week, angle=90, label=str(week),
                                      labelOpts={"position": 0.92, "anchors": [(0, 0.5), (0, 0.5)]})
                      for week in THRESHOLD_WEEKS]
        for line in self.lines:
            self.plot.addItem(line)
        self._paint_chart()
        return self.plot

    def _paint_chart(self) -> None:
        """The histogram in the palette's colours (a dark or high-contrast theme included)."""
        colours = chart_colours(self.palette())
        self.plot.setBackground(colours.background)
        paint_axes(self.plot.getPlotItem(), colours)
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        self.bars.setOpts(brush=highlight, pen=pg.mkPen(colours.background))
        self.tail_bar.setOpts(brush=pg.mkBrush(highlight.darker(150)), pen=pg.mkPen(colours.background))
        for line in self.lines:
            line.setPen(pg.mkPen(colours.text, style=Qt.PenStyle.DashLine))
            line.label.setColor(colours.text)

    def _show_histogram(self, edges: np.ndarray, counts: np.ndarray, tail: int) -> None:
        self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=counts)
        start = HISTOGRAM_TAIL_WEEKS
        self.tail_bar.setOpts(x0=[start], x1=[start + HISTOGRAM_WEEK_STEP * 2], height=[tail])
        self.tail_bar.setVisible(tail > 0)
        self.week_ticks = [(week, str(week)) for week in range(0, HISTOGRAM_TAIL_WEEKS, 26)]
        if tail:
            self.week_ticks.append((start + HISTOGRAM_WEEK_STEP, f"{start}+"))
        self.plot.getAxis("bottom").setTicks([self.week_ticks])
        right = start + HISTOGRAM_WEEK_STEP * 2 if tail else max(float(edges[-1]), THRESHOLD_WEEKS[-1] + HISTOGRAM_WEEK_STEP)
        self.plot.setXRange(0, right, padding=0.02)
        top = max([1, tail, *counts.tolist()])
        self.plot.setYRange(0, top * 1.25, padding=0)  # room above the bars for the lines' labels

    @staticmethod
    def _priority_text(summary: ListSummary) -> str:
        if not summary.by_priority:
            return "By priority: no priorities in this list"
        parts = [f"{code}\u00a0{count:,}" for code, count in summary.by_priority.items()]
        return "By priority:  " + "   ".join(parts)
