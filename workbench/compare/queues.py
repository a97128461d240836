"""The queue table: each specialty's queue figures, with small counts (and what gives them away) hidden.

Counts from 1 to 7 are suppressed like every other group-level figure, and so
is anything that would give a hidden count back (a specialty's weeks to clear
its 52-week backlog is that backlog divided by a capacity the user typed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.compare.capacity import specialty_queue_figures
from workbench.compare.suppression import DEFAULT_THRESHOLD, SUPPRESSED, suppression_mask
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress


COLUMNS = (
    ("specialty", "Specialty"),
    ("specialty_name", "Specialty name"),
    ("queue_size", "Patients waiting"),
    ("mean_wait", "Mean wait (weeks)"),
    ("capacity_per_week", "Capacity a week"),
    ("demand_per_week", "Referrals a week"),
    ("target_queue_size", "Target queue size"),
    ("relief_capacity", "Relief capacity a week"),
    ("waiting_list_pressure", "Pressure"),
    ("backlog_52", "Waiting over 52 weeks"),
    ("weeks_to_clear_52", "Weeks to clear the 52-week backlog"),
)
NAME_KEYS = ("specialty", "specialty_name")  # what a row is about: shown even for a handful of patients
SIZE_REVEALING = ("queue_size", "capacity_per_week", "demand_per_week", "target_queue_size", "relief_capacity")


@dataclass(frozen=True)
class CapacitySettings:
    """What the projections assume. ``demand_per_week`` None: new referrals are left out."""

    capacity_per_week: float
    horizon_weeks: float = 13.0
    demand_per_week: float | None = None
    target_wait_weeks: float = 18.0


def default_capacity(rows: int) -> float:
    """A starting capacity: enough to treat the whole list in a year (a placeholder to change).

    >>> default_capacity(5200), default_capacity(3)
    (100.0, 1.0)
    """
    return float(max(1, round(rows / 52)))


def queue_table(
    wl: WaitingList,
    settings: CapacitySettings,
    threshold: int = DEFAULT_THRESHOLD,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> list[dict]:
    """Queue figures per specialty and overall, with small counts (and what reveals them) as "*"."""
    check(cancelled)
    rows = specialty_queue_figures(wl, settings.capacity_per_week, settings.demand_per_week,
                                   target_wait=settings.target_wait_weeks)
    specialties, overall = rows[:-1], rows[-1]
    sizes = np.array([r["queue_size"] for r in specialties], dtype=np.int64)
    small = (sizes >= 1) & (sizes <= threshold)
    size_hidden = suppression_mask(sizes, threshold)
    backlog_hidden = suppression_mask(np.array([r["backlog_52"] for r in specialties], dtype=np.int64), threshold)
    for row, few, hide_size, hide_backlog in zip(specialties, small, size_hidden, backlog_hidden):
        if few:
            # A handful of patients: every figure about them describes those few people.
            row.update({key: SUPPRESSED for key, _ in COLUMNS if key not in NAME_KEYS})
            continue
        if hide_size:
            # A capacity or demand shared out by queue size gives the size back.
            row.update({key: SUPPRESSED for key in SIZE_REVEALING})
        if hide_backlog:
            row["backlog_52"] = row["weeks_to_clear_52"] = SUPPRESSED
    progress(1.0, "Queue figures ready")
    return specialties + [overall]
