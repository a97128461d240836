"""Capacity and horizon: the inputs of the projections, and the queue figures per specialty.

The inputs (patients treated a week, new referrals a week, the horizon and
the target wait) feed the equity projections and the table. The table is
worked out on a worker by :func:`workbench.compare.queues.queue_table` and shown here, its counts
controlled like every other group-level figure (``workbench.compare.suppression``):
1 to 7 as ``*``, others and the "All specialties" row to the nearest 5, and
every figure worked out from the counts as shown. A relief capacity below
demand reads "none needed"; a queue load of 1 or more is marked and said
in words under the table.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.disclosure import CONTROL_TOOLTIP, STAMP_COLOUR, not_for_publication_banner
from workbench.compare.queues import (
    COLUMNS, NAME_KEYS, CapacitySettings, figure_text, load_warnings, projections_text,
)
from workbench.compare.suppression import CONTROLLED, NOT_FOR_PUBLICATION
from workbench.report.glossary import explain_text, explained

NOT_GIVEN = "not given"


class CapacityPanel(QWidget):
    """Capacity inputs and the per-specialty queue table. ``settingsChanged`` carries CapacitySettings."""

    settingsChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._build()

    def settings(self) -> CapacitySettings:
        demand = self.demand.value()
        by_priority = tuple((code, box.value()) for code, box in self.priority_boxes.items() if box.value() > 0)
        per_priority = self.per_priority.isChecked()
        return CapacitySettings(
            capacity_per_week=self.capacity.value(),
            horizon_weeks=self.horizon.value(),
            demand_per_week=demand if demand > 0 and not per_priority else None,
            target_wait_weeks=self.target.value(),
            demand_by_priority=by_priority if per_priority else (),
        )

    def set_settings(self, settings: CapacitySettings) -> None:
        """Show settings without announcing them (a new list's defaults)."""
        by_priority = dict(settings.demand_by_priority)
        boxes = (self.capacity, self.horizon, self.demand, self.target, self.per_priority, *self.priority_boxes.values())
        for box in boxes:
            box.blockSignals(True)
        self.capacity.setValue(settings.capacity_per_week)
        self.horizon.setValue(settings.horizon_weeks)
        self.demand.setValue(settings.demand_per_week or 0.0)
        self.target.setValue(settings.target_wait_weeks)
        self.per_priority.setChecked(bool(by_priority))
        for code, box in self.priority_boxes.items():
            box.setValue(by_priority.get(code, 0.0))
        for box in boxes:
            box.blockSignals(False)
        self._show_per_priority(bool(by_priority))
        self._say_what_projections_use()

    def show_table(self, rows: list[dict], small_numbers_shown: bool = False) -> None:
        """Fill the queue table (the last row is all specialties, shown bold), say how its counts were
        controlled, and warn about every queue whose load is 1 or more."""
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (key, _title, _words) in enumerate(COLUMNS):
                self.table.setItem(r, c, self._cell(key, row, bold=r == len(rows) - 1))
        self.table.resizeColumnsToContents()
        self.problem.hide()
        self.banner.setVisible(small_numbers_shown)
        self.disclosure.setText(NOT_FOR_PUBLICATION + "." if small_numbers_shown else CONTROLLED + ".")
        self.warnings.setText(load_warnings(rows))
        self.warnings.setVisible(bool(self.warnings.text()))

    def _cell(self, key: str, row: dict, bold: bool) -> QTableWidgetItem:
        item = QTableWidgetItem(figure_text(key, row.get(key), row))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        if key not in NAME_KEYS:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if key == "queue_load" and row.get("load_warning"):
            item.setForeground(QColor(STAMP_COLOUR))
            item.setText("⚠ " + item.text())  # marked by a sign too, not by colour alone
            item.setToolTip(row["load_warning"])
        if key == "relief_capacity" and row.get("relief_words"):
            item.setToolTip("No extra capacity needed: the queue is already within its target size, so capacity "
                            "equal to referrals keeps it there.")
        if bold:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        return item

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def cell_text(self, row: int, key: str) -> str:
        """The text shown for one figure (tests, copying)."""
        column = [k for k, _, _ in COLUMNS].index(key)
        item = self.table.item(row, column)
        return item.text() if item else ""

    # Building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.capacity = self._box(0.1, 1e6, 100.0, " patients a week", "Patients treated a week")
        self.demand = self._box(0.0, 1e6, 0.0, " a week", "New referrals a week")
        self.demand.setSpecialValueText(NOT_GIVEN)
        self.horizon = self._box(1.0, 520.0, 13.0, " weeks", "Horizon for 'the next N treated'")
        self.horizon.setToolTip(explained("Horizon", "Next N treated"))
        self.target = self._box(1.0, 104.0, 18.0, " weeks", "Target wait")
        form = QFormLayout()
        form.addRow("Capacity:", self.capacity)
        self.per_priority = QCheckBox("Per &priority")
        self.per_priority.setToolTip("New referrals a week for each clinical priority (say, more urgent referrals "
                                     "than the list's own mix). Unticked: they come in the list's own mix.")
        self.per_priority.toggled.connect(self._on_per_priority)
        demand_row = QHBoxLayout()
        demand_row.addWidget(self.demand, 1)
        demand_row.addWidget(self.per_priority)
        self.priority_boxes: dict[str, QDoubleSpinBox] = {}
        self.priority_rows = QWidget()
        self.priority_rows.setAccessibleName("New referrals a week per priority")
        self.priority_grid = QGridLayout(self.priority_rows)
        self.priority_grid.setContentsMargins(0, 0, 0, 0)
        self.priority_rows.hide()
        form.addRow("New referrals:", demand_row)
        form.addRow(self.priority_rows)
        form.addRow("Horizon:", self.horizon)
        form.addRow("Target wait:", self.target)
        explain = QLabel(
            "The projections treat the list in order at this capacity. New referrals join the list week by week "
            "(in its own mix of priorities, or as set per priority) and take their places by the rule set. Queue figures follow the NHS-R waiting list formulas (per week; NHS-R's "
            "defaults); target queue size and relief capacity need the referral rate. Hover over a column's "
            "heading for what it means.")
        explain.setWordWrap(True)
        explain.setToolTip(explain_text(explain.text()))
        self.projections = QLabel()
        self.projections.setWordWrap(True)
        self.projections.setAccessibleName("What the equity projections use")
        self.projections.setStyleSheet("font-weight: bold;")
        words = QVBoxLayout()
        words.addWidget(explain)
        words.addWidget(self.projections)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addLayout(words, 1)
        self.banner = not_for_publication_banner(visible=False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
        self.table.setHorizontalHeaderLabels([title for _, title, _ in COLUMNS])
        for column, (_key, title, words) in enumerate(COLUMNS):
            tip = "\n\n".join(filter(None, [words, explain_text(title, words)]))
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setAccessibleName("Queue figures per specialty")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a00000;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.warnings = QLabel()
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setStyleSheet(f"color: {STAMP_COLOUR};")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Queue warnings")
        self.warnings.hide()
        self.disclosure = QLabel(CONTROLLED + ".")
        self.disclosure.setWordWrap(True)
        self.disclosure.setToolTip(CONTROL_TOOLTIP)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.disclosure)
        self._say_what_projections_use()

    def _box(self, low: float, high: float, value: float, suffix: str, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(1)
        box.setValue(value)
        box.setSuffix(suffix)
        box.setKeyboardTracking(False)
        box.setAccessibleName(name)
        box.valueChanged.connect(self._on_changed)
        return box

    def _on_changed(self, _value: float) -> None:
        self._say_what_projections_use()
        self.settingsChanged.emit(self.settings())

    def _on_per_priority(self, on: bool) -> None:
        self._show_per_priority(on)
        self._on_changed(0.0)

    def _show_per_priority(self, on: bool) -> None:
        self.demand.setEnabled(not on)
        self.priority_rows.setVisible(on and bool(self.priority_boxes))

    def set_priorities(self, priorities: Sequence[str]) -> None:
        """One box per priority new referrals can be given for (a new list's:
        :func:`workbench.compare.projection.referral_priorities`), each at none."""
        while self.priority_grid.count():
            self.priority_grid.takeAt(0).widget().deleteLater()
        self.priority_boxes = {}
        for place, code in enumerate(priorities):  # two to a row: a tall column would squeeze the table
            box = self._box(0.0, 1e6, 0.0, " a week", f"New referrals a week of priority {code}")
            box.setSpecialValueText("none")
            label = QLabel(f"{code}:")
            label.setBuddy(box)
            row, column = divmod(place, 2)
            self.priority_grid.addWidget(label, row, 2 * column)
            self.priority_grid.addWidget(box, row, 2 * column + 1)
            self.priority_boxes[code] = box
        self.per_priority.setEnabled(bool(priorities))
        self._show_per_priority(self.per_priority.isChecked())

    def _say_what_projections_use(self) -> None:
        """Beside the inputs, what the equity charts now assume: changing referrals here changes them."""
        self.projections.setText(projections_text(self.settings()))

