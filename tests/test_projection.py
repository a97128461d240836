"""The projection with new referrals, against an independent event simulation written here.

The event simulation knows nothing of keys, pools or weeks of the workbench's
engine: it walks treatment by treatment (the j-th at (j + 1) / capacity),
lets in every referral that has arrived by then, and treats the patient
with the best score at that moment, scores computed from scratch. With
referrals arriving at the start of their week (the workbench's model) it
must agree exactly; with referrals spread evenly through time, within a few
percent.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.compare import projection
from workbench.compare.equity import prepare_equity
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError
from workbench.rank.ranking import prepare, rank
from workbench.rank.bundled_rules import treat_in_turn
from workbench.rank.rule_file import parse_rules
from workbench.rank.rules import PRIORITY_BAND_CODES

BANDS = ("P2", "P3", "P4")


def waiting_list(priorities, weeks, quintiles=None, carer=None) -> WaitingList:
    n = len(weeks)
    columns = {
        "pathway_id": np.array([f"RTT{i:06d}" for i in range(n)], dtype=object),
        "clinical_priority": np.array(priorities, dtype=object),
        "weeks_waited": np.asarray(weeks, dtype=np.float64),
        "imd_quintile": np.asarray(quintiles if quintiles is not None else np.ones(n), dtype=np.float64),
        "deprivation_nation": np.array(["England"] * n, dtype=object),
    }
    if carer is not None:
        columns["carer"] = np.array(["Y" if c else "N" for c in carer], dtype=object)
    return WaitingList(np.arange(1, n + 1), columns)


# --------------------------------------------------------------------------- the independent simulation
def event_simulation(score_now, band, present_from, capacity, limit_weeks=projection.LIMIT_WEEKS, stop_after=None):
    """When each patient is treated: the j-th treatment at (j + 1) / capacity goes to the present patient of
    the most urgent band with the highest score at that moment (ties: present earliest, then lowest number).

    ``score_now(patients, t)`` gives the patients' scores at time t; ``present_from[i]`` is when patient i
    joins (-inf: on the list now): a treatment at that very moment is the last of the week before, so the
    patient is not there for it. Stops once patients ``0 .. stop_after - 1`` are all treated.
    Returns each patient's treatment time (inf: not within the limit).
    """
    band, present_from = np.asarray(band), np.asarray(present_from, dtype=float)
    n = len(band)
    stop_after = n if stop_after is None else stop_after
    treated = np.full(n, np.inf)
    j = 0
    while (j + 1) / capacity <= limit_weeks + 1e-9 and np.isinf(treated[:stop_after]).any():
        t = (j + 1) / capacity
        waiting = np.flatnonzero((present_from < t - 1e-12) & np.isinf(treated))
        if len(waiting):
            scores = np.round(score_now(waiting, t), 9)
            best = waiting[np.lexsort((waiting, present_from[waiting], -scores, band[waiting]))[0]]
            treated[best] = t
        j += 1
    return treated


def referrals_of(streams, weeks: int, at_week_start: bool):
    """The referrals as the event simulation sees them: (copied row, time it joins)."""
    found = []
    for stream in streams:
        for week in range(weeks):
            start, stop = stream.between(week, week + 1)
            for i in range(start, stop):
                joins = week if at_week_start else (i + 0.5) / stream.per_week
                found.append((int(stream.profiles[i % len(stream.profiles)]), float(joins)))
    return found


def simulate_both(wl, rules, capacity, demand=None, by_priority=None, at_week_start=True, weeks=None):
    """(workbench's treatment times, the event simulation's) for the patients now on the list."""
    prepared = prepare(wl)
    ranking = rank(rules, wl, prepared=prepared)
    inputs = prepare_equity(wl, "imd_quintile", capacity, 13, demand, by_priority, prepared=prepared)
    ours = projection.project(ranking, [ranking.order], [capacity], inputs.referrals, 13, prepared).treated_at
    streams = inputs.referrals[0]
    arrivals = referrals_of(streams, weeks or projection.LIMIT_WEEKS, at_week_start)
    n = len(wl)
    fresh = ranking.score - ranking.contributions["Weeks waited"]
    rows = np.array([row for row, _ in arrivals], dtype=np.int64)
    scores = np.concatenate([ranking.score, fresh[rows]])  # on the list now: its score now; a referral: on arrival
    joins = np.array([-math.inf] * n + [t for _, t in arrivals])
    bands = np.concatenate([ranking.band, ranking.band[rows]])

    def score_now(patients, t):
        return scores[patients] + np.where(patients < n, t, t - joins[patients])

    theirs = event_simulation(score_now, bands, joins, capacity, stop_after=n)[:n]
    theirs[np.isinf(theirs)] = projection.LIMIT_WEEKS
    return ours, theirs


# --------------------------------------------------------------------------- treat in turn
def test_with_no_referrals_it_is_the_closed_form_and_the_event_simulation():
    wl = waiting_list(["P2", "P4", "P3", "P4", "P2", "P3"], [3.0, 30.0, 12.0, 8.0, 1.0, 40.0])
    ours, theirs = simulate_both(wl, treat_in_turn(), capacity=2.0)
    order = rank(treat_in_turn(), wl).order
    closed_form = np.empty(6)
    closed_form[order] = (np.arange(6) + 1) / 2.0
    assert ours.tolist() == closed_form.tolist() == theirs.tolist()


def test_an_urgent_referral_goes_ahead_of_routine_patients_already_waiting():
    # One P4 patient waiting 50 weeks and one P2 referral a week: the P2s go first every week.
    wl = waiting_list(["P2", "P4", "P4"], [0.5, 50.0, 49.0])
    ours, theirs = simulate_both(wl, treat_in_turn(), capacity=1.0, by_priority={"P2": 1.0})
    assert ours.tolist() == theirs.tolist()
    assert ours[0] == 1.0  # the P2 already waiting goes first, in week 0, before week 0's referral
    # Each week's P2 referral takes that week's one treatment, so the P4s are never reached:
    assert ours[1] == ours[2] == projection.LIMIT_WEEKS


def test_weekly_referrals_agree_exactly_with_the_event_simulation():
    rng = np.random.default_rng(7)
    n = 300
    wl = waiting_list(rng.choice(BANDS, n, p=[0.1, 0.3, 0.6]), rng.permutation(n) * 0.37 + 0.1)
    ours, theirs = simulate_both(wl, treat_in_turn(), capacity=9.0, demand=3.5)
    assert np.array_equal(ours, theirs)


def test_referrals_spread_through_each_week_agree_within_a_few_percent():
    rng = np.random.default_rng(8)
    n = 1500
    priorities = rng.choice(BANDS, n, p=[0.1, 0.3, 0.6])
    wl = waiting_list(priorities, rng.gamma(2.0, 12.0, n), quintiles=rng.integers(1, 6, n))
    rates = {"P2": 6.0, "P3": 9.0, "P4": 15.0}  # 30 a week against 100 treated
    ours, theirs = simulate_both(wl, treat_in_turn(), capacity=100.0, by_priority=rates, at_week_start=False)
    weeks = wl.columns["weeks_waited"]
    for quintile in range(1, 6):
        mine = wl.columns["imd_quintile"] == quintile
        assert (weeks + ours)[mine].mean() == pytest.approx((weeks + theirs)[mine].mean(), rel=0.02)
    for band in BANDS:
        mine = priorities == band
        assert (weeks + ours)[mine].mean() == pytest.approx((weeks + theirs)[mine].mean(), rel=0.02)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=1, max_value=60),
    capacity=st.floats(min_value=0.5, max_value=12.0),
    load=st.floats(min_value=0.0, max_value=0.95),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_property_treat_in_turn_equals_the_event_simulation_on_random_lists(n, capacity, load, seed):
    rng = np.random.default_rng(seed)
    wl = waiting_list(rng.choice(BANDS, n), rng.permutation(n) * 0.71 + rng.random())
    ours, theirs = simulate_both(wl, treat_in_turn(), capacity=capacity, demand=load * capacity or None)
    assert np.allclose(ours, theirs)


# --------------------------------------------------------------------------- rules with social credit
CREDIT_RULES = """
format_version = 1
name = "Carers first"
social_cap_weeks = 8.0
[bands]
order = ["P1a", "P1b", "P2", "P3", "P4", "P5", "P6", "unknown"]
[[factors]]
name = "Weeks waited"
source = "weeks_waited"
weight = 1.0
[[factors]]
name = "Carer"
group = "social"
source = "carer"
weight = 5.0
"""


def test_a_carer_referral_overtakes_patients_with_less_than_its_credit():
    wl = waiting_list(["P3"] * 40, np.arange(40) * 0.25, carer=np.arange(40) % 4 == 0)
    rules = parse_rules(CREDIT_RULES)
    ours, theirs = simulate_both(wl, rules, capacity=3.0, demand=2.0, weeks=200)
    assert np.array_equal(ours, theirs)


def test_rules_scored_again_each_week_agree_with_the_event_simulation_over_the_horizon():
    # A threshold on weeks waited: patients jump 10 weeks-equivalent at 20 weeks. Scored again every
    # week of the horizon, the order within it is the event simulation's.
    rules = parse_rules(CREDIT_RULES.replace('name = "Carer"\ngroup = "social"\nsource = "carer"\nweight = 5.0',
                                                 'name = "Long wait"\nsource = "weeks_waited"\nweight = 10.0\n'
                                                 'transform = "threshold"\nat_least = 20.0'))
    assert projection.band_slopes(rules) is None
    wl = waiting_list(["P3"] * 30, np.arange(30) * 0.8)
    prepared = prepare(wl)
    ranking = rank(rules, wl, prepared=prepared)
    inputs = prepare_equity(wl, "imd_quintile", 1.0, 26, prepared=prepared)
    ours = projection.project(ranking, [ranking.order], [1.0], inputs.referrals, 26, prepared).treated_at
    weeks = wl.columns["weeks_waited"]

    def score_now(patients, t):  # the threshold as scored at the start of the week the treatment falls in
        start = math.ceil(t) - 1
        return weeks[patients] + t + np.where(weeks[patients] + start >= 20, 10.0, 0.0)

    theirs = event_simulation(score_now, ranking.band, [-math.inf] * 30, 1.0)
    within = theirs <= 26
    assert np.array_equal(ours[within], theirs[within])


# --------------------------------------------------------------------------- demand at or above capacity
def test_demand_above_capacity_gives_finite_growing_figures():
    rng = np.random.default_rng(3)
    n = 500
    wl = waiting_list(rng.choice(BANDS, n, p=[0.1, 0.3, 0.6]), rng.gamma(2.0, 10.0, n))
    order = rank(treat_in_turn(), wl)
    for demand in (10.0, 12.0):  # at capacity, and above it
        inputs = prepare_equity(wl, "imd_quintile", 10.0, 13, demand)
        summary = inputs.summary(order, order)
        assert summary["list_grows"] is (demand > 10.0) or summary["list_size_at_horizon"] >= n
        assert summary["list_size_at_horizon"] == n + summary["new_referrals_by_horizon"] - summary["next_n"]
        means = [g["baseline"]["mean_wait"] for g in summary["groups"] if g["baseline"]["mean_wait"] is not None]
        assert means and all(math.isfinite(m) for m in means)
    assert summary["list_size_at_horizon"] > n and summary["new_referrals_by_horizon"] == 12 * 13


def test_referrals_per_priority_must_name_a_priority_on_the_list():
    wl = waiting_list(["P3", "P4"], [1.0, 2.0])
    with pytest.raises(WorkbenchError, match="no patient on the list has that priority"):
        prepare_equity(wl, "imd_quintile", 1.0, 13, None, {"P2": 1.0})
    with pytest.raises(WorkbenchError, match="'P9' is not a priority"):
        prepare_equity(wl, "imd_quintile", 1.0, 13, None, {"P9": 1.0})
    with pytest.raises(WorkbenchError, match="not both"):
        prepare_equity(wl, "imd_quintile", 1.0, 13, 2.0, {"P3": 1.0})


def test_referrals_copy_the_lists_mix_and_leave_stopped_clocks_out():
    wl = waiting_list(["P2", "P3", "P4", "P4"], [1.0, 2.0, 3.0, 4.0])
    wl.columns["wait_not_counted"] = np.array([None, None, None, "clock stopped"], dtype=object)
    (stream,) = projection.referral_streams(wl, np.arange(4), 3.0)
    assert sorted(stream.profiles.tolist()) == [0, 1, 2]
    assert stream.between(0, 1) == (0, 3) and stream.between(1, 3) == (3, 9)
    assert PRIORITY_BAND_CODES[0] == "P1a"


def test_rules_scored_again_give_the_closed_form_when_nothing_changes_with_time():
    # A threshold no one reaches: the rule set is scored again every week (its scores could grow unevenly)
    # but its order never changes, so the projection is treat in turn's closed form, referrals or none.
    rules = parse_rules(CREDIT_RULES.replace('name = "Carer"\ngroup = "social"\nsource = "carer"\nweight = 5.0',
                                             'name = "Never"\nsource = "weeks_waited"\nweight = 10.0\n'
                                             'transform = "threshold"\nat_least = 100000.0'))
    rng = np.random.default_rng(5)
    wl = waiting_list(rng.choice(BANDS, 200), rng.permutation(200) * 0.3)
    prepared = prepare(wl)
    rescored, in_turn = rank(rules, wl, prepared=prepared), rank(treat_in_turn(), wl, prepared=prepared)
    assert projection.band_slopes(rules) is None and np.array_equal(rescored.order, in_turn.order)
    for demand in (None, 2.5):
        inputs = prepare_equity(wl, "imd_quintile", 4.0, 13, demand, prepared=prepared)
        slow = projection.project(rescored, [rescored.order], [4.0], inputs.referrals, 13, prepared)
        fast = projection.project(in_turn, [in_turn.order], [4.0], inputs.referrals, 13)
        assert np.array_equal(slow.treated_at, fast.treated_at)
        assert slow.treated_by_horizon == fast.treated_by_horizon
        assert slow.new_treated_by_horizon == fast.new_treated_by_horizon
