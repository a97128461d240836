"""Safety controls in the app (issue 7): the workspace lock, warnings about where a workspace
is kept, the import's warnings, and patients with no recognised clinical priority.

Each test is named in docs/clinical-safety/hazard-log.md beside the hazard it controls.
"""

import csv
import os
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

import ui.main_window as main_window
from ui import errors
from ui.main_window import MainWindow
from workbench.store.workspace_files import SAVED, WorkspaceFile
from workbench.store.importer import import_file
from workbench.store.locking import lock_owner, lock_path
from workbench.store.workspace import Workspace

WAIT_MS = 30_000
REAL_ASK_TO_OPEN_A_COPY = errors.ask_to_open_a_copy


def write_list(path, rows=40, census=None, priorities=("P2", "P3", "P4")):
    """A small list; ``census`` adds a census date column, ``priorities`` cycle down the rows."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Pathway ID", "Priority", "RTT Clock Start"] + (["Census Date"] if census else []))
        for i in range(rows):
            row = [f"PW{i:05d}", priorities[i % len(priorities)], f"{1 + i % 28:02d}/03/2025"]
            writer.writerow(row + ([census.strftime("%d/%m/%Y")] if census else []))
    return path


def saved_workspace(tmp_path, name="ward.sqlite", **list_options):
    path = tmp_path / name
    import_file(write_list(tmp_path / f"{path.stem}.csv", **list_options), path, census_date=date.today())
    return path


@pytest.fixture(autouse=True)
def quiet_prompts(monkeypatch):
    """Leaving an unsaved list discards it; errors and in-use messages are recorded, not shown."""
    seen = {"errors": [], "in_use": [], "copy": False}
    monkeypatch.setattr(main_window.QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(errors, "show_error", lambda parent, message, title="": seen["errors"].append(message))

    def ask(parent, message):
        seen["in_use"].append(message)
        return seen["copy"]

    monkeypatch.setattr(errors, "ask_to_open_a_copy", ask)
    return seen


@pytest.fixture
def make_window(qtbot):
    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        return window
    return make


def load(qtbot, window, action):
    with qtbot.waitSignal(window.workspaceLoaded, timeout=WAIT_MS) as blocker:
        action()
    qtbot.waitUntil(lambda: not window.compute.is_busy() and not window.database.is_busy(), timeout=WAIT_MS)
    return blocker.args[0]


# --- HAZ-12: one window at a time on a workspace --------------------------------------------------


def test_two_windows_cannot_both_open_a_workspace_and_closing_the_first_frees_it(qtbot, make_window, quiet_prompts, tmp_path):
    workspace = saved_workspace(tmp_path)
    first, second = make_window(), make_window()
    load(qtbot, first, lambda: first.open_workspace(workspace))
    assert first.lock.held and lock_owner(workspace).pid == os.getpid()

    assert second.show_workspace(WorkspaceFile(workspace, SAVED)) is None
    assert second.loaded is None and second.lock is None
    [message] = quiet_prompts["in_use"]
    today = date.today().strftime("%d/%m/%Y")
    assert message.startswith("ward.sqlite is open in another window or by ") and f" since {today} " in message

    first.close()
    assert not lock_path(workspace).exists() and lock_owner(workspace) is None
    load(qtbot, second, lambda: second.open_workspace(workspace))
    assert second.lock.held and len(second.loaded.wl) == 40


def test_the_in_use_message_offers_a_copy_that_opens_with_a_lock_of_its_own(qtbot, make_window, quiet_prompts, monkeypatch,
                                                                           tmp_path):
    monkeypatch.setattr(errors, "ask_to_open_a_copy", REAL_ASK_TO_OPEN_A_COPY)  # the real message box this time
    workspace, copy = saved_workspace(tmp_path), tmp_path / "my copy.sqlite"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", lambda *a, **k: (str(copy), ""))
    first, second = make_window(), make_window()
    load(qtbot, first, lambda: first.open_workspace(workspace))
    seen = []

    def answer_the_box():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_the_box)
            return
        seen.append(box.text())
        [button] = [b for b in box.buttons() if isinstance(b, QPushButton) and "copy" in b.text()]
        button.click()

    QTimer.singleShot(0, answer_the_box)
    loaded = load(qtbot, second, lambda: second.open_workspace(workspace))
    assert "ward.sqlite is open in another window or by" in seen[0] and "open a copy instead" in seen[0]
    assert loaded.file == WorkspaceFile(copy, SAVED) and len(loaded.wl) == 40
    assert lock_owner(copy) is not None and second.lock.path == copy
    assert first.lock.path == workspace and first.lock.held  # the original stays with the first window
    assert quiet_prompts["errors"] == []


def test_leaving_a_workspace_or_saving_it_elsewhere_gives_its_lock_up(qtbot, make_window, quiet_prompts, tmp_path):
    ward, clinic = saved_workspace(tmp_path, "ward.sqlite"), saved_workspace(tmp_path, "clinic.sqlite")
    window = make_window()
    load(qtbot, window, lambda: window.open_workspace(ward))
    load(qtbot, window, lambda: window.open_workspace(clinic))
    assert lock_owner(ward) is None and not lock_path(ward).exists()
    assert window.lock.path == clinic and lock_owner(clinic) is not None

    target = tmp_path / "clinic 2026.sqlite"
    with qtbot.waitSignal(window.save_workspace_as(target).ended, timeout=WAIT_MS):
        pass
    assert lock_owner(clinic) is None and lock_owner(target) is not None and window.lock.path == target
    window.close()
    assert lock_owner(target) is None and not lock_path(target).exists()
    assert quiet_prompts["errors"] == []


def test_save_as_will_not_replace_a_workspace_open_in_another_window(qtbot, make_window, quiet_prompts, tmp_path):
    ward, clinic = saved_workspace(tmp_path, "ward.sqlite"), saved_workspace(tmp_path, "clinic.sqlite", rows=5)
    first, second = make_window(), make_window()
    load(qtbot, first, lambda: first.open_workspace(ward))
    load(qtbot, second, lambda: second.open_workspace(clinic))
    assert second.save_workspace_as(ward) is None
    assert "ward.sqlite is open in another window" in quiet_prompts["errors"][0]
    with Workspace.open(ward) as workspace:
        assert len(workspace.load_list()) == 40  # not replaced by the 5-row list
    assert second.lock.path == clinic and first.lock.path == ward


# --- HAZ-19: where a workspace is kept --------------------------------------------------------------


def test_a_workspace_others_can_read_is_warned_about_in_the_status_bar_and_once_in_a_dialog(qtbot, make_window, tmp_path):
    workspace = saved_workspace(tmp_path)
    workspace.chmod(0o644)
    window = make_window()
    load(qtbot, window, lambda: window.open_workspace(workspace))
    box = window.place_warning_box
    assert box is not None and not box.isModal()
    assert "ward.sqlite can be read by other users of this computer" in box.text()
    assert "can be read by other users" in window.statusBar().currentMessage()
    assert "open in another window" not in box.text()  # the window's own lock is not "another window"
    box.close()
    load(qtbot, window, lambda: window.open_workspace(workspace))
    assert window.place_warning_box is box and box.isHidden()  # the dialog only the first time
    assert "can be read by other users" in window.statusBar().currentMessage()


def test_saving_into_a_cloud_synced_folder_is_warned_about_and_a_private_local_file_is_not(qtbot, make_window, tmp_path):
    window = make_window()
    load(qtbot, window, lambda: window.open_workspace(saved_workspace(tmp_path)))
    assert window.place_warning_box is None
    target = tmp_path / "OneDrive - NHS Trust" / "ward.sqlite"
    target.parent.mkdir()
    with qtbot.waitSignal(window.save_workspace_as(target).ended, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: window.place_warning_box is not None, timeout=WAIT_MS)
    assert "'OneDrive - NHS Trust' folder, which is copied to a cloud service" in window.place_warning_box.text()


# --- HAZ-03, HAZ-04: the import's warnings ------------------------------------------------------------


def test_an_old_census_date_is_shown_above_the_list_until_dismissed(qtbot, make_window, tmp_path):
    census = date.today() - timedelta(days=45)
    window = make_window()
    load(qtbot, window, lambda: window.start(write_list(tmp_path / "old.csv", census=census)))
    strip = window.warning_strip
    assert not strip.isHidden()
    [warning] = [w for w in strip.warnings() if "census date" in w]
    assert f"The census date {census:%d/%m/%Y} is 45 days ago" in warning and "look shorter" in warning
    assert f"{census:%d/%m/%Y} is 45 days ago" in strip.text.text()
    qtbot.mouseClick(strip.dismiss_button, Qt.MouseButton.LeftButton)
    assert strip.isHidden() and strip.warnings() == []


def test_the_import_dialogs_warnings_reach_the_window(qtbot, make_window, tmp_path):
    window = make_window()
    window.open_waiting_list(write_list(tmp_path / "ptl.csv"))
    dialog = window.dialog
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=WAIT_MS)
    dialog.census.setDate(QDate.currentDate().addDays(-45))
    assert "45 days ago" in dialog.census_note.text()  # warned before importing, too
    load(qtbot, window, lambda: qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton))
    assert any("45 days ago" in w for w in window.warning_strip.warnings())
    assert not window.warning_strip.isHidden()


def test_a_list_with_no_census_date_is_asked_for_one_suggesting_its_latest_clock_start(qtbot, make_window, tmp_path):
    window = make_window()
    window.start(write_list(tmp_path / "undated.csv"))  # clock starts in March 2025; the file saved today
    qtbot.waitUntil(lambda: window.dialog is not None and bool(window.dialog.headers), timeout=WAIT_MS)
    dialog = window.dialog
    assert dialog.census.text() == "28/03/2025"  # not today
    assert "no census date" in dialog.census_note.text() and "latest clock start" in dialog.census_note.text()
    load(qtbot, window, lambda: qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton))
    with Workspace.open(window.file.path) as workspace:
        assert workspace.import_record()["census_date"] == date(2025, 3, 28)


def test_a_date_column_read_as_us_dates_is_shown_above_the_list(qtbot, make_window, tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("Pathway ID,Priority,RTT Clock Start,Census Date\nA1,P2,03/13/2025,2025-06-30\n"
                    "A2,P3,04/01/2025,2025-06-30\n", encoding="utf-8")
    window = make_window()
    load(qtbot, window, lambda: window.start(path))
    [warning] = [w for w in window.warning_strip.warnings() if "RTT Clock Start" in w]
    assert "month/day" in warning and not window.warning_strip.isHidden()


def test_an_old_census_date_is_warned_about_again_when_the_workspace_is_reopened(qtbot, make_window, tmp_path):
    census = date.today() - timedelta(days=45)
    workspace = tmp_path / "ward.sqlite"
    import_file(write_list(tmp_path / "ptl.csv"), workspace, census_date=census)
    window = make_window()
    load(qtbot, window, lambda: window.open_workspace(workspace))
    assert any(f"{census:%d/%m/%Y} is 45 days ago" in w for w in window.warning_strip.warnings())


# --- HAZ-14: patients in the 'unknown' band ---------------------------------------------------------------


def test_patients_with_no_recognised_priority_are_warned_about(qtbot, make_window, tmp_path):
    window = make_window()
    # Of 40 rows, every 10th has no priority and every 10th (offset 5) an unrecognised one: 8 in all.
    priorities = ("P2", "P3", "P4", "P2", "P3", "urgent", "P4", "P2", "P3", "")
    load(qtbot, window, lambda: window.open_workspace(saved_workspace(tmp_path, priorities=priorities)))
    expected = ("8 patients have no recognised clinical priority: they are placed in the 'unknown' band, "
                "check them before using the order.")
    assert window.loaded.unknown_priority == 8
    assert not window.quality.priority_warning.isHidden() and window.quality.priority_warning.text() == expected
    assert expected in window.warning_strip.warnings()
    assert expected in window.statusBar().currentMessage()


def test_no_priority_warning_when_every_priority_is_recognised(qtbot, make_window, tmp_path):
    window = make_window()
    load(qtbot, window, lambda: window.open_workspace(saved_workspace(tmp_path)))
    assert window.loaded.unknown_priority == 0
    assert window.quality.priority_warning.isHidden()
    assert window.warning_strip.isHidden() and window.warning_strip.warnings() == []
