"""A later list opened into a workspace that has one: add it as a weekly snapshot, or open it apart?

When File > Open waiting list (or a dropped file) is used while a workspace
with a list is shown, :func:`offer_snapshot` asks. *Add as a weekly snapshot*
imports through the usual import dialog into the workspace shown, as a new
snapshot after its newest (:mod:`workbench.store.snapshots` refuses, in plain words
and changing nothing, an older list, the same file again, or another
organisation's list); *Open as a new workspace* goes on as before.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from ui.import_dialog import ImportDialog
from workbench.store.locking import path_key

ADD, APART, CANCEL = "add", "apart", "cancel"


def ask(window, path: Path) -> str:
    """ADD, APART or CANCEL, as the user answers (tests replace this)."""
    census = window.loaded.census_date
    box = QMessageBox(QMessageBox.Icon.Question, "Add to this workspace?",
                      f"{window.file.display_name} holds the list of {census:%d/%m/%Y}. Add {path.name} to it as a "
                      "later weekly snapshot (its earlier lists are kept, to show what changed and the trends), or "
                      "open it as a new workspace?", parent=window)
    add = box.addButton("Add as a weekly snapshot", QMessageBox.ButtonRole.AcceptRole)
    apart = box.addButton("Open as a new workspace", QMessageBox.ButtonRole.NoRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(add)
    box.exec()
    return ADD if box.clickedButton() is add else APART if box.clickedButton() is apart else CANCEL


def offer_snapshot(window, path: Path) -> bool:
    """Ask, when the window shows a list; True when the answer was handled here (added, or cancelled)."""
    loaded = window.loaded
    if loaded is None or loaded.wl is None or window.file is None:
        return False
    answer = ask(window, Path(path))
    if answer == APART:
        return False
    if answer == ADD:
        _import_as_snapshot(window, Path(path))
    return True


def _import_as_snapshot(window, path: Path) -> None:
    file = window.file
    window.dialog = dialog = ImportDialog(path, file.path, window.database, window.compute, window)
    dialog.snapshot = True
    dialog.setWindowTitle(f"Add a weekly snapshot: {path.name}")
    dialog.accepted.connect(lambda: _on_added(window, file, dialog))
    dialog.open()


def _on_added(window, file, dialog: ImportDialog) -> None:
    result = dialog.result
    warnings = ([result.snapshot.sentence()] if result and result.snapshot else []) + (result.warnings if result else [])
    window._import_warnings[path_key(file.path)] = warnings
    window.show_workspace(file)
