"""Properties of the equity summary and of suppression, over generated lists and tables."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workbench.compare.equity import _exact_quantiles, equity_summary
from workbench.fields import WaitingList
from workbench.compare.suppression import SUPPRESSED, suppress, suppressed_summary

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


def leaks(values: list[int], shown: list, threshold: int) -> bool:
    """Whether a line gives away a count in 1..threshold, directly or as total minus the shown cells."""
    hidden = [v for v, s in zip(values, shown) if s == SUPPRESSED]
    visible = [s for s in shown if s != SUPPRESSED]
    if any(1 <= v <= threshold for v in visible):
        return True
    if not hidden or all(v == 0 for v in visible):
        return False  # nothing hidden, or the hidden cells add up to the line's own total
    recovered = sum(values) - sum(visible)  # the total minus the shown cells
    return len(hidden) == 1 or 1 <= recovered <= threshold


counts = st.integers(0, 40)


@settings(max_examples=200, deadline=None)
@given(st.lists(counts, min_size=1, max_size=12), st.integers(1, 10))
def test_suppression_never_leaks_a_small_count_in_a_column(values, threshold):
    shown = suppress(values, threshold).tolist()
    assert not leaks(values, shown, threshold)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=1,
                                                       max_size=5)),
       st.integers(1, 10))
def test_suppression_never_leaks_in_rows_or_columns(table, threshold):
    shown = suppress(table, threshold).tolist()
    for values, line in zip(table, shown):
        assert not leaks(values, line, threshold)
    if len(table) > 1:
        for values, line in zip(zip(*table), zip(*shown)):
            assert not leaks(list(values), list(line), threshold)


@settings(max_examples=60, deadline=None)
@given(lists_and_orders(), st.integers(1, 10))
def test_suppressed_summary_never_shows_a_small_count(case, threshold):
    wl, baseline, scenario, capacity = case
    summary = equity_summary(wl, baseline, scenario, by="site", capacity_per_week=capacity, horizon_weeks=4)
    safe = suppressed_summary(summary, threshold)
    columns = [lambda g: g["count"], lambda g: g["wait_unknown"]]
    for order in ("baseline", "scenario"):
        columns.append(lambda g, o=order: g[o]["next_n_count"])
        columns += [lambda g, o=order, w=w: g[o][f"over_{w}"] for w in (18, 52, 65, 78)]
    for cell in columns:
        values = [cell(g) for g in summary["groups"]]
        assert not leaks(values, [cell(g) for g in safe["groups"]], threshold)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 500)))
def test_partial_sort_quantiles_equal_numpy(values):
    expected = np.quantile(values, [0.5, 0.9])
    assert np.allclose(_exact_quantiles(values.copy(), (0.5, 0.9)), expected, rtol=0, atol=1e-9)
