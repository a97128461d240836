"""Queue formulas used by NHS waiting-list analysts, and per-specialty figures.

The formulas follow the NHS-R community waiting-list package (Fong et al.
2022), as written down in the project's domain notes. Demand and capacity are
patients per week; waits are weeks.

- queue load = demand / capacity
- target mean wait = target wait / factor (factor 4 by default: a list whose
  mean wait is a quarter of the target meets it most of the time)
- target queue size = demand x target mean wait (Little's law)
- relief capacity = demand + (queue size - target queue size) / time to target
- target capacity = demand + ((cv_demand^2 + cv_capacity^2) / 2) x factor / target wait
- waiting list pressure = 2 x mean wait / target wait (above 1: the list will
  not meet its target)
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from workbench.read.codes import specialty_name
from workbench.compare.equity import group_rows
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError

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
    cv: float | None = None,
    n: float | None = None,
) -> float:
    """Weekly capacity that brings the queue down to its target size in ``time_to_target`` weeks.

    When demand was estimated from ``n`` referrals with coefficient of
    variation ``cv``, demand is first raised by two standard errors (only when
    ``2 x demand x cv / sqrt(n) < 1``, as the published definition does).

    >>> round(relief_capacity(30, 1200, 390, 26), 6)
    61.153846
    """
    _require_positive(time_to_target, "time to target")
    if cv is not None and n:
        margin = 2 * demand * cv / math.sqrt(n)
        if margin < 1:
            demand = demand / (1 - margin)
    return demand + (queue_size - target_queue_size) / time_to_target


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
    target_queue_size, relief_capacity, target_capacity, waiting_list_pressure,
    backlog_52, weeks_to_clear_52. Figures that cannot be worked out are None
    (for instance everything that needs demand when none is given, and weeks
    to clear when demand is not below capacity).
    """
    specialties, queue_sizes, mean_waits, backlogs = _specialty_counts(wl)
    total = int(queue_sizes.sum())
    rows = []
    for index, specialty in enumerate(specialties):
        share = queue_sizes[index] / total if total else 0.0
        capacity = _figure_for(capacity_per_week, specialty, share)
        demand = _figure_for(demand_per_week, specialty, share)
        rows.append(
            _queue_row(specialty, int(queue_sizes[index]), mean_waits[index], int(backlogs[index]),
                       capacity, demand, target_wait, factor, time_to_target)
        )
    overall_wait = _mean_known(wl.columns.get("weeks_waited", np.full(len(wl), np.nan)))
    rows.append(
        _queue_row(ALL_SPECIALTIES, total, overall_wait, int(backlogs.sum()),
                   _total_of(capacity_per_week, rows, "capacity_per_week"),
                   _total_of(demand_per_week, rows, "demand_per_week"), target_wait, factor, time_to_target)
    )
    return rows


def _queue_row(specialty, queue_size, mean_wait, backlog, capacity, demand, target_wait, factor, time_to_target):
    target_size = None if demand is None else target_queue_size(demand, target_wait, factor)
    return {
        "specialty": specialty,
        "specialty_name": None if specialty == ALL_SPECIALTIES else specialty_name(specialty),
        "queue_size": queue_size,
        "mean_wait": _none_if_nan(mean_wait),
        "capacity_per_week": capacity,
        "demand_per_week": demand,
        "queue_load": queue_load(demand, capacity) if demand is not None and capacity else None,
        "target_mean_wait": target_mean_wait(target_wait, factor),
        "target_queue_size": target_size,
        "relief_capacity": None if demand is None else relief_capacity(demand, queue_size, target_size, time_to_target),
        "target_capacity": None if demand is None else target_capacity(demand, target_wait, factor),
        "waiting_list_pressure": None if math.isnan(mean_wait) else waiting_list_pressure(mean_wait, target_wait),
        "backlog_52": backlog,
        "weeks_to_clear_52": _weeks_to_clear_or_none(backlog, capacity, demand or 0),
    }


def _specialty_counts(wl: WaitingList):
    """Specialty labels ("Not known" last), queue sizes, mean waits and 52-week backlogs."""
    n = len(wl)
    if "specialty" not in wl.columns:
        wl = WaitingList(wl.row_id, {**wl.columns, "specialty": np.full(n, None, dtype=object)})
    specialties = group_rows(wl, "specialty")
    codes, groups = specialties.codes, len(specialties.labels)
    weeks = wl.columns.get("weeks_waited", np.full(n, np.nan))
    known = ~np.isnan(weeks)
    size = np.bincount(codes, minlength=groups).astype(np.int64)
    known_count = np.bincount(codes[known], minlength=groups)
    wait_sum = np.bincount(codes[known], weights=weeks[known], minlength=groups)
    mean_wait = np.where(known_count > 0, wait_sum / np.maximum(known_count, 1), np.nan)
    backlog = np.bincount(codes[known & (weeks > BACKLOG_WEEKS)], minlength=groups).astype(np.int64)
    return list(specialties.labels), size, mean_wait, backlog


def _figure_for(figure, specialty: str, share: float) -> float | None:
    if figure is None:
        return None
    if isinstance(figure, Mapping):
        value = figure.get(specialty)
        return None if value is None else float(value)
    return float(figure) * share


def _total_of(figure, rows: list[dict], key: str) -> float | None:
    if figure is None:
        return None
    if isinstance(figure, Mapping):
        values = [row[key] for row in rows]
        return None if any(v is None for v in values) else float(sum(values))
    return float(figure)


def _weeks_to_clear_or_none(backlog: int, capacity: float | None, demand: float) -> float | None:
    if capacity is None or (backlog > 0 and capacity <= demand):
        return None
    return weeks_to_clear(backlog, capacity, demand)


def _mean_known(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(known.mean()) if len(known) else math.nan


def _none_if_nan(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _require_positive(value: float, name: str) -> None:
    if not value > 0:
        raise WorkbenchError(f"The {name} must be more than 0 (it is {value:g})")
