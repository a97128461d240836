"""Disclosure control for group-level outputs, on NHS Digital's method for hospital statistics.

Every count of patients a waiting list gives is below national level, so every
published count is controlled the one way (``resources/help/disclosure-control.md`` says
why, and what it protects against):

- 0 is shown as 0;
- a count from 1 to 7 is shown as ``*``;
- every other count is rounded to the nearest 5 (8 -> 10, 12 -> 10, 13 -> 15);
- a total is worked out from the unrounded counts and rounded the same way
  (so it need not equal the sum of its rounded parts);
- a share is worked out again from the published counts above and below it,
  and is ``*`` when either is;
- a figure worked out from a group's patients (a mean, a percentile, an
  index) is ``*`` when they are 1 to 7;
- a breakdown of a total of 1 to 7 is ``*`` throughout, zeros included (the
  next N treated is known exactly from the capacity and horizon shown, so
  its zeros would give its one small part back).

There is no secondary suppression: rounding stops a hidden count being
worked out from a total or from the same list grouped another way.

Which figure of an output is which is declared, key by key, in a table
(:data:`EQUITY_FIGURES`): :class:`Count`, :class:`Share` (tied to the counts it
divides), :class:`About` (tied to the count of patients it describes) or
:data:`FREE` (not about patients: capacity, horizon, names). A new figure is
wired in by adding its key; a number under an undeclared key is hidden, so
a figure nobody declared is never published by mistake.

Control is turned off by one explicit choice only (``small_numbers_shown``):
every figure is then shown as worked out, and every output, chart and file
says :data:`NOT_FOR_PUBLICATION`.
"""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

SUPPRESSED = "*"
LARGEST_HIDDEN = 7  # counts from 1 to this are shown as "*"
ROUNDED_TO = 5  # every other count is rounded to the nearest multiple of this
NOT_FOR_PUBLICATION = "Not for publication: small numbers shown"
CONTROLLED = (f"Counts from 1 to {LARGEST_HIDDEN} are shown as {SUPPRESSED} and other counts rounded to the nearest "
              f"{ROUNDED_TO} (NHS Digital's method); totals and shares are worked out before rounding")
CONTROLLED_BRIEFLY = f"counts rounded to {ROUNDED_TO}, 1 to {LARGEST_HIDDEN} shown as {SUPPRESSED}"  # where space is short
DISCLOSURE = "disclosure"  # the key under which an output says how it was controlled


# --------------------------------------------------------------------------- one count
def published_count(count) -> int | str:
    """A count as published: 0, ``*`` for 1 to 7, else the nearest multiple of 5.

    >>> [published_count(n) for n in (0, 1, 7, 8, 12, 13, 287, 4998)]
    [0, '*', '*', 10, 10, 15, 285, 5000]
    """
    count = int(count)
    if count < 0:
        raise ValueError("Counts cannot be negative")
    if 1 <= count <= LARGEST_HIDDEN:
        return SUPPRESSED
    return ROUNDED_TO * ((count + ROUNDED_TO // 2) // ROUNDED_TO)


def published_counts(counts: Iterable) -> np.ndarray:
    """Many counts as published (an object array of ints and ``*``).

    >>> published_counts([0, 3, 9, 100]).tolist()
    [0, '*', 10, 100]
    """
    return np.array([published_count(c) for c in counts] or [], dtype=object)


def published_share(numerator, denominator, complement: bool = False):
    """A share worked out from two published counts: ``*`` if either is, None if the denominator is 0.

    ``complement`` gives 1 - the share (the share within 18 weeks from the count over 18).

    >>> published_share(15, 5000), published_share("*", 5000), published_share(0, 0), published_share(10, 40, True)
    (0.003, '*', None, 0.75)
    """
    if SUPPRESSED in (numerator, denominator):
        return SUPPRESSED
    if not denominator:
        return None
    share = numerator / denominator
    return 1 - share if complement else share


def shown_difference(after, before):
    """The difference of two figures as shown (scenario minus baseline): hidden when either is
    hidden, not known when either is not known; worked out from the figures as shown, so it gives
    away nothing they hide.

    >>> shown_difference(12.5, 10.0), shown_difference(SUPPRESSED, 10.0), shown_difference(None, 3)
    (2.5, '*', None)
    """
    if SUPPRESSED in (after, before):
        return SUPPRESSED
    if after is None or before is None:
        return None
    return after - before


def is_small(count) -> bool:
    """Whether a count (unrounded) is one that is hidden: 1 to 7."""
    return isinstance(count, (int, np.integer)) and 1 <= count <= LARGEST_HIDDEN


# --------------------------------------------------------------------------- declared figures
@dataclass(frozen=True)
class Count:
    """A count of patients. ``total``: the key of the total it breaks down, when a breakdown of a
    hidden total must be hidden whole (zeros included) because the total is known exactly elsewhere."""

    total: str | None = None


@dataclass(frozen=True)
class Share:
    """A share worked out again from the published counts under ``numerator`` and ``denominator``
    (looked up in the figure's own table, then the tables around it)."""

    numerator: str
    denominator: str
    complement: bool = False


class About:
    """A figure worked out from the patients counted under the keys given: ``*`` when any of those
    counts is 1 to 7 (a range over a group and the unknowns, say, names both counts).

    >>> About("rtt_waits_counted").patients
    ('rtt_waits_counted',)
    """

    def __init__(self, *patients: str):
        self.patients = patients

    def __eq__(self, other) -> bool:
        return isinstance(other, About) and other.patients == self.patients

    def __hash__(self) -> int:
        return hash(self.patients)

    def __repr__(self) -> str:
        return f"About{self.patients!r}"


FREE = None  # a figure about no patients (capacity, horizon), or words: shown as it is
COUNT = Count()

# An equity summary (workbench.equity.equity_summary), figure by figure. Keys may be patterns
# ("over_*"); a dict under a declared key (sii: {baseline, scenario}) takes the key's rule.
EQUITY_FIGURES: dict[str, Any] = {
    "by": FREE, "group": FREE, "sii_nation": FREE, "capacity_per_week": FREE, "demand_per_week": FREE,
    "horizon_weeks": FREE,
    "list_size": COUNT, "count": COUNT, "wait_unknown": COUNT, "left_out": COUNT, "rtt_waits_counted": COUNT,
    "next_n": COUNT, "next_n_count": Count(total="next_n"), "over_*": COUNT, "patients": COUNT,
    "sii_left_out": COUNT,
    "share_of_list": Share("count", "list_size"),
    "share_of_next_n": Share("next_n_count", "next_n"),
    "within_18": Share("over_18", "rtt_waits_counted", complement=True),
    "mean_wait": About("rtt_waits_counted"), "median_wait": About("rtt_waits_counted"),
    "p90_wait": About("rtt_waits_counted"), "change_mean_wait_weeks": About("rtt_waits_counted"),
    "change": About("rtt_waits_counted"),
    "sii": About("patients"), "rii": About("patients"),
    # The indices' intervals and words describe the same patients as the indices.
    "sii_ci": About("patients"), "rii_ci": About("patients"), "rii_words": About("patients"),
    # How many deciles hold patients: with a handful of patients it narrows their count, so hidden with it.
    "deciles": About("patients"), "sii_deciles": About("patients"),
    # The projection: whole-list counts, and what the model was given.
    "list_size_at_horizon": COUNT, "new_referrals_in_next_n": COUNT, "not_treated_in_projection": COUNT,
    "new_referrals_by_horizon": FREE, "list_grows": FREE, "demand_by_priority": FREE, "weeks_followed": FREE,
    # Unknowns as a range: a range derives from the unknowns' count as well as its own figure's.
    "unknown_groups": FREE, "sii_unknown_deprivation": COUNT, "unknown_waits_counted": COUNT,
    "sii_unknowns_range": About("patients", "sii_unknown_deprivation"),
    "mean_wait_range": About("rtt_waits_counted", "unknown_waits_counted"),
}


def rule_of(key: str, table: Mapping[str, Any]):
    """The declared rule of a key (exact, else the first matching pattern); ``...`` if undeclared.

    >>> rule_of("over_52", EQUITY_FIGURES), rule_of("horizon_weeks", EQUITY_FIGURES), rule_of("new", EQUITY_FIGURES)
    (Count(total=None), None, Ellipsis)
    """
    if key in table:
        return table[key]
    return next((rule for pattern, rule in table.items() if fnmatch.fnmatchcase(key, pattern)), ...)


def control(figures: dict, table: Mapping[str, Any], outer: tuple[dict, ...] = ()) -> dict:
    """A copy of nested figures with every declared figure controlled (see the module notes).

    Figures are read unrounded from ``figures``; ``outer`` adds tables to look counts up in
    after the enclosing ones (innermost first).

    >>> control({"count": 12, "share": 0.3, "total": 40, "words": "x"},
    ...         {"count": COUNT, "total": COUNT, "share": Share("count", "total"), "words": FREE})
    {'count': 10, 'share': 0.25, 'total': 40, 'words': 'x'}
    """
    return _Controller(table).table(figures, outer)


class _Controller:
    """Walks nested figures; ``scopes`` pairs each enclosing table (unrounded) with its copy (published)."""

    def __init__(self, table: Mapping[str, Any]):
        self.rules = table

    def table(self, figures: dict, outer: tuple, scopes: tuple = ()) -> dict:
        shown = {}
        scopes = ((figures, shown),) + scopes
        for key, value in figures.items():  # counts first: shares are worked out from them
            if isinstance(rule_of(key, self.rules), Count):
                shown[key] = self.leaves(value, rule_of(key, self.rules), scopes, outer)
        for key, value in figures.items():
            if key not in shown:
                shown[key] = self.figure(key, value, scopes, outer)
        return {key: shown[key] for key in figures}

    def figure(self, key: str, value, scopes: tuple, outer: tuple):
        rule = rule_of(key, self.rules)
        if rule is ... and isinstance(value, dict):
            return self.table(value, outer, scopes)
        if rule is ... and isinstance(value, list):
            return [self.table(item, outer, scopes) if isinstance(item, dict) else self.leaves(item, rule, scopes, outer)
                    for item in value]
        return self.leaves(value, rule, scopes, outer)

    def leaves(self, value, rule, scopes: tuple, outer: tuple):
        if isinstance(value, dict):
            return {key: self.leaves(item, rule, scopes, outer) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            if isinstance(rule, About):  # an interval or range: hidden whole, "*" in its place
                hidden = self.leaves(0.0, rule, scopes, outer) == SUPPRESSED
                return SUPPRESSED if hidden else copy.deepcopy(value)
            return [self.leaves(item, rule, scopes, outer) for item in value]
        if rule is FREE or value is None or isinstance(value, bool):
            return copy.deepcopy(value)
        if rule is ...:  # undeclared: a number is hidden, words stay
            return value if isinstance(value, str) else SUPPRESSED
        if isinstance(rule, Count):
            total = _look_up(rule.total, scopes, outer, published=False) if rule.total else None
            return SUPPRESSED if is_small(total) else published_count(value)
        if isinstance(rule, Share):
            return self.share(value, rule, scopes, outer)
        counts = [_look_up(key, scopes, outer, published=False) for key in rule.patients]
        return SUPPRESSED if any(count is ... or is_small(count) for count in counts) else value

    def share(self, value, rule: Share, scopes: tuple, outer: tuple):
        numerator = _look_up(rule.numerator, scopes, outer, published=True)
        denominator = _look_up(rule.denominator, scopes, outer, published=True)
        if numerator is ... or denominator is ...:
            return SUPPRESSED  # a share whose counts are not there to round: never shown as worked out
        return None if value is None else published_share(numerator, denominator, rule.complement)


def _look_up(key: str, scopes: tuple, outer: tuple, published: bool):
    """The figure under ``key`` in the nearest enclosing table (published or unrounded), else ``...``."""
    for unrounded, shown in scopes:
        if key in unrounded:
            return shown[key] if published else unrounded[key]
    for table in outer:
        if key in table:
            return published_count(table[key]) if published else table[key]
    return ...


def undeclared_figures(figures, table: Mapping[str, Any], where: str = "") -> list[str]:
    """Where numbers sit under keys the table does not declare (a test of a new output's wiring).

    >>> undeclared_figures({"count": 3, "groups": [{"new_ci": 1.5}]}, {"count": COUNT})
    ['groups[0].new_ci']
    """
    found = []
    if isinstance(figures, list):
        for index, item in enumerate(figures):
            found += undeclared_figures(item, table, f"{where}[{index}]")
        return found
    for key, value in figures.items():
        path = f"{where}.{key}" if where else key
        if rule_of(key, table) is not ...:
            continue
        if isinstance(value, (dict, list)):
            found += undeclared_figures(value, table, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(path)
    return found


# --------------------------------------------------------------------------- outputs
def disclosure_stamp(small_numbers_shown: bool) -> dict:
    """What an output says about its control (the ``"disclosure"`` key of every JSON output).

    >>> disclosure_stamp(True)["note"]
    'Not for publication: small numbers shown'
    """
    return {"controlled": not small_numbers_shown,
            "note": NOT_FOR_PUBLICATION if small_numbers_shown else CONTROLLED}


def disclosure_note(shown: Mapping) -> str:
    """The sentence every output carries: how its counts were controlled, or that they were not."""
    stamp = shown.get(DISCLOSURE)
    return stamp["note"] if stamp else CONTROLLED


def not_for_publication(shown: Mapping) -> bool:
    """Whether an output was made with control turned off."""
    stamp = shown.get(DISCLOSURE)
    return bool(stamp) and not stamp["controlled"]


def shown_figures(figures: dict, table: Mapping[str, Any], small_numbers_shown: bool = False,
                  outer: tuple[dict, ...] = ()) -> dict:
    """An output's figures as they may be shown: controlled by ``table`` (see :func:`control`), or (the
    one explicit choice) as worked out and stamped :data:`NOT_FOR_PUBLICATION`. The original is left
    alone; the copy says which under ``"disclosure"``.

    >>> shown = shown_figures({"count": 3}, {"count": COUNT})
    >>> shown["count"], shown["disclosure"]["controlled"]
    ('*', True)
    >>> shown_figures({"count": 3}, {"count": COUNT}, small_numbers_shown=True)["count"]
    3
    """
    shown = copy.deepcopy(figures) if small_numbers_shown else control(figures, table, outer)
    shown[DISCLOSURE] = disclosure_stamp(small_numbers_shown)
    return shown


def suppressed_summary(summary: dict, small_numbers_shown: bool = False) -> dict:
    """An equity summary as it may be shown (:func:`shown_figures`).

    The summary's SII and RII describe the patients of ``sii_nation``: looked up there.
    """
    main_nation = summary.get("sii_by_nation", {}).get(summary.get("sii_nation"), {})
    return shown_figures(summary, EQUITY_FIGURES, small_numbers_shown, outer=(main_nation,))
