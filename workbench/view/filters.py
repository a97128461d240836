"""Which rows the list view shows, and in what order: filters and sorts over NumPy arrays.

Qt-free on purpose: the app runs :meth:`ListIndex.order` on a worker thread (a
sort of a million rows takes longer than a screen refresh) and the tests call it
directly. The result is always an int64 array of 0-based row positions, which
:class:`ui.list_model.ListModel` swaps in as its view order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, TEXT, WaitingList
from workbench.progress import CancelCheck, check, never

BLANK = "(blank)"  # the filter choice for rows with no value
ANY_FINDING = "(any)"  # the finding filter for rows with at least one problem
ROW_NUMBER = "row_id"  # the data row of the source file, shown as "Row"
FINDINGS = "findings"  # the data-quality codes of each row
FILTER_FIELDS = ("specialty", "clinical_priority", "site")
NAMED_BY = {"specialty": "specialty_name"}  # a filter's codes, shown with the names the list gives them
# What Ctrl+F searches: identifiers, and the words people look for (a procedure, a consultant, a specialty).
SEARCH_FIELDS = ("pathway_id", "nhs_number", "procedure", "consultant", "specialty_name")
CHUNK_ROWS = 50_000  # rows per call into C code that holds the GIL: a few milliseconds each
MAX_FIXED_WIDTH = 64  # longer text is numbered through a dictionary instead


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

    def described(self, title: Callable[[str], str], finding_words: Mapping[str, str] | None = None
                  ) -> list[tuple[str, str]]:
        """What the query shows, in words, for the file it is exported to.

        >>> ListQuery((("site", "North"),), None, "hernia", "weeks_waited", True).described(str.capitalize)
        [('Filters', 'Site: North; search: hernia'), ('Sorted by', 'Weeks_waited, highest or latest first')]
        """
        parts = [f"{title(name)}: {value}" for name, value in self.filters]
        if self.finding:
            parts.append(f"data problem: {(finding_words or {}).get(self.finding, self.finding)}")
        if self.search.strip():
            parts.append(f"search: {self.search.strip()}")
        order = (f"{title(self.sort_column)}, {'highest or latest' if self.descending else 'lowest or earliest'} first"
                 if self.sort_column else "the file's order")
        return [("Filters", "; ".join(parts) or "none: every row"), ("Sorted by", order)]


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
    _choice_labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _sort_keys: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _last_sort: tuple[tuple[str, bool], np.ndarray] | None = field(default=None, repr=False)
    _search_text: dict[str, "SearchText"] = field(default_factory=dict, repr=False)

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

    def choice_labels(self, name: str) -> dict[str, str]:
        """Each choice of a filter as people read it: a specialty's code with its name.

        >>> wl = WaitingList(np.arange(1, 4), {"specialty": np.array(["130", "110", None], dtype=object),
        ...     "specialty_name": np.array(["Ophthalmology", "Trauma & Orthopaedics", None], dtype=object)})
        >>> ListIndex(wl).choice_labels("specialty")
        {'110': '110 Trauma & Orthopaedics', '130': '130 Ophthalmology', '(blank)': '(blank)'}
        """
        if name not in self._choice_labels:
            named = NAMED_BY.get(name)
            names = self._names_of(name, named) if named in self.wl.columns else {}
            self._choice_labels[name] = {choice: f"{choice} {names[choice]}" if names.get(choice, choice) != choice
                                         else choice for choice in self.choices(name)}
        return self._choice_labels[name]

    def _names_of(self, name: str, named: str) -> dict[str, str]:
        """Each value of ``name`` -> the ``named`` column's value on one of its rows (one per value, so any)."""
        codes, values = self._codes(name)
        rows = np.flatnonzero(codes >= 0)
        row_of = np.zeros(len(values), dtype=np.int64)
        row_of[codes[rows]] = rows
        names = self.wl.columns[named][row_of] if len(values) else []
        return {value: text for value, text in zip(values, names) if text}

    def prepare_filters(self) -> None:
        """Work out the filter keys and the filters' choices now (on a worker): the window fills its filters
        without a pause, and the first filter is instant."""
        for name in FILTER_FIELDS:
            if name in self.wl.columns:
                self.choice_labels(name)

    def prepare_search_and_sort(self, cancelled: CancelCheck = never) -> None:
        """Build the search texts and the pathway ID sort key now, while the user is reading.

        Each takes a few hundred milliseconds on a million rows, during which the
        window responds slowly; done ahead, the first search or pathway sort is
        as quick as the later ones. Cancelled (keeping what is finished) when the
        user asks for something.
        """
        for name in SEARCH_FIELDS:
            if name in self.wl.columns:
                check(cancelled)
                self._searchable(name, cancelled)
        if "pathway_id" in self.wl.columns:
            check(cancelled)
            self.sort_key("pathway_id")

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
        """Rows whose pathway id, NHS number, procedure, consultant or specialty name contains ``text``
        (ignoring case and spaces).

        >>> wl = WaitingList(np.arange(1, 3), {"pathway_id": np.array(["ab12", "X9"], dtype=object),
        ...                                    "procedure": np.array(["Inguinal hernia repair", None], dtype=object)})
        >>> ListIndex(wl).search("AB").tolist(), ListIndex(wl).search("hernia").tolist()
        ([True, False], [True, False])
        """
        wanted = "".join(text.split())
        found = np.zeros(len(self), dtype=bool)
        for name in SEARCH_FIELDS:
            if name in self.wl.columns and wanted:
                found[self._searchable(name).rows_containing(wanted)] = True
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
        if column not in self._choice_codes and _is_wide(values):
            return text_ranks(values)
        codes, _ = self._codes(column)
        return np.where(codes < 0, np.inf, codes.astype(np.float64))

    def _codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Integer codes in sorted value order (-1 for empty) and the values (cached)."""
        if name not in self._choice_codes:
            values = self.wl.column(name)
            stored = self.wl.codes_of(values)
            self._choice_codes[name] = (
                in_text_order(*stored) if stored else sorted_codes(np.asarray(values, dtype=object))
            )
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

    def _searchable(self, name: str, cancelled: CancelCheck = never) -> "SearchText | CodedText":
        if name not in self._search_text:
            values = self.wl.columns[name]
            coded = self.wl.codes_of(values)
            self._search_text[name] = CodedText(*coded) if coded else SearchText(values, cancelled)
        return self._search_text[name]


class CodedText:
    """A text column held as codes into a few distinct values (procedures, consultants): a search
    looks through the distinct values, then takes the rows of those that match."""

    def __init__(self, codes: np.ndarray, distinct: np.ndarray):
        self.codes = codes
        self.distinct = SearchText(np.asarray(distinct, dtype=object))

    def rows_containing(self, wanted: str) -> np.ndarray:
        """Row positions whose value contains ``wanted`` (no spaces), ignoring case.

        >>> CodedText(np.array([1, -1, 0, 1]), np.array(["Knee", "Hip"], dtype=object)).rows_containing("hip").tolist()
        [0, 3]
        """
        return np.flatnonzero(np.isin(self.codes, self.distinct.rows_containing(wanted)))


class SearchText:
    """A text column joined into one case-folded string, for fast "contains" searches.

    A Python loop testing a million values takes a second; one regular
    expression scan over the joined text takes milliseconds, and each match is
    mapped back to its row through the start offsets. Spaces inside a value are
    ignored (so "943 476" finds an NHS number typed either way); a search never
    matches across two values because it contains no separator.

    Built from whole-chunk string operations, not a Python step per value: the
    app builds it on a worker (once a list is on screen, or at the first
    search), and a million Python steps there would starve the GUI thread of
    the GIL for over half a second.
    """

    _SEPARATOR = "\x00"  # not whitespace, so the gaps a search allows never cross it

    def __init__(self, values: np.ndarray, cancelled: CancelCheck = never):
        lengths = np.empty(len(values), dtype=np.int64)
        parts, folded_parts = [], []
        self._has_spaces = False
        # A chunk at a time, so no single call holds the GIL for long.
        for start in range(0, len(values), CHUNK_ROWS):
            check(cancelled)
            chunk = values[start : start + CHUNK_ROWS]
            texts = np.where(pd.isna(chunk), "", chunk).tolist()
            lengths[start : start + len(texts)] = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            parts.append(self._SEPARATOR.join(texts))
            folded_parts.append(parts[-1].casefold())
            self._has_spaces = self._has_spaces or re.search(r"\s", parts[-1]) is not None
        self.starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
        # Folding rarely changes a length ("ß" becomes "ss"); then the offsets
        # would point at the wrong rows, so match without folding but ignoring case.
        if all(len(a) == len(b) for a, b in zip(parts, folded_parts)):
            self.text, self._flags = self._SEPARATOR.join(folded_parts), 0
        else:
            self.text, self._flags = self._SEPARATOR.join(parts), re.IGNORECASE

    def rows_containing(self, wanted: str) -> np.ndarray:
        """Row positions whose value contains ``wanted`` (no spaces), ignoring case.

        >>> SearchText(np.array(["ab 12", None, "B1"], dtype=object)).rows_containing("B1").tolist()
        [0, 2]
        """
        if not self._flags:
            wanted = wanted.casefold()
        pattern = re.escape(wanted)
        if self._has_spaces:  # let the search skip spaces inside a value
            pattern = r"\s*".join(re.escape(c) for c in wanted)
        matches = re.finditer(pattern, self.text, self._flags)
        hits = np.fromiter((m.start() for m in matches), dtype=np.int64)
        return np.unique(np.searchsorted(self.starts, hits, side="right") - 1)


def sorted_codes(values: np.ndarray, cancelled: CancelCheck = never) -> tuple[np.ndarray, list[str]]:
    """Number each distinct value in sorted order; -1 for empty. Returns the codes and the values.

    Works through the column in chunks: pandas holds the GIL while it hashes
    Python strings, and a chunk at a time lets the GUI thread in between.

    >>> codes, values = sorted_codes(np.array(["b", None, "a", "b"], dtype=object))
    >>> codes.tolist(), values
    ([1, -1, 0, 1], ['a', 'b'])
    """
    ids: dict = {}
    codes = np.empty(len(values), dtype=np.int64)
    for start in range(0, len(values), CHUNK_ROWS):
        check(cancelled)
        local, uniques = pd.factorize(values[start : start + CHUNK_ROWS], use_na_sentinel=True)
        lookup = np.fromiter((ids.setdefault(u, len(ids)) for u in uniques), dtype=np.int64, count=len(uniques))
        codes[start : start + CHUNK_ROWS] = np.where(local < 0, -1, lookup[np.maximum(local, 0)] if len(lookup) else -1)
    return in_text_order(codes, list(ids))


def in_text_order(codes: np.ndarray, distinct) -> tuple[np.ndarray, list[str]]:
    """Codes into ``distinct`` (-1: empty) renumbered so that the values are in sorted order.

    >>> codes, values = in_text_order(np.array([0, -1, 1, 0]), ["b", "a"])
    >>> codes.tolist(), values
    ([1, -1, 0, 1], ['a', 'b'])
    """
    distinct = [str(v) for v in distinct]
    order = _text_order(distinct)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    codes = np.where(codes < 0, -1, rank[np.maximum(codes, 0)] if len(rank) else -1)
    return codes, [distinct[i] for i in order]


def text_ranks(values: np.ndarray, cancelled: CancelCheck = never) -> np.ndarray:
    """A float sort key for a text column of many distinct values (empty: infinity).

    Sorts a fixed-width NumPy copy, which NumPy does without holding the GIL
    (sorting a million Python strings would freeze the window for seconds).

    >>> key = text_ranks(np.array(["b", None, "a", "b"], dtype=object))
    >>> np.argsort(key, kind="stable").tolist(), bool(key[0] == key[3])
    ([2, 0, 3, 1], True)
    """
    missing = np.zeros(len(values), dtype=bool)
    text = _fixed_width(values, missing, cancelled)
    order = np.argsort(text, kind="stable")
    ordered = text[order]
    rank = np.empty(len(values), dtype=np.float64)
    rank[order] = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])]) if len(values) else []
    rank[missing] = np.inf
    return rank


def _fixed_width(values: np.ndarray, missing: np.ndarray, cancelled: CancelCheck) -> np.ndarray:
    """A NumPy unicode copy of a text column ('' for empty, recorded in ``missing``), chunk by chunk."""
    width = max(1, _longest(values))
    text = np.empty(len(values), dtype=f"U{width}")
    for start in range(0, len(values), CHUNK_ROWS):
        check(cancelled)
        chunk = values[start : start + CHUNK_ROWS]
        empty = chunk == None  # noqa: E711  (elementwise)
        missing[start : start + CHUNK_ROWS] = empty
        text[start : start + CHUNK_ROWS] = np.where(empty, "", chunk)
    return text


def _longest(values: np.ndarray) -> int:
    return max((len(v) for v in values if v is not None), default=0)


def _is_wide(values: np.ndarray) -> bool:
    """Many distinct short values (identifiers): sort them as a fixed-width array."""
    sample = values[:CHUNK_ROWS]
    distinct = len(pd.unique(sample))
    return distinct > 0.5 * len(sample) and _longest(sample) <= MAX_FIXED_WIDTH


def _text_order(distinct: list[str]) -> np.ndarray:
    if len(distinct) < CHUNK_ROWS:
        return np.array(sorted(range(len(distinct)), key=distinct.__getitem__), dtype=np.int64)
    return np.argsort(np.array(distinct, dtype=str), kind="stable")


def _and(keep: np.ndarray | None, more: np.ndarray) -> np.ndarray:
    return more if keep is None else keep & more


def _descending(key: np.ndarray) -> np.ndarray:
    """The key reversed, with empty values (infinity) still last."""
    return np.where(np.isinf(key), np.inf, -key)
