"""A CSV or text file read in chunks with pandas, coded columns hashed as they are read.

The encoding and delimiter come from ``decoding``; the header is found in the
first records; helper threads count the lines and look for space-only cells
beside the reading. A file whose lines outnumber its records may hold a stray
quote: ``stray_quotes`` reads it again.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.progress import check
from workbench.read.decoding import DECODE_ERRORS, detect_encoding, sample_records, sample_text, sniff_delimiter
from workbench.read.stray_quotes import count_lines, may_have_run_on_quotes, with_run_on_quotes_read_again
from workbench.read.table import HEADER_SEARCH_ROWS, Coded, RawTable, assemble, choose_header, header_cells


# Excel's and LibreOffice's widest row (column XFD). A CSV record wider than this
# is damage, not a list, and reading a million empty cells per row takes minutes.
MAX_CELLS_PER_ROW = 16_384
CSV_CHUNK_ROWS = 200_000


def read_text_file(path: Path, header_row, limit, progress, cancelled) -> RawTable:
    encoding = detect_encoding(path)
    sample = sample_text(path, encoding)
    delimiter = sniff_delimiter(sample, default="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    head = sample_records(sample, delimiter, (header_row or 0) + HEADER_SEARCH_ROWS + 200)
    refuse_too_wide(path, head)
    header_index = choose_header(path, head, header_row)
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
                headers = header_cells(head[header_index], width)
                table = assemble(headers, blocks, header_index, None, encoding, delimiter, spaces.result)
                break
            except pd.errors.ParserError as error:
                width = _wider(path, error, width)
            except _CodesLost as lost:
                coded.discard(lost.position)
        if may_have_run_on_quotes(table, limit, lines.result()):
            table = with_run_on_quotes_read_again(path, table, head, header_index, limit, cancelled) or table
    progress(1.0, f"Read {table.rows_read:,} rows from {path.name}")
    return table


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
    the columns in ``coded`` come as :class:`Coded`, the others as text ("" for empty)."""
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
            encoding_errors=DECODE_ERRORS,
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
    return Coded(cells.array.codes[skip:], categories.tolist())


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
