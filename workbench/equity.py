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
stopped clock: see ``workbench.waits``) and non-RTT pathways still take their
place in the queue but are left out of the wait statistics: counted as
``wait_unknown`` per group, and by reason in ``left_out``.

**New referrals.** With a weekly demand ``d``, new referrals keep arriving and
take ``d`` of each week's capacity, so the existing list is served at
``c - d`` a week (and ``c`` is replaced by ``c - d`` above). If ``d >= c`` the
list never clears: that is a WorkbenchError, not a projection.

**Next N treated.** The patients of the list treated within the horizon:
``floor(c x horizon)`` of them (``c - d`` with demand; per queue with capacities
per specialty).

**Statistics.** Mean, median and 90th percentile of projected wait per group
are exact (NumPy's default linear interpolation, as pandas uses), computed by a
partial sort of each group's waits. "Over 18" counts projected waits strictly
greater than 18 weeks, and so on for 52, 65, 78 and 104; "within 18" is the
share of the group's counted waits that are not over 18 weeks.

**SII and RII** of the projected mean wait across IMD deciles (1 = most
deprived) as in the domain notes: see :func:`inequality_indices`. Only rows with
a known decile and a known wait take part. Deciles are within a nation, so the
line is fitted per nation; ``sii`` and ``rii`` are those of the nation with most
such patients, and the summary says how many of other nations that leaves out.

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
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from workbench import deprivation, waits
from workbench.fields import (
    AGE_BANDS, DATE, ETHNIC_GROUPS, FIELD_KINDS, FLAG, LONG_WAIT_WEEKS, NUMBER, RTT_STANDARD_WEEKS, WaitingList,
)
from workbench.progress import WorkbenchError

NOT_KNOWN = "Not known"
YES, NO = "Yes", "No"
LEARNING_DISABILITY = "learning_disability"
SUGGESTED_GROUPINGS = (
    "imd_quintile", "imd_decile", "core20", "ethnic_group", "age_band", "sex",
    LEARNING_DISABILITY, "specialty", "site",
)
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
DECILE_UNKNOWN = len(NATION_SLOTS) * 10  # the last bin of the per-nation decile figures


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
        return pd.Timestamp(value).strftime("%d/%m/%Y")
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
    row. ``rate`` is the weekly rate at which each queue's listed patients are
    treated (capacity minus demand) and ``next_n`` how many of each queue are
    treated within the horizon. ``within`` is the 0-based position inside its
    queue of each slot of a queue-sorted order (precomputed: it does not
    depend on the order).
    """

    queue_codes: np.ndarray | None
    rate: np.ndarray
    next_n: np.ndarray
    within: np.ndarray | None = None


def plan_service(
    wl: WaitingList,
    capacity_per_week: float | Mapping[str, float],
    horizon_weeks: float,
    demand_per_week: float | Mapping[str, float] | None = None,
) -> Service:
    """The queues, weekly treatment rates and next-N sizes for a list.

    A mapping gives a capacity (and demand) per specialty, keyed by the
    specialty as it appears in the list ("Not known" for a missing one); a
    specialty left out of a demand mapping has no new referrals. With one
    capacity figure, a demand mapping counts as its total.
    Raises WorkbenchError when a figure is missing, not positive, or demand
    is not below capacity (the list would never clear).

    >>> s = plan_service(WaitingList(np.arange(1, 11), {}), 3, horizon_weeks=2, demand_per_week=1)
    >>> s.rate.tolist(), s.next_n.tolist()
    ([2.0], [4])
    """
    if not horizon_weeks >= 0:  # (nan too)
        raise WorkbenchError(f"The horizon must be 0 weeks or more (it is {horizon_weeks:g})")
    if not isinstance(capacity_per_week, Mapping):
        rate = _served_rate(float(capacity_per_week), _demand_value(demand_per_week, None), "the list")
        return Service(None, np.array([rate]), np.array([_next_n(rate, horizon_weeks, len(wl))]))
    capacity_per_week = _keyed_by_text(capacity_per_week)
    demand_per_week = _keyed_by_text(demand_per_week) if isinstance(demand_per_week, Mapping) else demand_per_week
    specialties = group_rows(wl, "specialty")
    sizes = np.bincount(specialties.codes, minlength=len(specialties.labels))
    rates = [
        _served_rate(_capacity_of(capacity_per_week, s), _demand_value(demand_per_week, s), f"specialty {s}")
        for s in specialties.labels
    ]
    next_n = [_next_n(rate, horizon_weeks, int(size)) for rate, size in zip(rates, sizes)]
    codes = specialties.codes.astype(np.int16 if len(rates) < 2**15 else np.int64)  # int16 sorts by radix
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    within = np.arange(len(wl), dtype=np.int64) - np.repeat(starts, sizes)
    return Service(codes, np.array(rates, dtype=np.float64), np.array(next_n, dtype=np.int64), within)


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


def _served_rate(capacity: float, demand: float, what: str) -> float:
    if not capacity > 0:
        raise WorkbenchError(f"The weekly capacity for {what} must be more than 0 (it is {capacity:g})")
    if not demand >= 0:  # (nan too)
        raise WorkbenchError(f"The weekly demand for {what} cannot be negative (it is {demand:g})")
    if demand >= capacity:
        raise WorkbenchError(
            f"New referrals for {what} ({demand:g} a week) are not fewer than its capacity "
            f"({capacity:g} a week): the list never clears"
        )
    return capacity - demand


def _next_n(rate: float, horizon_weeks: float, queue_size: int) -> int:
    # The tiny allowance stops 0.1 x 30 = 2.9999999 losing a patient.
    treated = rate * horizon_weeks + 1e-9
    return queue_size if treated >= queue_size else int(math.floor(treated))  # (a rate of 1e308 too)


# --------------------------------------------------------------------------- per-order figures
@dataclass
class OrderFigures:
    """Per-group figures of one order (arrays indexed like ``Grouping.labels``)."""

    next_n_count: np.ndarray
    mean_wait: np.ndarray
    median_wait: np.ndarray
    p90_wait: np.ndarray
    over: dict[int, np.ndarray]
    decile_mean_wait: np.ndarray


@dataclass
class EquityInputs:
    """Everything about a list, a grouping and the capacity that no order changes.

    Built by :func:`prepare_equity`. Orders passed to :meth:`summary` must not
    be changed in place afterwards (the last baseline's figures are reused
    while the same array object is passed again).
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
    decile_or_unknown: np.ndarray  # nation slot x 10 + decile - 1, or DECILE_UNKNOWN (decile or wait unknown)
    left_out: dict[str, int] = field(default_factory=dict)  # rows the wait figures leave out, by reason
    _cache: dict = field(default_factory=dict, repr=False)

    def summary(self, baseline_order: np.ndarray, scenario_order: np.ndarray) -> dict:
        """The equity summary of two orders (see :func:`equity_summary` for its keys)."""
        baseline = self._cached_figures(baseline_order)
        scenario = order_figures(self, scenario_order)
        return _summary_dict(self, baseline, scenario)

    def _cached_figures(self, order: np.ndarray) -> OrderFigures:
        if self._cache.get("order") is not order:
            self._cache.update(order=order, figures=order_figures(self, order))
        return self._cache["figures"]


def prepare_equity(
    wl: WaitingList,
    by: str = "imd_quintile",
    capacity_per_week: float | Mapping[str, float] = 1.0,
    horizon_weeks: float = 13,
    demand_per_week: float | Mapping[str, float] | None = None,
) -> EquityInputs:
    """Group the list and plan the service once, ready for many orders."""
    grouping = group_rows(wl, by)
    weeks = _weeks_waited(wl)
    known = waits.rtt_wait_counted(wl)
    groups = len(grouping.labels)
    group_or_unknown = np.where(known, grouping.codes, groups)
    rows_by_group = np.flatnonzero(known)[np.argsort(grouping.codes[known], kind="stable")]
    known_count = np.bincount(grouping.codes[known], minlength=groups)
    return EquityInputs(
        grouping=grouping,
        weeks_waited=weeks,
        service=plan_service(wl, capacity_per_week, horizon_weeks, demand_per_week),
        capacity_per_week=_plain(capacity_per_week),
        horizon_weeks=horizon_weeks,
        demand_per_week=_plain(demand_per_week),
        group_or_unknown=group_or_unknown,
        rows_by_group=rows_by_group,
        group_bounds=np.concatenate([[0], np.cumsum(known_count)]),
        count=np.bincount(grouping.codes, minlength=groups),
        known_count=known_count,
        decile_or_unknown=_decile_codes(wl, known),
        left_out=waits.left_out(wl),
    )


def equity_summary(
    wl: WaitingList,
    baseline_order: np.ndarray,
    scenario_order: np.ndarray,
    by: str = "imd_quintile",
    capacity_per_week: float | Mapping[str, float] = 1.0,
    horizon_weeks: float = 13,
    demand_per_week: float | Mapping[str, float] | None = None,
) -> dict:
    """Per-group figures of a baseline and a scenario order, side by side.

    Returns a dict with stable keys (the ``--json`` contract and the charts'
    input): ``by``, ``list_size``, ``wait_unknown`` (rows the wait figures
    leave out), ``left_out`` (the same by reason: clock stopped, clock start
    not usable, no clock start, non-RTT), ``rtt_waits_counted`` (the
    denominator of the wait figures), ``capacity_per_week``,
    ``demand_per_week``, ``horizon_weeks``, ``next_n``, ``groups`` (a list of
    ``{"group", "count", "share_of_list", "wait_unknown", "baseline",
    "scenario", "change_mean_wait_weeks", "change"}`` where baseline and
    scenario each hold ``share_of_next_n``, ``next_n_count``, ``mean_wait``,
    ``median_wait``, ``p90_wait``, ``within_18`` (a share), ``over_18``,
    ``over_52``, ``over_65``, ``over_78``, ``over_104``), ``overall`` (the
    whole list's ``within_18`` and ``over_...`` counts, ``{"baseline",
    "scenario"}``), and ``sii`` and ``rii``, each ``{"baseline", "scenario"}``, of
    the nation ``sii_nation`` (the one with most patients with a decile and a
    known wait), ``sii_left_out`` (such patients of other nations) and
    ``sii_by_nation`` (``{nation: {"patients", "sii", "rii"}}``).
    Waits are in weeks; a figure that cannot be worked out is None.

    >>> wl = WaitingList(np.arange(1, 5), {"weeks_waited": np.array([10., 0., 10., 0.]),
    ...                                    "sex": np.array(["F", "F", "M", "M"], dtype=object)})
    >>> s = equity_summary(wl, np.array([0, 1, 2, 3]), np.array([3, 2, 1, 0]), by="sex")
    >>> [(g["group"], g["baseline"]["mean_wait"], g["scenario"]["mean_wait"], g["change"]) for g in s["groups"]]
    [('F', 6.5, 8.5, '+2.0 weeks longer'), ('M', 8.5, 6.5, '-2.0 weeks shorter')]
    """
    inputs = prepare_equity(wl, by, capacity_per_week, horizon_weeks, demand_per_week)
    return inputs.summary(baseline_order, scenario_order)


def order_figures(inputs: EquityInputs, order: np.ndarray) -> OrderFigures:
    """Per-group figures of one order (the per-order half of the summary)."""
    order = np.asarray(order, dtype=np.int64)
    if len(order) != len(inputs.weeks_waited):
        raise ValueError(f"The order has {len(order)} rows but the list has {len(inputs.weeks_waited)}")
    queue_position = _queue_positions(inputs.service, order)
    projected, treated = _project(inputs, queue_position)
    groups = len(inputs.grouping.labels)
    mean = _group_means(inputs.group_or_unknown, projected, inputs.known_count, groups)
    median, p90 = _group_quantiles(projected[inputs.rows_by_group], inputs.group_bounds)
    return OrderFigures(
        next_n_count=np.bincount(inputs.grouping.codes[treated], minlength=groups),
        mean_wait=mean,
        median_wait=median,
        p90_wait=p90,
        over=_long_waits(inputs.group_or_unknown, projected, groups),
        decile_mean_wait=_decile_means(inputs.decile_or_unknown, projected),
    )


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


def _project(inputs: EquityInputs, queue_position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected wait at treatment of every row, and whether it is treated within the horizon."""
    service = inputs.service
    if service.queue_codes is None:
        rate, next_n = service.rate[0], service.next_n[0]
    else:
        rate, next_n = service.rate[service.queue_codes], service.next_n[service.queue_codes]
    return inputs.weeks_waited + (queue_position + 1) / rate, queue_position < next_n


def _group_means(group_or_unknown, projected, known_count, groups) -> np.ndarray:
    # Rows with an unknown wait sit in the extra last bin, so their NaN stays there.
    sums = np.bincount(group_or_unknown, weights=projected, minlength=groups + 1)[:groups]
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


def _decile_means(decile_or_unknown: np.ndarray, projected: np.ndarray) -> np.ndarray:
    """Mean projected wait per nation and decile (nation slot x 10 + decile - 1)."""
    counts = np.bincount(decile_or_unknown, minlength=DECILE_UNKNOWN + 1)[:DECILE_UNKNOWN]
    sums = np.bincount(decile_or_unknown, weights=projected, minlength=DECILE_UNKNOWN + 1)[:DECILE_UNKNOWN]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


# --------------------------------------------------------------------------- SII / RII
def inequality_indices(mean_waits, population) -> tuple[float | None, float | None]:
    """Slope and relative index of inequality of a figure across ordered groups.

    ``mean_waits`` and ``population`` are per group, most deprived first;
    groups with no population or no figure are left out. ``p_i`` is a
    group's share of the population, ``x_i`` the midpoint of its cumulative
    share; a least-squares line of the figure on ``x`` weighted by ``p_i``
    gives SII = fitted(0) - fitted(1) (positive: the most deprived wait
    longer) and RII = SII / the population's overall mean. (None, None) with
    fewer than 3 groups.

    >>> sii, rii = inequality_indices([10, 8, 6, 4, 2], [1, 1, 1, 1, 1])
    >>> round(sii, 9), round(rii, 9)
    (10.0, 1.666666667)
    """
    y = np.asarray(mean_waits, dtype=np.float64)
    weight = np.asarray(population, dtype=np.float64)
    use = (weight > 0) & ~np.isnan(y)
    if use.sum() < 3:
        return None, None
    y, p = y[use], weight[use] / weight[use].sum()
    x = np.cumsum(p) - p / 2
    x_mean, y_mean = float(p @ x), float(p @ y)
    slope = float(p @ ((x - x_mean) * (y - y_mean))) / float(p @ (x - x_mean) ** 2)
    sii = -slope
    return sii, (sii / y_mean if y_mean else None)


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


def _summary_dict(inputs: EquityInputs, baseline: OrderFigures, scenario: OrderFigures) -> dict:
    n = len(inputs.weeks_waited)
    next_n = int(inputs.service.next_n.sum())
    by_nation = _inequality_by_nation(inputs, baseline, scenario)
    main = max(by_nation, key=lambda nation: by_nation[nation]["patients"], default=None)
    with_decile = sum(figures["patients"] for figures in by_nation.values())
    counted = int(inputs.known_count.sum())
    return {
        "by": inputs.grouping.by,
        "list_size": n,
        "wait_unknown": n - counted,
        "left_out": dict(inputs.left_out),
        "rtt_waits_counted": counted,
        "capacity_per_week": inputs.capacity_per_week,
        "demand_per_week": inputs.demand_per_week,
        "horizon_weeks": inputs.horizon_weeks,
        "next_n": next_n,
        "groups": [_group_dict(inputs, g, baseline, scenario, n, next_n) for g in range(len(inputs.grouping.labels))],
        "overall": {"baseline": _overall(baseline, counted), "scenario": _overall(scenario, counted)},
        "sii": by_nation[main]["sii"] if main else {"baseline": None, "scenario": None},
        "rii": by_nation[main]["rii"] if main else {"baseline": None, "scenario": None},
        "sii_nation": main,
        "sii_left_out": with_decile - by_nation[main]["patients"] if main else 0,
        "sii_by_nation": by_nation,
    }


def _inequality_by_nation(inputs: EquityInputs, baseline: OrderFigures, scenario: OrderFigures) -> dict:
    """SII and RII fitted within each nation that has patients with a decile (deciles are not comparable
    across nations), with how many patients each has; England first."""
    counts = np.bincount(inputs.decile_or_unknown, minlength=DECILE_UNKNOWN + 1)[:DECILE_UNKNOWN].reshape(-1, 10)
    found = {}
    for slot, nation in enumerate(NATION_SLOTS):
        if counts[slot].sum():
            pairs = {name: inequality_indices(f.decile_mean_wait.reshape(-1, 10)[slot], counts[slot])
                     for name, f in (("baseline", baseline), ("scenario", scenario))}
            found[nation or deprivation.NATION_NOT_KNOWN] = {
                "patients": int(counts[slot].sum()),
                "sii": {name: pair[0] for name, pair in pairs.items()},
                "rii": {name: pair[1] for name, pair in pairs.items()},
            }
    return found


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
    base, scen = _order_dict(baseline, g, next_n, known), _order_dict(scenario, g, next_n, known)
    change = None if base["mean_wait"] is None else scen["mean_wait"] - base["mean_wait"]
    return {
        "group": inputs.grouping.labels[g],
        "count": count,
        "share_of_list": count / n if n else None,
        "wait_unknown": count - known,
        "baseline": base,
        "scenario": scen,
        "change_mean_wait_weeks": change,
        "change": describe_change(change),
    }


def _order_dict(figures: OrderFigures, g: int, next_n: int, known: int) -> dict:
    in_next = int(figures.next_n_count[g])
    over = {weeks: int(figures.over[weeks][g]) for weeks in LONG_WAIT_WEEKS}
    return {
        "share_of_next_n": in_next / next_n if next_n else None,
        "next_n_count": in_next,
        "mean_wait": _number(figures.mean_wait[g]),
        "median_wait": _number(figures.median_wait[g]),
        "p90_wait": _number(figures.p90_wait[g]),
        "within_18": _within_standard(over, known),
        **{f"over_{weeks}": count for weeks, count in over.items()},
    }


def _overall(figures: OrderFigures, counted: int) -> dict:
    """The whole list's long waits and share within 18 weeks (the counted RTT waits)."""
    over = {weeks: int(figures.over[weeks].sum()) for weeks in LONG_WAIT_WEEKS}
    return {"within_18": _within_standard(over, counted), **{f"over_{weeks}": n for weeks, n in over.items()}}


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
    parts = [f"within {RTT_STANDARD_WEEKS} weeks {_share_text(base['within_18'])} -> {_share_text(scen['within_18'])}"]
    parts += [f"over {key[5:]} weeks {_count_text(base[key])} -> {_count_text(scen[key])}"
              for key in base if key.startswith("over_")]
    counted = waits.describe_left_out(summary["rtt_waits_counted"], summary["list_size"], summary["left_out"])
    return f"Projected at treatment, baseline -> scenario: {'; '.join(parts)}. {counted}"


def _share_text(share) -> str:
    return "-" if share is None else share if isinstance(share, str) else f"{100 * share:.0f}%"


def _count_text(count) -> str:
    return count if isinstance(count, str) else f"{count:,}"


# --------------------------------------------------------------------------- helpers
def _weeks_waited(wl: WaitingList) -> np.ndarray:
    if "weeks_waited" not in wl.columns:
        raise WorkbenchError("The list has no weeks waited (no wait start date was imported)")
    return np.asarray(wl.columns["weeks_waited"], dtype=np.float64)


def _decile_codes(wl: WaitingList, wait_known: np.ndarray) -> np.ndarray:
    """IMD decile 1..10 of nation slot s as s x 10 + 0..9, or DECILE_UNKNOWN when the decile or the wait is unknown."""
    decile = wl.columns.get("imd_decile")
    if decile is None:
        return np.full(len(wl), DECILE_UNKNOWN, dtype=np.int64)
    usable = wait_known & np.isin(decile, np.arange(1, 11))
    return np.where(usable, nation_slots(wl) * 10 + np.nan_to_num(decile, nan=1).astype(np.int64) - 1, DECILE_UNKNOWN)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _plain(figure):
    if isinstance(figure, Mapping):
        return {str(k): float(v) for k, v in figure.items()}
    return None if figure is None else float(figure)
