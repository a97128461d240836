"""Does validation remove people unequally? Removals by group against each group's share of the list.

Over a period (by default from the first snapshot on, every outcome recorded):

- **on the list**: each pathway waiting on a snapshot of the period, once;
- **validated**: pathways with an outcome recorded in the period;
- **removed**: those whose newest outcome in the period takes them off the list
  (anything but "still waiting"); **did not respond** is shown apart from the
  other removals, as the removals most feared to fall on the groups the
  recovery is meant to help.

Each pathway is put in its group (IMD fifth within its nation, ethnic group,
age band, sex, learning disability) from its newest row on any snapshot. Per
group: the counts, the group's share of the list, of those validated and of
those removed, and the **removal rate among those validated** (removed /
validated), with its **rate ratio** against a reference group and a 95%
confidence interval.

**Method.** The rate ratio is a ratio of two proportions, (a / n1) / (c / n2),
with its 95% interval by the log method of Katz et al. (1978):
exp(ln RR ± 1.96 × sqrt(1/a − 1/n1 + 1/c − 1/n2)). It is not given when either
group has no removal or no one validated. The reference group is the least
deprived fifth of the same nation for IMD fifths, otherwise the group with
most pathways validated (the "Not known" group never is).

Small numbers are controlled as every group-level output is
(:mod:`workbench.compare.suppression`, :data:`AUDIT_FIGURES`): every count
rounded (1 to 7 as ``*``), the totals from the unrounded counts; shares and
rates worked out again from the published counts, and so are the rate ratios
and their intervals (``*`` when any of their four counts is): a ratio worked
out from exact counts would give them back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench import formats
from workbench.check import deprivation
from workbench.check.waits import CLOCK_STOPPED
from workbench.compare.equity import NOT_KNOWN, group_rows, grouping_columns
from workbench.compare.suppression import COUNT, FREE, SUPPRESSED, Share, shown_figures
from workbench.errors import WorkbenchError
from workbench.fields import WaitingList
from workbench.store.outcomes import DID_NOT_RESPOND, REMOVALS, newest_outcomes
from workbench.store.snapshots import read_snapshots, snapshots, stored_headers
from workbench.store.workspace import Workspace

AUDIT_GROUPINGS = ("imd_quintile", "ethnic_group", "age_band", "sex", "learning_disability")
Z_95 = 1.959963984540054
TOTALS = ("on_list", "validated", "removed", "did_not_respond")  # the audit's totals, and the groups' shares of them
EVENTS = ("removed", "did_not_respond", "removed_other")  # each with its rate among those validated, and its ratio
METHOD = ("Rate ratio of two proportions (removed / validated) against the reference group, with a 95% confidence "
          "interval by the log method (Katz): exp(ln RR +/- 1.96 x sqrt(1/a - 1/n1 + 1/c - 1/n2)); not given when "
          "either group has no removal.")


def rate_ratio(events: int, people: int, reference_events: int, reference_people: int) -> dict | None:
    """The ratio of two proportions with its 95% interval (Katz's log method); None when not estimable.

    >>> r = rate_ratio(20, 100, 10, 100)
    >>> round(r["ratio"], 3), round(r["low"], 3), round(r["high"], 3)
    (2.0, 0.987, 4.054)
    >>> rate_ratio(0, 100, 10, 100) is None
    True
    """
    if min(events, people, reference_events, reference_people) <= 0:
        return None
    ratio = (events / people) / (reference_events / reference_people)
    spread = Z_95 * math.sqrt(1 / events - 1 / people + 1 / reference_events - 1 / reference_people)
    return {"ratio": ratio, "low": ratio * math.exp(-spread), "high": ratio * math.exp(spread)}


@dataclass(frozen=True)
class Pathways:
    """One row per pathway of the period: its groups' columns (a WaitingList) and what validation did."""

    wl: WaitingList
    on_list: np.ndarray
    validated: np.ndarray
    removed: np.ndarray
    did_not_respond: np.ndarray


def validation_audit(workspace: Workspace, groupings: Iterable[str] = AUDIT_GROUPINGS, since: date | None = None,
                     until: date | None = None, current: WaitingList | None = None) -> dict[str, Any]:
    """The audit's figures, unsuppressed (see :func:`suppressed_audit`); groupings a list lacks are noted.
    ``current``: the current list if already in memory."""
    known = snapshots(workspace)
    if not known:
        raise WorkbenchError(f"{workspace.path.name}: this workspace has no waiting list yet: import one first")
    since = since or known[0].census_date
    return audit_figures(_pathways(workspace, list(groupings), since, until, current), groupings, since, until)


def audit_figures(pathways: Pathways, groupings: Iterable[str], since: date, until: date | None = None) -> dict:
    """The audit's figures for the pathways of a period, by each grouping (unsuppressed)."""
    audit = {"since": since.isoformat(), "until": until and until.isoformat(), "method": METHOD,
             **{f"total_{name}": int(getattr(pathways, name).sum()) for name in TOTALS},
             "groupings": {}, "not_possible": {}}
    for by in groupings:
        try:
            audit["groupings"][by] = _by_group(pathways, by)
        except WorkbenchError as error:  # e.g. no learning disability column
            audit["not_possible"][by] = str(error)
    return audit


def _pathways(workspace: Workspace, groupings: list[str], since: date, until: date | None,
              current: WaitingList | None) -> Pathways:
    wanted = {"pathway_id", "wait_not_counted"} | grouping_columns(groupings, stored_headers(workspace))
    parts, seen, in_period, newer = [], set(), set(), None
    for snapshot, wl in read_snapshots(workspace, wanted, current=current):  # newest first: its newest row first
        waiting = np.flatnonzero(wl.columns["wait_not_counted"] != CLOCK_STOPPED)
        ids = wl.columns["pathway_id"][waiting]
        # Pathways on the snapshot after this one are known already; only the others are looked for.
        unknown = np.flatnonzero(~pd.Series(ids, dtype=object).isin(newer).to_numpy()) if newer is not None \
            else np.arange(len(ids))
        parts.append((wl, waiting[_first_sight(ids, unknown, seen)]))
        if since <= snapshot.census_date and (until is None or snapshot.census_date <= until):
            in_period.update((ids[unknown] if newer is not None and in_period else ids).tolist())
        newer = ids
    table = _newest_rows(parts, sorted(wanted - {"row_id"}))
    ids = pd.Series(table.columns["pathway_id"], dtype=object)
    newest = _outcomes_in(workspace, since, until)
    outcome = newest.reindex(ids).to_numpy(object)
    validated = ids.isin(newest.index).to_numpy()
    removed = pd.Series(outcome, dtype=object).isin(REMOVALS).to_numpy()
    return Pathways(table, ids.isin(in_period).to_numpy() | validated, validated, removed,
                    removed & (outcome == DID_NOT_RESPOND))


def _first_sight(ids: np.ndarray, candidates: np.ndarray, seen: set) -> np.ndarray:
    """Which of the candidate rows hold a pathway not seen before (each once); notes them as seen."""
    first = []
    for row in candidates.tolist():
        pathway = ids[row]
        if pathway is not None and pathway not in seen:
            seen.add(pathway)
            first.append(row)
    return np.array(first, dtype=np.int64)


def _newest_rows(parts: list[tuple[WaitingList, np.ndarray]], names: list[str]) -> WaitingList:
    """The given rows of each snapshot, one list (each pathway once, from the newest snapshot that has it)."""
    columns = {name: np.concatenate([_column(wl, name)[rows] for wl, rows in parts]) for name in names}
    source = {name: columns.pop(name) for name in names if _is_source(parts, name)}
    return WaitingList(np.arange(1, len(columns["pathway_id"]) + 1), columns, source)


def _column(wl: WaitingList, name: str) -> np.ndarray:
    if name in wl.columns:
        return np.asarray(wl.columns[name], dtype=object if wl.columns[name].dtype == object else np.float64)
    if name in wl.source:
        return wl.source[name]
    return np.full(len(wl), None if name not in deprivation.GROUP_PARTS else np.nan, dtype=object)


def _is_source(parts, name: str) -> bool:
    return any(name in wl.source for wl, _rows in parts)


def _outcomes_in(workspace: Workspace, since: date, until: date | None) -> pd.Series:
    """The newest outcome of each pathway recorded in the period, by pathway ID."""
    return newest_outcomes(workspace, since, until)["outcome"]


def _by_group(pathways: Pathways, by: str) -> dict:
    grouping = group_rows(pathways.wl, by)
    counted = _group_counts(pathways, grouping)
    reference = _reference(grouping.labels, counted["validated"], by)
    totals = {name: int(values.sum()) for name, values in counted.items()}
    groups = [_group(label, g, counted, totals) for g, label in enumerate(grouping.labels)]
    label = grouping.labels[reference] if reference is not None else None
    return {"reference": label, "groups": with_rate_ratios(groups, label)}


def _group_counts(pathways: Pathways, grouping) -> dict[str, np.ndarray]:
    count = len(grouping.labels)
    codes, on_list = grouping.codes, pathways.on_list

    def per_group(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask & on_list], minlength=count).astype(np.int64)

    return {"on_list": per_group(on_list), "validated": per_group(pathways.validated),
            "removed": per_group(pathways.removed), "removed_other": per_group(pathways.removed & ~pathways.did_not_respond),
            "did_not_respond": per_group(pathways.did_not_respond)}


def _reference(labels: tuple[str, ...], validated: np.ndarray, by: str) -> int | None:
    """The least deprived fifth of the nation with most validated, else the group with most validated."""
    candidates = [g for g, label in enumerate(labels) if label != NOT_KNOWN and validated[g] > 0]
    if by in deprivation.GROUP_PARTS:
        least_deprived = {deprivation.group_label(n, by, deprivation.GROUP_PARTS[by]) for n in deprivation.NATIONS}
        candidates = [g for g in candidates if labels[g] in least_deprived] or candidates
    return max(candidates, key=lambda g: validated[g]) if candidates else None


def _group(label: str, g: int, counted: dict, totals: dict) -> dict:
    figures: dict[str, Any] = {"group": label, **{name: int(values[g]) for name, values in counted.items()}}
    for name in TOTALS:
        figures[f"share_of_{name}"] = counted[name][g] / totals[name] if totals[name] else None
    for events in EVENTS:
        figures[f"{events}_rate"] = counted[events][g] / counted["validated"][g] if counted["validated"][g] else None
    return figures


def with_rate_ratios(groups: list[dict], reference: str | None) -> list[dict]:
    """The groups with each rate's ratio against the reference group's (None when not estimable), worked
    out from the counts given: as worked out, or as published (``*`` when any of the four counts is)."""
    base = next((g for g in groups if g["group"] == reference), None)
    for group in groups:
        for events in EVENTS:
            group[f"{events}_rate_ratio"] = None if base is None else _ratio(group, base, events)
    return groups


def _ratio(group: dict, base: dict, events: str) -> dict | str | None:
    counts = (group[events], group["validated"], base[events], base["validated"])
    return SUPPRESSED if SUPPRESSED in counts else rate_ratio(*counts)


# --------------------------------------------------------------------------- small numbers
# Every figure of the audit (workbench.compare.suppression). The rate ratios are left out of the
# control and worked out again from the published counts (suppressed_audit).
AUDIT_FIGURES = {
    "since": FREE, "until": FREE, "method": FREE, "reference": FREE, "group": FREE, "not_possible": FREE,
    "total_*": COUNT, **{name: COUNT for name in ("on_list", "validated", *EVENTS)},
    **{f"share_of_{name}": Share(name, f"total_{name}") for name in TOTALS},
    **{f"{events}_rate": Share(events, "validated") for events in EVENTS},
}


def suppressed_audit(audit: dict, small_numbers_shown: bool = False) -> dict:
    """The audit as it may be shown: controlled (:data:`AUDIT_FIGURES`, the rate ratios worked out again
    from the published counts), or (the one explicit choice) as worked out, stamped "Not for publication"."""
    if small_numbers_shown:
        return shown_figures(audit, AUDIT_FIGURES, small_numbers_shown)
    without_ratios = {**audit, "groupings": {by: {**table, "groups": [_without_ratios(g) for g in table["groups"]]}
                                             for by, table in audit["groupings"].items()}}
    shown = shown_figures(without_ratios, AUDIT_FIGURES)
    for table in shown["groupings"].values():
        with_rate_ratios(table["groups"], table["reference"])
    return shown


def _without_ratios(group: dict) -> dict:
    return {key: value for key, value in group.items() if not key.endswith("_rate_ratio")}


def audit_figure_text(key: str, value: Any, is_reference: bool = False) -> str:
    """A figure of a group in the audit as the Trends tab and ``workbench validation-audit`` show it: shares and
    rates in %, a rate ratio with its 95% interval ("1 (reference)" for the reference group).

    >>> audit_figure_text("removed_rate_ratio", {"ratio": 2.0, "low": 0.771, "high": 5.17}), audit_figure_text("removed_rate", 0.4)
    ('2.00 (0.77 to 5.17)', '40.0%')
    >>> audit_figure_text("removed_rate_ratio", None), audit_figure_text("validated", 1234), audit_figure_text("removed", "*")
    ('not estimable', '1,234', '*')
    """
    if key.endswith("_ratio"):
        if is_reference:
            return "1 (reference)"
        if isinstance(value, dict):
            return f"{value['ratio']:.2f} ({value['low']:.2f} to {value['high']:.2f})"
        return value or "not estimable"
    if key.startswith("share") or key.endswith("_rate"):
        return formats.share(value, 1)
    return formats.count(value)
