"""The queue table: each specialty's queue figures and all specialties', disclosure-controlled.

Its counts are controlled like every other group-level figure
(:mod:`workbench.compare.suppression`): 1 to 7 as ``*``, others and the "All
specialties" row to the nearest 5, and every figure worked out from the counts
as shown (:func:`workbench.compare.capacity.specialty_queue_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench import formats
from workbench.compare.capacity import specialty_queue_figures
from workbench.compare.suppression import SUPPRESSED
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
COUNT_KEYS = ("queue_size", "backlog_52")
RATIO_KEYS = ("waiting_list_pressure", "queue_load")  # shown to 2 places, as the load warning says them
NONE_NEEDED = "none needed"


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


def figure_text(key: str, value, row: dict | None = None) -> str:
    """A figure of the queue table as the app and ``workbench queues`` show it (``row`` gives the words
    behind a missing relief capacity).

    >>> figure_text("queue_size", 1234), figure_text("waiting_list_pressure", 2.42307), figure_text("relief_capacity", None)
    ('1,234', '2.42', '—')
    >>> figure_text("relief_capacity", None, {"relief_words": "no extra capacity needed"}), figure_text("backlog_52", "*")
    ('none needed', '*')
    """
    if key == "relief_capacity" and value is None and row and row.get("relief_words"):
        return NONE_NEEDED
    if value == SUPPRESSED or isinstance(value, str):
        return str(value)
    if key in COUNT_KEYS:
        return formats.count(value, "—")
    return formats.decimal(value, 2 if key in RATIO_KEYS else 1, "—")


def projections_text(settings: CapacitySettings) -> str:
    """What the equity projections use, in words (the Capacity tab's inputs feed the Equity impact tab).

    >>> projections_text(CapacitySettings(96.0, 13.0, 40.0))
    'The equity projections (Equity impact tab) now include 40 new referrals a week, each taking its place by the rule set, with 96 patients treated a week over 13 weeks.'
    >>> projections_text(CapacitySettings(96.0, 13.0, demand_by_priority=(("P2", 5.0), ("P4", 20.0))))[:109]
    'The equity projections (Equity impact tab) now include 25 new referrals a week (P2 5, P4 20), each taking its'
    >>> projections_text(CapacitySettings(96.0, 13.0))
    'The equity projections (Equity impact tab) now assume no new referrals, with 96 patients treated a week over 13 weeks.'
    """
    treated = f"{_rate(settings.capacity_per_week)} patients treated a week over {settings.horizon_weeks:g} weeks"
    demand = settings.referrals_per_week
    by_priority = ", ".join(f"{code} {_rate(rate)}" for code, rate in settings.demand_by_priority)
    if demand:
        mix = f" ({by_priority})" if by_priority else ""
        return (f"The equity projections (Equity impact tab) now include {_rate(demand)} new referrals a week{mix}, "
                f"each taking its place by the rule set, with {treated}.")
    return f"The equity projections (Equity impact tab) now assume no new referrals, with {treated}."


def _rate(value: float) -> str:
    return formats.decimal(value, 1).removesuffix(".0")


def load_warnings(rows: list[dict], named: int = 3) -> str:
    """The queues whose load is 1 or more, in one short paragraph (the table marks each one).

    >>> rows = [{"specialty": s, "specialty_name": None, "queue_load": 1.25,
    ...          "load_warning": "Queue load 1.25: referrals are at or above capacity"} for s in ("110", "120")]
    >>> load_warnings(rows + [{**rows[0], "specialty": "All specialties"}])
    'Every specialty and all together: queue load 1.25: referrals are at or above capacity.'
    >>> load_warnings([{**rows[0], "load_warning": None, "queue_load": 0.5}, rows[1]])
    '120: queue load 1.25: referrals are at or above capacity.'
    """
    warned = [row for row in rows if row.get("load_warning")]
    if not warned:
        return ""
    shown = [row for row in rows if isinstance(row.get("queue_load"), float)]  # not hidden, not missing
    if len(warned) == len(shown) > 1 and len({round(row["queue_load"], 6) for row in warned}) == 1:
        return f"Every specialty and all together: {_lower_first(warned[-1]['load_warning'])}."
    lines = [f"{_queue_name(row)}: {_lower_first(row['load_warning'])}." for row in warned[:named]]
    more = len(warned) - named
    return " ".join(lines) + (f" And {more} more marked ⚠ in the table." if more > 0 else "")


def _queue_name(row: dict) -> str:
    return " ".join(part for part in (row["specialty"], row.get("specialty_name")) if part)


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]
