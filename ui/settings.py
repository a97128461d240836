"""The app's settings and recent files, kept in the data folder.

The data folder (:func:`workbench.store.files.data_folder`) holds the demo
workspace, unsaved workspaces, the settings file and the log.
``WORKBENCH_DATA_DIR`` overrides it (the tests point it at a temporary folder
so they never touch a real profile). Settings live in an INI
file in that folder rather than the Windows registry: one place to back up or
clear, and the same on every platform.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from workbench.store.files import data_folder

ORGANISATION = "NHS prioritisation workbench"
APPLICATION = "Prioritisation workbench"
MAX_RECENT = 10
RECENT_KEY = "recent_files"
PROFILE_KEY = "last_mapping_profile"


def app_settings() -> QSettings:
    """The settings file in the data folder."""
    return QSettings(str(data_folder() / "settings.ini"), QSettings.Format.IniFormat)


def recent_files() -> list[Path]:
    """Recently opened lists and workspaces that still exist, newest first."""
    stored = app_settings().value(RECENT_KEY, []) or []
    if isinstance(stored, str):  # QSettings gives a bare string for a one-item list
        stored = [stored]
    return [Path(p) for p in stored if Path(p).exists()]


def add_recent_file(path: Path) -> None:
    """Put ``path`` first in the recent files (kept to :data:`MAX_RECENT`)."""
    path = Path(path).resolve()
    kept = [p for p in recent_files() if p.resolve() != path]
    app_settings().setValue(RECENT_KEY, [str(p) for p in [path, *kept][:MAX_RECENT]])


def get_value(key: str, default=None):
    return app_settings().value(key, default)


def set_value(key: str, value) -> None:
    app_settings().setValue(key, value)
