"""Trends over the snapshots: waits, the gap between the most and least deprived, the SII and its interval."""

import json
import math
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest

from workbench import decisions
from workbench.demo_weeks import import_week, weekly_lists
from workbench.equity import inequality_indices
from workbench.fields import WaitingList
from workbench.report import DecisionRecord, decision_record_html
from workbench.rules import treat_in_turn
from workbench.trends import (
    series, since_adoption, sii_with_interval, snapshot_figures, suppressed_trend, trend_figures,
)
from workbench.workspace import Workspace
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
    # standard error of sqrt(2)/sqrt(2) = 1, and the SII's weights c_i = -p (x_i - 0.5) / 0.0825 square-sum to 1.2121.
    spread = 1.959963984540054 * math.sqrt(0.01 * 0.825 / 0.0825 ** 2)
    assert (england["sii"], england["low"], england["high"]) == pytest.approx((20, 20 - spread, 20 + spread))


def test_the_sii_interval_is_where_phes_simulation_of_the_decile_means_converges():
    means, sds, counts = np.array([25.0, 22, 21, 18, 17, 15, 15, 12, 11, 9]), np.full(10, 6.0), np.arange(20, 30)
    rng = np.random.default_rng(1)
    drawn = means + rng.standard_normal((20_000, 10)) * sds / np.sqrt(counts)
    simulated = np.quantile([inequality_indices(row, counts)[0] for row in drawn], [0.025, 0.975])
    found = sii_with_interval(means, sds, counts)
    assert (found["low"], found["high"]) == pytest.approx(tuple(simulated), abs=0.05)


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
        shown = suppressed_trend(trend_figures(ws, "sex"))
    women = shown["snapshots"][0]["groups"]["Female"]
    assert women["patients"] == "*" and women["median_wait"] == "*" and women["over_18"] == "*"
    assert women["over_52"] == 0  # zero is shown
    assert series(shown, "median_wait")["Female"] == [None, None, None]


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


def test_without_an_adoption_or_a_second_snapshot_there_is_no_trend_since():
    one = {"adoptions": [{"date": "2025-01-01", "rule_set": "x", "sha256": "a"}], "snapshots": [{}]}
    assert since_adoption(one) is None and since_adoption({"adoptions": [], "snapshots": [{}, {}]}) is None


def test_the_command_line_gives_the_trends_as_json(tmp_path):
    workspace = hand_worked_workspace(tmp_path, with_outcomes=False)
    run = subprocess.run([sys.executable, "-m", "workbench", "trends", "--workspace", str(workspace), "--by", "sex",
                          "--json", "--no-suppress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["by"] == "sex" and len(shown["snapshots"]) == 3 and shown["snapshots"][2]["groups"]["Male"]["patients"] == 4
