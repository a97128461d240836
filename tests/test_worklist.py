"""The validation worklist workbook and CSV."""

import csv
import datetime

import numpy as np
import openpyxl
import pytest

from workbench.report import worklist
from workbench.fields import WaitingList
from workbench.progress import Cancelled
from workbench.errors import FINDING_CODES, Finding, WorkbenchError

CENSUS = datetime.date(2026, 11, 1)


def small_list():
    return WaitingList(
        row_id=np.array([1, 2, 3], dtype=np.int64),
        columns={
            "pathway_id": np.array(["PW-1", "=HYPERLINK(\"x\")", "PW-3"], dtype=object),
            "nhs_number": np.array(["9434765919", "9434765918", None], dtype=object),
            "specialty": np.array(["110", "120", "130"], dtype=object),
        },
        census_date=CENSUS,
    )


def small_findings():
    return [
        Finding("nhs_number_invalid", np.array([1, 2]), np.array(["943 476 5918 has the wrong check digit", "no NHS number"], dtype=object)),
        Finding("missing_priority", np.array([0]), np.array(["no clinical priority"], dtype=object)),
    ]


IMPORT_INFO = {
    "file_name": "ptl.xlsx",
    "sha256": "ab" * 32,
    "census_date": datetime.date(2026, 11, 1),
    "sheet": "PTL",
    "imported_at": datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.timezone.utc),  # as the workspace keeps it
}


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "worklist.xlsx"
    written = worklist.write_worklist(path, small_list(), small_findings(), IMPORT_INFO)
    assert written == 3
    return openpyxl.load_workbook(path)


def test_sheets_in_order(workbook):
    assert workbook.sheetnames == ["Summary", "Worklist", "About"]


def test_summary_counts_rows_per_finding_in_code_order(workbook):
    rows = list(workbook["Summary"].iter_rows(values_only=True))
    assert rows == [
        ("Finding", "Description", "Rows affected"),
        ("nhs_number_invalid", FINDING_CODES["nhs_number_invalid"], 2),
        ("missing_priority", FINDING_CODES["missing_priority"], 1),
    ]


def test_worklist_headers_and_a_row(workbook):
    rows = list(workbook["Worklist"].iter_rows(values_only=True))
    assert rows[0] == worklist.WORKLIST_HEADERS
    assert rows[1] == (2, "'=HYPERLINK(\"x\")", "943 476 5918", "120", "nhs_number_invalid",
                       FINDING_CODES["nhs_number_invalid"], "943 476 5918 has the wrong check digit", None, None, None)
    assert rows[2][2] is None and rows[2][6] == "no NHS number"
    assert rows[3][:2] == (1, "PW-1") and rows[3][4] == "missing_priority"


def test_headers_frozen_and_filtered_on_every_table(workbook):
    for name in ("Summary", "Worklist", "About"):
        assert workbook[name].freeze_panes == "A2"
    assert workbook["Worklist"].auto_filter.ref == "A1:J4"


def test_no_formula_cells_anywhere(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


def test_about_sheet_names_the_file_hash_and_census_date(workbook):
    about = dict(list(workbook["About"].iter_rows(values_only=True))[1:])
    assert about["File"] == "ptl.xlsx"
    assert about["File sha256"] == "ab" * 32
    assert about["Census date"] == "01/11/2026"
    assert about["Rows in the list"] == 3
    assert about["Rows with a finding"] == 3
    assert about["Imported at"].startswith("02/11/2026")


def test_about_sheet_reads_census_dates_stored_as_iso_text(tmp_path):
    path = tmp_path / "iso.xlsx"
    worklist.write_worklist(path, small_list(), [], {"census_date": "2026-10-31", "imported_at": "2026-11-02T09:30:00"})
    about = dict(list(openpyxl.load_workbook(path)["About"].iter_rows(values_only=True))[1:])
    assert about["Census date"] == "31/10/2026" and about["Imported at"] == "02/11/2026 09:30"


def test_source_lines_add_a_column(tmp_path):
    path = tmp_path / "lines.xlsx"
    worklist.write_worklist(path, small_list(), small_findings(), source_line=np.array([5, 6, 8]))
    rows = list(openpyxl.load_workbook(path)["Worklist"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Row", "Line in file")
    assert rows[1][:2] == (2, 6)


def test_no_findings_still_writes_headers(tmp_path):
    path = tmp_path / "clean.xlsx"
    assert worklist.write_worklist(path, small_list(), []) == 0
    book = openpyxl.load_workbook(path)
    assert list(book["Worklist"].iter_rows(values_only=True)) == [worklist.WORKLIST_HEADERS]
    assert dict(list(book["About"].iter_rows(values_only=True))[1:])["Census date"] == "01/11/2026"


def test_long_worklists_continue_on_a_second_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(worklist, "ROWS_PER_SHEET", 2)
    path = tmp_path / "long.xlsx"
    assert worklist.write_worklist(path, small_list(), small_findings()) == 3
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Worklist", "Worklist 2", "About"]
    assert [r[0] for r in book["Worklist 2"].iter_rows(values_only=True)] == ["Row", 1]


def test_cancel_stops_the_export(tmp_path):
    with pytest.raises(Cancelled):
        worklist.write_worklist(tmp_path / "x.xlsx", small_list(), small_findings(), cancelled=lambda: True)


def test_csv_worklist(tmp_path):
    path = tmp_path / "worklist.csv"
    assert worklist.write_worklist_csv(path, small_list(), small_findings(), IMPORT_INFO) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(worklist.WORKLIST_HEADERS)
    assert rows[1][:3] == ["2", "'=HYPERLINK(\"x\")", "943 476 5918"]
    assert len(rows) == 4


def test_a_worklist_that_cannot_be_written_is_a_plain_error_and_leaves_nothing(tmp_path):
    blocked = tmp_path / "worklist.xlsx"
    blocked.mkdir()  # a folder where the file should go: the replace fails, as for a file open in Excel
    wl = WaitingList(row_id=np.arange(1, 2), columns={"pathway_id": np.array(["P1"], dtype=object)})
    with pytest.raises(WorkbenchError, match="worklist.xlsx: could not write the worklist"):
        worklist.write_worklist(blocked, wl, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["worklist.xlsx"]


def test_long_tables_are_written_a_chunk_at_a_time(tmp_path, monkeypatch):
    from workbench.report import xlsx

    monkeypatch.setattr(xlsx, "TABLE_CHUNK_ROWS", 2)
    pulled, pulled_when_written = [], []
    real_rows_xml = xlsx._rows_xml

    def rows_xml(first_row, kinds, chunk):
        pulled_when_written.append(len(pulled))
        return real_rows_xml(first_row, kinds, chunk)

    monkeypatch.setattr(xlsx, "_rows_xml", rows_xml)

    def rows():
        for i in range(5):
            pulled.append(i)
            yield [f"P{i}", i]

    with xlsx.XlsxWriter(tmp_path / "table.xlsx") as book:
        assert book.add_table("Table", ["Pathway", "Number"], rows()) == 5
    # Each chunk is written before the next rows are asked for: a long worklist is
    # never all in memory, and its progress is reported while it is written.
    assert pulled_when_written == [2, 4, 5]
    sheet = openpyxl.load_workbook(tmp_path / "table.xlsx")["Table"]
    assert list(sheet.iter_rows(values_only=True)) == [("Pathway", "Number")] + [(f"P{i}", i) for i in range(5)]
