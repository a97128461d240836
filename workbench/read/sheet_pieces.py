"""A big XLSX sheet read in pieces, parsed on worker threads while earlier rows are used.

calamine parses a whole sheet before it gives the first row. A 100k-row list
whose text is written inline in the sheet (as openpyxl and many reporting
tools write it) is a 100 MB sheet: 1.3-1.8 s of parsing here, with no
progress, no way to cancel, and nothing for Python to do meanwhile. Cut at
row boundaries, the sheet becomes small workbooks of a few MB each. calamine
parses them on worker threads (it lets go of Python's lock while parsing)
while the reader turns the rows before them into columns, and the progress
bar and Cancel see every piece. The import dialog's preview parses one piece,
not the whole sheet.

Before calamine lays out any sheet or piece it is checked for how far its
cells reach (:func:`check_extent`): calamine gives every position between the
first cell and the last a place in memory, so one stray cell at XFD1048576 in
a 5 KB file would ask for 17 billion of them.

The whole-sheet read stays the reference. A sheet that cannot be cut safely
here (a shared-strings part too big to repeat in every piece, rows without
numbers, a namespace prefix on the tags) is read whole. If a piece fails to
parse or its rows are out of order, the rest of the sheet is read whole,
from the first row not yet given.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePosixPath
from queue import Empty, Full, Queue
from typing import Callable, Iterator
from xml.etree import ElementTree

import numpy as np
import python_calamine

from workbench.errors import WorkbenchError

PIECE_BYTES = 4 * 1024**2
# A sheet smaller than this parses whole in a fraction of a second.
PIECES_ABOVE_BYTES = 16 * 1024**2
# Every piece carries the shared strings and calamine parses them again: keep
# each piece at least this many times bigger than them. (A ratio of 4 read the
# Excel-saved 100k-row demo list 11% faster, 200k rows 5-8%, but took 160 and
# 200 MB more memory: two copies of the strings, more Python objects at a time.)
PIECE_TO_SHARED_STRINGS = 20
WORKERS = 2
PIECES_AHEAD = 4  # pieces parsed or waiting beyond the one being read: bounds the memory
HEAD_BYTES = 1024**2  # where the table's first row must start
READ_BYTES = 1024**2

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOCUMENT_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# The parts calamine reads to open a workbook and give a sheet's values (styles tell dates).
_PARTS_EACH_PIECE_NEEDS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/styles.xml", "xl/sharedStrings.xml")
_SHARED_STRINGS = "xl/sharedStrings.xml"
_NUMBERED_ROW = re.compile(rb"<row\b[^>]*\sr\s*=\s*[\"']")
_OPEN, _CLOSE, _ROW = b"<sheetData>", b"</sheetData>", b"<row "
_END = object()
# calamine lays a sheet out as a grid, about 45 bytes a position: a grid of up to this many
# positions (about 0.4 GB) is always allowed, a bigger one only as big as a real sheet's
# XML makes it (each cell written is at least a few bytes; a big grid from a small part is
# cells typed far outside the list).
MIN_GRID_CELLS = 8_000_000
XML_BYTES_PER_GRID_CELL = 0.5
EXTENT_BLOCK_BYTES = 4 * 1024**2


@dataclass(frozen=True)
class _Plan:
    part: str  # the sheet's XML inside the zip
    prefix: bytes  # the sheet's XML up to and including <sheetData>: where its rows begin
    piece_bytes: int
    estimated_rows: int


class PiecedSheet:
    """A sheet as the reader uses it: ``total_height`` (estimated) and ``iter_rows()``.

    Rows come from the sheet's first row, cells from column A; an empty cell
    is ``""`` and an empty row ``[]``, as calamine gives them.
    """

    def __init__(self, path, name: str, plan: _Plan, whole_rows: Callable[[], Iterator[list]], few_rows: bool):
        self.path = path
        self.name = name
        self._plan = plan
        self._whole_rows = whole_rows
        # A preview wants the first piece only: parse no more ahead than the next one.
        self._workers, self._ahead = (1, 1) if few_rows else (WORKERS, PIECES_AHEAD)

    @property
    def total_height(self) -> int:
        return self._plan.estimated_rows

    def iter_rows(self) -> Iterator[list]:
        stop = threading.Event()
        parsed: Queue = Queue(self._ahead)
        pool = ThreadPoolExecutor(self._workers, thread_name_prefix="sheet-piece")
        producer = threading.Thread(target=self._cut, args=(parsed, pool, stop), name="sheet-piece-cutter", daemon=True)
        producer.start()
        given = 0  # rows given so far: the next row's index in the sheet
        try:
            while (future := parsed.get()) is not _END:
                start, rows = future.result()
                if start is None:
                    continue  # only empty rows in this piece
                if start < given:
                    raise _OutOfOrder
                yield from ([] for _ in range(start - given))
                yield from rows
                given = start + len(rows)
        except (_OutOfOrder, python_calamine.CalamineError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
            yield from islice(self._whole_rows(), given, None)
        finally:
            stop.set()
            _drain(parsed)
            producer.join()
            pool.shutdown(cancel_futures=True)

    def _cut(self, parsed: Queue, pool: ThreadPoolExecutor, stop: threading.Event) -> None:
        """Cut the sheet into pieces and queue their parsing, in order, until done or stopped."""
        try:
            for piece in _pieces(self.path, self.name, self._plan, stop):
                if not _put(parsed, pool.submit(_parse, piece, self.name), stop):
                    return
        except Exception as error:  # given to the reader, which reads the rest of the sheet whole
            failed: Future = Future()
            failed.set_exception(error)
            _put(parsed, failed, stop)
        _put(parsed, _END, stop)


class _OutOfOrder(Exception):
    """A piece starts above rows already given (rows without numbers restart at 1)."""


def pieced_sheet(path, name: str, whole_rows: Callable[[], Iterator[list]], *, few_rows: bool = False
                 ) -> PiecedSheet | None:
    """The sheet ``name`` of the XLSX at ``path`` to read in pieces, or None to read it whole.

    ``whole_rows`` gives the whole sheet's rows the same way (from row 1 and
    column A): the rest of the sheet is read from it if a piece goes wrong.
    ``few_rows``: only the first rows will be read (a preview), so pieces may
    repeat shared strings of any size.
    """
    try:
        plan = _plan(path, name, few_rows)
    except (zipfile.BadZipFile, OSError, KeyError, ElementTree.ParseError, ValueError, EOFError):
        return None
    return None if plan is None else PiecedSheet(path, name, plan, whole_rows, few_rows)


def _plan(path, name: str, few_rows: bool) -> _Plan | None:
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, name)
        if part is None or part not in archive.NameToInfo:
            return None
        size = archive.getinfo(part).file_size
        shared = archive.getinfo(_SHARED_STRINGS).file_size if _SHARED_STRINGS in archive.NameToInfo else 0
        piece_bytes = HEAD_BYTES if few_rows else max(PIECE_BYTES, PIECE_TO_SHARED_STRINGS * shared)
        if size < max(PIECES_ABOVE_BYTES, 2 * piece_bytes):  # (a preview of a small sheet parses it whole)
            return None
        with archive.open(part) as sheet:
            head = sheet.read(HEAD_BYTES)
    opening = head.find(_OPEN)
    first_row = head.find(_ROW, opening)
    if opening < 0 or first_row < 0 or not _NUMBERED_ROW.match(head, first_row):
        return None
    estimated_rows = size * head.count(_ROW, first_row) // max(len(head) - first_row, 1)
    return _Plan(part, head[: opening + len(_OPEN)], piece_bytes, max(estimated_rows, 1))


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding sheet ``name``, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = [s.get(_DOCUMENT_ID) for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == name]
    if len(ids) != 1:
        return None
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = [r.get("Target") for r in relationships.iter(f"{_RELATIONSHIPS}Relationship") if r.get("Id") == ids[0]]
    if len(targets) != 1 or not targets[0]:
        return None
    target = targets[0]
    # Targets are relative to xl/, or absolute from the package root.
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _pieces(path, name: str, plan: _Plan, stop: threading.Event) -> Iterator[tuple[bytes, dict]]:
    """Small workbooks holding the sheet's rows a piece at a time, cut between rows, and their
    error cells."""
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in _PARTS_EACH_PIECE_NEEDS if n in archive.NameToInfo}
        with archive.open(plan.part) as sheet:
            sheet.read(len(plan.prefix))
            pending = b""
            while not stop.is_set():
                text, finished = _next_text(sheet, pending, plan.piece_bytes)
                end = text.find(_CLOSE)
                cut = text.rfind(_ROW, 1)
                if end >= 0 or finished:
                    yield _workbook(parts, plan, *_checked(path, name, text[:end] if end >= 0 else text))
                    return
                if cut > 0:  # else one row is bigger than a piece: read on
                    yield _workbook(parts, plan, *_checked(path, name, text[:cut]))
                    text = text[cut:]
                pending = text


def _checked(path, name: str, rows: bytes) -> tuple[bytes, dict]:
    """A piece's rows, once their cells are known to make a grid of a reasonable size, and
    its error cells."""
    extent = Extent()
    extent.add(rows, final=True)
    extent.check(path, name)
    return rows, extent.errors


def _next_text(sheet, pending: bytes, size: int) -> tuple[bytes, bool]:
    """``pending`` and at least one more read, up to ``size`` bytes; and whether the sheet ended."""
    chunks, total = [pending], len(pending)
    while True:
        chunk = sheet.read(READ_BYTES)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        total += len(chunk)
        if total >= size:
            return b"".join(chunks), False


def _workbook(parts: dict[str, bytes], plan: _Plan, rows: bytes, errors: dict) -> tuple[bytes, dict]:
    """A small workbook holding ``rows``, and the error cells among them."""
    memory = io.BytesIO()
    with zipfile.ZipFile(memory, "w", zipfile.ZIP_STORED) as piece:
        for name, data in parts.items():
            piece.writestr(name, data)
        piece.writestr(plan.part, b"".join((plan.prefix, rows, b"</sheetData></worksheet>")))
    return memory.getvalue(), errors


def _parse(piece: tuple[bytes, dict], name: str) -> tuple[int | None, list[list]]:
    """The piece's first row index in the sheet, and its rows from there, from column A."""
    workbook, errors = piece
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_name(name)
    if sheet.start is None:
        return None, []
    first_row, first_column = sheet.start
    rows = sheet.to_python()  # from the first filled row and column
    if first_column:
        rows = [[""] * first_column + row for row in rows]
    for (row, column), text in errors.items():
        rows.extend([] for _ in range(row - first_row + 1 - len(rows)))
        put_error(rows[row - first_row], column, text)
    return first_row, rows


def put_error(row: list, column: int, text: str) -> None:
    """Put an error Excel showed (``#N/A``) back in the cell calamine read as empty."""
    row.extend([""] * (column + 1 - len(row)))
    row[column] = text


def _put(parsed: Queue, item, stop: threading.Event) -> bool:
    """Queue ``item`` unless the reader stopped (then it may never take it)."""
    while not stop.is_set():
        try:
            parsed.put(item, timeout=0.05)
            return True
        except Full:
            continue
    return False


def _drain(parsed: Queue) -> None:
    while True:
        try:
            parsed.get_nowait()
        except Empty:
            return


# --- how far a sheet's cells reach ---------------------------------------------------


class Extent:
    """The grid the cells of some sheet XML span: from the first row and column to the last,
    and the cells holding an Excel error (``#N/A``, ``#REF!``), which calamine reads as empty.

    Fed the XML a block at a time (:meth:`add`), it finds every cell reference
    (`` r="XFD1048576"``) with NumPy, so a 65 MB sheet takes a fraction of a second.
    """

    _REFERENCE_BYTES = 12  # the longest reference: 3 letters, 7 digits, the closing quote, 1 spare

    def __init__(self):
        self.first_row = self.first_column = 1 << 31
        self.last_row = self.last_column = 0
        self.cells = 0  # references with a column: cells (a row's own reference has none)
        self.cell_tags = 0
        self.xml_bytes = 0
        self.errors: dict[tuple[int, int], str] = {}  # (row, column) from 0 -> the error Excel showed
        self._carry = b""  # the end of the block before, after its last whole cell

    def add(self, block: bytes, final: bool = False) -> None:
        """Take the next ``block`` of the XML; ``final`` once it is the last."""
        text = self._carry + block
        self.xml_bytes += len(block)
        done = len(text) if final else text.rfind(b"</c>") + 4 if b"</c>" in text else 0
        data = np.frombuffer(text, dtype=np.uint8)
        padded = np.concatenate([data, np.zeros(self._REFERENCE_BYTES, dtype=np.uint8)])
        self._add_references(padded, done)
        self._count_cell_tags(padded, done)
        if b't="e"' in text[:done]:
            self.errors.update(error_cells(text[:done]))
        self._carry = text[done:]

    def _add_references(self, data: np.ndarray, done: int) -> None:
        spaces = np.flatnonzero(data[:done] == 32)  # ' r="': the space first, as it is the cheapest test
        starts = spaces[(data[spaces + 1] == 114) & (data[spaces + 2] == 61) & (data[spaces + 3] == 34)] + 4
        if not len(starts):
            return
        letters = _leading_run(data, starts, 3, 65, 90)
        self._add_rows(data, starts + letters, _leading_run(data, starts + letters, 8, 48, 57))
        self.cells += int(np.count_nonzero(letters))
        if not letters.any():
            return  # rows' own references only
        for pick in (np.flatnonzero(letters == letters.max()), np.flatnonzero(letters == letters[letters > 0].min())):
            columns = _number(data, starts[pick], letters[pick], base=26, zero=64)
            self.first_column = min(self.first_column, int(columns.min()))
            self.last_column = max(self.last_column, int(columns.max()))

    def _add_rows(self, data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> None:
        """The first and last row numbers: only the shortest and longest numbers need reading."""
        if not lengths.any():
            return
        for pick in (np.flatnonzero(lengths == lengths[lengths > 0].min()), np.flatnonzero(lengths == lengths.max())):
            rows = _number(data, starts[pick], lengths[pick], base=10, zero=48)
            self.first_row = min(self.first_row, int(rows.min()))
            self.last_row = max(self.last_row, int(rows.max()))

    def _count_cell_tags(self, data: np.ndarray, done: int) -> None:
        """Cells written without a reference take the next column: count every ``<c`` tag to know."""
        after = data[2 : done + 2]
        self.cell_tags += int(np.count_nonzero((data[:done] == 60) & (data[1 : done + 1] == 99)
                                               & ((after == 32) | (after == 62) | (after == 47))))

    @property
    def grid_cells(self) -> int:
        """Positions in the grid a reader lays out (cells without a reference may all be in one row)."""
        if not self.last_row:
            return 0
        rows = self.last_row - self.first_row + 1
        columns = max(self.last_column - self.first_column + 1, 1) + max(self.cell_tags - self.cells, 0)
        return rows * columns

    def check(self, path, name: str) -> None:
        """Raise :class:`WorkbenchError` if the grid is far bigger than the XML's cells could fill."""
        allowed = max(MIN_GRID_CELLS, int(self.xml_bytes * XML_BYTES_PER_GRID_CELL))
        if self.grid_cells <= allowed:
            return
        rows, columns = self.last_row - self.first_row + 1, self.last_column - self.first_column + 1
        last = f"{_column_letters(self.last_column)}{self.last_row}" if self.last_column else f"row {self.last_row}"
        raise WorkbenchError(
            f"{PurePosixPath(str(path)).name}: sheet '{name}' has cells out to {last} ({rows:,} rows by {columns:,} "
            f"columns) but only {self.cells:,} cells in all: something was typed far outside the list. In Excel, "
            "press Ctrl+End to find the last cell, delete the rows and columns beyond the list, save, and import again"
        )


_REFERENCE = re.compile(rb'\sr\s*=\s*"([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) from 0 -> the error text of every whole error cell (``t="e"``) in ``xml``.

    >>> error_cells(b'<c r="B3" s="1" t="e"><f>VLOOKUP(A3,X!A:B,2,0)</f><v>#N/A</v></c>')
    {(2, 1): '#N/A'}
    """
    found = {}
    for at in (m.start() for m in re.finditer(rb't="e"', xml)):
        start, end = xml.rfind(b"<c", 0, at), xml.find(b"</c>", at)
        reference = _REFERENCE.search(xml, start, at)
        value = _VALUE.search(xml, at, end) if end > 0 else None
        if start >= 0 and reference and value:
            letters, row = reference.groups()
            column = 0
            for letter in letters:
                column = column * 26 + letter - 64
            found[(int(row) - 1, column - 1)] = value.group(1).decode("utf-8", "replace")
    return found


def _leading_run(data: np.ndarray, starts: np.ndarray, most: int, low: int, high: int) -> np.ndarray:
    """How many bytes from each start, up to ``most``, lie between ``low`` and ``high`` (letters, digits)."""
    run = np.zeros(len(starts), dtype=np.int64)
    going = np.ones(len(starts), dtype=bool)
    for k in range(most):
        byte = data[starts + k]
        going &= (byte >= low) & (byte <= high)
        if not going.any():
            break
        run += going
    return run


def _number(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, base: int, zero: int) -> np.ndarray:
    """The numbers written at ``starts`` with ``lengths`` digits (base 26 from "A" for columns)."""
    values = np.zeros(len(starts), dtype=np.int64)
    for k in range(int(lengths.max(initial=0))):
        values = np.where(k < lengths, values * base + data[starts + k].astype(np.int64) - zero, values)
    return values


def _column_letters(column: int) -> str:
    """Excel's letters for a column number.

    >>> _column_letters(1), _column_letters(28), _column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_extent(path, name: str) -> dict[tuple[int, int], str]:
    """Raise :class:`WorkbenchError` naming the file and sheet if the cells of the XLSX sheet
    ``name`` span a grid far bigger than they fill; else return its error cells (see
    :func:`error_cells`). Nothing is checked for a sheet that is not XML."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, name)
            if part is None or part not in archive.NameToInfo or not part.endswith(".xml"):
                return {}
            extent = Extent()
            with archive.open(part) as sheet:
                for block in iter(lambda: sheet.read(EXTENT_BLOCK_BYTES), b""):
                    extent.add(block)
            extent.add(b"", final=True)
    except (zipfile.BadZipFile, OSError, KeyError, ElementTree.ParseError, ValueError, EOFError, zlib.error):
        return {}  # the reader that opens the sheet says what is wrong with it
    extent.check(path, name)
    return extent.errors
