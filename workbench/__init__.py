"""The prioritisation workbench core: import, validate, rank and assess waiting lists.

Nothing in this package imports Qt: the same engine serves the command line, the
tests and the desktop app (``ui/``).
"""

__version__ = "0.1.0"
