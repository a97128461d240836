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
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

from ui.charts import chart_colours, follow_app_font, paint_axes
from ui.sizing import font_changed
from workbench import formats
from workbench.rank.ranking import Explanation
from workbench.report.glossary import explain_text
from workbench.view.columns import BAND, BASELINE_RANK, MOVEMENT, NEW_RANK, SCORE, label, movement_text

GAIN, LOSS = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion
NOTHING_SELECTED = "Select a patient in the prioritised list to see why they are where they are."
WITHOUT_TITLE = "Without each social factor"
WITHOUT_TOOLTIP = ("The rank this patient would have if the rule set gave no one a social factor's credit (its "
                   "weight 0, everything else the same): how much the factor moves them. A factor that does not "
                   "apply to them can still move them, as others lose its credit. The chart gives it for each.")
WORKING_OUT = "working out…"
UNLIMITED = 16_777_215  # Qt's QWIDGETSIZE_MAX: no maximum height
FACTS = ("pathway_id", BAND, "weeks_waited", NEW_RANK, BASELINE_RANK, MOVEMENT, SCORE)  # shown beside the chart


class ExplainPanel(QWidget):
    """Shows one :class:`~workbench.rank.ranking.Explanation` (or a prompt when none).

    Folds to its title line (``set_folded``), so the list above it gets the rows on a small screen.
    """

    roomChanged = Signal()  # folded or unfolded, or its chart wants another height (more factors, larger text)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self._bars = 0  # the bars the chart shows
        self._wanted_height = 0  # the chart's height for them, in the font of the moment
        self._build()
        self.show_explanation(None)

    def set_folded(self, folded: bool) -> None:
        """Show only the title line (``True``) or the whole explanation."""
        self.body.setVisible(not folded)
        self.fold.setChecked(not folded)
        self.fold.setArrowType(Qt.ArrowType.RightArrow if folded else Qt.ArrowType.DownArrow)
        self.setMaximumHeight(self.fold.sizeHint().height() + 8 if folded else UNLIMITED)
        self.roomChanged.emit()

    @property
    def folded(self) -> bool:
        return not self.fold.isChecked()

    def sizeHint(self) -> QSize:
        """Tall enough for a line a factor, and no taller: the list above it has the rest of the page
        (on a short screen it makes do with less: the chart squeezes, the words scroll)."""
        if self.folded:
            return QSize(super().sizeHint().width(), self.maximumHeight())
        return QSize(super().sizeHint().width(), self.fold.sizeHint().height() + self._wanted_height + 8)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_chart()
        elif font_changed(event):
            follow_app_font(self.plot.getPlotItem())
            self._fit_plot_height(self._bars)
            if self.folded:
                self.set_folded(True)  # the title line's height follows the font
        super().changeEvent(event)

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
        self.facts[WITHOUT_TITLE].setText(WORKING_OUT if without_pending else explanation.biggest_without_text())
        self._explain_terms()
        terms = escape(explain_text(self.facts[WITHOUT_TITLE].text()), quote=False).replace("\n", "<br>")
        self.facts[WITHOUT_TITLE].setToolTip(WITHOUT_TOOLTIP + ("<br><br>" + without_html(explanation)
                                                                if explanation.rank_without else "")
                                             + (f"<br><br>{terms}" if terms else ""))
        names = list(explanation.contributions)
        notes = [f"rank {explanation.rank_without[n]:,} without" if n in explanation.rank_without else ""
                 for n in names]
        # The factors' names on the axis (short: the sentence above has them in words).
        self._show_bars(names, [explanation.contributions[n] for n in names],
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
    def _explain_terms(self) -> None:
        """Each figure's tooltip explains the terms it shows (its words change with the patient)."""
        self.sentence.setToolTip(explain_text(self.sentence.text()))
        for name, fact in self.facts.items():
            if name != WITHOUT_TITLE:
                fact.setToolTip(explain_text(f"{name} {fact.text()}"))

    def _show_bars(self, labels: list[str], values: list[float], notes: list[str] | None = None) -> None:
        """Bars of the contributions; ``notes`` follow each value (the rank without a social factor)."""
        notes = notes or [""] * len(values)
        self._fit_plot_height(len(values))
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

    def _fit_plot_height(self, bars: int) -> None:
        """The chart's wanted height: a line of text a bar, and the axis, in the font of the moment."""
        self._bars = bars
        line = self.fontMetrics().lineSpacing()
        wanted = line * (max(bars, 4) + 2)
        self.plot.setMinimumHeight(line * 4)
        if wanted != self._wanted_height:
            self._wanted_height = wanted
            self.updateGeometry()
            self.roomChanged.emit()

    def _pool(self, pool: list[pg.TextItem], count: int, anchor_x: float) -> list[pg.TextItem]:
        """``count`` labels from a pool made once and reused for every patient (the rest hidden);
        ``anchor_x`` 0 writes from a point rightwards, 1 leftwards."""
        while len(pool) < count:
            text = pg.TextItem(color=chart_colours(self.palette()).text, anchor=(anchor_x, 0.5))
            self.plot.addItem(text)
            pool.append(text)
        for number, text in enumerate(pool):
            text.setVisible(number < count)
        return pool[:count]

    # Building -----------------------------------------------------------------------
    def _build(self) -> None:
        self.fold = QToolButton()
        self.fold.setText("Why this patient?")
        self.fold.setCheckable(True)
        self.fold.setChecked(True)
        self.fold.setArrowType(Qt.ArrowType.DownArrow)
        self.fold.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.fold.setAutoRaise(True)
        self.fold.setToolTip("Show or hide the explanation (the list above gets its room)")
        self.fold.setAccessibleName("Show the explanation of the selected patient")
        font = self.fold.font()
        font.setBold(True)
        self.fold.setFont(font)
        self.fold.toggled.connect(lambda shown: self.set_folded(not shown))
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setAccessibleName("Why this patient is where they are")
        self.sentence.setTextInteractionFlags(self.sentence.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow panel: labels above values
        self.facts = {}
        for name in (*(label(key) for key in FACTS), WITHOUT_TITLE):
            self.facts[name] = QLabel()
            self.facts[name].setAccessibleName(name)
            form.addRow(f"{name}:", self.facts[name])
            form.labelForField(self.facts[name]).setToolTip(explain_text(name))
        self.facts[WITHOUT_TITLE].setToolTip(WITHOUT_TOOLTIP)
        self.facts[WITHOUT_TITLE].setWordWrap(True)
        form.labelForField(self.facts[WITHOUT_TITLE]).setToolTip(WITHOUT_TOOLTIP)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "Weeks-equivalent")
        self.plot.getViewBox().invertY(True)  # first factor at the top, as in the rule set
        self._fit_plot_height(0)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6)
        self.plot.addItem(self.bars)
        self.zero_line = self.plot.addLine(x=0)
        self.labels: list[pg.TextItem] = []
        self.notes: list[pg.TextItem] = []
        # Words on the left, the chart on the right: the panel sits under the list, wide and short,
        # so the words scroll when a small screen leaves it too little height.
        holder = QWidget()
        words = QVBoxLayout(holder)
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(self.sentence)
        words.addLayout(form)
        words.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        beside = QHBoxLayout(self.body)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(scroll, 2)
        beside.addWidget(self.plot, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.setSpacing(0)
        layout.addWidget(self.fold, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body, 1)
        self._paint_chart()

    def _paint_chart(self) -> None:
        """The chart in the palette's colours (a dark or high-contrast theme included)."""
        colours = chart_colours(self.palette())
        self.plot.setBackground(colours.background)
        paint_axes(self.plot.getPlotItem(), colours)
        self.zero_line.setPen(pg.mkPen(colours.axis))
        for text in self.labels + self.notes:
            text.setColor(colours.text)


def without_html(explanation: Explanation) -> str:
    """The ranks without each social factor, one line each ("" when the rule set has none).

    >>> e = Explanation(0, 1, "A", "P2", 3.0, 7.0, {"Carer": 1.0}, {"Carer": "carer"}, ("Carer",), 5, 9, None, False,
    ...                 rank_without={"Carer": 7})
    >>> without_html(e)
    'carer: 7 (2 places later)'
    """
    return "<br>".join(f"{escape(words)}: {rank:,} ({change})" for words, rank, change in explanation.without_lines())
