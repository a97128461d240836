"""The reordered list to a spreadsheet (xlsx with Rules and Provenance sheets) or CSV.

The "Ranked list" sheet holds, in treatment order: new rank, baseline rank,
places moved, band, score and each factor's part of it, then the list's
canonical and derived fields (dates as dates, NHS numbers as 3-3-4) and every
source column. The "Rules" sheet records the rule set, its TOML text and
sha256; "Provenance" records where the list came from and when. Every cell
goes through :func:`workbench.spreadsheet.safe_cell`, so nothing runs as a
formula. The file is written under a temporary name and renamed when
complete, so a failed or cancelled export never leaves half a file.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
from openpyxl.utils import get_column_letter

from workbench import __version__
from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, WaitingList
from workbench.nhs_number import format_nhs_number
from workbench.progress import CancelCheck, Progress, WorkbenchError, check, never, no_progress
from workbench.ranking import Ranking
from workbench.rules import RuleSet, describe_factor, dump_rules
from workbench.spreadsheet import MAX_WIDTH, safe_cell, uk_date, write_csv
from workbench.validation import unknown_band_warning

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
NUMBER_CELLS, TEXT_CELLS, DATE_CELLS, ANY_CELLS = "number", "text", "date", "any"


def export_ranked_list(
    path,
    wl: WaitingList,
    scenario: Ranking,
    baseline: Ranking,
    rule_set: RuleSet,
    import_info: dict | None,
    *,
    pseudonymise: bool = False,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> int:
    """Write the list in ``scenario`` order to ``path`` (.xlsx or .csv); returns the rows written.

    ``import_info`` is the workspace's import record (file name, sha256,
    import time, census date...). ``pseudonymise`` leaves out NHS number,
    date of birth, postcode and the source columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{path.name}: the ranked list can be exported to a .xlsx or .csv file only")
    if suffix == ".xlsx" and len(wl) > EXCEL_MAX_ROWS:
        raise WorkbenchError(f"{path.name}: {len(wl):,} rows do not fit in an Excel sheet; export to .csv instead")
    columns = ranked_columns(wl, scenario, baseline, rule_set, pseudonymise)
    chunks = _chunks(columns, scenario.order, progress, cancelled)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if suffix == ".csv":
            rows = (row for chunk in chunks for row in zip(*chunk))
            written = write_csv(partial, [header for header, _, _ in columns], rows)
        else:
            provenance = _provenance(wl, import_info, pseudonymise)
            written = _write_workbook(partial, columns, chunks, rule_set, baseline.rule_set, provenance)
        os.replace(partial, path)
    except OSError as error:
        raise WorkbenchError(f"{path.name}: could not write the file ({error.strerror or error}); "
                             "is it open in another program?") from None
    finally:
        partial.unlink(missing_ok=True)
    progress(1.0, f"Exported {written:,} rows")
    return written


def _write_workbook(path: Path, columns, chunks, rule_set: RuleSet, baseline_rules: RuleSet, provenance) -> int:
    with _Workbook(path) as book:
        written = book.add_columns("Ranked list", [(header, kind) for header, kind, _ in columns], chunks)
        book.add_table("Rules", ["Item", "Value"], _rules_items(rule_set, baseline_rules))
        book.add_table("Provenance", ["Item", "Value"], provenance)
    return written


def ranked_columns(
    wl: WaitingList, scenario: Ranking, baseline: Ranking, rule_set: RuleSet, pseudonymise: bool = False
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
    columns += _field_columns(wl, pseudonymise)
    if not pseudonymise:
        columns += [(f"Source: {header}", TEXT_CELLS, _cells(values)) for header, values in wl.source.items()]
    return columns


def _field_columns(wl: WaitingList, pseudonymise: bool) -> list[Column]:
    names = [name for name in FIELD_KINDS if name in wl.columns] + [n for n in wl.columns if n not in FIELD_KINDS]
    if pseudonymise:
        names = [name for name in names if name not in IDENTIFYING_FIELDS]
    kinds = {DATE: DATE_CELLS, NUMBER: NUMBER_CELLS, FLAG: NUMBER_CELLS}
    return [
        (field_label(name), kinds.get(FIELD_KINDS.get(name), TEXT_CELLS), _field_cells(name, wl.columns[name]))
        for name in names
    ]


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


def _rules_items(rule_set: RuleSet, baseline_rules: RuleSet) -> list[tuple[str, Any]]:
    bands = rule_set.bands
    overlaps = [f"{name}: {weeks:g} weeks-equivalent" for name, weeks in zip(bands.names, bands.overlap_weeks) if weeks]
    cap = rule_set.social_cap_weeks
    items = [
        ("Rule set", rule_set.name),
        ("Version", rule_set.version),
        ("Author", rule_set.author),
        ("Description", rule_set.description),
        ("Rationale", rule_set.rationale.strip()),
        ("Bands, most urgent first", ", ".join(bands.names)),
        ("Band overlaps", "; ".join(overlaps) if overlaps else "none: no one moves across a band"),
        ("Social cap", "none" if cap is None else f"{cap:g} weeks-equivalent"),
    ]
    items += [(f"Factor: {factor.name}", describe_factor(factor)) for factor in rule_set.factors]
    items += [
        ("Rule set sha256", rule_set.sha256),
        ("Compared with", baseline_rules.name),
        ("Baseline sha256", baseline_rules.sha256),
        ("Rule set file (TOML)", dump_rules(rule_set)),
    ]
    return items


def _provenance(wl: WaitingList, info: dict | None, pseudonymise: bool) -> list[tuple[str, Any]]:
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
        ("Rows exported", len(wl)),
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


# ---------------------------------------------------------------------------
# A small, fast xlsx writer.
#
# openpyxl without lxml (not a dependency) serialises about 70,000 cells a
# second: a 100k-row ranked list took over 30 s. Writing the sheet XML
# directly is ten times faster. Sheets look like spreadsheet.write_table's:
# bold frozen header, auto-filter, widths from the first rows, dates
# dd/mm/yyyy, and every value through safe_cell (no formulas, ever).
# Cells leave out their optional "A1" reference (ECMA-376 18.3.1.4): a row
# lists every column in order, empty ones as <c/>; Excel, LibreOffice,
# openpyxl and calamine read cells by position.

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EXCEL_EPOCH = date(1899, 12, 30)
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STYLE_DATE, STYLE_HEADER, STYLE_DATE_TIME, STYLE_WRAPPED = 1, 2, 3, 4
EMPTY_CELL = "<c/>"  # holds a column's place: cells carry no reference
# Text needing no escaping, no wrapping and no preserved spaces at either end.
PLAIN_TEXT = re.compile(r'(?!\s)[^&<>"\x00-\x1f\ufffe\uffff]*(?<!\s)')
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN_NS}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


class _Workbook:
    """Writes sheets straight into an xlsx (zip) file; use as a context manager.

    Invariant: the parts that list the sheets are written on a clean exit
    only, so a failed export never leaves a file that opens half-written.
    """

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: list[tuple[str, str]] = []  # name, filter range

    def __enter__(self) -> "_Workbook":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self._write_package()
        self.zip.close()

    def add_table(self, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """A small sheet given row by row (Rules, Provenance); returns rows written."""
        rows = [list(row) for row in rows]
        chunks = [[list(column) for column in zip(*rows)]] if rows else []
        return self.add_columns(name, [(header, ANY_CELLS) for header in headers], chunks)

    def add_columns(self, name: str, columns: Sequence[tuple[str, str]], chunks: Iterable[list[list]]) -> int:
        """A sheet from column-wise chunks, with a bold frozen header, a filter and fitted widths."""
        letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        chunks = iter(chunks)
        first = next(chunks, None)
        written = 0
        with self.zip.open(f"xl/worksheets/sheet{len(self.sheets) + 1}.xml", "w") as part:
            part.write(_sheet_start(_widths([h for h, _ in columns], first)).encode("utf-8"))
            header = "".join(_text_cell(h, header=True) for h, _ in columns)
            part.write(f'<row r="1">{header}</row>'.encode("utf-8"))
            for chunk in chain([first], chunks) if first is not None else ():
                part.write(_rows_xml(written + 2, [kind for _, kind in columns], chunk).encode("utf-8"))
                written += len(chunk[0]) if chunk else 0
            last_column = letters[-1] if letters else "A"
            part.write(f'</sheetData><autoFilter ref="A1:{last_column}{written + 1}"/></worksheet>'.encode("utf-8"))
        self.sheets.append((name, f"$A$1:${last_column}${written + 1}"))
        return written

    def _write_package(self) -> None:
        count = len(self.sheets)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        self.zip.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheet_types}</Types>"))
        self.zip.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_REL_NS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        self.zip.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(count))
        self.zip.writestr("xl/workbook.xml", _workbook_xml(self.sheets))
        self.zip.writestr("xl/styles.xml", STYLES)


def _workbook_rels(count: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{kind}/styles" Target="styles.xml"/>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{PACKAGE_REL_NS}">{sheets}{styles}</Relationships>')


def _workbook_xml(sheets: list[tuple[str, str]]) -> str:
    listed = "".join(
        f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_escape(_quoted_sheet(name))}!{ref}</definedName>"
        for i, (name, ref) in enumerate(sheets)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{listed}</sheets>'
            f"<definedNames>{filters}</definedNames></workbook>")


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _sheet_start(widths: list[int]) -> str:
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{min(MAX_WIDTH, width + 2)}" customWidth="1"/>'
        for i, width in enumerate(widths, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + columns + "</cols>" if columns else ""}<sheetData>'
    )


def _widths(headers: Sequence[str], first_chunk: list[list] | None) -> list[int]:
    """Characters per column: the longest header or value among the first rows (dates: 10)."""
    widths = [len(str(h)) for h in headers]
    for i, values in enumerate(first_chunk or []):
        for value in map(safe_cell, values[:200]):
            shown = 10 if isinstance(value, date) else len(str(value).split("\n")[0]) if value is not None else 0
            widths[i] = max(widths[i], shown)
    return widths


def _rows_xml(first_row: int, kinds: list[str], chunk: list[list]) -> str:
    """XML for a chunk of rows, formatted a column at a time (much faster than cell by cell)."""
    count = len(chunk[0]) if chunk else 0
    opening = [f'<row r="{number}">' for number in range(first_row, first_row + count)]
    cells = [_column_xml(kind, values) for kind, values in zip(kinds, chunk)]
    return "".join(chain.from_iterable(zip(opening, *cells, ["</row>"] * count)))


def _column_xml(kind: str, values: list) -> list[str]:
    """Cell XML for one column. Cells carry no reference: each row holds every column in order."""
    if kind == NUMBER_CELLS:
        # v - v == 0 only for finite numbers; anything else takes the general path.
        return [f"<c><v>{v!r}</v></c>" if type(v) in (int, float) and v - v == 0 else _cell_xml(v) for v in values]
    if kind in (TEXT_CELLS, DATE_CELLS):
        # Most text and date columns repeat a few values: format each one once.
        formatted = {value: _text_cell(value) if type(value) is str else _cell_xml(value) for value in set(values)}
        return [formatted[value] for value in values]
    return [_cell_xml(value) for value in values]


def _cell_xml(value: Any) -> str:
    """One cell of any kind; text goes through safe_cell, so nothing can run as a formula."""
    value = safe_cell(value)  # NumPy scalars, NaN and NaT become plain values or None
    if value is None:
        return EMPTY_CELL
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f"<c><v>{value!r}</v></c>" if math.isfinite(value) else EMPTY_CELL
    if isinstance(value, datetime):
        days = (value - datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c s="{STYLE_DATE_TIME}"><v>{days!r}</v></c>'
    if isinstance(value, date):
        return f'<c s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    return _text_cell(safe_cell(str(value)))


def _text_cell(text: str, header: bool = False) -> str:
    """An inline text cell: escaped, illegal XML characters replaced, wrapped if it has several lines."""
    text = safe_cell(text)
    if not text:
        return EMPTY_CELL
    style = f' s="{STYLE_HEADER}"' if header else ""
    if PLAIN_TEXT.fullmatch(text) and len(text) <= MAX_CELL_TEXT:
        return f'<c t="inlineStr"{style}><is><t>{text}</t></is></c>'  # the common case: nothing to escape
    text = XML_ILLEGAL.sub("\ufffd", text[:MAX_CELL_TEXT])
    if "\n" in text and not header:
        style = f' s="{STYLE_WRAPPED}"'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"{style}><is><t{space}>{_escape(text)}</t></is></c>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
