"""The import dialog driven like a user: preview, fix the mapping, import, cancel."""

import csv
import threading
from datetime import date, timedelta

import numpy as np
import pytest
from openpyxl import Workbook
from PySide6.QtCore import QDate, Qt

import ui.import_dialog as import_dialog
from ui.import_dialog import NOT_IN_FILE, ImportDialog
from ui.workers import Worker
from workbench.store.importer import import_file
from workbench.store.workspace import Workspace

HEADERS = ["Pathway ID", "NHS Number", "Spec", "TFC", "Priority", "Referral booked", "Site"]


def write_csv(path, rows=30, headers=HEADERS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for i in range(rows):
            writer.writerow([f"PW{i:05d}", "9434765919", "General", "110" if i % 2 else "120", "P3",
                             f"{1 + i % 28:02d}/03/2025", "North"][: len(headers)])
    return path


@pytest.fixture
def workers(qtbot):
    database, compute = Worker("database"), Worker("compute")
    yield database, compute
    database.shutdown(10_000)
    compute.shutdown(10_000)
    # As in test_list_panel: every task ends while its worker is alive, whatever test comes next.
    qtbot.waitUntil(lambda: not database.is_busy() and not compute.is_busy())


@pytest.fixture
def open_dialog(qtbot, workers):
    def opener(path, workspace):
        dialog = ImportDialog(path, workspace, *workers)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: bool(dialog.headers))
        return dialog
    return opener


def choose(qtbot, box, text):
    """Pick an entry of a combo box with the keyboard, as a user would."""
    box.setFocus()
    target = box.findText(text)
    assert target >= 0, f"{text!r} is not offered"
    key = Qt.Key.Key_Down if target > box.currentIndex() else Qt.Key.Key_Up
    while box.currentIndex() != target:
        qtbot.keyClick(box, key)


def test_a_missing_required_column_is_chosen_by_hand_then_imported(qtbot, tmp_path, open_dialog):
    source = write_csv(tmp_path / "ptl.csv")
    workspace = tmp_path / "ward.sqlite"
    dialog = open_dialog(source, workspace)
    assert dialog.preview_model.headerData(0, Qt.Orientation.Horizontal) == "Pathway ID\n→ Pathway ID"
    assert "Wait start" in dialog.required_note.text()
    assert not dialog.import_button.isEnabled()

    choose(qtbot, dialog.field_boxes["wait_start"], "Referral booked")
    assert dialog.import_button.isEnabled()
    dialog.census.setDate(QDate(2025, 6, 30))
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert dialog.result.rows_stored == 30
    with Workspace.open(workspace) as ws:
        record = ws.import_record()
        wl = ws.load_list()
    assert record["mapping"]["wait_start"] == "Referral booked"
    assert record["census_date"] == date(2025, 6, 30)
    assert wl.columns["wait_start"][0] == np.datetime64("2025-03-01")


def test_changing_a_detected_mapping_is_what_gets_imported(qtbot, tmp_path, open_dialog):
    source = write_csv(tmp_path / "ptl.csv")
    dialog = open_dialog(source, tmp_path / "ward.sqlite")
    assert dialog.field_boxes["specialty"].currentText() == "TFC"  # detection prefers the code
    choose(qtbot, dialog.field_boxes["specialty"], "Spec")
    choose(qtbot, dialog.field_boxes["wait_start"], "Referral booked")
    choose(qtbot, dialog.field_boxes["site"], NOT_IN_FILE)
    assert dialog.preview_model.headerData(HEADERS.index("Site"), Qt.Orientation.Horizontal) == "Site\n(not used)"
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.result.mapping["specialty"] == "Spec"
    assert "site" not in dialog.result.mapping
    with Workspace.open(tmp_path / "ward.sqlite") as ws:
        assert set(ws.load_list().columns["specialty"]) == {"General"}


def test_cancel_during_the_import_leaves_the_workspace_as_it_was(qtbot, tmp_path, open_dialog, monkeypatch):
    workspace = tmp_path / "ward.sqlite"
    first = write_csv(tmp_path / "first.csv", rows=5, headers=["Pathway ID", "RTT Clock Start"])
    import_file(first, workspace)
    reached, release = threading.Event(), threading.Event()

    def gated_import(*args, progress, **kwargs):
        def gate(fraction, message):
            if fraction >= 0.6 and not reached.is_set():  # storing has begun: hold it there
                reached.set()
                release.wait(10)
            progress(fraction, message)
        return import_file(*args, progress=gate, **kwargs)

    monkeypatch.setattr(import_dialog, "import_file", gated_import)
    dialog = open_dialog(write_csv(tmp_path / "second.csv", rows=200), workspace)
    choose(qtbot, dialog.field_boxes["wait_start"], "Referral booked")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=20_000)
    assert dialog.progress_bar.isVisible() and dialog.cancel_button.text() == "Cancel import"
    with qtbot.waitSignal(dialog._import_task.cancelled, timeout=20_000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        release.set()

    assert dialog.isVisible() and dialog.result is None
    assert "nothing was changed" in dialog.status.text()
    with Workspace.open(workspace) as ws:
        assert len(ws.load_list()) == 5
        assert ws.import_record()["file_name"] == "first.csv"


def test_a_workbook_offers_its_sheets(qtbot, tmp_path, open_dialog):
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Prepared by the PTL team"])
    sheet = book.create_sheet("PTL")
    sheet.append(["Pathway ID", "Clock Start", "Priority"])
    sheet.append(["A1", "01/02/2025", "P2"])
    old = book.create_sheet("Old")
    old.append(["Pathway ID", "DTA Date"])
    old.append(["B1", "03/01/2024"])
    old.append(["B2", "04/01/2024"])
    path = tmp_path / "ptl.xlsx"
    book.save(path)
    dialog = open_dialog(path, tmp_path / "ward.sqlite")
    assert dialog.sheet_box.isVisibleTo(dialog)
    assert [dialog.sheet_box.itemText(i) for i in range(dialog.sheet_box.count())] == ["Notes", "PTL", "Old"]
    assert dialog.sheet_box.currentText() == "Notes"  # the reader's choice: the first sheet with anything in it
    assert "no rows under the header" in dialog.preview_state.text()
    choose(qtbot, dialog.sheet_box, "PTL")
    qtbot.waitUntil(lambda: "Clock Start" in dialog.headers)
    assert dialog.field_boxes["wait_start"].currentText() == "Clock Start"
    choose(qtbot, dialog.sheet_box, "Old")
    qtbot.waitUntil(lambda: "DTA Date" in dialog.headers)
    assert dialog.field_boxes["wait_start"].currentText() == "DTA Date"
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.result.sheet == "Old" and dialog.result.rows_stored == 2


def test_a_saved_profile_maps_the_next_file_the_same_way(qtbot, tmp_path, open_dialog):
    source = write_csv(tmp_path / "week1.csv")
    dialog = open_dialog(source, tmp_path / "a.sqlite")
    choose(qtbot, dialog.field_boxes["wait_start"], "Referral booked")
    choose(qtbot, dialog.field_boxes["specialty"], "Spec")
    dialog.save_profile("Weekly PTL")
    dialog.reject()

    again = open_dialog(write_csv(tmp_path / "week2.csv"), tmp_path / "b.sqlite")
    assert again.profile_box.currentText() == "Weekly PTL"  # remembered in the settings
    assert again.field_boxes["wait_start"].currentText() == "Referral booked"
    assert again.field_boxes["specialty"].currentText() == "Spec"
    assert again.import_button.isEnabled()


def test_census_date_defaults_to_the_files_census_column(qtbot, tmp_path, open_dialog):
    headers = ["Pathway ID", "RTT Clock Start", "Census Date"]
    path = tmp_path / "ptl.csv"
    path.write_text("\n".join([",".join(headers), "A1,01/02/2025,31/03/2025", "A2,02/02/2025,31/03/2025"]) + "\n")
    dialog = open_dialog(path, tmp_path / "ward.sqlite")
    assert dialog.census.date() == QDate(2025, 3, 31)
    assert dialog.census.text() == "31/03/2025"


def test_an_old_census_date_is_warned_about_before_importing(qtbot, tmp_path, open_dialog):
    census = date.today() - timedelta(days=45)
    path = tmp_path / "ptl.csv"
    path.write_text(f"Pathway ID,RTT Clock Start,Census Date\nA1,01/02/2025,{census:%d/%m/%Y}\n", encoding="utf-8")
    dialog = open_dialog(path, tmp_path / "ward.sqlite")
    note = dialog.census_note.text()
    assert note.startswith("From the file's census date column.")
    assert "45 days ago" in note and "look shorter" in note
    dialog.census.setDate(QDate.currentDate())
    assert dialog.census_note.text() == "Chosen by you."


def test_a_file_that_cannot_be_read_says_why_in_the_dialog(qtbot, tmp_path, workers):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 40)
    dialog = ImportDialog(path, tmp_path / "ward.sqlite", *workers)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "photo.csv" in dialog.preview_state.text(), timeout=10_000)
    assert not dialog.import_button.isEnabled()
    assert "Traceback" not in dialog.preview_state.text()


def test_a_header_row_below_a_title_can_be_named_and_pseudonymised(qtbot, tmp_path, open_dialog):
    path = tmp_path / "ptl.csv"
    lines = ["Weekly PTL", "Run by the information team", "Pathway ID,NHS Number,RTT Clock Start",
             "A1,9434765919,01/02/2025", "A2,9876543210,02/02/2025"]
    path.write_text("\n".join(lines) + "\n")
    dialog = open_dialog(path, tmp_path / "ward.sqlite")
    dialog.header_box.setValue(1)  # wrong on purpose: the title becomes the only header
    qtbot.waitUntil(lambda: dialog.headers[:1] == ["Weekly PTL"])
    assert not dialog.import_button.isEnabled()
    dialog.header_box.setValue(3)
    qtbot.waitUntil(lambda: dialog.headers == ["Pathway ID", "NHS Number", "RTT Clock Start"])
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert dialog.preview_model.rowCount() == 2
    qtbot.mouseClick(dialog.pseudonymise, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    with Workspace.open(tmp_path / "ward.sqlite") as ws:
        numbers = ws.load_list().columns["nhs_number"]
    assert all(n.startswith("PSN-") for n in numbers)


def test_a_census_date_typed_as_dd_mm_yyyy_is_taken_as_typed(qtbot, tmp_path, open_dialog):
    path = tmp_path / "old.csv"
    path.write_text("Pathway ID,RTT Clock Start\nA1,01/01/2002\nA2,04/02/2002\n", encoding="utf-8")
    workspace = tmp_path / "ward.sqlite"
    dialog = open_dialog(path, workspace)
    assert dialog.census.text() == "04/02/2002"  # suggested: the latest clock start, not today
    dialog.census.selectAll()
    qtbot.keyClicks(dialog.census, "31/03/2002")
    assert dialog.census.text() == "31/03/2002" and dialog.census_date() == date(2002, 3, 31)
    assert dialog.census_note.text().startswith("Chosen by you.")
    dialog.census.selectAll()
    qtbot.keyClicks(dialog.census, "31/02/2002")  # no such day: the import waits for a real one
    assert dialog.census_date() is None and not dialog.import_button.isEnabled()
    dialog.census.selectAll()
    qtbot.keyClicks(dialog.census, "31/03/2002")
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    with Workspace.open(workspace) as ws:
        assert ws.import_record()["census_date"] == date(2002, 3, 31)


def test_a_mapped_column_with_nothing_in_it_is_warned_about(qtbot, tmp_path, open_dialog):
    path = tmp_path / "hes.csv"
    path.write_text("EPIKEY,ELECDATE,LSOA11,Ethnicity\n" + "".join(f"{i},01/02/2002,,A\n" for i in range(30)),
                    encoding="utf-8")
    dialog = open_dialog(path, tmp_path / "ward.sqlite")
    assert dialog.field_boxes["lsoa"].currentText() == "LSOA11"  # the only column named for it, and empty
    assert not dialog.empty_note.isHidden()
    assert "Column 'LSOA11' (used for lsoa) has no value in any row" in dialog.empty_note.text()
    choose(qtbot, dialog.field_boxes["lsoa"], NOT_IN_FILE)
    assert dialog.empty_note.isHidden()
    choose(qtbot, dialog.field_boxes["ethnic_category"], "LSOA11")
    assert "Column 'LSOA11' (used for ethnic_category)" in dialog.empty_note.text()


def test_the_previous_deprivation_edition_can_be_chosen(qtbot, tmp_path, open_dialog):
    source = tmp_path / "areas.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Pathway ID", "RTT Clock Start", "LSOA21CD"],
                                      ["A1", "01/03/2025", "E01033769"], ["A2", "01/03/2025", "E01000001"]])
    dialog = open_dialog(source, tmp_path / "ward.sqlite")
    assert dialog.deprivation_edition() == "2025"
    choose(qtbot, dialog.edition, dialog.edition.itemText(dialog.edition.findData("2019")))
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.result.deprivation["indices"]["England"] == "IoD2019"
    assert dialog.result.deprivation["carried_through_lookup"] == {"rows": 1, "areas": 1}  # E01033769, back to 2011
    with Workspace.open(tmp_path / "ward.sqlite") as ws:
        assert ws.load_list().columns["deprivation_index"].tolist() == ["IoD2019", "IoD2019"]
