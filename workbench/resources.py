"""Where the bundled data files live (deprivation indices, rule sets, demo list).

They are kept in the project's top-level ``resources/`` folder, which
pyproject.toml installs as the package ``workbench.bundled``: every file in it
ships inside the wheel and the portable build, and an editable install reads it
in place. Code finds them only through :func:`resource_path`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from workbench.errors import WorkbenchError

BUNDLED_PACKAGE = "workbench.bundled"


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
