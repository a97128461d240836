"""Edits of a rule set: each returns an edited copy (rule sets are frozen).

An edited copy says what it was edited from (:func:`edited`): the original's
author, description and rationale are dropped, as they no longer describe it,
so no record shows them beside weights they did not choose. An edit that puts
every setting back gives the original itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from workbench.rank.rules import BandPolicy, EditedFrom, Factor, LookupBand, RuleSet


def edited(rule_set: RuleSet, **changes) -> RuleSet:
    """A copy of ``rule_set`` with ``changes``, marked as edited from the rule set it started as.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> changed = edited(treat_in_turn(), social_cap_weeks=4.0)
    >>> changed.edited_from.words, changed.rationale, changed.origin == treat_in_turn()
    ('Treat in turn 1', '', True)
    >>> edited(changed, social_cap_weeks=None) == treat_in_turn()
    True
    """
    copy = replace(rule_set, **changes)
    if rule_set.edited_from is None:
        origin, mark = rule_set, EditedFrom(rule_set.name, rule_set.version, rule_set.sha256)
    else:  # an edited rule set read from a file has no origin in memory: it stays edited
        origin, mark = rule_set.origin, rule_set.edited_from
    if origin is not None and _same_settings(copy, origin):
        return origin
    return replace(copy, author="", description="", rationale="", edited_from=mark, origin=origin)


def _same_settings(rule_set: RuleSet, origin: RuleSet) -> bool:
    """Whether ``rule_set`` orders a list exactly as ``origin`` and is named alike (its words aside)."""
    return replace(rule_set, author=origin.author, description=origin.description, rationale=origin.rationale,
                   edited_from=origin.edited_from) == origin


def with_weight(rule_set: RuleSet, factor_name: str, weight: float) -> RuleSet:
    """A copy of ``rule_set`` with one factor's weight changed (the app's sliders).

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> treat_in_turn().factors[0].weight, with_weight(treat_in_turn(), "Weeks waited", 2).factors[0].weight
    (1.0, 2.0)
    """
    rule_set.factor(factor_name)  # KeyError naming the factor if there is none
    factors = tuple(replace(f, weight=float(weight)) if f.name == factor_name else f for f in rule_set.factors)
    return edited(rule_set, factors=factors)


def with_social_cap(rule_set: RuleSet, weeks: float | None) -> RuleSet:
    """A copy of ``rule_set`` with a different social cap (``None``: no cap)."""
    return edited(rule_set, social_cap_weeks=None if weeks is None else float(weeks))


def with_factor_changed(rule_set: RuleSet, name: str, **changes) -> RuleSet:
    """A copy with one factor's fields changed (KeyError naming the factor if there is none)."""
    rule_set.factor(name)
    factors = tuple(replace(f, **changes) if f.name == name else f for f in rule_set.factors)
    return edited(rule_set, factors=factors)


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
    return edited(rule_set, bands=BandPolicy(order=rule_set.bands.order, overlap_weeks=weeks))


def with_factor(rule_set: RuleSet, factor: Factor) -> RuleSet:
    """A copy with one more factor, at the end."""
    return edited(rule_set, factors=rule_set.factors + (factor,))


def without_factor(rule_set: RuleSet, name: str) -> RuleSet:
    """A copy without the named factor."""
    rule_set.factor(name)
    return edited(rule_set, factors=tuple(f for f in rule_set.factors if f.name != name))


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
