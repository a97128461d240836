"""Where the workbench's files live: the bundled data files (deprivation indices, rule sets, demo list)
and the user's own data folder.

The bundled files are kept in the project's top-level ``resources/`` folder, which
pyproject.toml installs as the package ``workbench.bundled``: every file in it
ships inside the wheel and the portable build, and an editable install reads it
in place. Code finds them only through :func:`resource_path`. The user's data
folder (settings, the log, mapping profiles, pseudonym keys, untitled
workspaces) is where each system keeps an application's data, as platformdirs
knows it: ``%APPDATA%\\PrioritisationWorkbench`` on Windows,
``~/Library/Application Support/prioritisation-workbench`` on macOS,
``~/.local/share/prioritisation-workbench`` (or ``$XDG_DATA_HOME``) elsewhere;
``WORKBENCH_DATA_DIR`` names another.
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from workbench.errors import WorkbenchError

BUNDLED_PACKAGE = "workbench.bundled"
DATA_FOLDER_SETTING = "WORKBENCH_DATA_DIR"
# The data folder's name and where it goes, by system (the portable build's README names the Windows one).
DATA_FOLDERS = {"win32": (Windows, "PrioritisationWorkbench"), "darwin": (MacOS, "prioritisation-workbench")}
OTHER_SYSTEMS = (Unix, "prioritisation-workbench")


def user_data_folder(system: str = sys.platform) -> Path:
    """The user's own data folder (``store.files.data_folder`` creates it, private to its owner)."""
    chosen = os.environ.get(DATA_FOLDER_SETTING)
    if chosen:
        return Path(chosen)
    kind, name = DATA_FOLDERS.get(system, OTHER_SYSTEMS)
    return Path(kind(name, appauthor=False, roaming=True).user_data_dir)


def bundled_folder() -> Path:
    """The folder of bundled data files, wherever the workbench is installed."""
    folder = files(BUNDLED_PACKAGE)
    if not isinstance(folder, Path):  # e.g. imported from a zip: pandas and sqlite need real files
        raise WorkbenchError(f"{folder}: the workbench's data files must be installed as files, not in an archive")
    return folder


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("rules", "treat-in-turn.toml")``.

    >>> resource_path("rules", "treat-in-turn.toml").is_file()
    True
    """
    return bundled_folder().joinpath(*parts)
