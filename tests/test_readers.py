"""Reading files into text columns: CSV shapes and encodings, workbooks, bad files."""

import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import python_calamine

from workbench.read import csv_files, decoding, file_kinds, table, workbooks
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.read.readers import list_sheets, preview, read_table

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def values(table):
    return {h: c.tolist() for h, c in zip(table.headers, table.columns)}


def workbook(tmp_path, name="list.xlsx", sheets=None):
    """An xlsx with the given {sheet name: rows}; None cells stay empty."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (sheets or {}).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


# --- CSV ------------------------------------------------------------------------


def test_csv_values_stay_text_with_leading_zeros(tmp_path):
    path = write(tmp_path, "list.csv", "Pathway ID,NHS Number,Age\n0123,9434765919,007\nA2,,   \n")
    table = read_table(path)
    assert table.headers == ["Pathway ID", "NHS Number", "Age"]
    assert values(table) == {"Pathway ID": ["0123", "A2"], "NHS Number": ["9434765919", None], "Age": ["007", None]}
    assert (table.header_row, table.rows_read, table.blank_rows) == (1, 2, 0)
    assert (table.encoding, table.delimiter, table.sheet) == ("utf-8", ",", None)
    assert table.source_line.tolist() == [2, 3]
    assert table.source_line.dtype == np.int64


def test_csv_with_byte_order_mark(tmp_path):
    path = write(tmp_path, "bom.csv", "Pathway ID,Site\nP1,Café\n", encoding="utf-8-sig")
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Pathway ID", "Site"]
    assert values(table)["Site"] == ["Café"]


def test_cp1252_file_falls_back_from_utf8(tmp_path):
    path = write(tmp_path, "legacy.csv", "Name,Cost\nRenée,£5\n", encoding="cp1252")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert values(table) == {"Name": ["Renée"], "Cost": ["£5"]}


def test_utf16_text_as_excel_saves_unicode_text(tmp_path):
    path = write(tmp_path, "unicode.txt", "Name\tCost\nRenée\t£5\n", encoding="utf-16")
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert values(table) == {"Name": ["Renée"], "Cost": ["£5"]}


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [["Pathway ID", "Site", "Notes"], ["P1", "Main", "a, b; c"], ["P2", "North", "x"]]
    text = "\n".join(delimiter.join(f'"{v}"' if "," in v or ";" in v else v for v in row) for row in rows) + "\n"
    table = read_table(write(tmp_path, "list.txt", text))
    assert table.delimiter == delimiter
    assert values(table)["Notes"] == ["a, b; c", "x"]


def test_quoted_fields_keep_line_breaks_and_quotes_and_count_as_one_row(tmp_path):
    text = 'Pathway ID,Notes\nP1,"first line\nsecond ""quoted"" line"\nP2,plain\n'
    table = read_table(write(tmp_path, "notes.csv", text))
    assert values(table)["Notes"] == ['first line\nsecond "quoted" line', "plain"]
    # Row numbers are Excel's: the record with a line break is one row.
    assert table.source_line.tolist() == [2, 3]


def test_ragged_rows_are_padded_and_long_rows_keep_their_extra_cells(tmp_path):
    text = "Pathway ID,Site,Age\nP1,Main\nP2,North,40,late,again\n"
    table = read_table(write(tmp_path, "ragged.csv", text))
    assert table.headers == ["Pathway ID", "Site", "Age", "Column 4", "Column 5"]
    assert values(table)["Age"] == [None, "40"]
    assert values(table)["Column 5"] == [None, "again"]


def test_a_long_row_far_below_the_sample_is_kept(tmp_path):
    lines = ["Pathway ID,Site"] + [f"P{i},Main" for i in range(400)] + ["P400,Main,extra"]
    table = read_table(write(tmp_path, "late.csv", "\n".join(lines) + "\n"))
    assert table.headers == ["Pathway ID", "Site", "Column 3"]
    assert table.rows_read == 401
    assert values(table)["Column 3"][-1] == "extra"


def test_blank_rows_are_skipped_and_counted(tmp_path):
    text = "Pathway ID,Site\nP1,Main\n\n,\n  ,  \nP2,North\n"
    table = read_table(write(tmp_path, "gaps.csv", text))
    assert values(table)["Pathway ID"] == ["P1", "P2"]
    assert (table.rows_read, table.blank_rows) == (2, 3)
    assert table.source_line.tolist() == [2, 6]


def test_title_rows_above_the_header_are_skipped(tmp_path):
    text = "Waiting list extract — run 01/11/2026\nTrust,RXX\n\nPathway ID,Site,Clock Start\nP1,Main,01/03/2024\n"
    table = read_table(write(tmp_path, "titled.csv", text))
    assert table.header_row == 4
    assert table.headers == ["Pathway ID", "Site", "Clock Start"]
    assert table.source_line.tolist() == [5]


def test_header_row_can_be_given(tmp_path):
    text = "Pathway ID,Site\nRef,Where\nP1,Main\n"
    table = read_table(write(tmp_path, "two.csv", text), header_row=2)
    assert table.headers == ["Ref", "Where"]
    assert values(table)["Ref"] == ["P1"]
    with pytest.raises(WorkbenchError, match="two.csv: has no row 9"):
        read_table(tmp_path / "two.csv", header_row=9)


def test_repeated_and_blank_headers_are_made_unique_and_empty_trailing_columns_dropped(tmp_path):
    text = "Site,,Site,Site,,\nA,x,B,C,,\n"
    table = read_table(write(tmp_path, "dupes.csv", text))
    assert table.headers == ["Site", "Column 2", "Site (2)", "Site (3)"]
    assert values(table)["Site (3)"] == ["C"]


def test_headers_only_file_gives_no_rows(tmp_path):
    table = read_table(write(tmp_path, "headers.csv", "Pathway ID,Clock Start\n"))
    assert table.headers == ["Pathway ID", "Clock Start"]
    assert table.rows_read == 0
    assert [len(c) for c in table.columns] == [0, 0]
    assert len(table.source_line) == 0


def test_unclosed_quote_is_reported(tmp_path):
    path = write(tmp_path, "quote.csv", 'Pathway ID,Notes\nP1,"never closed\nP2,x\n')
    with pytest.raises(WorkbenchError, match='quote.csv: a quoted value.*never closed'):
        read_table(path)


def test_preview_reads_only_the_first_rows(tmp_path):
    lines = ["Report", "", "Pathway ID,Site"] + [f"P{i},Main" for i in range(100)]
    path = write(tmp_path, "long.csv", "\n".join(lines) + "\n")
    table = preview(path, rows=5)
    assert table.header_row == 3
    assert values(table)["Pathway ID"] == ["P0", "P1", "P2", "P3", "P4"]
    assert table.source_line.tolist() == [4, 5, 6, 7, 8]


def test_csv_progress_reaches_the_end_and_cancel_stops_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "CSV_CHUNK_ROWS", 10)
    path = write(tmp_path, "chunks.csv", "Pathway ID\n" + "".join(f"P{i}\n" for i in range(50)))
    seen = []
    table = read_table(path, progress=lambda f, m: seen.append(f))
    assert table.rows_read == 50
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 3
    calls = []
    with pytest.raises(Cancelled):
        read_table(path, cancelled=lambda: calls.append(1) or len(calls) > 2)


def test_classic_mac_line_endings_read_like_any_other(tmp_path):
    text = 'Pathway ID,Site,Notes\rP1,Main,"two\rlines"\r\r  ,  ,\rP2, ,x\r'
    table = read_table(write(tmp_path, "mac.csv", text))
    assert table.headers == ["Pathway ID", "Site", "Notes"]
    assert values(table) == {"Pathway ID": ["P1", "P2"], "Site": ["Main", None], "Notes": ["two\rlines", "x"]}
    assert (table.rows_read, table.blank_rows) == (2, 2)
    assert table.source_line.tolist() == [2, 5]


def test_a_mac_file_longer_than_the_sample_loses_no_row(tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "SNIFF_BYTES", 100)  # the sample ends mid-file, at a CR
    lines = ["Title of the extract", "Pathway ID,Site"] + [f"P{i},Main" for i in range(300)]
    table = read_table(write(tmp_path, "long-mac.csv", "\r".join(lines) + "\r"))
    assert table.header_row == 2
    assert table.rows_read == 300 and values(table)["Pathway ID"][-1] == "P299"


def test_a_row_wider_than_any_spreadsheet_is_refused_naming_the_row(tmp_path):
    text = "Pathway ID,Site\nP1,Main\nP2" + "," * 20_000 + "\n"
    with pytest.raises(WorkbenchError, match=r"wide.csv: row 3 has more than 16,384 cells, more than any spreadsheet"):
        read_table(write(tmp_path, "wide.csv", text))


def test_a_too_wide_row_below_the_sample_is_refused_naming_the_row(tmp_path):
    lines = ["Pathway ID,Site"] + [f"P{i},Main" for i in range(400)] + ["P400" + "," * 20_000]
    with pytest.raises(WorkbenchError, match=r"late-wide.csv: row 402 has more than 16,384 cells"):
        read_table(write(tmp_path, "late-wide.csv", "\n".join(lines) + "\n"))


def test_a_row_as_wide_as_a_spreadsheet_allows_is_kept(tmp_path):
    text = "Pathway ID,Site\nP1,Main\nP2," + ",".join(["x"] * (csv_files.MAX_CELLS_PER_ROW - 1)) + "\n"
    table = read_table(write(tmp_path, "widest.csv", text))
    assert len(table.headers) == csv_files.MAX_CELLS_PER_ROW
    assert values(table)["Pathway ID"] == ["P1", "P2"] and table.columns[-1].tolist() == [None, "x"]


def test_thousands_of_repeated_headers_are_numbered_in_order():
    headers = table.unique_headers(["x", "X (2)"] + ["x"] * csv_files.MAX_CELLS_PER_ROW)
    assert headers[:4] == ["x", "X (2)", "x (3)", "x (4)"]
    assert headers[-1] == f"x ({csv_files.MAX_CELLS_PER_ROW + 2})"
    assert len({h.casefold() for h in headers}) == len(headers)


def test_a_row_of_a_million_commas_is_refused_quickly_on_the_command_line(tmp_path):
    path = tmp_path / "million.csv"
    path.write_text("Pathway ID,RTT Clock Start\nP1,01/03/2025\nP2" + "," * 1_000_000 + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "import", str(path), "--workspace", str(tmp_path / "ws.sqlite")],
        capture_output=True, text=True, timeout=20, cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "million.csv: row 3 has more than 16,384 cells" in done.stderr
    assert not (tmp_path / "ws.sqlite").exists()


# --- workbooks ------------------------------------------------------------------


def test_xlsx_title_rows_numbers_and_dates_become_text(tmp_path):
    path = workbook(
        tmp_path,
        sheets={
            "PTL": [
                ["Waiting list extract — run 01/11/2026"],
                [],
                ["Pathway ID", "NHS Number", "Clock Start", "Seen", "Age", "Urgent", "Ratio"],
                ["0123", 9434765919, date(2024, 3, 1), datetime(2024, 3, 1, 14, 30), 42.0, True, 0.25],
                ["0456", 9434765919.0, datetime(2024, 3, 2), None, None, False, 1.5],
            ]
        },
    )
    table = read_table(path)
    assert table.sheet == "PTL" and table.header_row == 3
    assert values(table) == {
        "Pathway ID": ["0123", "0456"],
        "NHS Number": ["9434765919", "9434765919"],
        "Clock Start": ["2024-03-01", "2024-03-02"],
        "Seen": ["2024-03-01 14:30:00", None],
        "Age": ["42", None],
        "Urgent": ["TRUE", "FALSE"],
        "Ratio": ["0.25", "1.5"],
    }
    assert table.source_line.tolist() == [4, 5]
    assert (table.encoding, table.delimiter) == (None, None)


def test_sheets_are_chosen_by_name_or_index_and_default_to_the_first_with_data(tmp_path):
    path = workbook(
        tmp_path,
        sheets={"Notes": [], "PTL": [["Pathway ID"], ["P1"]], "Other": [["Ref"], ["X9"], [None], ["X10"]]},
    )
    assert list_sheets(path) == ["Notes", "PTL", "Other"]
    assert read_table(path).sheet == "PTL"
    other = read_table(path, "Other")
    assert values(other) == {"Ref": ["X9", "X10"]} and other.blank_rows == 1
    assert read_table(path, 2).sheet == "Other"
    assert read_table(path, " other ").sheet == "Other"
    with pytest.raises(WorkbenchError, match="list.xlsx: has no sheet 'Summary'; its sheets are 'Notes', 'PTL', 'Other'"):
        read_table(path, "Summary")
    with pytest.raises(WorkbenchError, match="has no sheet 7"):
        read_table(path, 7)


def test_empty_workbook_is_reported(tmp_path):
    path = workbook(tmp_path, sheets={"Sheet1": []})
    with pytest.raises(WorkbenchError, match="list.xlsx: the workbook is empty"):
        read_table(path)


def test_workbook_preview_and_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "WORKBOOK_BLOCK_ROWS", 7)
    path = workbook(tmp_path, sheets={"PTL": [["Pathway ID"]] + [[f"P{i}"] for i in range(120)]})
    assert values(preview(path, rows=3)) == {"Pathway ID": ["P0", "P1", "P2"]}
    seen = []
    table = read_table(path, progress=lambda f, m: seen.append(f))
    assert table.rows_read == 120 and table.source_line[-1] == 121
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 4
    with pytest.raises(Cancelled):
        read_table(path, cancelled=lambda: True)


def test_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    path = workbook(tmp_path, "export.csv", sheets={"PTL": [["Pathway ID"], ["P1"]]})
    assert values(read_table(path)) == {"Pathway ID": ["P1"]}
    assert list_sheets(path) == ["PTL"]


def test_openpyxl_reads_a_workbook_calamine_cannot(tmp_path, monkeypatch):
    path = workbook(tmp_path, sheets={"PTL": [["Pathway ID", "NHS Number"], ["0123", 9434765919]]})

    def refuse(*args, **kwargs):
        raise python_calamine.CalamineError("unsupported")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    table = read_table(path)
    assert values(table) == {"Pathway ID": ["0123"], "NHS Number": ["9434765919"]}
    assert list_sheets(path) == ["PTL"]


# --- files that cannot be read ------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(WorkbenchError, match="nowhere.csv: the file does not exist"):
        read_table(tmp_path / "nowhere.csv")


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(WorkbenchError, match="is a folder"):
        read_table(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n  \n", ",,,\n,,\n"])
def test_empty_file(tmp_path, content):
    with pytest.raises(WorkbenchError, match="empty.csv: the file is empty"):
        read_table(write(tmp_path, "empty.csv", content))


def test_file_without_a_header_row(tmp_path):
    path = write(tmp_path, "numbers.csv", "1,2,3\n4,5,6\n")
    with pytest.raises(WorkbenchError, match="numbers.csv: no header row found"):
        read_table(path)


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + b"EncryptionInfo" * 10)
    with pytest.raises(WorkbenchError, match="secret.xlsx: is password-protected or encrypted: save an unprotected copy"):
        read_table(path)
    with pytest.raises(WorkbenchError, match="password-protected"):
        list_sheets(path)


@pytest.mark.parametrize(
    "name, content",
    [
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00\x17junk" * 100),
        ("old.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"junk" * 200),
    ],
)
def test_renamed_or_corrupt_binary_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbenchError, match=f"{name}: is not a readable spreadsheet or CSV file"):
        read_table(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(WorkbenchError, match="archive.xlsx: is not a readable spreadsheet"):
        read_table(path)


def test_zip_bomb_shaped_workbook_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024**2))
    with pytest.raises(WorkbenchError, match="bomb.xlsx: would unpack to 30 MB"):
        read_table(path)


def test_workbook_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = workbook(tmp_path, sheets={"PTL": [["Pathway ID"], ["P1"]]})
    monkeypatch.setattr(file_kinds, "MAX_UNCOMPRESSED_BYTES", 100)
    with pytest.raises(WorkbenchError, match="list.xlsx: would unpack to"):
        read_table(path)


def test_workbook_cells_of_equal_value_but_different_type_keep_their_own_text(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Pathway ID", "Flag"])
    for value in [True, 1, 1.5, False, 0, None]:
        sheet.append(["P", value])
    book.save(tmp_path / "types.xlsx")
    assert read_table(tmp_path / "types.xlsx").column("Flag").tolist() == ["TRUE", "1", "1.5", "FALSE", "0", None]


def test_workbook_dates_and_numbers_beside_empty_cells_keep_their_text(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Pathway ID", "TCI Date", "Frailty score"])
    tci = [date(2026, 12, 1), None, date(2026, 12, 1), date(2027, 1, 4), None]
    frailty = [3, 4.5, None, 3, None]
    for i, (when, score) in enumerate(zip(tci, frailty)):
        sheet.append([f"P{i}", when, score])
    book.save(tmp_path / "tci.xlsx")
    table = read_table(tmp_path / "tci.xlsx")
    assert table.column("TCI Date").tolist() == ["2026-12-01", None, "2026-12-01", "2027-01-04", None]
    assert table.column("Frailty score").tolist() == ["3", "4.5", None, "3", None]
    assert_codes_match(table)


# --- columns read as codes ---------------------------------------------------------


def assert_codes_match(table):
    """Every coded column's codes give back exactly its text, with no blank or unused value."""
    coded = 0
    for header, column in zip(table.headers, table.columns):
        known = table.known_codes.of(column)
        if known is None:
            continue
        coded += 1
        codes, distinct = known
        assert np.append(distinct, None)[codes].tolist() == column.tolist(), header
        assert len(set(distinct.tolist())) == len(distinct), header
        assert all(isinstance(d, str) and d.strip() for d in distinct), header
        assert set(codes.tolist()) - {-1} == set(range(len(distinct))), header
    return coded


def test_a_column_read_as_codes_keeps_every_spelling_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "CSV_CHUNK_ROWS", 16)  # chunks below the header, as in a big file
    specialties = ["010", "10", "1.50", "1.5", "", "  ", "110.0"]
    flags = ["TRUE", "true", "True", "FALSE"]  # pandas would make these one True: read again as text
    lines = ["Waiting list extract,,", "Pathway ID,Specialty,Flag"]
    for i in range(70):
        lines.append(f"P{i},{specialties[i % len(specialties)]},{flags[i % len(flags)]}")
        if i == 30:
            lines.append(",,")
    table = read_table(write(tmp_path, "codes.csv", "\n".join(lines) + "\n"))
    wanted = [None if not s.strip() else s for s in specialties]
    assert table.column("Specialty").tolist() == [wanted[i % len(wanted)] for i in range(70)]
    assert table.column("Flag").tolist() == [flags[i % len(flags)] for i in range(70)]
    assert (table.rows_read, table.blank_rows) == (70, 1)
    assert table.source_line[:3].tolist() == [3, 4, 5] and table.source_line[-1] == 73
    assert assert_codes_match(table) >= 1  # the title row's text is not among Specialty's values either
    assert table.known_codes.of(table.column("Specialty")) is not None  # numbers-as-text stay codes
    assert table.known_codes.of(table.column("Flag")) is None  # read again as text


def test_a_list_reads_the_same_with_or_without_codes(tmp_path, monkeypatch):
    from workbench.demo import write_demo_list

    path = tmp_path / "demo.csv"
    write_demo_list(path, rows=400, seed=3)
    with_codes = read_table(path)
    assert assert_codes_match(with_codes) >= 10
    monkeypatch.setattr(csv_files, "_repeating_columns", lambda rows: set())
    as_text = read_table(path)
    assert assert_codes_match(as_text) == 0
    assert values(with_codes) == values(as_text)
    assert with_codes.source_line.tolist() == as_text.source_line.tolist()


def test_workbook_columns_that_repeat_come_with_their_codes(tmp_path):
    rows = [["Pathway ID", "Site", "Seen"]] + [[f"P{i}", ["Main", "North", None, " "][i % 4], date(2024, 3, 1 + i % 3)]
                                            for i in range(40)]
    table = read_table(workbook(tmp_path, sheets={"List": rows}))
    assert table.column("Site").tolist() == [["Main", "North", None, None][i % 4] for i in range(40)]
    assert table.column("Seen").tolist()[:3] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert assert_codes_match(table) == 2
