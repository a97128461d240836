"""'Why this patient?': one patient's factor contributions, band, both ranks and a sentence.

The bar chart is built once; showing another patient only moves its bars
(``setOpts``) and relabels the axis, so clicking down a million-row list stays
instant.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.ranked_model import movement_text
from workbench.rank.ranking import Explanation

GAIN, LOSS = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion
NOTHING_SELECTED = "Select a patient in the prioritised list to see why they are where they are."


class ExplainPanel(QWidget):
    """Shows one :class:`~workbench.rank.ranking.Explanation` (or a prompt when none)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self._build()
        self.show_explanation(None)

    def show_explanation(self, explanation: Explanation | None) -> None:
        """Show why this patient is where they are (``None``: the prompt)."""
        self.explanation = explanation
        if explanation is None:
            self.sentence.setText(NOTHING_SELECTED)
            for label in self.facts.values():
                label.setText("")
            self._show_bars([], [])
            return
        self.sentence.setText(explanation.sentence())
        self.facts["Pathway ID"].setText(explanation.pathway_id or f"row {explanation.row_id}")
        self.facts["Band"].setText(explanation.band)
        weeks = explanation.weeks_waited
        self.facts["Weeks waited"].setText("not known" if math.isnan(weeks) else f"{weeks:.1f}")
        self.facts["New rank"].setText(f"{explanation.rank:,}")
        self.facts["Baseline rank"].setText(f"{explanation.baseline_rank:,}")
        self.facts["Movement"].setText(movement_text(explanation.movement))
        self.facts["Score"].setText(f"{explanation.score:.2f} weeks-equivalent")
        names = list(explanation.contributions)
        self._show_bars([explanation.words[n] or n for n in names], [explanation.contributions[n] for n in names])

    def bar_values(self) -> list[float]:
        """The contributions the chart shows, top to bottom (for tests and screen readers)."""
        widths = self.bars.opts.get("width")
        x0 = self.bars.opts.get("x0")
        if widths is None or len(np.atleast_1d(widths)) == 0:
            return []
        signed = np.where(np.asarray(x0) < 0, -np.asarray(widths), np.asarray(widths))
        return signed.tolist()

    # Drawing -----------------------------------------------------------------------
    def _show_bars(self, labels: list[str], values: list[float]) -> None:
        values_array = np.asarray(values, dtype=float)
        y = np.arange(len(values_array), dtype=float)
        self.bars.setOpts(
            x0=np.minimum(values_array, 0.0), y=y, width=np.abs(values_array), height=0.6,
            brushes=[pg.mkBrush(GAIN if v >= 0 else LOSS) for v in values_array],
        )
        self.plot.getAxis("left").setTicks([list(zip(y.tolist(), labels))])
        for text, (position, value) in zip(self._value_labels(len(values_array)), enumerate(values_array)):
            text.setText(f"{value:+.1f}")
            text.setPos(max(value, 0.0), position)
            text.show()
        for text in self.labels[len(values_array):]:
            text.hide()
        if len(values_array):
            low, high = min(0.0, values_array.min()), max(0.0, values_array.max())
            pad = 0.25 * max(high - low, 1.0)
            self.plot.setXRange(low - 0.05 * pad, high + pad, padding=0)
            self.plot.setYRange(-0.6, len(values_array) - 0.4, padding=0)
        self.plot.setAccessibleDescription(
            "; ".join(f"{label} {value:+.1f}" for label, value in zip(labels, values_array)))

    def _value_labels(self, count: int) -> list[pg.TextItem]:
        """A pool of value labels: created once and reused for every patient."""
        while len(self.labels) < count:
            text = pg.TextItem(color="#222222", anchor=(0, 0.5))
            self.plot.addItem(text)
            self.labels.append(text)
        return self.labels[:count]

    # Building -----------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("<b>Why this patient?</b>")
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setAccessibleName("Why this patient is where they are")
        self.sentence.setTextInteractionFlags(self.sentence.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        self.facts = {}
        for name in ("Pathway ID", "Band", "Weeks waited", "New rank", "Baseline rank", "Movement", "Score"):
            self.facts[name] = QLabel()
            self.facts[name].setAccessibleName(name)
            form.addRow(f"{name}:", self.facts[name])
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
        # Words on the left, the chart on the right: the panel sits under the list, wide and short.
        words = QVBoxLayout()
        words.addWidget(title)
        words.addWidget(self.sentence)
        words.addLayout(form)
        words.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(words, 2)
        layout.addWidget(self.plot, 3)
