"""The whole import, end to end on small real files: nothing lost, atomic, explainable."""

import csv
import json
from datetime import date

import numpy as np
import pytest
from openpyxl import Workbook

from workbench.cli import main
from workbench.store.importer import import_file
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.store.workspace import Workspace
from workbench.view.columns import shown_columns
from workbench.view.filters import ListIndex

HEADERS = ["Pathway ID", "NHS Number", "Specialty", "Priority", "RTT Clock Start", "Date of Birth", "Ethnicity", "LSOA", "Carer"]
ROWS = [
    ["0001", "943 476 5919", "110", "P2", "01/03/2025", "14/07/1950", "A", "E01000001", "Y"],
    ["0002", "9434765918", "110", "P 3", "2025-06-30", "01/01/1980", "H", "E01000002", "N"],
    ["0002", "9876543210", "101", "urgent", "", "05/05/2001", "99", "E99999999", ""],
    ["0004", "4000000632", "101", "", "01/01/1900", "05/05/2001", "Z", "", "Y"],
]


def write_csv(path, headers=HEADERS, rows=ROWS, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@pytest.fixture
def list_csv(tmp_path):
    return write_csv(tmp_path / "list.csv")


def test_every_row_read_is_stored_and_checked(list_csv, tmp_path):
    result = import_file(list_csv, tmp_path / "ws.sqlite", census_date=date(2026, 11, 1))
    assert (result.rows_read, result.rows_stored) == (4, 4)
    assert result.findings["nhs_number_invalid"] == 1
    assert result.findings["duplicate_pathway"] == 2
    assert result.findings["missing_wait_start"] == 1
    assert result.findings["implausible_date"] == 1
    assert result.findings["unknown_priority"] == 1
    assert result.findings["missing_priority"] == 1
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        wl = ws.load_list()
        assert wl.columns["pathway_id"].tolist() == ["0001", "0002", "0002", "0004"]
        assert wl.columns["clinical_priority"].tolist() == ["P2", "P3", None, None]
        assert wl.columns["nhs_number"][0] == "9434765919"
        assert wl.source["Priority"].tolist() == ["P2", "P 3", "urgent", None]  # raw text kept
        assert wl.columns["wait_start"][1] == np.datetime64("2025-06-30")
        assert wl.columns["weeks_waited"][0] == pytest.approx((date(2026, 11, 1) - date(2025, 3, 1)).days / 7)
        assert ws.import_record()["rows_stored"] == 4
        assert ws.import_record()["mapping"]["wait_start"] == "RTT Clock Start"


def test_census_date_comes_from_the_file_when_not_given(tmp_path):
    rows = [r + ["31/10/2026"] for r in ROWS]
    path = write_csv(tmp_path / "census.csv", HEADERS + ["Census Date"], rows)
    result = import_file(path, tmp_path / "ws.sqlite")
    assert result.census_date == date(2026, 10, 31)


def test_missing_required_column_is_a_clear_error_and_no_workspace_is_left(tmp_path):
    path = write_csv(tmp_path / "nostart.csv", ["Pathway ID", "Priority"], [["1", "P2"]])
    with pytest.raises(WorkbenchError, match="nostart.csv: no column found for wait_start"):
        import_file(path, tmp_path / "ws.sqlite")
    assert not (tmp_path / "ws.sqlite").exists()


def test_cancel_mid_import_leaves_the_previous_list(list_csv, tmp_path):
    workspace = tmp_path / "ws.sqlite"
    import_file(list_csv, workspace, census_date=date(2026, 11, 1))
    bigger = write_csv(tmp_path / "bigger.csv", rows=ROWS * 50)
    seen = []
    with pytest.raises(Cancelled):
        import_file(bigger, workspace, progress=lambda f, m: seen.append(f), cancelled=lambda: bool(seen) and seen[-1] > 0.6)
    with Workspace.open(workspace) as ws:
        assert len(ws.load_list()) == 4
        assert len(ws.import_history()) == 1


def test_map_option_overrides_detection(tmp_path):
    headers = ["Ref", "Clock", "Priority"]
    path = write_csv(tmp_path / "odd.csv", headers, [["A1", "01/02/2026", "P3"]])
    out = tmp_path / "ws.sqlite"
    assert main(["import", str(path), "--workspace", str(out), "--map", "pathway_id=Ref", "--map", "wait_start=Clock", "--json"]) == 0
    with Workspace.open(out) as ws:
        assert ws.load_list().columns["pathway_id"].tolist() == ["A1"]


def test_cli_import_prints_counts_as_json(list_csv, tmp_path, capsys):
    code = main(["import", str(list_csv), "--workspace", str(tmp_path / "ws.sqlite"), "--census-date", "2026-11-01", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["rows_read"] == report["rows_stored"] == 4
    assert report["findings"]["duplicate_pathway"] == 2


def test_cli_bad_input_is_one_line_exit_2_and_workspace_unchanged(list_csv, tmp_path, capsys):
    workspace = tmp_path / "ws.sqlite"
    import_file(list_csv, workspace, census_date=date(2026, 11, 1))
    before = workspace.read_bytes()
    (tmp_path / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    for bad in ["missing.csv", "corrupt.xlsx"]:
        assert main(["import", str(tmp_path / bad), "--workspace", str(workspace)]) == 2
        error = capsys.readouterr().err.strip()
        assert bad in error and "Traceback" not in error and len(error.splitlines()) == 1
    assert workspace.read_bytes() == before


def test_xlsx_with_title_rows_and_numeric_nhs_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Waiting list extract"])
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(["0001", 9434765919, 110, "P2", date(2025, 3, 1), date(1950, 7, 14), "A", "E01000001", "Y"])
    book.save(tmp_path / "list.xlsx")
    result = import_file(tmp_path / "list.xlsx", tmp_path / "ws.sqlite", census_date=date(2026, 11, 1))
    assert result.rows_stored == 1 and "nhs_number_invalid" not in result.findings
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        wl = ws.load_list()
        assert wl.columns["pathway_id"][0] == "0001"
        assert wl.columns["wait_start"][0] == np.datetime64("2025-03-01")


def test_pseudonymise_replaces_nhs_numbers_and_drops_names(tmp_path):
    rows = [r + ["Jane Smith"] for r in ROWS]
    path = write_csv(tmp_path / "named.csv", HEADERS + ["Patient Name"], rows)
    result = import_file(path, tmp_path / "ws.sqlite", pseudonymise=True, census_date=date(2026, 11, 1))
    assert result.dropped_columns == ["Date of Birth", "Patient Name"]  # (age stays: worked out first)
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        wl = ws.load_list()
        assert "Patient Name" not in wl.source
        assert all(v.startswith("PSN-") for v in wl.columns["nhs_number"])
        stored_text = [v for column in [*wl.source.values(), *wl.columns.values()] if column.dtype == object for v in column]
        details = [d for (d,) in ws.connection.execute("SELECT detail FROM findings")]
        for real in ("9434765919", "9434765918"):
            assert not any(v and real in v for v in stored_text + details)
        assert ws.import_record()["file_path"] is None


def test_validation_worklist_names_the_line_in_the_file(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "gaps.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n\nA1,01/03/2025,urgent\n", encoding="utf-8")
    workspace = tmp_path / "ws.sqlite"
    import_file(path, workspace, census_date=date(2026, 11, 1))
    assert main(["validate", "--workspace", str(workspace), "--out", str(tmp_path / "worklist.xlsx")]) == 0
    rows = list(load_workbook(tmp_path / "worklist.xlsx")["Worklist"].iter_rows(values_only=True))
    line = rows[0].index("Line in file")
    assert {row[line] for row in rows[1:]} == {3}  # the header is line 1, a blank line 2


def test_a_mapped_column_that_is_nearly_empty_is_a_warning_in_the_result(tmp_path):
    headers = ["Pathway ID", "RTT Clock Start", "Ethnicity", "TCI Date"]
    rows = [[f"P{i}", "01/03/2026", "A" if i == 0 else "", ""] for i in range(40)]
    result = import_file(write_csv(tmp_path / "list.csv", headers, rows), tmp_path / "ws.sqlite", census_date=date(2026, 11, 1))
    assert result.warnings[-1] == ("Column 'Ethnicity' (used for ethnic_category) has no value in 97% of rows: "
                                   "check it is the right column.")
    assert not any("TCI Date" in w for w in result.warnings)  # empty on most rows of a good list: no warning


def test_specialty_names_come_from_the_file_else_the_data_dictionary(tmp_path):
    """A PTL naming its specialties beside their codes (a local code too): the list shows the file's names."""
    path = tmp_path / "ptl.csv"
    rows = [["PW1", "110", "T&O (Elective)", "P2", "01/01/2026"], ["PW2", "130", "", "P3", "02/01/2026"],
            ["PW3", "999", "Pain clinic (local)", "P3", "03/01/2026"], ["PW4", "999", "", "P4", "04/01/2026"]]
    write_csv(path, ["Pathway ID", "TFC", "Specialty", "Priority", "RTT Clock Start"], rows)
    import_file(path, tmp_path / "w.sqlite", census_date=date(2026, 3, 31))
    with Workspace.open(tmp_path / "w.sqlite") as workspace:
        wl = workspace.load_list()
    assert wl.columns["specialty_name"].tolist() == ["T&O (Elective)", "Ophthalmology", "Pain clinic (local)",
                                                      "Pain clinic (local)"]
    assert "specialty_description" not in shown_columns(wl)  # shown once, as the specialty's name
    assert ListIndex(wl).choice_labels("specialty")["999"] == "999 Pain clinic (local)"
