"""The rule sets that come with the workbench: treat in turn (the baseline) and the shipped examples."""

from __future__ import annotations

from pathlib import Path

from workbench.rank.rules import WEEKS_WAITED, Factor, RuleSet
from workbench.resources import resource_path


TREAT_IN_TURN = "treat-in-turn"


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
