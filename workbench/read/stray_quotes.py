"""Quotes that run on over whole records: a CSV's stray quote found and its lines read again.

A quote that opens a value and is never closed on its line makes every reader
take the line breaks after it as part of that value, up to the next quote
anywhere below: "Urgent per GP on one line and checked by "AB" today a hundred
lines down fold the hundred records between them into one cell. A real value
with line breaks (an address, a note) holds a few short lines; one whose
lines are whole records of the file is a stray quote. Those lines are read
again, each as a record of its own, its quotes taken as text, through the
workbook reader's blocks.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from workbench.progress import check, no_progress
from workbench.read.decoding import DECODE_ERRORS
from workbench.read.table import RawTable, assemble, header_cells
from workbench.read.workbooks import WORKBOOK_BLOCK_ROWS, pad, take, workbook_blocks


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


def may_have_run_on_quotes(table: RawTable, limit: int | None, lines: int | None) -> bool:
    """Whether some value may span lines (for a preview: whether one of its values does)."""
    if limit is not None:
        return any(_has_line_break(v) for column in table.columns for v in column.tolist())
    return lines is None or lines != table.header_row + table.rows_read + table.blank_rows


def _has_line_break(value) -> bool:
    return isinstance(value, str) and ("\n" in value or "\r" in value)


def with_run_on_quotes_read_again(path: Path, table: RawTable, head, header_index, limit, cancelled):
    """The table read again with each run-on quote's lines as records of their own; None if none ran on."""
    width = max(len(head[header_index]), 3)
    run_on = _run_on_quotes(path, table, width, cancelled)
    if not run_on:
        return None
    records = _records_with_lines_apart(path, table, run_on)
    head = take(records, header_index + 1 + WORKBOOK_BLOCK_ROWS)  # (the header is as read the first time)
    total = max(table.rows_read, 1)
    blocks = list(workbook_blocks(head, records, header_index, limit, total, no_progress, cancelled, path))
    columns = max([len(head[header_index])] + [len(parts) for _, parts in blocks])
    blocks = [(start, pad(parts, columns)) for start, parts in blocks]
    again = assemble(header_cells(head[header_index], columns), blocks, header_index, None, table.encoding,
                      table.delimiter)
    again.notes += [_run_on_note(path, *lines, head[header_index]) for lines in run_on.values()]
    return again


def _physical_lines(path: Path, encoding: str) -> "_RememberedLines":
    handle = open(path, encoding=encoding, errors=DECODE_ERRORS, newline="")
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
