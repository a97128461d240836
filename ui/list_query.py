"""Which rows the list view shows, and in what order: filters and sorts over NumPy arrays.

Qt-free on purpose: the app runs :meth:`ListIndex.order` on a worker thread (a
sort of a million rows takes longer than a screen refresh) and the tests call it
directly. The result is always an int64 array of 0-based row positions, which
:class:`ui.list_model.ListModel` swaps in as its view order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, TEXT, WaitingList
from workbench.nhs_number import normalise_nhs_number
from workbench.progress import CancelCheck, check, never

BLANK = "(blank)"  # the filter choice for rows with no value
ANY_FINDING = "(any)"  # the finding filter for rows with at least one problem
ROW_NUMBER = "row_id"  # the data row of the source file, shown as "Row"
FINDINGS = "findings"  # the data-quality codes of each row
FILTER_FIELDS = ("specialty", "clinical_priority", "site")
SEARCH_FIELDS = ("pathway_id", "nhs_number")


@dataclass(frozen=True)
class ListQuery:
    """What the user asked to see: filters, a finding, a search, a sort.

    ``filters`` holds ``(field, value)`` pairs; a value of :data:`BLANK` picks
    rows where the field is empty.
    """

    filters: tuple[tuple[str, str], ...] = ()
    finding: str | None = None
    search: str = ""
    sort_column: str | None = None
    descending: bool = False

    def with_filter(self, name: str, value: str | None) -> "ListQuery":
        """The same query with one field's filter set (``None`` removes it).

        >>> ListQuery().with_filter("site", "North").filters
        (('site', 'North'),)
        """
        kept = tuple((f, v) for f, v in self.filters if f != name)
        added = ((name, value),) if value is not None else ()
        return ListQuery(kept + added, self.finding, self.search, self.sort_column, self.descending)

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters or self.finding or self.search.strip())


@dataclass
class ListIndex:
    """Precomputed keys over one waiting list, for fast filters and sorts.

    Invariants: built for exactly one list and never changed afterwards except
    for the caches, which only the thread computing orders fills (one
    computation at a time, so no locking). ``finding_rows`` maps a finding code
    to sorted 0-based row positions.
    """

    wl: WaitingList
    finding_rows: Mapping[str, np.ndarray] = field(default_factory=dict)
    _choice_codes: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict, repr=False)
    _sort_keys: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _last_sort: tuple[tuple[str, bool], np.ndarray] | None = field(default=None, repr=False)
    _search_text: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.wl)

    def choices(self, name: str) -> list[str]:
        """The distinct values of a field, sorted, then :data:`BLANK` if any are empty.

        >>> wl = WaitingList(np.arange(1, 4), {"site": np.array(["B", None, "A"], dtype=object)})
        >>> ListIndex(wl).choices("site")
        ['A', 'B', '(blank)']
        """
        codes, values = self._codes(name)
        return values + ([BLANK] if (codes < 0).any() else [])

    def prepare_filters(self) -> None:
        """Work out the filter keys now (on a worker) so the first filter is instant."""
        for name in FILTER_FIELDS:
            if name in self.wl.columns:
                self._codes(name)

    def order(self, query: ListQuery, cancelled: CancelCheck = never) -> np.ndarray:
        """Row positions to show for ``query``, in display order.

        Ties keep the file's order; empty values sort last either way.

        >>> wl = WaitingList(np.arange(1, 4), {"site": np.array(["B", None, "A"], dtype=object)})
        >>> ListIndex(wl).order(ListQuery(sort_column="site")).tolist()
        [2, 0, 1]
        """
        keep = self.mask(query, cancelled)
        check(cancelled)
        if query.sort_column is None:
            return np.flatnonzero(keep) if keep is not None else np.arange(len(self), dtype=np.int64)
        ordered = self.sorted_rows(query.sort_column, query.descending)
        check(cancelled)
        return ordered if keep is None else ordered[keep[ordered]]

    def mask(self, query: ListQuery, cancelled: CancelCheck = never) -> np.ndarray | None:
        """Which rows pass every filter of ``query`` (``None``: all rows)."""
        keep: np.ndarray | None = None
        for name, value in query.filters:
            check(cancelled)
            keep = _and(keep, self._matches(name, value))
        if query.finding:
            keep = _and(keep, self._has_finding(query.finding))
        if query.search.strip():
            check(cancelled)
            keep = _and(keep, self.search(query.search))
        return keep

    def search(self, text: str) -> np.ndarray:
        """Rows whose pathway id or NHS number contains ``text`` (ignoring case and spaces).

        >>> wl = WaitingList(np.arange(1, 3), {"pathway_id": np.array(["ab12", "X9"], dtype=object)})
        >>> ListIndex(wl).search("AB").tolist()
        [True, False]
        """
        wanted = "".join(text.split()).casefold()
        found = np.zeros(len(self), dtype=bool)
        for name in SEARCH_FIELDS:
            if name in self.wl.columns:
                haystack = self._searchable(name)
                found |= np.fromiter((wanted in value for value in haystack), dtype=bool, count=len(self))
        return found

    def sorted_rows(self, column: str, descending: bool = False) -> np.ndarray:
        """Every row position sorted by ``column`` (stable), cached for the last column."""
        if self._last_sort and self._last_sort[0] == (column, descending):
            return self._last_sort[1]
        key = self.sort_key(column)
        if descending:
            key = _descending(key)
        ordered = np.argsort(key, kind="stable").astype(np.int64, copy=False)
        self._last_sort = ((column, descending), ordered)
        return ordered

    def sort_key(self, column: str) -> np.ndarray:
        """A numeric key for ``column`` in ascending order, empty values last (cached)."""
        if column not in self._sort_keys:
            self._sort_keys[column] = self._make_sort_key(column)
        return self._sort_keys[column]

    # Helpers -------------------------------------------------------------
    def _make_sort_key(self, column: str) -> np.ndarray:
        if column == ROW_NUMBER:
            return self.wl.row_id.astype(np.float64)
        if column == FINDINGS:
            return self._finding_counts().astype(np.float64)
        values = self.wl.column(column)
        kind = FIELD_KINDS.get(column, TEXT) if column in self.wl.columns else TEXT
        if kind == DATE:
            days = values.astype("datetime64[D]").view(np.int64).astype(np.float64)
            return np.where(np.isnat(values), np.inf, days)
        if kind in (NUMBER, FLAG):
            return np.where(np.isnan(values), np.inf, values.astype(np.float64))
        codes, _ = self._codes(column)
        return np.where(codes < 0, np.inf, codes.astype(np.float64))

    def _codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Integer codes in sorted value order (-1 for empty) and the values."""
        if name not in self._choice_codes:
            values = self.wl.column(name)
            codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=True, use_na_sentinel=True)
            self._choice_codes[name] = (codes.astype(np.int64), [str(u) for u in uniques])
        return self._choice_codes[name]

    def _matches(self, name: str, value: str) -> np.ndarray:
        codes, values = self._codes(name)
        if value == BLANK:
            return codes < 0
        if value not in values:
            return np.zeros(len(self), dtype=bool)
        return codes == values.index(value)

    def value_counts(self, name: str, rows: np.ndarray) -> dict[str, int]:
        """How many of ``rows`` hold each value of a field (:data:`BLANK` for empty), in value order.

        >>> wl = WaitingList(np.arange(1, 4), {"site": np.array(["B", None, "B"], dtype=object)})
        >>> ListIndex(wl).value_counts("site", np.array([0, 1, 2]))
        {'B': 2, '(blank)': 1}
        """
        codes, values = self._codes(name)
        counts = np.bincount(codes[rows] + 1, minlength=len(values) + 1)
        found = {value: int(count) for value, count in zip(values, counts[1:]) if count}
        if counts[0]:
            found[BLANK] = int(counts[0])
        return found

    def _has_finding(self, code: str) -> np.ndarray:
        keep = np.zeros(len(self), dtype=bool)
        codes = list(self.finding_rows) if code == ANY_FINDING else [code]
        for each in codes:
            keep[self.finding_rows.get(each, np.empty(0, dtype=np.int64))] = True
        return keep

    def _finding_counts(self) -> np.ndarray:
        counts = np.zeros(len(self), dtype=np.int64)
        for rows in self.finding_rows.values():
            counts[rows] += 1
        return counts

    def _searchable(self, name: str) -> np.ndarray:
        """The column as case-folded text without spaces ('' for empty), cached."""
        if name not in self._search_text:
            tidy = normalise_nhs_number if name == "nhs_number" else _fold
            values = self.wl.columns[name]
            self._search_text[name] = np.array([(tidy(v) or "").casefold() for v in values], dtype=object)
        return self._search_text[name]


def _fold(value: str | None) -> str:
    return "".join(value.split()) if value else ""


def _and(keep: np.ndarray | None, more: np.ndarray) -> np.ndarray:
    return more if keep is None else keep & more


def _descending(key: np.ndarray) -> np.ndarray:
    """The key reversed, with empty values (infinity) still last."""
    return np.where(np.isinf(key), np.inf, -key)
