"""The equity panel never shows stale or unexplained figures, and its charts say what they show: the
hover line follows new figures, referrals are said where they are changed, the legend names an
edited rule set as edited, a difference view, axis titles, and pictures that carry their caption."""

import shutil
from datetime import date

import pytest
from PySide6.QtCore import QPointF, Qt

from ui.equity_panel import GROUP_CHARTS
from workbench.store.workspace_files import SAVED, WorkspaceFile

from tests.ui.conftest import WAIT_MS


def hover_over(qtbot, equity, chart: str, group: int) -> None:
    """Move the mouse over a group's bars in a chart, as a user would."""
    plot = equity.plots[chart]
    middle = sum(plot.vb.viewRange()[1]) / 2
    at = equity.graphics.mapFromScene(plot.vb.mapViewToScene(QPointF(group, middle)))
    qtbot.mouseMove(equity.graphics.viewport(), at)
    qtbot.waitUntil(lambda: equity.hover.text() != "")


def raise_weight(qtbot, controller, factor: str, steps: int = 4):
    """PageUp on a factor's slider (a week-equivalent each), and wait for the new figures."""
    slider = controller.rules.editors[factor].slider
    slider.setFocus()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        for _ in range(steps):
            qtbot.keyClick(slider, Qt.Key.Key_PageUp)


def test_the_hover_line_follows_new_figures_and_is_cleared_for_a_new_list(qtbot, app, tmp_path, demo_workspace):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.equity)
    equity = controller.equity
    qtbot.waitUntil(lambda: equity.graphics.height() > 100)
    hover_over(qtbot, equity, "mean", 0)
    before = equity.hover.text()
    assert before == equity.hover_text("mean", 0) and "most deprived fifth" in before
    raise_weight(qtbot, controller, "Most deprived fifth")
    assert equity.hover.text() == equity.hover_text("mean", 0) != before  # the new list's figures, not the last
    other = tmp_path / "other.sqlite"
    shutil.copy(demo_workspace, other)
    with qtbot.waitSignal(window.workspaceLoaded, timeout=WAIT_MS):
        window.show_workspace(WorkspaceFile(other, SAVED))
    assert equity.hover.text() == ""  # never the previous list's figures


def test_changing_referrals_says_the_equity_projections_now_include_them(qtbot, app):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.capacity)
    assert "now assume no new referrals" in controller.capacity.projections.text()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        controller.capacity.demand.setValue(40.0)
    said = "The equity projections (Equity impact tab) now include 40 new referrals a week"
    assert controller.capacity.projections.isVisible() and controller.capacity.projections.text().startswith(said)
    assert window.statusBar().currentMessage().startswith(said)  # where the user is looking
    assert "with 40 new referrals a week joining the list" in controller.equity.legend.text()  # above the charts


def test_new_referrals_can_be_set_per_priority_and_the_projections_use_them(qtbot, app):
    window, controller, _path = app
    capacity = controller.capacity
    window.tabs.setCurrentWidget(capacity)
    assert list(capacity.priority_boxes) == ["P1b", "P2", "P3", "P4", "P5", "P6"]  # the demo list's, most urgent first
    assert not capacity.priority_rows.isVisible()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(capacity.per_priority, Qt.MouseButton.LeftButton)
    assert capacity.priority_rows.isVisible() and not capacity.demand.isEnabled()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        capacity.priority_boxes["P2"].setValue(20.0)
    assert controller.result.summary["demand_by_priority"] == {"P2": 20.0}
    assert "now include 20 new referrals a week (P2 20)" in capacity.projections.text()
    assert "with new referrals by priority joining the list" in controller.equity.legend.text()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(capacity.per_priority, Qt.MouseButton.LeftButton)  # back to the list's own mix: none given
    assert controller.result.summary["demand_by_priority"] is None and capacity.demand.isEnabled()


def test_the_legend_names_an_edited_rule_set_as_edited(qtbot, app):
    _window, controller, _path = app
    assert "Scenario: Inclusive recovery" in controller.equity.legend.text()
    raise_weight(qtbot, controller, "Most deprived fifth", steps=1)
    assert "Scenario: Edited from Inclusive recovery 1.0" in controller.equity.legend.text()
    assert controller.ranked.summary.text().startswith("Edited from Inclusive recovery 1.0 against")
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        controller.undo_stack.undo()
    assert "Edited from" not in controller.equity.legend.text()  # back as it was opened


def test_the_difference_view_draws_scenario_minus_baseline_around_zero(qtbot, app):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.equity)
    equity = controller.equity
    groups = equity.summary["groups"]
    equity.set_difference(True)
    expected = [g["scenario"]["mean_wait"] - g["baseline"]["mean_wait"] if g["scenario"]["mean_wait"] != "*" else 0.0
                for g in groups]
    assert equity.bar_heights("mean") == pytest.approx(expected)
    assert min(expected) < 0 < max(expected)  # gains and losses either side of zero
    assert equity.bar_heights("mean", series=1) == []  # one bar a group: the change
    assert equity.axis_titles("mean")[0] == "Weeks (scenario − baseline)"
    assert not equity.whiskers["mean"][0].isVisible()
    equity.set_difference(False)
    assert equity.bar_heights("mean", series=1) == pytest.approx(
        [g["scenario"]["mean_wait"] if g["scenario"]["mean_wait"] != "*" else 0.0 for g in groups])


def test_every_chart_says_what_its_axes_count(qtbot, app):
    _window, controller, _path = app
    equity = controller.equity
    titles = {key: equity.axis_titles(key) for key in equity.plots}
    assert titles["mean"] == ("Weeks", "IMD quintile (1 = most deprived)")
    assert titles["share"][0] == "% of patients" and titles["breaches"][0] == "Patients"
    assert titles["movement"] == ("Patients", "Places moved (positive: moved up)")
    assert all(left and bottom for left, bottom in titles.values())
    ticks = equity.plots["breaches"].getAxis("left").tickValues(0, 3, 200)  # a count of 3 at most: whole numbers
    assert all(float(value).is_integer() for _spacing, values in ticks for value in values)


def test_an_exported_picture_carries_its_title_list_rule_sets_date_and_keys(qtbot, app, tmp_path):
    window, controller, _path = app
    png, svg = controller.equity.export_charts(tmp_path / "charts.png")
    text = svg.read_text(encoding="utf-8")
    census = window.loaded.census_date
    for words in ("Equity impact: Inclusive recovery 1.0 against Treat in turn", "demo-waiting-list.csv",
                  f"census {census:%d/%m/%Y}", f"made {date.today():%d/%m/%Y}", "Baseline", "Scenario",
                  "Next N, scenario", "78 wk, baseline", "1 = most deprived"):
        assert words in text, words
    assert all(" ".join(title.split()[:2]) in text for title, _series in GROUP_CHARTS.values())  # (titles wrap)
    assert png.stat().st_size > 0 and controller.equity.header.text == ""  # the caption is for the picture only
