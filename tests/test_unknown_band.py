"""Patients with no recognised clinical priority are called out wherever the order is read
(hazard HAZ-14): in the exported list's Provenance sheet and in the decision record."""

from datetime import date

import numpy as np
from openpyxl import load_workbook

from workbench.report.export import export_ranked_list
from workbench.fields import WaitingList
from workbench.rank.ranking import rank
from workbench.report.record import DecisionRecord, decision_record_html
from workbench.rank.bundled_rules import treat_in_turn
from workbench.check.validation import unknown_band_warning


def small_list(priorities):
    n = len(priorities)
    return WaitingList(
        row_id=np.arange(1, n + 1),
        columns={
            "pathway_id": np.array([f"P{i}" for i in range(n)], dtype=object),
            "clinical_priority": np.array(priorities, dtype=object),
            "weeks_waited": np.arange(n, dtype=float) + 10,
        },
        census_date=date(2026, 11, 1),
    )


def provenance(path):
    sheet = load_workbook(path)["Provenance"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_exported_list_says_how_many_have_no_recognised_priority(tmp_path):
    wl = small_list(["P2", None, "P4"])
    order = rank(treat_in_turn(), wl)
    export_ranked_list(tmp_path / "ranked.xlsx", wl, order, order, treat_in_turn(), None)
    assert provenance(tmp_path / "ranked.xlsx")["Check before use"].startswith("1 patient has no recognised clinical priority")


def test_no_warning_when_every_priority_is_recognised(tmp_path):
    wl = small_list(["P2", "P3"])
    assert unknown_band_warning(wl) is None
    order = rank(treat_in_turn(), wl)
    export_ranked_list(tmp_path / "ranked.xlsx", wl, order, order, treat_in_turn(), None)
    assert provenance(tmp_path / "ranked.xlsx")["Check before use"] == "every patient has a recognised clinical priority"


def test_the_decision_record_shows_the_warnings_it_is_given():
    warning = unknown_band_warning(small_list(["P2", "urgent", None]))
    html = decision_record_html(DecisionRecord(rule_set=treat_in_turn(), baseline=treat_in_turn(), warnings=[warning]))
    assert "Check before relying on this order" in html
    assert "2 patients have no recognised clinical priority" in html
