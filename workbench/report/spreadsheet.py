"""Excel-friendly output: safe cells, frozen headers, filters, readable widths.

Every cell the workbench writes goes through :func:`safe_cell`, so no export
can carry a formula into a user's spreadsheet (a cell that begins with ``=``,
``+``, ``-`` or ``@`` is prefixed with an apostrophe-like quote so Excel shows
it as text). Every export's workbook is written by ``xlsx.XlsxWriter``;
:func:`write_table` (openpyxl) writes only the demo list, which is meant to be
shaped as another program writes a workbook, for the import to read.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from html import escape
from itertools import chain, islice
from typing import Any, Callable, Collection, Iterable, Sequence

import numpy as np
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workbench import formats
from workbench.progress import CancelCheck, check, never

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
MAX_WIDTH = 50
EXCEL_TEXT = ' style="mso-number-format:\\@"'  # a pasted HTML cell Excel keeps as text ("0001" keeps its zeros)
BOLD = Font(bold=True)


def safe_cell(value: Any) -> Any:
    """A value that a spreadsheet will show, never run.

    Text that would start a formula gets a leading single quote; NaN, NaT and
    NumPy scalars become plain Python values.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(np.float64("nan")) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else value.astype("datetime64[D]").item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_table(
    sheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress=None,
    total: int | None = None,
) -> int:
    """Write a header and rows to an openpyxl worksheet; returns rows written.

    Works on ordinary and write-only workbooks (use ``Workbook(write_only=True)``
    for big lists: it is several times faster). The header row is bold and
    frozen, an auto-filter covers the table, dates show as dd/mm/yyyy and the
    widths fit the first rows' contents.
    """
    rows = iter(rows)
    first = [[safe_cell(v) for v in row] for row in islice(rows, 200)]
    widths = [len(str(h)) for h in headers]
    for values in first:
        _widen(widths, values)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, safe_cell(h)) for h in headers])
    written = 0
    for written, values in enumerate(chain(first, ([safe_cell(v) for v in r] for r in rows)), 1):
        sheet.append([_dated(sheet, v) for v in values])
        if progress and total and written % 5000 == 0:
            progress(written / total, f"Writing row {written:,} of {total:,}")
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{written + 1}"
    return written


def _bold(sheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = BOLD
    return cell


def _dated(sheet, value: Any) -> Any:
    """Dates as cells formatted dd/mm/yyyy (openpyxl's default is ISO)."""
    if isinstance(value, (date, datetime)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _widen(widths: list[int], values: Sequence[Any]) -> None:
    for i, value in enumerate(values):
        if isinstance(value, (date, datetime)):
            shown = 10
        else:
            shown = 0 if value is None else len(str(value))
        widths[i] = max(widths[i], shown)


def write_csv(path, headers: Sequence[str], rows: Iterable[Sequence[Any]], note: str | None = None) -> int:
    """Write an Excel-friendly CSV (UTF-8 with BOM, dates dd/mm/yyyy, no formulas).

    ``note`` (e.g. "Not for publication: small numbers shown") is written as a line above the headers.
    """
    written = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        if note:
            writer.writerow([safe_cell(note)])
        writer.writerow([safe_cell(h) for h in headers])
        for written, row in enumerate(rows, start=1):
            writer.writerow([_csv_value(v) for v in row])
    return written


def _csv_value(value: Any) -> Any:
    value = safe_cell(value)
    if isinstance(value, date):
        return formats.uk_date_time(value) if isinstance(value, datetime) else formats.uk_date(value)
    return "" if value is None else value


def rows_as_tsv(
    titles: Sequence[str],
    formatters: Sequence[Callable[[int], str]],
    list_rows: np.ndarray,
    cancelled: CancelCheck = never,
) -> str:
    """Tab-separated text with a header row, as Excel pastes it.

    Tabs and line breaks inside a value become spaces, and text that Excel
    would run as a formula gets a leading apostrophe.

    >>> rows_as_tsv(["Pathway", "Note"], [str, lambda i: "=1+1\\tx"], np.array([7]))
    "Pathway\\tNote\\n7\\t'=1+1 x\\n"
    """
    lines = ["\t".join(_paste_safe(t) for t in titles)]
    for count, row in enumerate(list_rows.tolist()):
        if count % 10_000 == 0:
            check(cancelled)
        lines.append("\t".join(_paste_safe(f(row)) for f in formatters))
    return "\n".join(lines) + "\n"


def rows_as_html(
    titles: Sequence[str],
    formatters: Sequence[Callable[[int], str]],
    list_rows: np.ndarray,
    text_columns: Collection[int] = (),
    cancelled: CancelCheck = never,
) -> str:
    """The same rows as an HTML table, which Excel, Word and Outlook paste as a table.

    Values are as :func:`rows_as_tsv` gives them; ``text_columns`` are marked as text for Excel,
    so an identifier such as ``0001`` keeps its zeros.

    >>> print(rows_as_html(["ID", "Wait"], [lambda i: "0001", lambda i: "<5"], np.array([0]), text_columns={0}))
    <table><tr><th>ID</th><th>Wait</th></tr><tr><td style="mso-number-format:\\@">0001</td><td>&lt;5</td></tr></table>
    """
    cells = [f"<td{EXCEL_TEXT if i in text_columns else ''}>" for i in range(len(formatters))]
    lines = ["<table><tr>" + "".join(f"<th>{escape(_paste_safe(t))}</th>" for t in titles) + "</tr>"]
    for count, row in enumerate(list_rows.tolist()):
        if count % 10_000 == 0:
            check(cancelled)
        lines.append("<tr>" + "".join(f"{cell}{escape(_paste_safe(f(row)))}</td>" for cell, f in zip(cells, formatters))
                     + "</tr>")
    return "".join(lines) + "</table>"


def rows_for_clipboard(titles: Sequence[str], formatters: Sequence[Callable[[int], str]], list_rows: np.ndarray,
                       text_columns: Collection[int] = (), cancelled: CancelCheck = never) -> tuple[str, str]:
    """The rows as tab-separated text and as an HTML table: a spreadsheet pastes the one, an email the other."""
    return (rows_as_tsv(titles, formatters, list_rows, cancelled),
            rows_as_html(titles, formatters, list_rows, text_columns, cancelled))


def _paste_safe(text: str) -> str:
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
