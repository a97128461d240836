"""Equity charts: what the scenario order does to each group, against the baseline.

Six charts in one pyqtgraph layout (so they export as one picture): mean and
90th percentile projected wait per group, share of the next N treated
against share of the list, projected waits past 52 and 78 weeks, the slope
index of inequality across IMD deciles, and a histogram of rank movement.
"Charts" shows all six or two at a time, large (workshop mode starts with
two); every chart keeps at least ``MIN_CHART_HEIGHT`` pixels, the panel
scrolling when the screen is too short for all six. "Difference from
baseline" draws each group's scenario minus baseline around zero, so a
0.4-week change shows. Every axis says what it counts, in what unit; groups
by deprivation are numbered, 1 = most deprived.
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
Colours are Okabe-Ito (safe for colour-blind readers), on the desktop palette's
background (``ui.charts``), and hovering shows the exact figures (the line under
the charts is cleared or worked out again when new figures arrive). An exported
picture says what it is: title, list, rule sets, date, and a key on each chart.
"""

from __future__ import annotations

from contextlib import contextmanager
from html import escape
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QRectF, Qt, Signal
from PySide6.QtGui import QCursor, QFontMetrics, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication, QBoxLayout, QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QToolTip, QVBoxLayout, QWidget,
)

from ui.charts import MIN_CHART_HEIGHT, PRINTED, ChartColours, CountAxis, chart_colours, follow_app_font, paint_axes
from ui.disclosure import CONTROL_TOOLTIP, STAMP_COLOUR, not_for_publication_banner
from ui.sizing import fit_wrapping_row, font_changed, wrap_when_narrow
from workbench import formats
from workbench.check.deprivation import GROUP_PARTS
from workbench.view.columns import label as column_label
from workbench.compare.equity import (
    UNKNOWN_GROUPS, deprivation_note, flow_text, index_text, inequality_text, overall_text, projection_words,
    range_text, short_group_names, sii_scope,
)
from workbench.compare.suppression import (
    NOT_FOR_PUBLICATION, SUPPRESSED, disclosure_note, not_for_publication, shown_difference,
)
from workbench.report.chart_caption import chart_caption
from workbench.report.glossary import explain_text, explained

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, SKY, VERMILLION, GREEN, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#999999")
REPORT_WIDTH, REPORT_HEIGHT = 900, 640  # pixels of the charts picture in the decision record
PICTURE_WIDTH, PICTURE_HEIGHT = 1200, 900  # pixels of an exported picture of the charts


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


def _change(key: str) -> Callable[[dict], Any]:
    return lambda group: shown_difference(group["scenario"][key], group["baseline"][key])


# The same charts drawn as scenario minus baseline per group, around zero ("Difference from baseline").
DIFFERENCE_CHARTS: dict[str, tuple[str, tuple[Series, ...]]] = {
    "mean": ("Change in mean projected wait (weeks)", (Series("Scenario − baseline", ORANGE, _change("mean_wait")),)),
    "p90": ("Change in 90th percentile projected wait (weeks)", (
        Series("Scenario − baseline", ORANGE, _change("p90_wait")),)),
    "share": ("Change in share of the next N treated (percentage points)", (
        Series("Scenario − baseline", ORANGE, lambda g: _percent(_change("share_of_next_n")(g))),)),
    "breaches": ("Change in projected waits past 52 and 78 weeks (patients)", (
        Series("52 wk", ORANGE, _change("over_52")), Series("78 wk", VERMILLION, _change("over_78")))),
}
CHART_VIEWS = {  # what "Charts" offers: all six, or two at a time, large
    "All six charts": ("mean", "p90", "share", "breaches", "sii", "movement"),
    "Waits: mean and 90th percentile": ("mean", "p90"),
    "Next treated, and long waits": ("share", "breaches"),
    "Inequality (SII), and rank movement": ("sii", "movement"),
}
ALL_CHARTS = next(iter(CHART_VIEWS))
WORKSHOP_CHARTS = "Waits: mean and 90th percentile"  # where workshop mode starts, if all six were shown
AXIS_TITLES = {"mean": "Weeks", "p90": "Weeks", "share": "% of patients", "breaches": "Patients",
               "sii": "Weeks (SII)", "movement": "Patients"}
DIFFERENCE_AXIS_TITLES = {"mean": "Weeks (scenario − baseline)", "p90": "Weeks (scenario − baseline)",
                          "share": "Percentage points", "breaches": "Patients (scenario − baseline)"}
BOTTOM_TITLES = {"sii": "Order", "movement": "Places moved (positive: moved up)"}
COUNT_CHARTS = ("breaches", "movement")  # counts of patients: whole-number ticks
NOTE_LINES = 3  # lines of figures in words shown under the charts before scrolling
TITLE_MARGIN = 30  # pixels around a chart's title, beside its axis
CHART_TITLE = "Equity impact"
EXPLAINED = explained("Projected wait", "Next N treated", "Range for the unknowns", "Slope index of inequality (SII)",
                      "Relative index of inequality (RII)", "Confidence interval", "Deprivation fifth", "Baseline",
                      "RTT waits counted", "Within 18 weeks", "Long waits")


class EquityPanel(QWidget):
    """The equity charts, a grouping chooser, and chart export.

    Invariants: ``summary`` is the suppressed summary shown (None before the
    first); the charts' plot items are made once, when first shown or asked
    for (six pyqtgraph plots take a visible moment to build, and the panel
    starts hidden in its tab), and are only updated afterwards; ``shown_charts``
    are the charts in the layout, in the order laid out (two a row).
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
        self.shown_charts: tuple[str, ...] = ()
        self._hovered: tuple[str, int] | None = None  # the chart and group under the mouse
        self._names = ("treat in turn", "the rule set")
        self._projection = ""  # what the projection assumes, in words (Capacity tab)
        self._context: tuple[str | None, date | None] = (None, None)  # the list's name and census date
        self._before_workshop: str | None = None  # the charts shown before workshop mode chose two
        self._build()

    # Input ---------------------------------------------------------------------
    def set_groupings(self, choices: list[tuple[str, str]], current: str | None = None) -> None:
        """Fill the grouping chooser without announcing a change (a new list: its figures are to come)."""
        self.grouping.blockSignals(True)
        self.grouping.clear()
        for title, by in choices:
            self.grouping.addItem(title, by)
        index = self.grouping.findData(current) if current else 0
        self.grouping.setCurrentIndex(max(index, 0))
        self.grouping.blockSignals(False)
        self.clear_hover()

    def current_grouping(self) -> str | None:
        return self.grouping.currentData()

    def choose_grouping(self, by: str) -> None:
        """Select a grouping as if the user had (emits ``groupingChanged``)."""
        index = self.grouping.findData(by)
        if index >= 0:
            self.grouping.setCurrentIndex(index)

    def set_names(self, baseline: str, scenario: str) -> None:
        """Name the two orders in the legend line (and in an exported picture)."""
        self._names = (baseline, scenario)
        self._show_legend()

    def _show_legend(self) -> None:
        """The line above the charts: the two orders' colours and names, and what the projection assumes."""
        baseline, scenario = self._names
        assumes = f" &nbsp;·&nbsp; {escape(self._projection)}" if self._projection else ""
        self.legend.setText(
            f"<span style='color:{BLUE}'>■</span> Baseline: {escape(baseline)} &nbsp; "
            f"<span style='color:{ORANGE}'>■</span> Scenario: {escape(scenario)}{assumes}")

    def set_context(self, list_name: str | None, census: date | None) -> None:
        """The list the figures are of, for an exported picture's caption."""
        self._context = (list_name, census)

    def choose_charts(self, view: str) -> None:
        """Show one of ``CHART_VIEWS`` (as if chosen from "Charts")."""
        self.chart_view.setCurrentIndex(self.chart_view.findText(view))

    def set_difference(self, on: bool) -> None:
        """Draw scenario minus baseline per group (``True``) or the two side by side."""
        self.difference.setChecked(on)

    def set_workshop(self, on: bool) -> None:
        """Workshop mode: two charts at a time, large (unless two were chosen already); back after."""
        if on and self.chart_view.currentText() == ALL_CHARTS:
            self._before_workshop = ALL_CHARTS
            self.choose_charts(WORKSHOP_CHARTS)
        elif not on and self._before_workshop is not None:
            self.choose_charts(self._before_workshop)
            self._before_workshop = None

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
        self._show_header()
        capacity = shown["capacity_per_week"]
        growth = escape(flow_text(shown))
        if shown.get("list_grows"):
            growth = f"<span style='color:{VERMILLION}'><b>{growth}</b></span>"
        self._projection = projection_words(shown)
        self._show_legend()
        self.note.setText(
            f"Capacity {'per specialty' if isinstance(capacity, dict) else formats.decimal(capacity, 0, 'not known')}"
            f" a week for {shown['horizon_weeks']:g} weeks: the next {formats.decimal(shown['next_n'], 0, 'not known')} patients "
            f"treated. {formats.decimal(shown['list_size'], 0, 'not known')} patients. {escape(disclosure_note(shown))}."
            f"{escape(deprivation_note(shown))}<br>{growth}<br>"
            + "<br>".join(escape(line) for line in inequality_text(shown)) + f"<br>{escape(overall_text(shown))}")
        self._show_hover()  # the figures under the mouse are the new ones, or none

    def clear_hover(self) -> None:
        """Forget the figures under the mouse (a new list: they were the last one's)."""
        self._hovered = None
        self.hover.setText("")

    def showEvent(self, event) -> None:
        self._build_charts()
        super().showEvent(event)

    def show_problem(self, message: str) -> None:
        self.note.setText(f"<span style='color:#a00000'>{escape(message)}</span>")
        self.clear_hover()

    # Reading back (tests, tooltips) ------------------------------------------------
    def bar_heights(self, chart: str, series: int = 0) -> list[float]:
        """The bar heights a chart shows for one series."""
        self._build_charts()
        return np.asarray(self.bars[chart][series].opts["height"], dtype=float).tolist()

    def shown_marks(self, chart: str) -> int:
        """How many "*" marks (suppressed figures) a chart shows."""
        self._build_charts()
        return sum(1 for mark in self.marks[chart] if mark.isVisible())

    def axis_titles(self, chart: str) -> tuple[str, str]:
        """What a chart's axes say (left, bottom)."""
        plot = self.plots[chart]
        return plot.getAxis("left").labelText, plot.getAxis("bottom").labelText

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
        """Write the six charts as PNG and SVG beside each other (``x.png`` and ``x.svg``), on white, with a
        caption (what, which list, which rule sets, when) and a key on every chart."""
        path = Path(path)
        png, svg = path.with_suffix(".png"), path.with_suffix(".svg")
        with self._as_printed(PICTURE_WIDTH, PICTURE_HEIGHT):
            pg.exporters.ImageExporter(self.graphics.ci).export(str(png))
            try:
                pg.exporters.SVGExporter(self.graphics.ci).export(str(svg))
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
        """The six charts as PNG bytes at a fixed size (for the decision record), on white, captioned:
        the same whether or not the charts' tab was ever shown."""
        with self._as_printed(width, height):
            image = pg.exporters.ImageExporter(self.graphics.ci).export(toBytes=True)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data)

    @contextmanager
    def _as_printed(self, width: int, height: int):
        """For a picture: all six charts at this size (or the least they need: workshop mode's larger text),
        dark on white, with the caption; then back as they were (the layout is set to the size just for the
        picture)."""
        self._build_charts()
        shown, layout = self.shown_charts, self.graphics.ci
        on_screen = layout.geometry()
        self._arrange(CHART_VIEWS[ALL_CHARTS])
        self._paint(PRINTED)
        self._show_header(caption=True)
        self._hold_height(0)  # a picture's size is its own: the screen's least height is not
        self._wrap_titles(width)
        layout.layout.invalidate()
        least = layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        layout.setGeometry(QRectF(0, 0, max(width, least.width()), max(height, least.height())))
        layout.layout.activate()
        try:
            yield
        finally:
            self._wrap_titles(self.graphics.width())
            layout.setGeometry(on_screen)
            layout.layout.activate()
            self._hold_height(MIN_CHART_HEIGHT)
            self._show_header()
            self._paint(self._colours())
            self._arrange(shown)

    def _hold_height(self, least: int) -> None:
        for plot in self._plots.values():
            plot.setMinimumHeight(least)

    def caption(self) -> list[str]:
        """The lines an exported picture starts with."""
        baseline, scenario = self._names
        list_name, census = self._context
        return chart_caption(CHART_TITLE, list_name, census, scenario, baseline, datetime.now())

    # Drawing ---------------------------------------------------------------------------
    def _draw(self) -> None:
        groups = self.summary["groups"]
        labels = [g["group"] for g in groups]
        for key, (_title, series) in self._group_charts().items():
            self._draw_groups(key, labels, [[s.value(g) for g in groups] for s in series])
        ranges = [[g[order].get("mean_wait_range") for g in groups] for order in ("baseline", "scenario")]
        if self.difference.isChecked():
            ranges = [[None] * len(groups)] * 2  # the ranges are of each order's mean, not of the change
        self._draw_ranges("mean", ranges, [_bar_x(len(groups), 2, number) for number in range(2)])
        self._draw_sii(self.summary["sii"])
        self._retitle()
        if self.movement is not None:
            self._draw_movement(*self.movement)

    def _group_charts(self) -> dict[str, tuple[str, tuple[Series, ...]]]:
        return DIFFERENCE_CHARTS if self.difference.isChecked() else GROUP_CHARTS

    def _draw_groups(self, key: str, labels: list[str], values: list[list[Any]]) -> None:
        count = len(labels)
        width = 0.8 / len(values)
        marks = []
        for number, bar in enumerate(self.bars[key]):
            if number >= len(values):  # the difference view draws fewer series: the rest stay empty
                bar.setOpts(x=[], height=[])
                continue
            series_values = values[number]
            x = _bar_x(count, len(values), number)
            heights = np.array([0.0 if v in (None, SUPPRESSED) else float(v) for v in series_values])
            bar.setOpts(x=x, height=heights, width=width * 0.92, brush=pg.mkBrush(self._series_colour(key, number)),
                        pen=pg.mkPen(self._series_colour(key, number)))
            marks += [x[i] for i, v in enumerate(series_values) if v == SUPPRESSED]
        self._place_marks(key, marks)
        ticks = short_group_names(labels)
        axis = self.plots[key].getAxis("bottom")
        axis.setTicks([list(enumerate(ticks))])
        lines = max((tick.count("\n") + 1 for tick in ticks), default=1)
        axis.setHeight(QFontMetrics(QApplication.font()).lineSpacing() * (lines + 1) + 12)  # every line, and the title
        self.plots[key].setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        self.plots[key].enableAutoRange(axis="y")

    def _series_colour(self, key: str, number: int) -> str:
        return self._group_charts()[key][1][number].colour

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
        self.plots["sii"].setYRange(min(0.0, min(ends, default=0.0) * 1.3), top * 1.5, padding=0)  # room for the figures

    def _retitle(self) -> None:
        """Titles, keys and axis titles for the figures shown: the difference view's or the orders', the
        grouping's name under the groups ("IMD quintile (1 = most deprived)")."""
        difference = self.difference.isChecked()
        for key, (title, series) in self._group_charts().items():
            self._titles[key] = (title, _key_html(series))
            self.plots[key].setLabel("left", (DIFFERENCE_AXIS_TITLES if difference else AXIS_TITLES)[key])
            self.plots[key].setLabel("bottom", self._groups_axis_title())
        self._retitle_sii()
        for key, (title, keys) in self._titles.items():
            self._show_title(self._plots[key], title, keys)

    def _groups_axis_title(self) -> str:
        title = self._grouping_title()
        return f"{title} (1 = most deprived)" if self.summary["by"] in GROUP_PARTS else title

    def _retitle_sii(self) -> None:
        """The SII chart names whose deciles it is fitted across (deciles are within a nation), its sign and
        the relative index (short: the words are in the hover text and under the charts)."""
        where, left_out = sii_scope(self.summary)
        rii = [self.summary["rii"].get(order) for order in ("baseline", "scenario")]
        rii_text = " → ".join(index_text(value, None, 2) for value in rii)
        notes = [f"+: the most deprived wait longer; whiskers: 95% CI; RII {rii_text}", left_out]
        self._titles["sii"] = (f"Slope index of inequality across {where} (weeks)",
                               "<br>".join(escape(note) for note in notes if note))

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
            mark = pg.TextItem(color=self._colours().text, anchor=(0.5, 1.0))
            self.plots[key].addItem(mark)
            pool.append(mark)
        for mark, (x, y, text) in zip(pool, wanted):
            mark.setText(text)
            mark.setPos(x, max(y, 0.0))
            mark.show()
        for mark in pool[len(wanted):]:
            mark.hide()

    # Layout and colours -----------------------------------------------------------------
    def _arrange(self, keys: tuple[str, ...]) -> None:
        """Lay out these charts, two a row, each at least ``MIN_CHART_HEIGHT`` high (the panel scrolls)."""
        if keys == self.shown_charts:
            return
        layout = self.graphics.ci
        for key in self.shown_charts:
            layout.removeItem(self._plots[key])
        for place, key in enumerate(keys):
            layout.addItem(self._plots[key], row=1 + place // 2, col=place % 2)
        self.shown_charts = keys
        self._fit_height()

    def _wrap_titles(self, width: float) -> None:
        """Titles wrap within their chart's column, beside its axis: no title widens the charts past the
        panel (nor holds them at the width they have: a narrower panel wraps them again)."""
        for plot in self._plots.values():
            room = width / 2 - plot.getAxis("left").width() - TITLE_MARGIN
            plot.titleLabel.item.setTextWidth(max(room, TITLE_MARGIN))
            plot.titleLabel.updateMin()
            _fit_title_height(plot)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.graphics and event.type() == QEvent.Type.Resize and self._plots:
            self._wrap_titles(event.size().width())
        return False

    def _fit_height(self) -> None:
        """The charts' least height: every row of charts ``MIN_CHART_HEIGHT`` high, and the header."""
        rows = (len(self.shown_charts) + 1) // 2
        layout = self.graphics.ci.layout
        _left, top, _right, bottom = layout.getContentsMargins()
        self.graphics.setMinimumHeight(int(rows * (MIN_CHART_HEIGHT + layout.verticalSpacing()) + self.header.height()
                                           + top + bottom + 2 * self.graphics.frameWidth()))

    def _colours(self) -> ChartColours:
        return chart_colours(self.palette())

    def _paint(self, colours: ChartColours) -> None:
        """Background, axes, titles and marks in ``colours`` (the bars keep theirs)."""
        self._colours_now = colours
        self.graphics.setBackground(colours.background)
        for key, plot in self._plots.items():
            paint_axes(plot, colours)
            for mark in self.marks[key]:
                mark.setColor(colours.text)
            for whisker in self._whiskers.get(key, []):
                whisker.setData(pen=pg.mkPen(colours.text, width=1.5))
            self._zero_lines[key].setPen(pg.mkPen(colours.axis))
        for key, (title, keys) in self._titles.items():
            self._show_title(self._plots[key], title, keys)

    def _show_header(self, caption: bool = False) -> None:
        """Above the charts: the "Not for publication" stamp when control is off, and an exported
        picture's caption."""
        lines = [escape(line) for line in self.caption()] if caption else []
        if self.summary is not None and not_for_publication(self.summary):
            lines.append(f"<span style='color:{STAMP_COLOUR}'><b>{NOT_FOR_PUBLICATION.upper()}</b></span>")
        points = max(QApplication.font().pointSizeF(), 6.0)
        self.header.setText("<br>".join(lines), color=self._colours_now.text, size=f"{points:.0f}pt")
        self.header.setMaximumHeight(1e6 if lines else 0)
        self.graphics.ci.layout.activate()

    # Hover ----------------------------------------------------------------------------
    def _on_mouse_moved(self, position) -> None:
        for key in self.shown_charts:
            plot = self._plots[key]
            if plot.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                self._hovered = (key, self._index_at(key, point.x()))
                text = self._show_hover()
                if text:
                    QToolTip.showText(QCursor.pos(), text, self.graphics)
                return

    def _show_hover(self) -> str:
        text = self.hover_text(*self._hovered) if self._hovered else ""
        self.hover.setText(text)
        return text

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
        shown = " and ".join(f"{order} {range_text(r, ' weeks')}" for order, r in zip(("baseline", "scenario"), ranges))
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
        self.grouping.setToolTip(explained("Deprivation fifth", "Core20"))
        self.grouping.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.grouping.setMinimumContentsLength(12)
        self.grouping.currentIndexChanged.connect(lambda _i: self.groupingChanged.emit(self.grouping.currentData() or ""))
        self.chart_view = QComboBox()
        self.chart_view.addItems(list(CHART_VIEWS))
        self.chart_view.setAccessibleName("Charts shown")
        self.chart_view.setToolTip("All six charts, or two at a time, large\n\n"
                                   + explain_text(" ".join(CHART_VIEWS)))
        self.chart_view.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart_view.currentTextChanged.connect(self._on_view_chosen)
        self.difference = QCheckBox("&Difference from baseline")
        self.difference.setToolTip("Each group's scenario minus its baseline, around zero: small changes show\n\n"
                                   + explained("Baseline"))
        self.difference.toggled.connect(self._on_difference_toggled)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setMinimumWidth(1)
        self.legend.setToolTip(explained("Baseline"))
        self.legend.setAccessibleName("The two orders, and what the projection assumes")
        self.set_names(*self._names)
        self.export_button = pg.QtWidgets.QPushButton("Export charts…")
        group_label = QLabel("&Group by:")
        group_label.setBuddy(self.grouping)
        charts_label = QLabel("C&harts:")
        charts_label.setBuddy(self.chart_view)
        choices, actions = QHBoxLayout(), QHBoxLayout()
        for widget in (group_label, self.grouping, charts_label, self.chart_view):
            choices.addWidget(widget)
        choices.addStretch(1)
        actions.addWidget(self.difference)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        self.top = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # the two parts one above the other when narrow
        self.top.addLayout(choices)
        self.top.addLayout(actions, 1)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setAccessibleName("Equity charts")
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)
        self.graphics.ci.setSpacing(4)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.installEventFilter(self)  # titles wrap to the charts' width
        # In the charts' own picture, so an exported PNG, SVG or decision record carries it too.
        self.header = self.graphics.addLabel("", row=0, col=0, colspan=2)
        self.header.setMaximumHeight(0)
        self._colours_now = self._colours()
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
        layout.addLayout(self.top)
        layout.addWidget(self.legend)
        layout.addWidget(self.banner)
        layout.addWidget(self._chart_area(), 1)
        layout.addWidget(self._note_area())
        layout.addWidget(self.hover)
        fit_wrapping_row(self, self.top)

    def _chart_area(self) -> QScrollArea:
        """The charts, scrolling up and down when the panel is shorter than they need."""
        area = QScrollArea()
        area.setWidget(self.graphics)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setAccessibleName("Equity charts")
        self.chart_area = area
        return area

    def _note_area(self) -> QScrollArea:
        """The figures in words, a few lines high (scroll for the rest) so the charts keep their room."""
        self.note_area = QScrollArea()
        self.note_area.setWidget(self.note)
        self.note_area.setWidgetResizable(True)
        self.note_area.setFrameShape(QFrame.Shape.NoFrame)
        self.note_area.setAccessibleName("The figures in words")
        self._fit_to_font()
        return self.note_area

    def _fit_to_font(self) -> None:
        """Sizes worked out from the font, again when it changes (workshop mode and back)."""
        self.note_area.setMaximumHeight(QFontMetrics(QApplication.font()).lineSpacing() * NOTE_LINES + 4)
        if self._plots:
            self._fit_height()

    def resizeEvent(self, event) -> None:
        wrap_when_narrow(self.top, event.size().width())
        super().resizeEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            fit_wrapping_row(self, self.top)  # the choices' words grew or shrank
        return super().event(event)

    def _build_charts(self) -> None:
        if self._plots:
            return
        self._zero_lines: dict[str, pg.InfiniteLine] = {}
        for key, (title, series) in GROUP_CHARTS.items():
            self._make_plot(key, title, series)
        self._make_plot("sii", "Slope index of inequality across IMD deciles (weeks)",
                        (Series("Baseline", BLUE, None), Series("Scenario", ORANGE, None)))
        self._make_plot("movement", "Rank movement (patients; right: moved up)", (Series("Patients", GREEN, None),))
        self._arrange(CHART_VIEWS[self.chart_view.currentText()])
        self._paint(self._colours())
        self._wrap_titles(self.graphics.width())
        if self.summary is not None:
            self._draw()

    def _show_title(self, plot: pg.PlotItem, title: str, keys: str) -> None:
        """Titles follow the app's font, so workshop mode's larger text reaches the charts."""
        points = max(QApplication.font().pointSizeF(), 6.0)
        subtitle = f"<br><span style='font-size:{points * 0.9:.0f}pt'>{keys}</span>" if keys else ""
        plot.setTitle(f"<div align='center'>{title}{subtitle}</div>", color=self._colours_now.text, size=f"{points:.0f}pt")
        _fit_title_height(plot)
        follow_app_font(plot)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange and self._plots:
            self._paint(self._colours())
        elif font_changed(event):
            self._fit_to_font()
            for key, (title, keys) in self._titles.items():
                self._show_title(self._plots[key], title, keys)
            if self._plots and self.summary is not None:
                self._draw()  # the axes' heights follow the text (and go back with it)
            self._show_header()
        super().changeEvent(event)

    def _make_plot(self, key: str, title: str, series: tuple[Series, ...]) -> None:
        axes = {"left": CountAxis(orientation="left")} if key in COUNT_CHARTS else {}
        plot = pg.PlotItem(axisItems=axes)
        plot.setMinimumHeight(MIN_CHART_HEIGHT)  # every row of charts; the panel scrolls when short
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(y=True, alpha=0.25)
        plot.setLabel("left", AXIS_TITLES[key])
        plot.setLabel("bottom", BOTTOM_TITLES.get(key, ""))
        self._titles[key] = (title, _key_html(series) if key != "movement" else "")
        bars = []
        for item in series:
            bar = pg.BarGraphItem(x=[], height=[], width=0.3, brush=pg.mkBrush(item.colour), pen=pg.mkPen(item.colour))
            plot.addItem(bar)
            bars.append(bar)
        self._zero_lines[key] = plot.addLine(y=0)
        self._plots[key], self.bars[key], self.marks[key] = plot, bars, []
        if key in ("mean", "sii"):
            self._whiskers[key] = [pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0)) for _series in range(2)]
            for whisker in self._whiskers[key]:
                plot.addItem(whisker)

    # Slots -------------------------------------------------------------------------------
    def _on_view_chosen(self, view: str) -> None:
        if self._plots:
            self._arrange(CHART_VIEWS[view])
        if self._before_workshop is not None and view != WORKSHOP_CHARTS:
            self._before_workshop = None  # chosen by hand in workshop mode: kept afterwards

    def _on_difference_toggled(self, _on: bool) -> None:
        if self._plots and self.summary is not None:
            self._draw()
        self._show_hover()


def _fit_title_height(plot: pg.PlotItem) -> None:
    """The title's row as tall as its lines (pyqtgraph fixes it at 30 pixels: a wrapped title or a key line
    under it, in larger text, would overlap the chart above)."""
    height = plot.titleLabel.itemRect().height()
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def _key_html(series: tuple[Series, ...]) -> str:
    """The colours of a chart's bars named under its title (a legend inside the plot would hide bars)."""
    return " &nbsp;".join(f"<span style='color:{s.colour}'>■</span> {escape(s.name)}" for s in series)


def _bar_x(count: int, series: int, number: int) -> np.ndarray:
    """Where series ``number`` of ``series`` draws its bars, one per group."""
    width = 0.8 / series
    return np.arange(count) - 0.4 + width * (number + 0.5)


def _sii_mark(value: Any, limits: Any) -> str:
    """The SII over its bar, its 95% CI on a line under it."""
    return index_text(value, None, 2) + (f"\n({range_text(limits)})" if isinstance(limits, (list, tuple)) else "")
