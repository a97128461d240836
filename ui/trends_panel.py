"""The Trends tab: is the inclusive recovery working? Waits and inequality over the weekly snapshots.

A line chart per figure (median or mean wait, % within 18 weeks, counts past
52 and 78 weeks per group; the gap between the most and least deprived fifths
and the slope index per nation) over the snapshots' census dates, with the
date each rule set was adopted (from the decision log) marked as a vertical
line. Hovering shows the values under the mouse. Below: who joined and left
between the newest two snapshots, and the validation audit, by the same
grouping. Everything comes from :func:`workbench.compare.trends.trends_page` and
:func:`~workbench.compare.trends.changes_and_audit`, worked out on the window's
database worker once the list is on screen and again when the grouping changes,
outcomes are recorded or disclosure control is turned off or on; they control
small numbers (or, with control off, the red "Not for publication" line shows).

:func:`install_trends` adds the tab to the main window and returns the
:class:`TrendsController`; the decision record asks it for the trend since the
rule set was adopted (:meth:`TrendsController.since_adoption`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from html import escape
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ui.disclosure import CONTROL_TOOLTIP, not_for_publication_banner
from ui.charts import MIN_CHART_HEIGHT, chart_colours, paint_axes
from ui.sizing import fit_rows, follow_font
from ui.equity_panel import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION
from workbench import formats
from workbench.compare.changes import COUNTED
from workbench.compare.equity import grouping_choices
from workbench.compare.suppression import CONTROLLED_BRIEFLY, NOT_FOR_PUBLICATION, not_for_publication
from workbench.compare.trends import (
    FIGURE_KINDS, FIGURE_WORDS, census_dates, changes_and_audit, figure_text, has_several_snapshots, series,
    since_adoption, trends_page,
)
from workbench.compare.validation_audit import audit_figure_text
from workbench.report.record import grouping_words
from workbench.report.glossary import explain_text, explained

TAB_TITLE = "Trends"
FIGURES = {"median_wait": "Median wait", "mean_wait": "Mean wait", "within_18": "% within 18 weeks",
           "over_52": "Waiting over 52 weeks", "over_78": "Waiting over 78 weeks",
           "gap": "Gap: most minus least deprived fifth", "sii": "Slope index of inequality"}
COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, "#F0E442", GREY, "#7F3C8D", "#11A579")
WHOLE_LIST = "Whole list"
TABLE_ROWS_KEPT = 3  # rows of each table below the chart always shown (the rest scroll)
AXIS_UNITS = {"weeks": "weeks", "share": "% of RTT waits counted", "count": "patients"}
AUDIT_COLUMNS = (("on_list", "On the list"), ("share_of_on_list", "Share of list"), ("validated", "Validated"),
                 ("share_of_validated", "Share of validated"), ("removed", "Removed"),
                 ("removed_rate", "Removal rate"), ("removed_rate_ratio", "Removal rate ratio (95% interval)"),
                 ("did_not_respond", "Did not respond"), ("did_not_respond_rate", "Did-not-respond rate"),
                 ("did_not_respond_rate_ratio", "Did-not-respond rate ratio (95% interval)"))


def seconds(day: date) -> float:
    """A day as the seconds a pyqtgraph date axis counts (local midnight)."""
    return datetime.combine(day, time()).timestamp()


class CensusDateAxis(pg.DateAxisItem):
    """Census dates read dd/mm/yyyy on the axis, as everywhere else (pyqtgraph's own labels read "29 Oct");
    ticks between midnights (zoomed in on one snapshot) are left blank, not the same date again."""

    def tickStrings(self, values, scale, spacing):
        moments = [datetime.fromtimestamp(value) for value in values]
        return [formats.uk_date(moment.date()) if moment.time() == time() else "" for moment in moments]


class TrendsPanel(QWidget):
    """The chart, its choosers, and the tables of changes and of the validation audit.

    Invariants: ``page`` is the page shown (None before the first); ``lines``
    holds the chart's line per series label, remade when the page or figure changes.
    """

    groupingChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.page: dict | None = None
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.adoption_lines: list[pg.InfiniteLine] = []
        self._build()

    # Input -----------------------------------------------------------------------
    def set_groupings(self, choices: list[tuple[str, str]], current: str) -> None:
        self.grouping.blockSignals(True)
        self.grouping.clear()
        for title, by in choices:
            self.grouping.addItem(title, by)
        self.grouping.setCurrentIndex(max(self.grouping.findData(current), 0))
        self.grouping.blockSignals(False)

    def current_grouping(self) -> str:
        return self.grouping.currentData() or "imd_quintile"

    def current_figure(self) -> str:
        return self.figure.currentData()

    def show_trend(self, trend: dict) -> None:
        """Draw the trend (the tables below follow with :meth:`show_tables`)."""
        self.page = {"trend": trend}
        self._draw()
        self.banner.setVisible(not_for_publication(trend))
        self.note.setText(self._note(trend))
        self.changes_note.setText("Working out who joined and left…")
        self.audit_note.setText("Working out the validation audit…")

    def show_tables(self, tables: dict) -> None:
        self.page = {**(self.page or {}), **tables}
        self._fill_changes(tables["changes"])
        self._fill_audit(tables["audit"])

    def show_message(self, text: str) -> None:
        self.note.setText(escape(text))

    # The chart -------------------------------------------------------------------
    def _draw(self) -> None:
        plot = self.chart.getPlotItem()
        plot.clear()
        self.lines = {}
        self.hover.setText("")
        if self.page is None:
            return
        trend, figure = self.page["trend"], self.current_figure()
        colours = chart_colours(self.palette())  # the window's palette: dark and high-contrast themes read
        self.chart.setBackground(colours.background)
        paint_axes(plot, colours)
        x = np.array([seconds(d) for d in census_dates(trend)])
        kind = FIGURE_KINDS.get(figure, "weeks")
        scale = 100.0 if kind == "share" else 1.0  # shares are drawn as percentages
        keys = []
        for number, (label, values) in enumerate(series(trend, figure).items()):
            y = np.array([np.nan if v is None else v for v in values], dtype=np.float64) * scale
            if np.isnan(y).all():
                continue  # hidden or not known at every snapshot: nothing to draw
            colour = colours.text if label == WHOLE_LIST else COLOURS[number % len(COLOURS)]
            style = Qt.PenStyle.DashLine if label == WHOLE_LIST else Qt.PenStyle.SolidLine
            self.lines[label] = plot.plot(x, y, pen=pg.mkPen(colour, width=2, style=style), symbol="o", symbolSize=7,
                                          symbolBrush=colour, connect="finite")
            keys.append(f"<nobr><span style='color:{colour}'>{'- -' if label == WHOLE_LIST else '■'}</span> "
                        f"{escape(label)}</nobr>")  # a key and its name stay on one line
        self.legend.setText(" &nbsp; ".join(keys))
        self._mark_adoptions(plot, trend, colours)
        plot.setLabel("left", AXIS_UNITS[kind], color=colours.text)  # the figure is named in its chooser
        self.chart.setToolTip(FIGURE_WORDS[figure])
        plot.enableAutoRange()

    def _mark_adoptions(self, plot: pg.PlotItem, trend: dict, colours) -> None:
        self.adoption_lines = []
        for adoption in trend["adoptions"]:
            line = pg.InfiniteLine(pos=seconds(date.fromisoformat(adoption["date"])), angle=90,
                                   pen=pg.mkPen(colours.axis, width=1, style=Qt.PenStyle.DotLine),
                                   label=f"{adoption['rule_set']} adopted", labelOpts={"position": 0.95, "color": colours.text})
            plot.addItem(line)
            self.adoption_lines.append(line)

    def hover_values(self, x_seconds: float, y_value: float) -> tuple[date, list[tuple[str, Any]]]:
        """The census date nearest ``x_seconds`` and each series' value then, the one nearest ``y_value`` first."""
        trend, figure = self.page["trend"], self.current_figure()
        dates = census_dates(trend)
        index = int(np.argmin([abs(seconds(d) - x_seconds) for d in dates]))
        found = [(label, values[index]) for label, values in series(trend, figure).items()]
        near = min(found, key=lambda lv: abs(lv[1] - y_value) if isinstance(lv[1], float) else np.inf)
        return dates[index], [near] + [f for f in found if f is not near]

    def _on_mouse_moved(self, position) -> None:
        plot = self.chart.getPlotItem()
        if self.page is None or not plot.sceneBoundingRect().contains(position):
            return
        point = plot.vb.mapSceneToView(position)
        day, values = self.hover_values(point.x(), point.y())
        figure = self.current_figure()
        kind = FIGURE_KINDS.get(figure, "weeks")
        shown = [values[0]] + [v for v in values[1:] if v[0] == WHOLE_LIST]  # the nearest line, and the whole list
        self.hover.setText(f"<b>{formats.uk_date(day)}</b> · {escape(FIGURES[figure])}: "
                           + " · ".join(f"{escape(label)} {figure_text(value, kind)}" for label, value in shown))
        everything = "<br>".join(f"{escape(label)}: {figure_text(value, kind)}" for label, value in values)
        QToolTip.showText(QCursor.pos(), f"<b>{formats.uk_date(day)}</b>, {escape(FIGURE_WORDS[figure])}<br>{everything}",
                          self.chart)

    def _note(self, trend: dict) -> str:
        dates = census_dates(trend)
        snapshots = (f"{len(dates)} snapshots, {dates[0]:%d/%m/%Y} to {dates[-1]:%d/%m/%Y}" if len(dates) > 1 else
                     f"One snapshot ({dates[0]:%d/%m/%Y}): add next week's list to it (File > Open waiting list…, "
                     "Add as a weekly snapshot) to see the trend")
        adopted = "; ".join(f"'{escape(a['rule_set'])}' adopted {date.fromisoformat(a['date']):%d/%m/%Y}" for a in trend["adoptions"])
        return (f"{snapshots} · {adopted or 'no rule set adopted yet (Record decision)'} · waits at each census "
                "date, over the RTT waits that count · gap and slope index: positive, the most deprived wait longer · "
                + (NOT_FOR_PUBLICATION if not_for_publication(trend) else CONTROLLED_BRIEFLY))

    # The tables --------------------------------------------------------------------
    def _fill_changes(self, changes: dict | None) -> None:
        if changes is None:
            self.changes_note.setText("Who joined and left shows once the workspace has two snapshots.")
            _fill(self.changes, ["Group"], [])
            return
        earlier, later = (date.fromisoformat(changes[k]["census_date"]) for k in ("earlier", "later"))
        totals = changes["totals"]
        self.changes_note.setText(
            f"From {earlier:%d/%m/%Y} to {later:%d/%m/%Y}: joined {totals['joined']}, left {totals['left']}; "
            f"found again by NHS number and specialty, not pathway ID: {changes['matched']['NHS number and specialty']} "
            "(listed in workbench changes --out).")
        rows = [[g["group"], *(g[c] for c in COUNTED)] for g in changes["groups"]]
        _fill(self.changes, ["Group", *(c.capitalize() for c in COUNTED)], rows)

    def _fill_audit(self, audit: dict | None) -> None:
        if audit is None or not audit["groupings"]:
            why = (audit or {}).get("not_possible", {})
            self.audit_note.setText(" ".join(why.values()) or "No validation outcomes recorded yet: File > Record "
                                    "validation outcomes… reads back a worklist the team filled in.")
            _fill(self.audit, ["Group"], [])
            return
        by, table = next(iter(audit["groupings"].items()))
        self.audit_note.setText(
            f"{formats.count(audit['total_validated'])} validated, {formats.count(audit['total_removed'])} removed "
            f"({formats.count(audit['total_did_not_respond'])} did not respond) · {grouping_words(by)}, against "
            f"{table['reference']} · rate ratios with 95% intervals by Katz's log method (hover for how)")
        self.audit_note.setToolTip(audit["method"])
        rows = [[g["group"], *(audit_figure_text(key, g[key], g["group"] == table["reference"]) for key, _ in AUDIT_COLUMNS)]
                for g in table["groups"]]
        _fill(self.audit, ["Group", *(title for _, title in AUDIT_COLUMNS)], rows)

    # Building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.grouping = QComboBox()
        self.grouping.setAccessibleName("Group the trends by")
        self.grouping.setToolTip(explained("Deprivation fifth", "Core20"))
        self.grouping.currentIndexChanged.connect(lambda _i: self.groupingChanged.emit(self.current_grouping()))
        self.figure = QComboBox()
        self.figure.setAccessibleName("Figure to chart")
        for key, title in FIGURES.items():
            self.figure.addItem(title, key)
            words = "\n\n".join(filter(None, (FIGURE_WORDS[key], explain_text(title, FIGURE_WORDS[key]))))
            self.figure.setItemData(self.figure.count() - 1, words, Qt.ItemDataRole.ToolTipRole)
        for box in (self.grouping, self.figure):  # long titles must not widen the window
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(14)
        self.figure.currentIndexChanged.connect(lambda _i: self._draw())
        top = QHBoxLayout()
        for label, box in (("Group by:", self.grouping), ("Figure:", self.figure)):
            top.addWidget(QLabel(label))
            top.addWidget(box)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setMinimumWidth(1)
        top.addWidget(self.legend, 1)
        self.chart = pg.PlotWidget(axisItems={"bottom": CensusDateAxis(orientation="bottom")})
        self.chart.setBackground("w")
        self.chart.setAccessibleName("Trend chart")
        self.chart.getPlotItem().showGrid(y=True, alpha=0.2)
        self.chart.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.note, self.hover = QLabel(), QLabel()
        for label in (self.note, self.hover):
            label.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)  # rule set names are escaped
        self.note.setToolTip(CONTROL_TOOLTIP)
        self.banner = not_for_publication_banner(visible=False)
        self.hover.setAccessibleName("Values under the mouse")
        self.tables = QTabWidget()
        self.changes, self.changes_note = _table_page(self.tables, "Who joined and left")
        self.audit, self.audit_note = _table_page(self.tables, "Validation audit")
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.hover, 0), (self.note, 0), (self.tables, 1)):
            below_layout.addWidget(widget, stretch)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        # The words and tables below scroll when a projector leaves them little room (never squeezed or
        # clipped), and on the smallest screens the chart and they scroll together.
        split.addWidget(_scrolling(below))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(_scrolling(split), 1)
        self._fit_to_font()

    def changeEvent(self, event) -> None:
        follow_font(self, event, self._fit_to_font)
        super().changeEvent(event)

    def _fit_to_font(self) -> None:
        """The chart never below its least height, and each table never squeezed below its header and a
        few rows (the splitter would, on a projector in workshop mode), whatever the text size."""
        self.chart.setMinimumHeight(MIN_CHART_HEIGHT)
        for table in (self.changes, self.audit):
            fit_rows(table)
            rows = TABLE_ROWS_KEPT * table.verticalHeader().defaultSectionSize()
            table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth())


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _table_page(tabs: QTabWidget, title: str) -> tuple[QTableWidget, QLabel]:
    page = QWidget()
    note = QLabel()
    note.setWordWrap(True)
    table = QTableWidget()
    table.setAccessibleName(title)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addWidget(note)
    layout.addWidget(table, 1)
    tabs.addTab(page, title)
    return table, note


def _fill(table: QTableWidget, headers: list[str], rows: list[list]) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else f"{value:,}" if isinstance(value, int) else str(value))
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


# --------------------------------------------------------------------------- the controller
class TrendsController(QObject):
    """Keeps the Trends tab in step with the window's workspace.

    Invariants: ``page`` is the newest page worked out for the workspace shown
    (None before its trend is ready, or for a workspace with no list); its
    tables follow the trend, from the same request (``_request``) only.
    """

    pageShown = Signal(object)  # the whole page, once its tables are in

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel = TrendsPanel()
        self.page: dict | None = None
        self._waiting_for_list = False
        self._request = 0
        window.add_tab(self.panel, TAB_TITLE)
        window.workspaceLoaded.connect(self.on_workspace_loaded)
        window.list_panel.listShown.connect(self._on_list_shown)
        self.panel.groupingChanged.connect(lambda _by: self.refresh())
        window.tabs.currentChanged.connect(self._on_tab_changed)
        window.disclosureChanged.connect(self._on_disclosure_changed)

    def on_workspace_loaded(self, loaded) -> None:
        self.page = None
        if loaded.wl is None:
            self.panel.show_message("No list yet.")
            return
        self.panel.set_groupings(grouping_choices(loaded.wl), self.panel.current_grouping())
        self.panel.show_message("Working out the trends…")
        self._waiting_for_list = True  # as the ranking: once the list's rows are on screen
        if self.window.list_panel.shown:
            self._on_list_shown()

    def _on_list_shown(self) -> None:
        """With several snapshots, work the trends out now (the decision record shows the trend since a
        rule set was adopted); with one, when the tab is first shown."""
        if not self._waiting_for_list:
            return
        self._waiting_for_list = False
        task = self.window.database.submit(partial(has_several_snapshots, self.window.loaded.file.path), lane="trends")
        task.finished.connect(lambda several: self.refresh() if several or self._tab_shown() else None)

    def _tab_shown(self) -> bool:
        return self.window.tabs.currentWidget() is self.panel

    def _on_tab_changed(self, _index: int) -> None:
        if self._tab_shown() and self.page is None and not self._waiting_for_list:
            self.refresh()

    def _on_disclosure_changed(self, _small_numbers_shown: bool) -> None:
        """Control turned off or on: the page shown (and the decision record's trend) must follow."""
        if self._request:  # a page was asked for: ask again (and never hand the record the old one)
            self.page = None
            self.refresh()

    def refresh(self):
        """Work the page out again on the database worker: the trend, then the tables (a newer request wins)."""
        loaded = self.window.loaded
        if loaded is None or loaded.wl is None:
            return None
        self._request += 1
        request, path, by, wl = self._request, loaded.file.path, self.panel.current_grouping(), loaded.wl
        shown = self.window.small_numbers_shown
        task = self.window.database.submit(partial(trends_page, path, by, wl, shown), lane="trends",
                                           description="Working out the trends")
        task.finished.connect(lambda page: self._on_trend(request, page, path, by, wl, shown))
        task.failed.connect(self.panel.show_message)
        return task

    def _on_trend(self, request: int, page: dict, path, by: str, wl, shown: bool) -> None:
        if request != self._request:
            return
        self.page = page
        self.panel.show_trend(page["trend"])
        task = self.window.database.submit(partial(changes_and_audit, path, by, wl, shown), lane="trend-tables",
                                           description="Who joined and left; the validation audit")
        task.finished.connect(lambda tables: self._on_tables(request, tables))
        task.failed.connect(self.panel.show_message)

    def _on_tables(self, request: int, tables: dict) -> None:
        if request != self._request:
            return
        self.page = {**self.page, **tables}
        self.panel.show_tables(tables)
        self.pageShown.emit(self.page)

    def since_adoption(self, sha256: str | None = None) -> dict | None:
        """The trend since the rule set with ``sha256`` was adopted (else the newest one adopted), for the
        decision record; None before the trends are worked out or with nothing to compare."""
        if self.page is None:
            return None
        trend = self.page["trend"]
        return since_adoption(trend, sha256) or since_adoption(trend)


def install_trends(window) -> TrendsController:
    """Add the Trends tab to the main window (once); returns its controller, also ``window.trends``."""
    if getattr(window, "trends", None) is None:
        window.trends = TrendsController(window)
    return window.trends
