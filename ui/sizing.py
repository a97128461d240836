"""Sizes that follow the font: table rows, combo boxes wide enough for their words, rows of
controls that wrap when the window is narrow.

Workshop mode makes the whole app's text larger, and a desktop may already use a
large font or 150% scaling: a size worked out once, from the font at start, would
clip enlarged text (rows too short, "All speci") or keep enlarged gaps after the
text is back to normal. These are worked out again whenever the font changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, QTimer
from PySide6.QtWidgets import QBoxLayout, QComboBox, QStyle, QStyleOptionComboBox, QTableView, QWidget

ROW_PADDING = 6  # pixels above and below a table row's text


def font_changed(event: QEvent) -> bool:
    """Whether ``event`` tells a widget its font (or the whole app's) changed."""
    return event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange)


def fit_rows(table: QTableView) -> None:
    """Rows as tall as one line of the table's text, and no taller (rows shown on a small screen count)."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + ROW_PADDING)


def fit_combo_to(combo: QComboBox, text: str) -> None:
    """The least width of ``combo``: enough for ``text`` whole (its "All specialties"), never elided."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    metrics = combo.fontMetrics()
    content = QSize(metrics.horizontalAdvance(text), metrics.height())
    combo.setMinimumWidth(combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, content, combo).width())


def wrap_when_narrow(row: QBoxLayout, width: int) -> None:
    """Lay ``row``'s parts out side by side when ``width`` holds them all, else one above the other.

    The parts are layouts of their own; the row's widget must set its own least width
    (the widest part), or the row's side-by-side width would stop the window narrowing.
    """
    parts = [row.itemAt(i) for i in range(row.count())]
    needed = sum(part.minimumSize().width() for part in parts) + row.spacing() * (len(parts) - 1)
    direction = QBoxLayout.Direction.LeftToRight if width >= needed else QBoxLayout.Direction.TopToBottom
    if row.direction() != direction:
        row.setDirection(direction)


def widest_part(row: QBoxLayout) -> int:
    """The least width a wrapping row needs: its widest part."""
    return max((row.itemAt(i).minimumSize().width() for i in range(row.count())), default=0)


def fit_wrapping_row(widget: QWidget, row: QBoxLayout) -> None:
    """``widget`` no narrower than ``row``'s widest part, and the row wrapped to its width. Called on each
    ``LayoutRequest`` (a part grew: larger text, longer words), when the parts' sizes are current."""
    widget.setMinimumWidth(widest_part(row))
    wrap_when_narrow(row, widget.width())


def follow_font(widget: QWidget, event: QEvent, refit) -> None:
    """Call ``refit()`` when ``event`` says ``widget``'s font changed (from a ``changeEvent``): once
    the event loop turns, when every child has its new font and its new size."""
    if font_changed(event):
        QTimer.singleShot(0, widget, refit)
