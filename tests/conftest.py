import os

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
