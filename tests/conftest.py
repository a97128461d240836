import os
import sys

import pytest

# Every test runs headless: Qt draws into memory, never to a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")


@pytest.fixture(autouse=True)
def private_data_folder(tmp_path_factory, monkeypatch):
    """The user's data folder (pseudonym keys, notes of partial files, profiles) is a temporary
    one for every test and every process a test starts: a test never touches a real profile."""
    if "WORKBENCH_DATA_DIR" not in os.environ:
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path_factory.mktemp("data")))


def pytest_sessionfinish(session, exitstatus):
    """Qt's offscreen platform crashes as the process exits (a segmentation fault after every test has
    passed) if the clipboard still holds data the app put there as QMimeData; Windows and X11 do not.
    Emptying the clipboard once the tests are done keeps the run's exit status honest."""
    widgets = sys.modules.get("PySide6.QtWidgets")  # only when a test used Qt: the core runs without it
    if widgets is not None and widgets.QApplication.instance() is not None:
        widgets.QApplication.clipboard().clear()
