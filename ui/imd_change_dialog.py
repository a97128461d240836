"""IoD2019 and IoD2025 side by side: how many patients of the list change deprivation fifth, group by group.

Shows :func:`workbench.compare.imd_change.suppressed_change` (worked out on a worker by
the main window): per nation, a sentence and a table of the previous edition's
fifths, with how many patients stayed, moved to a more or a less deprived
fifth, or have no decile in the current edition; then what it leaves out.
Export writes the same tables to xlsx or CSV.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.disclosure import CONTROL_TOOLTIP, not_for_publication_banner
from workbench.report.tables import write_imd_change
from workbench.compare.imd_change import headline, notes, table_headers, table_rows
from workbench.errors import WorkbenchError
from workbench.compare.suppression import not_for_publication

INTRO = ("England's Indices of Deprivation 2025 replaced those of 2019 (and WIMD 2025 replaced WIMD 2019) on "
         "30 October 2025, on redrawn areas and with a changed method. This is how this list's patients fall in "
         "each: where the fifths differ, a series of waits by deprivation has a break in it.")


class ImdChangeDialog(QDialog):
    """Both editions side by side for the list shown (a suppressed :func:`compare_editions` result)."""

    def __init__(self, shown: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.shown = shown
        self.setWindowTitle("Deprivation: IoD2019 and IoD2025 side by side")
        self.setAccessibleName("Deprivation editions side by side")
        self.tables: dict[str, QTableWidget] = {}
        layout = QVBoxLayout(self)
        if not_for_publication(shown):
            layout.addWidget(not_for_publication_banner())
        layout.addWidget(_wrapped(INTRO))
        for nation in shown["nations"]:
            layout.addWidget(_wrapped(f"<b>{escape(headline(nation))}</b>"))
            self.tables[nation["nation"]] = table = _table(nation)
            layout.addWidget(table)
        if not shown["nations"]:
            layout.addWidget(_wrapped("No patient of this list has an English or Welsh area: nothing changes."))
        self.notes = _wrapped("<br>".join(escape(note) for note in notes(shown)))
        self.notes.setToolTip(CONTROL_TOOLTIP)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        layout.addWidget(self._buttons())
        width = self.fontMetrics().averageCharWidth()
        self.resize(width * 150, self.fontMetrics().height() * (14 + 9 * len(shown["nations"])))

    def export(self, path: str | Path | None = None) -> Path | None:
        """Write the tables to an xlsx or CSV file (asks where when no path is given)."""
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(self, "Export the change of fifth", "deprivation-change.xlsx",
                                                          "Excel workbook (*.xlsx);;CSV (*.csv)")
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        try:
            write_imd_change(path, self.shown)
        except WorkbenchError as error:
            self.status.setText(str(error))
            return None
        self.status.setText(f"Written to {path}")
        return path

    def _buttons(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel()
        self.status.setAccessibleName("Export status")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setAccessibleName("Export the change of fifth")
        self.export_button.setEnabled(bool(self.shown["nations"]))
        self.export_button.clicked.connect(lambda: self.export())
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        return box


def _table(nation: dict) -> QTableWidget:
    headers, rows = table_headers(nation), table_rows(nation)
    table = QTableWidget(len(rows), len(headers))
    table.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
    table.setAccessibleName(f"{nation['nation']}: {nation['previous_index']} and {nation['current_index']} fifths")
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    for row, cells in enumerate(rows):
        for column, value in enumerate(cells):
            item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else str(value))
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, item)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.setCurrentItem(None)
    height = table.horizontalHeader().sizeHint().height() + sum(table.rowHeight(r) for r in range(len(rows))) + 4
    table.setFixedHeight(height)
    return table


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label

