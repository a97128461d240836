"""Ranks without each social factor on 1M rows: what the explanation panel and the export ask for.

Run: ``python benchmarks/bench_without_factor.py [--rows 1000000] [--repeats 5]``.

For *inclusive recovery* (five social factors) on the synthetic list of
``bench_rank.py``, after one weight change (a new rule set, so nothing cached):

- ``first_patient_ms``: the first "rank without each factor" of a patient (the
  keys of every factor worked out, then one comparison each); the panel waits
  for this once per rule set, on the preview worker;
- ``next_patient_ms``: another patient with the keys kept (what each click costs);
- ``all_ranks_ms``: every patient's rank without every factor (the export);
- against, in the same run: re-ranking the whole list once per factor with that
  factor's weight at 0 (``rank``), the straightforward way to the same ranks.

Prints ``name=value`` lines, medians of the repeats, and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rank import synthetic_list  # noqa: E402
from workbench.rank.ranking import WithoutFactors, prepare, rank  # noqa: E402
from workbench.resources import resource_path  # noqa: E402
from workbench.rank.rule_edits import with_weight  # noqa: E402
from workbench.rank.rule_file import load_rules  # noqa: E402


def median_ms(function, repeats: int, setup=lambda: None) -> float:
    """Median milliseconds of ``function(setup())``, the setup left out of the timing."""
    times = []
    for _ in range(repeats):
        made = setup()
        start = time.perf_counter()
        function(made)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    wl = synthetic_list(args.rows)
    rules = load_rules(resource_path("rules", "inclusive-recovery.toml"))
    prepared = prepare(wl)
    rank(rules, wl, prepared=prepared)  # parses the Y/N columns once, as the app has by then
    weights = iter(np.linspace(0.5, 3.0, 4 * args.repeats))
    patients = iter(np.random.default_rng(3).integers(0, args.rows, 4 * args.repeats))

    def fresh() -> WithoutFactors:  # a weight change: a new rule set, nothing kept
        changed = with_weight(rules, "Carer", next(weights))
        return WithoutFactors(rank(changed, wl, prepared=prepared), prepared)

    kept = fresh()
    factors = kept.factors
    first = median_ms(lambda made: made.rank_of(int(next(patients))), args.repeats, setup=fresh)
    kept.rank_of(0)
    following = median_ms(lambda _: kept.rank_of(int(next(patients))), args.repeats)
    every = median_ms(lambda _: [kept.ranks(name) for name in factors], args.repeats)
    rerank = median_ms(lambda _: [rank(with_weight(kept.ranking.rule_set, name, 0.0), wl, prepared=prepared).rank
                                  for name in factors], args.repeats)
    check = fresh()
    for name in factors:  # the same ranks as re-ranking without the factor
        expected = rank(with_weight(check.ranking.rule_set, name, 0.0), wl, prepared=prepared).rank
        assert np.array_equal(check.ranks(name), expected), name
    print(f"rows={args.rows}")
    print(f"social_factors={len(factors)}")
    print(f"first_patient_ms={first:.1f}")
    print(f"next_patient_ms={following:.1f}")
    print(f"all_ranks_ms={every:.1f}")
    print(f"rerank_per_factor_ms={rerank:.1f}")
    print(f"rerank_over_first_patient_ratio={rerank / first:.1f}")
    print(f"rerank_over_next_patient_ratio={rerank / following:.1f}")
    print(f"rerank_over_all_ranks_ratio={rerank / every:.2f}")


if __name__ == "__main__":
    main()
