"""Equity summary speed on 1M synthetic rows, against a straightforward pandas version.

Run: python benchmarks/bench_equity.py [rows]

Times the per-order work after a weight change (the grouping and service are
prepared once, as the app does): the median over 7 runs of
``EquityInputs.summary`` with a new scenario order each time and the baseline
reused, and of the same with the baseline recomputed too. The pandas version
works out the same figures (mean, median, 90th percentile, shares of the list
and of the next N, long waits) with groupby for both orders.
Prints ``equity_1m_median_ms=...`` and the ratio.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from workbench.compare.equity import prepare_equity
from workbench.fields import LONG_WAIT_WEEKS, WaitingList

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
