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

from workbench import __version__
from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, WaitingList
from workbench.store.files import replacing
from workbench.read.nhs_number import format_nhs_number
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.errors import WorkbenchError
from workbench.rank.ranking import Ranking, WithoutFactors
from workbench.rank.rule_words import describe_factor
from workbench.rank.rule_writer import dump_rules
from workbench.rank.rules import RuleSet
from workbench.report.identity import RuleSetIdentity, rule_set_identity
from workbench.report.spreadsheet import uk_date, write_csv
from workbench.check.validation import unknown_band_warning
from workbench.report.xlsx import DATE_CELLS, MAX_CELL_TEXT, NUMBER_CELLS, TEXT_CELLS, XlsxWriter
from workbench.store.decisions import LogEntry
from workbench.view.filters import FINDINGS, ROW_NUMBER

CHUNK_ROWS = 5000
EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet is the header
# Left out of a pseudonymised export: they identify a person directly.
IDENTIFYING_FIELDS = ("nhs_number", "date_of_birth", "postcode")
FIELD_LABELS = {
    "pathway_id": "Pathway ID",
    "nhs_number": "NHS number",
    "lsoa": "LSOA",
    "imd_decile": "IMD decile",
    "imd_rank": "IMD rank",
    "imd_quintile": "IMD quintile",
    "core20": "Core20",
    "tci_date": "TCI date",
}

# header, kind of cells ("number", "text", "date"), and row positions -> cell values
Column = tuple[str, str, Callable[[np.ndarray], list]]


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
            written = _write_csv(partial, columns, chunks)
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


def _write_csv(path: Path, columns: list[Column], chunks: Iterator[list]) -> int:
    return write_csv(path, [header for header, _, _ in columns], (row for chunk in chunks for row in zip(*chunk)))


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
) -> list[Column]:
    """Every exported column: a header and how to get its cells for some row positions."""
    movement = baseline.rank - scenario.rank
    band_names = np.array(scenario.band_names, dtype=object)
    columns: list[Column] = [
        ("New rank", NUMBER_CELLS, lambda rows: scenario.rank[rows].tolist()),
        ("Baseline rank", NUMBER_CELLS, lambda rows: baseline.rank[rows].tolist()),
        ("Places moved up", NUMBER_CELLS, lambda rows: movement[rows].tolist()),
        ("Band", TEXT_CELLS, lambda rows: band_names[scenario.band[rows]].tolist()),
        ("Score (weeks-equivalent)", NUMBER_CELLS, _rounded(scenario.score)),
    ]
    for factor in rule_set.factors:
        contribution = _rounded(scenario.contributions[factor.name])
        columns.append((f"{factor.name} (weeks-equivalent)", NUMBER_CELLS, contribution))
    for name in without.factors if without is not None else ():
        columns.append((f"Rank without {name}", NUMBER_CELLS, _cells(without.ranks(name))))
    columns += _field_columns(wl, pseudonymise)
    if not pseudonymise:
        columns += [(f"Source: {header}", TEXT_CELLS, _cells(values)) for header, values in wl.source.items()]
    return columns


def _field_columns(wl: WaitingList, pseudonymise: bool) -> list[Column]:
    names = [name for name in FIELD_KINDS if name in wl.columns] + [n for n in wl.columns if n not in FIELD_KINDS]
    if pseudonymise:
        names = [name for name in names if name not in IDENTIFYING_FIELDS]
    return [(field_label(name), *_field_column(wl, name)) for name in names]


def _field_column(wl: WaitingList, name: str) -> tuple[str, Callable[[np.ndarray], list]]:
    """A field's kind of cells and how to get them: dates as dates, numbers as numbers, NHS numbers as 3-3-4."""
    kinds = {DATE: DATE_CELLS, NUMBER: NUMBER_CELLS, FLAG: NUMBER_CELLS}
    return kinds.get(FIELD_KINDS.get(name), TEXT_CELLS), _field_cells(name, wl.column(name))


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
    if name == ROW_NUMBER:
        return NUMBER_CELLS, _cells(wl.row_id)
    if name == FINDINGS:
        return TEXT_CELLS, _cells(problems if problems is not None else np.full(len(wl), None, dtype=object))
    return _field_column(wl, name)


def field_label(name: str) -> str:
    """A column header for a canonical or derived field.

    >>> field_label("nhs_number"), field_label("weeks_waited")
    ('NHS number', 'Weeks waited')
    """
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _field_cells(name: str, values: np.ndarray) -> Callable[[np.ndarray], list]:
    kind = FIELD_KINDS.get(name)
    if name == "nhs_number":
        return lambda rows: [format_nhs_number(v) or None for v in values[rows]]
    if kind == DATE:
        return lambda rows: values[rows].astype("datetime64[D]").tolist()  # NaT -> None
    if kind in (NUMBER, FLAG) and name != "weeks_waited":
        # Whole numbers as int (a decile of 3, not 3.0) so a CSV shows them plainly.
        return lambda rows: [int(v) if v.is_integer() else v for v in values[rows].tolist()]
    if name == "weeks_waited":
        return _rounded(values, 2)
    return _cells(values)


def _cells(values: np.ndarray) -> Callable[[np.ndarray], list]:
    return lambda rows: values[rows].tolist()


def _rounded(values: np.ndarray, places: int = 4) -> Callable[[np.ndarray], list]:
    return lambda rows: np.round(values[rows], places).tolist()


def _chunks(columns: list[Column], order: np.ndarray, progress: Progress, cancelled: CancelCheck) -> Iterator[list]:
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
        ("Imported at", _date_time(imported_at) if imported_at else "not recorded"),
        ("Census date", census if isinstance(census, date) else "not recorded"),
        ("Rows read", info.get("rows_read", "")),
        ("Rows stored", info.get("rows_stored", len(wl))),
        ("Rows exported", len(wl) if rows_exported is None else rows_exported),
        ("Exported at", _date_time(datetime.now())),
        ("Workbench version", __version__),
        ("Pseudonymised export", "yes: NHS number, date of birth, postcode and source columns left out"
         if pseudonymise else "no"),
        ("Check before use", unknown_band_warning(wl) or "every patient has a recognised clinical priority"),
    ]


def _date_time(value: datetime | date) -> str:
    """dd/mm/yyyy HH:MM for a time, dd/mm/yyyy for a date."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return uk_date(value)
