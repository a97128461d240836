"""The figures in the summary strip, worked out over the rows the list shows.

Wait figures (median, % within 18 weeks, counts past 18 to 104 weeks, the
histogram) count RTT pathways whose wait counts (``workbench.check.waits``); the
rows they leave out are counted by reason, so the strip can state its
denominator. Qt-free so it can run on the worker thread next to the filter
that chose the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.check import waits
from workbench.check.enrich import row_census_dates
from workbench.fields import LONG_WAIT_WEEKS, PRIORITY_CODES, RTT_STANDARD_WEEKS, WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.view.filters import ListIndex, ListQuery

HISTOGRAM_WEEK_STEP = 4  # one bar per four weeks waited
HISTOGRAM_TAIL_WEEKS = LONG_WAIT_WEEKS[-1]  # waits of 104 weeks or more: one bar of their own, "104+"
UNKNOWN_PRIORITY = "No priority"


@dataclass(frozen=True)
class ListSummary:
    """Counts for a set of rows. ``histogram_edges`` has one more entry than ``histogram_counts``;
    ``histogram_tail`` counts the waits of ``HISTOGRAM_TAIL_WEEKS`` or more, which the bars leave out.

    Wait figures describe ``rtt_counted`` rows (RTT pathways whose wait counts);
    ``left_out`` says how many of ``total`` they leave out, and why.
    ``overdue_from`` counts the overdue rows by the date their time limit ran
    from (``waits.PRIORITY_DATE_SOURCES``).
    """

    total: int
    by_priority: dict[str, int]
    over_weeks: dict[int, int]
    median_weeks: float | None
    histogram_edges: np.ndarray
    histogram_counts: np.ndarray
    rtt_counted: int = 0
    left_out: dict[str, int] | None = None
    overdue: int = 0
    overdue_from: dict[str, int] | None = None
    histogram_tail: int = 0

    @property
    def within_standard(self) -> float | None:
        """The share of counted RTT waits within 18 weeks (not over 18), or None without any."""
        return waits.share_within_standard(self.rtt_counted, self.over_weeks[RTT_STANDARD_WEEKS])

    def denominator(self) -> str:
        """Which rows the wait figures count, in words."""
        return waits.describe_left_out(self.rtt_counted, self.total, self.left_out or {})

    def overdue_words(self) -> str:
        """How many are overdue for their priority, and which date each count ran from.

        >>> ListSummary(5, {}, {}, None, np.zeros(1), np.zeros(0), overdue=3,
        ...             overdue_from={"last priority review": 1, "clock start": 2}).overdue_words()
        'Overdue for priority: 3 (timed from the last priority review for 1, the clock start for 2)'
        """
        if not self.overdue:
            return "Overdue for priority: none"
        parts = ", ".join(f"the {source} for {count:,}" for source, count in (self.overdue_from or {}).items())
        return f"Overdue for priority: {self.overdue:,} (timed from {parts})"


def summarise(wl: WaitingList, rows: np.ndarray | None = None, priority_counts: dict[str, int] | None = None) -> ListSummary:
    """Total, counts by clinical priority, long waits, overdue priorities and a weeks-waited histogram.

    >>> wl = WaitingList(np.arange(1, 4), {"weeks_waited": np.array([10.0, 60.0, np.nan]),
    ...                                    "clinical_priority": np.array(["P2", "P2", None], dtype=object)})
    >>> s = summarise(wl)
    >>> s.total, s.by_priority, s.over_weeks[52], s.median_weeks, s.within_standard, s.left_out
    (3, {'P2': 2, 'No priority': 1}, 1, 35.0, 0.5, {'wait not known': 1})

    ``priority_counts`` (value -> count, ``None`` or '(blank)' for empty) saves
    counting again when the caller has them (see ``ListIndex.value_counts``).
    """
    rows = np.arange(len(wl)) if rows is None else rows
    known = _rtt_waits(wl, rows)
    edges, counts, tail = _histogram(known)
    overdue_from = _overdue_from(wl, rows)
    return ListSummary(
        total=len(rows),
        by_priority=_priority_order(priority_counts if priority_counts is not None else
                                    _count_values(_column(wl, "clinical_priority", rows, object))),
        over_weeks={limit: int((known > limit).sum()) for limit in LONG_WAIT_WEEKS},
        median_weeks=float(np.median(known)) if len(known) else None,
        histogram_edges=edges,
        histogram_counts=counts,
        histogram_tail=tail,
        rtt_counted=len(known),
        left_out=waits.left_out(wl, rows) if "weeks_waited" in wl.columns else {waits.WAIT_UNKNOWN: len(rows)},
        overdue=sum(overdue_from.values()),
        overdue_from=overdue_from,
    )


def _rtt_waits(wl: WaitingList, rows: np.ndarray) -> np.ndarray:
    """Weeks waited of the rows RTT wait figures count."""
    if "weeks_waited" not in wl.columns:
        return np.empty(0)
    return wl.columns["weeks_waited"][rows][waits.rtt_wait_counted(wl)[rows]]


def _overdue_from(wl: WaitingList, rows: np.ndarray) -> dict[str, int]:
    """Overdue rows by the date their priority's time limit ran from (only dates with rows)."""
    priority = wl.columns.get("clinical_priority")
    if priority is None or "wait_start" not in wl.columns:
        return {}
    census = row_census_dates(wl.columns, wl.census_date, len(wl))
    # Over the whole list, where the priorities' codes are known, then the rows shown.
    late = waits.overdue(priority, waits.days_since_priority(wl, census), wl.known_codes)[rows]
    used = wl.columns.get("priority_date_from")
    used = np.full(len(rows), waits.CLOCK_START, dtype=object) if used is None else used[rows]
    return {source: n for source in waits.PRIORITY_DATE_SOURCES if (n := int(np.count_nonzero(late & (used == source))))}


def _column(wl: WaitingList, name: str, rows: np.ndarray, dtype) -> np.ndarray:
    if name not in wl.columns:
        return np.full(len(rows), np.nan if dtype is np.float64 else None, dtype=dtype)
    return wl.columns[name][rows]


def _count_values(priorities: np.ndarray) -> dict[str | None, int]:
    present = priorities != None  # noqa: E711  (elementwise)
    values, counts = np.unique(priorities[present].astype(str), return_counts=True)
    found: dict[str | None, int] = dict(zip(values.tolist(), counts.tolist()))
    found[None] = int((~present).sum())
    return found


def _priority_order(found: dict[str | None, int]) -> dict[str, int]:
    """Counts per priority code in clinical order; codes seen but not standard come after."""
    found = dict(found)
    blank = found.pop(None, 0) + found.pop("(blank)", 0)
    ordered = {code: found.pop(code) for code in PRIORITY_CODES if found.get(code)}
    ordered.update(sorted((code, count) for code, count in found.items() if count))
    if blank:
        ordered[UNKNOWN_PRIORITY] = blank
    return ordered


def _histogram(weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Bars of four weeks from 0 to the longest wait under 104 weeks (the first bar also counts
    waits below 0), and how many waited 104 weeks or more: a bar of their own, never piled
    unlabelled into the last.

    >>> edges, counts, tail = _histogram(np.array([1.0, 5.0, 9.5, 130.0, 400.0]))
    >>> edges.tolist(), counts.tolist(), tail
    ([0.0, 4.0, 8.0, 12.0], [1, 1, 1], 2)
    """
    bars = weeks[weeks < HISTOGRAM_TAIL_WEEKS]
    longest = float(bars.max()) if len(bars) else 0.0
    count = min(int(max(longest, 0.0) // HISTOGRAM_WEEK_STEP) + 1, HISTOGRAM_TAIL_WEEKS // HISTOGRAM_WEEK_STEP)
    edges = np.arange(count + 1, dtype=np.float64) * HISTOGRAM_WEEK_STEP
    places = np.clip((bars // HISTOGRAM_WEEK_STEP).astype(np.int64), 0, count - 1)
    return edges, np.bincount(places, minlength=count), int(len(weeks) - len(bars))


def order_and_summary(index: ListIndex, query: ListQuery, progress: Progress = no_progress,
                      cancelled: CancelCheck = never) -> tuple[np.ndarray, ListSummary]:
    """Runs on a worker: the rows to show and their summary."""
    order = index.order(query, cancelled)
    check(cancelled)
    priorities = index.value_counts("clinical_priority", order) if "clinical_priority" in index.wl.columns else None
    return order, summarise(index.wl, order, priorities)
