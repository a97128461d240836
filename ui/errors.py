"""Errors shown in plain words, and a log of unexpected ones with no patient data in it.

A :class:`~workbench.errors.WorkbenchError` is the user's to fix: its message is
shown as it is. Anything else is our bug: the user sees what to do next, and the
log file in the data folder gets the exception's *type* and the code locations
(file, line, function) of its traceback. Never the message or local values:
``str(error)`` of a ``KeyError`` or ``ValueError`` can carry an NHS number.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from workbench.progress import Cancelled
from workbench.errors import WorkbenchError

LOG_NAME = "workbench"
LOG_FILE = "workbench.log"
log = logging.getLogger(LOG_NAME)

UNEXPECTED = (
    "Something went wrong inside the workbench (this is not a problem with your file or what you did).\n\n"
    "What to do: try again. If it happens again, send the log file to your system support team: "
    "it records where the problem happened and contains no patient data.\n\nLog file: {log_file}"
)


def setup_logging(data_folder: Path) -> Path:
    """Log to ``<data folder>/logs/workbench.log`` (rotated at 1 MB, 3 kept); returns the path."""
    folder = Path(data_folder) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return path


def log_file() -> Path | None:
    """The current log file, if logging was set up."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def safe_traceback(error_type: type, tb: TracebackType | None) -> str:
    """The exception type and where it happened, without any values or messages.

    >>> try:
    ...     {}["9434765919"]
    ... except KeyError as error:
    ...     text = safe_traceback(type(error), error.__traceback__)
    >>> "KeyError" in text, "9434765919" in text
    (True, False)
    """
    frames = traceback.extract_tb(tb)
    lines = [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join([f"{error_type.__module__}.{error_type.__qualname__}", *lines])


def log_unexpected(error: BaseException) -> None:
    """Record an unexpected exception (type and code locations only), with its causes."""
    parts = []
    seen: BaseException | None = error
    while seen is not None and len(parts) < 5:
        parts.append(safe_traceback(type(seen), seen.__traceback__))
        seen = seen.__cause__ or seen.__context__
    log.error("Unexpected error\n%s", "\ncaused by ".join(parts))


def describe_failure(error: BaseException) -> str:
    """The message a user sees for an error raised by work they asked for.

    >>> describe_failure(WorkbenchError("list.csv: the file is empty"))
    'list.csv: the file is empty'
    """
    if isinstance(error, WorkbenchError):
        return str(error)
    if isinstance(error, MemoryError):
        return ("The computer ran out of memory for this list.\n\n"
                "What to do: close other programs and try again, or split the list into smaller files.")
    if isinstance(error, PermissionError):
        name = Path(error.filename).name if getattr(error, "filename", None) else "the file"
        return (f"{name}: the workbench is not allowed to open or write this file.\n\n"
                "What to do: close it in Excel or any other program using it, or choose another folder.")
    log_unexpected(error)
    return UNEXPECTED.format(log_file=log_file() or "not set up")


def show_error(parent, message: str, title: str = "Prioritisation workbench") -> None:
    """A dialog with the problem and what to do, in plain words."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Error message")
    box.exec()


def ask_to_open_a_copy(parent, message: str) -> bool:
    """Say a workspace is open elsewhere (``message`` names who and since when); True to open a copy."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Workspace in use", message, QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(
        "Open a copy to read the list as it is now: changes made in the copy do not reach the original. "
        "Or cancel, and ask them to close it first."
    )
    copy = box.addButton("Open a &copy…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(copy)
    box.setAccessibleName("Workspace in use")
    box.exec()
    return box.clickedButton() is copy


def excepthook(error_type: type, error: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook for the app: log safely and show a dialog; never print values."""
    if issubclass(error_type, (Cancelled, KeyboardInterrupt)):
        return
    if error.__traceback__ is None:
        error = error.with_traceback(tb)
    message = describe_failure(error)
    try:
        from PySide6.QtWidgets import QApplication

        show_error(QApplication.activeWindow(), message)
    except Exception:  # no GUI to show it in: the log already has it
        print(message.splitlines()[0], file=sys.stderr)


def install_excepthook() -> None:
    """Route uncaught exceptions (including those in Qt slots) to :func:`excepthook`."""
    sys.excepthook = excepthook
