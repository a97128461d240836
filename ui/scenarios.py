"""Scenarios: rule sets saved by name in the workspace, and two of them side by side.

The panel lists the workspace's scenarios and asks the controller to save,
use or compare them. :func:`workbench.compare.scenarios.compare_scenarios`
(run on a worker) ranks the list under both, computes the equity figures of
both orders and the rank correlation between them; :class:`CompareDialog` shows the rule
differences highlighted (bold, tinted and marked "≠", so not by colour
alone) above the figures.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.disclosure import CONTROL_TOOLTIP, not_for_publication_banner
from workbench.view.columns import label as column_label
from workbench import formats
from workbench.compare.scenarios import ScenarioComparison
from workbench.compare.suppression import disclosure_note, not_for_publication
from workbench.report.glossary import explain_text, explained
from workbench.store.decisions import RuleDifference, Scenario

DIFFERS_MARK = "≠"
DIFFERS_TINT = QColor("#FFF1C1")


class ScenariosPanel(QWidget):
    """The workspace's scenarios with Save, Use and Compare."""

    saveRequested = Signal(str)
    useRequested = Signal(str)
    compareRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scenarios: list[Scenario] = []
        self._build()
        self.show_scenarios([])

    def show_scenarios(self, scenarios: list[Scenario]) -> None:
        self.scenarios = list(scenarios)
        self.list.clear()
        for scenario in scenarios:
            by = f" by {scenario.created_by}" if scenario.created_by else ""
            self.list.addItem(f"{scenario.name} · {formats.uk_date_time(scenario.created_at.astimezone())}{by}")
            self.list.item(self.list.count() - 1).setToolTip(f"sha256 {scenario.sha256}")
        names = [s.name for s in scenarios]
        for box, default in ((self.first, 0), (self.second, 1)):
            chosen = box.currentText()
            box.clear()
            box.addItems(names)
            box.setCurrentIndex(names.index(chosen) if chosen in names else min(default, len(names) - 1))
        if len(names) >= 2 and self.first.currentText() == self.second.currentText():
            # Comparing a scenario with itself says nothing: offer the newest other one.
            others = [name for name in names if name != self.first.currentText()]
            self.second.setCurrentIndex(names.index(others[-1]))
        self.use_button.setEnabled(bool(names))
        self.compare_button.setEnabled(len(names) >= 2)

    def show_problem(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet("color: #a00000;")

    def show_message(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet("")

    def selected_name(self) -> str | None:
        row = self.list.currentRow()
        return self.scenarios[row].name if 0 <= row < len(self.scenarios) else None

    # Slots ---------------------------------------------------------------------------
    def _on_save(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            self.show_problem("Give the scenario a name first.")
            return
        self.saveRequested.emit(name)

    def _on_use(self) -> None:
        name = self.selected_name()
        if name:
            self.useRequested.emit(name)

    # Building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name for the current rules, e.g. 'Inclusive v2'")
        self.name.setAccessibleName("Scenario name")
        self.name.returnPressed.connect(self._on_save)
        self.save_button = QPushButton("Save as scenario")
        self.save_button.clicked.connect(self._on_save)
        self.list = QListWidget()
        self.list.setAccessibleName("Saved scenarios")
        self.list.itemDoubleClicked.connect(lambda _item: self._on_use())
        self.use_button = QPushButton("Use selected")
        self.use_button.clicked.connect(self._on_use)
        self.first, self.second = QComboBox(), QComboBox()
        self.first.setAccessibleName("First scenario to compare")
        self.second.setAccessibleName("Second scenario to compare")
        self.compare_button = QPushButton("Compare…")
        self.compare_button.clicked.connect(
            lambda: self.compareRequested.emit(self.first.currentText(), self.second.currentText()))
        self.message = QLabel()
        self.message.setWordWrap(True)
        save_row = QHBoxLayout()
        save_row.addWidget(self.name, 1)
        save_row.addWidget(self.save_button)
        compare_row = QGridLayout()
        compare_row.addWidget(QLabel("Compare"), 0, 0)
        compare_row.addWidget(self.first, 0, 1)
        compare_row.addWidget(QLabel("with"), 1, 0)
        compare_row.addWidget(self.second, 1, 1)
        compare_row.addWidget(self.compare_button, 2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(save_row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.use_button)
        layout.addLayout(compare_row)
        layout.addWidget(self.message)


class CompareDialog(QDialog):
    """Two scenarios side by side: what differs in their rules, and what each does to each group."""

    def __init__(self, result: ScenarioComparison, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = result
        a, b = result.first, result.second
        self.setWindowTitle(f"{a.name} compared with {b.name}")
        self.resize(1000, 700)
        self.headline = QLabel(
            f"<b>A: {escape(a.name)}</b> (sha256 {a.sha256[:12]}…) &nbsp; <b>B: {escape(b.name)}</b> "
            f"(sha256 {b.sha256[:12]}…)<br>Rank correlation between the two orders (Kendall tau): "
            f"<b>{formats.correlation(result.kendall_tau)}</b>; under B {formats.count(result.moved_up)} patients move up and "
            f"{formats.count(result.moved_down)} move down compared with A.")
        self.headline.setWordWrap(True)
        self.headline.setToolTip(explained("sha256", "Kendall tau"))
        self.rules_table = self._rules_table(result.differences)
        self.equity_table = self._equity_table(result.summary)
        sii, rii = result.summary["sii"], result.summary["rii"]
        self.inequality = QLabel(
            f"Slope index of inequality across IMD deciles: A {formats.decimal(sii['baseline'], 2, '—')} weeks, "
            f"B {formats.decimal(sii['scenario'], 2, '—')} weeks (RII A {formats.decimal(rii['baseline'], 2, '—')}, B {formats.decimal(rii['scenario'], 2, '—')}).")
        self.inequality.setToolTip(explain_text(self.inequality.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not_for_publication(result.summary):
            layout.addWidget(not_for_publication_banner())
        layout.addWidget(self.headline)
        layout.addWidget(QLabel("Rules (differences marked ≠ and highlighted):"))
        layout.addWidget(self.rules_table, 1)
        figures = QLabel(f"Equity figures, grouped by {column_label(result.summary['by'])}. "
                         f"{disclosure_note(result.summary)}:")
        figures.setWordWrap(True)
        figures.setToolTip(CONTROL_TOOLTIP)
        layout.addWidget(figures)
        layout.addWidget(self.equity_table, 1)
        layout.addWidget(self.inequality)
        layout.addWidget(buttons)

    def differing_items(self) -> list[str]:
        """The settings marked as different (tests, screen readers)."""
        return [self.rules_table.item(r, 1).text() for r in range(self.rules_table.rowCount())
                if self.rules_table.item(r, 0).text() == DIFFERS_MARK]

    def _rules_table(self, differences: list[RuleDifference]) -> QTableWidget:
        table = QTableWidget(len(differences), 4)
        table.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
        table.setHorizontalHeaderLabels(["", "Setting", "A", "B"])
        table.verticalHeader().hide()
        table.setAccessibleName("Rule differences")
        for row, difference in enumerate(differences):
            cells = [DIFFERS_MARK if difference.differs else "", difference.item, difference.first, difference.second]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(explain_text(difference.item))
                if difference.differs:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QBrush(DIFFERS_TINT))
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        return table

    def _equity_table(self, summary: dict) -> QTableWidget:
        headers = ["Group", "Patients", "Mean wait A", "Mean wait B", "90th pct A", "90th pct B",
                   "Next N share A", "Next N share B", "Past 52 wk A", "Past 52 wk B"]
        table = QTableWidget(len(summary["groups"]), len(headers))
        table.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
        table.setHorizontalHeaderLabels(headers)
        for column, header in enumerate(headers):
            table.horizontalHeaderItem(column).setToolTip(explain_text(header.replace("pct", "percentile")))
        table.verticalHeader().hide()
        table.setAccessibleName("Equity figures of both scenarios")
        for row, g in enumerate(summary["groups"]):
            a, b = g["baseline"], g["scenario"]
            cells = [g["group"], formats.count(g["count"]), formats.decimal(a["mean_wait"], 1, '—'), formats.decimal(b["mean_wait"], 1, '—'),
                     formats.decimal(a["p90_wait"], 1, '—'), formats.decimal(b["p90_wait"], 1, '—'), formats.share(a["share_of_next_n"], 1, '—'),
                     formats.share(b["share_of_next_n"], 1, '—'), formats.count(a["over_52"]), formats.count(b["over_52"])]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        return table
