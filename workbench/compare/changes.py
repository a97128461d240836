"""What changed between two snapshots: who joined, who left and how, whose priority or wait start changed.

Between an earlier and a later snapshot (by default the newest two):

- **on the list** means waiting: a row whose clock has stopped is not (it is
  a finding, "clock stopped but still on the list");
- **joined**: waiting on the later list, not matched to anyone waiting on the
  earlier (:mod:`workbench.store.matching`);
- **left**: waiting on the earlier list and not on the later, or on it with
  its clock stopped. How each left, in this order:

  1. **by validation**: the newest outcome recorded for the pathway up to the
     later census date takes it off the list (:mod:`workbench.store.outcomes`),
     "did not respond" apart from the others;
  2. **by clock stop**: its clock stopped on the later list or on a snapshot
     between the two;
  3. **with no record**: neither.

- **priority changed** and **wait start changed**: matched pathways waiting on
  both lists whose clinical priority or clock start differs; **NHS number
  changed**: pathways matched by pathway ID whose NHS number differs (a
  pathway ID reused, or a number corrected: check which); **pathway ID
  changed**: pathways found again only by NHS number and specialty, each
  listed with both IDs so a person can check the match.

Counts are given by group (the group of the later row, or of the earlier one
for those who left), disclosure-controlled as every group-level output is
(:data:`CHANGES_FIGURES`, :mod:`workbench.compare.suppression`); the lists
behind them name each pathway, with how it was matched (patient-level, for the
team only, as the validation worklist).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from workbench.check.waits import CLOCK_STOPPED
from workbench.compare.equity import NOT_KNOWN, group_rows, grouping_columns
from workbench.compare.suppression import COUNT, FREE, shown_figures
from workbench.errors import WorkbenchError
from workbench.fields import WaitingList
from workbench.read.nhs_number import format_nhs_number
from workbench.store.matching import BY_NHS_NUMBER_AND_SPECIALTY, BY_PATHWAY_ID, match_pathways
from workbench.store.outcomes import DID_NOT_RESPOND, REMOVALS, newest_outcomes
from workbench.store.snapshots import Snapshot, read_snapshots, snapshots, stored_headers
from workbench.store.workspace import Workspace

JOINED, PRIORITY_CHANGED, WAIT_START_CHANGED, NHS_NUMBER_CHANGED, PATHWAY_ID_CHANGED = (
    "joined", "priority changed", "wait start changed", "NHS number changed", "pathway ID changed")
LEFT_BY_CLOCK_STOP, LEFT_BY_VALIDATION, LEFT_DID_NOT_RESPOND, LEFT_WITH_NO_RECORD = (
    "left: clock stop", "left: validation outcome", "left: did not respond", "left: no record")
LEFT = "left"
LEFT_ROUTES = (LEFT_BY_CLOCK_STOP, LEFT_BY_VALIDATION, LEFT_DID_NOT_RESPOND, LEFT_WITH_NO_RECORD)
# The columns of the counts by group, in order.
COUNTED = (JOINED, LEFT_BY_CLOCK_STOP, LEFT_BY_VALIDATION, LEFT_DID_NOT_RESPOND, LEFT_WITH_NO_RECORD,
           PRIORITY_CHANGED, WAIT_START_CHANGED)
FIELDS = ("pathway_id", "nhs_number", "specialty", "clinical_priority", "wait_start", "wait_not_counted")
LIST_HEADERS = ("Change", "Pathway ID", "NHS number", "Specialty", "Group", "Matched by", "Before", "After",
                "Outcome recorded", "Outcome date")


@dataclass
class Changes:
    """The changes between two snapshots: the lists behind them (one row per pathway and change) and
    the group of each row."""

    earlier: Snapshot
    later: Snapshot
    by: str
    table: pd.DataFrame  # LIST_HEADERS
    matched_by_id: int
    matched_by_fallback: int
    waiting_earlier: int
    waiting_later: int
    groups: tuple[str, ...]

    def summary(self, small_numbers_shown: bool = False) -> dict[str, Any]:
        """Counts, whole-list and by group, as they may be shown (:data:`CHANGES_FIGURES`)."""
        return shown_figures(self.figures(), CHANGES_FIGURES, small_numbers_shown)

    def figures(self) -> dict[str, Any]:
        """Counts, whole-list and by group, as worked out."""
        counts = self.table.groupby(["Group", "Change"]).size().unstack(fill_value=0).reindex(
            index=list(self.groups), columns=list(COUNTED), fill_value=0)
        totals = self.table["Change"].value_counts()
        recorded = self.table["Outcome recorded"].dropna().value_counts()
        return {
            "earlier": self.earlier.as_dict(), "later": self.later.as_dict(), "by": self.by,
            "waiting": {"earlier": self.waiting_earlier, "later": self.waiting_later},
            "matched": {BY_PATHWAY_ID: self.matched_by_id, BY_NHS_NUMBER_AND_SPECIALTY: self.matched_by_fallback},
            "totals": {change: int(totals.get(change, 0)) for change in COUNTED}
            | {LEFT: int(self.table["Change"].isin(LEFT_ROUTES).sum())}
            | {change: int(totals.get(change, 0)) for change in (NHS_NUMBER_CHANGED, PATHWAY_ID_CHANGED)},
            "left_by_outcome": {outcome: int(recorded.get(outcome, 0)) for outcome in REMOVALS},
            "groups": [{"group": group, **{change: int(counts.at[group, change]) for change in COUNTED}}
                       for group in self.groups],
        }


# Every figure of the counts (workbench.compare.suppression): counts of patients, the whole list's and
# each group's, each rounded from its own unrounded count.
CHANGES_FIGURES = {
    "by": FREE, "group": FREE, "id": FREE, "census_date": FREE, "file": FREE, "sha256": FREE, "organisation": FREE,
    "rows": COUNT, "waiting": COUNT, "matched": COUNT, "totals": COUNT, "left_by_outcome": COUNT,
    **{change: COUNT for change in COUNTED},
}


def changes_between(workspace: Workspace, earlier: date | None = None, later: date | None = None,
                    by: str = "imd_quintile", current: WaitingList | None = None) -> Changes:
    """The changes between the snapshots of two census dates (default: the newest two); ``current``: the
    current list if already in memory."""
    known = snapshots(workspace)
    first, last = _chosen(workspace, known, earlier, later)
    wanted = set(FIELDS) | grouping_columns([by], stored_headers(workspace))
    lists = {}
    for snapshot, wl in read_snapshots(workspace, wanted, current=current):  # newest first: stop past the earlier
        if first.census_date <= snapshot.census_date <= last.census_date:
            lists[snapshot.census_date] = wl
        if snapshot.census_date <= first.census_date:
            break
    outcomes = newest_outcomes(workspace, until=last.census_date)
    return _changes(first, last, lists, outcomes, by)


def _chosen(workspace: Workspace, known: list[Snapshot], earlier: date | None, later: date | None):
    if len(known) < 2:
        raise WorkbenchError(f"{workspace.path.name}: it holds {len(known)} snapshot{'' if len(known) == 1 else 's'}: "
                             "import a later list with --snapshot to see what changed")
    by_date = {s.census_date: s for s in known}
    for day in (earlier, later):
        if day is not None and day not in by_date:
            dates = ", ".join(f"{d:%d/%m/%Y}" for d in by_date)
            raise WorkbenchError(f"{workspace.path.name}: it has no snapshot of {day:%d/%m/%Y} (its snapshots: {dates})")
    last = by_date[later] if later else known[-1]
    first = by_date[earlier] if earlier else known[max(known.index(last) - 1, 0)]
    if first.census_date >= last.census_date:
        raise WorkbenchError(f"{workspace.path.name}: the earlier snapshot ({first.census_date:%d/%m/%Y}) must be "
                             f"before the later ({last.census_date:%d/%m/%Y})")
    return first, last


def _changes(first: Snapshot, last: Snapshot, lists: dict[date, WaitingList], outcomes: pd.DataFrame, by: str) -> Changes:
    a, b = lists[first.census_date], lists[last.census_date]
    a_waiting, b_waiting = ~_stopped(a), ~_stopped(b)
    matches = match_pathways(a, b, np.flatnonzero(a_waiting))
    groups_a, groups_b = group_rows(a, by), group_rows(b, by)
    labels = _labels(groups_a, groups_b)
    into_b = b_waiting[matches.later]
    parts = [
        _joined(b, groups_b, np.setdiff1d(np.flatnonzero(b_waiting), matches.later[into_b])),
        _left(a, groups_a, matches, into_b, lists, first, last, outcomes),
        _altered(a, b, groups_b, matches, into_b),
    ]
    return Changes(first, last, by, pd.concat(parts, ignore_index=True), matches.by_id_count,
                   matches.by_fallback_count, int(a_waiting.sum()), int(b_waiting.sum()), labels)


def _stopped(wl: WaitingList) -> np.ndarray:
    return np.asarray(wl.columns["wait_not_counted"] == CLOCK_STOPPED, dtype=bool)


def _labels(*groupings) -> tuple[str, ...]:
    """Every group of either list, the later's order first, "Not known" last."""
    labels = list(dict.fromkeys(label for g in reversed(groupings) for label in g.labels if label != NOT_KNOWN))
    return tuple(labels + [NOT_KNOWN])


def _rows(change, wl: WaitingList, grouping, rows: np.ndarray, **more) -> pd.DataFrame:
    """One list row per given row of ``wl``: who it is, their group, and ``more`` columns (arrays or one value)."""
    frame = pd.DataFrame({
        "Change": change, "Pathway ID": wl.columns["pathway_id"][rows],
        "NHS number": [format_nhs_number(n) for n in wl.columns["nhs_number"][rows]],
        "Specialty": wl.columns["specialty"][rows], "Group": np.array(grouping.labels, dtype=object)[grouping.codes[rows]],
    })
    for header in LIST_HEADERS[5:]:
        frame[header] = more.get(header)
    return frame


def _joined(b: WaitingList, groups_b, rows: np.ndarray) -> pd.DataFrame:
    return _rows(JOINED, b, groups_b, rows, **{"After": _uk(b.columns["wait_start"][rows], "clock start ")})


def _left(a, groups_a, matches, into_b, lists, first, last, outcomes) -> pd.DataFrame:
    """Everyone waiting on the earlier list who is not waiting on the later, with how they left."""
    gone = np.setdiff1d(np.flatnonzero(~_stopped(a)), matches.earlier[into_b])
    ids = a.columns["pathway_id"][gone]
    outcome = outcomes["outcome"].reindex(ids).to_numpy(object) if len(outcomes) else np.full(len(ids), None)
    when = outcomes["outcome_date"].reindex(ids).to_numpy("datetime64[D]") if len(outcomes) else None
    by_validation = pd.Series(outcome, dtype=object).isin(REMOVALS).to_numpy()
    stopped = pd.Series(ids, dtype=object).isin(_stopped_ids(lists, first, last)).to_numpy()
    route = np.select([by_validation & (outcome == DID_NOT_RESPOND), by_validation, stopped],
                      [LEFT_DID_NOT_RESPOND, LEFT_BY_VALIDATION, LEFT_BY_CLOCK_STOP], LEFT_WITH_NO_RECORD)
    recorded = np.where(by_validation, outcome, None)
    dates = _uk(when, "") if when is not None else None
    return _rows(route, a, groups_a, gone, **{"Outcome recorded": recorded,
                                                "Outcome date": np.where(by_validation, dates, None) if dates is not None else None})


def _stopped_ids(lists: dict[date, WaitingList], first: Snapshot, last: Snapshot) -> set:
    """Pathway IDs with a stopped clock on a snapshot after the earlier one, up to the later."""
    return {pathway for day, wl in lists.items() if first.census_date < day <= last.census_date
            for pathway in wl.columns["pathway_id"][_stopped(wl)].tolist()}


def _altered(a, b, groups_b, matches, into_b) -> pd.DataFrame:
    """Matched pathways waiting on both lists: changed priority, wait start, (same ID) NHS number, or
    (found by NHS number and specialty) pathway ID."""
    pairs_a, pairs_b, how = matches.earlier[into_b], matches.later[into_b], matches.how()[into_b]
    by_fallback = how == BY_NHS_NUMBER_AND_SPECIALTY
    parts = [_rows(PATHWAY_ID_CHANGED, b, groups_b, pairs_b[by_fallback], **{
        "Matched by": how[by_fallback], "Before": _plain(a.columns["pathway_id"][pairs_a[by_fallback]]),
        "After": _plain(b.columns["pathway_id"][pairs_b[by_fallback]])})]
    for change, name, shown in ((PRIORITY_CHANGED, "clinical_priority", _plain), (WAIT_START_CHANGED, "wait_start", _uk),
                                (NHS_NUMBER_CHANGED, "nhs_number", _nhs)):
        before, after = a.columns[name][pairs_a], b.columns[name][pairs_b]
        differs = _differs(before, after) & ((how == BY_PATHWAY_ID) if name == "nhs_number" else True)
        parts.append(_rows(change, b, groups_b, pairs_b[differs], **{
            "Matched by": how[differs], "Before": shown(before[differs]), "After": shown(after[differs])}))
    return pd.concat(parts, ignore_index=True)


def _differs(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    if before.dtype.kind == "M":
        return (before != after) & ~(np.isnat(before) & np.isnat(after))
    return np.asarray(before != after, dtype=bool)


def _plain(values: np.ndarray) -> np.ndarray:
    return np.array(["(none)" if v is None else v for v in values], dtype=object)


def _nhs(values: np.ndarray) -> np.ndarray:
    return np.array([format_nhs_number(v) or "(none)" for v in values], dtype=object)


def _uk(days: np.ndarray, prefix: str = "") -> np.ndarray:
    return np.array(["(none)" if np.isnat(d) else f"{prefix}{d.astype(date):%d/%m/%Y}" for d in days], dtype=object)
