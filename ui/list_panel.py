"""The list panel: filters, search, the table of patients and the row count.

The panel owns the :class:`~workbench.view.filters.ListQuery`. Every change (a filter,
a search, a header click, a finding chosen in the quality panel) asks the
compute worker for a new order in the lane ``"list-order"``, so a newer request
replaces an older one and the GUI thread only swaps the finished order in.
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import numpy as np
from PySide6.QtCore import QEvent, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.list_model import ListModel
from ui.sizing import fit_combo_to, fit_rows, fit_wrapping_row, follow_font, wrap_when_narrow
from workbench.view.columns import label as column_label
from workbench.view.filters import ANY_FINDING, ListIndex, ListQuery
from workbench.view.summary import ListSummary, order_and_summary
from ui.workers import Task, Worker
from workbench.report.spreadsheet import rows_for_clipboard

SETTLE_MS = 100  # no repaint for this long: the newly shown list is on screen
SEARCH_DELAY_MS = 250  # wait for a pause in typing before searching a million rows
COPY_ON_GUI_THREAD = 5_000  # rows; more than this are formatted on the worker
FILTERS = {"specialty": "All specialties", "clinical_priority": "All priorities", "site": "All sites"}
EMPTY_MESSAGE = (
    "No waiting list in this workspace yet.\n\n"
    "Open one with File > Open waiting list… (Ctrl+O), or drag a CSV or Excel file onto this window."
)


class ListTable(QTableView):
    """The patient table. Ctrl+C copies whole selected rows (not one cell) via ``copyRequested``."""

    copyRequested = Signal()
    settled = Signal()  # painted, then not repainted for a moment; once asked for with report_when_settled()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # A new list is painted a few times in quick succession (rows, then widths,
        # scroll bars...): "settled" waits for the last of them.
        self._settle_timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle_timer.timeout.connect(self.settled)
        self._report_paint = False

    def report_when_settled(self) -> None:
        self._report_paint = True
        self.viewport().update()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copyRequested.emit()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._report_paint:
            self._settle_timer.start()

    def stop_reporting(self) -> None:
        self._report_paint = False
        self._settle_timer.stop()


class ListPanel(QWidget):
    """Filters over the list, the table, and the count of rows shown.

    Invariant: ``query`` is what the user last asked for; the model shows the
    order computed for the latest query that finished.
    """

    summaryChanged = Signal(object)  # ListSummary | None
    listShown = Signal()  # the first rows of a newly opened list are on screen
    queryChanged = Signal(object)  # ListQuery
    status = Signal(str)  # a short message for the status bar

    def __init__(self, compute: Worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute = compute
        self.index: ListIndex | None = None
        self.query = ListQuery()
        self.summary: ListSummary | None = None  # of the rows on screen; None until the first order arrives
        self.shown = False  # the list's first rows have been painted (see listShown)
        self._warming: Task | None = None  # building the search texts after the list is shown
        self.model = ListModel(self)
        # Through a lambda: a bool argument delivered straight to a bound method trips a
        # PySide6 6.12 reference-count bug on True/False that can crash the interpreter at exit.
        self.model.sortRequested.connect(lambda name, descending: self._on_sort_requested(name, bool(descending)))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_settled)
        self.filters: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._filter_bar())
        self.pages = QStackedWidget()
        self.pages.addWidget(self._empty_page())
        self.pages.addWidget(self._make_table())
        layout.addWidget(self.pages, 1)
        self._fit_to_font()
        fit_wrapping_row(self, self.bar)
        self.set_list(None)

    # Loading ---------------------------------------------------------------
    def set_list(self, index: ListIndex | None, columns: list[str] | None = None, problems: np.ndarray | None = None,
                 descriptions: Mapping[str, str] | None = None,
                 first_view: tuple[np.ndarray, ListSummary] | None = None) -> None:
        """Show a list (``None``: the empty page). Filters and sort start afresh.

        ``first_view`` is :func:`order_and_summary` of the list with no filter or
        sort, if the caller's worker has worked it out already.
        """
        self.index = index
        self.query = ListQuery()
        self.summary = None
        self.shown = False
        self.table.stop_reporting()  # a previous list's
        self.descriptions = dict(descriptions or {})
        wl = index.wl if index is not None else None
        self.model.set_list(wl, index.finding_rows if index else {}, self.descriptions, columns, problems)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._fill_filters()
        self.pages.setCurrentIndex(1 if index is not None else 0)
        self.table.resizeColumnsToContents()
        self._show_count()
        if index is not None and first_view is not None:
            self._on_order_ready(first_view)
        else:
            self.refresh()

    # What the user asks for ----------------------------------------------------
    def set_filter(self, name: str, value: str | None) -> None:
        """Show only rows where ``name`` is ``value`` (``None`` for all)."""
        self._select_combo(self.filters[name], value)
        self._set_query(self.query.with_filter(name, value))

    def set_finding(self, code: str | None) -> None:
        """Show only rows with this finding ('' or ``None``: all rows; ANY_FINDING: any problem)."""
        code = code or None
        self._select_combo(self.finding_filter, code)
        self._set_query(ListQuery(self.query.filters, code, self.query.search, self.query.sort_column, self.query.descending))

    def set_search(self, text: str) -> None:
        """Search pathway IDs, NHS numbers, procedures, consultants and specialty names now (typing waits for a
        pause first)."""
        self._search_timer.stop()
        if self.search.text() != text:
            self.search.blockSignals(True)
            self.search.setText(text)
            self.search.blockSignals(False)
        self._set_query(ListQuery(self.query.filters, self.query.finding, text, self.query.sort_column, self.query.descending))

    def sort_by(self, name: str, descending: bool = False) -> None:
        """Sort by a field (also what a header click does)."""
        column = self.model.column_of(name)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the indicator only: the sort itself is requested below
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        self._on_sort_requested(name, descending)

    def clear_filters(self) -> None:
        """Back to every row (the sort stays)."""
        self._search_timer.stop()
        for combo in [*self.filters.values(), self.finding_filter]:
            self._select_combo(combo, None)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._set_query(ListQuery(sort_column=self.query.sort_column, descending=self.query.descending))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self) -> None:
        """Ask the worker for the order and summary of the current query."""
        if self.index is None:
            self.summaryChanged.emit(None)
            return
        if self._warming is not None:
            self._warming.cancel()  # the user's request first; the rest is built when needed
        task = self.compute.submit(partial(order_and_summary, self.index, self.query), lane="list-order",
                                   description="Updating the list")
        task.finished.connect(self._on_order_ready)
        task.failed.connect(self.status)

    def cancel_pending(self) -> None:
        """Stop waiting for a search still being typed (the window is closing)."""
        self._search_timer.stop()

    # Copy ----------------------------------------------------------------------
    def selected_list_rows(self) -> np.ndarray:
        """List positions of the selected rows, top to bottom as shown."""
        ranges = self.table.selectionModel().selection()
        spans = [np.arange(r.top(), r.bottom() + 1, dtype=np.int64) for r in ranges]
        if not spans:
            return np.empty(0, dtype=np.int64)
        view_rows = np.unique(np.concatenate(spans))
        return self.model.list_rows(view_rows)

    def copy_selection(self) -> None:
        """Copy the selected rows, with a header row, in the columns shown: as tab-separated text (a
        spreadsheet pastes cells) and as an HTML table (an email or a document pastes a table)."""
        rows = self.selected_list_rows()
        if len(rows) == 0:
            self.status.emit("Nothing to copy: select one or more rows first (Shift+Down, Ctrl+A).")
            return
        columns = self.shown_columns()
        formatters = self.model.formatters()
        text_columns = {place for place, column in enumerate(columns) if self.model.is_text(column)}
        work = partial(rows_for_clipboard, [title for _, title in self.shown_fields()],
                       [formatters[column] for column in columns], rows, text_columns)
        if len(rows) <= COPY_ON_GUI_THREAD:
            self._on_copied(work(), len(rows))
            return
        self.status.emit(f"Copying {len(rows):,} rows…")
        task = self.compute.submit(lambda progress, cancelled: work(cancelled=cancelled), lane="copy",
                                   description="Copying rows")
        task.finished.connect(lambda copied: self._on_copied(copied, len(rows)))
        task.failed.connect(self.status)

    def shown_columns(self) -> list[int]:
        """The model's columns in the order the header shows them (a column can be dragged), hidden ones left out."""
        header = self.table.horizontalHeader()
        columns = [header.logicalIndex(visual) for visual in range(header.count())]
        return [column for column in columns if not header.isSectionHidden(column)]

    def shown_fields(self) -> list[tuple[str, str]]:
        """(field, title) of each column, as the table shows them."""
        fields = self.model.fields
        return [(fields[column], column_label(fields[column])) for column in self.shown_columns()]

    def described_view(self) -> list[tuple[str, str]]:
        """The filters, search and sort in words (for the file the rows shown are exported to)."""
        return self.query.described(column_label, {ANY_FINDING: "any problem", **self.descriptions})

    # Slots -----------------------------------------------------------------------
    def _on_order_ready(self, result: tuple[np.ndarray, ListSummary]) -> None:
        order, summary = result
        first = self.summary is None
        self.summary = summary
        self.model.set_order(order)
        self._show_count()
        self.summaryChanged.emit(summary)
        if first:
            if self.table.isVisible():
                self.table.report_when_settled()
            else:
                QTimer.singleShot(0, self, self._on_list_on_screen)

    def _on_list_on_screen(self) -> None:
        # Background work waits for this: painting the rows beside a busy worker
        # thread (which holds Python's lock between its steps) takes several times longer.
        self.table.stop_reporting()
        if self.index is None or self.shown:
            return
        self.shown = True
        self.listShown.emit()
        self._warm_up()

    def _warm_up(self) -> None:
        index = self.index
        task = self.compute.submit(lambda progress, cancelled: index.prepare_search_and_sort(cancelled),
                                   lane="list-warm-up", description="Preparing search")
        task.ended.connect(lambda: self._on_warmed_up(task))
        self._warming = task

    def _on_warmed_up(self, task: Task) -> None:
        if self._warming is task:
            self._warming = None

    def _on_sort_requested(self, name: str, descending: bool) -> None:
        self._set_query(ListQuery(self.query.filters, self.query.finding, self.query.search, name, descending))

    def _on_filter_chosen(self, name: str) -> None:
        self._set_query(self.query.with_filter(name, self.filters[name].currentData()))

    def _on_finding_chosen(self) -> None:
        self.set_finding(self.finding_filter.currentData())

    def _on_search_settled(self) -> None:
        self.set_search(self.search.text())

    def _on_copied(self, copied: tuple[str, str], count: int) -> None:
        text, table = copied
        data = QMimeData()
        data.setText(text)
        data.setHtml(table)
        QApplication.clipboard().setMimeData(data)
        self.status.emit(f"Copied {count:,} rows: paste them into Excel, an email or a document.")

    # Helpers -----------------------------------------------------------------------
    def _set_query(self, query: ListQuery) -> None:
        if query == self.query:
            return
        self.query = query
        self.queryChanged.emit(query)
        self.refresh()

    def _show_count(self) -> None:
        total = len(self.index) if self.index is not None else 0
        shown = self.model.rowCount()
        noun = "patient" if total == 1 else "patients"
        text = f"{shown:,} of {total:,} {noun}" if shown != total or self.query.is_filtered else f"{total:,} {noun}"
        self.count.setText(text)

    def _fill_filters(self) -> None:
        for name, combo in self.filters.items():
            present = self.index is not None and name in self.index.wl.columns
            choices = self.index.choice_labels(name) if present else {}
            self._refill(combo, FILTERS[name], list(choices.items()))
            combo.setEnabled(len(choices) > 1)
        codes = list(self.index.finding_rows) if self.index is not None else []
        findings = [(ANY_FINDING, "Any problem")] + [(c, self.descriptions.get(c, c)) for c in codes]
        self._refill(self.finding_filter, "No problem filter", findings if codes else [])
        self.finding_filter.setEnabled(bool(codes))

    @staticmethod
    def _refill(combo: QComboBox, everything: str, choices: list[tuple[str, str]]) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value, label in choices:
            combo.addItem(label, value)
        combo.blockSignals(False)

    @staticmethod
    def _select_combo(combo: QComboBox, value: str | None) -> None:
        combo.blockSignals(True)
        combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
        combo.blockSignals(False)

    # Building ----------------------------------------------------------------------
    def _filter_bar(self) -> QBoxLayout:
        """The search, then the filters: side by side, or one part under another when the window is
        too narrow for all (workshop mode's larger text, a small screen)."""
        self.bar = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.bar.setContentsMargins(0, 0, 0, 0)
        search = QHBoxLayout()  # the search and the count of rows shown
        first, second = QHBoxLayout(), QHBoxLayout()  # the filters, in two halves
        self.bar.addLayout(search, 2)
        self.bar.addLayout(first, 1)
        self.bar.addLayout(second, 2)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search (Ctrl+F): ID, NHS number, procedure, consultant")
        self.search.setAccessibleName("Search pathway ID, NHS number, procedure, consultant or specialty")
        self.search.setToolTip("Rows whose pathway ID, NHS number, procedure, consultant or specialty name contains "
                               "what you type (case and spaces ignored)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._on_search_settled)
        search.addWidget(self.search)
        for name, everything in FILTERS.items():
            combo = QComboBox()
            combo.setAccessibleName(f"Filter by {column_label(name).lower()}")
            combo.setToolTip(f"Show only one {column_label(name).lower()}")
            self._shrinkable(combo)
            combo.activated.connect(lambda _i, n=name: self._on_filter_chosen(n))
            self.filters[name] = combo
            (first if len(self.filters) <= 2 else second).addWidget(combo)
        self.finding_filter = QComboBox()
        self.finding_filter.setAccessibleName("Filter by data problem")
        self.finding_filter.setToolTip("Show only the rows with a data-quality problem")
        self._shrinkable(self.finding_filter)
        self.finding_filter.activated.connect(lambda _i: self._on_finding_chosen())
        second.addWidget(self.finding_filter, 1)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.setToolTip("Show every row again (Esc)")
        self.clear_button.clicked.connect(self.clear_filters)
        second.addWidget(self.clear_button)
        self.count = QLabel()
        self.count.setAccessibleName("Rows shown")
        search.addWidget(self.count)
        return self.bar

    def _shrinkable(self, combo: QComboBox) -> None:
        """As wide as its longest choice when there is room, down to its "All ..." words whole when not
        (the least width follows the font: see ``_fit_to_font``)."""
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def _fit_to_font(self) -> None:
        """Sizes worked out from the font, again whenever it changes (workshop mode)."""
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 18)
        for name, combo in self.filters.items():
            fit_combo_to(combo, FILTERS[name])
        fit_combo_to(self.finding_filter, "No problem filter")
        fit_rows(self.table)
        if self.index is not None:
            self.table.resizeColumnsToContents()  # NHS numbers whole in the new font

    # Qt ---------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        follow_font(self, event, self._fit_to_font)
        super().changeEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            fit_wrapping_row(self, self.bar)  # the filters' words grew or shrank
        return super().event(event)

    def resizeEvent(self, event) -> None:
        wrap_when_narrow(self.bar, event.size().width())
        super().resizeEvent(event)

    def _make_table(self) -> ListTable:
        self.table = ListTable()
        self.table.setAccessibleName("Waiting list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next pane; arrows move in it
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(50)  # widths from the first rows: a million would take seconds
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionsMovable(True)
        self.table.setSortingEnabled(True)
        self.table.copyRequested.connect(self.copy_selection)
        self.table.settled.connect(self._on_list_on_screen)
        return self.table

    def _empty_page(self) -> QLabel:
        label = QLabel(EMPTY_MESSAGE)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setAccessibleName("No waiting list")
        return label
