"""Edits of a rule set: each returns an edited copy (rule sets are frozen)."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from workbench.rank.rules import BandPolicy, Factor, LookupBand, RuleSet


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


def with_factor_changed(rule_set: RuleSet, name: str, **changes) -> RuleSet:
    """A copy with one factor's fields changed (KeyError naming the factor if there is none)."""
    rule_set.factor(name)
    factors = tuple(replace(f, **changes) if f.name == name else f for f in rule_set.factors)
    return replace(rule_set, factors=factors)


def with_transform(
    rule_set: RuleSet,
    name: str,
    transform: str,
    at_least: float | None = None,
    maximum: float | None = None,
    lookup: tuple[LookupBand, ...] = (),
) -> RuleSet:
    """A copy with a factor's transform changed; only that transform's setting is kept.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> f = with_transform(treat_in_turn(), "Weeks waited", "threshold", at_least=52).factors[0]
    >>> f.transform, f.at_least, f.maximum
    ('threshold', 52.0, None)
    """
    return with_factor_changed(
        rule_set, name, transform=transform,
        at_least=float(at_least) if transform == "threshold" else None,
        maximum=float(maximum) if transform == "capped" else None,
        lookup=tuple(lookup) if transform == "banded" else (),
    )


def with_missing(rule_set: RuleSet, name: str, policy: str) -> RuleSet:
    """A copy with a factor's missing-value policy changed ("neutral" or "lowest")."""
    return with_factor_changed(rule_set, name, missing=policy)


def with_overlaps(rule_set: RuleSet, overlap_weeks: tuple[float, ...]) -> RuleSet:
    """A copy with the bands' overlap weeks changed (all 0: strict).

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> with_overlaps(treat_in_turn(), (0, 0, 0, 4, 0, 0, 0, 0)).bands.strict
    False
    """
    weeks = (0.0,) + tuple(float(w) for w in overlap_weeks[1:])  # the first band has nothing before it
    return replace(rule_set, bands=BandPolicy(order=rule_set.bands.order, overlap_weeks=weeks))


def with_factor(rule_set: RuleSet, factor: Factor) -> RuleSet:
    """A copy with one more factor, at the end."""
    return replace(rule_set, factors=rule_set.factors + (factor,))


def without_factor(rule_set: RuleSet, name: str) -> RuleSet:
    """A copy without the named factor."""
    rule_set.factor(name)
    return replace(rule_set, factors=tuple(f for f in rule_set.factors if f.name != name))


def with_weights(rule_set: RuleSet, weights: Mapping[str, float]) -> RuleSet:
    """A copy with several weights changed at once (workshop-derived weights)."""
    for name, weight in weights.items():
        rule_set = with_weight(rule_set, name, weight)
    return rule_set


def unique_factor_name(rule_set: RuleSet, wanted: str) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... if a factor already has that name.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> unique_factor_name(treat_in_turn(), "Weeks waited"), unique_factor_name(treat_in_turn(), "Carer")
    ('Weeks waited (2)', 'Carer')
    """
    names = {f.name for f in rule_set.factors}
    name, number = wanted, 1
    while name in names:
        number += 1
        name = f"{wanted} ({number})"
    return name


def apply_relative_weights(rule_set: RuleSet, relative: Mapping[str, float]) -> dict[str, float]:
    """New weights for the compared factors: their current total shared out by ``relative``.

    >>> from workbench.rank.rules import Factor, RuleSet
    >>> rules = RuleSet("r", (Factor("a", "weeks_waited", 1.0), Factor("b", "x", 2.0), Factor("c", "y", 4.0)))
    >>> apply_relative_weights(rules, {"a": 4/7, "b": 2/7, "c": 1/7})
    {'a': 4.0, 'b': 2.0, 'c': 1.0}
    """
    total = sum(rule_set.factor(name).weight for name in relative)
    if total <= 0:
        total = float(len(relative))  # all weights 0 (or negative): share out one per factor
    return {name: round(share * total, 6) for name, share in relative.items()}
