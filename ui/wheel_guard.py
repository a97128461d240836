"""The mouse wheel never changes a value by accident.

Scrolling down a panel with the pointer passing over a slider, a spin box or a
combo box changed that control's value (a rule's weight, the social cap), and
the list re-ranked with nothing to draw the eye. One filter on the whole
application, so every panel and dialog is covered, those made later too:

- a wheel turned over such a control changes it only when it has keyboard
  focus (clicked or tabbed into); otherwise the event goes on to the panel
  behind it, which scrolls as the user meant;
- these controls no longer take focus from the wheel itself (Qt's
  ``WheelFocus``), or the first turn would give them focus and the rest
  would change them.

Scroll bars and the charts keep the wheel: scrolling is what it is for there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QScrollBar, QTabBar, QWidget

GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider, QTabBar)


def guarded(widget: QObject) -> bool:
    """Whether the wheel may change ``widget``'s value (or current tab) only when it has focus."""
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


class WheelGuard(QObject):
    """An application event filter: wheel events reach a value control only when it has focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if guarded(watched) and not watched.hasFocus():
                event.ignore()  # handled here, not accepted: Qt passes it on to the parent, which scrolls
                return True
        elif kind == QEvent.Type.Polish and guarded(watched):
            _no_wheel_focus(watched)
        return False


def _no_wheel_focus(widget: QWidget) -> None:
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Guard every control of ``app`` (once; returns the guard in place)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
