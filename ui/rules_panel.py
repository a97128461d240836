"""The rule set as controls: bands, each factor's weight and transform, the social cap, files.

The panel never edits a rule set in place (they are frozen): every control
pushes a command from :mod:`ui.undo` onto :attr:`RulesPanel.undo_stack`, the
command hands the edited copy back through :meth:`RulesPanel.apply_rule_set`,
and the panel emits ``ruleSetChanged`` for the live preview. So every change
can be undone, and the controls always show exactly the rule set in force.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.undo import (
    AddFactorEdit, BandPolicyEdit, MissingPolicyEdit, RemoveFactorEdit, ReplaceRules, SocialCapEdit, TransformEdit,
    WeightEdit,
)
from workbench.rank.rule_edits import unique_factor_name
from workbench.errors import WorkbenchError
from workbench.rank.rule_words import describe_factor, format_lookup, parse_lookup, source_title
from workbench.rank.rules import (
    CLINICAL, MISSING_WORDS, SOCIAL, TRANSFORMS, Factor, RuleSet, factor_sources,
)
from workbench.rank.rule_writer import dump_rules
from workbench.rank.rule_file import load_rules
from workbench.report.glossary import explain_text, explained
from workbench.report.identity import rule_set_identity

RULES_FILTER = "Rule sets (*.toml);;All files (*)"
SLIDER_STEPS_PER_WEEK = 10  # the slider moves in tenths of a weeks-equivalent
SLIDER_MAX_WEEKS = 20.0
DEFAULT_CAP_WEEKS = 8.0
PROBLEM_STYLE = "color: #a00000;"


# --------------------------------------------------------------------------- one factor
class FactorEditor(QGroupBox):
    """The controls of one factor. Emits what the user asked for; never edits a rule set itself."""

    weightChanged = Signal(str, float)
    transformChanged = Signal(str, str, dict)
    missingChanged = Signal(str, str)
    removeRequested = Signal(str)

    def __init__(self, factor: Factor, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = factor.name
        self._build()
        self.show_factor(factor)

    # Showing ---------------------------------------------------------------
    def show_factor(self, factor: Factor) -> None:
        """Show ``factor``'s settings without emitting anything."""
        self.factor = factor
        social = " · social" if factor.is_social else ""
        self.setTitle(f"{factor.name}{social}")
        terms = explain_text(f"{factor.name} {source_title(factor.source)} {factor.transform}")
        self.setToolTip(describe_factor(factor) + (f"\n\n{terms}" if terms else ""))
        with _Quiet(self.slider, self.spin, self.transform, self.at_least, self.maximum, self.lookup, self.missing):
            self._fit_slider(factor.weight)
            self.slider.setValue(round(factor.weight * SLIDER_STEPS_PER_WEEK))
            self.spin.setValue(factor.weight)
            self.transform.setCurrentIndex(TRANSFORMS.index(factor.transform))
            self.settings.setCurrentIndex(TRANSFORMS.index(factor.transform))
            if factor.at_least is not None:
                self.at_least.setValue(factor.at_least)
            if factor.maximum is not None:
                self.maximum.setValue(factor.maximum)
            if factor.lookup:
                self.lookup.setText(format_lookup(factor.lookup))
            self.missing.setCurrentIndex(list(MISSING_WORDS).index(factor.missing))
        self.lookup.setStyleSheet("")
        self.source.setText(f"Column: {source_title(factor.source)}")

    # Slots -----------------------------------------------------------------
    def _on_slider_moved(self, value: int) -> None:
        self.weightChanged.emit(self.name, value / SLIDER_STEPS_PER_WEEK)

    def _on_spin_changed(self, value: float) -> None:
        self.weightChanged.emit(self.name, round(value, 2))

    def _on_transform_chosen(self, index: int) -> None:
        self.settings.setCurrentIndex(index)
        self._emit_transform()

    def _emit_transform(self) -> None:
        transform = TRANSFORMS[self.transform.currentIndex()]
        settings: dict = {}
        if transform == "threshold":
            settings["at_least"] = self.at_least.value()
        elif transform == "capped":
            settings["maximum"] = self.maximum.value()
        elif transform == "banded":
            try:
                settings["lookup"] = parse_lookup(self.lookup.text())
            except ValueError as problem:
                self.lookup.setStyleSheet("border: 2px solid #a00000;")
                self.lookup.setToolTip(f"Not used: {problem}")
                return
            self.lookup.setStyleSheet("")
            self.lookup.setToolTip(explained("Banded"))
        self.transformChanged.emit(self.name, transform, settings)

    # Building --------------------------------------------------------------
    def _build(self) -> None:
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName(f"Weight of {self.name}")
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(-1000.0, 1000.0)
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.1)
        self.spin.setKeyboardTracking(False)  # one change when typing stops, not one per key
        self.spin.setAccessibleName(f"Weight of {self.name} (weeks-equivalent)")
        self.spin.setToolTip("The factor's weight: weeks-equivalent for each point of its value.\n\n"
                             + explained("Weeks-equivalent"))
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.transform = QComboBox()
        self.transform.addItems(list(TRANSFORMS))  # the words of the rule file, so the two read alike
        self.transform.setToolTip(explained("Transform", "Banded"))
        self.transform.setAccessibleName(f"Transform of {self.name}")
        _compact(self.transform)
        self.transform.currentIndexChanged.connect(self._on_transform_chosen)
        self.settings = self._transform_settings()
        self.missing = QComboBox()
        self.missing.addItems([f"missing: {words}" for words in MISSING_WORDS.values()])
        self.missing.setAccessibleName(f"Missing values of {self.name}")
        self.missing.setToolTip(explained("When missing"))
        _compact(self.missing)
        self.missing.currentIndexChanged.connect(
            lambda i: self.missingChanged.emit(self.name, list(MISSING_WORDS)[i]))
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName(f"Remove factor {self.name}")
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self.name))
        self.source = QLabel()
        self.source.setStyleSheet("color: #444;")
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.slider, 0, 0, 1, 2)
        grid.addWidget(self.spin, 0, 2)
        grid.addWidget(self.transform, 1, 0)
        grid.addWidget(self.settings, 1, 1, 1, 2)
        grid.addWidget(self.missing, 2, 0, 1, 2)
        grid.addWidget(self.remove, 2, 2)
        grid.addWidget(self.source, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def _transform_settings(self) -> QStackedWidget:
        stack = QStackedWidget()
        stack.addWidget(QLabel("value as it is"))
        self.at_least = self._number_box("at least ", 1.0)
        self.maximum = self._number_box("at most ", 52.0)
        self.lookup = QLineEdit()
        self.lookup.setPlaceholderText("from-to: value; e.g. 1-1: 4; 2-2: 2")
        self.lookup.setAccessibleName(f"Bands of {self.name}")
        self.lookup.setToolTip(explained("Banded"))
        self.lookup.editingFinished.connect(self._emit_transform)
        for widget in (self.at_least, self.maximum, self.lookup):
            stack.addWidget(widget)
        return stack

    def _number_box(self, prefix: str, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setPrefix(prefix)
        box.setRange(-9999.0, 9999.0)  # ages, deciles, weeks, scores: four digits is plenty
        box.setDecimals(1)
        box.setValue(value)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(self._emit_transform)
        return box

    def _fit_slider(self, weight: float) -> None:
        """Widen the slider's range when a weight is typed beyond it (never narrow it mid-drag)."""
        top = max(SLIDER_MAX_WEEKS, math.ceil(abs(weight) * 1.5))
        bottom = min(0.0, -top if weight < 0 else 0.0)
        steps = SLIDER_STEPS_PER_WEEK
        if self.slider.maximum() < top * steps or self.slider.minimum() > bottom * steps:
            self.slider.setRange(int(min(self.slider.minimum(), bottom * steps)), int(max(self.slider.maximum(), top * steps)))


class _Quiet:
    """Block the signals of some widgets for a ``with`` block (showing values is not editing them)."""

    def __init__(self, *widgets):
        self.widgets = widgets

    def __enter__(self):
        self.was = [w.blockSignals(True) for w in self.widgets]

    def __exit__(self, *exc):
        for widget, was in zip(self.widgets, self.was):
            widget.blockSignals(was)


# --------------------------------------------------------------------------- the panel
class RulesPanel(QWidget):
    """The rule set in force, as controls.

    Invariants: ``rule_set`` is what the controls show and what was last
    emitted by ``ruleSetChanged``; every change to it went through
    ``undo_stack`` (except :meth:`set_rule_set`, which starts afresh).
    ``saved_sha256`` is the fingerprint of what is in ``rules_path``.
    """

    ruleSetChanged = Signal(object)  # RuleSet
    savedTo = Signal(object)  # Path
    openedFrom = Signal(object)  # Path

    def __init__(self, rule_set: RuleSet, parent: QWidget | None = None):
        super().__init__(parent)
        self.rule_set = rule_set
        self.rules_path: Path | None = None
        self.saved_sha256: str | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.editors: dict[str, FactorEditor] = {}
        self._build()
        self._show(rule_set)

    # Setting the rule set ------------------------------------------------------
    def set_rule_set(self, rule_set: RuleSet, path: Path | None = None) -> None:
        """Start from ``rule_set`` (a new list, or on opening): the undo history starts afresh."""
        self.undo_stack.clear()
        self.rules_path = Path(path) if path else None
        self.saved_sha256 = rule_set.sha256 if path else None
        self.apply_rule_set(rule_set)

    def apply_rule_set(self, rule_set: RuleSet) -> None:
        """Show ``rule_set`` and announce it (the undo commands call this)."""
        self.rule_set = rule_set
        self._show(rule_set)
        self.ruleSetChanged.emit(rule_set)

    def edit(self, command) -> None:
        """Apply an edit through the undo stack (so it can be undone)."""
        if command.after != command.before:
            self.undo_stack.push(command)

    def set_columns(self, columns: list[str]) -> None:
        """The list's columns a new factor can use."""
        self.add_source.clear()
        for source in factor_sources(columns):
            self.add_source.addItem(source_title(source), source)

    def show_problem(self, message: str | None) -> None:
        """A problem with the rule set on this list (for example a column it does not have)."""
        self.problem.setText(message or "")
        self.problem.setVisible(bool(message))

    # Files ---------------------------------------------------------------------
    def open_rules(self, path: str | Path | None = None) -> RuleSet | None:
        """Read a rule set file and use it (undoable). A bad file shows its problem and changes nothing."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Open rule set", str(self._folder()), RULES_FILTER)
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        try:
            rule_set = load_rules(path)
        except WorkbenchError as problem:
            self.show_problem(str(problem))
            return None
        self.edit(ReplaceRules(self, self.rule_set, rule_set, f"Open rule set {path.name}"))
        self.rules_path, self.saved_sha256 = path, rule_set.sha256
        self._show_identity(self.rule_set)
        self.openedFrom.emit(path)
        return rule_set

    def save_rules(self) -> Path | None:
        """Write the rule set to its file (Save As if it has none yet)."""
        if self.rules_path is None:
            return self.save_rules_as()
        return self._write(self.rules_path)

    def save_rules_as(self, path: str | Path | None = None) -> Path | None:
        """Write the rule set to a file the user names."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Save rule set as", str(self._folder()), RULES_FILTER)
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        if path.suffix.lower() != ".toml":
            path = path.with_name(path.name + ".toml")
        return self._write(path)

    def _write(self, path: Path) -> Path | None:
        try:
            path.write_text(dump_rules(self.rule_set), encoding="utf-8")
        except OSError as error:
            self.show_problem(f"{path.name}: could not save the rule set ({error.strerror or error})")
            return None
        self.rules_path, self.saved_sha256 = path, self.rule_set.sha256
        self._show_identity(self.rule_set)
        self.savedTo.emit(path)
        return path

    def _folder(self) -> Path:
        return self.rules_path.parent if self.rules_path else Path.home()

    # Slots ---------------------------------------------------------------------
    def _on_weight(self, name: str, weight: float) -> None:
        self.edit(WeightEdit(self, self.rule_set, name, weight))

    def _on_transform(self, name: str, transform: str, settings: dict) -> None:
        self.edit(TransformEdit(self, self.rule_set, name, transform, **settings))

    def _on_missing(self, name: str, policy: str) -> None:
        self.edit(MissingPolicyEdit(self, self.rule_set, name, policy))

    def _on_remove(self, name: str) -> None:
        if len(self.rule_set.factors) == 1:
            self.show_problem("A rule set needs at least one factor: add another before removing this one.")
            return
        self.edit(RemoveFactorEdit(self, self.rule_set, name))

    def _on_add(self) -> None:
        source = self.add_source.currentData()
        if source is None:
            return
        group = SOCIAL if self.add_group.currentIndex() == 0 else CLINICAL
        name = unique_factor_name(self.rule_set, source_title(source))
        factor = Factor(name=name, source=source, weight=1.0, group=group, label=name.lower())
        self.edit(AddFactorEdit(self, self.rule_set, factor))

    def _on_cap(self) -> None:
        weeks = self.cap_weeks.value() if self.cap_on.isChecked() else None
        self.edit(SocialCapEdit(self, self.rule_set, weeks))

    def _on_overlap(self) -> None:
        if not self.overlap_on.isChecked():
            weeks = (0.0,) * len(self.rule_set.bands.order)
        else:
            weeks = (0.0,) + tuple(box.value() for box in self.overlap_boxes)
        self.overlap_grid.setVisible(self.overlap_on.isChecked())
        self.edit(BandPolicyEdit(self, self.rule_set, weeks))

    # Showing -------------------------------------------------------------------
    def _show(self, rule_set: RuleSet) -> None:
        self._show_identity(rule_set)
        self._show_bands(rule_set)
        with _Quiet(self.cap_on, self.cap_weeks):
            self.cap_on.setChecked(rule_set.social_cap_weeks is not None)
            if rule_set.social_cap_weeks is not None:
                self.cap_weeks.setValue(rule_set.social_cap_weeks)
        self.cap_weeks.setEnabled(rule_set.social_cap_weeks is not None)
        if [f.name for f in rule_set.factors] == list(self.editors):
            for factor in rule_set.factors:
                self.editors[factor.name].show_factor(factor)
        else:
            self._rebuild_factors(rule_set)

    def _show_identity(self, rule_set: RuleSet) -> None:
        modified = self.saved_sha256 is not None and rule_set.sha256 != self.saved_sha256
        where = f" · {self.rules_path.name}{' (changed, not saved)' if modified else ''}" if self.rules_path else " · not saved to a file"
        identity = rule_set_identity(rule_set)
        self.title.setText(f"<b>{escape(identity.title)}</b>{escape(where)}")
        self.changes.setText(f"Changes: {identity.changes_text()}" if identity.edited else "")
        self.changes.setVisible(identity.edited)
        self.changes.setToolTip("What differs from the rule set these rules were edited from. Its description and "
                                "rationale no longer apply: the decision log asks for the reasons for these changes.")
        self.sha.setText(f"sha256 {rule_set.sha256[:16]}…")
        self.sha.setToolTip(f"sha256 {rule_set.sha256}\n\n{explained('sha256')}")
        self.sha.setAccessibleName(f"Rule set sha256 {rule_set.sha256}")

    def _show_bands(self, rule_set: RuleSet) -> None:
        self.bands_label.setText("Order: " + " → ".join(rule_set.bands.names))
        self._ensure_overlap_boxes(rule_set.bands.names)
        with _Quiet(self.overlap_on, *self.overlap_boxes):
            if not rule_set.bands.strict:
                self.overlap_on.setChecked(True)
            for box, weeks in zip(self.overlap_boxes, rule_set.bands.overlap_weeks[1:]):
                box.setValue(weeks)
        self.overlap_grid.setVisible(self.overlap_on.isChecked())

    def _ensure_overlap_boxes(self, names: tuple[str, ...]) -> None:
        if [b.property("band") for b in self.overlap_boxes] == list(names[1:]):
            return
        layout = self.overlap_grid.layout()
        for box in self.overlap_boxes:
            layout.removeRow(box)
        self.overlap_boxes = []
        for name in names[1:]:
            box = QDoubleSpinBox()
            box.setRange(0.0, 104.0)
            box.setSuffix(" weeks")
            box.setKeyboardTracking(False)
            box.setProperty("band", name)
            box.setAccessibleName(f"Overlap of {name} with the band before it")
            box.valueChanged.connect(self._on_overlap)
            box.setToolTip(f"How far {name}'s best-placed patients may interleave with the end of the band before")
            layout.addRow(f"{name} overlap:", box)
            self.overlap_boxes.append(box)

    def _rebuild_factors(self, rule_set: RuleSet) -> None:
        for editor in self.editors.values():
            self.factor_layout.removeWidget(editor)
            editor.deleteLater()
        self.editors = {}
        for position, factor in enumerate(rule_set.factors):
            editor = FactorEditor(factor)
            editor.weightChanged.connect(self._on_weight)
            editor.transformChanged.connect(self._on_transform)
            editor.missingChanged.connect(self._on_missing)
            editor.removeRequested.connect(self._on_remove)
            self.factor_layout.insertWidget(position, editor)
            self.editors[factor.name] = editor

    # Building ------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._file_row())
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(1)  # wrap rather than widen the dock
        self.changes = QLabel()
        self.changes.setWordWrap(True)
        self.changes.setMinimumWidth(1)
        self.changes.setAccessibleName("Changes from the original rule set")
        self.sha = QLabel()
        self.sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setAccessibleName("Problem with the rule set")
        self.problem.hide()
        for widget in (self.title, self.changes, self.sha, self.problem):
            layout.addWidget(widget)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # A narrow dock scrolls sideways rather than squeezing the controls.
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addWidget(self._bands_box())
        inner_layout.addWidget(self._cap_box())
        factors = QGroupBox("Factors within a band (weeks-equivalent)")
        factors.setToolTip(explained("Weeks-equivalent", "Score"))
        self.factor_layout = QVBoxLayout(factors)
        self.factor_layout.setContentsMargins(2, 2, 2, 2)
        self.factor_layout.addLayout(self._add_row())
        inner_layout.addWidget(factors)
        inner_layout.addStretch(1)
        scroll.setWidget(inner)
        layout.addWidget(scroll, 1)

    def _file_row(self) -> QGridLayout:
        """Open, Save, Save as on one row; Undo and Redo under them (the dock can be narrow)."""
        grid = QGridLayout()
        grid.setSpacing(2)
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(lambda: self.open_rules())
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save_rules)
        self.save_as_button = QPushButton("Save as…")
        self.save_as_button.clicked.connect(lambda: self.save_rules_as())
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.redo_button = QPushButton("Redo")
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        places = {self.open_button: (0, 0), self.save_button: (0, 1), self.save_as_button: (0, 2),
                  self.undo_button: (1, 0), self.redo_button: (1, 1)}
        for button, (row, column) in places.items():
            button.setMinimumWidth(0)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            grid.addWidget(button, row, column)
        return grid

    def _bands_box(self) -> QGroupBox:
        box = QGroupBox("Clinical priority bands")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 4, 6, 4)
        self.bands_label = QLabel()
        self.bands_label.setWordWrap(True)
        self.overlap_on = QCheckBox("Allow bounded moves across bands")
        self.overlap_on.setToolTip("Off (recommended): no factor ever moves a patient past a more urgent band")
        self.overlap_on.toggled.connect(self._on_overlap)
        self.overlap_grid = QWidget()
        QFormLayout(self.overlap_grid).setContentsMargins(0, 0, 0, 0)
        self.overlap_boxes: list[QDoubleSpinBox] = []
        strict = QLabel("Strict by default: no patient is placed ahead of a more urgent band.")
        strict.setWordWrap(True)
        layout.addWidget(self.bands_label)
        layout.addWidget(strict)
        layout.addWidget(self.overlap_on)
        layout.addWidget(self.overlap_grid)
        return box

    def _cap_box(self) -> QGroupBox:
        box = QGroupBox("Social advancement cap")
        box.setToolTip(explained("Social cap"))
        row = QVBoxLayout(box)
        row.setContentsMargins(6, 4, 6, 4)
        self.cap_on = QCheckBox("Cap social + deprivation at")
        self.cap_on.setToolTip(explained("Social cap"))
        self.cap_on.toggled.connect(self._on_cap)
        self.cap_weeks = QDoubleSpinBox()
        self.cap_weeks.setRange(0.0, 104.0)
        self.cap_weeks.setValue(DEFAULT_CAP_WEEKS)
        self.cap_weeks.setSuffix(" weeks")
        self.cap_weeks.setKeyboardTracking(False)
        self.cap_weeks.setAccessibleName("Social cap in weeks-equivalent")
        self.cap_weeks.valueChanged.connect(self._on_cap)
        row.addWidget(self.cap_on)
        row.addWidget(self.cap_weeks)
        return box

    def _add_row(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(2)
        self.add_source = QComboBox()
        self.add_source.setAccessibleName("Column for a new factor")
        self.add_source.setToolTip("The column a new factor scores.\n\n" + explained("Deprivation fifth", "Core20"))
        _compact(self.add_source)
        self.add_group = QComboBox()
        self.add_group.addItems(["social", "clinical/time"])
        self.add_group.setAccessibleName("Group of the new factor")
        _compact(self.add_group)
        self.add_button = QPushButton("Add factor")
        self.add_button.clicked.connect(self._on_add)
        grid.addWidget(QLabel("Add a factor from:"), 0, 0, 1, 2)
        grid.addWidget(self.add_source, 1, 0, 1, 2)
        grid.addWidget(self.add_group, 2, 0)
        grid.addWidget(self.add_button, 2, 1)
        grid.setColumnStretch(0, 1)
        return grid


def _compact(box: QComboBox) -> None:
    """Let a combo box be narrower than its longest entry (the dock is narrow; the list opens wide)."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
