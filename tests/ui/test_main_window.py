"""The whole window: opening files, the quality panel driving the list, saving, prompts, errors, keys."""

import csv
import importlib.util
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QMargins, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

import ui.main_window as main_window
from ui import errors, settings
from ui.main_window import MainWindow
from ui.wheel_guard import WheelGuard
from ui.workspace_actions import LAST_WORKSPACE_KIND_KEY
from workbench.errors import setup_logging
from workbench.store.workspace_files import DEMO, SAVED, UNTITLED, demo_path, unsaved_folder
from workbench.store.importer import import_file

ROOT = Path(__file__).resolve().parents[2]


def write_ptl(path, rows=40):
    """A list with known problems: rows 3 and 7 share a pathway ID, every 5th NHS number is wrong."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Pathway ID", "NHS Number", "Specialty", "Priority", "RTT Clock Start", "Site", "Census Date"])
        for i in range(rows):
            pathway = "PW00003" if i == 7 else f"PW{i:05d}"
            nhs = "9434765918" if i % 5 == 0 else "9434765919"
            writer.writerow([pathway, nhs, ["110", "120"][i % 2], ["P2", "P3", "P4"][i % 3],
                             f"{1 + i % 28:02d}/0{1 + i % 9}/2025", ["North", "South"][i % 2], "31/10/2025"])
    return path


@pytest.fixture
def answers(monkeypatch):
    """What the user answers when asked to save (Discard unless a test says otherwise); records the questions."""
    state = {"answer": QMessageBox.StandardButton.Discard, "asked": []}

    def question(parent, title, text, *args, **kwargs):
        state["asked"].append(text)
        return state["answer"]

    monkeypatch.setattr(main_window.QMessageBox, "question", question)
    return state


@pytest.fixture
def window(qtbot, answers, shown_errors):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def load(qtbot, window, action):
    with qtbot.waitSignal(window.workspaceLoaded, timeout=30_000) as blocker:
        action()
    qtbot.waitUntil(lambda: not window.compute.is_busy())
    return blocker.args[0]


def test_the_app_starts_from_main_py_with_the_demo_list_and_closes(qtbot, answers, shown_errors):
    spec = importlib.util.spec_from_file_location("workbench_main", ROOT / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = QApplication.instance()
    seen = {}

    def close_when_ready():
        window = getattr(app, "main_window", None)
        if window is None or window.loaded is None or window.compute.is_busy():
            QTimer.singleShot(100, close_when_ready)
            return
        seen.update(title=window.windowTitle(), rows=window.list_panel.model.rowCount(),
                    problems=window.quality.codes())
        window.close()

    QTimer.singleShot(100, close_when_ready)
    QTimer.singleShot(60_000, lambda: app.exit(3))  # never hang the suite
    assert module.main(["main.py"]) == 0
    assert seen["rows"] == 5000 and seen["problems"]
    assert app.findChild(WheelGuard) is not None  # the wheel changes no value without focus, app-wide
    assert seen["title"].startswith("Demo waiting list – census ") and "/" in seen["title"]
    assert demo_path().is_file() and not shown_errors
    assert settings.get_value(LAST_WORKSPACE_KIND_KEY) == DEMO


def test_dropping_a_file_opens_the_dialog_and_imports_into_an_untitled_workspace(qtbot, window, tmp_path):
    source = write_ptl(tmp_path / "ptl.csv")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    dialog = window.dialog
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled())
    loaded = load(qtbot, window, lambda: qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton))
    assert loaded.file.kind == UNTITLED and loaded.file.path.parent == unsaved_folder()
    assert window.windowTitle() == "Untitled workspace (not saved) – census 31/10/2025 – Prioritisation workbench"
    assert window.list_panel.count.text() == "40 patients"
    assert source in settings.recent_files()


def test_a_file_with_every_required_column_opens_without_the_dialog(qtbot, window, tmp_path):
    loaded = load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    assert window.dialog is None
    assert len(loaded.wl) == 40


def test_choosing_a_problem_lists_the_rows_behind_it(qtbot, window, tmp_path):
    load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    codes = window.quality.codes()
    assert "duplicate_pathway" in codes and "nhs_number_invalid" in codes
    tree = window.quality.tree
    rect = tree.visualItemRect(tree.item(codes.index("duplicate_pathway"), 0))
    with qtbot.waitSignal(window.list_panel.summaryChanged):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    model = window.list_panel.model
    ids = [model.data(model.index(r, model.column_of("pathway_id"))) for r in range(model.rowCount())]
    assert ids == ["PW00003", "PW00003"]
    assert window.list_panel.count.text() == "2 of 40 patients"
    assert window.summary.figures["total"].text() == "2"
    with qtbot.waitSignal(window.list_panel.summaryChanged):
        window.actions_by_name["clear_filters"].trigger()
    assert model.rowCount() == 40


def test_save_as_names_the_workspace_and_removes_the_temporary_file(qtbot, window, tmp_path):
    loaded = load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    untitled = loaded.file.path
    target = tmp_path / "orthopaedics.sqlite"
    with qtbot.waitSignal(window.save_workspace_as(target).ended, timeout=20_000):
        pass
    assert target.is_file() and not untitled.exists()
    assert window.file.kind == SAVED
    assert window.windowTitle().startswith("orthopaedics – census 31/10/2025")
    assert target in settings.recent_files()


def test_leaving_an_unsaved_list_asks_and_discarding_deletes_it(qtbot, window, answers, tmp_path):
    loaded = load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    answers["answer"] = QMessageBox.StandardButton.Cancel
    window.new_workspace()
    assert len(answers["asked"]) == 1 and window.loaded is loaded  # Cancel: nothing happens
    answers["answer"] = QMessageBox.StandardButton.Discard
    empty = load(qtbot, window, window.new_workspace)
    assert not loaded.file.path.exists()
    assert empty.wl is None and window.list_panel.pages.currentIndex() == 0


def test_a_saved_workspace_reopens_without_asking(qtbot, window, answers, tmp_path):
    saved = tmp_path / "ward.sqlite"
    import_file(write_ptl(tmp_path / "ptl.csv"), saved)
    load(qtbot, window, lambda: window.open_workspace(saved))
    load(qtbot, window, lambda: window.open_workspace(saved))
    assert answers["asked"] == [] and window.file.kind == SAVED


def test_export_findings_worklist_writes_a_workbook(qtbot, window, tmp_path):
    load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    target = tmp_path / "worklist.xlsx"
    with qtbot.waitSignal(window.export_worklist(target).finished, timeout=20_000):
        pass
    book = load_workbook(target, read_only=True)
    assert "Summary" in book.sheetnames and "Worklist" in book.sheetnames


def test_an_unreadable_file_is_explained_in_plain_words(qtbot, window, shown_errors, tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    window.start(bad)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10_000)
    assert "notes.csv" in shown_errors[0] and "Traceback" not in shown_errors[0]


def test_keyboard_find_and_clear_filters(qtbot, window, tmp_path):
    load(qtbot, window, lambda: window.start(write_ptl(tmp_path / "ptl.csv")))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.list_panel.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.list_panel.search.hasFocus()
    with qtbot.waitSignal(window.list_panel.summaryChanged):
        qtbot.keyClicks(window.list_panel.search, "PW0001")
    assert window.list_panel.model.rowCount() == 10
    with qtbot.waitSignal(window.list_panel.summaryChanged):
        qtbot.keyClick(window.list_panel.search, Qt.Key.Key_Escape)
    assert window.list_panel.model.rowCount() == 40 and window.list_panel.search.text() == ""


def test_every_menu_action_has_a_name_and_the_main_ones_have_shortcuts(window):
    shortcuts = {name: action.shortcut().toString() for name, action in window.actions_by_name.items()}
    assert shortcuts["open_list"] == "Ctrl+O" and shortcuts["save"] == "Ctrl+S"
    assert shortcuts["find"] == "Ctrl+F" and shortcuts["copy"] == "Ctrl+C" and shortcuts["quit"] == "Ctrl+Q"
    assert all(action.text() for action in window.actions_by_name.values())
    assert window.list_panel.search.accessibleName() and window.list_panel.table.accessibleName()


def test_window_layout_is_remembered(qtbot, answers, shown_errors):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.showNormal()  # on the small test screen it opens maximised
    first.quality_dock.hide()
    room = first.screen().availableGeometry().size().shrunkBy(QMargins(0, 0, 10, 10))
    wanted = first.minimumSizeHint().grownBy(QMargins(0, 0, 41, 23)).boundedTo(room)  # any size that fits
    first.resize(wanted)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert second.size() == wanted
    assert not second.quality_dock.isVisible()


def test_an_unexpected_error_is_logged_without_patient_data(qtbot, shown_errors, tmp_path):
    log = setup_logging(tmp_path)
    try:
        {}["9434765919"]
    except KeyError as error:
        errors.excepthook(KeyError, error, error.__traceback__)
    assert "9434765919" not in log.read_text() and "KeyError" in log.read_text()
    assert "9434765919" not in shown_errors[0] and "log file" in shown_errors[0].lower()


def test_the_quality_panel_says_which_deprivation_index_and_compares_the_editions(qtbot, window, tmp_path):
    source = tmp_path / "areas.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        rows = [[f"A{i}", "P3", "01/03/2025", area, "01/11/2026"]
                for i, area in enumerate(["E01028040"] * 9 + ["E01000001"] * 9)]
        csv.writer(handle).writerows([["Pathway ID", "Priority", "RTT Clock Start", "LSOA11CD", "Census Date"], *rows])
    load(qtbot, window, lambda: window.start(source))  # every required column and the census date found: no dialog
    text = window.quality.deprivation.text()
    assert text.startswith("Deprivation: IoD2025 (England)") and "Column 'LSOA11CD' holds 2011 areas" in text
    assert "1 area (9 rows) carried to 2021 through the ONS best-fit lookup" in text
    qtbot.mouseClick(window.quality.editions, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window, "imd_change_dialog", None) is not None, timeout=10_000)
    dialog = window.imd_change_dialog
    table = dialog.tables["England"]
    # 9 patients each: rounded to 10, as every count is.
    assert table.item(1, 0).text() == "England, second most deprived fifth" and table.item(1, 2).text() == "10"
    assert "England, IoD2019 to IoD2025: 10 of 20 patients (50.0%) are in another fifth." in \
        [label.text().replace("<b>", "").replace("</b>", "") for label in dialog.findChildren(type(dialog.notes))]
    out = dialog.export(tmp_path / "change.xlsx")
    assert load_workbook(out)["Change of fifth"]["B2"].value == "England, most deprived fifth"
