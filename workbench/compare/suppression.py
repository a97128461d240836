"""Small-number suppression for group-level outputs, with secondary suppression.

Published NHS hospital statistics show counts from 1 to 7 as ``*``. A table
whose rows and columns have totals needs more: if only one cell of a row is
hidden, the total minus the shown cells gives it back. So after the small
counts are hidden, each row and column (a "line") is checked, and while it is
exposed the next smallest positive cell of that line is hidden too. A line is
exposed when exactly one of its cells is hidden, or when its hidden cells add
up to 1..threshold (that sum is what subtraction from the total reveals).

Zero cells are shown and never chosen: when only zeros are left to hide, the
hidden cells add up to the line's own total, which subtraction cannot narrow
down further.

:func:`suppressed_summary` applies this to an equity summary. Decisions there:

- the ``count`` column (total: the list size), the next-N counts (total: N),
  the long-wait counts and the wait-unknown counts are each suppressed as a
  column with a total;
- a group whose count is suppressed by the primary rule shows ``*`` for every
  figure, its means and percentiles included (they describe a handful of
  patients); a group hidden only by secondary suppression keeps its wait
  figures but hides its count and share of the list (the share gives the
  count back);
- a share of the next N is hidden with its count; mean, median and 90th
  percentile waits, the share within 18 weeks (and the change) are hidden
  when fewer than ``threshold + 1`` patients of the group have a known wait;
  the share within 18 weeks is hidden with the count over 18 weeks too (with
  the known waits it gives that count back);
- the whole list's long-wait counts (``overall``) hide counts from 1 to the
  threshold, and the share within 18 weeks with a hidden count over 18;
- SII and RII summarise whole deciles and are shown, but for a nation with
  1 to ``threshold`` patients behind them: its count and its SII and RII are
  hidden, and so is the count of patients left out of the main nation's SII
  whenever it is small or a nation it adds up is hidden.
"""

from __future__ import annotations

import copy

import numpy as np

from workbench.fields import LONG_WAIT_WEEKS

SUPPRESSED = "*"
DEFAULT_THRESHOLD = 7
ORDERS = ("baseline", "scenario")
WAIT_FIGURES = ("mean_wait", "median_wait", "p90_wait", "within_18")
WITHIN, OVER_STANDARD = "within_18", "over_18"


def suppression_mask(counts, threshold: int = DEFAULT_THRESHOLD, forced=None) -> np.ndarray:
    """Which cells of a 1-D or 2-D table of counts to hide (True = hide).

    A 1-D table is one line with a total; a 2-D table has row and column
    totals. ``forced`` marks cells already hidden for another reason.

    >>> suppression_mask([3, 20, 12, 40]).tolist()
    [True, False, True, False]
    """
    table = np.atleast_2d(np.asarray(counts, dtype=np.int64))
    if (table < 0).any():
        raise ValueError("Counts cannot be negative")
    mask = (table >= 1) & (table <= threshold)
    if forced is not None:
        mask |= np.atleast_2d(np.asarray(forced, dtype=bool))
    changed = True
    while changed:  # hiding a cell in a column can expose its row, and so on
        changed = _protect_lines(table, mask, threshold) | _protect_lines(table.T, mask.T, threshold)
    return mask.reshape(np.shape(counts))


def _protect_lines(table: np.ndarray, mask: np.ndarray, threshold: int) -> bool:
    """Hide more cells in each row of ``table`` until none is exposed; True if any was hidden."""
    changed = False
    if table.shape[1] < 2:
        return False  # a one-cell line is its own total: nothing to protect it with
    for values, hidden in zip(table, mask):
        while _exposed(values, hidden, threshold):
            candidates = np.flatnonzero(~hidden & (values > 0))
            if not len(candidates):
                break
            hidden[candidates[np.argmin(values[candidates])]] = True
            changed = True
    return changed


def _exposed(values: np.ndarray, hidden: np.ndarray, threshold: int) -> bool:
    hidden_count = int(hidden.sum())
    hidden_sum = int(values[hidden].sum())
    return hidden_count == 1 or 1 <= hidden_sum <= threshold


def suppress(table, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """A table of counts with small counts, and whatever would give them back, as "*".

    >>> suppress([3, 20, 12, 40]).tolist()
    ['*', 20, '*', 40]
    >>> suppress([[5, 10], [30, 40]]).tolist()
    [['*', '*'], ['*', '*']]
    >>> suppress([0, 9, 12]).tolist()
    [0, 9, 12]
    """
    counts = np.asarray(table, dtype=np.int64)
    shown = counts.astype(object)
    shown[suppression_mask(counts, threshold)] = SUPPRESSED
    return shown


def suppressed_summary(summary: dict, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """A copy of an equity summary safe to display or export (see the module notes).

    Adds ``"suppression_threshold"``; hidden figures become ``"*"``.
    """
    shown = copy.deepcopy(summary)
    groups = shown["groups"]
    shown["suppression_threshold"] = threshold
    if not groups:
        return shown
    counts = np.array([g["count"] for g in groups], dtype=np.int64)
    small = (counts >= 1) & (counts <= threshold)
    count_hidden = suppression_mask(counts, threshold)
    unknown_hidden = _column_mask(groups, lambda g: g["wait_unknown"], threshold, small)
    for index, group in enumerate(groups):
        _hide_group_cells(group, small[index], count_hidden[index], unknown_hidden[index], threshold)
    for order in ORDERS:
        _hide_order_columns(groups, order, threshold, small)
    for figures in shown.get("overall", {}).values():
        _hide_overall(figures, threshold)
    _hide_small_nations(shown, threshold)
    return shown


def _hide_overall(figures: dict, threshold: int) -> None:
    for weeks in LONG_WAIT_WEEKS:
        if 1 <= figures[f"over_{weeks}"] <= threshold:
            figures[f"over_{weeks}"] = SUPPRESSED
    if figures[OVER_STANDARD] == SUPPRESSED:
        figures[WITHIN] = SUPPRESSED


def _hide_small_nations(shown: dict, threshold: int) -> None:
    """Hide the SII, RII and count of a nation with a handful of patients, and what would give them back."""
    hidden_any = False
    for nation, figures in shown.get("sii_by_nation", {}).items():
        if 1 <= figures["patients"] <= threshold:
            figures.update(patients=SUPPRESSED, sii=dict.fromkeys(ORDERS, SUPPRESSED), rii=dict.fromkeys(ORDERS, SUPPRESSED))
            if nation == shown.get("sii_nation"):
                shown["sii"], shown["rii"] = dict(figures["sii"]), dict(figures["rii"])
            else:
                hidden_any = True
    left_out = shown.get("sii_left_out", 0)
    if hidden_any or 1 <= left_out <= threshold:
        shown["sii_left_out"] = SUPPRESSED


def _column_mask(groups: list[dict], cell, threshold: int, forced: np.ndarray) -> np.ndarray:
    values = np.array([cell(g) for g in groups], dtype=np.int64)
    return suppression_mask(values, threshold, forced)


def _hide_group_cells(group: dict, small: bool, count_hidden: bool, unknown_hidden: bool, threshold: int) -> None:
    known = group["count"] - group["wait_unknown"]
    if count_hidden:
        group["count"] = group["share_of_list"] = SUPPRESSED
    if unknown_hidden:
        group["wait_unknown"] = SUPPRESSED
    if small or 1 <= known <= threshold:
        for order in ORDERS:
            group[order].update({name: SUPPRESSED for name in WAIT_FIGURES})
        group["change_mean_wait_weeks"] = group["change"] = SUPPRESSED
    if small:
        for order in ORDERS:
            group[order]["share_of_next_n"] = SUPPRESSED


def _hide_order_columns(groups: list[dict], order: str, threshold: int, small: np.ndarray) -> None:
    next_hidden = _column_mask(groups, lambda g: g[order]["next_n_count"], threshold, small)
    for group, hidden in zip(groups, next_hidden):
        if hidden:
            group[order]["next_n_count"] = group[order]["share_of_next_n"] = SUPPRESSED
    for weeks in LONG_WAIT_WEEKS:
        key = f"over_{weeks}"
        hidden = _column_mask(groups, lambda g: g[order][key], threshold, small)
        for group, hide in zip(groups, hidden):
            if hide:
                group[order][key] = SUPPRESSED
                if key == OVER_STANDARD:
                    group[order][WITHIN] = SUPPRESSED
