"""A big sheet read in pieces gives exactly what reading it whole gives.

The pieces are made tiny here (a couple of kB), so small real workbooks are cut
into dozens of pieces and every boundary case falls across a cut.
"""

import re
import threading
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import python_calamine

from workbench.read import sheet_pieces, workbooks
from workbench.report import xlsx
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.read.readers import preview, read_table


@pytest.fixture
def tiny_pieces(monkeypatch):
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 2000)
    monkeypatch.setattr(sheet_pieces, "READ_BYTES", 512)
    monkeypatch.setattr(sheet_pieces, "HEAD_BYTES", 4096)
    monkeypatch.setattr(workbooks, "WORKBOOK_BLOCK_ROWS", 37)


def pieces_parsed(monkeypatch) -> list:
    """Count the pieces parsed from now on."""
    parsed, parse = [], sheet_pieces._parse
    monkeypatch.setattr(sheet_pieces, "_parse", lambda piece, name: parsed.append(name) or parse(piece, name))
    return parsed


def read_whole_and_in_pieces(monkeypatch, path, **options):
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 10**12)
    whole = read_table(path, **options)
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    parsed = pieces_parsed(monkeypatch)
    pieced = read_table(path, **options)
    return whole, pieced, len(parsed)


def as_plain(table):
    return (table.headers, [c.tolist() for c in table.columns], table.header_row, table.rows_read,
            table.blank_rows, table.source_line.tolist(), table.sheet)


def messy_rows():
    """Title rows, gaps of blank rows, a long run with column A empty, one huge cell, all cell types."""
    rows = [["Waiting list extract"], [], ["Pathway ID", "NHS Number", "Referral", "Seen", "Priority", "Notes"]]
    for i in range(400):
        pathway = None if 100 <= i < 180 else f"PW{i:05d}"  # 80 rows without column A: whole pieces
        rows.append([pathway, 9434765919 + i, date(2024, 1 + i % 12, 1 + i % 28),
                     datetime(2024, 5, 1, 9, 30) if i % 7 == 0 else None, i % 3 == 0, f"note {i}" if i % 5 else None])
        if i % 90 == 89:
            rows.extend([[]] * 30)  # 30 blank rows: a gap in the row numbers
        if 200 <= i < 300:
            rows.append([])  # a blank row after each: every cut between pieces falls on a gap
    rows.append([f"PW{999:05d}", None, None, None, None, "x" * 6000])  # one row bigger than a piece
    return rows


def openpyxl_workbook(path, rows, title="PTL"):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_sheet_read_in_pieces_equals_the_sheet_read_whole(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path, sheet="PTL")
    assert pieces > 20
    assert as_plain(pieced) == as_plain(whole)
    assert whole.rows_read == 401 and whole.blank_rows == 220
    assert whole.column("Pathway ID")[100:180].tolist() == [None] * 80
    assert len(whole.column("Notes")[-1]) == 6000


def test_a_sheet_starting_in_column_c_reads_the_same_in_pieces(tmp_path, monkeypatch, tiny_pieces):
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate([["Pathway ID", "Priority", None]] + [[f"PW{i}", "P2", None] for i in range(300)], 1):
        for c, value in enumerate(row, 3):
            sheet.cell(r, c, value)
    sheet.cell(302, 5, "stray")  # under a column with no header
    path = tmp_path / "offset.xlsx"
    book.save(path)
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path)
    assert pieces > 5 and as_plain(pieced) == as_plain(whole)
    # Columns are counted from A, as Excel shows them: the stray value is under column E.
    assert whole.headers == ["Pathway ID", "Priority", "Column 5"]


def test_shared_strings_and_a_sheet_part_named_from_the_package_root(tmp_path, monkeypatch, tiny_pieces):
    texts = ["Pathway ID", "Priority", "P2", "P3"] + [f"PW{i}" for i in range(300)]
    cells = [[0, 1]] + [[4 + i, 2 + i % 2] for i in range(300)]
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{"AB"[c]}{r}" t="s"><v>{v}</v></c>' for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(cells, 1))
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/data/list.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
        "xl/workbook.xml": f'<workbook {main} '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="List" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId7" Target="/xl/data/list.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId8" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst {main}>' + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>",
        "xl/data/list.xml": f'<worksheet {main}><dimension ref="A1:B301"/><sheetData>{rows}</sheetData></worksheet>',
    }
    path = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    # Pieces that repeat the shared strings are only made if they are small beside each piece.
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    assert sheet_pieces.pieced_sheet(path, "List", iter) is None
    monkeypatch.setattr(sheet_pieces, "PIECE_TO_SHARED_STRINGS", 0)
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path)
    assert pieces > 5 and as_plain(pieced) == as_plain(whole)
    assert whole.column("Pathway ID")[-1] == "PW299" and whole.column("Priority")[:2].tolist() == ["P2", "P3"]


def test_our_own_exports_whose_cells_carry_no_reference_read_the_same_in_pieces(tmp_path, monkeypatch, tiny_pieces):
    path = tmp_path / "export.xlsx"
    with xlsx.XlsxWriter(path) as book:
        book.add_table("Ranked list", ["Rank", "Pathway ID", "Clock start"],
                       [[i, f"PW{i}", date(2023, 1 + i % 12, 1)] for i in range(1, 400)])
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path)
    assert pieces > 5 and as_plain(pieced) == as_plain(whole)
    assert whole.rows_read == 399


def test_rows_without_numbers_are_read_whole_from_there(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", [["Pathway ID", "Priority"]] + [[f"PW{i}", "P2"] for i in range(300)])
    # Take the row and cell references off rows 102 to 200 (some writers never write them).
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    head, cut, tail = parts[sheet].partition(b'<row r="101"')
    middle, cut_again, tail = tail.partition(b'<row r="201"')
    middle = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", middle.replace(b'<row r="', b'<row spans="1:2" x="'))
    parts[sheet] = head + cut + middle + cut_again + tail
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path, sheet="PTL")
    assert pieces > 1 and as_plain(pieced) == as_plain(whole)


def test_a_piece_that_fails_to_parse_leaves_the_rest_to_the_whole_sheet(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    whole = read_table(path, sheet="PTL")  # (the pieces are below the size read in pieces by default)
    parse, count = sheet_pieces._parse, []

    def failing_fifth(piece, name):
        count.append(1)
        if len(count) == 5:
            raise python_calamine.CalamineError("damaged piece")
        return parse(piece, name)

    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "_parse", failing_fifth)
    assert as_plain(read_table(path, sheet="PTL")) == as_plain(whole)
    assert len(count) >= 5


def test_cancel_stops_the_pieces_and_their_threads(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    parsed = pieces_parsed(monkeypatch)
    seen = []
    with pytest.raises(Cancelled):
        read_table(path, sheet="PTL", progress=lambda f, m: seen.append(f), cancelled=lambda: len(seen) > 2)
    assert not [t for t in threading.enumerate() if t.name.startswith("sheet-piece")]
    everything = len(parsed)
    parsed.clear()
    read_table(path, sheet="PTL")
    assert everything < len(parsed)  # cancelled before every piece was parsed


def test_progress_moves_piece_by_piece(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    seen = []
    read_table(path, sheet="PTL", progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and len(seen) > 10 and seen[-1] == 1.0


def test_a_preview_parses_only_the_first_pieces(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    parsed = pieces_parsed(monkeypatch)
    table = preview(path, "PTL", rows=5)
    assert table.column("Pathway ID").tolist() == [f"PW{i:05d}" for i in range(5)]
    previewed = len(parsed)  # the 55 rows looked at (header search and preview), and one more piece
    read_table(path, "PTL")
    assert previewed <= 5 and 5 * previewed < len(parsed) - previewed
    assert not [t for t in threading.enumerate() if t.name.startswith("sheet-piece")]


def test_a_stray_cell_far_out_is_refused_before_any_piece_is_laid_out(tmp_path, monkeypatch, tiny_pieces):
    rows = messy_rows()
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", rows)
    book = openpyxl.load_workbook(path)
    book["PTL"]["XFD1048576"] = "stray"
    book.save(path)
    monkeypatch.setattr(sheet_pieces, "PIECES_ABOVE_BYTES", 0)
    parsed = pieces_parsed(monkeypatch)
    with pytest.raises(WorkbenchError, match="ptl.xlsx: sheet 'PTL' has cells out to XFD1048576"):
        read_table(path, sheet="PTL")
    assert len(parsed) > 20  # the pieces before it were read; the one holding it was refused


def test_the_extent_of_a_sheet_is_found_from_its_cell_references():
    extent = sheet_pieces.Extent()
    xml = b'<row r="7"><c r="C7" t="s"><v>1</v></c><c r="AB12"/></row><row r="1048576"><c s="1" r="XFD1048576"/>'
    for start in range(0, len(xml), 5):  # a reference may straddle two blocks
        extent.add(xml[start : start + 5])
    extent.add(b"", final=True)
    assert (extent.first_row, extent.last_row, extent.first_column, extent.last_column) == (7, 1048576, 3, 16384)
    assert extent.grid_cells == (1048576 - 7 + 1) * (16384 - 3 + 1)


def test_excel_error_cells_read_the_same_in_pieces_and_whole(tmp_path, monkeypatch, tiny_pieces):
    path = openpyxl_workbook(tmp_path / "ptl.xlsx", messy_rows())
    book = openpyxl.load_workbook(path)
    for ref, error in (("E10", "#N/A"), ("B250", "#REF!"), ("F401", "#DIV/0!")):
        book["PTL"][ref].value = error
        book["PTL"][ref].data_type = "e"
    book.save(path)
    whole, pieced, pieces = read_whole_and_in_pieces(monkeypatch, path, sheet="PTL")
    assert pieces > 20 and as_plain(pieced) == as_plain(whole)
    assert whole.column("Priority").tolist().count("#N/A") == 1 and "#REF!" in whole.column("NHS Number").tolist()
