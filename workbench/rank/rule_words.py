"""Rule sets in words: a factor described for the Rules sheet and the app."""

from __future__ import annotations

import re

from workbench.rank.rules import MISSING_WORDS, TIME_LIMIT_USED, WEEKS_WAITED, Factor, LookupBand
from workbench.view.columns import label as column_label

SOURCE_TITLES = {WEEKS_WAITED: "Weeks waited", TIME_LIMIT_USED: "Share of the priority's time limit used"}


def source_title(source: str) -> str:
    """How a factor's column is named to users: its column's heading, or what a worked-out source measures.

    >>> source_title("time_limit_used"), source_title("imd_quintile"), source_title("Carer")
    ("Share of the priority's time limit used", 'IMD quintile', 'Carer')
    """
    return SOURCE_TITLES.get(source) or column_label(source)


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
    return f"{rule} ({factor.group}; a missing value {MISSING_WORDS[factor.missing]})"


def format_lookup(bands: tuple[LookupBand, ...]) -> str:
    """A banded lookup as people type it.

    >>> format_lookup((LookupBand(1, 1, 4.0), LookupBand(2, 3, 2.5)))
    '1-1: 4; 2-3: 2.5'
    """
    return "; ".join(f"{b.low:g}-{b.high:g}: {b.value:g}" for b in bands)


LOOKUP_PART = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-\s*(-?\d+(?:\.\d+)?))?\s*:\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_lookup(text: str) -> tuple[LookupBand, ...]:
    """Bands typed as ``from-to: value`` separated by semicolons (``2: 1`` means 2-2).

    >>> parse_lookup("1-1: 4; 2: 2")
    (LookupBand(low=1.0, high=1.0, value=4.0), LookupBand(low=2.0, high=2.0, value=2.0))
    >>> parse_lookup("one: 4")
    Traceback (most recent call last):
    ...
    ValueError: 'one: 4' is not 'from-to: value' (for example 1-2: 4)
    """
    bands = []
    for part in filter(str.strip, text.split(";")):
        match = LOOKUP_PART.match(part)
        if not match:
            raise ValueError(f"'{part.strip()}' is not 'from-to: value' (for example 1-2: 4)")
        low = float(match[1])
        high = float(match[2]) if match[2] is not None else low
        if high < low:
            raise ValueError(f"'{part.strip()}': 'to' is below 'from'")
        bands.append(LookupBand(low, high, float(match[3])))
    if not bands:
        raise ValueError("give at least one band, for example 1-1: 4")
    return tuple(bands)
