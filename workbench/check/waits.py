"""Which waits count: the RTT clock rules, dates that cannot be trusted, and priority time limits.

A row's wait counts (``weeks_waited`` has a value) only when its clock start
can be trusted and its clock is still running at the census date. Otherwise
``wait_not_counted`` says why, in one of these words:

- ``clock stopped``: a clock stop (RTT period end) date on or before the
  census date: the pathway is not waiting, and being on the list at all is a
  validation item;
- ``clock start not usable``: a placeholder (01/01/1900, 01/01/1801...), an
  impossible date (before 1900, after 2100) or one after the census date;
- ``no clock start``: blank or unreadable.

Such rows stay on the list and on the worklist. Every wait figure (means,
percentiles, breaches, the inequality indices, projections) leaves them out
and says how many it left out; the ranking places them by the rule set's
missing-value policy, so a bad date never decides who goes first.

**Non-RTT list types** (INON, ONON...: ``rtt_pathway`` is 0) keep their waits
for the order but are left out of RTT measures: % within 18 weeks and the
counts past 18, 52, 65, 78 and 104 weeks count RTT pathways only.

**Priority time limits** (P1a 24 hours ... P3 91 days) run from when the
priority was set: the date of the last priority review, else the decision to
admit (listing) date, else the clock start. ``priority_date`` holds the date
used and ``priority_date_from`` which one it was; a date validation flags is
never used.
"""

from __future__ import annotations

import numpy as np

from workbench import formats
from workbench.read.dates import implausible_dates, is_placeholder
from workbench.fields import PRIORITY_TIME_LIMIT_DAYS, KnownCodes, WaitingList, empty_column

CLOCK_STOPPED, START_NOT_USABLE, NO_START = "clock stopped", "clock start not usable", "no clock start"
NOT_COUNTED_REASONS = (CLOCK_STOPPED, START_NOT_USABLE, NO_START)
NON_RTT = "non-RTT"  # left out of RTT measures, though its wait counts for the order
WAIT_UNKNOWN = "wait not known"  # a list made without these rules: no reason is known
REVIEW, LISTING, CLOCK_START = "last priority review", "decision to admit", "clock start"
PRIORITY_DATE_SOURCES = (REVIEW, LISTING, CLOCK_START)
FIX_IT = "time waited not counted; fix it in validation"


def counted_waits(
    wait_start: np.ndarray, clock_stop: np.ndarray, census: np.ndarray, known: KnownCodes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weeks waited (NaN where the wait does not count) and why not (None where it counts).

    >>> weeks, why = counted_waits(np.array(["2026-01-01", "1900-01-01", "2026-01-01", "NaT"], dtype="datetime64[D]"),
    ...                            np.array(["NaT", "NaT", "2026-01-20", "NaT"], dtype="datetime64[D]"),
    ...                            np.array(["2026-01-29"] * 4, dtype="datetime64[D]"))
    >>> weeks.tolist()[:2], why.tolist()
    ([4.0, nan], [None, 'clock start not usable', 'clock stopped', 'no clock start'])
    """
    reason = np.full(len(wait_start), -1, dtype=np.int8)
    reason[np.isnat(wait_start)] = NOT_COUNTED_REASONS.index(NO_START)
    reason[implausible_dates(wait_start) | (wait_start > census)] = NOT_COUNTED_REASONS.index(START_NOT_USABLE)
    reason[clock_stopped(clock_stop, census)] = NOT_COUNTED_REASONS.index(CLOCK_STOPPED)
    days = (census.astype("datetime64[D]") - wait_start.astype("datetime64[D]")).astype(np.float64)
    weeks = np.where((reason < 0) & ~np.isnat(census), days / 7.0, np.nan)
    reasons = np.array(NOT_COUNTED_REASONS + (None,), dtype=object)[reason]
    if known is not None:
        known.add(reasons, reason, np.array(NOT_COUNTED_REASONS, dtype=object))
    return weeks, reasons


def clock_stopped(clock_stop: np.ndarray, census: np.ndarray) -> np.ndarray:
    """Mask: a clock stop on or before the census date (a placeholder stop date is no stop)."""
    return (clock_stop <= census) & ~implausible_dates(clock_stop)


def priority_dates(
    columns: dict[str, np.ndarray], census: np.ndarray, known: KnownCodes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """When each row's priority time limit started, and which date that was.

    The last priority review, else the decision to admit, else the clock start;
    a date that is missing, flagged (placeholder, impossible) or after the
    census date is passed over.

    >>> day = lambda *d: np.array(d, dtype="datetime64[D]")
    >>> dates, used = priority_dates({"priority_review_date": day("2026-03-01", "1900-01-01", "NaT"),
    ...                               "decision_to_admit_date": day("2026-02-01", "2026-02-01", "NaT"),
    ...                               "wait_start": day("2026-01-01", "2026-01-01", "2026-01-01")}, day(*["2026-04-01"] * 3))
    >>> dates.astype(str).tolist(), used.tolist()
    (['2026-03-01', '2026-02-01', '2026-01-01'], ['last priority review', 'decision to admit', 'clock start'])
    """
    n = len(census)
    dates = empty_column("date", n)
    source = np.full(n, -1, dtype=np.int8)
    for position, name in reversed(list(enumerate(("priority_review_date", "decision_to_admit_date", "wait_start")))):
        candidate = columns[name] if name in columns else empty_column("date", n)
        usable = ~np.isnat(candidate) & ~implausible_dates(candidate) & (candidate <= census)
        dates = np.where(usable, candidate, dates)
        source[usable] = position
    used = np.array(PRIORITY_DATE_SOURCES + (None,), dtype=object)[source]
    if known is not None:
        known.add(used, source, np.array(PRIORITY_DATE_SOURCES, dtype=object))
    return dates.astype("datetime64[D]"), used


def days_since_priority(wl: WaitingList, census: np.ndarray) -> np.ndarray:
    """Days from each row's priority date to its census date; NaN when unknown or the clock has stopped."""
    dates = wl.columns.get("priority_date")
    if dates is None:
        dates = priority_dates(wl.columns, census)[0]
    days = (census.astype("datetime64[D]") - dates.astype("datetime64[D]")).astype(np.float64)
    days[np.isnat(dates) | np.isnat(census) | stopped_rows(wl, census)] = np.nan
    return days


def stopped_rows(wl: WaitingList, census: np.ndarray) -> np.ndarray:
    """Mask of the rows whose clock stopped on or before their census date."""
    reasons = wl.columns.get("wait_not_counted")
    if reasons is not None:
        return reasons == CLOCK_STOPPED
    stop = wl.columns.get("clock_stop_date")
    return np.zeros(len(wl), dtype=bool) if stop is None else clock_stopped(stop, census)


def overdue(priority: np.ndarray, days: np.ndarray, known: KnownCodes | None = None) -> np.ndarray:
    """Mask: waited longer since the priority was set than the priority's time limit allows.

    >>> overdue(np.array(["P2", "P2", "P4", None], dtype=object), np.array([28.0, 29.0, 900.0, 900.0])).tolist()
    [False, True, False, False]
    """
    return days > (known or KnownCodes()).per_distinct(priority, time_limits, np.inf)


def time_limits(priorities: np.ndarray) -> np.ndarray:
    """The time limit in days of each priority code; infinite where there is none."""
    limits = {code: np.inf if limit is None else float(limit) for code, limit in PRIORITY_TIME_LIMIT_DAYS.items()}
    return np.array([limits.get(p, np.inf) for p in priorities], dtype=np.float64)


# -- which rows the RTT figures count ---------------------------------------------------------


def rtt_wait_counted(wl: WaitingList) -> np.ndarray:
    """Mask of the rows RTT wait figures count: the wait counts and the pathway is RTT."""
    counted = ~np.isnan(np.asarray(wl.columns["weeks_waited"], dtype=np.float64))
    rtt = wl.columns.get("rtt_pathway")
    return counted if rtt is None else counted & (rtt != 0)


def left_out(wl: WaitingList, rows: np.ndarray | None = None) -> dict[str, int]:
    """How many rows RTT wait figures leave out, and why: each row once, in the order of
    ``NOT_COUNTED_REASONS`` and then non-RTT; reasons with no rows are left out.

    >>> wl = WaitingList(np.arange(1, 5), {"weeks_waited": np.array([1.0, np.nan, 3.0, np.nan]),
    ...     "wait_not_counted": np.array([None, "clock stopped", None, "no clock start"], dtype=object),
    ...     "rtt_pathway": np.array([1.0, 1.0, 0.0, 0.0])})
    >>> left_out(wl)
    {'clock stopped': 1, 'no clock start': 1, 'non-RTT': 1}
    """
    rows = np.arange(len(wl)) if rows is None else rows
    reasons = wl.columns.get("wait_not_counted")
    weeks = np.asarray(wl.columns["weeks_waited"], dtype=np.float64)[rows]
    if reasons is None:  # a list made without the RTT rules: only that the wait is unknown
        found = {WAIT_UNKNOWN: int(np.isnan(weeks).sum())}
    else:
        found = _count_each(wl.known_codes.factorize(reasons), rows)
    rtt = wl.columns.get("rtt_pathway")
    found[NON_RTT] = 0 if rtt is None else int(np.count_nonzero((rtt[rows] == 0) & ~np.isnan(weeks)))
    return {reason: count for reason, count in found.items() if count}


def _count_each(coded: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> dict[str, int]:
    """How many of ``rows`` hold each reason, from the reasons' codes (no text compared per row)."""
    codes, distinct = coded
    counts = np.bincount(codes[rows] + 1, minlength=len(distinct) + 1)[1:]
    found = dict.fromkeys(NOT_COUNTED_REASONS, 0)
    for reason, count in zip(distinct, counts):
        found[reason] = found.get(reason, 0) + int(count)
    return found


def describe_left_out(counted: int, total: int, left: dict[str, int]) -> str:
    """The denominator of the RTT wait figures in words.

    >>> describe_left_out(4812, 5000, {"clock stopped": 3, "non-RTT": 185})
    'RTT waits counted: 4,812 of 5,000 patients (left out: 3 clock stopped, 185 non-RTT)'
    >>> describe_left_out(10, 10, {}), describe_left_out(4810, 5000, {"clock stopped": "*"})
    ('RTT waits counted: 10 of 10 patients', 'RTT waits counted: 4,810 of 5,000 patients (left out: * clock stopped)')
    """
    text = f"RTT waits counted: {_count(counted)} of {_count(total)} patient{'' if total == 1 else 's'}"
    if left:
        text += " (left out: " + ", ".join(f"{_count(count)} {reason}" for reason, count in left.items()) + ")"
    return text


def _count(count) -> str:
    """A count with thousands separators; a published ``*`` as it is."""
    return count if isinstance(count, str) else f"{count:,}"


def share_within_standard(counted: int, over_standard: int) -> float | None:
    """The share of counted waits within 18 weeks: those not over it, as the long-wait counts
    count "over 18"; None without any.

    >>> share_within_standard(200, 50), share_within_standard(0, 0)
    (0.75, None)
    """
    return (counted - over_standard) / counted if counted else None


# -- in words, for an explanation ----------------------------------------------------------------


def not_counted_words(wl: WaitingList, position: int) -> str | None:
    """Why a row's time waited is not counted, in words; None when it counts.

    e.g. "clock start 01/01/1801 is a placeholder: time waited not counted; fix it in validation".
    """
    reasons = wl.columns.get("wait_not_counted")
    reason = None if reasons is None else reasons[position]
    if reason is None:
        return None
    if reason == CLOCK_STOPPED:
        stop = formats.uk_date(wl.columns["clock_stop_date"][position])
        return f"clock stopped {stop} but still on the list: not waiting, so {FIX_IT}"
    if reason == NO_START:
        return f"no readable clock start: {FIX_IT}"
    return f"{_start_problem(wl.columns['wait_start'][position], wl.census_date)}: {FIX_IT}"


def _start_problem(start: np.datetime64, census) -> str:
    shown = formats.uk_date(start)
    if is_placeholder(start):
        return f"clock start {shown} is a placeholder"
    if implausible_dates(np.array([start]))[0]:
        return f"clock start {shown} is not a possible date"
    after = f" {formats.uk_date(np.datetime64(census, 'D'))}" if census else ""
    return f"clock start {shown} is after the census date{after}"
