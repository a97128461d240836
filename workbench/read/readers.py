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

The reading is done by one module per job: ``file_kinds`` (what the file is,
and the checks before opening it), ``decoding`` (its encoding and delimiter),
``csv_files`` (a text file read in chunks), ``stray_quotes`` (a quote left open
read again), ``workbooks`` (sheets, hidden sheets, error cells) and ``table``
(the header found and the columns put together as a :class:`RawTable`).
"""

from __future__ import annotations

from pathlib import Path

from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.read.csv_files import read_text_file
from workbench.read.file_kinds import file_kind
from workbench.read.table import RawTable
from workbench.read.workbooks import open_workbook, read_workbook


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


def preview_with_sheets(path, sheet: str | int | None, header_row: int | None, with_sheets: bool, rows: int = 20,
                        progress: Progress = no_progress, cancelled: CancelCheck = never) -> tuple[list[str], RawTable]:
    """The workbook's sheet names when asked (opening a workbook can take a moment: the import dialog runs this on
    a worker) and the header with the first ``rows`` data rows."""
    return (list_sheets(path) if with_sheets else []), preview(path, sheet, rows, header_row=header_row)


def list_sheets(path) -> list[str]:
    """The sheet names of a workbook, in order; ``[]`` for a CSV or text file."""
    path = Path(path)
    if file_kind(path) == "text":
        return []
    with open_workbook(path) as book:
        return list(book.sheet_names)


def _read(path: Path, sheet, header_row, limit, progress, cancelled) -> RawTable:
    if file_kind(path) == "text":
        return read_text_file(path, header_row, limit, progress, cancelled)
    return read_workbook(path, sheet, header_row, limit, progress, cancelled)
