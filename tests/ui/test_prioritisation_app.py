"""Part 2 of the app in the real main window, on the bundled demo list: live preview, explanations,
decisions, scenarios and exports, driven headless with real widgets."""

import shutil
import sqlite3

import numpy as np
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from workbench.store.workspace_files import SAVED, WorkspaceFile
from workbench.rank.ranking import explain, rank
from workbench.resources import resource_path
from workbench.rank.rule_edits import with_weight
from workbench.rank.rule_file import load_rules

from tests.ui.conftest import WAIT_MS


def test_ranking_waits_until_the_list_view_has_painted_its_rows(qtbot, tmp_path, demo_workspace, shown_window):
    """Opening a list: the ranking starts once the list's rows are on screen (painting beside it is slow)."""
    path = tmp_path / "order.sqlite"
    shutil.copy(demo_workspace, path)
    window, controller = shown_window()
    on_screen_when_ranked = []
    submit = controller.preview_worker.submit

    def watched_submit(*args, **kwargs):
        on_screen_when_ranked.append(window.list_panel.shown)
        return submit(*args, **kwargs)

    controller.preview_worker.submit = watched_submit
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        window.show_workspace(WorkspaceFile(path, SAVED))
    assert on_screen_when_ranked and all(on_screen_when_ranked)


def shown_column(controller, field, rows=20):
    model = controller.ranked.model
    column = model.column_of(field)
    return [model.data(model.index(r, column)) for r in range(rows)]


def test_the_demo_list_opens_ranked_by_inclusive_recovery(app):
    _window, controller, _path = app
    result = controller.result
    assert result.rule_set.name == "Inclusive recovery"
    assert controller.ranked.model.rowCount() == 5000
    assert shown_column(controller, "new_rank", 3) == ["1", "2", "3"]
    assert result.moved_up > 0 and result.moved_down > 0
    assert controller.equity.summary["by"] == "imd_quintile"
    sii = result.shown["sii"]
    assert sii["scenario"] < sii["baseline"]  # the inclusive rule set narrows the deprivation gap


def test_moving_a_weight_updates_the_list_and_the_charts(qtbot, app):
    _window, controller, _path = app
    editor = controller.rules.editors["Most deprived fifth"]
    before_list = shown_column(controller, "pathway_id", 200)
    before_bars = controller.equity.bar_heights("mean", series=1)
    editor.slider.setFocus()
    for _ in range(4):  # PageUp moves the slider a whole week-equivalent
        qtbot.keyClick(editor.slider, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: controller.result.rule_set.factor("Most deprived fifth").weight == 5.0, timeout=WAIT_MS)
    assert editor.spin.value() == 5.0
    assert shown_column(controller, "pathway_id", 200) != before_list
    assert controller.equity.bar_heights("mean", series=1) != before_bars
    # A four-step drag is one undoable change.
    assert controller.undo_stack.count() == 1


def test_selecting_a_patient_explains_their_place(qtbot, app):
    _window, controller, _path = app
    table = controller.ranked.table
    with qtbot.waitSignal(controller.ranked.patientSelected):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 0)).center())
    result, ready = controller.result, controller.ready
    first = int(result.ranking.order[0])
    expected = explain(result.rule_set, ready.wl, result.ranking, ready.baseline, first)
    assert controller.explain.sentence.text() == expected.sentence()
    assert controller.explain.facts["New rank"].text() == "1"
    movement = ready.baseline.rank - result.ranking.rank
    deprived = result.ranking.contributions["Most deprived fifth"]
    mover = int(np.flatnonzero((movement > 20) & (deprived > 0))[0])
    controller.ranked.select_position(mover)
    sentence = controller.explain.sentence.text()
    assert sentence.startswith(f"Moved up {int(movement[mover]):,} places") and "most deprived quintile in England (+4.0" in sentence
    assert controller.explain.bar_values()[1] == pytest.approx(deprived[mover])
    qtbot.waitUntil(lambda: controller.without_ready, timeout=WAIT_MS)
    without = controller.explain.facts["Without each social factor"].toolTip()
    lower = rank(with_weight(result.rule_set, "Most deprived fifth", 0.0), ready.wl, prepared=ready.prepared).rank[mover]
    assert f"most deprived quintile in England: {lower:,} ({lower - result.ranking.rank[mover]:,} places later)" in without


def test_undo_and_redo_a_weight_change_from_the_keyboard(qtbot, app):
    window, controller, _path = app
    editor = controller.rules.editors["Carer"]
    editor.spin.setValue(3.0)
    qtbot.waitUntil(lambda: controller.result.rule_set.factor("Carer").weight == 3.0, timeout=WAIT_MS)
    assert controller.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in controller.redo_action.shortcuts()]
    controller.undo_action.trigger()
    qtbot.waitUntil(lambda: controller.result.rule_set.factor("Carer").weight == 1.0, timeout=WAIT_MS)
    assert editor.spin.value() == 1.0
    controller.redo_action.trigger()
    qtbot.waitUntil(lambda: controller.result.rule_set.factor("Carer").weight == 3.0, timeout=WAIT_MS)
    assert "Carer: weight: 1 → 3" in controller.log.pending.text()


def record(qtbot, controller, name, rationale):
    controller.log.name.setText(name)
    controller.log.rationale.setPlainText(rationale)
    with qtbot.waitSignal(controller.decisionsUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(controller.log.record_button, Qt.MouseButton.LeftButton)


def test_decisions_are_logged_verified_and_tampering_shows(qtbot, app):
    _window, controller, path = app
    controller.rules.editors["Carer"].spin.setValue(2.0)
    record(qtbot, controller, "Dr A Patel", "Carers wait longer in our audit")
    entry = controller.state.log[-1]
    assert (entry.person, entry.rationale) == ("Dr A Patel", "Carers wait longer in our audit")
    assert entry.action == "Rules changed: Carer: weight: 1 → 2"
    assert entry.rules_sha256 == controller.rules.rule_set.sha256
    assert "Record intact: 1 entry," in controller.log.chain.text()
    assert controller.log.rationale.toPlainText() == ""
    tamper = sqlite3.connect(path, isolation_level=None)
    tamper.execute("DROP TRIGGER decision_log_no_update")
    tamper.execute("UPDATE decision_log SET person = 'Someone else'")
    tamper.close()
    with qtbot.waitSignal(controller.decisionsUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(controller.log.verify_button, Qt.MouseButton.LeftButton)
    assert "altered outside the workbench at entry 1" in controller.log.chain.text()


def test_export_the_decision_record_and_the_ranked_list(qtbot, app, tmp_path):
    _window, controller, _path = app
    qtbot.waitUntil(lambda: controller.comparison is not None, timeout=WAIT_MS)
    record(qtbot, controller, "J Smith", "Agreed at the March workshop")
    with qtbot.waitSignal(controller.reportExported, timeout=WAIT_MS) as exported:
        controller.export_report(tmp_path / "record")
    html_path, pdf_path = exported.args
    html = html_path.read_text(encoding="utf-8")
    assert controller.rules.rule_set.sha256 in html
    assert "J Smith" in html and "Agreed at the March workshop" in html and "Confirmed the rule set" in html
    assert "data:image/png;base64," in html and "Kendall tau" in html
    assert pdf_path.read_bytes().startswith(b"%PDF") and pdf_path.stat().st_size > 10_000
    with qtbot.waitSignal(controller.rankedListExported, timeout=WAIT_MS):
        controller.export_ranked_list(tmp_path / "ranked.xlsx")
    book = load_workbook(tmp_path / "ranked.xlsx", read_only=True)
    assert book.sheetnames == ["Ranked list", "Rules", "Provenance"]
    rows = book["Ranked list"].iter_rows(values_only=True)
    header, first = next(rows), next(rows)
    assert header[:3] == ("New rank", "Baseline rank", "Places moved up")
    first_position = int(controller.result.ranking.order[0])
    assert first[:2] == (1, int(controller.ready.baseline.rank[first_position]))
    rules_text = " ".join(str(c) for row in book["Rules"].iter_rows(values_only=True) for c in row)
    assert controller.result.rule_set.sha256 in rules_text
    book.close()
    with qtbot.waitSignal(controller.rankedListExported, timeout=WAIT_MS):
        controller.export_ranked_list(tmp_path / "ranked.csv")
    lines = (tmp_path / "ranked.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 5002 and lines[0].startswith('"Ranked by Inclusive recovery 1.0') and lines[2].startswith("1,")


def test_save_compare_and_use_scenarios(qtbot, app):
    _window, controller, _path = app
    panel = controller.scenarios
    panel.name.setText("Inclusive as shipped")
    with qtbot.waitSignal(controller.decisionsUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    controller.rules.cap_on.setChecked(False)  # no social cap
    controller.rules.editors["Carer"].spin.setValue(6.0)
    panel.name.setText("No cap, carers first")
    with qtbot.waitSignal(controller.decisionsUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert [s.name for s in controller.state.scenarios] == ["Inclusive as shipped", "No cap, carers first"]
    assert controller.state.log[-1].action == "Saved the rules as scenario 'No cap, carers first'"
    qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.dialog is not None and controller.dialog.isVisible(), timeout=WAIT_MS)
    dialog = controller.dialog
    assert set(dialog.differing_items()) == {"Social cap (weeks)", "Carer: weight"}
    assert 0.5 < dialog.result.kendall_tau < 1.0
    assert "Kendall tau" in dialog.headline.text()
    dialog.close()
    panel.list.setCurrentRow(0)
    shipped = controller.state.scenarios[0].rule_set
    qtbot.waitUntil(lambda: controller.result.rule_set == controller.rules.rule_set != shipped, timeout=WAIT_MS)
    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.rules.rule_set == shipped == controller.result.rule_set, timeout=WAIT_MS)
    assert controller.rules.rule_set.social_cap_weeks == 8.0
    assert controller.rules.editors["Carer"].spin.value() == 1.0


def test_capacity_changes_feed_the_projections_and_the_queue_table(qtbot, app):
    _window, controller, _path = app
    controller.capacity.capacity.setValue(200.0)
    qtbot.waitUntil(lambda: controller.result.shown["capacity_per_week"] == 200.0, timeout=WAIT_MS)
    assert controller.result.shown["next_n"] == 200 * 13
    rows = []
    controller.queuesUpdated.connect(rows.append)
    controller.capacity.demand.setValue(150.0)
    qtbot.waitUntil(lambda: bool(rows) and rows[-1][-1]["demand_per_week"] == 150.0, timeout=WAIT_MS)
    overall = rows[-1][-1]
    assert overall["specialty"] == "All specialties" and overall["capacity_per_week"] == 200.0
    assert overall["target_queue_size"] == pytest.approx(150 * 18 / 4)
    last = controller.capacity.table.rowCount() - 1
    assert controller.capacity.cell_text(last, "target_queue_size") == "675.0"


def test_a_bundled_rule_set_opened_from_the_menu_path_replaces_the_rules(qtbot, app):
    _window, controller, _path = app
    path = resource_path("rules", "priority-and-time-to-target.toml")
    controller.rules.open_rules(path)
    qtbot.waitUntil(lambda: controller.result.rule_set == load_rules(path), timeout=WAIT_MS)
    assert list(controller.rules.editors) == [f.name for f in load_rules(path).factors]
    controller.undo_action.trigger()
    qtbot.waitUntil(lambda: controller.result.rule_set.name == "Inclusive recovery", timeout=WAIT_MS)


def test_showing_small_numbers_is_one_explicit_choice_that_marks_every_output(qtbot, app, tmp_path):
    window, controller, _path = app
    groups = {g["group"]: g for g in controller.result.shown["groups"]}
    assert groups["Not known"]["count"] == "*" and controller.result.shown["list_size"] == 5000
    assert controller.equity.banner.isHidden() and window.not_for_publication.isHidden()
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        assert window.set_small_numbers_shown(True, ask=False)
    shown = controller.result.shown
    assert shown["disclosure"]["controlled"] is False
    assert {g["group"]: g for g in shown["groups"]}["Not known"]["count"] == 2  # the demo's 2 with no deprivation
    assert not controller.equity.banner.isHidden() and not window.not_for_publication.isHidden()
    assert window.actions_by_name["small_numbers"].isChecked()
    assert "NOT FOR PUBLICATION: SMALL NUMBERS SHOWN" in controller.equity.header.text  # in the charts' picture
    qtbot.waitUntil(lambda: not controller.capacity.banner.isHidden(), timeout=WAIT_MS)
    with qtbot.waitSignal(controller.reportExported, timeout=WAIT_MS) as exported:
        controller.export_report(tmp_path / "record.html")
    html = exported.args[0].read_text(encoding="utf-8")
    assert "Not for publication: small numbers shown" in html
    with qtbot.waitSignal(controller.previewUpdated, timeout=WAIT_MS):
        window.set_small_numbers_shown(False)
    assert controller.result.shown["disclosure"]["controlled"] is True and controller.equity.banner.isHidden()


def test_small_numbers_stay_hidden_unless_the_warning_is_accepted(qtbot, app, monkeypatch):
    window, controller, _path = app
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.No)
    window.actions_by_name["small_numbers"].trigger()
    assert asked and "Not for publication" in asked[0]
    assert window.small_numbers_shown is False and not window.actions_by_name["small_numbers"].isChecked()
    assert controller.result.shown["disclosure"]["controlled"] is True
