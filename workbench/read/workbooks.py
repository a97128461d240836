"""Workbooks: the sheet to read (hidden sheets last), its rows, and its cells as text.

Read with python-calamine (XLSX, XLSM, XLSB, XLS, ODS), falling back to
openpyxl for an XLSX that calamine cannot open; a big xlsx sheet is read in
pieces (``sheet_pieces``), and error cells such as ``#N/A``, which calamine
reads as empty, are put back.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Generator, Iterator

import numpy as np
import pandas as pd
import python_calamine

from workbench.errors import WorkbenchError
from workbench.progress import check
from workbench.read import sheet_pieces
from workbench.read.file_kinds import check_zip_size, file_kind, holds_an_encrypted_workbook, not_readable, protected
from workbench.read.table import (
    HEADER_SEARCH_ROWS, ROWS_COMPARED_WITH_HEADER, Coded, RawTable, assemble, blanks_to_none, choose_header, header_cells,
)


WORKBOOK_BLOCK_ROWS = 10_000  # small enough to use rows while the next are parsed


def read_workbook(path: Path, sheet, header_row, limit, progress, cancelled) -> RawTable:
    progress(0.0, f"Opening {path.name}")
    with open_workbook(path, few_rows=limit is not None) as book:
        name, rows = _choose_sheet(path, book, sheet)
        skipped = _hidden_before(book, name) if sheet is None else []
        try:
            total = max(book.get_sheet_by_name(name).total_height, 1)
            wanted = (header_row or HEADER_SEARCH_ROWS) + ROWS_COMPARED_WITH_HEADER
            head = [[_cell_text(v) for v in row] for row in take(rows, wanted)]
            if not head:
                raise WorkbenchError(f"{path.name}: sheet '{name}' is empty")
            header_index = choose_header(path, head, header_row, sheet=name)
            width = max(len(r) for r in head)
            blocks = list(workbook_blocks(head, rows, header_index, limit, total, progress, cancelled, path))
        finally:
            rows.close()  # a sheet read in pieces stops its threads
    width = max([width] + [len(parts) for _, parts in blocks])  # a long row adds columns
    blocks = [(first, pad(parts, width)) for first, parts in blocks]
    table = assemble(header_cells(head[header_index], width), blocks, header_index, name, None, None)
    if skipped:
        hidden = ", ".join(f"'{n}'" for n in skipped)
        table.notes.append(f"{path.name}: read the sheet '{name}'; the hidden sheet{'s' * (len(skipped) > 1)} "
                           f"{hidden} before it {'were' if len(skipped) > 1 else 'was'} not read "
                           "(choose a sheet by name to read a hidden one)")
    progress(1.0, f"Read {table.rows_read:,} rows from {path.name}, sheet '{name}'")
    return table


class _Workbook:
    """A calamine workbook, or openpyxl's when calamine cannot read an XLSX."""

    def __init__(self, path: Path, few_rows: bool = False):
        self.path = path
        self._few_rows = few_rows  # only a preview's rows are wanted
        self._book = None
        self._openpyxl = None
        # Loading a sheet parses all of it: keep each one loaded once.
        self._sheets: dict[str, object] = {}

    def __enter__(self):
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        except python_calamine.PasswordError:
            raise protected(self.path) from None
        except (python_calamine.CalamineError, OSError, ValueError):
            self._openpyxl = _openpyxl_book(self.path)
        return self

    def __exit__(self, *exc):
        if self._book is not None:
            self._book.close()
        if self._openpyxl is not None:
            self._openpyxl.close()

    @property
    def sheet_names(self) -> list[str]:
        if self._openpyxl is not None:
            return list(self._openpyxl.sheetnames)
        return [m.name for m in self._book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]

    @property
    def hidden_sheets(self) -> set[str]:
        """Sheets Excel does not show (hidden, or "very hidden" by a macro): often an old copy of the list."""
        if self._openpyxl is not None:
            return {ws.title for ws in self._openpyxl.worksheets if ws.sheet_state != "visible"}
        return {m.name for m in self._book.sheets_metadata if m.visible != python_calamine.SheetVisibleEnum.Visible}

    def get_sheet_by_name(self, name: str):
        """The sheet as the reader uses it: ``total_height`` and ``iter_rows()``, rows from
        the sheet's first row and cells from column A (calamine starts at the first filled column)."""
        if name not in self._sheets:
            self._sheets[name] = self._pieced(name) or self._load_sheet(name)
        return self._sheets[name]

    def _pieced(self, name: str):
        if self._book is None or file_kind(self.path) != "zip":
            return None
        whole_rows = lambda: self._load_sheet(name).iter_rows()  # noqa: E731
        return sheet_pieces.pieced_sheet(self.path, name, whole_rows, few_rows=self._few_rows)

    def _load_sheet(self, name: str):
        # Checked before a reader lays the sheet out cell by cell; its error cells, which calamine
        # reads as empty, are put back.
        errors = sheet_pieces.check_extent(self.path, name) if file_kind(self.path) == "zip" else {}
        try:
            if self._openpyxl is not None:
                return _OpenpyxlSheet(self._openpyxl[name])
            return _CalamineSheet(self._book.get_sheet_by_name(name), errors)
        except python_calamine.PasswordError:
            raise protected(self.path) from None
        except python_calamine.CalamineError:
            raise not_readable(self.path) from None


class _CalamineSheet:
    """A whole sheet parsed by calamine, its rows from column A, with its error cells
    (``(row, column) -> "#N/A"``) put back where calamine reads them as empty."""

    def __init__(self, sheet, errors: dict[tuple[int, int], str]):
        self._sheet = sheet
        self._errors: dict[int, list] = {}
        for (row, column), text in errors.items():
            self._errors.setdefault(row, []).append((column, text))

    @property
    def total_height(self) -> int:
        return self._sheet.total_height

    def iter_rows(self):
        # A generator, as every sheet's rows are: the reader closes them all alike.
        first_column = self._sheet.start[1] if self._sheet.start else 0
        for number, row in enumerate(self._sheet.iter_rows()):
            row = [""] * first_column + row if first_column else row
            for column, text in self._errors.get(number, ()):
                sheet_pieces.put_error(row, column, text)
            yield row


class _OpenpyxlSheet:
    """The two things the reader needs from a sheet, from openpyxl."""

    def __init__(self, worksheet):
        self._worksheet = worksheet

    @property
    def total_height(self) -> int:
        return self._worksheet.max_row or 0

    def iter_rows(self):
        for row in self._worksheet.iter_rows(values_only=True):
            yield ["" if v is None else v for v in row]


def _openpyxl_book(path: Path):
    import openpyxl  # only when calamine could not read the file

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file; all mean "not readable"
        raise not_readable(path) from None


def open_workbook(path: Path, few_rows: bool = False) -> _Workbook:
    """Open a workbook after the checks that must come before reading it."""
    kind = file_kind(path)
    if kind == "ole2" and holds_an_encrypted_workbook(path):
        # An XLSX saved with a password is an OLE2 container, not a zip; an old .xls is one too
        # (whatever it is called: a .xls saved as .csv is read as the workbook it is).
        raise protected(path)
    if kind == "zip":
        check_zip_size(path)
    return _Workbook(path, few_rows)


def _choose_sheet(path: Path, book: _Workbook, sheet) -> tuple[str, Generator[list, None, None]]:
    """The sheet to read, and its rows: the one named, else the first visible sheet with data
    (a hidden sheet only if no visible one has any)."""
    if sheet is None:
        hidden = book.hidden_sheets
        return _first_sheet_with_data(path, book, sorted(book.sheet_names, key=lambda n: n in hidden))
    name = _sheet_named(path, book.sheet_names, sheet)
    return name, book.get_sheet_by_name(name).iter_rows()


def _hidden_before(book: _Workbook, name: str) -> list[str]:
    """The hidden sheets that come before sheet ``name`` (skipped when no sheet was named)."""
    names = book.sheet_names
    return [n for n in names[: names.index(name)] if n in book.hidden_sheets]


def _sheet_named(path: Path, names: list[str], sheet: str | int) -> str:
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    else:
        folded = [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        if folded:
            return folded[0]
    listed = ", ".join(f"'{n}'" for n in names)
    raise WorkbenchError(f"{path.name}: has no sheet {sheet!r}; its sheets are {listed}")


def _first_sheet_with_data(path: Path, book: _Workbook, names: list[str]) -> tuple[str, Generator[list, None, None]]:
    for name in names:
        rows = book.get_sheet_by_name(name).iter_rows()
        looked_at = []
        for row in rows:
            looked_at.append(row)
            if any(_cell_text(v) is not None for v in row):
                return name, _rows_again(looked_at, rows)  # not parsed a second time
    raise WorkbenchError(f"{path.name}: the workbook is empty (no sheet has any data)")


def _rows_again(looked_at: list[list], rest: Generator[list, None, None]) -> Generator[list, None, None]:
    try:
        yield from looked_at
        yield from rest
    finally:
        rest.close()  # stops a sheet read in pieces, even if closed before reaching ``rest``


def workbook_blocks(head, rows, header_index, limit, total, progress, cancelled, path):
    """(first row number, 2-D object array) per block of data rows."""
    pending = head[header_index + 1 :]
    first = header_index + 2
    if limit is not None:
        pending = pending[:limit]
    while pending:
        check(cancelled)
        yield first, _cells_as_text(_block(pending))
        first += len(pending)
        progress(min(first / total, 0.99), f"Reading {path.name}")
        remaining = WORKBOOK_BLOCK_ROWS if limit is None else limit - (first - header_index - 2)
        pending = take(rows, remaining) if remaining > 0 else []


def _block(rows: list[list]) -> np.ndarray:
    """Rows of differing lengths as one 2-D object array, padded with None."""
    widths = set(map(len, rows))
    if len(widths) == 1 and 0 not in widths:  # as calamine gives them: NumPy copies those faster
        return np.array(rows, dtype=object)
    block = np.full((len(rows), max(widths)), None, dtype=object)
    for index, row in enumerate(rows):
        block[index, : len(row)] = row
    return block


_IS_TEXT = np.frompyfunc(lambda value: type(value) is str, 1, 1)


# Cell types whose equal values always have the same text: converted once per distinct value.
# (A column mixing True with 1 or 1.0 is not among them: those are equal yet read differently.)
_ONE_TEXT_PER_VALUE = {"string", "empty", "floating", "integer", "mixed-integer-float", "boolean", "date", "datetime",
                       "time", "timedelta", "decimal"}


def _cells_as_text(block: np.ndarray) -> list:
    """:func:`_cell_text` over a block, one part per column: text, or :class:`Coded` for a
    column that repeats its values (each distinct value is converted once)."""
    parts = []
    for j in range(block.shape[1]):
        column = block[:, j]
        if pd.api.types.infer_dtype(column, skipna=False) == "string":
            if _mostly_distinct(column):
                parts.append(blanks_to_none(column))  # text in every cell: only blanks change
                continue
        else:
            column[column == ""] = None  # empty cells (calamine gives "") beside dates or numbers
            if pd.api.types.infer_dtype(column, skipna=True) not in _ONE_TEXT_PER_VALUE:
                parts.append(_mixed_cells_as_text(column))
                continue
        codes, distinct = pd.factorize(column, use_na_sentinel=True)
        parts.append(Coded(codes, [_cell_text(v) for v in distinct]))
    return parts


def _mostly_distinct(column: np.ndarray) -> bool:
    sample = column[:1000]
    return len(set(sample.tolist())) > len(sample) // 2


def _mixed_cells_as_text(column: np.ndarray) -> np.ndarray:
    is_text = _IS_TEXT(column).astype(bool)
    texts = column[is_text]
    if texts.size:
        column[is_text] = blanks_to_none(texts)
    others = column[~is_text]
    if others.size:
        seen: dict = {}  # keyed with the type: True == 1 == 1.0 but their texts differ
        column[~is_text] = [seen.get((type(v), v)) or seen.setdefault((type(v), v), _cell_text(v)) for v in others]
    return column


def take(rows: Iterator[list], count: int) -> list[list]:
    return [row for _, row in zip(range(count), rows)]


def _cell_text(value) -> str | None:
    """A workbook cell as the text a user would type; None for an empty cell.

    >>> _cell_text(9434765919.0), _cell_text(0.5), _cell_text(date(2024, 3, 1)), _cell_text(True)
    ('9434765919', '0.5', '2024-03-01', 'TRUE')
    """
    if type(value) is str:
        return None if not value or value.isspace() else value
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _number_text(value: float) -> str | None:
    """Whole numbers without ``.0`` (an NHS number stored as a number)."""
    if math.isnan(value):
        return None
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def pad(parts: list, width: int) -> list:
    """The parts of a block, with empty columns added up to ``width``."""
    rows = len(parts[0]) if parts else 0
    return parts + [np.full(rows, None, dtype=object) for _ in range(width - len(parts))]
