"""The decision log dock: who decided what and why, and whether the record is intact.

The panel only shows and asks; the controller writes to the workspace on the
database worker (:mod:`workbench.store.decisions`) and hands back the entries and
the result of checking the hash chain.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.report.glossary import explained
from workbench.report.identity import RuleSetIdentity, recorded_rationale
from workbench.store.decisions import GENESIS, BrokenLink, ChainHead, LogEntry

NO_CHANGES = "No changes to the rules since the last recorded decision."
NAME_NOT_GIVEN = "(name not given)"
WHY_PLACEHOLDER = "Why: the reasons the group agreed on"


class DecisionLogPanel(QWidget):
    """The log's entries, the chain status, and a form to record the next decision.

    ``recordRequested(person, rationale)`` asks the controller to record the
    pending changes; ``verifyRequested`` asks it to check the chain again.
    """

    recordRequested = Signal(str, str)
    verifyRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entries: list[LogEntry] = []
        self.identity: RuleSetIdentity | None = None  # of the rule set in force
        self._build()
        self.set_pending([])

    # What the controller calls ---------------------------------------------------
    def person(self) -> str:
        """The name typed, or a marker saying none was given (automatic entries need a name)."""
        return " ".join(self.name.text().split()) or NAME_NOT_GIVEN

    def set_pending(self, changes: list[str]) -> None:
        """The rule changes not yet recorded."""
        self.pending.setText("Not yet recorded: " + "; ".join(changes) if changes else NO_CHANGES)

    def show_rules(self, identity: RuleSetIdentity) -> None:
        """The rule set in force: an edited one needs a rationale of its own before it is recorded."""
        self.identity = identity
        self.rationale.setPlaceholderText(f"Required: why the rules were changed from {identity.edited_from.words}"
                                          if self._needs_rationale() else WHY_PLACEHOLDER)

    def show_entries(self, entries: list[LogEntry], broken: BrokenLink | None) -> None:
        """Show the log (newest first) and whether its hash chain verifies."""
        self.entries = list(entries)
        self.list.clear()
        if self.identity is not None:
            self.show_rules(self.identity)  # reasons recorded for these rules may have arrived
        for entry in reversed(entries):
            item = QListWidgetItem(entry.text())
            item.setToolTip(f"Rule set sha256 {entry.rules_sha256 or '(none)'}\nEntry hash {entry.entry_hash}\n\n"
                            + explained("sha256", "Hash chain"))
            self.list.addItem(item)
        self.show_chain(broken, ChainHead(len(entries), entries[-1].entry_hash if entries else GENESIS))

    def show_chain(self, broken: BrokenLink | None, head: ChainHead) -> None:
        """Whether the chain verifies, and its head: kept outside the workspace (the decision
        record prints it), it lets ``workbench verify`` show a rewritten or shortened log."""
        if broken is None:
            entries = "1 entry" if head.entries == 1 else f"{head.entries} entries"
            latest = f" Newest entry's hash: {head.head[:16]}…" if head.entries else ""
            self.chain.setText(f"✔ Record intact: {entries}, hash chain verified.{latest}")
            self.chain.setToolTip(f"The log's head: {head.describe()}. Keep it (the decision record prints it) to "
                                  "check later that no entry was rewritten or deleted: workbench verify\n\n"
                                  + explained("Hash chain"))
            self.chain.setStyleSheet("color: #005a00;")
        else:
            self.chain.setText(f"⚠ {broken.describe()}")
            self.chain.setStyleSheet("color: #a00000; font-weight: bold;")

    def recorded(self) -> None:
        """Clear the rationale once its decision is safely in the log."""
        self.rationale.clear()

    def show_problem(self, message: str) -> None:
        self.chain.setText(message)
        self.chain.setStyleSheet("color: #a00000;")

    # Slots -----------------------------------------------------------------------------
    def _on_record(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            self.show_problem("Type your name before recording a decision.")
            self.name.setFocus()
            return
        if self._needs_rationale() and not self.rationale.toPlainText().strip():
            self.show_problem(f"Say why the rules were changed from {self.identity.edited_from.words} before recording: "
                              "the decision record shows these reasons beside the changes, not the original's.")
            self.rationale.setFocus()
            return
        self.recordRequested.emit(name, self.rationale.toPlainText())

    def _needs_rationale(self) -> bool:
        """Edited rules with no reasons recorded for them yet (by sha256)."""
        identity = self.identity
        return bool(identity and identity.edited and recorded_rationale(self.entries, identity.sha256) is None)

    # Building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("Your name, as it should appear in the record")
        self.name.setAccessibleName("Your name")
        self.rationale = QPlainTextEdit()
        self.rationale.setPlaceholderText(WHY_PLACEHOLDER)
        self.rationale.setAccessibleName("Rationale")
        self.rationale.setMaximumHeight(80)
        self.pending = QLabel()
        self.pending.setWordWrap(True)
        self.record_button = QPushButton("Record decision")
        self.record_button.clicked.connect(self._on_record)
        self.verify_button = QPushButton("Verify record")
        self.verify_button.clicked.connect(self.verifyRequested)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.chain.setAccessibleName("Decision log integrity")
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Rationale:", self.rationale)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        # A list of wrapped entries reads better than a table in a narrow dock.
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.setAccessibleName("Decision log, newest first")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self.pending)
        layout.addLayout(buttons)
        layout.addWidget(self.chain)
        layout.addWidget(self.list, 1)
