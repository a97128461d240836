"""Bad dates never decide the order or the figures; stopped clocks and non-RTT lists are not RTT waits.

Hazards HAZ-21 and HAZ-22 (docs/clinical-safety/hazard-log.md): a placeholder
clock start (01/01/1801) used to wait 10,000 weeks, top its band, dominate the
mean projected waits and turn the slope index of inequality round; a stopped
clock used to count as a wait and a breach.
"""

import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.check import waits
from workbench.demo import write_demo_list
from workbench.check.enrich import enrich
from workbench.compare.equity import prepare_equity
from workbench.fields import WaitingList
from workbench.store.importer import import_file
from workbench.view.summary import summarise
from workbench.rank.ranking import explain, prepare, rank
from workbench.rank.rules import SOCIAL, BandPolicy, Factor, LookupBand, RuleSet
from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.rule_file import load_rules
from workbench.store.workspace import Workspace

CENSUS = datetime.date(2026, 11, 1)
GOOD_STARTS = ["2026-10-25", "2026-06-01", "2025-11-01", "2024-05-01", "2026-11-01"]
BAD_STARTS = ["1801-01-01", "1900-01-01", "1850-01-01", "2026-12-01", None]  # placeholders, impossible, future, none
PRIORITIES = ["P2", "P3", "P4", None]


def make_list(starts, stops, priorities, quintiles, carers) -> WaitingList:
    columns = {
        "pathway_id": np.array([f"A{i}" for i in range(len(starts))], dtype=object),
        "clinical_priority": np.array(priorities, dtype=object),
        "wait_start": np.array([s or "NaT" for s in starts], dtype="datetime64[D]"),
        "clock_stop_date": np.array([s or "NaT" for s in stops], dtype="datetime64[D]"),
        "imd_quintile": np.array(quintiles, dtype=np.float64),
    }
    columns.update({k: v for k, v in enrich(columns, CENSUS).items() if k not in ("imd_quintile",)})
    return WaitingList(np.arange(1, len(starts) + 1), columns, {"Carer": np.array(carers, dtype=object)}, CENSUS)


@st.composite
def lists_with_bad_dates(draw):
    n = draw(st.integers(2, 30))
    pick = lambda options: draw(st.lists(st.sampled_from(options), min_size=n, max_size=n))  # noqa: E731
    return make_list(pick(GOOD_STARTS + BAD_STARTS), pick([None, None, None, "2026-09-01", "2026-12-01"]),
                     pick(PRIORITIES), pick([1.0, 2.0, 5.0, np.nan]), pick(["Y", "N", ""]))


@st.composite
def rule_sets(draw):
    factors = (
        Factor(name="Wait", source="weeks_waited", weight=draw(st.floats(0.1, 3)),
               missing=draw(st.sampled_from(["neutral", "lowest"]))),
        Factor(name="Deprived", source="imd_quintile", group=SOCIAL, weight=draw(st.floats(0, 20)), transform="banded",
               lookup=(LookupBand(1, 1, 4.0), LookupBand(2, 2, 2.0))),
        Factor(name="Carer", source="Carer", group=SOCIAL, weight=draw(st.floats(0, 20))),
    )
    overlap = (0.0,) + tuple(draw(st.lists(st.sampled_from([0.0, 4.0]), min_size=7, max_size=7)))
    return RuleSet(name="Drawn", factors=factors, social_cap_weeks=draw(st.one_of(st.none(), st.floats(0, 15))),
                   bands=BandPolicy(overlap_weeks=overlap))


@settings(max_examples=150, deadline=None)
@given(lists_with_bad_dates(), rule_sets())
def test_a_bad_date_never_puts_a_patient_ahead_of_one_whose_wait_counts(wl, rules):
    """Within a band, a row whose wait is not counted never goes ahead of a counted row that the
    rules' other factors favour at least as much: its date cannot buy it a place."""
    ranking = rank(rules, wl)
    counted = ~np.isnan(wl.columns["weeks_waited"])
    others = ranking.score - ranking.contributions["Wait"]
    for bad in np.flatnonzero(~counted):
        rivals = np.flatnonzero(counted & (ranking.band == ranking.band[bad]) & (others >= others[bad] - 1e-9))
        assert (ranking.rank[rivals] < ranking.rank[bad]).all()


@settings(max_examples=100, deadline=None)
@given(lists_with_bad_dates())
def test_no_flagged_date_is_at_the_top_of_a_band_in_turn(wl):
    ranking = rank(treat_in_turn(), wl)
    counted = ~np.isnan(wl.columns["weeks_waited"])
    for band in np.unique(ranking.band):
        in_band = ranking.order[ranking.band[ranking.order] == band]
        if counted[in_band].any():
            assert counted[in_band[0]]
            assert counted[in_band][: counted[in_band].sum()].all()  # every counted wait before any other


def test_a_placeholder_clock_start_is_explained_in_words():
    wl = make_list(["1801-01-01", "2026-01-01"], [None, None], ["P3", "P3"], [1.0, 1.0], ["N", "N"])
    rules = load_rules(bundled_rule_sets()["inclusive-recovery"])
    wl.source.update({"Return to work": np.array(["N", "N"], dtype=object),
                      "Learning disability": np.array(["N", "N"], dtype=object)})
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    text = explain(rules, wl, scenario, baseline, 0)
    assert scenario.rank.tolist() == [2, 1]
    assert text.as_dict()["wait_not_counted"] == ("clock start 01/01/1801 is a placeholder: time waited not counted; "
                                                 "fix it in validation")
    assert text.sentence().endswith("Note: clock start 01/01/1801 is a placeholder: time waited not counted; "
                                    "fix it in validation.")


def test_every_figure_leaves_out_bad_dates_and_stopped_clocks_and_says_how_many():
    good = make_list(GOOD_STARTS * 4, [None] * 20, ["P3"] * 20, [1.0, 2.0, 3.0, 4.0, 5.0] * 4, ["N"] * 20)
    starts = GOOD_STARTS * 4 + ["1801-01-01", "2026-12-01", "2020-01-01", None]
    stops = [None] * 20 + [None, None, "2026-02-01", None]
    bad = make_list(starts, stops, ["P3"] * 24, [1.0, 2.0, 3.0, 4.0, 5.0] * 4 + [1.0] * 4, ["N"] * 24)
    for by in ("imd_quintile", "imd_decile"):
        order_good = rank(treat_in_turn(), good).order
        order_bad = rank(treat_in_turn(), bad).order
        clean = prepare_equity(good, by, 1.0, 13).summary(order_good, order_good)
        flagged = prepare_equity(bad, by, 1.0, 13).summary(order_bad, order_bad)
        assert flagged["left_out"] == {waits.CLOCK_STOPPED: 1, waits.START_NOT_USABLE: 2, waits.NO_START: 1}
        assert flagged["wait_unknown"] == 4 and flagged["rtt_waits_counted"] == 20
        # The rows left out come last in turn, so the others' projected waits are exactly as without them.
        for before, after in zip(clean["groups"], flagged["groups"]):
            assert before["baseline"]["mean_wait"] == after["baseline"]["mean_wait"]
            assert before["baseline"]["over_52"] == after["baseline"]["over_52"]
        assert clean["sii"] == flagged["sii"]
        assert clean["overall"]["baseline"]["within_18"] == flagged["overall"]["baseline"]["within_18"]
    strip = summarise(bad)
    assert strip.rtt_counted == 20 and strip.left_out == flagged["left_out"]
    assert strip.median_weeks == summarise(good).median_weeks
    assert strip.denominator() == ("RTT waits counted: 20 of 24 patients (left out: 1 clock stopped, "
                                   "2 clock start not usable, 1 no clock start)")


def test_non_rtt_pathways_are_not_rtt_breaches():
    wl = make_list(["2024-01-01"] * 4, [None] * 4, ["P4"] * 4, [1.0] * 4, ["N"] * 4)
    wl.columns["rtt_pathway"] = np.array([1.0, 1.0, 0.0, 0.0])
    strip = summarise(wl)
    assert strip.over_weeks[104] == 2 and strip.rtt_counted == 2 and strip.left_out == {waits.NON_RTT: 2}
    assert strip.within_standard == 0.0
    summary = prepare_equity(wl, "imd_quintile", 1.0, 13).summary(np.arange(4), np.arange(4))
    assert summary["overall"]["baseline"]["over_104"] == 2 and summary["left_out"] == {waits.NON_RTT: 2}


@pytest.fixture(scope="module")
def demo_with_placeholders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_list(folder / "demo.csv", rows=3000, seed=5)
    import_file(folder / "demo.csv", folder / "ws.sqlite", census_date=CENSUS)
    with Workspace.open(folder / "ws.sqlite") as workspace:
        return workspace.load_list()


def test_on_the_demo_list_the_planted_placeholder_and_future_starts_never_top_their_band(demo_with_placeholders):
    wl = demo_with_placeholders
    flagged = np.flatnonzero(wl.columns["wait_not_counted"] == waits.START_NOT_USABLE)
    assert len(flagged) == 2  # the planted 01/01/1900 and a clock start after the census date
    prepared = prepare(wl)
    for path in bundled_rule_sets().values():
        ranking = rank(load_rules(path), wl, prepared=prepared)
        for row in flagged:
            in_band = ranking.order[ranking.band[ranking.order] == ranking.band[row]]
            assert in_band[0] != row
            assert np.flatnonzero(in_band == row)[0] > len(in_band) // 2  # in the back half, not the front


def test_the_summary_says_which_date_overdue_was_timed_from_and_how_many_fell_back():
    columns = {
        "clinical_priority": np.array(["P2"] * 4, dtype=object),
        "wait_start": np.array(["2026-01-01"] * 4, dtype="datetime64[D]"),
        "priority_review_date": np.array(["2026-09-01", "2026-10-25", "NaT", "1900-01-01"], dtype="datetime64[D]"),
        "decision_to_admit_date": np.array(["NaT", "NaT", "2026-08-01", "NaT"], dtype="datetime64[D]"),
    }
    wl = WaitingList(np.arange(1, 5), {**columns, **enrich(columns, CENSUS)}, census_date=CENSUS)
    summary = summarise(wl)
    assert summary.overdue == 3 and summary.overdue_from == {waits.REVIEW: 1, waits.LISTING: 1, waits.CLOCK_START: 1}
    assert summary.overdue_words() == ("Overdue for priority: 3 (timed from the last priority review for 1, "
                                       "the decision to admit for 1, the clock start for 1)")
