"""Edits of a rule set: each returns an edited copy (rule sets are frozen)."""

from __future__ import annotations

from dataclasses import replace

from workbench.rank.rules import RuleSet


def with_weight(rule_set: RuleSet, factor_name: str, weight: float) -> RuleSet:
    """A copy of ``rule_set`` with one factor's weight changed (the app's sliders).

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> treat_in_turn().factors[0].weight, with_weight(treat_in_turn(), "Weeks waited", 2).factors[0].weight
    (1.0, 2.0)
    """
    rule_set.factor(factor_name)  # KeyError naming the factor if there is none
    factors = tuple(replace(f, weight=float(weight)) if f.name == factor_name else f for f in rule_set.factors)
    return replace(rule_set, factors=factors)


def with_social_cap(rule_set: RuleSet, weeks: float | None) -> RuleSet:
    """A copy of ``rule_set`` with a different social cap (``None``: no cap)."""
    return replace(rule_set, social_cap_weeks=None if weeks is None else float(weeks))
