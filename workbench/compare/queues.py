"""The queue table: each specialty's queue figures and all specialties', disclosure-controlled.

Its counts are controlled like every other group-level figure
(:mod:`workbench.compare.suppression`): 1 to 7 as ``*``, others and the "All
specialties" row to the nearest 5, and every figure worked out from the counts
as shown (:func:`workbench.compare.capacity.specialty_queue_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.compare.capacity import specialty_queue_figures
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress


# Each column: key, title, and what it means in plain words (the header's tooltip).
COLUMNS = (
    ("specialty", "Specialty", "The treatment function code; 'All specialties' is the whole list."),
    ("specialty_name", "Specialty name", "The specialty's name as the file gives it, else the treatment function's "
     "title in the NHS Data Dictionary."),
    ("queue_size", "Patients waiting", "Patients on the list, rounded to the nearest 5 (1 to 7 show as *)."),
    ("mean_wait", "Mean wait (weeks)", "Average weeks waited so far, over the waits that count."),
    ("capacity_per_week", "Capacity a week", "Patients treated a week: the capacity above, shared out by queue size."),
    ("demand_per_week", "Referrals a week", "New referrals a week: the figure above, shared out by queue size."),
    ("queue_load", "Queue load", "Referrals divided by capacity. At 1 or more the queue cannot come down."),
    ("target_queue_size", "Target queue size",
     "The queue size at which the target wait is met most of the time: referrals a week x target wait / 4."),
    ("relief_capacity", "Relief capacity a week",
     "Capacity a week that brings the queue to its target size in 26 weeks. 'None needed': it is already there."),
    ("waiting_list_pressure", "Pressure", "Twice the mean wait over the target wait. Above 1 the target is missed."),
    ("backlog_52", "Waiting over 52 weeks", "Patients who have waited more than 52 weeks, rounded like every count."),
    ("weeks_to_clear_52", "Weeks to clear the 52-week backlog",
     "The backlog over 52 weeks divided by capacity left after new referrals."),
)
NAME_KEYS = ("specialty", "specialty_name")  # what a row is about: shown even for a handful of patients


@dataclass(frozen=True)
class CapacitySettings:
    """What the projections assume. New referrals a week come in the list's own mix of priorities
    (``demand_per_week``) or per priority (``demand_by_priority``: (code, a week) pairs, as a manager
    expects more urgent referrals than the list's mix shows); neither: they are left out."""

    capacity_per_week: float
    horizon_weeks: float = 13.0
    demand_per_week: float | None = None
    target_wait_weeks: float = 18.0
    demand_by_priority: tuple[tuple[str, float], ...] = ()

    @property
    def referrals_per_week(self) -> float | None:
        """Every new referral a week, however given (None: left out).

        >>> CapacitySettings(100, demand_by_priority=(("P2", 5.0), ("P4", 20.0))).referrals_per_week
        25.0
        """
        if self.demand_by_priority:
            return sum(rate for _code, rate in self.demand_by_priority)
        return self.demand_per_week


def default_capacity(rows: int) -> float:
    """A starting capacity: enough to treat the whole list in a year (a placeholder to change).

    >>> default_capacity(5200), default_capacity(3)
    (100.0, 1.0)
    """
    return float(max(1, round(rows / 52)))


def queue_table(
    wl: WaitingList,
    settings: CapacitySettings,
    small_numbers_shown: bool = False,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> list[dict]:
    """Queue figures per specialty and for all specialties, disclosure-controlled unless
    ``small_numbers_shown`` (see :func:`workbench.compare.capacity.specialty_queue_figures`)."""
    check(cancelled)
    rows = specialty_queue_figures(wl, settings.capacity_per_week, settings.referrals_per_week,
                                   target_wait=settings.target_wait_weeks, small_numbers_shown=small_numbers_shown)
    progress(1.0, "Queue figures ready")
    return rows
