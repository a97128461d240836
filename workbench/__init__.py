"""The prioritisation workbench core: import, validate, rank and assess waiting lists.

Nothing in this package imports Qt: the same engine serves the command line, the
tests and the desktop app (``ui/``).
"""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "prioritisation-workbench"  # the name pip installs it under (pyproject.toml)


def installed_version() -> str:
    """The version installed, from the package's metadata (pyproject.toml's; the portable build carries it)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source folder that was never installed
        return "unknown (not installed)"


__version__ = installed_version()
