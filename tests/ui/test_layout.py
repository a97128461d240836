"""Everything fits the room's screen: the real window on the demo list at the sizes of the screens
workshops use, in normal and workshop mode; and at 150% scaling in a process of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QTableView, QWidget

from ui.charts import MIN_CHART_HEIGHT
from ui.equity_panel import CHART_VIEWS
from ui.main_window import PREFERRED_SIZE, fit_to_screen

ROOT = Path(__file__).resolve().parents[2]
# Logical pixels, as Qt lays the window out: 1920x1080 at 150% is 1280x720; 1366x768 at 150% is 910x512.
SCREENS = {"1280x720": (1280, 720), "1366x768": (1366, 768), "1920x1080": (1920, 1080), "1366x768 at 150%": (910, 512)}


def outside(window: QWidget) -> list[str]:
    """Every widget shown that does not lie wholly within its parent (so within the window): clipped.
    Inside a scroll area the viewport clips on purpose (the user scrolls); panels Qt's main window keeps
    tabbed away (parked above and left of the window) are not shown."""
    found = []
    for widget in window.findChildren(QWidget):
        parent = widget.parentWidget()
        if not widget.isVisible() or widget.isWindow() or parent is None or _scrolled(parent):
            continue
        box = widget.geometry()
        parked = parent is window and box.bottom() < 0 and box.right() < 0
        if not parked and not _hidden_dock(widget) and not parent.rect().contains(box):
            found.append(f"{type(widget).__name__} {widget.accessibleName()!r} {box.getRect()} in {parent.rect().getRect()}")
    return found


def _scrolled(parent: QWidget) -> bool:
    area = parent.parentWidget()
    return isinstance(area, QAbstractScrollArea) and parent is area.viewport()


def _hidden_dock(widget: QWidget) -> bool:
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget is not None and widget.visibleRegion().isEmpty()


def rows_shown(table: QTableView) -> float:
    return table.viewport().height() / table.rowHeight(0)


def every_tab(window):
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        yield window.tabs.tabText(index)


def assert_fits(qtbot, window, controller, size, workshop):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    for tab in every_tab(window):
        assert not outside(window), f"{tab} at {size}, workshop {workshop}: {outside(window)}"
    window.tabs.setCurrentWidget(controller.equity)
    qtbot.waitUntil(lambda: controller.equity.graphics.height() >= MIN_CHART_HEIGHT)
    plots = controller.equity.plots
    for key in controller.equity.shown_charts:
        box = plots[key].sceneBoundingRect()
        assert box.height() >= MIN_CHART_HEIGHT - 1 and box.width() >= MIN_CHART_HEIGHT, (key, box, size, workshop)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_layout_fits_the_screen_in_normal_and_workshop_mode(qtbot, app, screen):
    window, controller, _path = app
    size = SCREENS[screen]
    assert_fits(qtbot, window, controller, size, workshop=False)
    controller.set_workshop_mode(True)
    assert_fits(qtbot, window, controller, size, workshop=True)
    assert len(controller.equity.shown_charts) == 2  # the charts get the room
    assert [d.windowTitle() for d in window.findChildren(QDockWidget) if d.isVisible()] == ["Rules"]
    controller.set_workshop_mode(False)
    assert window.summary_dock.isVisible() and controller.equity.shown_charts == CHART_VIEWS["All six charts"]


def test_the_prioritised_list_shows_enough_rows(qtbot, app):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.ranked_page)
    for size, wanted in (((1280, 720), 11), ((1400, 900), 19)):
        window.resize(*size)
        qtbot.waitUntil(lambda: rows_shown(controller.ranked.table) >= wanted)  # it was 5 and 10
    unfolded = rows_shown(controller.ranked.table)
    controller.explain.set_folded(True)
    qtbot.waitUntil(lambda: rows_shown(controller.ranked.table) >= unfolded + 4)
    controller.explain.set_folded(False)
    qtbot.waitUntil(lambda: controller.explain.plot.height() > 50)


def test_workshop_mode_keeps_nhs_numbers_and_filters_whole(qtbot, app):
    window, controller, _path = app
    window.resize(1280, 720)
    controller.set_workshop_mode(True)
    window.tabs.setCurrentWidget(window.list_panel)
    panel = window.list_panel
    qtbot.waitUntil(lambda: panel.table.isVisible())
    column = panel.model.column_of("nhs_number")
    metrics = panel.table.fontMetrics()
    shown = panel.model.data(panel.model.index(0, column))
    assert panel.table.columnWidth(column) > metrics.horizontalAdvance(shown)  # "999 062 5670", not "999 062 …"
    for combo in [*panel.filters.values(), panel.finding_filter]:
        assert combo.width() > combo.fontMetrics().horizontalAdvance(combo.itemText(0))  # "All specialties"
    assert panel.table.rowHeight(0) > metrics.height()


def widget_fonts(window) -> dict:
    """The size of every widget's text, and of every chart's titles and axes."""
    sizes = {w.objectName() or id(w): w.font().pointSizeF() for w in window.findChildren(QWidget)}
    for name, panel in (("summary", window.summary), ("explain", window.prioritisation.explain)):
        for side in ("left", "bottom"):
            axis = panel.plot.getPlotItem().getAxis(side)
            sizes[(name, side)] = (axis.label.font().pointSizeF(), (axis.style["tickFont"] or axis.font()).pointSizeF())
    equity = window.prioritisation.equity
    for key, plot in equity.plots.items():
        sizes[key] = (plot.titleLabel.opts["size"], plot.getAxis("bottom").fixedHeight,
                      plot.getAxis("left").label.font().pointSizeF())
    sizes["rows"] = (window.list_panel.table.rowHeight(0), window.prioritisation.ranked.table.rowHeight(0))
    sizes["note"] = equity.note_area.maximumHeight()
    return sizes


def test_enlarged_text_fully_reverts_when_workshop_mode_is_turned_off(qtbot, app):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.equity)
    qtbot.waitUntil(lambda: bool(controller.equity._plots))
    before = widget_fonts(window)
    controller.set_workshop_mode(True)
    qtbot.waitUntil(lambda: widget_fonts(window)["rows"] > before["rows"])
    assert widget_fonts(window)["mean"] != before["mean"]  # the charts' titles and axes grew too
    controller.set_workshop_mode(False)
    try:
        qtbot.waitUntil(lambda: not changed(before, widget_fonts(window)))
    finally:
        assert changed(before, widget_fonts(window)) == {}


def changed(before: dict, after: dict) -> dict:
    """What differs (widgets made or gone meanwhile, a tooltip or a popup, are not compared)."""
    return {key: (value, after[key]) for key, value in before.items() if key in after and after[key] != value}


def test_the_window_opens_within_any_screen(qtbot):
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    for available in (QRect(0, 0, 1280, 680), QRect(0, 0, 910, 480), QRect(1920, 0, 1920, 1040)):
        window.setWindowState(window.windowState() & ~window.windowState().WindowMaximized)
        fit_to_screen(window, available)
        assert available.contains(window.geometry()), available
    assert window.size() == PREFERRED_SIZE  # where there is room: the preferred size, centred


SCALED = """
import json, sys, time
from PySide6.QtWidgets import QApplication
from ui.app import make_application
app = make_application(sys.argv[:1])
from ui.main_window import MainWindow
window = MainWindow()
window.show()
window.start()
controller = window.prioritisation
started = time.monotonic()
while controller.result is None and time.monotonic() - started < 60:
    app.processEvents()
    time.sleep(0.02)
sys.path.insert(0, sys.argv[1])
from test_layout import outside
report = {"screen": app.primaryScreen().availableGeometry().getRect(), "frame": window.frameGeometry().getRect(),
          "ratio": window.devicePixelRatio(), "outside": {}}
for workshop in (False, True):
    controller.set_workshop_mode(workshop)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        for _ in range(20):
            app.processEvents()
        report["outside"][f"{workshop} {window.tabs.tabText(index)}"] = outside(window)
    report[f"charts {workshop}"] = [controller.equity.plots[key].sceneBoundingRect().height()
                                     for key in controller.equity.shown_charts]
print(json.dumps(report))
window.close()
"""


@pytest.mark.parametrize("screen", [(1920, 1080), (1366, 768)])
def test_at_150_percent_the_window_opens_within_the_screen_and_fits(tmp_path, screen):
    """Qt's own scaling (QT_SCALE_FACTOR=1.5), as Windows applies at 150%: a process of its own."""
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps({"screens": [{"name": "projector", "x": 0, "y": 0, "width": screen[0],
                                                "height": screen[1], "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    environment = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screens}", "QT_SCALE_FACTOR": "1.5",
                   "WORKBENCH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", SCALED, str(Path(__file__).parent)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ratio"] == 1.5
    left, top, width, height = report["screen"]
    assert QRect(left, top, width, height).contains(QRect(*report["frame"])), report
    assert not any(report["outside"].values()), report["outside"]
    assert min(report["charts False"] + report["charts True"]) >= MIN_CHART_HEIGHT - 1


def test_the_ahp_results_table_shows_every_factor_in_workshop_mode(qtbot, app):
    window, controller, _path = app
    window.resize(1280, 720)
    controller.set_workshop_mode(True)
    dialog = controller.open_pairwise()
    qtbot.waitExposed(dialog)
    table = dialog.result_table
    qtbot.waitUntil(lambda: table.rowHeight(0) > table.fontMetrics().height())  # rows refitted to the larger text
    qtbot.waitUntil(lambda: table.viewport().height() >= table.rowCount() * table.rowHeight(0))  # was 1.5 rows
    assert table.rowCount() >= 4 and dialog.height() <= 720 - 40
    dialog.close()
