"""The figures in the summary strip, worked out over the rows the list shows.

Qt-free so it can run on the worker thread next to the filter that chose the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.fields import LONG_WAIT_WEEKS, PRIORITY_CODES, WaitingList

HISTOGRAM_WEEK_STEP = 4  # one bar per four weeks waited
HISTOGRAM_LAST_WEEK = 156  # placeholder start dates mean waits of centuries: the last bar takes them
UNKNOWN_PRIORITY = "No priority"


@dataclass(frozen=True)
class ListSummary:
    """Counts for a set of rows. ``histogram_edges`` has one more entry than ``histogram_counts``."""

    total: int
    by_priority: dict[str, int]
    over_weeks: dict[int, int]
    median_weeks: float | None
    histogram_edges: np.ndarray
    histogram_counts: np.ndarray


def summarise(wl: WaitingList, rows: np.ndarray | None = None, priority_counts: dict[str, int] | None = None) -> ListSummary:
    """Total, counts by clinical priority, long waits and a weeks-waited histogram.

    >>> wl = WaitingList(np.arange(1, 4), {"weeks_waited": np.array([10.0, 60.0, np.nan]),
    ...                                    "clinical_priority": np.array(["P2", "P2", None], dtype=object)})
    >>> s = summarise(wl)
    >>> s.total, s.by_priority, s.over_weeks[52], s.median_weeks
    (3, {'P2': 2, 'No priority': 1}, 1, 35.0)

    ``priority_counts`` (value -> count, ``None`` or '(blank)' for empty) saves
    counting again when the caller has them (see ``ListIndex.value_counts``).
    """
    rows = np.arange(len(wl)) if rows is None else rows
    weeks = _column(wl, "weeks_waited", rows, np.float64)
    known = weeks[~np.isnan(weeks)]
    edges, counts = _histogram(known)
    return ListSummary(
        total=len(rows),
        by_priority=_priority_order(priority_counts if priority_counts is not None else
                                    _count_values(_column(wl, "clinical_priority", rows, object))),
        over_weeks={limit: int((known > limit).sum()) for limit in LONG_WAIT_WEEKS},
        median_weeks=float(np.median(known)) if len(known) else None,
        histogram_edges=edges,
        histogram_counts=counts,
    )


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


def _histogram(weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bars of four weeks from 0 to the longest wait (at most three years; the first and
    last bars also count the waits below and above)."""
    longest = float(weeks.max()) if len(weeks) else 0.0
    top = min(max(HISTOGRAM_WEEK_STEP, longest), HISTOGRAM_LAST_WEEK)
    edges = np.arange(0, top + HISTOGRAM_WEEK_STEP, HISTOGRAM_WEEK_STEP, dtype=np.float64)
    counts = np.bincount(
        np.clip((weeks // HISTOGRAM_WEEK_STEP).astype(np.int64), 0, len(edges) - 2), minlength=len(edges) - 1
    )
    return edges, counts[: len(edges) - 1]
