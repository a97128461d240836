"""Workshop mode: larger text for a room, and weights elicited from the people in it.

Two ways to turn a group's judgement into weights (the maths is in the core:
:mod:`workbench.rank.ahp` and :mod:`workbench.rank.swing`):

- **pairwise comparison** (analytic hierarchy process): for each pair of
  factors, which matters more and by how much on Saaty's 1-9 scale. The
  dialog shows the derived weights and the consistency ratio, with a warning
  above 0.10.
- **swing weighting**: the swing that matters most gets 100 points, the
  others 0-100 against it.

Either gives relative weights summing to 1. :func:`apply_relative_weights`
turns them into rule-set weights by sharing out the compared factors' current
total weight in those proportions, so the overall scale of the score (and so
the meaning of the social cap in weeks) is kept.
"""

from __future__ import annotations

from functools import partial
from itertools import combinations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.sizing import fit_rows, follow_font
from ui.undo import WeightsEdit
from workbench.rank.ahp import CONSISTENCY_LIMIT, AhpResult, ahp_weights, judgement_options, matrix_from_pairs
from workbench.errors import WorkbenchError
from workbench.rank.rule_edits import apply_relative_weights
from workbench.rank.rules import RuleSet
from workbench.rank.swing import TOP_POINTS, swing_weights
from workbench.report.glossary import explain_text, explained

WORKSHOP_SCALE = 1.4
WARNING_STYLE = "color: #a00000; font-weight: bold;"
OK_STYLE = "color: #005a00;"


def set_font_scale(scale: float, base: QFont | None = None) -> QFont:
    """Scale the whole app's font (1.0: back to ``base``); returns the base font to restore later."""
    app = QApplication.instance()
    base = QFont(base) if base is not None else QFont(app.font())
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * scale)
    else:
        font.setPixelSize(max(1, round(base.pixelSize() * scale)))
    app.setFont(font)
    return base


# --------------------------------------------------------------------------- dialogs
class _WeightsDialog(QDialog):
    """Shared parts: a table of derived weights and an Apply button (emits ``weightsApplied``)."""

    weightsApplied = Signal(dict)  # factor name -> new rule-set weight

    def __init__(self, rule_set: RuleSet, names: list[str], title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.rule_set = rule_set
        self.names = names
        self.relative: dict[str, float] | None = None
        self.result_table = QTableWidget(len(names), 4)
        self.result_table.setTabKeyNavigation(False)  # Tab goes on to the next control
        self.result_table.setHorizontalHeaderLabels(["Factor", "Derived weight", "Weight now", "Weight after"])
        self.result_table.verticalHeader().hide()
        self.result_table.setAccessibleName("Derived weights")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText("&Apply these weights")
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self, question: str, answers: QGridLayout, *terms: str) -> None:
        """The question (``terms`` explained in its tooltip), the answers (scrolling when there are many),
        the derived weights (every row shown), the status line and the buttons; then a first look."""
        layout = QVBoxLayout(self)
        self.question = QLabel(question)
        self.question.setWordWrap(True)
        self.question.setToolTip(explained(*terms))
        layout.addWidget(self.question)
        layout.addWidget(_scrolling(answers), 1)
        layout.addWidget(self.result_table)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._recompute()
        self._fit_to_font()

    def changeEvent(self, event) -> None:
        follow_font(self, event, self._fit_to_font)
        super().changeEvent(event)

    def _fit_to_font(self) -> None:
        """The derived weights' table tall enough for every factor, in the font of the moment."""
        fit_rows(self.result_table)
        table = self.result_table
        rows = table.verticalHeader().defaultSectionSize() * table.rowCount()
        scroll = table.horizontalScrollBar().sizeHint().height()  # in case the dialog is narrower than the table
        table.setFixedHeight(rows + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + scroll + 2)

    def _say(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def new_weights(self) -> dict[str, float]:
        """Rule-set weights the derived weights would give (empty until they can be worked out)."""
        return apply_relative_weights(self.rule_set, self.relative) if self.relative else {}

    def apply(self) -> None:
        weights = self.new_weights()
        if weights:
            self.weightsApplied.emit(weights)
            self.accept()

    def _show_weights(self) -> None:
        after = self.new_weights()
        for row, name in enumerate(self.names):
            share = self.relative.get(name) if self.relative else None
            cells = [name, "" if share is None else f"{100 * share:.1f}%", f"{self.rule_set.factor(name).weight:g}",
                     "" if name not in after else f"{after[name]:.3g}"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.result_table.setItem(row, column, item)
        self.result_table.resizeColumnsToContents()
        self.apply_button.setEnabled(bool(after))


class PairwiseDialog(_WeightsDialog):
    """Compare every pair of factors; see the AHP weights and consistency ratio as you go."""

    def __init__(self, rule_set: RuleSet, names: list[str] | None = None, parent: QWidget | None = None):
        names = list(names or [f.name for f in rule_set.factors])
        super().__init__(rule_set, names, "Weights by pairwise comparison", parent)
        self.result: AhpResult | None = None
        self.pairs: dict[tuple[str, str], QComboBox] = {}
        grid = QGridLayout()
        for row, (first, second) in enumerate(combinations(names, 2)):
            box = QComboBox()
            for text, value in judgement_options(first, second):
                box.addItem(text, value)
            box.setCurrentIndex(8)  # "equally important" until the room decides
            box.setAccessibleName(f"{first} against {second}")
            box.setToolTip("\n".join(filter(None, [explained("AHP"), explain_text(f"{first} {second}")])))
            box.currentIndexChanged.connect(self._recompute)
            grid.addWidget(_named(f"{first} or {second}?"), row, 0)
            grid.addWidget(box, row, 1)
            self.pairs[(first, second)] = box
        self._lay_out("For each pair: which matters more when ordering patients within a priority band, "
                      "and how much more?", grid, "AHP", "Consistency ratio")
        self.status.setToolTip(explained("Consistency ratio"))

    def set_judgement(self, first: str, second: str, value: float) -> None:
        """Choose the answer for a pair: ``value`` > 1 favours ``first`` (as the combo would)."""
        if (first, second) not in self.pairs:
            first, second, value = second, first, 1.0 / value
        box = self.pairs[(first, second)]
        index = min(range(box.count()), key=lambda i: abs(box.itemData(i) - value))
        box.setCurrentIndex(index)

    def _recompute(self) -> None:
        judgements = {pair: box.currentData() for pair, box in self.pairs.items()}
        try:
            self.result = ahp_weights(matrix_from_pairs(self.names, judgements), self.names)
        except WorkbenchError as problem:
            self.result, self.relative = None, None
            self._say(str(problem), WARNING_STYLE)
        else:
            self.relative = self.result.weights
            self._show_consistency(self.result.consistency_ratio)
        self._show_weights()

    def _show_consistency(self, ratio: float) -> None:
        if ratio > CONSISTENCY_LIMIT:
            self._say(f"⚠ Consistency ratio {ratio:.2f} is above {CONSISTENCY_LIMIT:.2f}: some answers "
                      "contradict each other. Revisit them before using these weights.", WARNING_STYLE)
        else:
            self._say(f"Consistency ratio {ratio:.2f} (at most {CONSISTENCY_LIMIT:.2f}): the answers agree.", OK_STYLE)


class SwingDialog(_WeightsDialog):
    """Give the swing that matters most 100 points and the others 0-100 against it."""

    def __init__(self, rule_set: RuleSet, names: list[str] | None = None, parent: QWidget | None = None):
        names = list(names or [f.name for f in rule_set.factors])
        super().__init__(rule_set, names, "Weights by swing weighting", parent)
        self.points: dict[str, QDoubleSpinBox] = {}
        grid = QGridLayout()
        for row, name in enumerate(names):
            box = QDoubleSpinBox()
            box.setRange(0.0, TOP_POINTS)
            box.setDecimals(0)
            box.setValue(TOP_POINTS if row == 0 else 50.0)
            box.setSuffix(" points")
            box.setAccessibleName(f"Points for the swing of {name}")
            box.valueChanged.connect(self._recompute)
            grid.addWidget(_named(name), row, 0)
            grid.addWidget(box, row, 1)
            self.points[name] = box
        self._lay_out("Imagine a patient moving from the worst to the best level of each factor. "
                      "Give the swing that matters most 100 points, and each other swing 0-100 against it.", grid,
                      "Swing weighting")

    def _recompute(self) -> None:
        try:
            self.relative = swing_weights({name: box.value() for name, box in self.points.items()})
        except WorkbenchError as problem:
            self.relative = None
            self._say(str(problem), WARNING_STYLE)
        else:
            self._say("Weights are each swing's points over the total.", OK_STYLE)
            self.status.setToolTip(explained("Swing weighting"))
        self._show_weights()


def _named(text: str) -> QLabel:
    """A factor's name as a label, any term in it explained in its tooltip."""
    label = QLabel(text)
    label.setToolTip(explain_text(text))
    return label


def _scrolling(grid: QGridLayout) -> QScrollArea:
    """The answers in a scroll area: eight factors make 28 pairs, more than a projector's height."""
    inner = QWidget()
    inner.setLayout(grid)
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumHeight(min(inner.sizeHint().height(), inner.fontMetrics().height() * 8))
    # As wide as the answers (up to most of the screen): scrolling sideways to read one would be absurd.
    room = inner.screen().availableGeometry().width() * 9 // 10
    area.setMinimumWidth(min(inner.sizeHint().width() + area.verticalScrollBar().sizeHint().width() + 4, room))
    return area


# --------------------------------------------------------------------------- in the controller
class WorkshopActions:
    """Workshop mode and the two weighting dialogs: a mixin of
    :class:`ui.prioritisation.PrioritisationController` (the weights come back as one undoable edit)."""

    def set_workshop_mode(self, on: bool) -> None:
        """Larger text for a room of people, and the room for the charts: the panels around the middle
        folded away but the rules, two charts at a time. Turned off, all is as it was (text, panels, charts)."""
        window = self.window
        if on and self._base_font is None:
            window.normal_state = window.saveState()  # the panels as they were, kept if the app closes now
            for dock in window.findChildren(QDockWidget):
                if dock is not self.rules_dock:
                    dock.hide()
            self._base_font = set_font_scale(WORKSHOP_SCALE)
            self.equity.set_workshop(True)
            wider = min(round(self.rules_dock.width() * WORKSHOP_SCALE), window.width() // 3)  # its text grew
            window.resizeDocks([self.rules_dock], [wider], Qt.Orientation.Horizontal)
        elif not on and self._base_font is not None:
            set_font_scale(1.0, self._base_font)
            self._base_font = None
            self.equity.set_workshop(False)
            window.restoreState(window.normal_state)
            window.normal_state = None
        self.workshop_action.setChecked(on)

    def open_pairwise(self) -> PairwiseDialog:
        self.dialog = PairwiseDialog(self.rules.rule_set, parent=self.window)
        self.dialog.weightsApplied.connect(partial(self._apply_weights, "pairwise comparison (AHP)"))
        self.dialog.open()
        return self.dialog

    def open_swing(self) -> SwingDialog:
        self.dialog = SwingDialog(self.rules.rule_set, parent=self.window)
        self.dialog.weightsApplied.connect(partial(self._apply_weights, "swing weighting"))
        self.dialog.open()
        return self.dialog

    def _apply_weights(self, how: str, weights: dict) -> None:
        self.rules.edit(WeightsEdit(self.rules, self.rules.rule_set, weights, how))
