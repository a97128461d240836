"""Read a waiting-list file into text columns: CSV, TSV, text and workbooks.

Everything comes back as text (or None for an empty cell), so identifiers keep
their leading zeros and nothing is guessed here: dates, numbers and codes are
read later by ``dates.py`` and ``normalise.py``. Workbooks are read with
python-calamine (XLSX, XLSM, XLSB, XLS, ODS), falling back to openpyxl for an
XLSX that calamine cannot open. The kind of file is told from its first bytes,
not its name, so a workbook saved as ``.csv`` still reads.

Row numbers (``header_row``, ``source_line``) are the numbers a user sees when
opening the file in Excel: one per record, counting title rows and blank rows,
so a CSV value with an embedded line break still occupies one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable, Generator, Iterator

import numpy as np
import pandas as pd
import python_calamine

from workbench.read import sheet_pieces
from workbench.fields import KnownCodes
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.errors import WorkbenchError

# A workbook that would unpack to more than this, or that is compressed more
# than MAX_COMPRESSION_RATIO times (and is big enough for that to mean
# something), is refused before reading: it is a "zip bomb" or not a real list.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE_BYTES = 10 * 1024**2

HEADER_SEARCH_ROWS = 30  # the header must be within the first 30 rows
# Excel's and LibreOffice's widest row (column XFD). A CSV record wider than this
# is damage, not a list, and reading a million empty cells per row takes minutes.
MAX_CELLS_PER_ROW = 16_384
ROWS_COMPARED_WITH_HEADER = 20  # rows below a candidate header used to judge it
CSV_CHUNK_ROWS = 200_000
WORKBOOK_BLOCK_ROWS = 10_000  # small enough to use rows while the next are parsed
SNIFF_BYTES = 256 * 1024
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}


def _as_windows_text(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes that are not valid UTF-8 read as Windows text (cp1252): a line saved by an
    older program into a UTF-8 file keeps its "£" and "é" instead of question-mark boxes."""
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


# How bytes that are not valid in the file's encoding are read.
_DECODE_ERRORS = "workbench-windows-text"
codecs.register_error(_DECODE_ERRORS, _as_windows_text)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
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


def read_table(
    path,
    sheet: str | int | None = None,
    *,
    header_row: int | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> RawTable:
    """Read a whole CSV/text file or one sheet of a workbook as text columns.

    ``sheet`` is a sheet name or a 0-based index (default: the first sheet with
    data; ignored for CSV). ``header_row`` is the 1-based row of the headers
    (default: found automatically, skipping title rows above the table).
    Raises ``WorkbenchError`` naming the file for anything a user can fix.
    """
    return _read(Path(path), sheet, header_row, None, progress, cancelled)


def preview(path, sheet: str | int | None = None, rows: int = 20, *, header_row: int | None = None) -> RawTable:
    """The header and the first ``rows`` data rows, read quickly (import dialog)."""
    return _read(Path(path), sheet, header_row, max(rows, 0), no_progress, never)


def list_sheets(path) -> list[str]:
    """The sheet names of a workbook, in order; ``[]`` for a CSV or text file."""
    path = Path(path)
    if _file_kind(path) == "text":
        return []
    with _open_workbook(path) as book:
        return list(book.sheet_names)


def _read(path: Path, sheet, header_row, limit, progress, cancelled) -> RawTable:
    if _file_kind(path) == "text":
        return _read_text_file(path, header_row, limit, progress, cancelled)
    return _read_workbook(path, sheet, header_row, limit, progress, cancelled)


# --- the file itself ---------------------------------------------------------


def _file_kind(path: Path) -> str:
    """'zip' (xlsx, xlsm, ods), 'ole2' (xls, or an encrypted xlsx) or 'text'."""
    start = _first_bytes(path, 8)
    if start.startswith(_ZIP_MAGIC):
        return "zip"
    if start.startswith(_OLE2_MAGIC):
        return "ole2"
    return "text"


def _first_bytes(path: Path, count: int) -> bytes:
    """The first bytes of a file that exists and is not empty."""
    if not path.exists():
        raise WorkbenchError(f"{path.name}: the file does not exist (looked in {path.parent})")
    if path.is_dir():
        raise WorkbenchError(f"{path.name}: is a folder, not a file")
    try:
        with open(path, "rb") as handle:
            start = handle.read(count)
    except OSError as error:
        raise _cannot_open(path, error) from None
    if not start:
        raise WorkbenchError(f"{path.name}: the file is empty")
    return start


def _cannot_open(path: Path, error: OSError) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: cannot be opened ({error.strerror or error}); "
        "close it in any other program and check you may read it"
    )


def _not_readable(path: Path) -> WorkbenchError:
    return WorkbenchError(f"{path.name}: is not a readable spreadsheet or CSV file")


def _protected(path: Path) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: is password-protected or encrypted: save an unprotected copy and import that"
    )


# --- CSV and text files --------------------------------------------------------


def _read_text_file(path: Path, header_row, limit, progress, cancelled) -> RawTable:
    encoding = detect_encoding(path)
    sample = _sample_text(path, encoding)
    delimiter = sniff_delimiter(sample, default="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    head = _sample_records(sample, delimiter, (header_row or 0) + HEADER_SEARCH_ROWS + 200)
    refuse_too_wide(path, head)
    header_index = _choose_header(path, head, header_row)
    width = max(len(r) for r in head)
    coded = _repeating_columns(head[header_index + 1 :])
    progress(0.0, f"Reading {path.name}")
    # Scans of the raw bytes, beside the reading: numpy lets go of Python's lock for them.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="space-scan") as helper:
        spaces = helper.submit(may_hold_space_only_cells, path, encoding, delimiter)
        lines = helper.submit(count_lines, path, encoding)
        while True:
            try:
                blocks = _csv_blocks(path, encoding, delimiter, width, header_index, limit, coded, progress, cancelled)
                headers = _header_cells(head[header_index], width)
                table = _assemble(headers, blocks, header_index, None, encoding, delimiter, spaces.result)
                break
            except pd.errors.ParserError as error:
                width = _wider(path, error, width)
            except _CodesLost as lost:
                coded.discard(lost.position)
        if _may_have_run_on_quotes(table, limit, lines.result()):
            table = _with_run_on_quotes_read_again(path, table, head, header_index, limit, cancelled) or table
    progress(1.0, f"Read {table.rows_read:,} rows from {path.name}")
    return table


def detect_encoding(path) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8' or 'cp1252', decided from the bytes.

    UTF-8 is checked strictly over the whole file (a cp1252 "£" or "é" is not
    valid UTF-8), so a file is never half read in the wrong encoding.
    """
    path = Path(path)
    start = _first_bytes(path, 4096)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in start:
        raise _not_readable(path)
    return "utf-8" if _is_utf8(path) else "cp1252"


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with open(path, "rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _sample_text(path: Path, encoding: str) -> str:
    """The first ``SNIFF_BYTES`` of the file, decoded, cut at the last line break.

    A line break is LF, CRLF or a lone CR (classic Mac OS files, and Excel for
    Mac's "CSV" until 2016, end their lines with CR only).
    """
    with open(path, "rb") as handle:
        raw = handle.read(SNIFF_BYTES)
        whole = not handle.read(1)
    text = codecs.getincrementaldecoder(encoding)(_DECODE_ERRORS).decode(raw, final=whole)
    last_break = max(text.rfind("\n"), text.rfind("\r"))
    if not whole and last_break >= 0:
        text = text[: last_break + 1]
    if _looks_binary(text):
        raise _not_readable(path)
    return text


def _looks_binary(text: str) -> bool:
    """Control characters other than tab and line breaks mean this is not text."""
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\t\r\n\f")
    return controls > max(2, len(text[:8192]) // 100)


def sniff_delimiter(sample: str, default: str = ",") -> str:
    """The delimiter that splits the sample's lines most consistently.

    Quoted fields are respected. Each candidate is scored by how many records
    have the most common field count (above 1) for it.

    >>> sniff_delimiter("a;b;c\\n1;2,5;3\\n")
    ';'
    >>> sniff_delimiter("just one column\\n")
    ','
    """
    best, best_score = default, (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in _sample_records(sample, delimiter) if len(r) > 1]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = (counts.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_records(sample: str, delimiter: str, count: int = HEADER_SEARCH_ROWS + 200) -> list[list[str]]:
    """The first ``count`` records of the sample (enough to find the header and the width).

    Records end at LF, CRLF or a lone CR, as they do for the pandas reader of the whole file.

    >>> _sample_records("Pathway ID,Site\\rP1,Main\\r", ",")
    [['Pathway ID', 'Site'], ['P1', 'Main']]
    """
    # newline="": lines split at every kind of break and keep it, as the csv module needs.
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        records = [row for _, row in zip(range(count), reader)]
    except csv.Error:
        records = []
    return records or [[]]


def _repeating_columns(rows: list[list[str]]) -> set[int]:
    """Positions of the columns that repeat their values in these first data rows.

    Those are read as codes into their distinct values (specialty, priority,
    site...): pandas hashes the cells as it reads them, without making a
    Python text of each, and every later step that needs the distinct values
    (tidying, checking, saving) finds them known. Identifiers are read as
    plain text. A short sample says nothing either way: all coded.

    >>> sorted(_repeating_columns([[f"P{i}", "110", "Y"] for i in range(40)]))
    [1, 2]
    """
    width = max((len(r) for r in rows), default=0)
    if len(rows) < 20:
        return set(range(width))
    columns = [{r[j] if j < len(r) else "" for r in rows} for j in range(width)]
    return {j for j, distinct in enumerate(columns) if len(distinct) <= len(rows) // 2}


def _csv_blocks(path, encoding, delimiter, width, header_index, limit, coded, progress, cancelled):
    """(first record number, one array of cells per column) per chunk of data rows;
    the columns in ``coded`` come as :class:`_Coded`, the others as text ("" for empty)."""
    size = max(path.stat().st_size, 1)
    nrows = None if limit is None else header_index + 1 + limit
    with open(path, "rb") as handle:
        reader = pd.read_csv(
            handle,
            sep=delimiter,
            header=None,
            names=range(width),
            # Coded columns are hashed as they are read, without making a Python text of each cell.
            dtype={j: "category" if j in coded else object for j in range(width)},
            # Keeps pandas from reading a coded column's texts as numbers ("010" as 10):
            # it leaves them as text when a thousands separator is set.
            thousands="\x01",
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            encoding_errors=_DECODE_ERRORS,
            engine="c",
            chunksize=CSV_CHUNK_ROWS,
            nrows=nrows,
            quotechar='"',
        )
        with reader:
            for chunk in reader:
                check(cancelled)
                first = int(chunk.index[0]) if len(chunk) else 0
                skip = max(0, header_index + 1 - first)
                if skip < len(chunk):
                    yield first + skip + 1, [_chunk_cells(chunk[j], skip, j) for j in chunk.columns]
                progress(min(handle.tell() / size, 0.99), f"Reading {path.name}")


def _chunk_cells(cells: pd.Series, skip: int, position: int):
    if not isinstance(cells.dtype, pd.CategoricalDtype):
        return cells.to_numpy(dtype=object)[skip:]
    categories = cells.array.categories
    if not pd.api.types.is_string_dtype(categories.dtype):
        raise _CodesLost(position)
    return _Coded(cells.array.codes[skip:], categories.tolist())


class _CodesLost(Exception):
    """pandas turned a coded column's texts into other values ("TRUE" and "true" into True):
    that column must be read again as text."""

    def __init__(self, position: int):
        super().__init__(position)
        self.position = position


_FIELDS_SEEN = re.compile(r"saw (\d+)")
_LINE_SEEN = re.compile(r"in line (\d+)")


def _wider(path: Path, error: Exception, width: int) -> int:
    """The width to read again with after a record longer than expected."""
    message = str(error)
    seen = _FIELDS_SEEN.search(message)
    if seen and int(seen.group(1)) > width:
        if int(seen.group(1)) > MAX_CELLS_PER_ROW:
            line = _LINE_SEEN.search(message)  # pandas counts records from 1, as Excel numbers rows
            raise _too_wide(path, int(line.group(1)) if line else None) from None
        return int(seen.group(1))
    if "EOF inside string" in message:
        where = re.search(r"starting at row (\d+)", message)
        row = f" starting at row {int(where.group(1)) + 1}" if where else ""
        raise WorkbenchError(f'{path.name}: a quoted value{row} is never closed (a " is missing)') from None
    raise WorkbenchError(f"{path.name}: is not a readable CSV file ({message.strip()})") from None


def refuse_too_wide(path: Path, records: list[list[str]]) -> None:
    """Raise ``WorkbenchError`` naming the first record with more cells than a spreadsheet allows.

    ``records`` are the file's first records, in order (row 1 first).
    Checked before reading the whole file: pandas would otherwise make a
    column for every cell of the widest row, which takes minutes for a
    row of a million commas.

    >>> refuse_too_wide(Path("ok.csv"), [["Pathway ID"], ["P1"]])
    >>> refuse_too_wide(Path("bad.csv"), [["Pathway ID"], [""] * 20_000])
    Traceback (most recent call last):
    ...
    workbench.errors.WorkbenchError: bad.csv: row 2 has more than 16,384 cells, more than any spreadsheet allows: the file is damaged or is not a waiting list
    """
    for row, record in enumerate(records, start=1):
        if len(record) > MAX_CELLS_PER_ROW:
            raise _too_wide(path, row)


def _too_wide(path: Path, row: int | None) -> WorkbenchError:
    where = f"row {row}" if row is not None else "a row"
    return WorkbenchError(
        f"{path.name}: {where} has more than {MAX_CELLS_PER_ROW:,} cells, more than any spreadsheet allows: "
        "the file is damaged or is not a waiting list"
    )


# --- quotes that run on over whole records -------------------------------------------
#
# A quote that opens a value and is never closed on its line makes every reader
# take the line breaks after it as part of that value, up to the next quote
# anywhere below: "Urgent per GP on one line and checked by "AB" today a hundred
# lines down fold the hundred records between them into one cell. A real value
# with line breaks (an address, a note) holds a few short lines; one whose
# lines are whole records of the file is a stray quote. Those lines are read
# again, each as a record of its own, its quotes taken as text.


def count_lines(path, encoding: str) -> int | None:
    """The file's physical lines (LF, CRLF or a lone CR ends one), or None where bytes cannot tell.

    When a file has as many lines as the reader found records, no value spans two lines.
    """
    if not encoding.startswith(("utf-8", "cp1252")):
        return None
    breaks, last, return_pending = 0, b"", False
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            data = np.frombuffer(block, dtype=np.uint8)
            breaks += np.count_nonzero(data == 10) + (return_pending and block[0] != 10)
            if b"\r" in block:  # a CR ends a line unless an LF follows it (then the LF ends it)
                breaks += np.count_nonzero((data[:-1] == 13) & (data[1:] != 10))
            return_pending, last = block[-1] == 13, block[-1:]
    return int(breaks + return_pending + (last not in (b"\n", b"\r")))


def _may_have_run_on_quotes(table: RawTable, limit: int | None, lines: int | None) -> bool:
    """Whether some value may span lines (for a preview: whether one of its values does)."""
    if limit is not None:
        return any(_has_line_break(v) for column in table.columns for v in column.tolist())
    return lines is None or lines != table.header_row + table.rows_read + table.blank_rows


def _has_line_break(value) -> bool:
    return isinstance(value, str) and ("\n" in value or "\r" in value)


def _with_run_on_quotes_read_again(path: Path, table: RawTable, head, header_index, limit, cancelled):
    """The table read again with each run-on quote's lines as records of their own; None if none ran on."""
    width = max(len(head[header_index]), 3)
    run_on = _run_on_quotes(path, table, width, cancelled)
    if not run_on:
        return None
    records = _records_with_lines_apart(path, table, run_on)
    head = _take(records, header_index + 1 + WORKBOOK_BLOCK_ROWS)  # (the header is as read the first time)
    total = max(table.rows_read, 1)
    blocks = list(_workbook_blocks(head, records, header_index, limit, total, no_progress, cancelled, path))
    columns = max([len(head[header_index])] + [len(parts) for _, parts in blocks])
    blocks = [(start, _pad(parts, columns)) for start, parts in blocks]
    again = _assemble(_header_cells(head[header_index], columns), blocks, header_index, None, table.encoding,
                      table.delimiter)
    again.notes += [_run_on_note(path, *lines, head[header_index]) for lines in run_on.values()]
    return again


def _physical_lines(path: Path, encoding: str) -> "_RememberedLines":
    handle = open(path, encoding=encoding, errors=_DECODE_ERRORS, newline="")
    return _RememberedLines(handle)


class _RememberedLines:
    """A file's lines (ends kept), remembering those taken since :meth:`taken` was last asked."""

    def __init__(self, handle):
        self._handle = handle
        self._taken: list[str] = []
        self.number = 0  # physical lines read so far

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self._taken.append(line)
        self.number += 1
        return line

    def taken(self) -> list[str]:
        taken, self._taken = self._taken, []
        return taken

    def close(self) -> None:
        self._handle.close()


def _run_on_quotes(path: Path, table: RawTable, width: int, cancelled) -> dict[int, tuple[int, int, int]]:
    """Record number -> (first line, last line, column) of each record a run-on quote made."""
    lines = _physical_lines(path, table.encoding)
    found = {}
    try:
        for number, _record in enumerate(csv.reader(lines, delimiter=table.delimiter), start=1):
            if number % 50_000 == 0:
                check(cancelled)
            taken = lines.taken()
            if len(taken) > 1 and _holds_whole_records(taken, table.delimiter, width):
                found[number] = (lines.number - len(taken) + 1, lines.number, _opened_in(taken[0], table.delimiter))
    except csv.Error:
        return {}  # pandas read the file: a reader that cannot is no judge of it
    finally:
        lines.close()
    return found


def _holds_whole_records(lines: list[str], delimiter: str, width: int) -> bool:
    """Whether the value left open at the end of a record's first line takes in whole records:
    a line with as many cells as the header before the first quote below (which closes the
    value), or as many before that quote on its own line (after it come the record's last cells).

    >>> _holds_whole_records(['A1,P2,"line one\\n', 'line two",x\\n'], ",", 3)
    False
    >>> _holds_whole_records(['A1,P2,"Urgent\\n', 'A2,P3,ok\\n', 'A3,P4,by "AB"\\n'], ",", 3)
    True
    """
    for line in lines[1:]:
        if '"' in line:
            return len(_line_alone(line.split('"', 1)[0], delimiter)) == width
        if len(_line_alone(line, delimiter)) == width:
            return True
    return False


def _records_with_lines_apart(path: Path, table: RawTable, run_on: dict):
    """The file's records, those in ``run_on`` as one record per line."""
    lines = _physical_lines(path, table.encoding)
    try:
        for number, record in enumerate(csv.reader(lines, delimiter=table.delimiter), start=1):
            taken = lines.taken()
            yield from [_line_alone(line, table.delimiter) for line in taken] if number in run_on else [record]
    finally:
        lines.close()


def _line_alone(line: str, delimiter: str) -> list[str]:
    """One line's cells read on their own: quotes that do not pair up on the line are text.

    >>> _line_alone('B1,P3,"Urgent per GP\\n', ","), _line_alone('B3,"x, y",checked by "AB"\\n', ",")
    (['B1', 'P3', '"Urgent per GP'], ['B3', 'x, y', 'checked by "AB"'])
    """
    quoting = csv.QUOTE_MINIMAL if line.count('"') % 2 == 0 else csv.QUOTE_NONE
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, quoting=quoting), [])


def _opened_in(line: str, delimiter: str) -> int:
    """The 1-based column of the value whose quote is not closed on ``line`` (the line's last value)."""
    return len(next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), []))


def _run_on_note(path: Path, start: int, end: int, column: int, header: list) -> str:
    name = header[column - 1] if 0 < column <= len(header) and header[column - 1] else f"column {column}"
    return (f"{path.name}: lines {start:,} to {end:,} hold whole records inside one quoted value (a quote opened in "
            f"'{name}' on line {start:,} was not closed on its line); each line was read as a row of its own, "
            f"its quotes kept as text: check lines {start:,} and {end:,}")


# --- workbooks ---------------------------------------------------------------


def _read_workbook(path: Path, sheet, header_row, limit, progress, cancelled) -> RawTable:
    progress(0.0, f"Opening {path.name}")
    with _open_workbook(path, few_rows=limit is not None) as book:
        name, rows = _choose_sheet(path, book, sheet)
        skipped = _hidden_before(book, name) if sheet is None else []
        try:
            total = max(book.get_sheet_by_name(name).total_height, 1)
            wanted = (header_row or HEADER_SEARCH_ROWS) + ROWS_COMPARED_WITH_HEADER
            head = [[_cell_text(v) for v in row] for row in _take(rows, wanted)]
            if not head:
                raise WorkbenchError(f"{path.name}: sheet '{name}' is empty")
            header_index = _choose_header(path, head, header_row, sheet=name)
            width = max(len(r) for r in head)
            blocks = list(_workbook_blocks(head, rows, header_index, limit, total, progress, cancelled, path))
        finally:
            rows.close()  # a sheet read in pieces stops its threads
    width = max([width] + [len(parts) for _, parts in blocks])  # a long row adds columns
    blocks = [(first, _pad(parts, width)) for first, parts in blocks]
    table = _assemble(_header_cells(head[header_index], width), blocks, header_index, name, None, None)
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
            raise _protected(self.path) from None
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
        if self._book is None or _file_kind(self.path) != "zip":
            return None
        whole_rows = lambda: self._load_sheet(name).iter_rows()  # noqa: E731
        return sheet_pieces.pieced_sheet(self.path, name, whole_rows, few_rows=self._few_rows)

    def _load_sheet(self, name: str):
        # Checked before a reader lays the sheet out cell by cell; its error cells, which calamine
        # reads as empty, are put back.
        errors = sheet_pieces.check_extent(self.path, name) if _file_kind(self.path) == "zip" else {}
        try:
            if self._openpyxl is not None:
                return _OpenpyxlSheet(self._openpyxl[name])
            return _CalamineSheet(self._book.get_sheet_by_name(name), errors)
        except python_calamine.PasswordError:
            raise _protected(self.path) from None
        except python_calamine.CalamineError:
            raise _not_readable(self.path) from None


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
        raise _not_readable(path) from None


def _open_workbook(path: Path, few_rows: bool = False) -> _Workbook:
    """Open a workbook after the checks that must come before reading it."""
    kind = _file_kind(path)
    if kind == "ole2" and _holds_an_encrypted_workbook(path):
        # An XLSX saved with a password is an OLE2 container, not a zip; an old .xls is one too
        # (whatever it is called: a .xls saved as .csv is read as the workbook it is).
        raise _protected(path)
    if kind == "zip":
        check_zip_size(path)
    return _Workbook(path, few_rows)


_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), b"EncryptionInfo")


def _holds_an_encrypted_workbook(path: Path) -> bool:
    """Whether an OLE2 file holds the streams of Excel's "Encrypt with password" (its names are
    in the file's directory, which may be anywhere in it)."""
    before = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if any(name in before + block for name in _ENCRYPTION_STREAMS):
                return True
            before = block[-64:]
    return False


def check_zip_size(path, max_bytes: int | None = None, max_ratio: float | None = None) -> None:
    """Refuse a zip-based workbook that would unpack to an unreasonable size.

    Raises ``WorkbenchError`` if the members declare more than ``max_bytes``
    in all, or a large member is compressed more than ``max_ratio`` times.
    """
    path = Path(path)
    max_bytes = MAX_UNCOMPRESSED_BYTES if max_bytes is None else max_bytes
    max_ratio = MAX_COMPRESSION_RATIO if max_ratio is None else max_ratio
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise _not_readable(path) from None
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise _too_big(path, total)
    for member in members:
        big = member.file_size > RATIO_CHECKED_ABOVE_BYTES
        if big and member.file_size > max_ratio * max(member.compress_size, 1):
            raise _too_big(path, total)


def _too_big(path: Path, total: int) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: would unpack to {total / 1024**2:,.0f} MB, far more than a waiting list needs; "
        "it may be damaged or not a real workbook (save it again from Excel, or as CSV)"
    )


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


def _workbook_blocks(head, rows, header_index, limit, total, progress, cancelled, path):
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
        pending = _take(rows, remaining) if remaining > 0 else []


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
_IS_SPACE = np.frompyfunc(str.isspace, 1, 1)
# Cell types whose equal values always have the same text: converted once per distinct value.
# (A column mixing True with 1 or 1.0 is not among them: those are equal yet read differently.)
_ONE_TEXT_PER_VALUE = {"string", "empty", "floating", "integer", "mixed-integer-float", "boolean", "date", "datetime",
                       "time", "timedelta", "decimal"}


def _cells_as_text(block: np.ndarray) -> list:
    """:func:`_cell_text` over a block, one part per column: text, or :class:`_Coded` for a
    column that repeats its values (each distinct value is converted once)."""
    parts = []
    for j in range(block.shape[1]):
        column = block[:, j]
        if pd.api.types.infer_dtype(column, skipna=False) == "string":
            if _mostly_distinct(column):
                parts.append(_blanks_to_none(column))  # text in every cell: only blanks change
                continue
        else:
            column[column == ""] = None  # empty cells (calamine gives "") beside dates or numbers
            if pd.api.types.infer_dtype(column, skipna=True) not in _ONE_TEXT_PER_VALUE:
                parts.append(_mixed_cells_as_text(column))
                continue
        codes, distinct = pd.factorize(column, use_na_sentinel=True)
        parts.append(_Coded(codes, [_cell_text(v) for v in distinct]))
    return parts


def _mostly_distinct(column: np.ndarray) -> bool:
    sample = column[:1000]
    return len(set(sample.tolist())) > len(sample) // 2


def _mixed_cells_as_text(column: np.ndarray) -> np.ndarray:
    is_text = _IS_TEXT(column).astype(bool)
    texts = column[is_text]
    if texts.size:
        column[is_text] = _blanks_to_none(texts)
    others = column[~is_text]
    if others.size:
        seen: dict = {}  # keyed with the type: True == 1 == 1.0 but their texts differ
        column[~is_text] = [seen.get((type(v), v)) or seen.setdefault((type(v), v), _cell_text(v)) for v in others]
    return column


def _blanks_to_none(values: np.ndarray, spaces: bool = True) -> np.ndarray:
    """Empty texts, and space-only ones if ``spaces``, become None, in place (None cells stay)."""
    values[values == ""] = None
    if spaces and values.size:
        text = values != None  # noqa: E711 (elementwise)
        space_only = np.zeros(values.shape, dtype=bool)
        space_only[text] = _IS_SPACE(values[text]).astype(bool)
        values[space_only] = None
    return values


def _take(rows: Iterator[list], count: int) -> list[list]:
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


def _pad(parts: list, width: int) -> list:
    """The parts of a block, with empty columns added up to ``width``."""
    rows = len(parts[0]) if parts else 0
    return parts + [np.full(rows, None, dtype=object) for _ in range(width - len(parts))]


# --- headers -------------------------------------------------------------------


def _choose_header(path: Path, head: list[list], header_row: int | None, sheet: str | None = None) -> int:
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


def _header_cells(record: list, width: int) -> list[str | None]:
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


# --- putting the table together ----------------------------------------------------


def _assemble(header_cells, blocks, header_index, sheet, encoding, delimiter,
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
class _Coded:
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
        if isinstance(part, _Coded):
            codes = self._codes
            # Code -1 (an empty cell) picks the last entry, as does a text that is None.
            to_column = np.array([-1 if t is None else codes.setdefault(t, len(codes)) for t in part.texts] + [-1],
                                 dtype=np.int32)
            part = _Coded(to_column[part.codes], [])
        self._parts.append(part)

    def finish(self, space_only: bool) -> "_Column":
        """Join the blocks; "" (and spaces, if ``space_only``) become empty."""
        if all(isinstance(p, _Coded) for p in self._parts):
            distinct = np.array(list(self._codes), dtype=object)
            codes = _join([p.codes for p in self._parts], np.int32)
            self._values, self._distinct = _without_blank_codes(codes, distinct, space_only)
            self.filled = self._values >= 0
        else:
            texts = np.append(np.array(list(self._codes), dtype=object), None)
            values = _join([texts[p.codes] if isinstance(p, _Coded) else p for p in self._parts], object)
            self._values = _blanks_to_none(values, spaces=space_only)
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


def may_hold_space_only_cells(path: Path, encoding: str, delimiter: str) -> bool:
    """False when no cell of the file can be whitespace only.

    Such a cell starts right after a delimiter, a line break or a quote, so a
    file with none of those followed by a space-like byte has none: checking
    the raw bytes for that takes a fraction of a second, where checking every
    cell took seconds for a million rows. True (check every cell) when unsure.
    Rarer Unicode spaces are not looked for: such a cell is kept as read, and
    the canonical fields still treat it as blank (``normalise.clean_text``).
    """
    if not encoding.startswith(("utf-8", "cp1252")) or not delimiter.isascii() or len(delimiter) != 1:
        return True
    # CR too: classic Mac line endings.
    starts = np.frombuffer(b'\n\r"' + delimiter.encode("ascii"), dtype=np.uint8)
    previous = b"\n"
    with open(path, "rb") as handle:
        # A block at a time (with the byte before it), so memory stays small for big files.
        for block in iter(lambda: handle.read(1 << 20), b""):
            data = np.frombuffer(previous + block, dtype=np.uint8)
            following = data[1:]
            # Space, tab, and the no-break space (0xA0 in cp1252, 0xC2 0xA0 in UTF-8).
            spaces = np.flatnonzero((following == 0x20) | (following == 0x09) | (following == 0xA0) | (following == 0xC2))
            if np.isin(data[spaces], starts).any():
                return True
            previous = block[-1:]
    return False

