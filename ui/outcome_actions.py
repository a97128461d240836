"""File menu actions for validation: export who is due for validation, and record what the team found.

*Export due-for-validation worklist…* writes :mod:`workbench.report.validation_due`'s
worklist; *Record validation outcomes…* reads a worklist the team filled in
back into the workspace (:mod:`workbench.store.outcomes`). Outcome words the
workbench does not know are listed in a dialog for the user to say what each
means (:class:`OutcomeWordsDialog`); nothing is guessed and nothing is recorded
until every word has a meaning. All workspace work runs on the window's
database worker.
"""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from workbench.report.validation_due import write_due_from
from workbench.store.outcomes import OUTCOMES, record_file, unknown_words

RETURNED_FILTER = "Worklists (*.xlsx *.csv);;All files (*)"
CHOOSE = "(choose what it means)"


class OutcomeWordsDialog(QDialog):
    """Say what each unknown outcome word means; OK only once every word has a meaning."""

    def __init__(self, file_name: str, words: list[tuple[str, int]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Outcome words to map")
        self.setAccessibleName("Outcome words to map")
        self.boxes: dict[str, QComboBox] = {}
        intro = QLabel(f"{escape(file_name)} uses outcome words the workbench does not know. Say what each means: "
                       "nothing is guessed, and nothing is recorded until every word has a meaning.")
        intro.setWordWrap(True)
        form = QFormLayout()
        for word, count in words:
            box = QComboBox()
            box.addItems([CHOOSE, *OUTCOMES])
            box.currentIndexChanged.connect(self._update)
            self.boxes[word] = box
            form.addRow(f"'{word}' ({count:,} row{'' if count == 1 else 's'})", box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update()

    def word_map(self) -> dict[str, str]:
        return {word: box.currentText() for word, box in self.boxes.items() if box.currentIndex() > 0}

    def _update(self) -> None:
        complete = len(self.word_map()) == len(self.boxes)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(complete)


class OutcomeActions:
    """The two File menu actions, tied to the window's workspace."""

    def __init__(self, window):
        self.window = window
        self.dialog: OutcomeWordsDialog | None = None
        menu = window.file_menu
        actions = menu.actions()
        after_export = actions[actions.index(window.actions_by_name["export"]) + 1]
        for name, text, slot in (("export_due", "Export &due-for-validation worklist…", self.export_due),
                                 ("record_outcomes", "&Record validation outcomes…", self.record_outcomes)):
            menu.insertAction(after_export, window._action(menu, name, text, None, slot))  # beside the findings worklist

    def _workspace(self) -> Path | None:
        loaded = self.window.loaded
        if loaded is None or loaded.wl is None:
            self.window.statusBar().showMessage("Open a waiting list first.", 5000)
            return None
        return loaded.file.path

    def export_due(self, path: str | Path | None = None):
        workspace = self._workspace()
        path = Path(path) if path else (workspace and self.window._ask_save_path(
            "Export due-for-validation worklist", "Excel workbook (*.xlsx)", ".xlsx"))
        if not workspace or not path:
            return None
        task = self.window.database.submit(partial(write_due_from, workspace, path), lane="export",
                                           description="Exporting the due worklist")
        self.window.progress.follow(task, f"Writing {path.name}…")
        task.finished.connect(lambda due: self.window.statusBar().showMessage(
            f"{len(due):,} pathways due for validation written to {path}", 8000))
        task.failed.connect(self.window._show_error)
        return task

    def record_outcomes(self, path: str | Path | None = None):
        """Look for unknown outcome words first (asking what they mean), then record all or nothing."""
        workspace = self._workspace()
        path = Path(path) if path else (workspace and self.window._ask_open_path("Record validation outcomes", RETURNED_FILTER))
        if not workspace or not path:
            return None
        task = self.window.compute.submit(partial(unknown_words, path), lane="outcome-words")
        task.finished.connect(lambda words: self._on_words(workspace, path, words))
        task.failed.connect(self.window._show_error)
        return task

    def _on_words(self, workspace: Path, path: Path, words: list[tuple[str, int]]) -> None:
        if not words:
            self._record(workspace, path, {})
            return
        self.dialog = OutcomeWordsDialog(path.name, words, self.window)
        self.dialog.accepted.connect(lambda: self._record(workspace, path, self.dialog.word_map()))
        self.dialog.open()

    def _record(self, workspace: Path, path: Path, word_map: dict[str, str]):
        task = self.window.database.submit(partial(record_file, path, workspace, word_map), lane="outcomes",
                                           description="Recording validation outcomes")
        self.window.progress.follow(task, f"Reading {path.name}…", can_cancel=False)
        task.finished.connect(self._on_recorded)
        task.failed.connect(self.window._show_error)
        return task

    def _on_recorded(self, recorded) -> None:
        counts = ", ".join(f"{outcome} {count:,}" for outcome, count in recorded.by_outcome.items())
        self.window.statusBar().showMessage(f"{recorded.recorded:,} outcomes recorded from {recorded.file_name}: {counts}.", 10000)
        trends = getattr(self.window, "trends", None)
        if trends is not None:
            trends.refresh()


def install_outcome_actions(window) -> OutcomeActions:
    if getattr(window, "outcome_actions", None) is None:
        window.outcome_actions = OutcomeActions(window)
    return window.outcome_actions
