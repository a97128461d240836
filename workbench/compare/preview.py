"""The live preview's work: a rule set's order of a list, what it does to each group, and who moved.

The app re-runs :func:`compute_preview` on a worker each time the rules,
the capacity or the grouping change (the newest request wins); the list is
prepared once (:func:`prepare_list`) and the equity inputs are kept while
only weights change (:class:`EquityCache`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.compare.equity import EquityInputs, prepare_equity
from workbench.compare.queues import CapacitySettings
from workbench.compare.suppression import published_counts, suppressed_summary
from workbench.errors import WorkbenchError
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.compare.projection import referral_priorities
from workbench.rank.bundled_rules import treat_in_turn
from workbench.rank.ranking import Prepared, Ranking, compare, prepare, rank
from workbench.rank.rules import RuleSet


@dataclass(frozen=True)
class ListReady:
    """The weight-independent work for a list, done once on the worker."""

    wl: WaitingList
    prepared: Prepared
    baseline: Ranking
    referral_priorities: tuple[str, ...]  # those new referrals can be given for (the Capacity tab's boxes)


def prepare_list(wl: WaitingList, progress: Progress = no_progress, cancelled: CancelCheck = never) -> ListReady:
    """Prepare a list for re-ranking and rank it by the baseline (treat in turn)."""
    progress(0.0, "Preparing the list for ranking")
    prepared = prepare(wl)
    check(cancelled)
    progress(0.8, "Ranking by treat in turn")
    baseline = rank(treat_in_turn(), wl, prepared=prepared)
    return ListReady(wl, prepared, baseline, tuple(referral_priorities(wl, prepared)))


class EquityCache:
    """Equity inputs per (list, grouping, capacity): built once, reused while only weights change.

    Used from one worker thread only (the preview worker).
    """

    def __init__(self):
        self._inputs: dict[tuple, EquityInputs] = {}

    def inputs(self, wl: WaitingList, by: str, capacity: CapacitySettings, prepared: Prepared | None = None
               ) -> EquityInputs:
        key = (id(wl), by, capacity.capacity_per_week, capacity.horizon_weeks, capacity.demand_per_week,
               capacity.demand_by_priority)
        if key not in self._inputs:
            if len(self._inputs) > 8:
                self._inputs.clear()
            self._inputs[key] = prepare_equity(wl, by, capacity.capacity_per_week, capacity.horizon_weeks,
                                               capacity.demand_per_week, dict(capacity.demand_by_priority) or None,
                                               prepared=prepared)
        return self._inputs[key]


@dataclass(frozen=True)
class PreviewRequest:
    ready: ListReady
    rule_set: RuleSet
    by: str
    capacity: CapacitySettings
    equity: EquityCache
    small_numbers_shown: bool = False  # the one switch that turns disclosure control off


@dataclass(frozen=True)
class PreviewResult:
    """One rule set's order of a list, its equity figures and who moved."""

    request: PreviewRequest
    ranking: Ranking
    summary: dict | None  # as worked out (for the decision record, which controls it itself)
    shown: dict | None  # controlled (or stamped not for publication), for display
    equity_problem: str | None
    movement: tuple[np.ndarray, np.ndarray]
    moved_up: int
    moved_down: int

    @property
    def rule_set(self) -> RuleSet:
        return self.request.rule_set


def compute_preview(request: PreviewRequest, progress: Progress = no_progress, cancelled: CancelCheck = never) -> PreviewResult:
    """Re-rank the list by the rule set and work out what it does to each group (on the worker)."""
    ready = request.ready
    ranking = rank(request.rule_set, ready.wl, prepared=ready.prepared)
    check(cancelled)
    summary = shown = problem = None
    try:
        inputs = request.equity.inputs(ready.wl, request.by, request.capacity, ready.prepared)
        summary = inputs.summary(ready.baseline, ranking)
        shown = suppressed_summary(summary, request.small_numbers_shown)
    except WorkbenchError as error:  # e.g. no capacity for a specialty: the list still re-ranks
        problem = str(error)
    check(cancelled)
    movement = ready.baseline.rank - ranking.rank
    histogram = movement_histogram(movement, small_numbers_shown=request.small_numbers_shown)
    return PreviewResult(request, ranking, summary, shown, problem, histogram,
                         int((movement > 0).sum()), int((movement < 0).sum()))


def rank_correlation(baseline: Ranking, ranking: Ranking, progress: Progress = no_progress,
                     cancelled: CancelCheck = never):
    """The full comparison of two orders, Kendall tau included (about a second for 1M rows)."""
    return compare(baseline, ranking)


MOVEMENT_BINS = 41  # odd: one bin is centred on "no change"


def movement_histogram(movement: np.ndarray, bins: int = MOVEMENT_BINS,
                       small_numbers_shown: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges and counts of places moved (positive: up), symmetric around no change.

    Counts are controlled like every other group-level count the app shows
    (an object array of ints and "*"), unless ``small_numbers_shown``.

    >>> edges, counts = movement_histogram(np.array([-5] * 5 + [0] * 22 + [5] * 9), bins=3)
    >>> edges.tolist(), counts.tolist()
    ([-7.5, -2.5, 2.5, 7.5], ['*', 20, 10])
    """
    largest = max(int(np.abs(movement).max()) if len(movement) else 0, 1)
    half = largest * bins / (bins - 1)  # so the middle bin is centred on 0 and the ends hold the largest moves
    edges = np.linspace(-half, half, bins + 1)
    counts, _ = np.histogram(movement, bins=edges)
    return edges, counts.astype(object) if small_numbers_shown else published_counts(counts)
