"""Trends over the snapshots: is the inclusive recovery working?

For each snapshot (oldest first), over the RTT waits that count
(:func:`workbench.check.waits.rtt_wait_counted`: stopped clocks, untrustworthy
clock starts and non-RTT pathways left out, and said how many), the waits at
the census date, not projections:

- per group of the chosen grouping and for the whole list: patients, median
  and mean wait, the share within 18 weeks, the counts past 52 and 78 weeks;
- per nation (deciles are not comparable across nations): the **gap** in mean
  wait between the most and the least deprived fifths (most minus least:
  positive, the most deprived wait longer), and the **slope index of
  inequality** of the mean wait across the nation's IMD deciles, with its 95%
  confidence interval: fitted as the equity figures fit it
  (:func:`workbench.compare.equity.fit_nation`, OHID's method with its seeded
  simulation, :mod:`workbench.compare.inequality`; positive: the most
  deprived wait longer; at least 5 deciles with patients).

**Rule sets adopted** are read from the decision log: each rule set's first
entry is the date it was adopted, marked on the Trends chart. The trend since
adoption compares the snapshot in force then (the newest on or before that
date, else the first after it) with the newest.

Small numbers are controlled as every group-level output is
(:data:`TREND_FIGURES`, :mod:`workbench.compare.suppression`): counts rounded
(1 to 7 as ``*``), shares worked out again from the published counts, a
group's waits hidden when 1 to 7 waits count, a nation's gap when either
fifth has 1 to 7 patients, its slope index when the nation has.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import numpy as np

from workbench import formats
from workbench.check import waits
from workbench.compare.changes import changes_between
from workbench.compare.equity import (
    NATION_SLOTS, NOT_KNOWN, DecileWaits, decile_codes, decile_waits, fit_nation, group_rows, grouping_columns,
)
from workbench.compare.suppression import COUNT, DISCLOSURE, FREE, About, Share, control, disclosure_stamp
from workbench.compare.validation_audit import suppressed_audit, validation_audit
from workbench.errors import WorkbenchError
from workbench.fields import RTT_STANDARD_WEEKS, WaitingList
from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.store import decisions
from workbench.store.snapshots import read_snapshots, stored_headers
from workbench.store.workspace import Workspace

WAIT_COLUMNS = ("weeks_waited", "wait_not_counted", "rtt_pathway")
LONG_WAITS = (RTT_STANDARD_WEEKS, 52, 78)
WAIT_FIGURES = ("median_wait", "mean_wait", "within_18", "over_52", "over_78")
FIGURE_WORDS = {
    "median_wait": "Median wait (weeks)", "mean_wait": "Mean wait (weeks)",
    "within_18": "Within 18 weeks (%)", "over_52": "Waiting over 52 weeks", "over_78": "Waiting over 78 weeks",
    "gap": "Gap in mean wait, most minus least deprived fifth (weeks)",
    "sii": "Slope index of inequality of mean wait (weeks; positive: the most deprived wait longer)",
}

FIGURE_KINDS = {"median_wait": "weeks", "mean_wait": "weeks", "within_18": "share", "over_52": "count", "over_78": "count"}


def figure_text(value: Any, kind: str = "weeks") -> str:
    """A trend figure of a kind (``FIGURE_KINDS``: weeks, share or count) as the Trends chart's hover and
    ``workbench trends`` show it.

    >>> figure_text(0.523, "share"), figure_text(12.0, "count"), figure_text(3.21), figure_text(None), figure_text("*")
    ('52.3%', '12', '3.2 weeks', 'not known', '*')
    """
    if kind == "share":
        return formats.share(value, 1, "not known")
    if kind == "count":
        return formats.count(value, "not known")
    return formats.decimal(value, 1, "not known", " weeks")


def wait_figures(weeks: np.ndarray) -> dict[str, Any]:
    """Median, mean, share within 18 weeks and counts past 18, 52 and 78 weeks of the counted waits given.

    >>> wait_figures(np.array([10.0, 20.0, 60.0, 80.0]))
    {'waits_counted': 4, 'median_wait': 40.0, 'mean_wait': 42.5, 'within_18': 0.25, 'over_18': 3, 'over_52': 2, 'over_78': 1}
    """
    over = {f"over_{w}": int((weeks > w).sum()) for w in LONG_WAITS}
    counted = len(weeks)
    return {"waits_counted": counted, "median_wait": float(np.median(weeks)) if counted else None,
            "mean_wait": float(weeks.mean()) if counted else None,
            "within_18": waits.share_within_standard(counted, int((weeks > RTT_STANDARD_WEEKS).sum())), **over}


# --------------------------------------------------------------------------- one snapshot
def snapshot_figures(wl: WaitingList, by: str) -> dict[str, Any]:
    """The trend figures of one list (unsuppressed)."""
    counted = waits.rtt_wait_counted(wl)
    weeks = np.asarray(wl.columns["weeks_waited"], dtype=np.float64)
    if "deprivation_nation" in wl.columns:  # the groups and the nations' figures both ask: worked out once
        nation = wl.columns["deprivation_nation"]
        wl.known_codes.add(nation, *wl.known_codes.factorize(nation))
    grouping = group_rows(wl, by)
    groups = {}
    for g, label in enumerate(grouping.labels):
        in_group = grouping.codes == g
        groups[label] = {"patients": int(in_group.sum()), **wait_figures(weeks[in_group & counted])}
    return {"census_date": wl.census_date.isoformat(), "patients": len(wl), **wait_figures(weeks[counted]),
            "left_out": waits.left_out(wl), "groups": groups, "by_nation": _by_nation(wl, weeks, counted)}


def _by_nation(wl: WaitingList, weeks: np.ndarray, counted: np.ndarray) -> dict[str, dict]:
    """Per nation with patients: the gap between its most and least deprived fifths, and its SII."""
    deciles = decile_waits(decile_codes(wl, counted), weeks)
    found = {}
    for slot, nation in enumerate(NATION_SLOTS[:-1]):
        patients = int(deciles.count[slot * 10:slot * 10 + 10].sum())
        if patients:
            fit = fit_nation(deciles, slot)
            found[nation] = {"patients": patients, **_gap(deciles, slot), "sii": None if fit is None else fit.sii,
                             "sii_ci": None if fit is None else list(fit.sii_ci)}
    return found


def _gap(deciles: DecileWaits, slot: int) -> dict:
    """Mean wait of deciles 1-2 minus that of deciles 9-10, with the patients of each."""
    most, least = (slice(slot * 10 + first, slot * 10 + first + 2) for first in (0, 8))
    counts = [int(deciles.count[part].sum()) for part in (most, least)]
    means = [deciles.sums[part].sum() / count if count else None for part, count in zip((most, least), counts)]
    gap = float(means[0] - means[1]) if None not in means else None
    return {"gap": gap, "most_deprived": counts[0], "least_deprived": counts[1]}


# --------------------------------------------------------------------------- every snapshot
def trend_figures(workspace: Workspace, by: str = "imd_quintile", progress: Progress = no_progress,
                  cancelled: CancelCheck = never, current: WaitingList | None = None) -> dict[str, Any]:
    """The figures of every snapshot, oldest first, with the rule sets adopted (unsuppressed); ``current``:
    the current list if already in memory."""
    wanted = set(WAIT_COLUMNS) | grouping_columns([by], stored_headers(workspace))
    figures = [snapshot_figures(wl, by) for _s, wl in read_snapshots(workspace, wanted, progress, cancelled, current)]
    if not figures:
        raise WorkbenchError(f"{workspace.path.name}: this workspace has no waiting list yet: import one first")
    figures.reverse()
    labels = _labels(figures)
    return {"by": by, "groups": labels, "snapshots": figures, "adoptions": adoptions(workspace),
            "nations": list(dict.fromkeys(n for f in figures for n in f["by_nation"]))}


def _labels(figures: list[dict]) -> list[str]:
    labels = list(dict.fromkeys(label for f in reversed(figures) for label in f["groups"] if label != NOT_KNOWN))
    return labels + ([NOT_KNOWN] if any(NOT_KNOWN in f["groups"] for f in figures) else [])


def adoptions(workspace: Workspace) -> list[dict[str, str]]:
    """Each rule set's first entry in the decision log: when it was adopted (local date), oldest first."""
    names = {entry.sha256: entry.name for entry in decisions.rule_history(workspace)}
    found: dict[str, dict] = {}
    for entry in decisions.decision_log(workspace):
        if entry.rules_sha256 and entry.rules_sha256 not in found:
            found[entry.rules_sha256] = {"date": entry.logged_at.astimezone().date().isoformat(),
                                         "rule_set": names.get(entry.rules_sha256, entry.rules_sha256[:12]),
                                         "sha256": entry.rules_sha256}
    return list(found.values())


def since_adoption(trend: dict, sha256: str | None = None) -> dict | None:
    """The figures of the snapshot in force when a rule set was adopted against the newest ones.

    ``sha256`` picks the rule set (default: the newest adopted); None when it was never adopted or
    the workspace has one snapshot.
    """
    chosen = [a for a in trend["adoptions"] if sha256 is None or a["sha256"] == sha256]
    if not chosen or len(trend["snapshots"]) < 2:
        return None
    adopted = chosen[-1]
    dates = [s["census_date"] for s in trend["snapshots"]]
    before = [i for i, d in enumerate(dates) if d <= adopted["date"]]
    start = trend["snapshots"][before[-1] if before else 0]
    end = trend["snapshots"][-1]
    return {**adopted, "from": start["census_date"], "to": end["census_date"], DISCLOSURE: trend.get(DISCLOSURE),
            "figures": [] if start is end else _compared(start, end)}


def _compared(start: dict, end: dict) -> list[dict]:
    """Each figure at the start and the end, with its change and its kind (weeks, share or count)."""
    rows = [(FIGURE_WORDS[name], FIGURE_KINDS[name], start[name], end[name]) for name in WAIT_FIGURES]
    for nation in end["by_nation"]:
        before, after = start["by_nation"].get(nation, {}), end["by_nation"][nation]
        rows.append((f"{nation}: {FIGURE_WORDS['gap']}", "weeks", before.get("gap"), after["gap"]))
        rows.append((f"{nation}: {FIGURE_WORDS['sii']}", "weeks", before.get("sii"), after["sii"]))
    return [{"figure": name, "kind": kind, "from": a, "to": b, "change": _change(a, b)} for name, kind, a, b in rows]


def _change(before, after):
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return after - before
    return None


# --------------------------------------------------------------------------- small numbers
# Every figure of a snapshot's, a group's and a nation's figures (workbench.compare.suppression).
TREND_FIGURES = {
    "census_date": FREE, "patients": COUNT, "waits_counted": COUNT, "over_*": COUNT, "left_out": COUNT,
    "median_wait": About("waits_counted"), "mean_wait": About("waits_counted"),
    "within_18": Share("over_18", "waits_counted", complement=True),
    "most_deprived": COUNT, "least_deprived": COUNT, "gap": About("most_deprived", "least_deprived"),
    "sii": About("patients"), "sii_ci": About("patients"),
}


def suppressed_trend(trend: dict, small_numbers_shown: bool = False) -> dict:
    """The trend as it may be shown: every snapshot's figures controlled (:data:`TREND_FIGURES`), or (the
    one explicit choice) as worked out, stamped "Not for publication" (its ``"disclosure"`` key)."""
    shown = copy.deepcopy(trend) if small_numbers_shown else {
        **trend, "snapshots": [_controlled_snapshot(s) for s in trend["snapshots"]]}
    shown[DISCLOSURE] = disclosure_stamp(small_numbers_shown)
    return shown


def _controlled_snapshot(figures: dict) -> dict:
    """Groups and nations are keyed by their names, which a table of rules must never read as figures:
    each is controlled on its own."""
    shown = control({k: v for k, v in figures.items() if k not in ("groups", "by_nation")}, TREND_FIGURES)
    shown["groups"] = {label: control(g, TREND_FIGURES) for label, g in figures["groups"].items()}
    shown["by_nation"] = {nation: control(f, TREND_FIGURES) for nation, f in figures["by_nation"].items()}
    return {key: shown[key] for key in figures}


def series(trend: dict, figure: str, nation: str | None = None) -> dict[str, list]:
    """One figure over the snapshots, per group (or per nation for the gap and the SII): label -> values.

    A figure that is hidden or cannot be worked out is None in the series.
    """
    snapshots_ = trend["snapshots"]
    if figure in ("gap", "sii"):
        nations = [nation] if nation else trend["nations"]
        return {n: [_number(s["by_nation"].get(n, {}).get(figure)) for s in snapshots_] for n in nations}
    lines = {"Whole list": [_number(s[figure]) for s in snapshots_]}
    for label in trend["groups"]:
        lines[label] = [_number(s["groups"].get(label, {}).get(figure)) for s in snapshots_]
    return lines


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def census_dates(trend: dict) -> list[date]:
    return [date.fromisoformat(s["census_date"]) for s in trend["snapshots"]]


# --------------------------------------------------------------------------- the app's Trends page
def trends_page(workspace_path, by: str = "imd_quintile", current: WaitingList | None = None,
                small_numbers_shown: bool = False, progress: Progress = no_progress,
                cancelled: CancelCheck = never) -> dict[str, Any]:
    """The trend the app's Trends tab draws, grouped by ``by``, disclosure-controlled unless
    ``small_numbers_shown`` (database worker); ``current``: the workspace's current list, already in memory."""
    with Workspace.open(workspace_path) as workspace:
        trend = trend_figures(workspace, by, progress, cancelled, current)
    return {"trend": suppressed_trend(trend, small_numbers_shown)}


def changes_and_audit(workspace_path, by: str = "imd_quintile", current: WaitingList | None = None,
                      small_numbers_shown: bool = False, progress: Progress = no_progress,
                      cancelled: CancelCheck = never) -> dict[str, Any]:
    """The tables below the Trends chart, disclosure-controlled unless ``small_numbers_shown``: what changed
    between the newest two snapshots (None with one) and the validation audit (None before any outcome is
    recorded), grouped by ``by``."""
    with Workspace.open(workspace_path) as workspace:
        several = snapshot_count(workspace) > 1
        changes = changes_between(workspace, by=by, current=current).summary(small_numbers_shown) if several else None
        has_outcomes = workspace.connection.execute("SELECT 1 FROM validation_outcomes LIMIT 1").fetchone()
        audit = validation_audit(workspace, [by], current=current) if has_outcomes else None
    return {"changes": changes, "audit": audit and suppressed_audit(audit, small_numbers_shown)}


def snapshot_count(workspace: Workspace) -> int:
    return workspace.connection.execute("SELECT count(*) FROM snapshots").fetchone()[0]


def has_several_snapshots(workspace_path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> bool:
    """Whether the workspace holds more than one snapshot (a quick look, on the database worker)."""
    with Workspace.open(workspace_path) as workspace:
        return snapshot_count(workspace) > 1
