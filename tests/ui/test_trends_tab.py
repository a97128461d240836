"""The Trends tab, adding a later list as a snapshot, and validation outcomes in the app, driven headless."""

import shutil
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPointF, Qt

import ui.snapshot_import as snapshot_import
from ui.main_window import MainWindow
from ui.outcome_actions import CHOOSE
from ui.trends_panel import WHOLE_LIST, seconds
from workbench.store import decisions
from workbench.compare.suppression import CONTROLLED_BRIEFLY, published_count
from workbench.demo import write_frame
from workbench.demo_weeks import import_week, weekly_lists
from workbench.store.importer import import_file
from workbench.rank.bundled_rules import treat_in_turn
from workbench.store.snapshots import snapshots
from workbench.store.workspace import Workspace
from workbench.store.workspace_files import SAVED, WorkspaceFile

WAIT_MS = 30_000
TODAY = date.today()


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """Four weekly lists around today, as files, and a workspace holding the first three as snapshots with the
    outcomes of the second and third weeks recorded and a rule set adopted today."""
    folder = tmp_path_factory.mktemp("series")
    weeks = list(weekly_lists(rows=600, weeks=4, seed=21, start=TODAY - timedelta(days=14)))
    files = []
    for week in weeks:
        files.append(folder / f"list-{week.census_date}.csv")
        write_frame(files[-1], week.frame, iso=True)
    workspace = folder / "weeks.sqlite"
    (folder / "imported").mkdir()
    for week in weeks[:3]:
        import_week(week, workspace, folder / "imported")
    with Workspace.open(workspace) as ws:
        decisions.record_decision(ws, "Dr A", "Adopted treat in turn", "", treat_in_turn())
    return workspace, files, weeks


@pytest.fixture
def window(qtbot, tmp_path, series, shown_errors):
    """The main window showing a private copy of the three-snapshot workspace, its trends worked out."""
    path = tmp_path / "weeks.sqlite"
    shutil.copy(series[0], path)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        window.show_workspace(WorkspaceFile(path, SAVED))
    return window


def test_the_chart_draws_each_group_over_the_snapshots_and_marks_the_rule_set_adopted(window, series):
    panel = window.trends.panel
    census = [w.census_date for w in series[2][:3]]
    assert panel.current_grouping() == "imd_quintile"
    assert WHOLE_LIST in panel.lines and "England, most deprived fifth" in panel.lines
    x, y = panel.lines[WHOLE_LIST].getData()
    assert list(x) == [seconds(d) for d in census]
    medians = [s["median_wait"] for s in window.trends.page["trend"]["snapshots"]]
    assert list(y) == pytest.approx(medians)
    assert [line.value() for line in panel.adoption_lines] == [seconds(TODAY)]
    assert f"'{treat_in_turn().name}' adopted {TODAY:%d/%m/%Y}" in panel.note.text()


def test_hovering_shows_the_values_of_the_snapshot_under_the_mouse(qtbot, window, series):
    panel = window.trends.panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitExposed(panel.chart)
    qtbot.wait(50)  # the view's range follows its data once laid out
    second = series[2][1].census_date
    x, y = panel.lines[WHOLE_LIST].getData()
    plot = panel.chart.getPlotItem()
    panel._on_mouse_moved(plot.vb.mapViewToScene(QPointF(x[1], y[1])))
    text = panel.hover.text()
    assert text == f"<b>{second:%d/%m/%Y}</b> · Median wait: {WHOLE_LIST} {y[1]:.1f} weeks"
    day, values = panel.hover_values(x[1], y[1] + 1000)  # far above every line: the highest first
    assert day == second and len(values) >= len(panel.lines) and values[0][0] != WHOLE_LIST


def test_the_figure_and_the_grouping_can_be_changed(qtbot, window):
    panel = window.trends.panel
    panel.figure.setCurrentIndex(panel.figure.findData("gap"))
    assert list(panel.lines) == ["England"]
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        panel.grouping.setCurrentIndex(panel.grouping.findData("sex"))
    panel.figure.setCurrentIndex(panel.figure.findData("over_52"))
    assert {"Female", "Male"} <= set(panel.lines)
    assert panel.audit.horizontalHeaderItem(0).text() == "Group" and panel.audit.rowCount() >= 2


def test_figures_are_controlled_until_small_numbers_are_shown_and_then_say_so(qtbot, window):
    panel = window.trends.panel
    counts = [s["patients"] for s in window.trends.page["trend"]["snapshots"]]
    assert all(count % 5 == 0 for count in counts) and not panel.banner.isVisibleTo(panel)  # rounded
    assert panel.note.text().endswith(CONTROLLED_BRIEFLY) and "rounded to the nearest 5" in panel.note.toolTip()
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        window.set_small_numbers_shown(True, ask=False)
    page = window.trends.page
    assert [s["patients"] for s in page["trend"]["snapshots"]] != counts and panel.banner.isVisibleTo(panel)
    assert page["changes"]["disclosure"]["controlled"] is False and page["audit"]["disclosure"]["controlled"] is False
    assert "Not for publication" in panel.note.text()


def test_who_joined_and_left_and_the_validation_audit_are_tabled(window, series):
    panel = window.trends.panel
    newest = series[2][2]
    changes = window.trends.page["changes"]
    assert changes["later"]["census_date"] == newest.census_date.isoformat()
    assert changes["totals"]["joined"] == published_count(len(newest.joined))
    groups = [panel.changes.item(r, 0).text() for r in range(panel.changes.rowCount())]
    assert groups[0] == "England, most deprived fifth"
    assert "validated" in panel.audit_note.text() and "Katz" in panel.audit_note.toolTip()
    ratios = [panel.audit.item(r, 7).text() for r in range(panel.audit.rowCount())]
    assert "1 (reference)" in ratios


def test_a_later_list_is_added_as_a_snapshot_when_the_user_says_so(qtbot, window, series, monkeypatch):
    monkeypatch.setattr(snapshot_import, "ask", lambda window, path: snapshot_import.ADD)
    window.open_waiting_list(series[1][3])
    dialog = window.dialog
    assert dialog.snapshot and dialog.windowTitle().startswith("Add a weekly snapshot")
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    with Workspace.open(window.file.path) as ws:
        assert [s.census_date for s in snapshots(ws)] == [w.census_date for w in series[2]]
    assert window.file.kind == SAVED and len(window.trends.page["trend"]["snapshots"]) == 4
    assert any(w.startswith("Snapshot 4 of 4") for w in window.warning_strip.warnings())


def test_an_older_list_offered_as_a_snapshot_is_refused_in_the_dialog_and_nothing_changes(qtbot, window, series, monkeypatch):
    monkeypatch.setattr(snapshot_import, "ask", lambda window, path: snapshot_import.ADD)
    before = window.file.path.read_bytes()
    window.open_waiting_list(series[1][0])
    dialog = window.dialog
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "nothing was imported" in dialog.status.text(), timeout=WAIT_MS)
    assert "already imported" in dialog.status.text()
    assert window.file.path.read_bytes() == before
    dialog.reject()


def test_opening_it_apart_goes_on_as_before(window, series, monkeypatch):
    monkeypatch.setattr(snapshot_import, "ask", lambda window, path: snapshot_import.APART)
    window.open_waiting_list(series[1][3])
    assert not window.dialog.snapshot and window.dialog.workspace_path != window.file.path
    window.dialog.reject()


def test_unknown_outcome_words_are_mapped_in_a_dialog_then_recorded(qtbot, window, series, tmp_path):
    week = series[2][1]
    returned = week.returned.head(3).copy()
    returned["Action taken"] = ["DNA", "DNA", "Not needed"]
    returned["Date checked"] = [TODAY] * 3
    write_frame(tmp_path / "back.csv", returned)
    window.outcome_actions.record_outcomes(tmp_path / "back.csv")
    qtbot.waitUntil(lambda: window.outcome_actions.dialog is not None, timeout=WAIT_MS)
    dialog = window.outcome_actions.dialog
    assert list(dialog.boxes) == ["DNA", "Not needed"]
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.boxes["DNA"].currentText() == CHOOSE
    dialog.boxes["DNA"].setCurrentText("did not respond")
    dialog.boxes["Not needed"].setCurrentText("no longer required")
    assert ok.isEnabled()
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "3 outcomes recorded from back.csv: no longer required 1, did not respond 2" in window.statusBar().currentMessage()


def test_the_due_worklist_is_exported_from_the_file_menu(qtbot, window, tmp_path):
    task = window.outcome_actions.export_due(tmp_path / "due.xlsx")
    with qtbot.waitSignal(task.ended, timeout=WAIT_MS):
        pass
    assert (tmp_path / "due.xlsx").is_file() and "due for validation written" in window.statusBar().currentMessage()
    names = [a.text() for a in window.file_menu.actions()]
    assert names.index("&Export findings worklist…") + 1 == names.index("Export &due-for-validation worklist…")


def test_the_decision_record_shows_the_trend_since_the_rule_set_was_adopted(qtbot, window, series, monkeypatch, tmp_path):
    monkeypatch.setattr(snapshot_import, "ask", lambda window, path: snapshot_import.ADD)
    window.open_waiting_list(series[1][3])  # a snapshot after the adoption: something to compare
    qtbot.waitUntil(window.dialog.import_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        qtbot.mouseClick(window.dialog.import_button, Qt.MouseButton.LeftButton)
    controller = window.prioritisation
    qtbot.waitUntil(lambda: controller.result is not None and controller.state is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.reportExported, timeout=WAIT_MS) as exported:
        controller.export_report(tmp_path / "record")
    html = exported.args[0].read_text(encoding="utf-8")
    later = series[2][3].census_date
    assert f"Since '{treat_in_turn().name}' was adopted ({TODAY:%d/%m/%Y})" in html
    assert f"Snapshot of {later:%d/%m/%Y}" in html and "England: Slope index of inequality" in html


def test_with_one_snapshot_the_trends_wait_until_the_tab_is_shown(qtbot, tmp_path, series, shown_errors):
    path = tmp_path / "one.sqlite"
    import_file(series[1][0], path, snapshot=True)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.workspaceLoaded, timeout=WAIT_MS):
        window.show_workspace(WorkspaceFile(path, SAVED))
    qtbot.waitUntil(lambda: not window.database.is_busy(), timeout=WAIT_MS)
    assert window.trends.page is None  # nothing worked out for a tab nobody looks at
    with qtbot.waitSignal(window.trends.pageShown, timeout=WAIT_MS):
        window.tabs.setCurrentWidget(window.trends.panel)
    assert len(window.trends.page["trend"]["snapshots"]) == 1 and window.trends.page["changes"] is None
    assert window.trends.panel.note.text().startswith("One snapshot")


def test_the_chart_axis_reads_census_dates_once_each(qtbot):
    """dd/mm/yyyy at midnights; zoomed in on one snapshot, the hours between are blank, not the date again."""
    from ui.trends_panel import CensusDateAxis

    midnight = seconds(date(2026, 11, 1))
    assert CensusDateAxis().tickStrings([midnight, midnight + 6 * 3600, midnight + 86400], 1, 3600) == \
        ["01/11/2026", "", "02/11/2026"]
