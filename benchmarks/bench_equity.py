"""Equity summary speed on 1M synthetic rows, against a straightforward pandas version.

Run: python benchmarks/bench_equity.py [rows]

Times the per-order work after a weight change (the grouping and service are
prepared once, as the app does): the median over 7 runs of
``EquityInputs.summary`` with a new scenario order each time and the baseline
reused, and of the same with the baseline recomputed too. The pandas version
works out the same figures (mean, median, 90th percentile, shares of the list
and of the next N, long waits) with groupby for both orders.
Prints ``equity_1m_median_ms=...`` and the ratio.

Then a weight change with new referrals, as the app does it on the worker:
re-rank by inclusive recovery with one weight moved, then the summary, with
30% of the capacity's worth of new referrals a week (the app's starting
capacity: the list in a year). Against today's projection (before issue 20:
new referrals served first, the list served at capacity minus demand, the
closed form) in the same run: ``weight_change_with_referrals_ms``,
``weight_change_todays_projection_ms`` and the ratio; the projections alone
likewise; and the same at 2,000 a week (a list ten years long) and for the
rule set scored again as time passes (priority and time to target).
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from workbench.compare.equity import _treatment_times, prepare_equity
from workbench.fields import LONG_WAIT_WEEKS, WaitingList
from workbench.rank.ranking import prepare, rank
from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.rule_edits import with_weight
from workbench.rank.rule_file import load_rules

RUNS = 7
CAPACITY, HORIZON = 2000.0, 13


def synthetic_list(rows: int, seed: int = 1) -> WaitingList:
    rng = np.random.default_rng(seed)
    weeks = rng.gamma(2.0, 12.0, rows)
    not_counted = rng.random(rows) < 0.01  # a placeholder clock start, a stopped clock...
    weeks[not_counted] = np.nan
    quintile = rng.integers(1, 6, rows).astype(np.float64)
    quintile[rng.random(rows) < 0.03] = np.nan
    decile = np.where(np.isnan(quintile), np.nan, quintile * 2 - rng.integers(0, 2, rows))
    # Deciles are within a nation: 96% English, 3% Welsh, 1% Scottish areas (groups and SII per nation).
    nation = np.array(["England", "Wales", "Scotland"], dtype=object)[rng.choice(3, rows, p=[0.96, 0.03, 0.01])]
    nation[np.isnan(quintile)] = None
    columns = {"weeks_waited": weeks, "imd_quintile": quintile, "imd_decile": decile, "deprivation_nation": nation,
               "wait_not_counted": np.where(not_counted, "clock stopped", None).astype(object),
               "rtt_pathway": (rng.random(rows) >= 0.06).astype(np.float64)}  # 6% on non-RTT lists
    wl = WaitingList(np.arange(1, rows + 1), columns)
    codes, distinct = pd.factorize(nation, use_na_sentinel=True)
    wl.known_codes.add(nation, codes, np.asarray(distinct, dtype=object))  # as a workspace loads it: coded
    return wl


def pandas_figures(frame: pd.DataFrame, order: np.ndarray, next_n: int) -> pd.DataFrame:
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    frame = frame.assign(projected=frame["weeks_waited"] + (position + 1) / CAPACITY, next_n=position < next_n)
    grouped = frame.groupby("group", dropna=False)
    figures = grouped["projected"].agg(["mean", "median", lambda w: w.quantile(0.9)])
    figures["share_of_list"] = grouped.size() / len(frame)
    figures["share_of_next_n"] = grouped["next_n"].sum() / next_n
    for weeks in LONG_WAIT_WEEKS:
        figures[f"over_{weeks}"] = (frame["projected"] > weeks).groupby(frame["group"], dropna=False).sum()
    return figures


def median_ms(work, runs: int = RUNS) -> float:
    times = []
    for run in range(runs):
        start = time.perf_counter()
        work(run)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(rows: int = 1_000_000) -> None:
    wl = synthetic_list(rows)
    rng = np.random.default_rng(2)
    baseline = np.argsort(-np.nan_to_num(wl.columns["weeks_waited"]), kind="stable")
    scenarios = [rng.permutation(rows) for _ in range(RUNS)]

    start = time.perf_counter()
    inputs = prepare_equity(wl, "imd_quintile", CAPACITY, HORIZON)
    prepare_ms = (time.perf_counter() - start) * 1000
    inputs.summary(baseline, scenarios[0])  # fills the baseline cache, as the app's first preview does

    ours = median_ms(lambda run: inputs.summary(baseline, scenarios[run]))
    both = median_ms(lambda run: inputs.summary(baseline.copy(), scenarios[run]))  # a copy defeats the cache

    nation_code = pd.factorize(wl.columns["deprivation_nation"])[0]  # the same groups: nation and fifth
    frame = pd.DataFrame({"weeks_waited": wl.columns["weeks_waited"], "group": nation_code * 10 + wl.columns["imd_quintile"]})
    next_n = int(CAPACITY * HORIZON)
    theirs = median_ms(lambda run: (pandas_figures(frame, baseline, next_n),
                                    pandas_figures(frame, scenarios[run], next_n)), runs=3)

    specialty = np.array([f"{100 + i}" for i in range(20)], dtype=object)[rng.integers(0, 20, rows)]
    per_specialty = WaitingList(wl.row_id, {**wl.columns, "specialty": specialty})
    capacity = {f"{100 + i}": CAPACITY / 20 for i in range(20)}
    inputs_by_specialty = prepare_equity(per_specialty, "imd_quintile", capacity, HORIZON)
    inputs_by_specialty.summary(baseline, scenarios[0])
    by_specialty = median_ms(lambda run: inputs_by_specialty.summary(baseline, scenarios[run]))

    print(f"rows={rows}")
    print(f"prepare_ms={prepare_ms:.1f}")
    print(f"equity_1m_median_ms={ours:.1f}")
    print(f"equity_1m_both_orders_median_ms={both:.1f}")
    print(f"equity_1m_per_specialty_capacity_median_ms={by_specialty:.1f}")
    print(f"pandas_groupby_both_orders_median_ms={theirs:.1f}")
    print(f"ratio_pandas_over_ours={theirs / ours:.1f}")
    print(f"ratio_pandas_over_ours_both_orders={theirs / both:.1f}")
    weight_changes_with_referrals(wl)


def ranked_list(wl: WaitingList) -> WaitingList:
    """The synthetic list with what the bundled rule sets read: priorities, pathway IDs, social columns."""
    rng = np.random.default_rng(3)
    rows = len(wl)
    wl.columns["pathway_id"] = np.array([f"RTT{i:09d}" for i in range(rows)], dtype=object)
    wl.columns["clinical_priority"] = rng.choice(np.array(["P2", "P3", "P4"], dtype=object), rows, p=[0.1, 0.3, 0.6])
    for column in ("Return to work", "Carer", "Learning disability"):
        wl.source[column] = rng.choice(np.array(["Y", "N"], dtype=object), rows, p=[0.05, 0.95])
    return wl


def weight_changes_with_referrals(wl: WaitingList) -> None:
    wl = ranked_list(wl)
    prepared = prepare(wl)
    baseline = rank(treat_in_turn(), wl, prepared=prepared)
    rules = load_rules(bundled_rule_sets()["inclusive-recovery"])
    weights = [with_weight(rules, "Carer", 1.0 + run / 4) for run in range(RUNS)]
    capacity = float(round(len(wl) / 52))
    for label, per_week in (("", capacity), ("_2000_a_week", 2000.0)):
        demand = 0.3 * per_week
        ours = prepare_equity(wl, "imd_quintile", per_week, HORIZON, demand, prepared=prepared)
        todays = prepare_equity(wl, "imd_quintile", per_week - demand, HORIZON, prepared=prepared)  # c - d, closed form
        ours.summary(baseline, baseline)
        todays.summary(baseline.order, baseline.order)
        new = median_ms(lambda run: ours.summary(baseline, rank(weights[run], wl, prepared=prepared)))
        old = median_ms(lambda run: todays.summary(baseline.order, rank(weights[run], wl, prepared=prepared).order))
        scenario = rank(weights[0], wl, prepared=prepared)
        alone_new = median_ms(lambda run: _treatment_times(ours, scenario, scenario.order))
        alone_old = median_ms(lambda run: _treatment_times(todays, None, scenario.order))
        print(f"capacity{label}={per_week:g} demand={demand:g}")
        print(f"weight_change_with_referrals{label}_ms={new:.1f}")
        print(f"weight_change_todays_projection{label}_ms={old:.1f}")
        print(f"ratio_with_referrals_over_today{label}={new / old:.2f}")
        print(f"projection_alone_with_referrals{label}_ms={alone_new:.1f}")
        print(f"projection_alone_today{label}_ms={alone_old:.1f}")
        print(f"ratio_projection_alone{label}={alone_new / alone_old:.1f}")
    time_rules = load_rules(bundled_rule_sets()["priority-and-time-to-target"])
    rescored = [with_weight(time_rules, "Past the time limit", 6.0 + run / 4) for run in range(3)]
    ours = prepare_equity(wl, "imd_quintile", capacity, HORIZON, 0.3 * capacity, prepared=prepared)
    slow = median_ms(lambda run: ours.summary(baseline, rank(rescored[run], wl, prepared=prepared)), runs=3)
    print(f"weight_change_rescored_rules_with_referrals_ms={slow:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
