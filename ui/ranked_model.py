"""The prioritised list as a Qt table model: a thin, lazy adapter over two Rankings.

View row ``i`` shows the patient at list position ``ranking.order[i]`` (the
new treatment order). Nothing is copied or formatted ahead of time: ``data()``
formats one cell when the view asks, so a million rows cost nothing until
they are scrolled to. A new ranking is swapped in with
:meth:`RankedModel.set_rankings` inside ``layoutAboutToBeChanged`` /
``layoutChanged``, keeping the selection on the same patients.

Movement is shown with an arrow *and* a number ("▲ 212"), with colour only
as a second cue, so it reads the same in greyscale and to colour-blind users.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from workbench.fields import WaitingList
from workbench.rank.ranking import Ranking
from workbench.report.glossary import explain_text
from workbench.view.columns import (
    BAND, BASELINE_RANK, MOVEMENT, NEW_RANK, SCORE, SOCIAL, CellText, column, movement_words,
)

UP_COLOUR, DOWN_COLOUR = QColor("#0072B2"), QColor("#D55E00")  # Okabe-Ito blue and vermillion
LIST_FIELDS = ("pathway_id", "clinical_priority", "weeks_waited", "specialty", "specialty_name", "imd_quintile",
               "ethnic_group", "age_band", "site")


class RankedModel(QAbstractTableModel):
    """A read-only table of the list in scenario order.

    Invariants: with no list, ``rowCount() == 0``; otherwise ``ranking`` and
    ``baseline`` rank the same list ``wl`` and ``rowCount() == len(wl)``;
    ``movement == baseline.rank - ranking.rank`` (positive: moved up).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wl: WaitingList | None = None
        self.ranking: Ranking | None = None
        self.baseline: Ranking | None = None
        self.movement = np.empty(0, dtype=np.int64)
        self._fields: list[str] = []
        self._formatters: list[CellText] = []
        self._numeric: list[bool] = []

    # Loading ---------------------------------------------------------------
    def set_list(self, wl: WaitingList | None, ranking: Ranking | None = None, baseline: Ranking | None = None) -> None:
        """Show a new list (or nothing); its columns are fixed until the next list."""
        self.beginResetModel()
        self.wl = wl if ranking is not None else None
        self._fields = self._shown_fields(self.wl)
        self._store(ranking, baseline)
        self.endResetModel()

    def set_rankings(self, ranking: Ranking, baseline: Ranking) -> None:
        """Swap in a new order of the same list, keeping selected patients selected."""
        if self.wl is None or len(ranking) != len(self.wl):
            raise ValueError("set_rankings needs a ranking of the list shown (use set_list for a new list)")
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        positions = [int(self.ranking.order[i.row()]) for i in old]
        self._store(ranking, baseline)
        new = [self.index(int(ranking.rank[p]) - 1, i.column()) for i, p in zip(old, positions)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _store(self, ranking: Ranking | None, baseline: Ranking | None) -> None:
        self.ranking, self.baseline = ranking, baseline
        if ranking is None or self.wl is None:
            self.movement = np.empty(0, dtype=np.int64)
            self._formatters, self._numeric = [], []
            return
        self.movement = baseline.rank - ranking.rank
        values = self._values(ranking, baseline)
        self._formatters = [column(name).text(values.get(name, self.wl.columns.get(name))) for name in self._fields]
        self._numeric = [column(name).right_aligned for name in self._fields]

    # Qt model interface --------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.ranking is None else len(self.ranking)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._fields)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.ranking is None:
            return None
        position = int(self.ranking.order[index.row()])
        field = self._fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._formatters[index.column()](position)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._numeric[index.column()]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if field == MOVEMENT and role == Qt.ItemDataRole.ForegroundRole:
            places = int(self.movement[position])
            return UP_COLOUR if places > 0 else DOWN_COLOUR if places < 0 else None
        if field == MOVEMENT and role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return movement_words(int(self.movement[position]))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return explain_text(self.headerData(section, orientation)) or None  # a term's meaning, in plain words
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._fields):
                return column(self._fields[section]).label
            return None
        return str(section + 1)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # Ours ------------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        return list(self._fields)

    def column_of(self, name: str) -> int:
        return self._fields.index(name) if name in self._fields else -1

    def list_position(self, view_row: int) -> int:
        """The 0-based list position of the patient shown at a view row."""
        return int(self.ranking.order[view_row])

    def view_row(self, list_position: int) -> int:
        """The view row showing a list position (its new rank - 1)."""
        return int(self.ranking.rank[list_position]) - 1

    # Helpers ---------------------------------------------------------------
    @staticmethod
    def _shown_fields(wl: WaitingList | None) -> list[str]:
        if wl is None:
            return []
        present = [name for name in LIST_FIELDS if name in wl.columns]
        return [NEW_RANK, BASELINE_RANK, MOVEMENT, BAND, *present[:1], SCORE, SOCIAL, *present[1:]]

    def _values(self, ranking: Ranking, baseline: Ranking) -> dict[str, np.ndarray]:
        """The ranked list's own columns, by list position."""
        return {NEW_RANK: ranking.rank, BASELINE_RANK: baseline.rank, MOVEMENT: self.movement,
                BAND: _BandNames(ranking), SCORE: ranking.score,
                SOCIAL: ranking.social_part()}


class _BandNames:
    """Band names by list position, looked up as a cell is painted (no million-row copy at each re-rank)."""

    def __init__(self, ranking: Ranking):
        self.names, self.band = ranking.band_names, ranking.band

    def __getitem__(self, position: int) -> str:
        return self.names[self.band[position]]
