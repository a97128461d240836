"""What an order does to each group: shares, projected waits, long waits, SII and RII.

Two orders of the same list are compared side by side: the baseline (usually
treating in turn) and the scenario (a rule set's order). An order is an int64
array of row positions, first treated first.

**Projected wait.** The list is treated in order at a weekly capacity ``c``.
The patient at 0-based queue position ``k`` is treated after ``(k + 1) / c``
more weeks, so their projected wait at treatment is::

    projected wait = weeks_waited + (k + 1) / c

With one capacity figure the whole list is one queue. With a capacity per
specialty, each specialty is its own queue: its patients keep the order's
relative sequence and ``k`` counts only patients of that specialty ahead.
Patients whose wait does not count (a clock start validation flags, a
stopped clock: see ``workbench.check.waits``) and non-RTT pathways still take their
place in the queue but are left out of the wait statistics: counted as
``wait_unknown`` per group, and by reason in ``left_out``.

**New referrals.** With a weekly demand ``d``, new referrals keep arriving
in the list's own mix (or as given per priority) and take their place as the
rule set puts them: an urgent referral goes ahead of routine patients already
waiting. The list is then projected week by week
(:mod:`workbench.compare.projection`); demand at or above capacity is projected too,
and the summary says the list grows (``list_size_at_horizon``,
``list_grows``). A rule set whose scores do not grow alike over time is
projected week by week even without new referrals. Pass the orders as
:class:`~workbench.ranking.Ranking` objects for either (an order alone has no
rule to place a referral by).

**Next N treated.** The patients treated within the horizon:
``floor(c x horizon)`` treatments (per queue with capacities per specialty),
fewer if the queue empties; with new referrals some of them go to referrals
(``new_referrals_in_next_n``), so the groups' shares of the next N add up to
less than 1.

**Statistics.** Mean, median and 90th percentile of projected wait per group
are exact (NumPy's default linear interpolation, as pandas uses), computed by a
partial sort of each group's waits. "Over 18" counts projected waits strictly
greater than 18 weeks, and so on for 52, 65, 78 and 104; "within 18" is the
share of the group's counted waits that are not over 18 weeks.

**SII and RII** of the projected mean wait across IMD deciles (1 = most
deprived), as OHID computes them, with 95% confidence intervals by its
simulation (:mod:`workbench.compare.inequality`): our SII is positive when the most
deprived wait longer; the RII is OHID's (least deprived end over most
deprived end, of the fitted line) with its direction in words. At least 5
deciles with patients are needed. Only rows with a known decile and a known
wait take part. Deciles are within a nation, so the line is fitted per
nation; ``sii`` and ``rii`` are those of the nation with most such patients,
and the summary says how many of other nations that leaves out.

**Unknowns as a range.** Where a grouping has a "Not known" group, each
other group's mean projected wait comes with the range it could take if every
patient of unknown group belonged to it (``mean_wait_range``: from its mean as
it is to its mean with them all); the SII comes with the range it could take
if every patient of unknown deprivation were in the most deprived decile, or
all in the least (``sii_unknowns_range``).

**Nations are never pooled.** Groups by deprivation (``imd_quintile``,
``imd_decile``, the IoD2025 domains) carry their nation: "England, most
deprived fifth" and "Wales, most deprived fifth" are two groups.

Work is split so that a change of weights is cheap: :func:`prepare_equity`
does everything that depends only on the list, the grouping and the capacity
(once), and :meth:`EquityInputs.summary` does the per-order work.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from workbench import formats
from workbench.read import codes
from workbench.check import deprivation, waits
from workbench.compare import inequality, projection
from workbench.fields import (
    AGE_BANDS, DATE, ETHNIC_GROUPS, FIELD_KINDS, FLAG, LONG_WAIT_WEEKS, NUMBER, RTT_STANDARD_WEEKS, WaitingList,
)
from workbench.errors import WorkbenchError
from workbench.rank.ranking import Prepared, Ranking, prepare
from workbench.view.columns import label as column_label
from workbench.compare.suppression import SUPPRESSED

NOT_KNOWN = "Not known"
UNKNOWN_GROUPS = (NOT_KNOWN, codes.NOT_STATED)  # groups of patients whose group is not recorded
YES, NO = "Yes", "No"
LEARNING_DISABILITY = "learning_disability"
SUGGESTED_GROUPINGS = (
    "imd_quintile", "imd_decile", "core20", "ethnic_group", "age_band", "sex",
    LEARNING_DISABILITY, "specialty", "site",
)
GROUPING_TITLES = {LEARNING_DISABILITY: "Learning disability"}  # a grouping of no column of its own
# Groups always shown, even when empty, so charts keep the same bars (by deprivation:
# every group of England, and of each other nation on the list).
FIXED_GROUPS: dict[str, tuple[str, ...]] = {
    "core20": (YES, NO),
    "ethnic_group": ETHNIC_GROUPS,
    "age_band": AGE_BANDS,
}
YES_WORDS = {"y", "yes", "1", "true", "t"}
NO_WORDS = {"n", "no", "0", "false", "f"}
MEDIAN, P90 = 0.5, 0.9


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class Grouping:
    """Every row of a list put in one group.

    Invariant: ``codes[i]`` is an index into ``labels`` for every row ``i``;
    a missing value has its own group "Not known" (always last).
    """

    by: str
    labels: tuple[str, ...]
    codes: np.ndarray


def grouping_choices(wl: WaitingList) -> list[tuple[str, str]]:
    """(title, grouping) pairs the list supports: the usual ones first, then its source columns (the app's
    "Group by" and Trends choosers; ``workbench equity --by`` takes the grouping)."""
    choices = []
    for by in SUGGESTED_GROUPINGS:
        if by == LEARNING_DISABILITY:
            if any("learning" in header.casefold() for header in wl.source):
                choices.append((GROUPING_TITLES[by], by))
        elif by in wl.columns:
            choices.append((column_label(by), by))
    choices += [(f"Column: {header}", header) for header in wl.source if "learning" not in header.casefold()]
    return choices


def group_rows(wl: WaitingList, by: str) -> Grouping:
    """Put each row of ``wl`` in a group by a field or column of the list.

    ``by`` is a canonical or derived field (imd_quintile, ethnic_group, ...),
    ``learning_disability`` (a source column whose header mentions learning
    disability, values Y/N), or any source column by its header.

    >>> import numpy as np
    >>> wl = WaitingList(np.arange(1, 4), {"sex": np.array(["F", None, "M"], dtype=object)})
    >>> g = group_rows(wl, "sex")
    >>> g.labels, g.codes.tolist()
    (('F', 'M', 'Not known'), [0, 2, 1])
    """
    if by in deprivation.GROUP_PARTS:
        return _deprivation_groups(wl, by)
    if by == "core20" and "core20" in wl.columns:
        return _core20_groups(wl)
    values, kind = _grouping_column(wl, by)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels_of_uniques = [_label(value, kind, by) for value in uniques]
    # Numbers and dates keep their own order; text is put in natural order.
    in_value_order = [labels_of_uniques[i] for i in np.argsort(uniques)] if kind in (NUMBER, FLAG, DATE) else None
    labels = _ordered_labels(by, in_value_order or labels_of_uniques, bool((codes < 0).any()), in_value_order is not None)
    position = {label: i for i, label in enumerate(labels)}
    # One entry per unique value, and a last one for the missing values (code -1).
    lookup = np.array([position[label] for label in labels_of_uniques] + [position.get(NOT_KNOWN, 0)], dtype=np.int64)
    return Grouping(by=by, labels=tuple(labels), codes=lookup[codes])


def _deprivation_groups(wl: WaitingList, by: str) -> Grouping:
    """Groups by a within-nation figure (quintile, decile): one set of groups per nation.

    >>> wl = WaitingList(np.arange(1, 4), {"imd_quintile": np.array([1.0, 1.0, np.nan]),
    ...                  "deprivation_nation": np.array(["England", "Wales", None], dtype=object)})
    >>> g = group_rows(wl, "imd_quintile")
    >>> [g.labels[c] for c in g.codes]
    ['England, most deprived fifth', 'Wales, most deprived fifth', 'Not known']
    """
    parts = deprivation.GROUP_PARTS[by]
    values, _kind = _grouping_column(wl, by)
    values = np.asarray(values, dtype=np.float64)
    known = np.isin(values, np.arange(1, parts + 1))
    slots = nation_slots(wl)
    key = np.where(known, slots * parts + np.nan_to_num(values, nan=1.0).astype(np.int64) - 1, len(NATION_SLOTS) * parts)
    present = np.bincount(slots[known], minlength=len(NATION_SLOTS)) > 0
    shown = sorted({0} | set(np.flatnonzero(present).tolist()))  # England always, other nations when present
    labels = [deprivation.group_label(NATION_SLOTS[s], by, v) for s in shown for v in range(1, parts + 1)]
    lookup = np.full(len(NATION_SLOTS) * parts + 1, len(labels), dtype=np.int64)
    for place, slot in enumerate(shown):
        lookup[slot * parts:(slot + 1) * parts] = np.arange(parts) + place * parts
    if not known.all():
        labels.append(NOT_KNOWN)
    return Grouping(by=by, labels=tuple(labels), codes=lookup[key])


def _core20_groups(wl: WaitingList) -> Grouping:
    """Yes, No, then the Welsh and Scottish patients apart (Core20 is England's), then Not known.

    >>> wl = WaitingList(np.arange(1, 4), {"core20": np.array([1.0, np.nan, np.nan]),
    ...                  "deprivation_nation": np.array(["England", "Wales", None], dtype=object)})
    >>> g = group_rows(wl, "core20")
    >>> [g.labels[c] for c in g.codes]
    ['Yes', 'Not in England (Core20 is England only)', 'Not known']
    """
    flag = np.asarray(wl.columns["core20"], dtype=np.float64)
    elsewhere = np.isnan(flag) & np.isin(nation_slots(wl), [1, 2])  # Wales, Scotland
    code = np.select([flag == 1, flag == 0, elsewhere], [0, 1, 2], 3)
    labels = (YES, NO, NOT_IN_ENGLAND, NOT_KNOWN)
    kept = [0, 1] + [c for c in (2, 3) if (code == c).any()]  # Yes and No always, the others when there
    lookup = np.zeros(len(labels), dtype=np.int64)
    lookup[kept] = np.arange(len(kept))
    return Grouping(by="core20", labels=tuple(labels[c] for c in kept), codes=lookup[code])


NOT_IN_ENGLAND = "Not in England (Core20 is England only)"
NATION_SLOTS = (*deprivation.NATIONS, None)  # None: a decile the file gave, of no known nation
DECILE_UNKNOWN = len(NATION_SLOTS) * 10  # after the per-nation decile figures: a counted wait, no decile
WAIT_UNKNOWN_BIN = DECILE_UNKNOWN + 1  # and rows whose wait is not counted


def nation_slots(wl: WaitingList) -> np.ndarray:
    """Each row's nation as 0 (England), 1 (Wales), 2 (Scotland) or 3 (not known), worked out per distinct value."""
    nation = wl.columns.get("deprivation_nation")
    if nation is None:
        return np.full(len(wl), len(NATION_SLOTS) - 1, dtype=np.int64)
    slot_of = {name: i for i, name in enumerate(deprivation.NATIONS)}
    return wl.known_codes.per_distinct(
        nation, lambda found: np.array([slot_of.get(n, len(NATION_SLOTS) - 1) for n in found], dtype=np.int64),
        len(NATION_SLOTS) - 1)


def _grouping_column(wl: WaitingList, by: str) -> tuple[np.ndarray, str]:
    if by == LEARNING_DISABILITY and not wl.has_column(by):
        return _learning_disability_column(wl), LEARNING_DISABILITY
    try:
        values = wl.column(by)
    except KeyError:
        if by in FIELD_KINDS:
            raise WorkbenchError(f"The list has no {by}: it was not imported and could not be worked out") from None
        raise WorkbenchError(
            f"The list has no column called '{by}'. Group by one of: {', '.join(SUGGESTED_GROUPINGS)}, "
            "or the name of a column in the imported file"
        ) from None
    kind = FIELD_KINDS.get(by, "text") if by in wl.columns else "text"
    if kind == "text" and values.dtype != object:
        values = values.astype(object)
    return values, kind


def learning_disability_header(headers) -> str | None:
    """The first header that names learning disability, or None.

    >>> learning_disability_header(["Carer", "Learning Disability Flag"]), learning_disability_header(["LD?"])
    ('Learning Disability Flag', 'LD?')
    """
    for header in headers:
        squashed = re.sub(r"[^a-z]", "", header.casefold())
        if "learningdisab" in squashed or squashed == "ld":
            return header
    return None


# Read with every grouping: deprivation groups carry their nation, and Core20 is England's.
DEPRIVATION_COLUMNS = ("imd_quintile", "imd_decile", "deprivation_nation", "core20")


def grouping_columns(groupings: Iterable[str], headers: Iterable[str]) -> set[str]:
    """The columns to read from a stored list to group it by each of ``groupings``, given its source
    ``headers`` (a learning disability grouping reads the source column that names it).

    >>> sorted(grouping_columns(["sex", LEARNING_DISABILITY], ["Carer", "Learning Disability Flag"]))
    ['Learning Disability Flag', 'core20', 'deprivation_nation', 'imd_decile', 'imd_quintile', 'sex']
    """
    names = set(DEPRIVATION_COLUMNS)
    for by in groupings:
        header = learning_disability_header(headers) if by == LEARNING_DISABILITY else None
        names.add(header or by)
    return names


def _learning_disability_column(wl: WaitingList) -> np.ndarray:
    header = learning_disability_header(wl.source)  # headers only: a stored column is decoded when first read
    if header is not None:
        return wl.source[header]
    raise WorkbenchError(
        "The list has no learning disability column (a column whose header mentions "
        "'learning disability'): group by that column's name instead"
    )


def _label(value, kind: str, by: str) -> str:
    """The group label of one distinct value (blank text counts as not known)."""
    if kind == FLAG:
        return YES if value == 1 else NO
    if kind == DATE:
        return formats.uk_date(value)
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else f"{value:g}"
    text = str(value).strip()
    if kind == LEARNING_DISABILITY:
        text = YES if text.casefold() in YES_WORDS else NO if text.casefold() in NO_WORDS else text
    return text or NOT_KNOWN


def _ordered_labels(by: str, present: list[str], has_missing: bool, sorted_already: bool) -> list[str]:
    fixed = list(FIXED_GROUPS.get(by, ()))
    extra = [label for label in dict.fromkeys(present) if label not in fixed and label != NOT_KNOWN]
    if not sorted_already:
        extra.sort(key=_natural_key)
    labels = fixed + extra
    if has_missing or NOT_KNOWN in present:
        labels.append(NOT_KNOWN)
    return labels


def _natural_key(label: str):
    """Numbers in numeric order before text: '2' < '10' < 'abc'."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label.casefold())


# --------------------------------------------------------------------------- service model
@dataclass(frozen=True)
class Service:
    """How the list is served: one queue, or one per specialty.

    ``queue_codes`` is None for a single queue; otherwise the queue of every
    row. ``rate`` is each queue's weekly capacity, ``demand`` its new
    referrals a week, and ``next_n`` how many of each queue's patients are
    treated within the horizon when no referrals arrive. ``within`` is the
    0-based position inside its queue of each slot of a queue-sorted order
    (precomputed: it does not depend on the order).
    """

    queue_codes: np.ndarray | None
    rate: np.ndarray
    next_n: np.ndarray
    within: np.ndarray | None = None
    demand: np.ndarray | None = None

    def queues(self, order: np.ndarray) -> list[np.ndarray]:
        """Each queue's rows in the order's sequence."""
        if self.queue_codes is None:
            return [order]
        by_queue = order[np.argsort(self.queue_codes[order], kind="stable")]
        sizes = np.bincount(self.queue_codes, minlength=len(self.rate))
        return np.split(by_queue, np.cumsum(sizes)[:-1])


def plan_service(
    wl: WaitingList,
    capacity_per_week: float | Mapping[str, float],
    horizon_weeks: float,
    demand_per_week: float | Mapping[str, float] | None = None,
) -> Service:
    """The queues, weekly capacities, new referrals and next-N sizes for a list.

    A mapping gives a capacity (and demand) per specialty, keyed by the
    specialty as it appears in the list ("Not known" for a missing one); a
    specialty left out of a demand mapping has no new referrals. With one
    capacity figure, a demand mapping counts as its total. Demand may match or
    pass capacity: the list then grows (see :mod:`workbench.compare.projection`).
    Raises WorkbenchError when a figure is missing or not positive.

    >>> s = plan_service(WaitingList(np.arange(1, 11), {}), 3, horizon_weeks=2, demand_per_week=4)
    >>> s.rate.tolist(), s.demand.tolist(), s.next_n.tolist()
    ([3.0], [4.0], [6])
    """
    if not horizon_weeks >= 0:  # (nan too)
        raise WorkbenchError(f"The horizon must be 0 weeks or more (it is {horizon_weeks:g})")
    if not isinstance(capacity_per_week, Mapping):
        rate = _checked_capacity(float(capacity_per_week), _demand_value(demand_per_week, None), "the list")
        demand = np.array([_demand_value(demand_per_week, None)])
        return Service(None, np.array([rate]), np.array([_next_n(rate, horizon_weeks, len(wl))]), demand=demand)
    capacity_per_week = _keyed_by_text(capacity_per_week)
    demand_per_week = _keyed_by_text(demand_per_week) if isinstance(demand_per_week, Mapping) else demand_per_week
    specialties = group_rows(wl, "specialty")
    sizes = np.bincount(specialties.codes, minlength=len(specialties.labels))
    demands = [_demand_value(demand_per_week, s) for s in specialties.labels]
    rates = [_checked_capacity(_capacity_of(capacity_per_week, s), d, f"specialty {s}")
             for s, d in zip(specialties.labels, demands)]
    next_n = [_next_n(rate, horizon_weeks, int(size)) for rate, size in zip(rates, sizes)]
    codes = specialties.codes.astype(np.int16 if len(rates) < 2**15 else np.int64)  # int16 sorts by radix
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    within = np.arange(len(wl), dtype=np.int64) - np.repeat(starts, sizes)
    return Service(codes, np.array(rates, dtype=np.float64), np.array(next_n, dtype=np.int64), within,
                   np.array(demands, dtype=np.float64))


def _keyed_by_text(figures: Mapping) -> dict[str, float]:
    """Specialty codes typed as numbers (110) match the list's text codes ("110")."""
    return {str(key).strip(): value for key, value in figures.items()}


def _capacity_of(capacity: Mapping[str, float], specialty: str) -> float:
    if specialty not in capacity:
        raise WorkbenchError(f"No weekly capacity was given for specialty {specialty}")
    return float(capacity[specialty])


def _demand_value(demand, specialty: str | None) -> float:
    if demand is None:
        return 0.0
    if isinstance(demand, Mapping):
        return float(demand.get(specialty, 0.0)) if specialty is not None else float(sum(demand.values()))
    if specialty is not None:
        raise WorkbenchError("Give demand per specialty when capacity is given per specialty")
    return float(demand)


def _checked_capacity(capacity: float, demand: float, what: str) -> float:
    if not capacity > 0:
        raise WorkbenchError(f"The weekly capacity for {what} must be more than 0 (it is {capacity:g})")
    if not demand >= 0:  # (nan too)
        raise WorkbenchError(f"The weekly demand for {what} cannot be negative (it is {demand:g})")
    return capacity


def _next_n(rate: float, horizon_weeks: float, queue_size: int) -> int:
    # The tiny allowance stops 0.1 x 30 = 2.9999999 losing a patient.
    treated = rate * horizon_weeks + 1e-9
    return queue_size if treated >= queue_size else int(math.floor(treated))  # (a rate of 1e308 too)


# --------------------------------------------------------------------------- per-order figures
@dataclass(frozen=True)
class Flow:
    """What one order's projection says about the whole list (see :mod:`workbench.compare.projection`)."""

    next_n: int  # treated within the horizon: patients now on the list and new referrals
    new_in_next_n: int  # new referrals among them
    arrived_by_horizon: int  # new referrals arriving within the horizon
    not_treated: int  # patients now on the list not treated within the projection's limit
    weeks_followed: int


@dataclass
class OrderFigures:
    """Per-group figures of one order (arrays indexed like ``Grouping.labels``)."""

    next_n_count: np.ndarray
    mean_wait: np.ndarray
    median_wait: np.ndarray
    p90_wait: np.ndarray
    over: dict[int, np.ndarray]
    group_sums: np.ndarray  # projected waits added up per group, the "Not known" group's too
    deciles: DecileWaits
    flow: Flow


@dataclass
class EquityInputs:
    """Everything about a list, a grouping and the capacity that no order changes.

    Built by :func:`prepare_equity`. Orders (or rankings) passed to
    :meth:`summary` must not be changed in place afterwards (the last
    baseline's figures are reused while the same object is passed again).
    """

    grouping: Grouping
    weeks_waited: np.ndarray
    service: Service
    capacity_per_week: float | dict
    horizon_weeks: float
    demand_per_week: float | dict | None
    group_or_unknown: np.ndarray  # group code, or len(labels) when the wait is unknown
    rows_by_group: np.ndarray  # rows with a known wait, grouped by group (stable)
    group_bounds: np.ndarray  # rows_by_group[bounds[g]:bounds[g+1]] belong to group g
    count: np.ndarray
    known_count: np.ndarray
    decile_or_unknown: np.ndarray  # nation slot x 10 + decile - 1, DECILE_UNKNOWN (decile unknown) or WAIT_UNKNOWN_BIN
    left_out: dict[str, int] = field(default_factory=dict)  # rows the wait figures leave out, by reason
    referrals: list = field(default_factory=list)  # per queue, its streams of new referrals (projection.Stream)
    demand_by_priority: dict | None = None
    prepared: Prepared | None = None  # for rule sets scored again as time passes (made when first needed)
    wl: WaitingList | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def summary(self, baseline: Ranking | np.ndarray, scenario: Ranking | np.ndarray) -> dict:
        """The equity summary of two orders (see :func:`equity_summary` for its keys).

        Pass each as its :class:`~workbench.ranking.Ranking` (needed when new
        referrals arrive: their place comes from the rule set) or as an order.
        """
        base = self._cached_figures(baseline)
        scen = order_figures(self, scenario)
        return _summary_dict(self, base, scen)

    def _cached_figures(self, ordering) -> OrderFigures:
        if self._cache.get("order") is not ordering:
            self._cache.update(order=ordering, figures=order_figures(self, ordering))
        return self._cache["figures"]

    @property
    def has_referrals(self) -> bool:
        return any(self.referrals)

    def prepared_ranking_data(self) -> Prepared:
        if self.prepared is None:
            self.prepared = prepare(self.wl)
        return self.prepared


def prepare_equity(
    wl: WaitingList,
    by: str = "imd_quintile",
    capacity_per_week: float | Mapping[str, float] = 1.0,
    horizon_weeks: float = 13,
    demand_per_week: float | Mapping[str, float] | None = None,
    demand_by_priority: Mapping[str, float] | None = None,
    prepared: Prepared | None = None,
) -> EquityInputs:
    """Group the list and plan the service and its new referrals once, ready for many orders.

    ``demand_by_priority`` (``{"P2": 5, "P4": 20}``, one capacity figure
    only) gives new referrals per priority instead of ``demand_per_week`` in
    the list's own mix. ``prepared`` is the list's :func:`~workbench.ranking.prepare`
    (made here when a rule set needs it and none is given).
    """
    grouping = group_rows(wl, by)
    weeks = _weeks_waited(wl)
    known = waits.rtt_wait_counted(wl)
    groups = len(grouping.labels)
    group_or_unknown = np.where(known, grouping.codes, groups)
    rows_by_group = np.flatnonzero(known)[np.argsort(grouping.codes[known], kind="stable")]
    known_count = np.bincount(grouping.codes[known], minlength=groups)
    service = plan_service(wl, capacity_per_week, horizon_weeks, demand_per_week)
    return EquityInputs(
        grouping=grouping,
        weeks_waited=weeks,
        service=service,
        capacity_per_week=_plain(capacity_per_week),
        horizon_weeks=horizon_weeks,
        demand_per_week=_plain(demand_per_week),
        group_or_unknown=group_or_unknown,
        rows_by_group=rows_by_group,
        group_bounds=np.concatenate([[0], np.cumsum(known_count)]),
        count=np.bincount(grouping.codes, minlength=groups),
        known_count=known_count,
        decile_or_unknown=decile_codes(wl, known),
        left_out=waits.left_out(wl),
        referrals=_referral_plan(wl, service, demand_by_priority),
        demand_by_priority=_plain(demand_by_priority) if demand_by_priority else None,
        prepared=prepared,
        wl=wl,
    )


def _referral_plan(wl: WaitingList, service: Service, by_priority: Mapping[str, float] | None) -> list:
    """Each queue's streams of new referrals."""
    if by_priority and service.demand.any():
        raise WorkbenchError("Give new referrals either a week in the list's own mix or per priority, not both")
    if by_priority and service.queue_codes is not None:
        raise WorkbenchError("New referrals per priority need one capacity figure for the list, not one per specialty")
    queues = service.queues(np.arange(len(wl), dtype=np.int64))
    return [projection.referral_streams(wl, rows, float(demand), by_priority)
            for rows, demand in zip(queues, service.demand)]


def equity_summary(
    wl: WaitingList,
    baseline: Ranking | np.ndarray,
    scenario: Ranking | np.ndarray,
    by: str = "imd_quintile",
    capacity_per_week: float | Mapping[str, float] = 1.0,
    horizon_weeks: float = 13,
    demand_per_week: float | Mapping[str, float] | None = None,
    demand_by_priority: Mapping[str, float] | None = None,
) -> dict:
    """Per-group figures of a baseline and a scenario order, side by side.

    Returns a dict with stable keys (the ``--json`` contract and the charts'
    input): ``by``, ``list_size``, ``wait_unknown`` (rows the wait figures
    leave out), ``left_out`` (the same by reason: clock stopped, clock start
    not usable, no clock start, non-RTT), ``rtt_waits_counted`` (the
    denominator of the wait figures), ``capacity_per_week``,
    ``demand_per_week``, ``demand_by_priority``, ``horizon_weeks``,
    ``next_n`` (treated within the horizon, new referrals included),
    ``groups`` (a list of ``{"group", "count", "share_of_list",
    "wait_unknown", "rtt_waits_counted", "baseline", "scenario", "change_mean_wait_weeks",
    "change"}`` where baseline and scenario each hold ``share_of_next_n``,
    ``next_n_count``, ``mean_wait``, ``mean_wait_range``, ``median_wait``,
    ``p90_wait``, ``within_18`` (a share), ``over_18``, ``over_52``,
    ``over_65``, ``over_78``, ``over_104``), ``overall`` (the whole list's
    ``within_18`` and ``over_...`` counts, ``new_referrals_in_next_n``,
    ``not_treated_in_projection`` and ``weeks_followed``, ``{"baseline",
    "scenario"}``), ``list_size_at_horizon``, ``new_referrals_by_horizon``
    and ``list_grows``, and the inequality indices of the nation
    ``sii_nation`` (the one with most patients with a decile and a known
    wait): ``sii``, ``sii_ci``, ``rii``, ``rii_ci``, ``rii_words``,
    ``sii_unknowns_range`` (each ``{"baseline", "scenario"}``) and
    ``sii_deciles``, with ``sii_left_out`` (such patients of other nations)
    and ``sii_by_nation`` (``{nation: {"patients", "sii", "sii_ci", "rii",
    "rii_ci", "rii_words", "deciles"}}``).

    Figures a suppression rule must follow (each sits beside what it comes
    from): ``mean_wait_range`` is the group's mean and the mean it would
    have if every patient of unknown group (the groups ``unknown_groups``
    names: "Not known", "Not stated/unknown") belonged to it, so it derives
    from those groups' counted waits (``unknown_waits_counted``) as well as
    its own; ``sii_unknowns_range``
    derives from the count of patients of no known decile
    (``sii_unknown_deprivation``); ``list_size_at_horizon``,
    ``new_referrals_by_horizon``, ``new_referrals_in_next_n`` and
    ``not_treated_in_projection`` are whole-list counts. Waits are in weeks;
    a figure that cannot be worked out is None.

    >>> wl = WaitingList(np.arange(1, 5), {"weeks_waited": np.array([10., 0., 10., 0.]),
    ...                                    "sex": np.array(["F", "F", "M", "M"], dtype=object)})
    >>> s = equity_summary(wl, np.array([0, 1, 2, 3]), np.array([3, 2, 1, 0]), by="sex")
    >>> [(g["group"], g["baseline"]["mean_wait"], g["scenario"]["mean_wait"], g["change"]) for g in s["groups"]]
    [('F', 6.5, 8.5, '+2.0 weeks longer'), ('M', 8.5, 6.5, '-2.0 weeks shorter')]
    """
    inputs = prepare_equity(wl, by, capacity_per_week, horizon_weeks, demand_per_week, demand_by_priority)
    return inputs.summary(baseline, scenario)


def order_figures(inputs: EquityInputs, ordering: Ranking | np.ndarray) -> OrderFigures:
    """Per-group figures of one order (the per-order half of the summary)."""
    ranking = ordering if isinstance(ordering, Ranking) else None
    order = np.asarray(ordering.order if ranking else ordering, dtype=np.int64)
    if len(order) != len(inputs.weeks_waited):
        raise ValueError(f"The order has {len(order)} rows but the list has {len(inputs.weeks_waited)}")
    treated_at, treated, flow = _treatment_times(inputs, ranking, order)
    projected = inputs.weeks_waited + treated_at
    groups = len(inputs.grouping.labels)
    median, p90 = _group_quantiles(projected[inputs.rows_by_group], inputs.group_bounds)
    sums = np.bincount(inputs.group_or_unknown, weights=projected, minlength=groups + 1)
    return OrderFigures(
        next_n_count=np.bincount(inputs.grouping.codes[treated], minlength=groups),
        mean_wait=_group_means(sums[:groups], inputs.known_count),
        median_wait=median,
        p90_wait=p90,
        over=_long_waits(inputs.group_or_unknown, projected, groups),
        group_sums=sums[:groups],
        deciles=decile_waits(inputs.decile_or_unknown, projected),
        flow=flow,
    )


def _treatment_times(inputs: EquityInputs, ranking: Ranking | None, order: np.ndarray):
    """When each patient is treated (weeks after the census date), whether within the horizon, and the list's flow.

    With no new referrals and scores that grow alike (or an order alone) this
    is the closed form; otherwise the week-by-week projection.
    """
    service = inputs.service
    if not inputs.has_referrals and (ranking is None or projection.band_slopes(ranking.rule_set) is not None):
        position = _queue_positions(service, order)
        queue = 0 if service.queue_codes is None else service.queue_codes
        sizes = np.bincount(np.broadcast_to(queue, len(order)), minlength=len(service.rate))
        weeks = int(math.ceil(max((sizes / service.rate).max(initial=0.0) - 1e-9, 0.0)))
        flow = Flow(int(service.next_n.sum()), 0, 0, 0, weeks)
        return (position + 1) / service.rate[queue], position < service.next_n[queue], flow
    if ranking is None:
        raise ValueError("New referrals take their place from the rule set: pass the Ranking, not only its order")
    prepared = None if projection.band_slopes(ranking.rule_set) is not None else inputs.prepared_ranking_data()
    found = projection.project(ranking, service.queues(order), list(service.rate), inputs.referrals,
                               inputs.horizon_weeks, prepared)
    flow = Flow(found.treated_by_horizon, found.new_treated_by_horizon, found.arrived_by_horizon,
                found.not_treated, found.weeks_followed)
    return found.treated_at, found.in_horizon, flow


def _queue_positions(service: Service, order: np.ndarray) -> np.ndarray:
    """0-based position of every row in its queue (the inverse of the order, per queue)."""
    n = len(order)
    position = np.empty(n, dtype=np.int64)
    if service.queue_codes is None:
        position[order] = np.arange(n, dtype=np.int64)
        return position
    # A stable sort by queue keeps the order's sequence inside each queue.
    by_queue = order[np.argsort(service.queue_codes[order], kind="stable")]
    position[by_queue] = service.within
    return position


def _group_means(sums: np.ndarray, known_count: np.ndarray) -> np.ndarray:
    # Rows with an unknown wait sit in the extra last bin of the sums, so their NaN stays there.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known_count > 0, sums / known_count, np.nan)


def _group_quantiles(grouped_waits: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    groups = len(bounds) - 1
    median, p90 = np.full(groups, np.nan), np.full(groups, np.nan)
    for g in range(groups):
        waits = grouped_waits[bounds[g]:bounds[g + 1]]
        if len(waits):
            median[g], p90[g] = _exact_quantiles(waits, (MEDIAN, P90))
    return median, p90


def _exact_quantiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Linear-interpolation quantiles (NumPy's and pandas' default), without a full sort.

    >>> _exact_quantiles(np.array([4., 1., 3., 2.]), (0.5, 0.9))
    [2.5, 3.7]
    """
    spots = [q * (len(values) - 1) for q in qs]
    ranks = {math.floor(s) for s in spots} | {math.ceil(s) for s in spots}
    at = _order_statistics(values, ranks)
    return [float(at[math.floor(s)] + (s - math.floor(s)) * (at[math.ceil(s)] - at[math.floor(s)])) for s in spots]


def _order_statistics(values: np.ndarray, ranks: set[int]) -> dict[int, float]:
    """The values at the given 0-based ranks of the sorted values.

    One single-rank partition per rank, highest first, each on the part left
    below the previous rank: several times faster than one partition with
    many ranks, which NumPy does far more slowly.
    """
    found, part = {}, values
    for rank in sorted(ranks, reverse=True):
        part = np.partition(part, rank)
        found[rank] = part[rank]
        part = part[:rank]
    return found


def _long_waits(group_or_unknown, projected, groups) -> dict[int, np.ndarray]:
    """Per group, how many projected waits are over each long-wait threshold.

    Each row gets a band (how many thresholds it is over) and one bincount of
    group x band counts them all; NaN is over nothing. Rows with an unknown
    wait sit in the extra last group, which is dropped.
    """
    bands = len(LONG_WAIT_WEEKS) + 1
    band = (projected > LONG_WAIT_WEEKS[0]).view(np.int8).copy()
    for weeks in LONG_WAIT_WEEKS[1:]:
        band += projected > weeks
    table = np.bincount(group_or_unknown * bands + band, minlength=(groups + 1) * bands).reshape(groups + 1, bands)
    over = table[:groups, ::-1].cumsum(axis=1)[:, ::-1]  # over threshold i = bands i+1 and above
    return {weeks: over[:, i + 1].astype(np.int64) for i, weeks in enumerate(LONG_WAIT_WEEKS)}


@dataclass(frozen=True)
class DecileWaits:
    """Projected waits per nation and IMD decile (nation slot x 10 + decile - 1), for the inequality indices,
    and those of patients with a counted wait but no known decile."""

    count: np.ndarray
    sums: np.ndarray
    squares: np.ndarray
    unknown_count: int
    unknown_sum: float

    def means(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.count > 0, self.sums / np.maximum(self.count, 1), np.nan)

    def standard_errors(self) -> np.ndarray:
        """Standard error of each decile's mean (0 with fewer than 2 patients: no spread to go on)."""
        n = self.count
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = (self.squares - self.sums**2 / np.maximum(n, 1)) / np.maximum(n - 1, 1)
        return np.where(n > 1, np.sqrt(np.maximum(variance, 0.0) / np.maximum(n, 1)), 0.0)


def decile_waits(decile_or_unknown: np.ndarray, projected: np.ndarray) -> DecileWaits:
    """Waits (projected, or waited so far) per nation and IMD decile, from :func:`decile_codes`."""
    bins = WAIT_UNKNOWN_BIN + 1  # rows of an unknown wait sit in the last bin, their NaN with them
    count = np.bincount(decile_or_unknown, minlength=bins)
    sums = np.bincount(decile_or_unknown, weights=projected, minlength=bins)
    squares = np.bincount(decile_or_unknown, weights=projected * projected, minlength=bins)
    return DecileWaits(count[:DECILE_UNKNOWN], sums[:DECILE_UNKNOWN], squares[:DECILE_UNKNOWN],
                       int(count[DECILE_UNKNOWN]), float(sums[DECILE_UNKNOWN]))


# --------------------------------------------------------------------------- SII / RII
def inequality_indices(mean_waits, population, standard_errors=None) -> tuple[float | None, float | None]:
    """Slope and relative index of inequality of a figure across ordered groups, most deprived first.

    SII is positive when the most deprived wait longer (OHID's SII with its
    sign turned); RII is OHID's: the fitted value at the least deprived end
    over that at the most deprived end. (None, None) with fewer than 5
    groups with a population (see :mod:`workbench.compare.inequality`).

    >>> sii, rii = inequality_indices([10, 8, 6, 4, 2], [1, 1, 1, 1, 1])
    >>> round(sii, 9), round(rii, 9)
    (10.0, 0.090909091)
    """
    errors = np.zeros(len(mean_waits)) if standard_errors is None else standard_errors
    found = inequality.slope_index(mean_waits, population, errors, repetitions=1000)
    return (None, None) if found is None else (found.sii, found.rii)


# --------------------------------------------------------------------------- the summary
def describe_change(weeks: float | None) -> str:
    """A change in weeks with its sign made obvious.

    >>> describe_change(2.34), describe_change(-1.1), describe_change(1.0), describe_change(0.01)
    ('+2.3 weeks longer', '-1.1 weeks shorter', '+1.0 week longer', 'no change')
    """
    if weeks is None or math.isnan(weeks):
        return ""
    shown = round(weeks, 1)
    if shown == 0:
        return "no change"
    unit = "week" if abs(shown) == 1 else "weeks"
    return f"{shown:+.1f} {unit} {'longer' if shown > 0 else 'shorter'}"


ORDERS = ("baseline", "scenario")


def _summary_dict(inputs: EquityInputs, baseline: OrderFigures, scenario: OrderFigures) -> dict:
    n = len(inputs.weeks_waited)
    flow = baseline.flow  # the list's size at the horizon does not depend on the order
    next_n = flow.next_n
    by_nation = _inequality_by_nation(inputs, baseline, scenario)
    main = max(by_nation, key=lambda nation: by_nation[nation]["patients"], default=None)
    with_decile = sum(figures["patients"] for figures in by_nation.values())
    counted = int(inputs.known_count.sum())
    at_horizon = n + flow.arrived_by_horizon - flow.next_n
    return {
        "by": inputs.grouping.by,
        "list_size": n,
        "wait_unknown": n - counted,
        "left_out": dict(inputs.left_out),
        "rtt_waits_counted": counted,
        "capacity_per_week": inputs.capacity_per_week,
        "demand_per_week": inputs.demand_per_week,
        "demand_by_priority": inputs.demand_by_priority,
        "horizon_weeks": inputs.horizon_weeks,
        "next_n": next_n,
        "list_size_at_horizon": at_horizon,
        "new_referrals_by_horizon": flow.arrived_by_horizon,
        "list_grows": at_horizon > n,
        "groups": [_group_dict(inputs, g, baseline, scenario, n, next_n) for g in range(len(inputs.grouping.labels))],
        "overall": {"baseline": _overall(baseline, counted), "scenario": _overall(scenario, counted)},
        **_main_nation(by_nation, main),
        "sii_nation": main,
        "sii_left_out": with_decile - by_nation[main]["patients"] if main else 0,
        "sii_unknown_deprivation": baseline.deciles.unknown_count,
        "sii_unknowns_range": {name: _sii_unknowns_range(f.deciles, NATION_SLOTS.index(_slot_name(main)))
                               if main else None for name, f in zip(ORDERS, (baseline, scenario))},
        "sii_by_nation": by_nation,
        "unknown_groups": [label for label in inputs.grouping.labels if label in UNKNOWN_GROUPS],
        "unknown_waits_counted": int(sum(inputs.known_count[g] for g, label in enumerate(inputs.grouping.labels)
                                         if label in UNKNOWN_GROUPS)),
    }


INDEX_KEYS = ("sii", "sii_ci", "rii", "rii_ci", "rii_words")


def _main_nation(by_nation: dict, main: str | None) -> dict:
    """The main nation's indices at the summary's top level (None where there is no nation to fit)."""
    if main is None:
        return {key: dict.fromkeys(ORDERS) for key in INDEX_KEYS} | {"sii_deciles": 0}
    return {key: dict(by_nation[main][key]) for key in INDEX_KEYS} | {"sii_deciles": by_nation[main]["deciles"]}


def _slot_name(nation: str | None):
    return None if nation == deprivation.NATION_NOT_KNOWN else nation


def _inequality_by_nation(inputs: EquityInputs, baseline: OrderFigures, scenario: OrderFigures) -> dict:
    """SII and RII with their confidence limits, fitted within each nation that has patients with a decile
    (deciles are not comparable across nations), with how many patients each has; England first."""
    counts = baseline.deciles.count.reshape(-1, 10)
    found = {}
    for slot, nation in enumerate(NATION_SLOTS):
        if counts[slot].sum():
            fits = {name: fit_nation(f.deciles, slot) for name, f in zip(ORDERS, (baseline, scenario))}
            found[nation or deprivation.NATION_NOT_KNOWN] = {
                "patients": int(counts[slot].sum()),
                "deciles": int((counts[slot] > 0).sum()),
                **{key: {name: _index_figure(fit, key) for name, fit in fits.items()} for key in INDEX_KEYS},
            }
    return found


def fit_nation(deciles: DecileWaits, slot: int) -> inequality.Inequality | None:
    """SII and RII of one nation's deciles (its slot in :data:`NATION_SLOTS`); None with fewer than 5."""
    part = slice(slot * 10, slot * 10 + 10)
    return inequality.slope_index(deciles.means()[part], deciles.count[part], deciles.standard_errors()[part])


def _index_figure(fit: inequality.Inequality | None, key: str):
    if fit is None:
        return None
    if key == "rii_words":
        return inequality.describe_rii(fit.rii)
    value = getattr(fit, key)
    return list(value) if isinstance(value, tuple) else value


def _sii_unknowns_range(deciles: DecileWaits, slot: int) -> list[float] | None:
    """The SII (our sign) if every patient of no known decile were in the most deprived decile, and if in the
    least: how far the unknowns could move it. None when there are none, or too few deciles to fit."""
    if not deciles.unknown_count:
        return None
    ends = []
    for decile in (0, 9):
        count, sums = deciles.count[slot * 10:slot * 10 + 10].copy(), deciles.sums[slot * 10:slot * 10 + 10].copy()
        count[decile] += deciles.unknown_count
        sums[decile] += deciles.unknown_sum
        use = count > 0
        if use.sum() < inequality.MIN_GROUPS:
            return None
        most, least = inequality.fitted_ends(sums[use] / count[use], count[use])
        ends.append(most - least)
    return sorted(ends)


def sii_scope(summary: dict) -> tuple[str, str]:
    """Whose IMD deciles the SII and RII are fitted across, and who that leaves out ('' if nobody).

    >>> sii_scope({"sii_nation": "England", "sii_left_out": 12})
    ("England's IMD deciles", '12 patients of other nations left out (deciles are not comparable across nations)')
    """
    nation, left_out = summary["sii_nation"], summary["sii_left_out"]
    where = (f"{nation}'s IMD deciles" if nation in deprivation.NATIONS else
             "the IMD deciles the file gave (nation not known)" if nation else "IMD deciles")
    note = (f"{left_out:,}" if isinstance(left_out, int) else str(left_out)) + " patients of other nations left out"
    return where, (note + " (deciles are not comparable across nations)" if left_out else "")


def _group_dict(inputs: EquityInputs, g: int, baseline: OrderFigures, scenario: OrderFigures, n: int, next_n: int):
    count, known = int(inputs.count[g]), int(inputs.known_count[g])
    base, scen = (_order_dict(inputs, f, g, next_n, known) for f in (baseline, scenario))
    change = None if base["mean_wait"] is None else scen["mean_wait"] - base["mean_wait"]
    return {
        "group": inputs.grouping.labels[g],
        "count": count,
        "share_of_list": count / n if n else None,
        "wait_unknown": count - known,
        "rtt_waits_counted": known,
        "baseline": base,
        "scenario": scen,
        "change_mean_wait_weeks": change,
        "change": describe_change(change),
    }


def _order_dict(inputs: EquityInputs, figures: OrderFigures, g: int, next_n: int, known: int) -> dict:
    in_next = int(figures.next_n_count[g])
    over = {weeks: int(figures.over[weeks][g]) for weeks in LONG_WAIT_WEEKS}
    return {
        "share_of_next_n": in_next / next_n if next_n else None,
        "next_n_count": in_next,
        "mean_wait": _number(figures.mean_wait[g]),
        "mean_wait_range": _mean_wait_range(inputs, figures, g),
        "median_wait": _number(figures.median_wait[g]),
        "p90_wait": _number(figures.p90_wait[g]),
        "within_18": _within_standard(over, known),
        **{f"over_{weeks}": count for weeks, count in over.items()},
    }


def _mean_wait_range(inputs: EquityInputs, figures: OrderFigures, g: int) -> list[float] | None:
    """A group's mean projected wait as it is and as it would be if every patient of unknown group
    (with a counted wait) belonged to it; None for an unknown group itself or when there are none."""
    unknown = [i for i, label in enumerate(inputs.grouping.labels) if label in UNKNOWN_GROUPS]
    count = int(inputs.known_count[unknown].sum())
    if g in unknown or not count or not inputs.known_count[g]:
        return None
    joined = (figures.group_sums[g] + figures.group_sums[unknown].sum()) / (inputs.known_count[g] + count)
    return sorted([float(figures.mean_wait[g]), float(joined)])


def _overall(figures: OrderFigures, counted: int) -> dict:
    """The whole list's long waits and share within 18 weeks (the counted RTT waits), and its flow."""
    over = {weeks: int(figures.over[weeks].sum()) for weeks in LONG_WAIT_WEEKS}
    flow = figures.flow
    return {
        "within_18": _within_standard(over, counted), **{f"over_{weeks}": n for weeks, n in over.items()},
        "new_referrals_in_next_n": flow.new_in_next_n,
        "not_treated_in_projection": flow.not_treated,
        "weeks_followed": flow.weeks_followed,
    }


def _within_standard(over: dict[int, int], counted: int) -> float | None:
    return waits.share_within_standard(counted, over[RTT_STANDARD_WEEKS])


def overall_text(summary: dict) -> str:
    """The whole list's RTT figures at treatment, baseline -> scenario, and what they count, in words.

    Works on a suppressed summary too ("*" stays "*").

    >>> overall_text({"overall": {"baseline": {"within_18": 0.5, "over_18": 5, "over_52": 0},
    ...                           "scenario": {"within_18": 0.6, "over_18": 4, "over_52": "*"}},
    ...               "rtt_waits_counted": 10, "list_size": 12, "left_out": {"non-RTT": 2}})
    'Projected at treatment, baseline -> scenario: within 18 weeks 50% -> 60%; over 18 weeks 5 -> 4; over 52 weeks 0 -> *. RTT waits counted: 10 of 12 patients (left out: 2 non-RTT)'
    """
    base, scen = summary["overall"]["baseline"], summary["overall"]["scenario"]
    parts = [f"within {RTT_STANDARD_WEEKS} weeks {formats.share(base['within_18'], 0, '-')} -> {formats.share(scen['within_18'], 0, '-')}"]
    parts += [f"over {key[5:]} weeks {formats.count(base[key])} -> {formats.count(scen[key])}"
              for key in base if key.startswith("over_")]
    counted = waits.describe_left_out(summary["rtt_waits_counted"], summary["list_size"], summary["left_out"])
    return f"Projected at treatment, baseline -> scenario: {'; '.join(parts)}. {counted}"


SII_SIGN = "positive: the most deprived wait longer"
RII_MEANING = "OHID's: fitted wait at the least deprived end over that at the most deprived end"


def inequality_text(summary: dict) -> list[str]:
    """The slope and relative index of inequality, baseline -> scenario, in words, each saying its convention.

    Works on a suppressed summary too ("*" stays "*").

    >>> lines = inequality_text({"sii_nation": "England", "sii_left_out": 0, "sii_deciles": 10,
    ...     "sii": {"baseline": 9.84, "scenario": 8.01}, "sii_ci": {"baseline": [9.1, 10.6], "scenario": [7.3, 8.7]},
    ...     "rii": {"baseline": 0.8, "scenario": 0.84}, "rii_ci": {"baseline": [0.78, 0.82], "scenario": [0.82, 0.86]},
    ...     "rii_words": {"baseline": "the most deprived wait 1.25 times as long as the least deprived",
    ...                   "scenario": "the most deprived wait 1.19 times as long as the least deprived"},
    ...     "sii_unknowns_range": {"baseline": None, "scenario": None}})
    >>> print("\\n".join(lines))
    Slope index of inequality (SII) of mean projected wait across England's IMD deciles (positive: the most deprived wait longer): 9.8 weeks (95% CI 9.1 to 10.6) -> 8.0 weeks (95% CI 7.3 to 8.7)
    Relative index of inequality (RII, OHID's: fitted wait at the least deprived end over that at the most deprived end): 0.80 (95% CI 0.78 to 0.82) -> 0.84 (95% CI 0.82 to 0.86): the most deprived wait 1.25 times as long as the least deprived -> 1.19 times
    """
    where, left_out = sii_scope(summary)
    base, scen = ({key: summary[key][order] for key in INDEX_KEYS} for order in ORDERS)
    if base["sii"] is None and scen["sii"] is None:
        return [f"Slope and relative index of inequality across {where}: not worked out (they need at least "
                f"{inequality.MIN_GROUPS} deciles with patients; {summary['sii_deciles']} have some)"]
    sii = (f"Slope index of inequality (SII) of mean projected wait across {where} ({SII_SIGN}): "
           f"{index_text(base['sii'], base['sii_ci'], 1, ' weeks')} -> "
           f"{index_text(scen['sii'], scen['sii_ci'], 1, ' weeks')}")
    rii = (f"Relative index of inequality (RII, {RII_MEANING}): {index_text(base['rii'], base['rii_ci'], 2)} -> "
           f"{index_text(scen['rii'], scen['rii_ci'], 2)}{_rii_words(base['rii_words'], scen['rii_words'])}")
    lines = [sii + (f"; {left_out}" if left_out else ""), rii]
    ranges = summary.get("sii_unknowns_range", {})
    if any(isinstance(ranges.get(order), list) for order in ORDERS):  # none, or hidden with a handful of unknowns
        lines.append(f"With the {formats.count(summary['sii_unknown_deprivation'])} patients of unknown deprivation all "
                     f"in the most or all in the least deprived decile, the SII could be "
                     f"{range_text(ranges['baseline'])} -> {range_text(ranges['scenario'])} weeks")
    return lines


def index_text(value, limits, places: int, unit: str = "") -> str:
    """An index (SII, RII) to ``places`` places with its 95% CI; '-' for none, '*' stays '*'.

    >>> index_text(9.84, [9.1, 10.6], 1, " weeks"), index_text(0.8, None, 2), index_text("*", None, 2)
    ('9.8 weeks (95% CI 9.1 to 10.6)', '0.80', '*')
    """
    if value is None or isinstance(value, str):
        return "-" if value is None else value
    shown = f"{value:.{places}f}{unit}"
    if limits is None or isinstance(limits, str):
        return shown
    return f"{shown} (95% CI {limits[0]:.{places}f} to {limits[1]:.{places}f})"


def _rii_words(before, after) -> str:
    if not before or before == SUPPRESSED:
        return ""
    if after and after != SUPPRESSED and after.split(" wait ")[0] == before.split(" wait ")[0]:
        return f": {before} -> {after.split(' wait ')[1].split(' as long')[0]}"
    return f": {before} -> {after}" if after else f": {before}"


def range_text(limits, unit: str = "") -> str:
    """A range of weeks as 'low to high' to one place; '-' for none, '*' stays '*'.

    >>> range_text([12.34, 14.06], " weeks"), range_text(None), range_text("*", " weeks")
    ('12.3 to 14.1 weeks', '-', '*')
    """
    if limits is None or isinstance(limits, str):
        return "-" if limits is None else limits
    return f"{limits[0]:.1f} to {limits[1]:.1f}{unit}"


def flow_text(summary: dict) -> str:
    """What the projection assumes about new referrals and what happens to the list's size, in words.

    >>> print(flow_text({"demand_per_week": 30.0, "demand_by_priority": None, "horizon_weeks": 13, "list_size": 5000,
    ...       "list_size_at_horizon": 4090, "next_n": 1300, "new_referrals_by_horizon": 390, "list_grows": False,
    ...       "overall": {"baseline": {"new_referrals_in_next_n": 104, "not_treated_in_projection": 0}}}))
    New referrals: 30 a week in the list's own mix. Over 13 weeks 390 arrive and 1,300 patients are treated (104 of them new referrals): the list goes from 5,000 to 4,090.
    """
    demand, by_priority = summary["demand_per_week"], summary.get("demand_by_priority")
    if by_priority:
        source = "New referrals: " + ", ".join(f"{code} {rate:g}" for code, rate in by_priority.items()) + " a week"
    elif demand:
        source = f"New referrals: {_plain_text(demand)} a week in the list's own mix"
    else:
        source = "No new referrals"
    base = summary["overall"]["baseline"]
    change = "grows" if summary["list_grows"] else "goes"
    text = (f"{source}. Over {summary['horizon_weeks']:g} weeks {formats.count(summary['new_referrals_by_horizon'])} "
            f"arrive and {formats.count(summary['next_n'])} patients are treated "
            f"({formats.count(base['new_referrals_in_next_n'])} of them new referrals): the list {change} from "
            f"{formats.count(summary['list_size'])} to {formats.count(summary['list_size_at_horizon'])}.")
    untreated = base["not_treated_in_projection"]
    if untreated and untreated != SUPPRESSED:  # demand in the bands above them outruns capacity
        text += (f" {formats.count(untreated)} patients now on the list are not treated within "
                 f"{projection.LIMIT_WEEKS // 52} years: their projected waits are at least that long.")
    return text


def projection_words(shown: dict) -> str:
    """One line above the charts: what the projection assumes (changed in the Capacity tab).

    >>> projection_words({"capacity_per_week": 96.0, "demand_per_week": 40.0, "horizon_weeks": 13})
    'Projected over 13 weeks at 96 treated a week, with 40 new referrals a week joining the list (Capacity tab).'
    >>> projection_words({"capacity_per_week": {"110": 5.0}, "demand_per_week": None, "horizon_weeks": 13})
    "Projected over 13 weeks at each specialty's capacity, with no new referrals (Capacity tab)."
    >>> projection_words({"capacity_per_week": 50.0, "demand_by_priority": {"P2": 5.0}, "horizon_weeks": 13})
    'Projected over 13 weeks at 50 treated a week, with new referrals by priority joining the list (Capacity tab).'
    """
    capacity = shown["capacity_per_week"]
    treated = ("each specialty's capacity" if isinstance(capacity, dict)
               else f"{formats.decimal(capacity, 0, 'not known')} treated a week")
    demand = shown.get("demand_per_week")
    if shown.get("demand_by_priority"):
        referrals = "with new referrals by priority joining the list"
    elif demand:
        referrals = f"with {formats.decimal(demand, 0, 'not known')} new referrals a week joining the list"
    else:
        referrals = "with no new referrals"
    return f"Projected over {shown['horizon_weeks']:g} weeks at {treated}, {referrals} (Capacity tab)."


SHORT_NAME_LINE = 8  # characters on a line of a group's short name (under a chart)
NATION_OR_NOT_KNOWN = (*deprivation.NATIONS, deprivation.NATION_NOT_KNOWN)  # what a deprivation group starts with


def deprivation_note(shown: dict) -> str:
    """Whose deprivation groups a chart of one nation shows (its axis names only the fifths).

    >>> deprivation_note({"by": "imd_quintile", "groups": [{"group": "England, middle fifth"}, {"group": "Not known"}]})
    " Groups: England's own deprivation fifths (each nation's index is its own)."
    """
    nations = {g["group"].split(", ", 1)[0] for g in shown["groups"] if ", " in g["group"]}
    if shown["by"] not in deprivation.GROUP_PARTS or len(nations) != 1:
        return ""
    parts = "fifths" if shown["by"] == "imd_quintile" else "deciles"
    return f" Groups: {nations.pop()}'s own deprivation {parts} (each nation's index is its own)."


def short_group_names(labels: list[str]) -> list[str]:
    r"""The groups' names as a chart's axis shows them: short and on short lines so neighbours never overlap
    (the hover text and the tables give them whole). Groups by deprivation are numbered, 1 = most
    deprived (the axis title says so); the nation is named only when the chart shows more than one.

    >>> short_group_names(["England, most deprived fifth", "England, second least deprived fifth", "Not known"])
    ['1', '4', 'Not\nknown']
    >>> short_group_names(["England, decile 1 (most deprived)", "Wales, decile 10 (least deprived)"])
    ['England\n1', 'Wales\n10']
    """
    nations = {label.split(", ", 1)[0] for label in labels} & set(NATION_OR_NOT_KNOWN)
    shown = []
    for label in labels:
        nation, _comma, part = label.partition(", ")
        number = _group_number(part) if nation in NATION_OR_NOT_KNOWN else None
        if number is None:
            shown.append("\n".join(textwrap.wrap(label, SHORT_NAME_LINE, break_long_words=False)))
        else:
            shown.append(f"{nation}\n{number}" if len(nations) > 1 else str(number))
    return shown


def _group_number(part: str) -> int | None:
    """A deprivation group's number, 1 = most deprived ("middle fifth": 3; "decile 10 (least deprived)": 10)."""
    if part in deprivation.FIFTHS:
        return deprivation.FIFTHS.index(part) + 1
    words = part.split()
    return int(words[1]) if len(words) > 1 and words[0] == "decile" and words[1].isdigit() else None


def _plain_text(figure) -> str:
    return formats.figure(figure) + (" (by specialty)" if isinstance(figure, Mapping) else "")



# --------------------------------------------------------------------------- helpers
def _weeks_waited(wl: WaitingList) -> np.ndarray:
    if "weeks_waited" not in wl.columns:
        raise WorkbenchError("The list has no weeks waited (no wait start date was imported)")
    return np.asarray(wl.columns["weeks_waited"], dtype=np.float64)


def decile_codes(wl: WaitingList, wait_known: np.ndarray) -> np.ndarray:
    """IMD decile 1..10 of nation slot s as s x 10 + 0..9; DECILE_UNKNOWN for a counted wait of no known decile,
    WAIT_UNKNOWN_BIN for a wait not counted."""
    decile = wl.columns.get("imd_decile")
    if decile is None:
        return np.where(wait_known, DECILE_UNKNOWN, WAIT_UNKNOWN_BIN)
    usable = wait_known & np.isin(decile, np.arange(1, 11))
    code = np.where(usable, nation_slots(wl) * 10 + np.nan_to_num(decile, nan=1).astype(np.int64) - 1, DECILE_UNKNOWN)
    return np.where(wait_known, code, WAIT_UNKNOWN_BIN)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _plain(figure):
    if isinstance(figure, Mapping):
        return {str(k): float(v) for k, v in figure.items()}
    return None if figure is None else float(figure)
