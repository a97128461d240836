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

from typing import Callable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from ui.list_model import _value_formatter, column_title
from workbench.fields import FIELD_KINDS, FLAG, NUMBER, TEXT, WaitingList
from workbench.rank.ranking import Ranking
from workbench.report.glossary import explain_text

UP, DOWN, SAME = "▲", "▼", "="
UP_COLOUR, DOWN_COLOUR = QColor("#0072B2"), QColor("#D55E00")  # Okabe-Ito blue and vermillion
NEW_RANK, BASELINE_RANK, MOVEMENT, BAND, SCORE, SOCIAL = (
    "new_rank", "baseline_rank", "movement", "band", "score", "social_part")
RANK_TITLES = {
    NEW_RANK: "New rank",
    BASELINE_RANK: "Baseline rank",
    MOVEMENT: "Movement",
    BAND: "Band",
    SCORE: "Score (weeks-eq.)",
    SOCIAL: "Social part",
}
LIST_FIELDS = ("pathway_id", "clinical_priority", "weeks_waited", "specialty", "specialty_name", "imd_quintile",
               "ethnic_group", "age_band", "site")
Formatter = Callable[[int], str]


def movement_text(places: int) -> str:
    """Places moved as an arrow and a number.

    >>> movement_text(212), movement_text(-15), movement_text(0)
    ('▲ 212', '▼ 15', '= 0')
    """
    if places > 0:
        return f"{UP} {places:,}"
    if places < 0:
        return f"{DOWN} {-places:,}"
    return f"{SAME} 0"


def movement_words(places: int) -> str:
    """The same in words, for tooltips and screen readers.

    >>> movement_words(1), movement_words(-3), movement_words(0)
    ('moved up 1 place', 'moved down 3 places', 'no change')
    """
    if places == 0:
        return "no change"
    plural = "place" if abs(places) == 1 else "places"
    return f"moved {'up' if places > 0 else 'down'} {abs(places):,} {plural}"


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
        self._formatters: list[Formatter] = []
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
        social = ranking.social_part()
        self._formatters = [self._formatter(name, social) for name in self._fields]
        self._numeric = [self._is_numeric(name) for name in self._fields]

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
                return RANK_TITLES.get(self._fields[section]) or column_title(self._fields[section])
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

    def _formatter(self, name: str, social: np.ndarray) -> Formatter:
        ranking, baseline, movement = self.ranking, self.baseline, self.movement
        if name == NEW_RANK:
            return lambda i: f"{int(ranking.rank[i]):,}"
        if name == BASELINE_RANK:
            return lambda i: f"{int(baseline.rank[i]):,}"
        if name == MOVEMENT:
            return lambda i: movement_text(int(movement[i]))
        if name == BAND:
            names = ranking.band_names
            return lambda i: names[ranking.band[i]]
        if name == SCORE:
            return lambda i: f"{ranking.score[i]:.1f}"
        if name == SOCIAL:
            return lambda i: f"{social[i]:+.1f}" if social[i] else ""
        return _value_formatter(name, FIELD_KINDS.get(name, TEXT), self.wl.columns[name])

    @staticmethod
    def _is_numeric(name: str) -> bool:
        return name in RANK_TITLES and name != BAND or FIELD_KINDS.get(name) in (NUMBER, FLAG)
