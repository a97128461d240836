"""Trends over the snapshots: waits, the gap between the most and least deprived, the SII and its interval."""

import json
import math
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest

from workbench.store import decisions
from workbench.demo_weeks import import_week, weekly_lists
from workbench.fields import WaitingList
from workbench.report.record import DecisionRecord, decision_record_html
from workbench.rank.bundled_rules import treat_in_turn
from workbench.compare.trends import (
    series, since_adoption, snapshot_figures, suppressed_trend, trend_figures,
)
from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.store.workspace import Workspace
from tests.weekly_lists import FIRST, LAST, MIDDLE, first_list, hand_worked_workspace, last_list, middle_list


def by_hand_list() -> WaitingList:
    """Two English patients per IMD decile d, waiting 30 - 2d weeks give or take one; women first in each decile."""
    decile = np.repeat(np.arange(1, 11), 2).astype(np.float64)
    weeks = 30 - 2 * decile + np.tile([-1.0, 1.0], 10)
    return WaitingList(np.arange(1, 21), {
        "weeks_waited": weeks, "wait_not_counted": np.full(20, None, dtype=object), "rtt_pathway": np.ones(20),
        "imd_decile": decile, "imd_quintile": np.ceil(decile / 2),
        "deprivation_nation": np.full(20, "England", dtype=object),
        "sex": np.tile(np.array(["Female", "Male"], dtype=object), 10)}, census_date=date(2025, 3, 2))


def test_one_lists_figures_worked_out_by_hand():
    figures = snapshot_figures(by_hand_list(), "sex")
    assert (figures["median_wait"], figures["mean_wait"], figures["within_18"]) == (19.0, 19.0, 0.45)
    assert figures["groups"]["Female"]["mean_wait"] == 18.0 and figures["groups"]["Male"]["median_wait"] == 20.0
    england = figures["by_nation"]["England"]
    assert england["gap"] == pytest.approx(27 - 11)  # deciles 1-2 wait 27 weeks on average, deciles 9-10 11
    # The mean wait falls 20 weeks across the deciles' range (y = 29 - 20x): SII 20. Each decile's mean has a
    # standard error of sqrt(2)/sqrt(2) = 1, and the SII's weights c_i = -p (x_i - 0.5) / 0.0825 square-sum to 1.2121,
    # so OHID's simulation (100,000 seeded draws) gives an interval close to 20 +/- 1.96 x sqrt(1.2121).
    spread = 1.959963984540054 * math.sqrt(0.01 * 0.825 / 0.0825 ** 2)
    assert england["sii"] == pytest.approx(20)
    assert england["sii_ci"] == pytest.approx([20 - spread, 20 + spread], abs=0.03)


def normal_interval(means, errors, counts):
    """Where a simulation of the deciles' means from their standard errors converges: the SII is a weighted sum
    of the means, so it is normal with variance sum(c_i^2 se_i^2)."""
    p = counts / counts.sum()
    x = np.cumsum(p) - p / 2
    weights = -p * (x - p @ x) / (p @ (x - p @ x) ** 2)
    sii, spread = weights @ means, 1.959963984540054 * math.sqrt(weights ** 2 @ errors ** 2)
    return [sii - spread, sii + spread]


def test_the_sii_interval_is_where_the_simulation_of_the_decile_means_converges():
    rng = np.random.default_rng(1)
    counts = np.arange(20, 30)
    decile = np.repeat(np.arange(1, 11), counts).astype(np.float64)
    weeks = np.array([25.0, 22, 21, 18, 17, 15, 15, 12, 11, 9])[decile.astype(int) - 1] + rng.normal(0, 6, len(decile))
    n = len(weeks)
    wl = WaitingList(np.arange(1, n + 1), {
        "weeks_waited": weeks, "wait_not_counted": np.full(n, None, dtype=object), "rtt_pathway": np.ones(n),
        "imd_decile": decile, "imd_quintile": np.ceil(decile / 2), "deprivation_nation": np.full(n, "England", dtype=object)},
        census_date=date(2025, 3, 2))
    parts = [weeks[decile == d] for d in range(1, 11)]
    means = np.array([part.mean() for part in parts])
    errors = np.array([part.std(ddof=1) / math.sqrt(len(part)) for part in parts])
    england = snapshot_figures(wl, "imd_quintile")["by_nation"]["England"]
    assert england["sii_ci"] == pytest.approx(normal_interval(means, errors, counts), abs=0.05)


def weeks_of(rows, census):
    return [(census - r["RTT Clock Start"]).days / 7 for r in rows if not (r["RTT Clock Stop"] and r["RTT Clock Stop"] <= census)]


def test_every_snapshot_oldest_first_with_its_waits(tmp_path):
    with Workspace.open(hand_worked_workspace(tmp_path, with_outcomes=False)) as ws:
        trend = trend_figures(ws, "sex")
    assert [s["census_date"] for s in trend["snapshots"]] == [d.isoformat() for d in (FIRST, MIDDLE, LAST)]
    for figures, (rows, census) in zip(trend["snapshots"], ((first_list(), FIRST), (middle_list(), MIDDLE), (last_list(), LAST))):
        counted = weeks_of(rows, census)
        assert figures["waits_counted"] == len(counted) and figures["median_wait"] == pytest.approx(np.median(counted))
        assert figures["over_18"] == sum(w > 18 for w in counted)
    assert trend["groups"] == ["Female", "Male"]
    assert series(trend, "waits_counted")["Female"] == [6, 4, 4]  # S1 stopped; then P5 stopped, P6 gone; then P9X, J1


def test_small_numbers_are_hidden_and_so_are_waits_of_a_handful(tmp_path):
    with Workspace.open(hand_worked_workspace(tmp_path, with_outcomes=False)) as ws:
        trend = trend_figures(ws, "sex")
    shown = suppressed_trend(trend)
    women = shown["snapshots"][0]["groups"]["Female"]
    assert women["patients"] == "*" and women["median_wait"] == "*" and women["over_18"] == "*"
    assert women["over_52"] == 0 and women["within_18"] == "*"  # zero is shown; a share of a hidden count is not
    assert series(shown, "median_wait")["Female"] == [None, None, None]
    assert shown["snapshots"][0]["patients"] == 10 and shown["disclosure"]["controlled"]  # 12 rows, rounded
    unrounded = suppressed_trend(trend, small_numbers_shown=True)
    assert unrounded["snapshots"][0]["patients"] == 12 and unrounded["disclosure"]["note"] == NOT_FOR_PUBLICATION


def test_the_rule_set_adopted_is_marked_and_the_record_shows_the_trend_since(tmp_path):
    today = date.today()
    workspace = tmp_path / "weeks.sqlite"
    for week in weekly_lists(rows=500, weeks=3, seed=4, start=today - timedelta(days=7)):
        import_week(week, workspace, tmp_path, outcomes=False)
    with Workspace.open(workspace) as ws:
        decisions.record_decision(ws, "Dr A", "Adopted treat in turn", "", treat_in_turn())
        trend = trend_figures(ws)
    assert [(a["date"], a["rule_set"]) for a in trend["adoptions"]] == [(today.isoformat(), treat_in_turn().name)]
    since = since_adoption(suppressed_trend(trend))
    assert (since["from"], since["to"]) == (today.isoformat(), (today + timedelta(days=7)).isoformat())
    median = next(f for f in since["figures"] if f["figure"] == "Median wait (weeks)")
    assert median["change"] == pytest.approx(trend["snapshots"][2]["median_wait"] - trend["snapshots"][1]["median_wait"])
    html = decision_record_html(DecisionRecord(treat_in_turn(), treat_in_turn(), trend=since))
    assert f"Since '{treat_in_turn().name}' was adopted" in html and "England: Gap in mean wait" in html
    # A trend made with control off never goes into a controlled record; a record made with it off shows it.
    unrounded = since_adoption(suppressed_trend(trend, small_numbers_shown=True))
    assert "was adopted" not in decision_record_html(DecisionRecord(treat_in_turn(), treat_in_turn(), trend=unrounded))
    assert "was adopted" in decision_record_html(DecisionRecord(treat_in_turn(), treat_in_turn(), trend=unrounded,
                                                                small_numbers_shown=True))


def test_without_an_adoption_or_a_second_snapshot_there_is_no_trend_since():
    one = {"adoptions": [{"date": "2025-01-01", "rule_set": "x", "sha256": "a"}], "snapshots": [{}]}
    assert since_adoption(one) is None and since_adoption({"adoptions": [], "snapshots": [{}, {}]}) is None


def test_the_command_line_gives_the_trends_as_json(tmp_path):
    workspace = hand_worked_workspace(tmp_path, with_outcomes=False)
    run = subprocess.run([sys.executable, "-m", "workbench", "trends", "--workspace", str(workspace), "--by", "sex",
                          "--json", "--not-for-publication"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["by"] == "sex" and len(shown["snapshots"]) == 3 and shown["snapshots"][2]["groups"]["Male"]["patients"] == 4
    assert shown["disclosure"] == {"controlled": False, "note": NOT_FOR_PUBLICATION}
    controlled = subprocess.run([sys.executable, "-m", "workbench", "trends", "--workspace", str(workspace), "--by",
                                 "sex", "--json"], capture_output=True, text=True)
    newest = json.loads(controlled.stdout)["snapshots"][2]
    assert newest["groups"]["Male"]["patients"] == "*" and newest["patients"] == 10  # 4, and the list's 8
