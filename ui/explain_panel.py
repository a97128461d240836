"""'Why this patient?': one patient's factor contributions, band, both ranks and a sentence,
and the rank the patient would have without each social factor.

The bar chart is built once; showing another patient only moves its bars
(``setOpts``) and relabels the axis, so clicking down a million-row list stays
instant. The ranks without each factor come from the controller's
:class:`~workbench.ranking.WithoutFactors`, worked out on a worker once per
rule set; until then the panel says they are being worked out.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench import formats
from workbench.rank.ranking import Explanation
from workbench.view.columns import BAND, BASELINE_RANK, MOVEMENT, NEW_RANK, SCORE, label, movement_text

GAIN, LOSS = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion
NOTHING_SELECTED = "Select a patient in the prioritised list to see why they are where they are."
WITHOUT_TITLE = "Without each social factor"
WITHOUT_TOOLTIP = ("The rank this patient would have if the rule set gave no one a social factor's credit (its "
                   "weight 0, everything else the same): how much the factor moves them. A factor that does not "
                   "apply to them can still move them, as others lose its credit. The chart gives it for each.")
WORKING_OUT = "working out…"
FACTS = ("pathway_id", BAND, "weeks_waited", NEW_RANK, BASELINE_RANK, MOVEMENT, SCORE)  # shown beside the chart


class ExplainPanel(QWidget):
    """Shows one :class:`~workbench.rank.ranking.Explanation` (or a prompt when none)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self._build()
        self.show_explanation(None)

    def show_explanation(self, explanation: Explanation | None, without_pending: bool = False) -> None:
        """Show why this patient is where they are (``None``: the prompt). ``without_pending``: the ranks
        without each social factor are still being worked out."""
        self.explanation = explanation
        if explanation is None:
            self.sentence.setText(NOTHING_SELECTED)
            for fact in self.facts.values():
                fact.setText("")
            self._show_bars([], [])
            return
        self.sentence.setText(explanation.sentence())
        facts = {"pathway_id": explanation.pathway_id or f"row {explanation.row_id}", BAND: explanation.band,
                 "weeks_waited": formats.decimal(explanation.weeks_waited, 1, "not known"),
                 NEW_RANK: formats.count(explanation.rank), BASELINE_RANK: formats.count(explanation.baseline_rank),
                 MOVEMENT: movement_text(explanation.movement), SCORE: formats.decimal(explanation.score, 2)}
        for key, text in facts.items():
            self.facts[label(key)].setText(text)
        self.facts[WITHOUT_TITLE].setText(WORKING_OUT if without_pending else biggest_without(explanation))
        self.facts[WITHOUT_TITLE].setToolTip(WITHOUT_TOOLTIP + ("<br><br>" + without_html(explanation)
                                                                if explanation.rank_without else ""))
        names = list(explanation.contributions)
        notes = [f"rank {explanation.rank_without[n]:,} without" if n in explanation.rank_without else ""
                 for n in names]
        self._show_bars([explanation.words[n] or n for n in names], [explanation.contributions[n] for n in names],
                        notes)

    def bar_values(self) -> list[float]:
        """The contributions the chart shows, top to bottom (for tests and screen readers)."""
        widths = self.bars.opts.get("width")
        x0 = self.bars.opts.get("x0")
        if widths is None or len(np.atleast_1d(widths)) == 0:
            return []
        signed = np.where(np.asarray(x0) < 0, -np.asarray(widths), np.asarray(widths))
        return signed.tolist()

    # Drawing -----------------------------------------------------------------------
    def _show_bars(self, labels: list[str], values: list[float], notes: list[str] | None = None) -> None:
        """Bars of the contributions; ``notes`` follow each value (the rank without a social factor)."""
        notes = notes or [""] * len(values)
        values_array = np.asarray(values, dtype=float)
        y = np.arange(len(values_array), dtype=float)
        self.bars.setOpts(
            x0=np.minimum(values_array, 0.0), y=y, width=np.abs(values_array), height=0.6,
            brushes=[pg.mkBrush(GAIN if v >= 0 else LOSS) for v in values_array],
        )
        self.plot.getAxis("left").setTicks([list(zip(y.tolist(), labels))])
        for text, (position, value) in zip(self._pool(self.labels, len(values_array), 0), enumerate(values_array)):
            text.setText(f"{value:+.1f}")
            text.setPos(max(value, 0.0), position)
        low, high = min(0.0, values_array.min(initial=0.0)), max(0.0, values_array.max(initial=0.0))
        # With notes, the right part of the chart is left for them, written from its right edge.
        pad = (1.5 if any(notes) else 0.25) * max(high - low, 1.0)
        for text, (position, note) in zip(self._pool(self.notes, len(notes), 1), enumerate(notes)):
            text.setText(note)
            text.setPos(high + pad, position)
        if len(values_array):
            self.plot.setXRange(low - 0.05 * pad, high + pad, padding=0)
            self.plot.setYRange(-0.6, len(values_array) - 0.4, padding=0)
        self.plot.setAccessibleDescription("; ".join(
            f"{label} {value:+.1f}" + (f", {note}" if note else "") for label, value, note in zip(labels, values_array, notes)))

    def _pool(self, pool: list[pg.TextItem], count: int, anchor_x: float) -> list[pg.TextItem]:
        """``count`` labels from a pool made once and reused for every patient (the rest hidden);
        ``anchor_x`` 0 writes from a point rightwards, 1 leftwards."""
        while len(pool) < count:
            text = pg.TextItem(color="#222222", anchor=(anchor_x, 0.5))
            self.plot.addItem(text)
            pool.append(text)
        for number, text in enumerate(pool):
            text.setVisible(number < count)
        return pool[:count]

    # Building -----------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("<b>Why this patient?</b>")
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setAccessibleName("Why this patient is where they are")
        self.sentence.setTextInteractionFlags(self.sentence.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        self.facts = {}
        for name in (*(label(key) for key in FACTS), WITHOUT_TITLE):
            self.facts[name] = QLabel()
            self.facts[name].setAccessibleName(name)
            form.addRow(f"{name}:", self.facts[name])
        self.facts[WITHOUT_TITLE].setToolTip(WITHOUT_TOOLTIP)
        self.facts[WITHOUT_TITLE].setWordWrap(True)
        form.labelForField(self.facts[WITHOUT_TITLE]).setToolTip(WITHOUT_TOOLTIP)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setTitle("Factor contributions (weeks-equivalent)", color="#222222", size="9pt")
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen("#444444")
            self.plot.getAxis(side).setTextPen("#222222")
        self.plot.getViewBox().invertY(True)  # first factor at the top, as in the rule set
        self.plot.setMinimumHeight(150)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6)
        self.plot.addItem(self.bars)
        self.plot.addLine(x=0, pen=pg.mkPen("#444444"))
        self.labels: list[pg.TextItem] = []
        self.notes: list[pg.TextItem] = []
        # Words on the left, the chart on the right: the panel sits under the list, wide and short,
        # so the words scroll when a small screen leaves it too little height.
        holder = QWidget()
        words = QVBoxLayout(holder)
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(title)
        words.addWidget(self.sentence)
        words.addLayout(form)
        words.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll, 2)
        layout.addWidget(self.plot, 3)


def biggest_without(explanation: Explanation) -> str:
    """The social factor that moves this patient most, with their rank without it (the chart gives each).

    >>> e = Explanation(0, 1, "A", "P2", 3.0, 7.0, {"Carer": 1.0, "LD": 0.0}, {"Carer": "carer", "LD": "learning "
    ...                 "disability"}, ("Carer", "LD"), 5, 9, None, False, rank_without={"Carer": 7, "LD": 5})
    >>> biggest_without(e)
    '7 without carer (2 places later)'
    """
    lines = explanation.without_lines()
    if not lines:
        return ""
    words, rank, change = max(lines, key=lambda line: abs(line[1] - explanation.rank))
    return f"{rank:,} without {words} ({change})"


def without_html(explanation: Explanation) -> str:
    """The ranks without each social factor, one line each ("" when the rule set has none).

    >>> e = Explanation(0, 1, "A", "P2", 3.0, 7.0, {"Carer": 1.0}, {"Carer": "carer"}, ("Carer",), 5, 9, None, False,
    ...                 rank_without={"Carer": 7})
    >>> without_html(e)
    'carer: 7 (2 places later)'
    """
    return "<br>".join(f"{escape(words)}: {rank:,} ({change})" for words, rank, change in explanation.without_lines())
