"""The rule sets that come with the workbench: treat in turn (the baseline) and the shipped examples."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.fields import WaitingList
from workbench.rank.rule_file import load_rules
from workbench.rank.rules import WEEKS_WAITED, Factor, RuleSet, check_columns
from workbench.resources import resource_path


TREAT_IN_TURN = "treat-in-turn"
STARTING_RULES = ("inclusive-recovery", "priority-and-time-to-target")


def starting_rule_set(wl: WaitingList) -> RuleSet:
    """The first bundled example the list can use (inclusive recovery if it can), else treat in turn."""
    bundled = bundled_rule_sets()
    for name in STARTING_RULES:
        if name in bundled:
            rule_set = load_rules(bundled[name])
            try:
                check_columns(rule_set, wl)
            except WorkbenchError:
                continue
            return rule_set
    return treat_in_turn()


def treat_in_turn() -> RuleSet:
    """The baseline: clinical priority band, then longest wait, then pathway ID.

    >>> [f.source for f in treat_in_turn().factors]
    ['weeks_waited']
    """
    return RuleSet(
        name="Treat in turn",
        author="Prioritisation workbench",
        version="1",
        description="Clinical priority band first, then the longest wait, then pathway ID.",
        rationale="The usual order: the baseline every other rule set is compared against.",
        factors=(Factor(name="Weeks waited", label="time waited", source=WEEKS_WAITED),),
        source=TREAT_IN_TURN,
    )


def bundled_rule_sets() -> dict[str, Path]:
    """The example rule sets shipped with the workbench, by short name."""
    folder = resource_path("rules")
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}
