"""The prioritised list: the table in the new order, how it compares with the baseline, finding a patient."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.ranked_model import RankedModel
from ui.sizing import fit_rows, follow_font
from workbench.report.glossary import explained

RESIZE_SAMPLE_ROWS = 100
WAITING_TEXT = "Open a waiting list to see it in priority order."


class RankedView(QWidget):
    """The ranked table with a comparison line and a pathway search.

    ``patientSelected`` carries the 0-based list position of the current
    patient (-1 when none is selected).
    """

    patientSelected = Signal(int)
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = RankedModel(self)
        self._build()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(lambda: self.patientSelected.emit(-1))

    # What the controller calls ------------------------------------------------
    def show_comparison(self, text: str) -> None:
        self.summary.setText(text or WAITING_TEXT)

    def selected_position(self) -> int:
        """The list position of the current patient, or -1."""
        current = self.table.selectionModel().currentIndex()
        if not current.isValid() or self.model.ranking is None:
            return -1
        return self.model.list_position(current.row())

    def select_position(self, position: int) -> None:
        """Select and show the patient at a list position."""
        row = self.model.view_row(position)
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def find_pathway(self, text: str) -> bool:
        """Select the first patient whose pathway ID is ``text`` (ignoring case and spaces)."""
        wl = self.model.wl
        wanted = text.strip().casefold()
        if wl is None or not wanted or "pathway_id" not in wl.columns:
            return False
        ids = wl.columns["pathway_id"]
        matches = np.flatnonzero(np.fromiter(
            (isinstance(v, str) and v.strip().casefold() == wanted for v in ids), dtype=bool, count=len(ids)))
        self.find.setStyleSheet("" if len(matches) else "border: 2px solid #a00000;")
        if len(matches):
            self.select_position(int(matches[0]))
        return bool(len(matches))

    # Qt ------------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        follow_font(self, event, self._fit_to_font)
        super().changeEvent(event)

    def _fit_to_font(self) -> None:
        fit_rows(self.table)
        if self.model.rowCount():
            self.table.resizeColumnsToContents()  # NHS numbers and IDs whole in the new font

    # Slots -------------------------------------------------------------------------
    def _on_current_changed(self, current, _previous) -> None:
        self.patientSelected.emit(self.model.list_position(current.row()) if current.isValid() else -1)

    # Building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel(WAITING_TEXT)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("How the new order compares with the baseline")
        self.summary.setToolTip(explained("Baseline", "Kendall tau"))
        self.find = QLineEdit()
        self.find.setPlaceholderText("Go to pathway ID…")
        self.find.setClearButtonEnabled(True)
        self.find.setAccessibleName("Go to pathway ID")
        self.find.returnPressed.connect(lambda: self.find_pathway(self.find.text()))
        self.export = QPushButton("Export ranked list…")
        self.export.clicked.connect(self.exportRequested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.find)
        top.addWidget(self.export)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Waiting list in priority order")
        self.table.verticalHeader().hide()  # the new rank column says the same
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next pane; arrows move in it
        fit_rows(self.table)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Fit columns to the first rows only: measuring a thousand rows of a
        # million-row list holds up the window for most of a second.
        self.table.verticalHeader().setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
        self.table.horizontalHeader().setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
