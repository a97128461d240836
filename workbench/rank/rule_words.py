"""Rule sets in words: a factor described for the Rules sheet and the app."""

from __future__ import annotations

from workbench.rank.rules import Factor, LookupBand


def lookup_range(band: LookupBand) -> str:
    """A lookup band's values as people write them: ``1-3``."""
    return f"{band.low:g}-{band.high:g}"


def describe_factor(factor: Factor) -> str:
    """A factor in plain words, for the Rules sheet and the app.

    >>> describe_factor(Factor(name="Long wait", source="weeks_waited", weight=3, transform="threshold", at_least=52))
    '3 weeks-equivalent if weeks_waited is at least 52 (clinical/time; a missing value counts 0)'
    """
    weight = f"{factor.weight:g}"
    if factor.transform == "threshold":
        rule = f"{weight} weeks-equivalent if {factor.source} is at least {factor.at_least:g}"
    elif factor.transform == "capped":
        rule = f"{weight} x {factor.source}, counted up to {factor.maximum:g}"
    elif factor.transform == "banded":
        table = "; ".join(f"{lookup_range(b)}: {b.value:g}" for b in factor.lookup)
        rule = f"{weight} x the value for {factor.source} in ({table}; otherwise 0)"
    else:
        rule = f"{weight} x {factor.source}"
    missing = "counts 0" if factor.missing == "neutral" else "counts the lowest this factor gives"
    return f"{rule} ({factor.group}; a missing value {missing})"
