"""The table as read: its header row found, and its columns put together from blocks of cells.

Readers hand over blocks of rows, one part per column: text, or :class:`Coded`
cells (codes into the column's distinct texts) for a column that repeats its
values. :func:`assemble` joins them into a :class:`RawTable`, dropping fully
blank rows (counted) and empty extra columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from workbench.errors import WorkbenchError
from workbench.fields import KnownCodes


HEADER_SEARCH_ROWS = 30  # the header must be within the first 30 rows
ROWS_COMPARED_WITH_HEADER = 20  # rows below a candidate header used to judge it
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class RawTable:
    """A table exactly as read: unique headers and one text column per header.

    Invariants: ``len(headers) == len(columns)``; every column and
    ``source_line`` have ``rows_read`` entries; values are ``str`` or ``None``
    (never numbers); every record after the header is either a data row
    (``rows_read``) or a fully blank row that was skipped (``blank_rows``).
    """

    headers: list[str]
    columns: list[np.ndarray]
    sheet: str | None
    header_row: int
    rows_read: int
    blank_rows: int
    encoding: str | None
    delimiter: str | None
    source_line: np.ndarray
    # The codes of columns read as codes (those that repeat a few values): saves hashing them again.
    known_codes: KnownCodes = field(default_factory=KnownCodes, repr=False)
    # What the reader did that a person should check (quotes read as text, a hidden sheet skipped).
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return self.rows_read

    def column(self, header: str) -> np.ndarray:
        """The values under ``header`` (``KeyError`` naming it if there is none)."""
        try:
            return self.columns[self.headers.index(header)]
        except ValueError:
            raise KeyError(f"The file has no column called '{header}'") from None

    def as_dict(self) -> dict[str, np.ndarray]:
        """Header -> column, in file order."""
        return dict(zip(self.headers, self.columns))


_IS_SPACE = np.frompyfunc(str.isspace, 1, 1)


def blanks_to_none(values: np.ndarray, spaces: bool = True) -> np.ndarray:
    """Empty texts, and space-only ones if ``spaces``, become None, in place (None cells stay)."""
    values[values == ""] = None
    if spaces and values.size:
        text = values != None  # noqa: E711 (elementwise)
        space_only = np.zeros(values.shape, dtype=bool)
        space_only[text] = _IS_SPACE(values[text]).astype(bool)
        values[space_only] = None
    return values


def choose_header(path: Path, head: list[list], header_row: int | None, sheet: str | None = None) -> int:
    """0-based index of the header record within ``head``."""
    rows = [[_blank_to_none(v) for v in row] for row in head]
    where = f", sheet '{sheet}'" if sheet else ""
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise WorkbenchError(f"{path.name}{where}: has no row {header_row} to use as the header")
        if not any(rows[header_row - 1]):
            raise WorkbenchError(f"{path.name}{where}: row {header_row} is empty, so it cannot be the header")
        return header_row - 1
    found = find_header_row(rows)
    if found is None:
        if not any(any(r) for r in rows):
            raise WorkbenchError(f"{path.name}{where}: the file is empty")
        raise WorkbenchError(
            f"{path.name}{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
            "(a row of column names); add one, or say which row holds the headers"
        )
    return found


def _blank_to_none(value) -> str | None:
    if value is None:
        return None
    return None if not value or value.isspace() else value


def find_header_row(rows: list[list[str | None]]) -> int | None:
    """0-based index of the first row that looks like column names, or None.

    A header is among the first ``HEADER_SEARCH_ROWS`` rows, mostly filled
    with words (not numbers or dates), and at least as wide as the typical
    row below it, so a title such as "Waiting list extract" in A1 is skipped.

    >>> find_header_row([["Waiting list extract", None], [None, None], ["Pathway ID", "Clock start"], ["A1", "01/03/2024"]])
    2
    """
    # A table may start in column C: count its width from its first filled column.
    left = min((next(i for i, v in enumerate(r) if v is not None) for r in rows if any(r)), default=0)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [v for v in row if v is not None]
        if not filled:
            continue
        width = _width(row)
        span = width - left
        below = [_width(r) for r in rows[index + 1 : index + 1 + ROWS_COMPARED_WITH_HEADER] if any(r)]
        typical = sorted(below)[(len(below) - 1) // 2] if below else width
        wordy = sum(1 for v in filled if _LETTER.search(v))
        if width >= typical and 2 * len(filled) > span and 2 * wordy > len(filled):
            return index
    return None


def _width(row: list) -> int:
    """Position of the last filled cell (1-based), 0 for an empty row."""
    for position in range(len(row), 0, -1):
        if row[position - 1] is not None:
            return position
    return 0


def header_cells(record: list, width: int) -> list[str | None]:
    cells = [_blank_to_none(v) for v in record] + [None] * (width - len(record))
    return [" ".join(c.split()) if c else None for c in cells]


def unique_headers(cells: list[str | None]) -> list[str]:
    """Headers made unique: a repeat gets " (2)", " (3)"; a blank one "Column N".

    >>> unique_headers(["Site", None, "Site", "Site"])
    ['Site', 'Column 2', 'Site (2)', 'Site (3)']
    """
    named = [c or f"Column {i}" for i, c in enumerate(cells, start=1)]
    taken: set[str] = set()
    # The last copy number given to each name: a row of 16,384 identical headers
    # must not try "(2)", "(3)"... from the start for every one of them.
    last_copy: dict[str, int] = {}
    result = []
    for name in named:
        candidate, copy = name, last_copy.get(name.casefold(), 1)
        while candidate.casefold() in taken:
            copy += 1
            candidate = f"{name} ({copy})"
        last_copy[name.casefold()] = copy
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def assemble(header_cells, blocks, header_index, sheet, encoding, delimiter,
              spaces_possible: Callable[[], bool] = lambda: False) -> RawTable:
    """Blank cells to None, fully blank rows dropped and counted, empty extra columns dropped.

    ``blocks`` are (first row number, one part per column), taken one at a
    time; every block has ``len(header_cells)`` parts. If ``spaces_possible()``
    (asked once all blocks are in), cells of spaces only are blank too.
    """
    gathered = [_Column() for _ in header_cells]
    lines = []
    for first, parts in blocks:
        lines.append(np.arange(first, first + len(parts[0]), dtype=np.int64))
        for column, part in zip(gathered, parts):
            column.add(part)
    space_only = spaces_possible()
    columns = [column.finish(space_only) for column in gathered]
    filled = np.zeros(sum(len(line) for line in lines), dtype=bool)
    for column in columns:
        filled |= column.filled
    # A column with neither a header nor a value (trailing commas) is noise.
    keep = [i for i, h in enumerate(header_cells) if h is not None or columns[i].filled.any()]
    known = KnownCodes()
    values = [columns[i].rows(filled, known) for i in keep]
    return RawTable(
        headers=unique_headers([header_cells[i] or f"Column {i + 1}" for i in keep]),
        columns=values,
        sheet=sheet,
        header_row=header_index + 1,
        rows_read=int(filled.sum()),
        blank_rows=int((~filled).sum()),
        encoding=encoding,
        delimiter=delimiter,
        source_line=np.concatenate(lines)[filled] if lines else np.empty(0, dtype=np.int64),
        known_codes=known,
    )


@dataclass
class Coded:
    """Cells as codes (-1: empty) into ``texts`` (which may hold None for empty)."""

    codes: np.ndarray
    texts: list

    def __len__(self) -> int:
        return len(self.codes)


class _Column:
    """One column gathered a block at a time: text, or codes into the column's distinct texts.

    Codes are kept while every block comes coded; a block of text makes the whole column text.
    """

    def __init__(self):
        self._parts: list = []
        self._codes: dict[str, int] = {}  # text -> code, over all coded blocks
        self.filled: np.ndarray = np.empty(0, dtype=bool)  # after finish(): which cells hold a value
        self._values: np.ndarray | None = None
        self._distinct: np.ndarray | None = None

    def add(self, part) -> None:
        if isinstance(part, Coded):
            codes = self._codes
            # Code -1 (an empty cell) picks the last entry, as does a text that is None.
            to_column = np.array([-1 if t is None else codes.setdefault(t, len(codes)) for t in part.texts] + [-1],
                                 dtype=np.int32)
            part = Coded(to_column[part.codes], [])
        self._parts.append(part)

    def finish(self, space_only: bool) -> "_Column":
        """Join the blocks; "" (and spaces, if ``space_only``) become empty."""
        if all(isinstance(p, Coded) for p in self._parts):
            distinct = np.array(list(self._codes), dtype=object)
            codes = _join([p.codes for p in self._parts], np.int32)
            self._values, self._distinct = _without_blank_codes(codes, distinct, space_only)
            self.filled = self._values >= 0
        else:
            texts = np.append(np.array(list(self._codes), dtype=object), None)
            values = _join([texts[p.codes] if isinstance(p, Coded) else p for p in self._parts], object)
            self._values = blanks_to_none(values, spaces=space_only)
            self.filled = self._values != None  # noqa: E711 (elementwise)
        self._parts = []
        return self

    def rows(self, kept: np.ndarray, known: KnownCodes) -> np.ndarray:
        """The text of the ``kept`` rows; a coded column's codes go into ``known``."""
        every = kept.all()
        if self._distinct is None:
            return self._values if every else self._values[kept]
        codes = self._values if every else self._values[kept]
        values = np.append(self._distinct, None)[codes]
        known.add(values, codes, self._distinct)
        return values


def _without_blank_codes(codes: np.ndarray, distinct: np.ndarray, space_only: bool):
    """(codes, distinct) with blank texts, and texts no cell uses (title rows), taken out."""
    used = np.zeros(len(distinct) + 1, dtype=bool)
    used[codes] = True  # code -1 marks the extra last entry
    blank = np.array([t == "" or (space_only and t.isspace()) for t in distinct], dtype=bool)
    keep = used[:-1] & ~blank
    renumber = np.full(len(distinct) + 1, -1, dtype=np.int32)
    renumber[:-1][keep] = np.arange(int(keep.sum()), dtype=np.int32)
    return renumber[codes], distinct[keep]


def _join(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
