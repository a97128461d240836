"""A progress bar with a Cancel button for the status bar, following one task at a time."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.workers import Task


class TaskProgress(QWidget):
    """Shows the progress of the task it follows; hidden when there is none.

    Invariant: ``task`` is the task shown, or ``None`` while hidden.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.task: Task | None = None
        self.message = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setAccessibleName("Progress")
        self.bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel the work in progress")
        self.cancel.clicked.connect(self._on_cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def follow(self, task: Task, message: str, can_cancel: bool = True) -> Task:
        """Show ``task``'s progress until it ends; returns the task for chaining."""
        self.task = task
        self.message.setText(message)
        self.bar.setValue(0)
        self.cancel.setVisible(can_cancel)
        self.cancel.setEnabled(True)
        task.progress.connect(lambda fraction, text: self._on_progress(task, fraction, text))
        task.ended.connect(lambda: self._on_ended(task))
        self.show()
        return task

    def _on_progress(self, task: Task, fraction: float, text: str) -> None:
        if task is self.task:
            self.bar.setValue(int(fraction * 1000))
            self.message.setText(text)

    def _on_ended(self, task: Task) -> None:
        if task is self.task:
            self.task = None
            self.hide()

    def _on_cancel(self) -> None:
        if self.task is not None:
            self.message.setText("Cancelling…")
            self.cancel.setEnabled(False)
            self.task.cancel()
