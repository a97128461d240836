"""Everyday Windows habits (issue 21, problem 8): specialty names wherever a specialty shows, Ctrl+F over
procedures and consultants, exports under File, rich-text copy, and "export what I see"."""

import csv

from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import WAIT_MS


def shown(panel, field):
    """The values of ``field`` in the rows the list shows, top to bottom."""
    column = panel.model.column_of(field)
    return [panel.model.cell_text(int(row), column) for row in panel.model.order]


def filter_by_keyboard(qtbot, panel, name, choice):
    combo = panel.filters[name]
    combo.setFocus()
    while combo.currentText() != choice:
        with qtbot.waitSignal(panel.summaryChanged, timeout=WAIT_MS):
            qtbot.keyClick(combo, Qt.Key.Key_Down)


def test_specialties_are_named_in_the_filters_the_ranked_list_and_the_capacity_table(qtbot, app):
    window, controller, _path = app
    panel = window.list_panel
    choices = [panel.filters["specialty"].itemText(i) for i in range(panel.filters["specialty"].count())]
    assert "110 Trauma & Orthopaedics" in choices and "100 General Surgery" in choices
    filter_by_keyboard(qtbot, panel, "specialty", "101 Urology")
    assert set(shown(panel, "specialty")) == {"101"} and set(shown(panel, "specialty_name")) == {"Urology"}
    ranked = controller.ranked.model
    titles = [ranked.headerData(c, Qt.Orientation.Horizontal) for c in range(ranked.columnCount())]
    assert titles[titles.index("Specialty") + 1] == "Specialty name"
    qtbot.waitUntil(lambda: controller.capacity.table.rowCount() > 0, timeout=WAIT_MS)
    assert "Trauma & Orthopaedics" in [controller.capacity.cell_text(r, "specialty_name")
                                       for r in range(controller.capacity.table.rowCount())]


def test_ctrl_f_finds_procedures_and_consultants_as_well_as_ids(qtbot, app):
    window, _controller, _path = app
    panel = window.list_panel
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.search.hasFocus()
    with qtbot.waitSignal(panel.summaryChanged, timeout=WAIT_MS):
        qtbot.keyClicks(panel.search, "HERNIA")
    procedures = shown(panel, "procedure")
    assert procedures and all("hernia" in p.lower() for p in procedures)
    assert {"Inguinal hernia repair", "Umbilical hernia repair"} <= set(procedures)
    with qtbot.waitSignal(panel.summaryChanged, timeout=WAIT_MS):
        panel.search.clear()
        qtbot.keyClicks(panel.search, "okafor")
    assert set(shown(panel, "consultant")) == {"Ms B Okafor"}


def test_the_exports_are_in_the_file_menu(app):
    window, _controller, _path = app
    texts = [action.text().replace("&", "") for action in window.file_menu.actions()]
    for export in ("Export findings worklist…", "Export the rows shown (as filtered and sorted)…",
                   "Export ranked list…", "Export decision record (HTML and PDF)…", "Export equity charts (PNG and SVG)…"):
        assert export in texts
    assert texts.index("Export equity charts (PNG and SVG)…") < texts.index("Quit")
    ranked = next(a for a in window.file_menu.actions() if a.text().replace("&", "") == "Export ranked list…")
    assert ranked.shortcut().toString() == "Ctrl+Shift+E"


def test_copied_rows_are_a_table_for_email_beside_text_for_excel(qtbot, app):
    window, _controller, _path = app
    table = window.list_panel.table
    first = table.visualRect(table.model().index(0, 1)).center()
    third = table.visualRect(table.model().index(2, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=third)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QApplication.clipboard().mimeData()
    assert copied.hasHtml() and copied.hasText()
    html, text = copied.html(), copied.text()
    assert html.count("<tr>") == 4 and "<th>Pathway ID</th>" in html  # a header row and three rows
    pathway = table.model().cell_text(int(table.model().order[0]), table.model().column_of("pathway_id"))
    assert f">{pathway}</td>" in html and pathway in text.splitlines()[1].split("\t")
    assert 'mso-number-format:\\@">' + pathway in html  # Excel keeps an identifier as text


def test_export_what_i_see_writes_the_filtered_sorted_rows_in_the_columns_shown(qtbot, app, tmp_path):
    window, _controller, _path = app
    panel = window.list_panel
    filter_by_keyboard(qtbot, panel, "specialty", "101 Urology")
    header = panel.table.horizontalHeader()
    weeks = panel.model.column_of("weeks_waited")
    with qtbot.waitSignal(panel.summaryChanged, timeout=WAIT_MS):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(weeks) + 5, 5))
    header.moveSection(header.visualIndex(weeks), 0)  # the user dragged "Weeks waited" to the front
    with qtbot.waitSignal(window.rowsShownExported, timeout=WAIT_MS):
        window.export_rows_shown(tmp_path / "shown.xlsx")
    book = load_workbook(tmp_path / "shown.xlsx", read_only=True)
    rows = list(book["Rows shown"].iter_rows(values_only=True))
    about = dict(book["About this export"].iter_rows(min_row=2, values_only=True))
    book.close()
    assert rows[0][0] == "Weeks waited" and rows[0][1:4] == ("Row", "Line in file", "Data problems")
    assert len(rows) - 1 == panel.model.rowCount() < len(window.loaded.wl)
    pathway = rows[0].index("Pathway ID")
    assert [r[pathway] for r in rows[1:]] == shown(panel, "pathway_id")
    waits = [r[0] for r in rows[1:] if r[0] is not None]
    assert waits == sorted(waits)
    assert about["Rows shown"] == f"{panel.model.rowCount():,} of 5,000"
    assert about["Filters"] == "Specialty: 101" and about["Sorted by"].startswith("Weeks waited")
    with qtbot.waitSignal(window.rowsShownExported, timeout=WAIT_MS):
        window.export_rows_shown(tmp_path / "shown.csv")
    with open(tmp_path / "shown.csv", encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == list(rows[0]) and len(lines) == len(rows)
