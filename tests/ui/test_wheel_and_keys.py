"""Nothing changes by accident, and the keyboard reaches everything: real wheel events (through the
window system, as a mouse sends them) over every value control of the main window and its dialogs."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QLabel, QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QScrollArea, QTabBar, QVBoxLayout, QWidget

from ui.import_dialog import ImportDialog
from ui.wheel_guard import WheelGuard, guarded, install_wheel_guard

UP = QPoint(0, 120)  # one notch of a mouse wheel


@pytest.fixture(autouse=True)
def wheel_guard(qapp):
    """The guard as ui.app installs it, taken away again after the test."""
    guard = install_wheel_guard(qapp)
    yield guard
    qapp.removeEventFilter(guard)
    guard.setParent(None)  # gone now, not later: the next test installs its own


def value_of(control: QWidget):
    if isinstance(control, (QComboBox, QTabBar)):
        return control.currentIndex()
    return control.value()


def turn_wheel_over(control: QWidget, delta: QPoint = UP) -> None:
    """One notch of the wheel with the pointer over the middle of ``control``, sent to its window."""
    scroll = _scroll_area_of(control)
    if scroll is not None:
        scroll.ensureWidgetVisible(control)
    window = control.window()
    QTest.wheelEvent(window.windowHandle(), control.mapTo(window, control.rect().center()), delta)
    QApplication.processEvents()


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def shown_controls(root: QWidget) -> list[QWidget]:
    """Every guarded control of ``root`` on screen now, able to take a turn of the wheel."""
    found = [w for kind in (QAbstractSpinBox, QComboBox, QAbstractSlider, QTabBar) for w in root.findChildren(kind)]
    return [w for w in found if guarded(w) and w.isVisible() and w.isEnabled() and _can_change(w)]


def _can_change(control: QWidget) -> bool:
    if isinstance(control, (QComboBox, QTabBar)):
        return control.count() > 1
    return control.maximum() > control.minimum()


def assert_the_wheel_changes_nothing(root: QWidget, away: QWidget) -> int:
    """Turn the wheel over every control shown in ``root`` while ``away`` has the focus; returns how many."""
    controls = shown_controls(root)
    for control in controls:
        away.setFocus()
        before = value_of(control)
        for delta in (UP, -UP):  # both ways: one of them is always a change the control could make
            turn_wheel_over(control, delta)
        assert value_of(control) == before, f"{control.accessibleName() or control} changed under the wheel"
        assert not control.hasFocus(), f"{control.accessibleName() or control} took focus from the wheel"
    return len(controls)


def every_page(window, controller):
    """Show each tab of the window and each panel of the right-hand docks in turn."""
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        yield
    for dock in (window.quality_dock, controller.rules_dock, controller.scenarios_dock, controller.log_dock):
        dock.raise_()
        yield


def test_the_wheel_changes_no_control_of_the_main_window_without_focus(qtbot, app):
    window, controller, _path = app
    before = controller.rules.rule_set
    turned = 0
    for _page in every_page(window, controller):
        QApplication.processEvents()
        turned += assert_the_wheel_changes_nothing(window, away=window.list_panel.search)
    names = {c.accessibleName() for c in shown_controls(window)}
    assert turned >= 20 and "Social cap in weeks-equivalent" in names  # the Rules panel's controls were reached
    assert controller.rules.rule_set == before and controller.undo_stack.count() == 0


def test_the_wheel_scrolls_the_rules_panel_over_its_sliders(qtbot, app):
    window, controller, _path = app
    controller.rules_dock.raise_()
    window.resize(1280, 600)  # the rules need scrolling
    scroll = controller.rules.findChild(QScrollArea)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    slider = next(iter(controller.rules.editors.values())).slider
    window.list_panel.search.setFocus()
    turn_wheel_over(slider, -UP)  # down: the panel scrolls, the weight stays
    assert scroll.verticalScrollBar().value() > 0
    assert controller.undo_stack.count() == 0, controller.undo_stack.text(0)


def test_a_control_with_focus_still_takes_the_wheel(qtbot, app):
    _window, controller, _path = app
    controller.rules_dock.raise_()
    cap = controller.rules.cap_weeks
    cap.setFocus()
    before = cap.value()
    turn_wheel_over(cap, -UP)
    qtbot.waitUntil(lambda: cap.value() == before - cap.singleStep())
    assert controller.rules.rule_set.social_cap_weeks == cap.value()
    slider = next(iter(controller.rules.editors.values())).slider
    slider.setFocus()
    before = slider.value()
    turn_wheel_over(slider, UP)
    assert slider.value() > before


def test_the_wheel_changes_nothing_in_the_dialogs(qtbot, app, tmp_path):
    window, controller, _path = app
    for dialog in (controller.open_pairwise(), controller.open_swing()):
        qtbot.waitExposed(dialog)
        assert assert_the_wheel_changes_nothing(dialog, away=dialog.buttons.button(dialog.buttons.StandardButton.Close)) >= 3
        dialog.close()
    dialog = open_import_dialog(qtbot, window, tmp_path)
    assert assert_the_wheel_changes_nothing(dialog, away=dialog.cancel_button) >= 5


def open_import_dialog(qtbot, window, tmp_path):
    source = tmp_path / "ptl.csv"
    source.write_text("Pathway ID,NHS Number,TFC,Priority,Clock start\n" + "".join(
        f"PW{i},9434765919,110,P3,0{1 + i}/03/2025\n" for i in range(5)), encoding="utf-8")
    dialog = ImportDialog(source, tmp_path / "new.sqlite", window.database, window.compute)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.headers))
    return dialog


def test_a_control_made_later_is_guarded_too(qtbot):
    window = QWidget()
    layout = QVBoxLayout(window)
    search, box = QLineEdit(), QComboBox()
    box.addItems(["one", "two", "three"])
    layout.addWidget(search)
    layout.addWidget(box)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus  # not WheelFocus: the wheel gives it no focus
    search.setFocus()
    turn_wheel_over(box, -UP)
    assert box.currentIndex() == 0 and search.hasFocus()
    box.setFocus()
    turn_wheel_over(box, -UP)
    assert box.currentIndex() == 1


def test_the_guard_is_installed_once(qapp, wheel_guard):
    assert install_wheel_guard(qapp) is wheel_guard
    assert len(qapp.findChildren(WheelGuard)) == 1


# --------------------------------------------------------------------------- the keyboard
def mnemonics(dialog: QWidget) -> dict[str, list[QWidget]]:
    """Each Alt+letter a dialog offers, and the buttons and labels that offer it."""
    found: dict[str, list[QWidget]] = {}
    for widget in [*dialog.findChildren(QAbstractButton), *dialog.findChildren(QLabel)]:
        if not widget.isVisible() or (isinstance(widget, QLabel) and widget.buddy() is None):
            continue
        letter = QKeySequence.mnemonic(widget.text()).toString().removeprefix("Alt+")
        if letter:
            found.setdefault(letter, []).append(widget)
    return found


def assert_mnemonics_work(qtbot, dialog: QWidget) -> int:
    """Every Alt+letter is offered once, and does what it says: a button is pressed, a label's field is chosen."""
    offered = mnemonics(dialog)
    assert {letter: [w.text() for w in ws] for letter, ws in offered.items() if len(ws) > 1} == {}
    for letter, (widget,) in offered.items():
        key = getattr(Qt.Key, f"Key_{letter}")
        if isinstance(widget, QAbstractButton):
            with qtbot.waitSignal(widget.clicked, timeout=1000, raising=False) as pressed:
                qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
            assert pressed.signal_triggered, f"Alt+{letter}: {widget.text()!r} in {dialog.windowTitle()!r}"
        else:
            qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
            assert widget.buddy().hasFocus(), widget.text()
    return len(offered)


def test_every_dialog_mnemonic_works(qtbot, app, tmp_path, monkeypatch):
    window, controller, _path = app
    monkeypatch.setattr(ImportDialog, "start_import", lambda self: None)  # Alt+I: pressed is enough
    monkeypatch.setattr(ImportDialog, "save_profile", lambda self: None)
    for opened in (lambda: open_import_dialog(qtbot, window, tmp_path), controller.open_pairwise, controller.open_swing):
        dialog = opened()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)  # shortcuts go to the active window
        for button in dialog.findChildren(QAbstractButton):  # pressing Close or Cancel would end the test's dialog
            if button.text().replace("&", "") in ("Close", "Cancel"):
                button.clicked.disconnect()
        assert assert_mnemonics_work(qtbot, dialog) >= (5 if isinstance(dialog, ImportDialog) else 1)
        dialog.close()


def test_f6_moves_between_panes_and_tab_leaves_the_table(qtbot, app):
    window, controller, _path = app
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.list_panel.table
    table.setFocus()
    panes = window.panes()
    assert len(panes) == 3 and panes[0] is window.list_panel  # the list, the summary, the rules
    visited = []
    for _pane in panes:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        visited.append(next(p for p in panes if p.isAncestorOf(QApplication.focusWidget())))
    assert visited == [*panes[1:], panes[0]] and table.hasFocus()  # round the panes, back where it started
    qtbot.keyClick(table, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert panes[-1].isAncestorOf(QApplication.focusWidget())  # Shift+F6: the other way
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()  # Tab leaves the table (arrows move within it)
    window.tabs.setCurrentWidget(controller.ranked_page)
    controller.ranked.table.setFocus()
    qtbot.keyClick(controller.ranked.table, Qt.Key.Key_Tab)
    assert not controller.ranked.table.hasFocus()
