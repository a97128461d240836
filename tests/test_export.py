"""Exporting the ranked list: xlsx with Rules and Provenance sheets, and CSV."""

import csv
from dataclasses import replace
from datetime import date, datetime, timezone

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbench.report.export import export_ranked_list
from workbench.view.columns import SCORE, column, label
from workbench.report.spreadsheet import rows_as_tsv
from workbench.fields import WaitingList
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.rank.ranking import rank
from workbench.rank.rule_edits import with_weight
from workbench.rank.rule_file import parse_rules
from workbench.store.decisions import LogEntry
from workbench.rank.bundled_rules import treat_in_turn

RULES = parse_rules(
    'name = "Carers first"\nsocial_cap_weeks = 6\n'
    '[[factors]]\nname = "Wait"\nsource = "weeks_waited"\n'
    '[[factors]]\nname = "Carer"\ngroup = "social"\nsource = "Carer"\nweight = 5\n'
)
CENSUS = date(2026, 3, 31)
IMPORT = {
    "file_name": "ptl.csv",
    "sha256": "ab" * 32,
    "sheet": None,
    "rows_read": 4,
    "rows_stored": 3,
    "census_date": CENSUS,
    "imported_at": datetime(2026, 4, 1, 9, 30),
}


@pytest.fixture
def ranked():
    wl = WaitingList(
        row_id=np.array([1, 2, 4]),
        columns={
            "pathway_id": np.array(["P-1", "P-2", "P-3"], dtype=object),
            "nhs_number": np.array(["9434765919", None, "12"], dtype=object),
            "clinical_priority": np.array(["P3", "P3", "P2"], dtype=object),
            "wait_start": np.array(["2025-12-01", "2025-11-01", "NaT"], dtype="datetime64[D]"),
            "date_of_birth": np.array(["1950-06-15", "NaT", "NaT"], dtype="datetime64[D]"),
            "postcode": np.array(["LS1 1AA", None, None], dtype=object),
            "imd_decile": np.array([3.0, np.nan, 10.0]),
            "weeks_waited": np.array([17.28571, 21.71429, np.nan]),
        },
        source={
            "Carer": np.array(["Y", "N", "N"], dtype=object),
            "Notes": np.array(["=HYPERLINK(\"http://x\")", "@SUM(A1)", "bell\x07 and  spaces "], dtype=object),
        },
        census_date=CENSUS,
    )
    return wl, rank(RULES, wl), rank(treat_in_turn(), wl)


def _sheet(path, name):
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_xlsx_ranked_list_in_treatment_order(tmp_path, ranked):
    wl, scenario, baseline = ranked
    path = tmp_path / "ranked.xlsx"
    assert export_ranked_list(path, wl, scenario, baseline, RULES, IMPORT) == 3
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ranked list", "Rules", "Provenance"]
    sheet = book["Ranked list"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:7] == ("New rank", "Baseline rank", "Places moved up", "Band", "Score (weeks-equivalent)",
                          "Wait (weeks-equivalent)", "Carer (weeks-equivalent)")
    record = [dict(zip(header, row)) for row in rows[1:]]
    assert [r["Pathway ID"] for r in record] == ["P-3", "P-1", "P-2"]  # P2 first; the carer passes the longer wait
    assert [r["New rank"] for r in record] == [1, 2, 3]
    assert [r["Baseline rank"] for r in record] == [1, 3, 2]
    assert [r["Places moved up"] for r in record] == [0, 1, -1]
    assert record[1]["Carer (weeks-equivalent)"] == 5 and record[1]["Score (weeks-equivalent)"] == pytest.approx(22.2857)
    assert [r["NHS number"] for r in record] == ["12", "943 476 5919", None]
    assert record[1]["Wait start"] == datetime(2025, 12, 1) and record[0]["Wait start"] is None
    assert record[1]["IMD decile"] == 3 and isinstance(record[1]["IMD decile"], int)
    assert record[1]["Source: Notes"] == "'=HYPERLINK(\"http://x\")"  # shown as text, never run
    assert record[2]["Source: Notes"] == "'@SUM(A1)"
    assert record[0]["Source: Notes"] == "bell\ufffd and  spaces "


def test_xlsx_sheet_has_frozen_header_filter_widths_and_uk_dates(tmp_path, ranked):
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, RULES, IMPORT)
    sheet = openpyxl.load_workbook(path)["Ranked list"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}4"
    assert sheet["A1"].font.b
    date_column = [c.column_letter for c in sheet[1] if c.value == "Wait start"][0]
    assert sheet[f"{date_column}3"].number_format.lower() == "dd/mm/yyyy"
    assert sheet.column_dimensions["E"].width == len("Score (weeks-equivalent)") + 2


def test_rules_and_provenance_sheets(tmp_path, ranked):
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, RULES, IMPORT)
    rules = dict(_sheet(path, "Rules")[1:])
    assert rules["Rule set"] == "Carers first 1" and rules["Rule set sha256"] == RULES.sha256
    assert rules["Compared with"] == "Treat in turn" and rules["Social cap"] == "6 weeks-equivalent"
    assert parse_rules(rules["Rule set file (TOML)"]) == RULES
    provenance = dict(_sheet(path, "Provenance")[1:])
    assert provenance["Source file"] == "ptl.csv" and provenance["Source file sha256"] == "ab" * 32
    assert provenance["Imported at"] == "01/04/2026 09:30"
    assert provenance["Census date"] == datetime(2026, 3, 31)
    assert provenance["Rows exported"] == 3 and provenance["Pseudonymised export"] == "no"


def test_edited_rules_are_named_as_edited_with_their_changes_and_recorded_rationale(tmp_path, ranked):
    """The Rules sheet never shows the original's rationale beside weights it did not choose."""
    original = replace(RULES, rationale="Carers gain 5 weeks: agreed in 2025")
    edited = with_weight(original, "Carer", 2.30436)
    entry = LogEntry(1, datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc), "Dr Okafor", "Rules changed",
                     "Carers wait longer in our audit", edited.sha256, "0" * 64, "1" * 64)
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, edited, IMPORT, log=[entry])
    rules = dict(_sheet(path, "Rules")[1:])
    assert rules["Rule set"] == "Edited from Carers first 1"
    assert rules["Edited from"] == f"Carers first 1 (sha256 {original.sha256})"
    assert rules["Change: Carer, weight"] == "5 → 2.30436"
    assert rules["Rationale for the changes"].startswith("Carers wait longer in our audit (recorded by Dr Okafor, ")
    assert "Rationale" not in rules and "agreed in 2025" not in " ".join(map(str, rules.values()))
    unrecorded = tmp_path / "unrecorded.xlsx"
    export_ranked_list(unrecorded, *ranked, edited, IMPORT)
    assert dict(_sheet(unrecorded, "Rules")[1:])["Rationale for the changes"].startswith("none recorded yet")


def test_xlsx_is_readable_by_calamine(tmp_path, ranked):
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, RULES, None)
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Ranked list").to_python()
    assert rows[0][0] == "New rank" and len(rows) == 4
    assert dict(book.get_sheet_by_name("Provenance").to_python()[1:])["Source file"] == "not recorded"


def read_ranked_csv(path) -> tuple[str, list[dict]]:
    """A ranked CSV's first line (the rules that made the order) and its rows under their headers."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        ranked_by = next(csv.reader(handle))[0]
        return ranked_by, list(csv.DictReader(handle))


def test_csv_export(tmp_path, ranked):
    path = tmp_path / "ranked.csv"
    assert export_ranked_list(path, *ranked, RULES, IMPORT) == 3
    ranked_by, rows = read_ranked_csv(path)
    assert ranked_by.startswith(f"Ranked by {RULES.name}") and f"rule set sha256 {RULES.sha256}" in ranked_by
    assert [r["Pathway ID"] for r in rows] == ["P-3", "P-1", "P-2"]
    assert rows[1]["Wait start"] == "01/12/2025" and rows[1]["Date of birth"] == "15/06/1950"
    assert rows[1]["NHS number"] == "943 476 5919"
    assert rows[1]["Source: Notes"].startswith("'=")


def test_pseudonymised_export_leaves_out_identifiers(tmp_path, ranked):
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, RULES, IMPORT, pseudonymise=True)
    header = _sheet(path, "Ranked list")[0]
    assert "Pathway ID" in header
    for gone in ("NHS number", "Date of birth", "Postcode", "Source: Carer", "Source: Notes"):
        assert gone not in header
    assert dict(_sheet(path, "Provenance")[1:])["Pseudonymised export"].startswith("yes")


def test_progress_is_reported_and_cancel_leaves_no_file(tmp_path, ranked):
    seen = []
    path = tmp_path / "ranked.xlsx"
    export_ranked_list(path, *ranked, RULES, IMPORT, progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 2
    for name in ("cancelled.xlsx", "cancelled.csv"):
        with pytest.raises(Cancelled):
            export_ranked_list(tmp_path / name, *ranked, RULES, IMPORT, cancelled=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranked.xlsx"]


def test_wrong_extension_and_unwritable_place_are_plain_errors(tmp_path, ranked):
    with pytest.raises(WorkbenchError, match="ranked.pdf: the ranked list can be exported to a .xlsx or .csv"):
        export_ranked_list(tmp_path / "ranked.pdf", *ranked, RULES, IMPORT)
    with pytest.raises(WorkbenchError, match="ranked.xlsx: could not write the file"):
        export_ranked_list(tmp_path / "missing-folder" / "ranked.xlsx", *ranked, RULES, IMPORT)


def test_rows_as_tsv_neutralises_formulas_but_not_negative_numbers():
    text = rows_as_tsv(["A", "B"], [lambda i: "-3.5", lambda i: "@SUM(A1)"], np.array([0]))
    assert text.splitlines()[1] == "-3.5\t'@SUM(A1)"


def test_the_export_reads_as_the_list_and_the_ranked_list_do(tmp_path, ranked):
    """One column specification: the export's headers are the labels on screen, its dates and figures
    the texts on screen (view/columns.py), whichever field."""
    wl, scenario, baseline = ranked
    export_ranked_list(tmp_path / "ranked.csv", wl, scenario, baseline, RULES, IMPORT)
    _ranked_by, rows = read_ranked_csv(tmp_path / "ranked.csv")
    first = int(scenario.order[0])
    for key in ("clinical_priority", "wait_start", "nhs_number", "pathway_id"):
        on_screen = column(key).text(wl.columns[key])(first)
        assert rows[0][label(key)] == on_screen, key
    assert rows[0][label(SCORE)] and label(SCORE) == "Score (weeks-equivalent)"


def test_a_ranked_csv_names_edited_rules_with_their_changes_and_reads_back_as_a_list(tmp_path, ranked):
    """The CSV has no Rules sheet: its first line names the rules as the record does, and the workbench
    still reads the file (the line is taken as a title above the headers)."""
    from workbench.store.importer import import_file
    from workbench.store.workspace import Workspace

    wl, scenario, baseline = ranked
    edited = with_weight(RULES, RULES.factors[0].name, 3.5)
    path = tmp_path / "ranked.csv"
    export_ranked_list(path, wl, rank(edited, wl), baseline, edited, IMPORT)
    ranked_by, _rows = read_ranked_csv(path)
    assert ranked_by.startswith(f"Ranked by Edited from {RULES.name}") and "weight: " in ranked_by and "→ 3.5" in ranked_by
    import_file(path, tmp_path / "back.sqlite")
    with Workspace.open(tmp_path / "back.sqlite") as ws:
        assert sorted(ws.load_list().columns["pathway_id"]) == ["P-1", "P-2", "P-3"]
