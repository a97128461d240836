"""The waiting list as a Qt table model: a thin adapter over NumPy columns and a view order.

The model never copies rows. It holds the list's arrays and an int64 ``order``
of row positions (the current filter and sort); ``data()`` maps a view row to a
list row and formats that one cell when the view asks. Sorting and filtering
are computed elsewhere (:mod:`workbench.view.filters`, on a worker) and swapped in with
:meth:`ListModel.set_order` inside ``layoutAboutToBeChanged``/``layoutChanged``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from workbench.fields import TEXT, WaitingList
from workbench.view.columns import CellText, problem_codes, problem_name, shown_columns
from workbench.view.columns import column as column_spec  # sort(column) is Qt's int
from workbench.view.filters import FINDINGS, ROW_NUMBER
from workbench.report.glossary import explain_text

# Looked up once: data() runs thousands of times a second while scrolling.
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class ListModel(QAbstractTableModel):
    """A read-only table over a :class:`WaitingList`.

    Invariants: ``order`` is an int64 array of distinct 0-based row positions
    into the list and ``rowCount() == len(order)``; the columns shown never
    change until :meth:`set_list`. ``sortRequested`` is emitted when a header is
    clicked; whoever owns the model computes the order and calls
    :meth:`set_order` (so a million-row sort never runs on the GUI thread).
    """

    sortRequested = Signal(str, bool)  # field name, descending

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wl: WaitingList | None = None
        self.order = np.empty(0, dtype=np.int64)
        self._fields: list[str] = []
        self._formatters: list[CellText] = []
        self._numeric: list[bool] = []
        self._problems = np.empty(0, dtype=object)
        self._descriptions: Mapping[str, str] = {}

    # Loading ---------------------------------------------------------------
    def set_list(
        self,
        wl: WaitingList | None,
        finding_rows: Mapping[str, np.ndarray] | None = None,
        descriptions: Mapping[str, str] | None = None,
        columns: list[str] | None = None,
        problems: np.ndarray | None = None,
    ) -> None:
        """Show a new list (all rows in file order); ``None`` shows nothing.

        ``columns`` (see :func:`shown_columns`) and ``problems`` (see
        :func:`problem_codes`) can be worked out beforehand on a worker: for a
        million rows they take a noticeable moment.
        """
        self.beginResetModel()
        self.wl = wl
        self.order = np.arange(len(wl), dtype=np.int64) if wl is not None else np.empty(0, dtype=np.int64)
        self._fields = (columns or shown_columns(wl)) if wl is not None else []
        if problems is None:
            problems = problem_codes(len(wl) if wl is not None else 0, finding_rows or {})
        self._problems = problems
        self._descriptions = descriptions or {}
        self._formatters = [column_spec(name).text(self._values(name)) for name in self._fields]
        self._numeric = [column_spec(name).right_aligned for name in self._fields]
        self.endResetModel()

    def set_order(self, order: np.ndarray) -> None:
        """Show these rows in this order, keeping the selection on the same patients."""
        order = np.asarray(order, dtype=np.int64)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        new_rows = self._new_view_rows([index.row() for index in old], order)
        self.order = order
        self.changePersistentIndexList(old, [self._moved(i, r) for i, r in zip(old, new_rows)])
        self.layoutChanged.emit()

    # Qt model interface --------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._fields)

    def data(self, index, role=_DISPLAY):
        if role == _DISPLAY:
            return self._formatters[index.column()](int(self.order[index.row()])) if index.isValid() else None
        if role == _ALIGNMENT and index.isValid() and self._numeric[index.column()]:
            return _RIGHT
        if role == _TOOLTIP and index.isValid() and self._fields[index.column()] == FINDINGS:
            return self._problem_tooltip(int(self.order[index.row()]))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == _TOOLTIP and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._fields):
            return explain_text(column_spec(self._fields[section]).label) or None  # a term's meaning, in plain words
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_spec(self._fields[section]).label if 0 <= section < len(self._fields) else None
        return str(section + 1)

    def flags(self, index):
        return _CELL_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks ask for a sort (of a column that sorts); the owner computes it off the GUI thread."""
        if 0 <= column < len(self._fields) and column_spec(self._fields[column]).sort:
            self.sortRequested.emit(self._fields[column], order == Qt.SortOrder.DescendingOrder)

    # Ours ------------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        """The field shown in each column, left to right."""
        return list(self._fields)

    def column_of(self, name: str) -> int:
        """The column showing ``name`` (-1 if it is not shown)."""
        return self._fields.index(name) if name in self._fields else -1

    def list_rows(self, view_rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The 0-based list positions shown at these view rows."""
        return self.order[np.asarray(view_rows, dtype=np.int64)]

    def cell_text(self, list_row: int, column: int) -> str:
        """The text shown for a list row (not a view row) in a column."""
        return self._formatters[column](list_row)

    def formatters(self) -> list[CellText]:
        """One function per column: list row -> shown text (safe to call from a worker)."""
        return list(self._formatters)

    @property
    def problems(self) -> np.ndarray:
        """Each list row's data problems in words (the "Data problems" column)."""
        return self._problems

    def is_text(self, column: int) -> bool:
        """Whether a column holds text (an identifier, a code, a name), not numbers or dates."""
        return column_spec(self._fields[column]).kind == TEXT

    # Helpers ---------------------------------------------------------------
    def _values(self, name: str) -> np.ndarray:
        if name == ROW_NUMBER:
            return self.wl.row_id
        return self._problems if name == FINDINGS else self.wl.column(name)

    def _problem_tooltip(self, list_row: int) -> str | None:
        names = self._problems[list_row]
        if not names:
            return None
        by_name = {problem_name(code): text for code, text in self._descriptions.items()}
        return "\n".join(by_name.get(name, name) for name in names.split(", "))

    def _new_view_rows(self, old_view_rows: list[int], order: np.ndarray) -> np.ndarray:
        """Where each old view row's patient is in the new order (-1: filtered out)."""
        if not old_view_rows:
            return np.empty(0, dtype=np.int64)
        where = np.full(len(self.wl) if self.wl is not None else 0, -1, dtype=np.int64)
        where[order] = np.arange(len(order), dtype=np.int64)
        return where[self.order[np.asarray(old_view_rows, dtype=np.int64)]]

    def _moved(self, old: QModelIndex, new_row: int) -> QModelIndex:
        return self.index(int(new_row), old.column()) if new_row >= 0 else QModelIndex()

