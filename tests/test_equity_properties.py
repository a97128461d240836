"""Properties of the equity summary over generated lists (disclosure control: tests/test_disclosure_attacker.py)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workbench.compare.equity import _exact_quantiles, equity_summary
from workbench.fields import WaitingList

GROUP_VALUES = ["a", "b", "c", None]


@st.composite
def lists_and_orders(draw):
    n = draw(st.integers(1, 60))
    weeks = draw(arrays(np.float64, n, elements=st.one_of(st.floats(0, 120), st.just(np.nan))))
    groups = draw(st.lists(st.sampled_from(GROUP_VALUES), min_size=n, max_size=n))
    wl = WaitingList(np.arange(1, n + 1), {"weeks_waited": weeks, "site": np.array(groups, dtype=object)})
    baseline = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    scenario = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    capacity = draw(st.floats(0.5, 20))
    return wl, baseline, scenario, capacity


@settings(max_examples=60, deadline=None)
@given(lists_and_orders(), st.floats(0, 10))
def test_counts_add_up_to_the_list_in_both_orders(case, horizon):
    wl, baseline, scenario, capacity = case
    summary = equity_summary(wl, baseline, scenario, by="site", capacity_per_week=capacity, horizon_weeks=horizon)
    groups = summary["groups"]
    assert sum(g["count"] for g in groups) == len(wl)
    assert abs(sum(g["share_of_list"] for g in groups) - 1) < 1e-9
    for order in ("baseline", "scenario"):
        assert sum(g[order]["next_n_count"] for g in groups) == summary["next_n"]
        for weeks in (18, 52, 65, 78):
            known = sum(g["count"] - g["wait_unknown"] for g in groups)
            assert 0 <= sum(g[order][f"over_{weeks}"] for g in groups) <= known


@settings(max_examples=60, deadline=None)
@given(lists_and_orders())
def test_a_projected_wait_is_never_shorter_than_the_wait_so_far(case):
    wl, baseline, scenario, capacity = case
    summary = equity_summary(wl, baseline, scenario, by="site", capacity_per_week=capacity)
    weeks = wl.columns["weeks_waited"]
    for group in summary["groups"]:
        if group["baseline"]["median_wait"] is not None:
            assert group["baseline"]["p90_wait"] >= group["baseline"]["median_wait"] - 1e-9
            assert group["scenario"]["mean_wait"] >= np.nanmin(weeks) + 1 / capacity - 1e-9


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 500)))
def test_partial_sort_quantiles_equal_numpy(values):
    expected = np.quantile(values, [0.5, 0.9])
    assert np.allclose(_exact_quantiles(values.copy(), (0.5, 0.9)), expected, rtol=0, atol=1e-9)
