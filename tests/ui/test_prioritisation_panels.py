"""Part 2's panels one by one, with real widgets on small lists built here."""

from datetime import date

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ui.capacity_panel import CapacityPanel
from workbench.compare.queues import CapacitySettings, queue_table
from ui.equity_panel import GROUP_CHARTS, REPORT_HEIGHT, REPORT_WIDTH, EquityPanel
from ui.explain_panel import ExplainPanel
from workbench.compare.preview import EquityCache, PreviewRequest, compute_preview, prepare_list
from ui.list_model import ListModel
from ui.ranked_model import RankedModel
from workbench.view.columns import label
from ui.ranked_view import RankedView
from ui.rules_panel import RulesPanel
from ui.workshop import PairwiseDialog, SwingDialog, set_font_scale
from workbench.check.deprivation import FIFTHS
from workbench.fields import WaitingList
from workbench.rank.ranking import WithoutFactors, explain, prepare, rank
from workbench.rank.bundled_rules import treat_in_turn
from workbench.rank.rule_file import load_rules, parse_rules

RULES = """
name = "Three factors"
version = "0.1"
[[factors]]
name = "Weeks waited"
source = "weeks_waited"
weight = 1.0
[[factors]]
name = "Deprivation"
group = "social"
source = "imd_quintile"
transform = "banded"
lookup = [{ from = 1, to = 1, value = 4.0 }]
weight = 2.0
[[factors]]
name = "Carer"
group = "social"
source = "Carer"
weight = 4.0
"""


def waiting_list(n=300, seed=7):
    rng = np.random.default_rng(seed)
    quintile = rng.integers(1, 6, n).astype(float)
    quintile[:3] = np.nan
    return WaitingList(
        row_id=np.arange(1, n + 1),
        columns={
            "pathway_id": np.array([f"PW{i:04d}" for i in range(n)], dtype=object),
            "clinical_priority": rng.choice(np.array(["P2", "P3", "P4"], dtype=object), n),
            "weeks_waited": np.round(rng.uniform(0, 90, n), 1),
            "imd_quintile": quintile,
            "imd_decile": quintile * 2,
            "deprivation_nation": np.where(np.isnan(quintile), None, "England").astype(object),
            "specialty": np.array(["110"] * (n - 5) + ["999"] * 5, dtype=object),
        },
        source={"Carer": rng.choice(np.array(["Y", "N"], dtype=object), n)},
        census_date=date(2026, 3, 31),
    )


@pytest.fixture
def rules():
    return parse_rules(RULES)


@pytest.fixture
def panel(qtbot, rules):
    panel = RulesPanel(rules)
    qtbot.addWidget(panel)
    panel.set_columns(["imd_quintile", "core20", "wait_start", "Carer", "Frailty score"])
    return panel


# --------------------------------------------------------------------------- the ranked model
def test_ranked_model_passes_the_model_tester_and_shows_movement(qtmodeltester, rules):
    wl = waiting_list()
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    model = RankedModel()
    model.set_list(wl, scenario, baseline)
    qtmodeltester.check(model)
    assert model.rowCount() == 300
    top = int(scenario.order[0])
    moved = int(baseline.rank[top] - 1)
    assert model.data(model.index(0, model.column_of("new_rank"))) == "1"
    assert model.data(model.index(0, model.column_of("movement"))) == (f"▲ {moved:,}" if moved else "= 0")
    assert model.data(model.index(0, model.column_of("pathway_id"))) == wl.columns["pathway_id"][top]
    tooltip = model.data(model.index(0, model.column_of("movement")), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("moved up") or tooltip == "no change"
    # The words and figures of the list view and the exports: one column specification.
    listed = ListModel()
    listed.set_list(wl)
    for field in ("clinical_priority", "weeks_waited", "imd_quintile"):
        header = model.headerData(model.column_of(field), Qt.Orientation.Horizontal)
        assert header == listed.headerData(listed.column_of(field), Qt.Orientation.Horizontal) == label(field)
        assert model.data(model.index(0, model.column_of(field))) == listed.cell_text(top, listed.column_of(field))


def test_a_new_ranking_keeps_the_selected_patient_selected(qtbot, rules):
    wl = waiting_list()
    view = RankedView()
    qtbot.addWidget(view)
    baseline = rank(treat_in_turn(), wl)
    view.model.set_list(wl, baseline, baseline)
    view.select_position(42)
    assert view.selected_position() == 42
    view.model.set_rankings(rank(rules, wl), baseline)
    assert view.selected_position() == 42
    row = view.table.selectionModel().currentIndex().row()
    assert view.model.data(view.model.index(row, view.model.column_of("pathway_id"))) == "PW0042"
    assert view.find_pathway(" pw0007 ") and view.selected_position() == 7


# --------------------------------------------------------------------------- the rules panel
def test_weight_changes_undo_and_redo(qtbot, panel):
    seen = []
    panel.ruleSetChanged.connect(seen.append)
    panel.editors["Carer"].spin.setValue(6.5)
    assert panel.rule_set.factor("Carer").weight == 6.5 and seen[-1] is panel.rule_set
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert panel.rule_set.factor("Carer").weight == 4.0
    assert panel.editors["Carer"].spin.value() == 4.0 and panel.editors["Carer"].slider.value() == 40
    qtbot.mouseClick(panel.redo_button, Qt.MouseButton.LeftButton)
    assert panel.rule_set.factor("Carer").weight == 6.5


def test_transform_policy_cap_and_factors_are_undoable_edits(qtbot, panel, rules):
    carer = panel.editors["Carer"]
    carer.transform.setCurrentIndex(1)  # threshold
    carer.at_least.setValue(1.0)
    assert panel.rule_set.factor("Carer").transform == "threshold"
    carer.missing.setCurrentIndex(1)
    assert panel.rule_set.factor("Carer").missing == "lowest"
    panel.cap_on.setChecked(True)
    panel.cap_weeks.setValue(6.0)
    assert panel.rule_set.social_cap_weeks == 6.0
    panel.add_source.setCurrentIndex(panel.add_source.findData("Frailty score"))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.rule_set.factors[-1].source == "Frailty score" and "Frailty score" in panel.editors
    qtbot.mouseClick(panel.editors["Deprivation"].remove, Qt.MouseButton.LeftButton)
    assert [f.name for f in panel.rule_set.factors] == ["Weeks waited", "Carer", "Frailty score"]
    texts = [panel.undo_stack.text(i) for i in range(panel.undo_stack.count())]
    assert texts[0] == "Transform of Carer: threshold" and texts[-1] == "Remove factor Deprivation"
    while panel.undo_stack.canUndo():
        panel.undo_stack.undo()
    assert panel.rule_set == rules
    assert list(panel.editors) == ["Weeks waited", "Deprivation", "Carer"]


def test_a_mistyped_lookup_is_refused_without_changing_the_rules(panel, rules):
    lookup = panel.editors["Deprivation"].lookup
    lookup.setText("1 to 2 = four")
    lookup.editingFinished.emit()
    assert panel.rule_set == rules and "Not used" in lookup.toolTip()
    lookup.setText("1-1: 4; 2-2: 2")
    lookup.editingFinished.emit()
    assert [b.value for b in panel.rule_set.factor("Deprivation").lookup] == [4.0, 2.0]


def test_save_and_reload_a_rule_set_through_the_panel(qtbot, panel, tmp_path):
    panel.editors["Carer"].spin.setValue(2.5)
    saved = panel.save_rules_as(tmp_path / "workshop")
    assert saved == tmp_path / "workshop.toml"
    assert load_rules(saved) == panel.rule_set
    assert "workshop.toml" in panel.title.text() and panel.rule_set.sha256[:16] in panel.sha.text()
    panel.editors["Carer"].spin.setValue(9.0)
    assert "changed, not saved" in panel.title.text()
    panel.open_rules(saved)
    assert panel.rule_set.factor("Carer").weight == 2.5
    assert "changed, not saved" not in panel.title.text()
    (tmp_path / "bad.toml").write_text('name = "x"\n[[factors]]\nname = "a"\nsource = "weeks_waited"\nweight = "lots"\n')
    assert panel.open_rules(tmp_path / "bad.toml") is None
    assert "line 5" in panel.problem.text() and panel.rule_set.factor("Carer").weight == 2.5


# --------------------------------------------------------------------------- workshop
def test_pairwise_comparison_gives_the_hand_computed_weights(qtbot, rules):
    dialog = PairwiseDialog(rules)
    qtbot.addWidget(dialog)
    # Consistent judgements: time 2x deprivation, 4x carer; deprivation 2x carer -> 4/7, 2/7, 1/7.
    box = dialog.pairs[("Weeks waited", "Deprivation")]
    box.setCurrentIndex(box.findData(2.0))
    dialog.set_judgement("Weeks waited", "Carer", 4)
    dialog.set_judgement("Carer", "Deprivation", 1 / 2)
    weights = dialog.result.weights
    assert weights == pytest.approx({"Weeks waited": 4 / 7, "Deprivation": 2 / 7, "Carer": 1 / 7}, abs=1e-12)
    assert dialog.result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert "the answers agree" in dialog.status.text()
    assert dialog.result_table.item(0, 1).text() == "57.1%"
    with qtbot.waitSignal(dialog.weightsApplied) as applied:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    # The three weights (1 + 2 + 4 = 7) are shared out 4:2:1.
    assert applied.args[0] == {"Weeks waited": 4.0, "Deprivation": 2.0, "Carer": 1.0}


def test_contradictory_judgements_warn(qtbot, rules):
    dialog = PairwiseDialog(rules)
    qtbot.addWidget(dialog)
    dialog.set_judgement("Weeks waited", "Deprivation", 9)
    dialog.set_judgement("Deprivation", "Carer", 9)
    dialog.set_judgement("Carer", "Weeks waited", 9)
    assert dialog.result.consistency_ratio > 0.1
    assert "above 0.10" in dialog.status.text()


def test_swing_weighting(qtbot, rules):
    dialog = SwingDialog(rules)
    qtbot.addWidget(dialog)
    dialog.points["Deprivation"].setValue(60)
    dialog.points["Carer"].setValue(40)
    assert dialog.relative == pytest.approx({"Weeks waited": 0.5, "Deprivation": 0.3, "Carer": 0.2})
    assert dialog.new_weights() == pytest.approx({"Weeks waited": 3.5, "Deprivation": 2.1, "Carer": 1.4})
    dialog.points["Weeks waited"].setValue(90)  # now nobody has 100 points
    assert dialog.relative is None and not dialog.apply_button.isEnabled()


def test_workshop_mode_scales_the_app_font_and_back(qtbot):
    app = QApplication.instance()
    size = app.font().pointSizeF()
    base = set_font_scale(1.5)
    assert app.font().pointSizeF() == pytest.approx(size * 1.5)
    set_font_scale(1.0, base)
    assert app.font().pointSizeF() == pytest.approx(size)


def test_workshop_mode_enlarges_the_chart_titles_too(qtbot):
    panel = EquityPanel()
    qtbot.addWidget(panel)
    title = next(iter(panel.plots.values())).titleLabel
    before = float(title.opts["size"].removesuffix("pt"))
    base = set_font_scale(1.5)
    try:
        qtbot.waitUntil(lambda: float(title.opts["size"].removesuffix("pt")) >= before * 1.4)
    finally:
        set_font_scale(1.0, base)
    qtbot.waitUntil(lambda: float(title.opts["size"].removesuffix("pt")) == before)


# --------------------------------------------------------------------------- explanation, equity, capacity
def test_explain_panel_shows_the_sentence_and_bars(qtbot, rules):
    wl = waiting_list()
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    position = int(scenario.order[0])
    explanation = explain(rules, wl, scenario, baseline, position)
    panel.show_explanation(explanation)
    assert panel.sentence.text() == explanation.sentence()
    assert panel.bar_values() == pytest.approx(list(explanation.contributions.values()))
    assert panel.facts["Band"].text() == explanation.band
    panel.show_explanation(None)
    assert panel.bar_values() == [] and "Select a patient" in panel.sentence.text()


def test_explain_panel_shows_the_rank_without_each_social_factor(qtbot, rules):
    wl = waiting_list()
    prepared = prepare(wl)
    scenario, baseline = rank(rules, wl, prepared=prepared), rank(treat_in_turn(), wl, prepared=prepared)
    position = int(np.flatnonzero(scenario.contributions["Carer"] > 0)[0])
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    panel.show_explanation(explain(rules, wl, scenario, baseline, position), without_pending=True)
    assert panel.facts["Without each social factor"].text() == "working out…"
    explanation = explain(rules, wl, scenario, baseline, position, WithoutFactors(scenario, prepared))
    panel.show_explanation(explanation)
    lower = explanation.rank_without["Carer"]
    fact = panel.facts["Without each social factor"]
    assert lower > explanation.rank and f"Carer: {lower:,} ({lower - explanation.rank:,} places later)" in fact.toolTip()
    assert "Deprivation in England: " in fact.toolTip()  # every social factor in the tooltip, the biggest shown
    biggest = max(explanation.rank_without.values(), key=lambda rank: abs(rank - explanation.rank))
    assert fact.text().startswith(f"{biggest:,} without ")
    assert f"Carer +4.0, rank {lower:,} without" in panel.plot.accessibleDescription()  # and on the chart
    assert "weight 0" in panel.facts["Without each social factor"].toolTip()


def preview(rules, wl, by="imd_quintile"):
    ready = prepare_list(wl)
    return compute_preview(PreviewRequest(ready, rules, by, CapacitySettings(10.0, 5.0), EquityCache()))


def test_equity_panel_draws_suppressed_figures_as_stars_and_explains_on_hover(qtbot, rules):
    wl = waiting_list()
    result = preview(rules, wl)
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.show_summary(result.shown, result.movement)
    groups = [g["group"] for g in result.shown["groups"]]
    assert groups == [f"England, {fifth}" for fifth in FIFTHS] + ["Not known"]  # 3 rows have no quintile: suppressed
    assert panel.bar_heights("mean", series=1)[:5] == pytest.approx(
        [g["scenario"]["mean_wait"] for g in result.shown["groups"][:5]])
    assert panel.bar_heights("mean", series=1)[5] == 0.0 and panel.shown_marks("mean") == 2
    text = panel.hover_text("mean", 0)
    assert text.startswith("England, most deprived fifth (") and f"{result.shown['groups'][0]['scenario']['mean_wait']:.1f} weeks" in text
    assert "*" in panel.hover_text("share", 5)
    sii = panel.hover_text("sii", 0)
    assert "Slope index of inequality (SII) of mean projected wait across England's IMD deciles" in sii
    assert "(positive: the most deprived wait longer)" in sii and "95% CI" in sii
    assert "Relative index of inequality (RII, OHID's:" in sii and "times as long as the" in sii
    whole = result.shown["overall"]["baseline"]
    assert f"within 18 weeks {100 * whole['within_18']:.0f}%" in panel.note.text()
    assert "over 104 weeks" in panel.note.text() and "RTT waits counted: 300 of 300 patients" in panel.note.text()


def test_equity_panel_shows_the_growing_list_confidence_intervals_and_unknowns_ranges(qtbot, rules):
    wl = waiting_list()
    wl.columns["imd_quintile"][:20] = np.nan  # 20 of unknown deprivation: enough to show their range
    wl.columns["imd_decile"][:20] = np.nan
    ready = prepare_list(wl)
    result = compute_preview(PreviewRequest(ready, rules, "imd_quintile", CapacitySettings(10.0, 5.0, 15.0), EquityCache()))
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.show_summary(result.shown, result.movement)
    assert result.shown["list_grows"] and "the list grows from 300 to 325" in panel.note.text()
    assert "Relative index of inequality (RII" in panel.note.text()
    low, high = result.shown["sii_ci"]["scenario"]
    whisker = panel.whiskers["sii"][1]  # the scenario's 95% CI over its bar
    assert whisker.isVisible() and whisker.opts["y"][0] - whisker.opts["bottom"][0] == pytest.approx(low)
    assert whisker.opts["y"][0] + whisker.opts["top"][0] == pytest.approx(high)
    ranges = panel.whiskers["mean"][1]  # the mean wait if the 20 unknowns all belonged to each fifth
    expected = [g["scenario"]["mean_wait_range"] for g in result.shown["groups"][:5]]
    assert ranges.isVisible() and (ranges.opts["y"] + ranges.opts["top"]).tolist() == pytest.approx([r[1] for r in expected])
    assert "If the 20 patients of unknown group all belonged here" in panel.hover_text("mean", 0)
    assert "positive means the most deprived wait longer" in panel.graphics.toolTip()


def test_ranges_from_a_handful_of_unknowns_are_hidden(qtbot, rules):
    result = preview(rules, waiting_list())  # 3 of unknown deprivation: their count is hidden, so are the ranges
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.show_summary(result.shown, result.movement)
    assert {g["scenario"]["mean_wait_range"] for g in result.shown["groups"][:5]} == {"*"}
    assert not panel.whiskers["mean"][0].isVisible() and not panel.whiskers["mean"][1].isVisible()


def test_equity_charts_are_built_when_first_shown_with_the_figures_given_while_hidden(qtbot, rules):
    result = preview(rules, waiting_list())
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.show_summary(result.shown, result.movement)
    assert not panel._plots  # hidden in its tab: nothing built yet
    panel.show()
    qtbot.waitExposed(panel)
    assert set(panel._plots) == {*GROUP_CHARTS, "sii", "movement"}
    assert panel.bar_heights("mean", series=1)[:5] == pytest.approx(
        [g["scenario"]["mean_wait"] for g in result.shown["groups"][:5]])


def test_equity_panel_updates_bars_in_place_and_exports(qtbot, rules, tmp_path):
    wl = waiting_list()
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.show_summary(preview(treat_in_turn(), wl).shown)
    items = list(panel.plots["mean"].items)
    heavier = parse_rules(RULES.replace("weight = 2.0", "weight = 20.0"))
    panel.show_summary(preview(heavier, wl).shown)
    assert list(panel.plots["mean"].items) == items  # moved, not rebuilt
    png, svg = panel.export_charts(tmp_path / "charts.png")
    assert png.read_bytes().startswith(b"\x89PNG") and "<svg" in svg.read_text(encoding="utf-8")
    picture = QImage.fromData(panel.chart_png())  # a fixed size for the record, shown or not
    assert (picture.width(), picture.height()) == (REPORT_WIDTH, REPORT_HEIGHT)


def test_queue_table_hides_small_specialties_and_rounds_the_rest(qtbot):
    wl = waiting_list()
    rows = queue_table(wl, CapacitySettings(capacity_per_week=30.0, demand_per_week=20.0))
    small = next(r for r in rows if r["specialty"] == "999")
    big = next(r for r in rows if r["specialty"] == "110")
    assert small["queue_size"] == small["mean_wait"] == small["capacity_per_week"] == "*"
    assert small["weeks_to_clear_52"] == "*"
    # No secondary suppression: the big queue shows, rounded, and its share of capacity is worked out from that.
    assert big["queue_size"] == 295 and big["capacity_per_week"] == pytest.approx(30 * 295 / 300)
    assert big["mean_wait"] == pytest.approx(wl.columns["weeks_waited"][:295].mean())
    assert rows[-1]["queue_size"] == 300
    panel = CapacityPanel()
    qtbot.addWidget(panel)
    panel.show_table(rows)
    assert panel.cell_text(len(rows) - 1, "queue_size") == "300"
    assert panel.cell_text(1, "queue_size") == "*"
    assert panel.disclosure.text().startswith("Counts from 1 to 7 are shown as *") and panel.banner.isHidden()


def test_the_all_specialties_row_never_shows_a_backlog_each_specialty_hides(qtbot):
    # Three specialties, one patient past 52 weeks in each: the total (3) is hidden like its parts.
    weeks = np.array([60.0, 10, 10, 10, 10, 10, 10, 10, 10] * 3)
    wl = WaitingList(np.arange(1, 28), {"weeks_waited": weeks,
                                        "specialty": np.repeat(np.array(["100", "110", "120"], dtype=object), 9)})
    rows = queue_table(wl, CapacitySettings(capacity_per_week=10.0))
    assert [row["backlog_52"] for row in rows] == ["*", "*", "*", "*"]
    assert rows[-1]["weeks_to_clear_52"] == "*" and rows[-1]["queue_size"] == 25  # 27, rounded
    shown = queue_table(wl, CapacitySettings(capacity_per_week=10.0), small_numbers_shown=True)
    assert [row["backlog_52"] for row in shown] == [1, 1, 1, 3]


def test_the_queue_table_says_none_needed_and_warns_at_a_load_of_one(qtbot):
    wl = waiting_list()
    panel = CapacityPanel()
    qtbot.addWidget(panel)
    panel.show_table(queue_table(wl, CapacitySettings(capacity_per_week=30.0, demand_per_week=30.0)))
    last = panel.table.rowCount() - 1
    assert panel.cell_text(last, "queue_load") == "⚠ 1.00" and not panel.warnings.isHidden()
    assert panel.warnings.text() == ("Every specialty and all together: queue load 1.00: referrals are at or above "
                                     "capacity, so the queue will not come down.")
    assert panel.table.item(last, 6).toolTip().startswith("Queue load 1.00")
    panel.show_table(queue_table(wl, CapacitySettings(capacity_per_week=300.0, demand_per_week=100.0)))
    assert panel.cell_text(last, "relief_capacity") == "none needed" and panel.warnings.isHidden()
    headers = [panel.table.horizontalHeaderItem(c).toolTip() for c in range(panel.table.columnCount())]
    assert all(headers) and "none needed" in headers[8].lower()


def test_the_queue_table_with_small_numbers_shown_says_it_is_not_for_publication(qtbot):
    wl = waiting_list()
    panel = CapacityPanel()
    qtbot.addWidget(panel)
    panel.show_table(queue_table(wl, CapacitySettings(30.0), small_numbers_shown=True), small_numbers_shown=True)
    assert panel.cell_text(1, "queue_size") == "5" and not panel.banner.isHidden()
    assert panel.disclosure.text() == "Not for publication: small numbers shown."


def test_charts_survive_many_redraws(qtbot, rules):
    """PySide6 6.12.0 dropped references to None on every redraw and aborted the
    interpreter within a few hundred ("deallocating None"): pyproject.toml keeps it out."""
    wl = waiting_list()
    result = preview(rules, wl)
    panel = EquityPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    for _ in range(150):
        panel.show_summary(result.shown, result.movement)
        panel.graphics.viewport().repaint()
    assert panel.bar_heights("mean", series=1)[0] == pytest.approx(result.shown["groups"][0]["scenario"]["mean_wait"])
