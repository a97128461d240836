"""The Qt binding must not corrupt Python's reference counts (PySide6 6.12.0 did: the
app aborted with "deallocating None" after a few hundred chart redraws)."""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget


class Painted(QWidget):
    def paintEvent(self, event):  # a Python override, as every chart has
        pass


class Flag(QObject):
    changed = Signal(bool)


def test_redraws_and_bool_signals_leave_reference_counts_alone(qtbot):
    widget = Painted()
    qtbot.addWidget(widget)
    widget.resize(50, 50)
    widget.show()
    flag = Flag()
    flag.changed.connect(lambda value: None)
    before = [sys.getrefcount(o) for o in (None, True, False)]
    for _ in range(200):
        widget.repaint()
        flag.changed.emit(True)
        flag.changed.emit(False)
    after = [sys.getrefcount(o) for o in (None, True, False)]
    assert [a - b for a, b in zip(after, before)] == [0, 0, 0]
