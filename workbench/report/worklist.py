"""The validation worklist: every finding as a row a validation team can work through.

An xlsx with three sheets:

- **Summary**: each finding code, what it means, how many rows have it;
- **Worklist**: one row per (row, finding) with the pathway, NHS number
  (3-3-4), specialty, what was found, and empty "Action taken" / "Date checked" /
  "Checked by" columns for the team to fill in (``workbench outcomes`` reads
  them back: :mod:`workbench.store.outcomes`);
- **About**: which file and import the findings came from.

Or the Worklist table alone as CSV. Everything is written through
``workbench.report.spreadsheet``, so no cell can carry a formula and dates read dd/mm/yyyy.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np

from workbench import formats
from workbench.report import spreadsheet
from workbench.fields import WaitingList
from workbench.store.files import replacing
from workbench.read.nhs_number import format_nhs_number
from workbench.progress import CancelCheck, Progress, check, never, no_progress, scaled
from workbench.errors import FINDING_CODES, Finding
from workbench.report.xlsx import XlsxWriter
from workbench.store.workspace import Workspace
from workbench.view.columns import label
from workbench.view.filters import ROW_NUMBER

if TYPE_CHECKING:
    from workbench.view.opening import LoadedWorkspace

SUMMARY_HEADERS = ("Finding", "Description", "Rows affected")
WORKLIST_HEADERS = (
    label(ROW_NUMBER),
    label("pathway_id"),
    label("nhs_number"),
    label("specialty"),
    "Finding",
    "Description",
    "Detail",
    "Action taken",
    "Date checked",
    "Checked by",
)
LINE_HEADER = label("source_line")
# Excel's limit is 1,048,576 rows per sheet; one is the header.
ROWS_PER_SHEET = 1_048_575
ROW_EXPLAINED = "Row = the data row in the imported file (1 = the first row under the headers)"


def write_worklist(
    path: str | os.PathLike,
    wl: WaitingList,
    findings: Sequence[Finding],
    import_info: dict | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
    source_line: np.ndarray | None = None,
) -> int:
    """Write the worklist workbook to ``path``; returns the number of worklist rows.

    ``import_info`` is the workspace's import record (file name, sha256, census
    date...) for the About sheet. ``source_line`` (the line or spreadsheet row
    of each list row in the original file) adds a "Line in file" column. A
    worklist longer than one Excel sheet continues on "Worklist 2", and so on.
    """
    source_line = _lines_in_file(wl, source_line)
    with replacing(path, "the worklist") as partial, XlsxWriter(partial) as book:
        written = _fill_workbook(book, wl, findings, import_info, progress, cancelled, source_line)
    progress(1.0, "Worklist saved")
    return written


def _fill_workbook(book: XlsxWriter, wl, findings, import_info, progress, cancelled, source_line) -> int:
    book.add_table("Summary", SUMMARY_HEADERS, summary_rows(findings))
    headers = worklist_headers(source_line)
    rows = _checked(worklist_rows(wl, findings, source_line), cancelled)
    total = worklist_size(findings)
    written = 0
    for number, chunk in enumerate(_sheet_chunks(rows, total), start=1):
        name = "Worklist" if number == 1 else f"Worklist {number}"
        written += book.add_table(name, headers, _reported(chunk, progress, written, total))
    book.add_table("About", ["Item", "Value"], about_pairs(wl, findings, import_info))
    return written


def _reported(rows: Iterable, progress: Progress, done: int, total: int, every: int = 5000) -> Iterator:
    """Pass rows through, reporting progress every few thousand."""
    for index, row in enumerate(rows, start=done + 1):
        if index % every == 0:
            progress(index / max(total, 1), f"Writing row {index:,} of {total:,}")
        yield row


def _lines_in_file(wl: WaitingList, given: np.ndarray | None) -> np.ndarray | None:
    """The line numbers given, else the list's own (a list read from a workspace has them)."""
    return given if given is not None else wl.columns.get("source_line")


def write_worklist_csv(
    path: str | os.PathLike,
    wl: WaitingList,
    findings: Sequence[Finding],
    import_info: dict | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
    source_line: np.ndarray | None = None,
) -> int:
    """The Worklist table alone as an Excel-friendly CSV; returns rows written.

    ``import_info`` is accepted for symmetry with :func:`write_worklist` (a CSV
    has nowhere to put the About sheet).
    """
    progress(0.0, "Writing the worklist")
    source_line = _lines_in_file(wl, source_line)
    rows = _checked(worklist_rows(wl, findings, source_line), cancelled)
    with replacing(path, "the worklist") as partial:
        written = spreadsheet.write_csv(partial, worklist_headers(source_line), rows)
    progress(1.0, "Worklist written")
    return written


def worklist_headers(source_line: np.ndarray | None = None) -> list[str]:
    """The Worklist sheet's headers ("Line in file" after "Row" when lines are known)."""
    headers = list(WORKLIST_HEADERS)
    if source_line is not None:
        headers.insert(1, LINE_HEADER)
    return headers


def worklist_size(findings: Iterable[Finding]) -> int:
    """Number of worklist rows: one per (row, finding)."""
    return sum(len(f.rows) for f in findings)


def summary_rows(findings: Iterable[Finding]) -> list[tuple[str, str, int]]:
    """(code, description, rows affected) per finding, in the stable code order.

    >>> summary_rows([Finding("missing_priority", np.array([0, 3]), np.array(["", ""], dtype=object))])
    [('missing_priority', 'No clinical priority', 2)]
    """
    order = {code: i for i, code in enumerate(FINDING_CODES)}
    ranked = sorted(findings, key=lambda f: order.get(f.code, len(order)))
    return [(f.code, FINDING_CODES.get(f.code, f.code), len(f.rows)) for f in ranked]


def worklist_rows(
    wl: WaitingList, findings: Iterable[Finding], source_line: np.ndarray | None = None
) -> Iterator[list[Any]]:
    """One row per (list row, finding), finding by finding in code order, rows in list order."""
    pathway = _text_column(wl, "pathway_id")
    nhs_number = _text_column(wl, "nhs_number")
    specialty = _text_column(wl, "specialty")
    order = {code: i for i, code in enumerate(FINDING_CODES)}
    for finding in sorted(findings, key=lambda f: order.get(f.code, len(order))):
        description = FINDING_CODES.get(finding.code, finding.code)
        for row, detail in zip(finding.rows.tolist(), finding.details.tolist()):
            line = [] if source_line is None else [int(source_line[row])]
            yield [int(wl.row_id[row]), *line, pathway[row], format_nhs_number(nhs_number[row]),
                   specialty[row], finding.code, description, detail, None, None, None]


def about_pairs(wl: WaitingList, findings: Sequence[Finding], import_info: dict | None) -> list[tuple[str, Any]]:
    """Labels and values for the About sheet."""
    info = import_info or {}
    census = _as_date(info.get("census_date")) or wl.census_date
    pairs = [
        ("File", info.get("file_name")),
        ("File sha256", info.get("sha256")),
        ("Sheet", info.get("sheet")),
        ("Census date", formats.uk_date(census) or None),
        ("Imported at", _local_time_text(info.get("imported_at"))),
        ("Rows in the list", len(wl)),
        ("Rows with a finding", len(np.unique(np.concatenate([f.rows for f in findings]))) if findings else 0),
        ("Worklist written", formats.uk_date_time(datetime.now())),
        ("Row", ROW_EXPLAINED),
    ]
    return [(label, value) for label, value in pairs if value not in (None, "")]


def _local_time_text(value: Any) -> str | None:
    """A moment as local "dd/mm/yyyy HH:MM" (Excel cannot hold time zones).

    >>> _local_time_text(datetime(2026, 11, 1, 9, 30)), _local_time_text(None)
    ('01/11/2026 09:30', None)
    """
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return formats.uk_date_time(value)


def _as_date(value: Any) -> date | None:
    """A date from a date, datetime or ISO text (how the workspace stores it)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text_column(wl: WaitingList, name: str) -> list[str | None]:
    values = wl.columns.get(name)
    return [None] * len(wl) if values is None else values.tolist()


def _checked(rows: Iterable, cancelled: CancelCheck, every: int = 5000) -> Iterator:
    """Pass rows through, checking for Cancel every few thousand."""
    for index, row in enumerate(rows):
        if index % every == 0:
            check(cancelled)
        yield row


def _sheet_chunks(rows: Iterator, total: int) -> Iterator[Iterator]:
    """Split rows into sheet-sized runs; always at least one (possibly empty) sheet."""
    sheets = max(1, -(-total // ROWS_PER_SHEET))
    for _ in range(sheets):
        yield _take(rows, ROWS_PER_SHEET)


def _take(rows: Iterator, count: int) -> Iterator:
    for _, row in zip(range(count), rows):
        yield row


def write_findings_worklist(loaded: LoadedWorkspace, target: Path, progress: Progress = no_progress,
                            cancelled: CancelCheck = never) -> Path:
    """Write every finding of the workspace, with its row, to an xlsx worklist (database worker)."""
    progress(0.0, "Reading the findings")
    with Workspace.open(loaded.file.path) as workspace:
        findings, record = workspace.findings(), workspace.import_record()
    check(cancelled)
    write_worklist(target, loaded.wl, findings, record, progress=scaled(progress, 0.2, 1.0), cancelled=cancelled)
    return target
