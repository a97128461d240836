"""Trends over the snapshots: is the inclusive recovery working?

For each snapshot (oldest first), over the RTT waits that count
(:func:`workbench.waits.rtt_wait_counted`: stopped clocks, untrustworthy clock
starts and non-RTT pathways left out, and said how many), the waits at the
census date, not projections:

- per group of the chosen grouping and for the whole list: patients, median
  and mean wait, the share within 18 weeks, the counts past 52 and 78 weeks;
- per nation (deciles are not comparable across nations): the **gap** in mean
  wait between the most and the least deprived fifths (most minus least:
  positive, the most deprived wait longer), and the **slope index of
  inequality** of the mean wait across the nation's IMD deciles, with its 95%
  interval.

**The SII's interval.** The SII is fitted as in :func:`workbench.equity.
inequality_indices` (positive: the most deprived wait longer). It is a
weighted sum of the deciles' mean waits, SII = Σ c_i ȳ_i, so when each mean is
drawn from its standard error (s_i / √n_i), as PHE's simulation does, the SII
is normal with variance Σ c_i² s_i² / n_i: the interval given, SII ± 1.96 × its
standard error, is the one that simulation converges to. A decile with one
patient has no standard deviation: the interval is then not given.

**Rule sets adopted** are read from the decision log: each rule set's first
entry is the date it was adopted, marked on the Trends chart. The trend since
adoption compares the snapshot in force then (the newest on or before that
date, else the first after it) with the newest.

Small numbers are controlled as everywhere else (:func:`workbench.suppression.
suppress`): a group's count and long-wait counts; its waits hidden when 1 to 7
waits count; a nation's gap or SII hidden when a fifth or the nation has 1 to 7.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np

from workbench import decisions, waits
from workbench.changes import changes_between
from workbench.equity import NATION_SLOTS, NOT_KNOWN, group_rows, inequality_indices, nation_slots
from workbench.fields import RTT_STANDARD_WEEKS, WaitingList
from workbench.progress import CancelCheck, Progress, WorkbenchError, never, no_progress
from workbench.snapshots import columns_for_groupings, read_snapshots
from workbench.suppression import DEFAULT_THRESHOLD, SUPPRESSED, suppress
from workbench.validation_audit import suppressed_audit, validation_audit
from workbench.workspace import Workspace

Z_95 = 1.959963984540054
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


def sii_with_interval(means, sds, counts) -> dict[str, float | None]:
    """The SII of decile means (most deprived first) with its 95% interval (see the module notes).

    >>> r = sii_with_interval([10, 8, 6, 4, 2], [2, 2, 2, 2, 2], [4, 4, 4, 4, 4])
    >>> round(r["sii"], 6), round(r["low"], 4), round(r["high"], 4)
    (10.0, 6.901, 13.099)
    """
    y, s, n = (np.asarray(v, dtype=np.float64) for v in (means, sds, counts))
    sii, _rii = inequality_indices(y, n)
    if sii is None:
        return {"sii": None, "low": None, "high": None}
    use = (n > 0) & ~np.isnan(y)
    p = n[use] / n[use].sum()
    x = np.cumsum(p) - p / 2
    weights = -p * (x - p @ x) / (p @ (x - p @ x) ** 2)  # SII = weights @ means
    variance = float(weights ** 2 @ (s[use] ** 2 / n[use]))
    if math.isnan(variance):
        return {"sii": sii, "low": None, "high": None}
    return {"sii": sii, "low": sii - Z_95 * math.sqrt(variance), "high": sii + Z_95 * math.sqrt(variance)}


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
    slots = nation_slots(wl)
    decile = np.asarray(wl.columns.get("imd_decile", np.full(len(wl), np.nan)), dtype=np.float64)
    found = {}
    for slot, nation in enumerate(NATION_SLOTS[:-1]):
        rows = counted & (slots == slot) & np.isin(decile, np.arange(1, 11))
        if rows.any():
            found[nation] = {"patients": int(rows.sum()), **_gap(weeks[rows], decile[rows]),
                             **sii_with_interval(*_decile_stats(weeks[rows], decile[rows]))}
    return found


def _gap(weeks: np.ndarray, decile: np.ndarray) -> dict:
    most, least = weeks[decile <= 2], weeks[decile >= 9]
    gap = float(most.mean() - least.mean()) if len(most) and len(least) else None
    return {"gap": gap, "most_deprived": len(most), "least_deprived": len(least)}


def _decile_stats(weeks: np.ndarray, decile: np.ndarray):
    codes = decile.astype(np.int64) - 1
    counts = np.bincount(codes, minlength=10).astype(np.float64)
    sums = np.bincount(codes, weights=weeks, minlength=10)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        squares = np.bincount(codes, weights=(weeks - means[codes]) ** 2, minlength=10)
        sds = np.sqrt(squares / (counts - 1))
    return means, np.where(counts > 1, sds, np.nan), counts


# --------------------------------------------------------------------------- every snapshot
def trend_figures(workspace: Workspace, by: str = "imd_quintile", progress: Progress = no_progress,
                  cancelled: CancelCheck = never, current: WaitingList | None = None) -> dict[str, Any]:
    """The figures of every snapshot, oldest first, with the rule sets adopted (unsuppressed); ``current``:
    the current list if already in memory."""
    wanted = set(WAIT_COLUMNS) | columns_for_groupings(workspace, [by])
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
    if start is end:
        return {**adopted, "from": start["census_date"], "to": end["census_date"], "figures": []}
    return {**adopted, "from": start["census_date"], "to": end["census_date"], "figures": _compared(start, end)}


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
def suppressed_trend(trend: dict, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """A copy safe to show or export (see the module notes)."""
    return {**trend, "suppression_threshold": threshold,
            "snapshots": [_suppressed_snapshot(s, threshold) for s in trend["snapshots"]]}


def _suppressed_snapshot(figures: dict, threshold: int) -> dict:
    shown = {**figures, "groups": {label: dict(g) for label, g in figures["groups"].items()},
             "by_nation": {n: dict(f) for n, f in figures["by_nation"].items()}}
    groups = list(shown["groups"].values())
    for name in ("patients", "waits_counted", "over_18", "over_52", "over_78"):
        for group, value in zip(groups, suppress([g[name] for g in groups], threshold).tolist()):
            group[name] = value
    for group, original in zip(groups, figures["groups"].values()):
        if 1 <= original["waits_counted"] <= threshold:
            group.update({name: SUPPRESSED for name in ("median_wait", "mean_wait", "within_18")})
        elif _small_within_or_over(original, threshold):  # the share and the count give back a small count
            group["within_18"] = SUPPRESSED
    for nation in shown["by_nation"].values():
        _hide_small_nation(nation, threshold)
    for name in ("over_18", "over_52", "over_78"):
        if 1 <= figures[name] <= threshold:
            shown[name] = SUPPRESSED
    return shown


def _small_within_or_over(figures: dict, threshold: int) -> bool:
    over = figures["over_18"]
    return 1 <= over <= threshold or 1 <= figures["waits_counted"] - over <= threshold


def _hide_small_nation(nation: dict, threshold: int) -> None:
    small = lambda count: 1 <= count <= threshold  # noqa: E731
    if small(nation["most_deprived"]) or small(nation["least_deprived"]):
        nation["gap"] = SUPPRESSED
    if small(nation["patients"]):
        nation.update(patients=SUPPRESSED, sii=SUPPRESSED, low=SUPPRESSED, high=SUPPRESSED, gap=SUPPRESSED)


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


def adoption_dates(trend: dict) -> list[tuple[date, str]]:
    return [(date.fromisoformat(a["date"]), a["rule_set"]) for a in trend["adoptions"]]



# --------------------------------------------------------------------------- the app's Trends page
def trends_page(workspace_path, by: str = "imd_quintile", current: WaitingList | None = None,
                progress: Progress = no_progress, cancelled: CancelCheck = never) -> dict[str, Any]:
    """The trend the app's Trends tab draws, grouped by ``by``, small numbers hidden (database worker);
    ``current``: the workspace's current list, already in memory."""
    with Workspace.open(workspace_path) as workspace:
        return {"trend": suppressed_trend(trend_figures(workspace, by, progress, cancelled, current))}


def changes_and_audit(workspace_path, by: str = "imd_quintile", current: WaitingList | None = None,
                      progress: Progress = no_progress, cancelled: CancelCheck = never) -> dict[str, Any]:
    """The tables below the Trends chart, small numbers hidden: what changed between the newest two snapshots
    (None with one) and the validation audit (None before any outcome is recorded), grouped by ``by``."""
    with Workspace.open(workspace_path) as workspace:
        changes = changes_between(workspace, by=by, current=current).summary() if snapshot_count(workspace) > 1 else None
        has_outcomes = workspace.connection.execute("SELECT 1 FROM validation_outcomes LIMIT 1").fetchone()
        audit = suppressed_audit(validation_audit(workspace, [by], current=current)) if has_outcomes else None
    return {"changes": changes, "audit": audit}


def snapshot_count(workspace: Workspace) -> int:
    return workspace.connection.execute("SELECT count(*) FROM snapshots").fetchone()[0]


def has_several_snapshots(workspace_path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> bool:
    """Whether the workspace holds more than one snapshot (a quick look, on the database worker)."""
    with Workspace.open(workspace_path) as workspace:
        return snapshot_count(workspace) > 1
