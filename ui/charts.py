"""What every chart of the app shares: colours from the desktop's palette, and axes of counts.

A chart drawn in fixed black on white stays a white panel under a dark or
high-contrast theme; these charts take their background, text and axis colours
from the palette (and follow it when it changes). Pictures for files (PNG, SVG,
the decision record) are drawn in :data:`PRINTED`, dark on white, whatever the
screen shows, as paper is white. The bars keep the Okabe-Ito colours, which
read on either.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

MIN_CHART_HEIGHT = 200  # pixels: the least a chart gets, axis and title included, in every layout


@dataclass(frozen=True)
class ChartColours:
    """The colours a chart is drawn in, apart from its bars."""

    background: str
    text: str
    axis: str

    @property
    def dark(self) -> bool:
        return QColor(self.background).lightnessF() < 0.5


PRINTED = ChartColours(background="#ffffff", text="#222222", axis="#444444")


def chart_colours(palette: QPalette) -> ChartColours:
    """A palette's colours for charts: its base (where content is drawn) and its text on that."""
    background = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    axis = QColor.fromRgbF(*(0.85 * t + 0.15 * b for t, b in zip(text.getRgbF()[:3], background.getRgbF()[:3])))
    return ChartColours(background.name(), text.name(), axis.name())


def paint_axes(plot: pg.PlotItem, colours: ChartColours) -> None:
    """Axis lines, ticks and axis titles (their unit in their words: "Weeks waited") in ``colours``."""
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(colours.axis)
        axis.setTextPen(colours.text)  # the axis title too
        axis.enableAutoSIPrefix(False)  # counts stay counts: never "(x0.001)"


def follow_app_font(plot: pg.PlotItem) -> None:
    """Tick labels and axis titles in the app's font now (workshop mode's larger text, and back)."""
    font = QApplication.font()
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)


class CountAxis(pg.AxisItem):
    """An axis of counts of patients: ticks on whole numbers only, never "0.2 patients"."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1]
        return whole or [(1.0, 0.0)]
