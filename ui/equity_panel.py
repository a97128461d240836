"""Equity charts: what the scenario order does to each group, against the baseline.

Six charts in one pyqtgraph layout (so they export as one picture): mean and
90th percentile projected wait per group, share of the next N treated
against share of the list, projected waits past 52 and 78 weeks, the slope
index of inequality across IMD deciles, and a histogram of rank movement.
Whiskers show how far the figure could move: on the mean wait, the range it
could take if the patients of unknown group all belonged to that group; on
the slope index, its 95% confidence interval. Below the charts, in words:
what the projection assumed about new referrals and whether the list grows,
the slope and relative index of inequality with their conventions, and the
whole list's long waits.

Every plot item is made once; a new summary only moves bars (``setOpts``)
and relabels axes. Figures come in already controlled
(:func:`workbench.compare.suppression.suppressed_summary`): a hidden figure draws no
bar and shows "*" where the bar would be, and counts are rounded to the
nearest 5. Figures shown with control off carry "Not for publication" on the
panel and in the charts' picture itself, so every export says it too.
Colours are Okabe-Ito (safe for colour-blind readers) and hovering shows the
exact figures.
"""

from __future__ import annotations

import textwrap
from html import escape
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QRectF, Signal
from PySide6.QtGui import QCursor, QFontMetrics, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QToolTip, QVBoxLayout, QWidget,
)

from ui.disclosure import CONTROL_TOOLTIP, STAMP_COLOUR, not_for_publication_banner
from workbench.view.columns import label as column_label
from workbench import formats
from workbench.check.deprivation import GROUP_PARTS, NATION_NOT_KNOWN, NATIONS
from workbench.compare.equity import (
    LEARNING_DISABILITY, SUGGESTED_GROUPINGS, UNKNOWN_GROUPS, flow_text, inequality_text, overall_text,
    sii_scope,
)
from workbench.fields import WaitingList
from workbench.compare.suppression import NOT_FOR_PUBLICATION, SUPPRESSED, disclosure_note, not_for_publication

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, SKY, VERMILLION, GREEN, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#999999")
TEXT_COLOUR, AXIS_COLOUR = "#222222", "#444444"
REPORT_WIDTH, REPORT_HEIGHT = 900, 640  # pixels of the charts picture in the decision record
GROUPING_TITLES = {LEARNING_DISABILITY: "Learning disability"}


@dataclass(frozen=True)
class Series:
    """One set of bars in a chart: its name, colour and how to read its value from a group."""

    name: str
    colour: str
    value: Callable[[dict], Any]


def _figure(order: str, key: str) -> Callable[[dict], Any]:
    return lambda group: group[order][key]


def _percent(value: Any) -> Any:
    return value if value in (None, SUPPRESSED) else 100.0 * value


GROUP_CHARTS: dict[str, tuple[str, tuple[Series, ...]]] = {
    "mean": ("Mean projected wait (weeks)", (
        Series("Baseline", BLUE, _figure("baseline", "mean_wait")),
        Series("Scenario", ORANGE, _figure("scenario", "mean_wait")))),
    "p90": ("90th percentile projected wait (weeks)", (
        Series("Baseline", BLUE, _figure("baseline", "p90_wait")),
        Series("Scenario", ORANGE, _figure("scenario", "p90_wait")))),
    "share": ("Share of the next N treated vs share of the list (%)", (
        Series("Share of list", GREY, lambda g: _percent(g["share_of_list"])),
        Series("Next N, baseline", BLUE, lambda g: _percent(g["baseline"]["share_of_next_n"])),
        Series("Next N, scenario", ORANGE, lambda g: _percent(g["scenario"]["share_of_next_n"])))),
    "breaches": ("Projected waits past 52 and 78 weeks (patients)", (
        Series("52 wk, baseline", BLUE, _figure("baseline", "over_52")),
        Series("52 wk, scenario", ORANGE, _figure("scenario", "over_52")),
        Series("78 wk, baseline", SKY, _figure("baseline", "over_78")),
        Series("78 wk, scenario", VERMILLION, _figure("scenario", "over_78")))),
}
TICK_LINE = 10  # characters on a line of a group's name under a chart
TICK_WORDS = ((" fifth", ""), ("second most deprived", "2nd most"), ("second least deprived", "2nd least"),
              (" (most deprived)", ""), (" (least deprived)", ""))
NATION_NAMES = (*NATIONS, NATION_NOT_KNOWN)
# Row 0 of the charts' layout holds the "Not for publication" stamp when control is off.
CHART_PLACES = {"mean": (1, 0), "p90": (1, 1), "share": (2, 0), "breaches": (2, 1), "sii": (3, 0), "movement": (3, 1)}
RANGE_COLOUR = "#222222"
NOTE_LINES = 4  # lines of figures in words shown under the charts before scrolling
EXPLAINED = (
    "Projected wait: weeks waited now plus the weeks until treatment, the list served week by week at the "
    "capacity while new referrals join it and take their place by the rule set.\n"
    "Whiskers on the mean wait: how far a group's figure could move if every patient of unknown group "
    "(ethnicity, sex, deprivation not recorded) belonged to it.\n"
    "Slope index of inequality (SII): the gap in mean projected wait between the most and least deprived ends "
    "of a line fitted across the deciles, in weeks; positive means the most deprived wait longer. Its whisker is "
    "the 95% confidence interval: where the gap could lie given how much waits vary within each decile.\n"
    "Relative index (RII): the fitted wait at the least deprived end divided by that at the most deprived end "
    "(OHID's definition); below 1 means the most deprived wait longer.")


def grouping_choices(wl: WaitingList) -> list[tuple[str, str]]:
    """(title, grouping) pairs the list supports: the usual ones first, then its source columns."""
    choices = []
    for by in SUGGESTED_GROUPINGS:
        if by == LEARNING_DISABILITY:
            if any("learning" in header.casefold() for header in wl.source):
                choices.append((GROUPING_TITLES[by], by))
        elif by in wl.columns:
            choices.append((column_label(by), by))
    choices += [(f"Column: {header}", header) for header in wl.source if "learning" not in header.casefold()]
    return choices



class EquityPanel(QWidget):
    """The equity charts, a grouping chooser, and chart export.

    Invariants: ``summary`` is the suppressed summary shown (None before the
    first); the charts' plot items are made once, when first shown or asked
    for (six pyqtgraph plots take a visible moment to build, and the panel
    starts hidden in its tab), and are only updated afterwards.
    """

    groupingChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary: dict | None = None
        self.movement: tuple[np.ndarray, np.ndarray] | None = None
        self._plots: dict[str, pg.PlotItem] = {}  # empty until the charts are built
        self._titles: dict[str, tuple[str, str]] = {}  # chart -> (title, colour key HTML)
        self.bars: dict[str, list[pg.BarGraphItem]] = {}
        self._whiskers: dict[str, list[pg.ErrorBarItem]] = {}  # ranges over the bars (mean wait, SII)
        self.marks: dict[str, list[pg.TextItem]] = {}
        self._build()

    # Input ---------------------------------------------------------------------
    def set_groupings(self, choices: list[tuple[str, str]], current: str | None = None) -> None:
        """Fill the grouping chooser without announcing a change."""
        self.grouping.blockSignals(True)
        self.grouping.clear()
        for title, by in choices:
            self.grouping.addItem(title, by)
        index = self.grouping.findData(current) if current else 0
        self.grouping.setCurrentIndex(max(index, 0))
        self.grouping.blockSignals(False)

    def current_grouping(self) -> str | None:
        return self.grouping.currentData()

    def choose_grouping(self, by: str) -> None:
        """Select a grouping as if the user had (emits ``groupingChanged``)."""
        index = self.grouping.findData(by)
        if index >= 0:
            self.grouping.setCurrentIndex(index)

    def set_names(self, baseline: str, scenario: str) -> None:
        """Name the two orders in the legend line."""
        self.legend.setText(
            f"<span style='color:{BLUE}'>■</span> Baseline: {escape(baseline)} &nbsp; "
            f"<span style='color:{ORANGE}'>■</span> Scenario: {escape(scenario)}")

    @property
    def plots(self) -> dict[str, pg.PlotItem]:
        """Each chart's plot (built now if it was not yet)."""
        self._build_charts()
        return self._plots

    @property
    def whiskers(self) -> dict[str, list[pg.ErrorBarItem]]:
        """The range whiskers of the mean-wait and SII charts, one per order (built now if they were not yet)."""
        self._build_charts()
        return self._whiskers

    def show_summary(self, shown: dict, movement: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Draw a suppressed equity summary (and the rank-movement histogram) in place."""
        self.summary, self.movement = shown, movement
        if self._plots:  # else drawn when the charts are built
            self._draw()
        stamped = not_for_publication(shown)
        self.banner.setVisible(stamped)
        self.stamp.setText(NOT_FOR_PUBLICATION.upper() if stamped else "")
        self.stamp.setMaximumHeight(1e6 if stamped else 0)
        capacity = shown["capacity_per_week"]
        growth = escape(flow_text(shown))
        if shown.get("list_grows"):
            growth = f"<span style='color:{VERMILLION}'><b>{growth}</b></span>"
        self.note.setText(
            f"Capacity {'per specialty' if isinstance(capacity, dict) else formats.decimal(capacity, 0, 'not known')}"
            f" a week for {shown['horizon_weeks']:g} weeks: the next {formats.decimal(shown['next_n'], 0, 'not known')} patients "
            f"treated. {formats.decimal(shown['list_size'], 0, 'not known')} patients. {escape(disclosure_note(shown))}."
            f"{escape(deprivation_note(shown))}<br>{growth}<br>"
            + "<br>".join(escape(line) for line in inequality_text(shown)) + f"<br>{escape(overall_text(shown))}")

    def showEvent(self, event) -> None:
        self._build_charts()
        super().showEvent(event)

    def show_problem(self, message: str) -> None:
        self.note.setText(f"<span style='color:#a00000'>{escape(message)}</span>")

    # Reading back (tests, tooltips) ------------------------------------------------
    def bar_heights(self, chart: str, series: int = 0) -> list[float]:
        """The bar heights a chart shows for one series."""
        self._build_charts()
        return np.asarray(self.bars[chart][series].opts["height"], dtype=float).tolist()

    def shown_marks(self, chart: str) -> int:
        """How many "*" marks (suppressed figures) a chart shows."""
        self._build_charts()
        return sum(1 for mark in self.marks[chart] if mark.isVisible())

    def hover_text(self, chart: str, index: int) -> str:
        """The exact figures behind one group (or bin) of a chart, in words."""
        if self.summary is None:
            return ""
        if chart == "movement":
            return self._movement_hover(index)
        if chart == "sii":
            return self._sii_hover()
        groups = self.summary["groups"]
        if not 0 <= index < len(groups):
            return ""
        group = groups[index]
        title, series = GROUP_CHARTS[chart]
        figures = "; ".join(f"{s.name}: {self._figure_text(chart, s.value(group))}" for s in series)
        if chart == "mean":
            figures += self._range_words(group)
        # A group by deprivation names itself and its nation ("England, most deprived fifth").
        named = group["group"] if self.summary["by"] in GROUP_PARTS else f"{self._grouping_title()} {group['group']}"
        return f"{named} ({formats.decimal(group['count'], 0, 'not known')} patients): {title}: {figures}"

    # Export ---------------------------------------------------------------------------
    def export_charts(self, path: str | Path) -> list[Path]:
        """Write the charts as PNG and SVG beside each other (``x.png`` and ``x.svg``)."""
        path = Path(path)
        self._build_charts()
        png, svg = path.with_suffix(".png"), path.with_suffix(".svg")
        pg.exporters.ImageExporter(self.graphics.scene()).export(str(png))
        try:
            pg.exporters.SVGExporter(self.graphics.scene()).export(str(svg))
        except ValueError:
            # pyqtgraph 0.14 cannot parse the closed paths ("... Z") Qt 6.8+ writes
            # (pyqtgraph issue 3495); Qt's own SVG generator draws the same scene.
            self._render_svg(svg)
        return [png, svg]

    def _render_svg(self, path: Path) -> None:
        area = self.graphics.ci.sceneBoundingRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(area.size().toSize())
        generator.setViewBox(QRectF(0, 0, area.width(), area.height()))
        generator.setTitle("Equity charts")
        painter = QPainter(generator)
        try:
            self.graphics.scene().render(painter, QRectF(0, 0, area.width(), area.height()), area)
        finally:
            painter.end()

    def chart_png(self, width: int = REPORT_WIDTH, height: int = REPORT_HEIGHT) -> bytes:
        """The charts as PNG bytes at a fixed size (for the decision record).

        The layout is set to that size just for the picture, so the result is
        the same whether or not the charts' tab was ever shown.
        """
        self._build_charts()
        layout = self.graphics.ci
        shown = layout.geometry()
        layout.setGeometry(QRectF(0, 0, width, height))
        layout.layout.activate()
        try:
            image = pg.exporters.ImageExporter(layout).export(toBytes=True)
        finally:
            layout.setGeometry(shown)
            layout.layout.activate()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data)

    # Drawing ---------------------------------------------------------------------------
    def _draw(self) -> None:
        groups = self.summary["groups"]
        labels = [g["group"] for g in groups]
        for key, (_title, series) in GROUP_CHARTS.items():
            self._draw_groups(key, labels, [[s.value(g) for g in groups] for s in series])
        ranges = [[g[order].get("mean_wait_range") for g in groups] for order in ("baseline", "scenario")]
        self._draw_ranges("mean", ranges, [_bar_x(len(groups), 2, number) for number in range(2)])
        self._draw_sii(self.summary["sii"])
        self._retitle_sii()
        if self.movement is not None:
            self._draw_movement(*self.movement)

    def _draw_groups(self, key: str, labels: list[str], values: list[list[Any]]) -> None:
        count = len(labels)
        width = 0.8 / len(values)
        marks = []
        for number, (bar, series_values) in enumerate(zip(self.bars[key], values)):
            x = _bar_x(count, len(values), number)
            heights = np.array([0.0 if v in (None, SUPPRESSED) else float(v) for v in series_values])
            bar.setOpts(x=x, height=heights, width=width * 0.92)
            marks += [x[i] for i, v in enumerate(series_values) if v == SUPPRESSED]
        self._place_marks(key, marks)
        ticks = tick_texts(labels)
        axis = self.plots[key].getAxis("bottom")
        axis.setTicks([list(enumerate(ticks))])
        lines = max((tick.count("\n") + 1 for tick in ticks), default=1)
        axis.setHeight(QFontMetrics(QApplication.font()).lineSpacing() * lines + 12)  # room for every line
        self.plots[key].setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        self.plots[key].enableAutoRange(axis="y")

    def _draw_ranges(self, key: str, ranges: list[list[Any]], positions: list[np.ndarray]) -> None:
        """Whiskers from low to high over each series' bars (at ``positions``) where a range is known and shown."""
        for whisker, series, x in zip(self._whiskers[key], ranges, positions):
            shown = [i for i, r in enumerate(series) if isinstance(r, (list, tuple))]
            low = np.array([series[i][0] for i in shown], dtype=float)
            high = np.array([series[i][1] for i in shown], dtype=float)
            whisker.setData(x=x[shown], y=low, top=high - low, bottom=np.zeros(len(shown)), beam=0.2)
            whisker.setVisible(bool(shown))

    def _draw_sii(self, sii: dict) -> None:
        values = [sii.get("baseline"), sii.get("scenario")]
        heights = np.array([0.0 if v in (None, SUPPRESSED) else float(v) for v in values])
        self.bars["sii"][0].setOpts(x=[0.0, 1.0], height=heights, width=0.6,
                                    brushes=[pg.mkBrush(BLUE), pg.mkBrush(ORANGE)])
        limits = [self.summary["sii_ci"].get(order) for order in ("baseline", "scenario")]
        self._draw_ranges("sii", [[limits[0]], [limits[1]]], [np.array([0.0]), np.array([1.0])])
        tops = [max(h, lim[1]) if isinstance(lim, (list, tuple)) else h for h, lim in zip(heights, limits)]
        self._place_marks("sii", [], texts=[(i, top, "not enough data" if v is None else _sii_mark(v, lim))
                                            for i, (v, top, lim) in enumerate(zip(values, tops, limits))])
        self.plots["sii"].getAxis("bottom").setTicks([[(0, "Baseline"), (1, "Scenario")]])
        self.plots["sii"].setXRange(-0.6, 1.6, padding=0)
        ends = [v for lim in limits if isinstance(lim, (list, tuple)) for v in lim] + list(heights)
        top = max(max(ends, default=0.0), 0.5)
        self.plots["sii"].setYRange(min(0.0, min(ends, default=0.0) * 1.3), top * 1.3, padding=0)

    def _retitle_sii(self) -> None:
        """The SII chart names whose deciles it is fitted across (deciles are within a nation), its sign and
        the relative index (short: the words are in the hover text and under the charts)."""
        where, left_out = sii_scope(self.summary)
        rii = [self.summary["rii"].get(order) for order in ("baseline", "scenario")]
        notes = [f"+: the most deprived wait longer; whiskers: 95% CI; RII {_rii_mark(rii[0])} → {_rii_mark(rii[1])}",
                 left_out]
        self._titles["sii"] = (f"Slope index of inequality across {where} (weeks)",
                               "<br>".join(escape(note) for note in notes if note))
        self._show_title(self.plots["sii"], *self._titles["sii"])

    def _draw_movement(self, edges: np.ndarray, counts: np.ndarray) -> None:
        centres = (edges[:-1] + edges[1:]) / 2
        heights = np.array([0.0 if c == SUPPRESSED else float(c) for c in counts])
        self.bars["movement"][0].setOpts(x=centres, height=heights, width=(edges[1] - edges[0]) * 0.95)
        self._place_marks("movement", [x for x, c in zip(centres, counts) if c == SUPPRESSED])
        self.plots["movement"].setXRange(edges[0], edges[-1], padding=0.02)
        self.plots["movement"].enableAutoRange(axis="y")

    def _place_marks(self, key: str, xs: list[float], texts: list[tuple[float, float, str]] | None = None) -> None:
        """Show "*" at each x on the axis (or given texts), reusing the chart's pool of labels."""
        wanted = texts if texts is not None else [(x, 0.0, SUPPRESSED) for x in xs]
        pool = self.marks[key]
        while len(pool) < len(wanted):
            mark = pg.TextItem(color=TEXT_COLOUR, anchor=(0.5, 1.0))
            self.plots[key].addItem(mark)
            pool.append(mark)
        for mark, (x, y, text) in zip(pool, wanted):
            mark.setText(text)
            mark.setPos(x, max(y, 0.0))
            mark.show()
        for mark in pool[len(wanted):]:
            mark.hide()

    # Hover ----------------------------------------------------------------------------
    def _on_mouse_moved(self, position) -> None:
        for key, plot in self.plots.items():
            if plot.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                text = self.hover_text(key, self._index_at(key, point.x()))
                self.hover.setText(text)
                if text:
                    QToolTip.showText(QCursor.pos(), text, self.graphics)
                return

    def _index_at(self, key: str, x: float) -> int:
        if key == "movement" and self.movement is not None:
            return int(np.searchsorted(self.movement[0], x) - 1)
        return int(round(x))

    def _range_words(self, group: dict) -> str:
        ranges = [group[order].get("mean_wait_range") for order in ("baseline", "scenario")]
        if not any(ranges):
            return ""
        unknown = [g["count"] for g in self.summary["groups"] if g["group"] in UNKNOWN_GROUPS]
        count = SUPPRESSED if SUPPRESSED in unknown else sum(unknown)
        shown = " and ".join(f"{order} {_range_text(r)}" for order, r in zip(("baseline", "scenario"), ranges))
        return (f". If the {formats.decimal(count, 0, 'not known')} patients of unknown group all belonged "
                f"here, the mean could be: {shown}")

    def _figure_text(self, chart: str, value: Any) -> str:
        if chart == "share":
            return formats.decimal(value, 1, 'not known', "%")
        if chart == "breaches":
            return formats.decimal(value, 0, 'not known')
        return formats.decimal(value, 1, 'not known', ' weeks')

    def _sii_hover(self) -> str:
        return " ".join(inequality_text(self.summary))

    def _movement_hover(self, index: int) -> str:
        if self.movement is None or not 0 <= index < len(self.movement[1]):
            return ""
        edges, counts = self.movement
        low, high = edges[index], edges[index + 1]
        count = counts[index]
        shown = SUPPRESSED if count == SUPPRESSED else f"{int(count):,}"
        return f"Moved between {low:+,.0f} and {high:+,.0f} places (positive: up): {shown} patients"

    def _grouping_title(self) -> str:
        return self.grouping.currentText().removeprefix("Column: ") or column_label(self.summary["by"])

    # Building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.grouping = QComboBox()
        self.grouping.setAccessibleName("Group patients by")
        self.grouping.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.grouping.setMinimumContentsLength(12)
        self.grouping.currentIndexChanged.connect(lambda _i: self.groupingChanged.emit(self.grouping.currentData() or ""))
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setMinimumWidth(1)
        self.set_names("treat in turn", "the rule set")
        self.export_button = pg.QtWidgets.QPushButton("Export charts…")
        top = QHBoxLayout()
        top.addWidget(QLabel("Group by:"))
        top.addWidget(self.grouping)
        top.addWidget(self.legend, 1)
        top.addWidget(self.export_button)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setAccessibleName("Equity charts")
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # In the charts' own picture, so an exported PNG, SVG or decision record carries it too.
        self.stamp = self.graphics.addLabel("", row=0, col=0, colspan=2, color=STAMP_COLOUR, size="11pt", bold=True)
        self.stamp.setMaximumHeight(0)
        self.banner = not_for_publication_banner(visible=False)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setToolTip(f"{EXPLAINED}\n\n{CONTROL_TOOLTIP}")
        self.graphics.setToolTip(EXPLAINED)
        self.hover = QLabel()
        self.hover.setWordWrap(True)
        self.hover.setAccessibleName("Figures under the mouse")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self._note_area())
        layout.addWidget(self.hover)

    def _note_area(self) -> QScrollArea:
        """The figures in words, a few lines high (scroll for the rest) so the charts keep their room."""
        area = QScrollArea()
        area.setWidget(self.note)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setMaximumHeight(QFontMetrics(QApplication.font()).lineSpacing() * NOTE_LINES + 8)
        area.setAccessibleName("The figures in words")
        return area

    def _build_charts(self) -> None:
        if self._plots:
            return
        for key, (title, series) in GROUP_CHARTS.items():
            self._make_plot(key, title, [s.colour for s in series], legend=[s.name for s in series])
        self._make_plot("sii", "Slope index of inequality across IMD deciles (weeks)", [BLUE])
        self._make_plot("movement", "Rank movement (patients; right: moved up)", [GREEN])
        if self.summary is not None:
            self._draw()

    def _show_title(self, plot: pg.PlotItem, title: str, keys: str) -> None:
        """Titles follow the app's font, so workshop mode's larger text reaches the charts."""
        points = max(QApplication.font().pointSizeF(), 6.0)
        subtitle = f"<br><span style='font-size:{points * 0.9:.0f}pt'>{keys}</span>" if keys else ""
        plot.setTitle(f"{title}{subtitle}", color=TEXT_COLOUR, size=f"{points:.0f}pt")
        for side in ("left", "bottom"):
            plot.getAxis(side).setStyle(tickFont=QApplication.font())

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.ApplicationFontChange, QEvent.Type.FontChange):
            for key, (title, keys) in self._titles.items():
                self._show_title(self._plots[key], title, keys)
        super().changeEvent(event)

    def _make_plot(self, key: str, title: str, colours: list[str], legend: list[str] | None = None) -> None:
        row, column = CHART_PLACES[key]
        plot = self.graphics.addPlot(row=row, col=column)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(y=True, alpha=0.25)
        for side in ("left", "bottom"):
            plot.getAxis(side).setPen(AXIS_COLOUR)
            plot.getAxis(side).setTextPen(TEXT_COLOUR)
        keys = ""
        if legend and len(legend) > 2:
            # A legend inside the plot would hide bars: name the colours under the title instead.
            keys = " &nbsp;".join(f"<span style='color:{c}'>■</span> {name}" for c, name in zip(colours, legend))
        self._titles[key] = (title, keys)
        self._show_title(plot, title, keys)
        bars = []
        for number, colour in enumerate(colours):
            bar = pg.BarGraphItem(x=[], height=[], width=0.3, brush=pg.mkBrush(colour), pen=pg.mkPen(colour))
            plot.addItem(bar)
            bars.append(bar)
        plot.addLine(y=0, pen=pg.mkPen(AXIS_COLOUR))
        self._plots[key], self.bars[key], self.marks[key] = plot, bars, []
        if key in ("mean", "sii"):
            self._whiskers[key] = [pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), pen=pg.mkPen(RANGE_COLOUR, width=1.5))
                                   for _series in range(2)]
            for whisker in self._whiskers[key]:
                plot.addItem(whisker)


def _bar_x(count: int, series: int, number: int) -> np.ndarray:
    """Where series ``number`` of ``series`` draws its bars, one per group."""
    width = 0.8 / series
    return np.arange(count) - 0.4 + width * (number + 0.5)


def _range_text(limits: Any) -> str:
    """'12.3 to 14.1 weeks'; '*' stays '*'; '-' for none."""
    if isinstance(limits, (list, tuple)):
        return f"{limits[0]:.1f} to {limits[1]:.1f} weeks"
    return SUPPRESSED if limits == SUPPRESSED else "-"


def _rii_mark(value: Any) -> str:
    return "-" if value is None else SUPPRESSED if value == SUPPRESSED else f"{value:.2f}"


def _sii_mark(value: Any, limits: Any) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value:.2f}" + (f"\n({limits[0]:.1f} to {limits[1]:.1f})" if isinstance(limits, (list, tuple)) else "")


def deprivation_note(shown: dict) -> str:
    """Whose deprivation groups a chart of one nation shows (its axis names only the fifths).

    >>> deprivation_note({"by": "imd_quintile", "groups": [{"group": "England, middle fifth"}, {"group": "Not known"}]})
    " Groups: England's own deprivation fifths (each nation's index is its own)."
    """
    nations = {g["group"].split(", ", 1)[0] for g in shown["groups"] if ", " in g["group"]}
    if shown["by"] not in GROUP_PARTS or len(nations) != 1:
        return ""
    parts = "fifths" if shown["by"] == "imd_quintile" else "deciles"
    return f" Groups: {nations.pop()}'s own deprivation {parts} (each nation's index is its own)."


def tick_texts(labels: list[str]) -> list[str]:
    r"""The groups' names on a chart's axis, short and on short lines so neighbours never overlap
    (the hover text and the tables give them whole). Groups by deprivation lose the words every
    group shares: the nation too, when the chart shows one nation only.

    >>> tick_texts(["England, most deprived fifth", "England, second least deprived fifth", "Not known"])
    ['most\ndeprived', '2nd least', 'Not known']
    >>> tick_texts(["England, decile 1 (most deprived)", "Wales, decile 1 (most deprived)"])
    ['England\ndecile 1', 'Wales\ndecile 1']
    """
    nations = {label.split(", ", 1)[0] for label in labels} & set(NATION_NAMES)
    shown = []
    for label in labels:
        nation, _comma, part = label.partition(", ")
        if nation not in NATION_NAMES:  # not a group by deprivation: as it is
            shown.append(label)
            continue
        for long, short in TICK_WORDS:
            part = part.replace(long, short)
        part = textwrap.fill(part, TICK_LINE, break_long_words=False)
        shown.append(f"{nation}\n{part}" if len(nations) > 1 else part)
    return shown
