"""Two scenarios side by side: the list ranked under both, their rule differences, equity figures and rank correlation."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.compare.equity import EquityInputs
from workbench.compare.suppression import published_count, suppressed_summary
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.rank.ranking import Prepared, compare, rank
from workbench.store.decisions import RuleDifference, Scenario, rule_differences


@dataclass(frozen=True)
class ScenarioComparison:
    """Two scenarios side by side: rule differences, equity figures (suppressed), rank correlation."""

    first: Scenario
    second: Scenario
    differences: list[RuleDifference]
    summary: dict  # controlled (or stamped not for publication); "baseline" is the first scenario, "scenario" the second
    kendall_tau: float
    moved_up: int | str  # controlled like every count
    moved_down: int | str


def compare_scenarios(
    first: Scenario,
    second: Scenario,
    prepared: Prepared,
    equity_inputs: EquityInputs,
    small_numbers_shown: bool = False,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> ScenarioComparison:
    """Rank the list under both scenarios and compare the two orders (run on a worker)."""
    progress(0.0, f"Ranking by {first.name}")
    first_ranking = rank(first.rule_set, prepared.wl, prepared=prepared)
    check(cancelled)
    progress(0.3, f"Ranking by {second.name}")
    second_ranking = rank(second.rule_set, prepared.wl, prepared=prepared)
    check(cancelled)
    progress(0.6, "Comparing the two orders")
    comparison = compare(first_ranking, second_ranking)
    summary = equity_inputs.summary(first_ranking, second_ranking)
    progress(1.0, "Compared")
    moved = (comparison.moved_up, comparison.moved_down)
    if not small_numbers_shown:
        moved = tuple(published_count(count) for count in moved)
    return ScenarioComparison(first, second, rule_differences(first.rule_set, second.rule_set),
                              suppressed_summary(summary, small_numbers_shown), comparison.kendall_tau, *moved)
