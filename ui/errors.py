"""Errors shown in plain words, in dialogs, and uncaught ones routed to the log.

What a user is told, and what the log keeps (no patient data), is decided in
the core: :func:`workbench.errors.describe_failure`.
"""

from __future__ import annotations

import sys
from types import TracebackType

from workbench.errors import describe_failure
from workbench.progress import Cancelled


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
