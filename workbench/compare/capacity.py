"""Queue formulas used by NHS waiting-list analysts, and per-specialty figures.

The formulas follow the NHS-R community waiting-list package (Fong et al.
2022), as written down in the project's domain notes. Demand and capacity are
patients per week; waits are weeks.

- queue load = demand / capacity
- target mean wait = target wait / factor (factor 4 by default: a list whose
  mean wait is a quarter of the target meets it most of the time)
- target queue size = demand x target mean wait (Little's law)
- relief capacity = demand + (queue size - target queue size) / time to target;
  below demand it asks for nothing: "no extra capacity needed"
- target capacity = demand + ((cv_demand^2 + cv_capacity^2) / 2) x factor / target wait
- waiting list pressure = 2 x mean wait / target wait (above 1: the list will
  not meet its target)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from workbench.read.codes import specialty_name
from workbench.compare.equity import group_rows
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError
from workbench.compare.suppression import SUPPRESSED, is_small, published_count, published_counts

ALL_SPECIALTIES = "All specialties"
BACKLOG_WEEKS = 52


def queue_load(demand: float, capacity: float) -> float:
    """Demand over capacity: above 1 the queue grows.

    >>> round(queue_load(30, 27), 7)
    1.1111111
    """
    _require_positive(capacity, "capacity")
    return demand / capacity


def target_mean_wait(target_wait: float, factor: float = 4) -> float:
    """The mean wait a queue needs so that most patients meet ``target_wait``.

    >>> target_mean_wait(52, 4)
    13.0
    """
    _require_positive(factor, "factor")
    return target_wait / factor


def target_queue_size(demand: float, target_wait: float, factor: float = 4) -> float:
    """The queue size in equilibrium at the target mean wait (Little's law).

    >>> target_queue_size(30, 52)
    390.0
    """
    return demand * target_mean_wait(target_wait, factor)


def relief_capacity(
    demand: float,
    queue_size: float,
    target_queue_size: float,
    time_to_target: float = 26,
    *,
    referrals: float | None = None,
    cv_demand: float = 0.0,
    unit: str | None = "week",
) -> float:
    """Weekly capacity that brings the queue down to its target size in ``time_to_target`` weeks.

    When demand was estimated from ``referrals`` referrals with coefficient of
    variation ``cv_demand``, demand is first raised by two standard errors (only
    when ``2 x demand x cv / sqrt(referrals) < 1``, as the published definition
    does). That allowance changes with the unit demand is counted in, so it is
    always worked out on demand a week: ``unit`` says what ``demand`` is per
    ("day", "week", "month", "year"; the result is per week), and with an
    allowance asked for and no unit the figure is refused. NHS-R's default
    ``cv_demand`` of 0 makes no allowance.

    >>> round(relief_capacity(30, 1200, 390, 26), 6)
    61.153846
    >>> round(relief_capacity(30 / 7, 1200, 390, 26, unit="day"), 6)
    61.153846
    """
    _require_positive(time_to_target, "time to target")
    if referrals and cv_demand:
        if unit is None:
            raise WorkbenchError("Say what demand is counted per (day, week, month or year): the allowance for "
                                 "demand estimated from a number of referrals depends on it")
        demand = referral_adjusted_demand(per_week(demand, unit), referrals, cv_demand)
    elif unit is not None:
        demand = per_week(demand, unit)
    return demand + (queue_size - target_queue_size) / time_to_target


def referral_adjusted_demand(demand_per_week: float, referrals: float, cv_demand: float) -> float:
    """Weekly demand raised by two standard errors when it was estimated from ``referrals`` referrals.

    >>> referral_adjusted_demand(30, 3600, 0.5), referral_adjusted_demand(30, 100, 1)
    (60.0, 30)
    """
    margin = 2 * demand_per_week * cv_demand / math.sqrt(referrals)
    return demand_per_week / (1 - margin) if margin < 1 else demand_per_week


PER_WEEK = {"day": 7.0, "week": 1.0, "month": 12 / 52, "year": 1 / 52}  # how many of each unit a week holds


def per_week(rate: float, unit: str) -> float:
    """A rate given per day, week, month or year, as a rate per week; WorkbenchError for another unit.

    >>> per_week(2, "day"), round(per_week(130, "month"), 9)
    (14.0, 30.0)
    """
    if unit not in PER_WEEK:
        raise WorkbenchError(f"'{unit}' is not a unit of time the queue formulas know: use day, week, month or year")
    return rate * PER_WEEK[unit]


def extra_capacity_needed(demand: float, relief: float) -> bool:
    """Whether a relief capacity asks for more than demand (below it, the queue is already within target).

    >>> extra_capacity_needed(30, 61.2), extra_capacity_needed(30, 12.0)
    (True, False)
    """
    return relief > demand


def load_warning(load: float | None) -> str | None:
    """Words for a queue load of 1 or more (referrals at or above capacity), else None.

    >>> load_warning(1.11)
    'Queue load 1.11: referrals are at or above capacity, so the queue will not come down'
    """
    if load is None or load < 1:
        return None
    return f"Queue load {load:.2f}: referrals are at or above capacity, so the queue will not come down"


NO_EXTRA_CAPACITY = "no extra capacity needed"


def target_capacity(
    demand: float, target_wait: float, factor: float = 4, cv_demand: float = 1, cv_capacity: float = 1
) -> float:
    """Weekly capacity that keeps a variable queue at its target mean wait.

    >>> round(target_capacity(30, 52, 3, 1.1, 1.2), 6)
    30.076442
    """
    _require_positive(target_wait, "target wait")
    return demand + ((cv_demand**2 + cv_capacity**2) / 2) * (factor / target_wait)


def waiting_list_pressure(mean_wait: float, target_wait: float) -> float:
    """Twice the mean wait over the target wait; above 1 the target will be missed.

    >>> round(waiting_list_pressure(63, 52), 7)
    2.4230769
    """
    _require_positive(target_wait, "target wait")
    return 2 * mean_wait / target_wait


def weeks_to_clear(backlog: float, capacity: float, demand: float = 0) -> float:
    """Weeks to treat a backlog (e.g. everyone past 52 weeks) at a weekly capacity.

    ``demand`` is the part of the capacity taken every week by other patients
    (for instance patients newly crossing the threshold), so the backlog goes
    down by ``capacity - demand`` a week. Raises WorkbenchError if that is not
    positive: the backlog would never clear.

    >>> weeks_to_clear(120, 10)
    12.0
    >>> weeks_to_clear(120, 10, demand=4)
    20.0
    """
    if backlog <= 0:
        return 0.0
    if capacity - demand <= 0:
        raise WorkbenchError(
            f"Capacity {capacity:g} a week does not exceed demand {demand:g} a week: the backlog never clears"
        )
    return float(backlog / (capacity - demand))


def specialty_queue_figures(
    wl: WaitingList,
    capacity_per_week: float | Mapping[str, float],
    demand_per_week: float | Mapping[str, float] | None = None,
    target_wait: float = 18,
    factor: float = 4,
    time_to_target: float = 26,
    small_numbers_shown: bool = False,
) -> list[dict]:
    """Queue figures per specialty of a list, then one row for all specialties.

    A single capacity (or demand) figure is for the whole list: each specialty
    gets a share in proportion to its queue size, as a single queue treating
    the list in order would give it on average. A mapping gives each specialty
    (by its code as in the list, "Not known" for a missing one) its own
    figure; a specialty missing from the mapping gets None for every figure
    that needs it. Rows have the keys: specialty, specialty_name (the treatment
    function's title, None if not a current code), queue_size, mean_wait,
    capacity_per_week, demand_per_week, queue_load, target_mean_wait,
    target_queue_size, relief_capacity (None when no extra capacity is needed:
    see ``relief_words``), relief_words, target_capacity, waiting_list_pressure,
    backlog_52, weeks_to_clear_52, load_warning. Figures that cannot be worked
    out are None (for instance everything that needs demand when none is
    given, and weeks to clear when demand is not below capacity).

    Unless ``small_numbers_shown`` (the one explicit choice), the counts (queue
    sizes, backlogs, and the totals from the unrounded counts) are disclosure-controlled
    (``workbench.compare.suppression``) and every figure is worked out from the counts
    as shown, so none gives an unrounded count back: a capacity shared out by
    exact queue sizes, or a relief capacity from one, would.
    """
    counts = _specialty_counts(wl)
    shown = counts if small_numbers_shown else counts.controlled()
    rows = []
    for index, specialty in enumerate(shown.labels):
        share = _divide(shown.sizes[index], shown.total)
        rows.append(_queue_row(
            specialty, shown.sizes[index], shown.mean_waits[index], shown.backlogs[index],
            _figure_for(capacity_per_week, specialty, share), _figure_for(demand_per_week, specialty, share),
            target_wait, factor, time_to_target))
    rows.append(_queue_row(
        ALL_SPECIALTIES, shown.total, shown.overall_wait, shown.total_backlog,
        _total_of(capacity_per_week, rows, "capacity_per_week"), _total_of(demand_per_week, rows, "demand_per_week"),
        target_wait, factor, time_to_target))
    return rows


def _queue_row(specialty, queue_size, mean_wait, backlog, capacity, demand, target_wait, factor, time_to_target):
    """One row of queue figures; a figure worked out from a hidden ("*") input is hidden too."""
    target_size = _maybe(target_queue_size, demand, target_wait, factor)
    relief = _maybe(relief_capacity, demand, queue_size, target_size, time_to_target)
    needed = relief if relief in (None, SUPPRESSED) or extra_capacity_needed(demand, relief) else None
    load = _maybe(queue_load, demand, capacity) if capacity else None
    return {
        "specialty": specialty,
        "specialty_name": None if specialty == ALL_SPECIALTIES else specialty_name(specialty),
        "queue_size": queue_size,
        "mean_wait": mean_wait,
        "capacity_per_week": capacity,
        "demand_per_week": demand,
        "queue_load": load,
        "target_mean_wait": target_mean_wait(target_wait, factor),
        "target_queue_size": target_size,
        "relief_capacity": needed,
        "relief_words": NO_EXTRA_CAPACITY if relief not in (None, SUPPRESSED) and needed is None else None,
        "target_capacity": _maybe(target_capacity, demand, target_wait, factor),
        "waiting_list_pressure": _maybe(waiting_list_pressure, mean_wait, target_wait),
        "backlog_52": backlog,
        "weeks_to_clear_52": _weeks_to_clear_or_none(backlog, capacity, demand or 0),
        "load_warning": load_warning(load) if load != SUPPRESSED else None,
    }


@dataclass(frozen=True)
class _SpecialtyCounts:
    """The counts behind the queue figures: per specialty ("Not known" last) and for the whole list.
    A mean wait is None for a specialty with no counted wait."""

    labels: list[str]
    sizes: list
    known: list[int]  # counted waits, behind each mean wait
    mean_waits: list
    backlogs: list
    total: int | str
    total_backlog: int | str
    overall_known: int
    overall_wait: float | str | None

    def controlled(self) -> "_SpecialtyCounts":
        """The same counts as they may be published (totals from the unrounded counts, then rounded),
        and a mean wait of 1 to 7 patients hidden."""
        return replace(
            self, sizes=list(published_counts(self.sizes)), backlogs=list(published_counts(self.backlogs)),
            mean_waits=[SUPPRESSED if is_small(k) else w for k, w in zip(self.known, self.mean_waits)],
            total=published_count(self.total), total_backlog=published_count(self.total_backlog),
            overall_wait=SUPPRESSED if is_small(self.overall_known) else self.overall_wait)


def _specialty_counts(wl: WaitingList) -> _SpecialtyCounts:
    """Specialty labels ("Not known" last), queue sizes, counted waits, mean waits and 52-week backlogs."""
    n = len(wl)
    if "specialty" not in wl.columns:
        wl = WaitingList(wl.row_id, {**wl.columns, "specialty": np.full(n, None, dtype=object)})
    specialties = group_rows(wl, "specialty")
    codes, groups = specialties.codes, len(specialties.labels)
    weeks = wl.columns.get("weeks_waited", np.full(n, np.nan))
    known = ~np.isnan(weeks)
    sizes = np.bincount(codes, minlength=groups).tolist()
    known_count = np.bincount(codes[known], minlength=groups).tolist()
    wait_sum = np.bincount(codes[known], weights=weeks[known], minlength=groups)
    backlogs = np.bincount(codes[known & (weeks > BACKLOG_WEEKS)], minlength=groups).tolist()
    return _SpecialtyCounts(
        list(specialties.labels), sizes, known_count, [float(s / k) if k else None for s, k in zip(wait_sum, known_count)],
        backlogs, sum(sizes), sum(backlogs), int(known.sum()), float(weeks[known].mean()) if known.any() else None)


def _maybe(formula, *figures):
    """A formula of figures: None if one is missing, "*" if one is hidden."""
    if any(figure is None for figure in figures):
        return None
    if any(figure == SUPPRESSED for figure in figures):
        return SUPPRESSED
    return formula(*figures)


def _divide(part, whole):
    return _maybe(lambda p, w: p / w if w else 0.0, part, whole)


def _figure_for(figure, specialty: str, share):
    if figure is None:
        return None
    if isinstance(figure, Mapping):
        value = figure.get(specialty)
        return None if value is None else float(value)
    return _maybe(lambda s: float(figure) * s, share)


def _total_of(figure, rows: list[dict], key: str) -> float | None:
    if figure is None:
        return None
    if isinstance(figure, Mapping):
        values = [row[key] for row in rows]
        return None if any(v is None for v in values) else float(sum(values))
    return float(figure)


def _weeks_to_clear_or_none(backlog, capacity, demand):
    if capacity is None or SUPPRESSED in (capacity, demand):
        return None if capacity is None else SUPPRESSED
    if backlog != SUPPRESSED and backlog > 0 and capacity <= demand:
        return None
    return _maybe(lambda b: weeks_to_clear(b, capacity, demand), backlog)


def _require_positive(value: float, name: str) -> None:
    if not value > 0:
        raise WorkbenchError(f"The {name} must be more than 0 (it is {value:g})")
