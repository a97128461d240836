"""Capacity and horizon: the inputs of the projections, and the queue figures per specialty.

The inputs (patients treated a week, new referrals a week, the horizon and
the target wait) feed the equity projections and the table. The table is
worked out on a worker by :func:`workbench.compare.queues.queue_table`, small
counts already hidden, and shown here.
"""

from __future__ import annotations

import math
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.compare.queues import COLUMNS, NAME_KEYS, CapacitySettings
from workbench.compare.suppression import SUPPRESSED

NOT_GIVEN = "not given"
COUNT_KEYS = ("queue_size", "backlog_52")


def shown_figure(key: str, value) -> str:
    """A figure as the table shows it.

    >>> shown_figure("queue_size", 1234), shown_figure("waiting_list_pressure", 2.42307), shown_figure("relief_capacity", None)
    ('1,234', '2.42', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value == SUPPRESSED or isinstance(value, str):
        return str(value)
    if key in COUNT_KEYS:
        return f"{int(value):,}"
    if key == "waiting_list_pressure":
        return f"{value:.2f}"
    return f"{value:,.1f}"


class CapacityPanel(QWidget):
    """Capacity inputs and the per-specialty queue table. ``settingsChanged`` carries CapacitySettings."""

    settingsChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._build()

    def settings(self) -> CapacitySettings:
        demand = self.demand.value()
        return CapacitySettings(
            capacity_per_week=self.capacity.value(),
            horizon_weeks=self.horizon.value(),
            demand_per_week=demand if demand > 0 else None,
            target_wait_weeks=self.target.value(),
        )

    def set_settings(self, settings: CapacitySettings) -> None:
        """Show settings without announcing them (a new list's defaults)."""
        boxes = (self.capacity, self.horizon, self.demand, self.target)
        for box in boxes:
            box.blockSignals(True)
        self.capacity.setValue(settings.capacity_per_week)
        self.horizon.setValue(settings.horizon_weeks)
        self.demand.setValue(settings.demand_per_week or 0.0)
        self.target.setValue(settings.target_wait_weeks)
        for box in boxes:
            box.blockSignals(False)

    def show_table(self, rows: list[dict]) -> None:
        """Fill the queue table (the last row is all specialties, shown bold)."""
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (key, _title) in enumerate(COLUMNS):
                item = QTableWidgetItem(shown_figure(key, row.get(key)))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if key not in NAME_KEYS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r == len(rows) - 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.problem.hide()

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def cell_text(self, row: int, key: str) -> str:
        """The text shown for one figure (tests, copying)."""
        column = [k for k, _ in COLUMNS].index(key)
        item = self.table.item(row, column)
        return item.text() if item else ""

    # Building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.capacity = self._box(0.1, 1e6, 100.0, " patients a week", "Patients treated a week")
        self.demand = self._box(0.0, 1e6, 0.0, " a week", "New referrals a week")
        self.demand.setSpecialValueText(NOT_GIVEN)
        self.horizon = self._box(1.0, 520.0, 13.0, " weeks", "Horizon for 'the next N treated'")
        self.target = self._box(1.0, 104.0, 18.0, " weeks", "Target wait")
        form = QFormLayout()
        form.addRow("Capacity:", self.capacity)
        form.addRow("New referrals:", self.demand)
        form.addRow("Horizon:", self.horizon)
        form.addRow("Target wait:", self.target)
        explain = QLabel(
            "The projections treat the list in order at this capacity. With new referrals, they take their share "
            "of each week's capacity first. Queue figures follow the NHS-R waiting list formulas; target queue "
            "size and relief capacity need the referral rate.")
        explain.setWordWrap(True)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addWidget(explain, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setAccessibleName("Queue figures per specialty")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a00000;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)

    def _box(self, low: float, high: float, value: float, suffix: str, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(1)
        box.setValue(value)
        box.setSuffix(suffix)
        box.setKeyboardTracking(False)
        box.setAccessibleName(name)
        box.valueChanged.connect(lambda _v: self.settingsChanged.emit(self.settings()))
        return box
