"""Fixtures for the app's tests: a private data folder, small lists built in memory, the demo workspace
and the main window showing it."""

import shutil
from datetime import date

import numpy as np
import pytest

from ui import errors
from workbench.fields import FIELD_KINDS, WaitingList, empty_column
from workbench.resources import resource_path
from workbench.store.importer import import_file
from workbench.store.workspace_files import SAVED, WorkspaceFile

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """Every UI test gets its own data folder (and so its own settings and log)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def shown_errors(monkeypatch):
    """The error dialogs the app would show, as a list of their messages (no dialog opens)."""
    seen = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message, title="": seen.append(message))
    return seen


def make_list(n=6, census=date(2026, 3, 31)):
    """A small typed waiting list; row i started waiting 10*i weeks before the census (up to 1,000 weeks)."""
    starts = np.datetime64(census) - (np.arange(n) % 100 * 70).astype("timedelta64[D]")
    columns = {name: empty_column(kind, n) for name, kind in FIELD_KINDS.items()}
    columns.update(
        pathway_id=np.array([f"PW{i:04d}" for i in range(n)], dtype=object),
        nhs_number=np.array(["9434765919", "9876543210", None, "4000000632", "9434765918", "943476591"][:n] + [None] * max(0, n - 6), dtype=object),
        specialty=np.array([["110", "120", "130"][i % 3] for i in range(n)], dtype=object),
        clinical_priority=np.array([["P2", "P3", "P4", None][i % 4] for i in range(n)], dtype=object),
        site=np.array([["North", "South"][i % 2] for i in range(n)], dtype=object),
        wait_start=starts,
        weeks_waited=(np.arange(n) % 100) * 10.0,
    )
    source = {"Pathway": columns["pathway_id"].copy()}
    return WaitingList(row_id=np.arange(1, n + 1, dtype=np.int64), columns=columns, source=source, census_date=census)


@pytest.fixture
def small_list():
    return make_list()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """The bundled demo list imported once; tests open private copies of it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    import_file(resource_path("demo", "demo-waiting-list.csv"), path)
    return path


@pytest.fixture
def shown_window(qtbot):
    """Makes the main window with part 2 installed, on screen (offscreen), no list yet."""
    # Here: core tests import make_list from this file without Qt.
    import shiboken6
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    controllers = []

    def make(width=1400, height=900):
        window = MainWindow()
        qtbot.addWidget(window)
        controllers.append(window.prioritisation)
        window.resize(width, height)
        window.show()
        return window, window.prioritisation
    yield make
    # Background work stops before the next test, as at the app's quit, and the tasks' last signals are
    # delivered (or dropped, for a deleted window) now: work left running, or a task's end still queued when
    # its window was deleted, broke the tests that came next (seen with the tests in random order).
    for controller in controllers:
        if shiboken6.isValid(controller):
            controller.shutdown()  # waits for each worker's thread to finish
    QApplication.processEvents()


@pytest.fixture
def app(qtbot, tmp_path, demo_workspace, shown_window):
    """The main window with part 2 installed, showing a private copy of the demo workspace."""
    path = tmp_path / "workshop.sqlite"
    shutil.copy(demo_workspace, path)
    window, controller = shown_window()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        window.show_workspace(WorkspaceFile(path, SAVED))
    qtbot.waitUntil(lambda: controller.state is not None, timeout=WAIT_MS)
    yield window, controller, path
    controller.set_workshop_mode(False)  # the app's font is the whole app's: never left enlarged for the next test
