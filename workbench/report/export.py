"""The reordered list to a spreadsheet (xlsx with Rules and Provenance sheets) or CSV.

The "Ranked list" sheet holds, in treatment order: new rank, baseline rank,
places moved, band, score and each factor's part of it, the rank each
patient would have without each social factor (given a
:class:`~workbench.ranking.WithoutFactors`), then the list's
canonical and derived fields (dates as dates, NHS numbers as 3-3-4) and every
source column. The "Rules" sheet records the rule set, its TOML text and
sha256; "Provenance" records where the list came from and when. Every cell
goes through :func:`workbench.report.spreadsheet.safe_cell`, so nothing runs as a
formula. The file is written under a temporary name and renamed when
complete, so a failed or cancelled export never leaves half a file.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from workbench import formats
from workbench import __version__
from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, TEXT, WaitingList
from workbench.store.files import replacing
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.errors import WorkbenchError
from workbench.rank.ranking import Ranking, WithoutFactors
from workbench.rank.rule_words import describe_factor
from workbench.rank.rule_writer import dump_rules
from workbench.rank.rules import RuleSet
from workbench.report.identity import RuleSetIdentity, rule_set_identity
from workbench.report.spreadsheet import write_csv
from workbench.check.validation import unknown_band_warning
from workbench.view.columns import (
    BAND, BASELINE_RANK, MOVEMENT, NEW_RANK, SCORE, column, contribution_column, source_column, without_column,
)
from workbench.report.xlsx import DATE_CELLS, MAX_CELL_TEXT, NUMBER_CELLS, TEXT_CELLS, XlsxWriter
from workbench.store.decisions import LogEntry
from workbench.view.filters import FINDINGS, ROW_NUMBER

CHUNK_ROWS = 5000
EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet is the header
# Left out of a pseudonymised export: they identify a person directly.
IDENTIFYING_FIELDS = ("nhs_number", "date_of_birth", "postcode")
# header, kind of cells ("number", "text", "date"), and row positions -> cell values
ExportColumn = tuple[str, str, Callable[[np.ndarray], list]]
_CELLS = {DATE: DATE_CELLS, NUMBER: NUMBER_CELLS, FLAG: TEXT_CELLS, TEXT: TEXT_CELLS}


def export_ranked_list(
    path,
    wl: WaitingList,
    scenario: Ranking,
    baseline: Ranking,
    rule_set: RuleSet,
    import_info: dict | None,
    *,
    pseudonymise: bool = False,
    without: WithoutFactors | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
    notes: list[str] | None = None,
    log: Sequence[LogEntry] = (),
) -> int:
    """Write the list in ``scenario`` order to ``path`` (.xlsx or .csv); returns the rows written.

    ``import_info`` is the workspace's import record (file name, sha256,
    import time, census date...). ``pseudonymise`` leaves out NHS number,
    date of birth, postcode and the source columns. What a person should know
    about the file written (cells cut to fit Excel) is added to ``notes``. ``log`` (the decision log)
    gives edited rules their recorded rationale on the Rules sheet.
    """
    path = Path(path)
    suffix = _spreadsheet_suffix(path, len(wl), "the ranked list")
    columns = ranked_columns(wl, scenario, baseline, rule_set, pseudonymise, without)
    chunks = _chunks(columns, scenario.order, progress, cancelled)
    with replacing(path) as partial:
        if suffix == ".csv":
            written = _write_csv(partial, columns, chunks, _ranked_by(rule_set, baseline.rule_set, log))
        else:
            provenance = _provenance(wl, import_info, pseudonymise)
            rules = _rules_items(rule_set, baseline.rule_set, log)
            written, cut = _write_workbook(partial, columns, chunks, rules, provenance)
            if cut and notes is not None:
                notes.append(f"{path.name}: {cut:,} {'cells were' if cut > 1 else 'cell was'} longer than Excel's "
                             f"{MAX_CELL_TEXT:,} characters and cut (each says so where it ends); "
                             "export to .csv to keep every text whole")
    progress(1.0, f"Exported {written:,} rows")
    return written


def _spreadsheet_suffix(path: Path, rows: int, what: str) -> str:
    """".xlsx" or ".csv", as the file is named; WorkbenchError for another kind, or more rows than Excel holds."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{path.name}: {what} can be exported to a .xlsx or .csv file only")
    if suffix == ".xlsx" and rows > EXCEL_MAX_ROWS:
        raise WorkbenchError(f"{path.name}: {rows:,} rows do not fit in an Excel sheet; export to .csv instead")
    return suffix


def _write_csv(path: Path, columns: list[ExportColumn], chunks: Iterator[list], note: str | None = None) -> int:
    return write_csv(path, [header for header, _, _ in columns], (row for chunk in chunks for row in zip(*chunk)), note)


def _ranked_by(rule_set: RuleSet, baseline_rules: RuleSet, log: Sequence[LogEntry]) -> str:
    """A CSV's first line: the rules that made the order, named as the record and the workbook name them
    (a CSV has no Rules sheet, and a ranked list that cannot say what ordered it must not be acted on)."""
    identity = rule_set_identity(rule_set, log)
    changes = f" ({identity.changes_text()})" if identity.edited else ""
    return (f"Ranked by {identity.title}{changes}, rule set sha256 {identity.sha256}, against "
            f"{baseline_rules.name}; exported {formats.uk_date_time(datetime.now())} by the prioritisation "
            f"workbench {__version__}")


def _write_workbook(path: Path, columns, chunks, rules: list[tuple[str, Any]], provenance) -> tuple[int, int]:
    """Rows written, and cells cut to fit Excel (the Provenance sheet counts them too)."""
    with XlsxWriter(path) as book:
        written = book.add_columns("Ranked list", [(header, kind) for header, kind, _ in columns], chunks)
        book.add_table("Rules", ["Item", "Value"], rules)
        if book.cut_cells:
            provenance = provenance + [("Cells cut to fit Excel", f"{book.cut_cells:,} (longer than {MAX_CELL_TEXT:,} "
                                        "characters; the .csv export keeps them whole)")]
        book.add_table("Provenance", ["Item", "Value"], provenance)
    return written, book.cut_cells


def ranked_columns(
    wl: WaitingList, scenario: Ranking, baseline: Ranking, rule_set: RuleSet, pseudonymise: bool = False,
    without: WithoutFactors | None = None,
) -> list[ExportColumn]:
    """Every exported column: a header and how to get its cells for some row positions.

    Headers and figures are those of the ranked list on screen (:mod:`workbench.view.columns`).
    """
    own = {NEW_RANK: scenario.rank, BASELINE_RANK: baseline.rank, MOVEMENT: baseline.rank - scenario.rank,
           BAND: np.array(scenario.band_names, dtype=object)[scenario.band], SCORE: scenario.score}
    described = [(column(key), values) for key, values in own.items()]
    described += [(contribution_column(f.name), scenario.contributions[f.name]) for f in rule_set.factors]
    described += [(without_column(name), without.ranks(name)) for name in (without.factors if without else ())]
    described += [(column(name), wl.columns[name]) for name in _field_names(wl, pseudonymise)]
    if not pseudonymise:
        described += [(source_column(header), values) for header, values in wl.source.items()]
    return [(spec.label, _CELLS[spec.kind], spec.cells(values)) for spec, values in described]


def _field_names(wl: WaitingList, pseudonymise: bool) -> list[str]:
    names = [name for name in FIELD_KINDS if name in wl.columns] + [n for n in wl.columns if n not in FIELD_KINDS]
    return [name for name in names if not (pseudonymise and name in IDENTIFYING_FIELDS)]


def export_rows_shown(
    path,
    wl: WaitingList,
    rows: np.ndarray,
    shown: Sequence[tuple[str, str]],
    problems: np.ndarray | None = None,
    import_info: dict | None = None,
    view: Sequence[tuple[str, str]] = (),
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> int:
    """The rows a list view shows, as it shows them, to ``path`` (.xlsx or .csv); returns the rows written.

    ``rows`` are list positions in the view's order (its filters and sort); ``shown`` its columns,
    (field, title) in its order: ``row_id`` is the file's data row and ``findings`` each row's data
    problems in words (``problems``). A workbook's second sheet says what was shown: ``view`` (the
    filters, search and sort in words, :meth:`ListQuery.described`) and where the list came from.
    """
    path = Path(path)
    suffix = _spreadsheet_suffix(path, len(rows), "the rows shown")
    columns = [(title, *_shown_column(wl, name, problems)) for name, title in shown]
    chunks = _chunks(columns, rows, progress, cancelled)
    with replacing(path) as partial:
        if suffix == ".csv":
            written = _write_csv(partial, columns, chunks)
        else:
            with XlsxWriter(partial) as book:
                written = book.add_columns("Rows shown", [(title, kind) for title, kind, _ in columns], chunks)
                shown_of = [("Rows shown", f"{len(rows):,} of {len(wl):,}"), *view]
                book.add_table("About this export", ["Item", "Value"],
                               shown_of + _provenance(wl, import_info, False, len(rows)))
    progress(1.0, f"Exported {written:,} rows")
    return written


def _shown_column(wl: WaitingList, name: str, problems: np.ndarray | None) -> tuple[str, Callable[[np.ndarray], list]]:
    """A column as the list view shows it: its kind of cells and how to get them (the view's own spec)."""
    if name == ROW_NUMBER:
        values = wl.row_id
    elif name == FINDINGS:
        values = problems if problems is not None else np.full(len(wl), None, dtype=object)
    else:
        values = wl.column(name)
    spec = column(name)
    return _CELLS[spec.kind], spec.cells(values)


def _chunks(columns: list[ExportColumn], order: np.ndarray, progress: Progress, cancelled: CancelCheck) -> Iterator[list]:
    """Column-wise cell lists for a few thousand rows at a time, in treatment order (bounded memory)."""
    total = len(order)
    for start in range(0, total, CHUNK_ROWS):
        check(cancelled)
        positions = order[start : start + CHUNK_ROWS]
        yield [cells(positions) for _, _, cells in columns]
        done = min(start + CHUNK_ROWS, total)
        progress(0.95 * done / total, f"Writing row {done:,} of {total:,}")


def _rules_items(rule_set: RuleSet, baseline_rules: RuleSet, log: Sequence[LogEntry] = ()) -> list[tuple[str, Any]]:
    bands = rule_set.bands
    overlaps = [f"{name}: {weeks:g} weeks-equivalent" for name, weeks in zip(bands.names, bands.overlap_weeks) if weeks]
    cap = rule_set.social_cap_weeks
    identity = rule_set_identity(rule_set, log)
    items = [("Rule set", identity.title), *_own_words(rule_set, identity),
             ("Bands, most urgent first", ", ".join(bands.names)),
             ("Band overlaps", "; ".join(overlaps) if overlaps else "none: no one moves across a band"),
             ("Social cap", "none" if cap is None else f"{cap:g} weeks-equivalent")]
    items += [(f"Factor: {factor.name}", describe_factor(factor)) for factor in rule_set.factors]
    items += [
        ("Rule set sha256", rule_set.sha256),
        ("Compared with", baseline_rules.name),
        ("Baseline sha256", baseline_rules.sha256),
        ("Rule set file (TOML)", dump_rules(rule_set)),
    ]
    return items


def _own_words(rule_set: RuleSet, identity: RuleSetIdentity) -> list[tuple[str, Any]]:
    """Version, author, description, rationale; for edited rules, their original, each change, and the
    rationale recorded for them (never the original's, which chose other weights)."""
    if not identity.edited:
        return [("Version", rule_set.version), ("Author", rule_set.author), ("Description", rule_set.description),
                ("Rationale", rule_set.rationale.strip())]
    changes = [(f"Change: {c.factor + ', ' if c.factor else ''}{c.setting}", f"{c.before} → {c.after}")
               for c in identity.changes or ()]
    if identity.changes is None:
        changes = [("Changes", identity.changes_text())]
    return [("Edited from", f"{identity.edited_from.words} (sha256 {identity.edited_from.sha256})"), *changes,
            ("Rationale for the changes", identity.rationale_text())]


def _provenance(wl: WaitingList, info: dict | None, pseudonymise: bool,
                rows_exported: int | None = None) -> list[tuple[str, Any]]:
    info = info or {}
    imported_at = info.get("imported_at")
    census = info.get("census_date") or wl.census_date
    return [
        ("Source file", info.get("file_name") or "not recorded"),
        ("Source file sha256", info.get("sha256") or "not recorded"),
        ("Sheet", info.get("sheet") or ""),
        ("Imported at", formats.uk_date_time(imported_at, "not recorded")),
        ("Census date", census if isinstance(census, date) else "not recorded"),
        ("Rows read", info.get("rows_read", "")),
        ("Rows stored", info.get("rows_stored", len(wl))),
        ("Rows exported", len(wl) if rows_exported is None else rows_exported),
        ("Exported at", formats.uk_date_time(datetime.now())),
        ("Workbench version", __version__),
        ("Pseudonymised export", "yes: NHS number, date of birth, postcode and source columns left out"
         if pseudonymise else "no"),
        ("Check before use", unknown_band_warning(wl) or "every patient has a recognised clinical priority"),
    ]

