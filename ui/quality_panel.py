"""The data-quality panel: what the checks found, how many rows, and the way to those rows.

Choosing a problem filters the list to its rows (``findingChosen``); "Show all
rows" clears that filter; "Export worklist…" asks the window to write the
findings to an xlsx worklist for the people who will fix them at source.

Patients with no recognised clinical priority get a warning of their own at
the top: the ranking puts them in the 'unknown' band, after P4 by default, so
an urgent patient whose priority did not come through would wait behind
routine ones (hazard HAZ-14). :class:`WarningStrip` is the window's strip of
such warnings above the list (import warnings too), kept until dismissed.
"""

from __future__ import annotations

from html import escape
from typing import Mapping

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.check.deprivation import describe_link
from workbench.check.validation import unknown_priority_warning

CODE_ROLE = Qt.ItemDataRole.UserRole
# Amber either way, its text and background both set (never the theme's text on our background, which
# put white on pale amber under a high-contrast theme): dark on pale for a light desktop, light on dark
# for a dark or high-contrast one.
WARNING_COLOURS = {"light": ("#fff4ce", "#3b2f00"), "dark": ("#3b2f00", "#fff4ce")}


def warning_colours() -> tuple[str, str]:
    """(background, text) of a warning, for the desktop's palette now (the app's: a warning's own
    palette is its style sheet's)."""
    dark = QApplication.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
    return WARNING_COLOURS["dark" if dark else "light"]


def warning_style() -> str:
    """The style sheet declarations of a warning, for the desktop's palette now."""
    background, text = warning_colours()
    return f"background: {background}; color: {text}; border: 1px solid #c19c00; border-radius: 3px; padding: 4px;"


class _PaletteFollower:
    """Restyles its warnings (``_paint``) when the desktop's palette changes. The style sheet is on a
    child: a widget with a style sheet of its own is told of no palette change."""

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()
        super().changeEvent(event)


class WarningStrip(_PaletteFollower, QWidget):
    """Warnings about the list shown, in a strip above it, until the user dismisses them.

    Invariant: ``warnings()`` is what the strip shows; it is hidden exactly when
    that is empty (nothing to say, or dismissed).
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Warnings about this list")
        self._warnings: list[str] = []
        self.box = QFrame()
        self.box.setObjectName("warningStrip")
        icon = QLabel()
        size = self.fontMetrics().height() + 4
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName("Warnings")
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the warnings")
        self.dismiss_button.setToolTip("Hide these warnings until the next list is opened")
        self.dismiss_button.clicked.connect(self._on_dismiss)
        layout = QHBoxLayout(self.box)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.box)
        self._paint()
        self.hide()

    def _paint(self) -> None:
        text = warning_colours()[1]
        self.box.setStyleSheet(f"QFrame#warningStrip {{ {warning_style()} }} "
                           f"QFrame#warningStrip QLabel {{ border: none; padding: 0; color: {text}; }}")

    def show_warnings(self, warnings: list[str]) -> None:
        """Show these warnings (replacing any before); none hides the strip."""
        self._warnings = list(warnings)
        items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
        self.text.setText(f"<b>Check before using this list:</b><ul style='margin: 0; -qt-list-indent: 1'>{items}</ul>")
        self.setVisible(bool(warnings))

    def warnings(self) -> list[str]:
        """The warnings shown now ([] once dismissed)."""
        return list(self._warnings)

    def _on_dismiss(self) -> None:
        self.show_warnings([])
        self.dismissed.emit()


class QualityPanel(_PaletteFollower, QWidget):
    """The findings of the current list, one line per kind of problem.

    Invariant: the first item of each row of ``tree`` carries its finding code in ``CODE_ROLE``.
    ``findingChosen`` carries a code, or '' for "show all rows".
    """

    findingChosen = Signal(str)
    exportRequested = Signal()
    editionsRequested = Signal()  # IoD2019 and IoD2025 side by side

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Data quality")
        self.priority_warning = QLabel()
        self.priority_warning.setWordWrap(True)
        self.priority_warning.setObjectName("priorityWarning")
        self.priority_warning.setAccessibleName("Clinical priority warning")
        self.priority_warning.hide()
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.tree = self._make_tree()
        self.show_all = QPushButton("Show &all rows")
        self.show_all.setAccessibleName("Show all rows")
        self.show_all.clicked.connect(self._on_show_all)
        self.export = QPushButton("&Export worklist…")
        self.export.setAccessibleName("Export findings worklist")
        self.export.setToolTip("Write every problem row to an Excel worklist")
        self.export.clicked.connect(self.exportRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_all)
        buttons.addWidget(self.export)
        buttons.addStretch(1)
        self.deprivation = QLabel()
        self.deprivation.setWordWrap(True)
        self.deprivation.setAccessibleName("Deprivation indices used")
        self.deprivation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editions = QPushButton("IoD2019 and IoD2025 side &by side…")
        self.editions.setAccessibleName("Compare the deprivation editions")
        self.editions.setToolTip("How many patients change deprivation fifth between the 2019 and 2025 indices")
        self.editions.clicked.connect(self.editionsRequested)
        deprivation_row = QHBoxLayout()
        deprivation_row.addWidget(self.editions)
        deprivation_row.addStretch(1)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        layout = QVBoxLayout(self)
        layout.addWidget(self.priority_warning)
        layout.addWidget(self.headline)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.deprivation)
        layout.addLayout(deprivation_row)
        self._paint()
        self.set_findings(None, {})
        self.set_deprivation(None)

    def _paint(self) -> None:
        self.priority_warning.setStyleSheet(f"QLabel#priorityWarning {{ {warning_style()} }}")

    def set_findings(self, counts: Mapping[str, int] | None, descriptions: Mapping[str, str], total_rows: int = 0) -> None:
        """Show finding code -> number of rows (``None``: no list loaded)."""
        self.tree.blockSignals(True)  # refilling must not look like the user choosing a problem
        self.tree.setRowCount(0)
        for row, (code, count) in enumerate((counts or {}).items()):
            self.tree.insertRow(row)
            problem = QTableWidgetItem(descriptions.get(code, code))
            problem.setData(CODE_ROLE, code)
            problem.setToolTip(f"{descriptions.get(code, code)} (code {code}): choose to list these rows")
            rows = QTableWidgetItem(f"{count:,}")
            rows.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.setItem(row, 0, problem)
            self.tree.setItem(row, 1, rows)
        self.tree.blockSignals(False)
        self.tree.resizeRowsToContents()
        self.headline.setText(self._headline(counts, total_rows))
        self.export.setEnabled(bool(counts))
        self.show_all.setEnabled(bool(counts))

    def set_deprivation(self, summary: dict | None) -> None:
        """Say which deprivation indices the list uses and what went through the lookup (None: nothing to say)."""
        self.deprivation.setText(describe_link(summary) if summary else "")
        self.deprivation.setVisible(summary is not None)
        self.editions.setVisible(summary is not None)

    def set_priority_warning(self, count: int) -> None:
        """Warn about ``count`` patients with no recognised clinical priority (0: no warning)."""
        self.priority_warning.setText(unknown_priority_warning(count) if count else "")
        self.priority_warning.setVisible(count > 0)

    def codes(self) -> list[str]:
        """The finding codes listed, top to bottom."""
        return [self.tree.item(row, 0).data(CODE_ROLE) for row in range(self.tree.rowCount())]

    def select_code(self, code: str | None) -> None:
        """Highlight a finding (when the filter bar chose it) without emitting ``findingChosen``."""
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        self.tree.setCurrentItem(None)
        if code in self.codes():
            self.tree.selectRow(self.codes().index(code))
        self.tree.blockSignals(False)

    # Qt overrides ----------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The wrapped descriptions need new heights at the new width (after the columns settle).
        QTimer.singleShot(0, self.tree.resizeRowsToContents)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.tree.resizeRowsToContents)

    # Slots ---------------------------------------------------------------
    def _on_current_changed(self, current: QTableWidgetItem | None, _previous=None) -> None:
        if current is not None:
            self.findingChosen.emit(self.tree.item(current.row(), 0).data(CODE_ROLE))

    def _on_show_all(self) -> None:
        self.select_code(None)
        self.findingChosen.emit("")

    # Helpers -------------------------------------------------------------
    def _make_tree(self) -> QTableWidget:
        # A handful of finding kinds, never patient rows: a widget-based table is right here.
        tree = QTableWidget(0, 2)
        tree.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
        tree.setAccessibleName("Problems found")
        tree.setHorizontalHeaderLabels(["Problem", "Rows"])
        tree.verticalHeader().hide()
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setWordWrap(True)
        tree.setShowGrid(False)
        tree.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tree.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        tree.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        tree.currentItemChanged.connect(self._on_current_changed)
        tree.itemClicked.connect(self._on_current_changed)
        return tree

    @staticmethod
    def _headline(counts: Mapping[str, int] | None, total_rows: int) -> str:
        if counts is None:
            return "No list loaded."
        if not counts:
            return f"Checked {total_rows:,} rows: no problems found."
        kinds = "kind of problem" if len(counts) == 1 else "kinds of problem"
        return f"Checked {total_rows:,} rows: {len(counts)} {kinds} found. Choose one to list its rows."
