"""Which row of one list is which row of another: pathways matched across snapshots.

Two lists of the same waiting list, a week or a month apart, hold mostly the
same pathways in any order. A pathway is matched:

1. **by pathway ID**: the same ID on both lists (a pathway ID written twice on
   one list, a ``duplicate_pathway`` finding, pairs its first occurrence with
   the other list's first, its second with the second...);
2. **by NHS number and specialty**, as a fallback, only for rows left over on
   both sides: the same valid NHS number (or the same pseudonym) in the same
   specialty, once on each side, and a clock start on the later list no later
   than the earlier list's census date (a new referral's clock starts after
   it, so a patient treated and referred again is never taken for one
   pathway). These matches are reported as such, never mixed in silently.

Everything else is unmatched: on the earlier list only (left), or on the later
only (joined).

>>> earlier = WaitingList(np.arange(1, 4), {"pathway_id": np.array(["A", "B", "C"], dtype=object)})
>>> later = WaitingList(np.arange(1, 3), {"pathway_id": np.array(["C", "A"], dtype=object)})
>>> found = match_pathways(earlier, later)
>>> found.earlier.tolist(), found.later.tolist(), found.by_fallback.tolist()
([0, 2], [1, 0], [False, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.fields import WaitingList, empty_column
from workbench.read.nhs_number import valid_mask
from workbench.store.pseudonymise import PSEUDONYM_PREFIX  # a pseudonymised NHS number stands for a valid one

BY_PATHWAY_ID, BY_NHS_NUMBER_AND_SPECIALTY = "pathway ID", "NHS number and specialty"


@dataclass(frozen=True)
class Matches:
    """Pairs of matched rows: ``earlier[i]`` (a row position on the earlier list) is
    ``later[i]`` (on the later list); ``by_fallback[i]`` says it was matched by NHS
    number and specialty, not by pathway ID. Positions are in earlier-list order."""

    earlier: np.ndarray
    later: np.ndarray
    by_fallback: np.ndarray

    def how(self) -> np.ndarray:
        """How each pair was matched, in words."""
        return np.where(self.by_fallback, BY_NHS_NUMBER_AND_SPECIALTY, BY_PATHWAY_ID).astype(object)

    @property
    def by_id_count(self) -> int:
        return int((~self.by_fallback).sum())

    @property
    def by_fallback_count(self) -> int:
        return int(self.by_fallback.sum())


def match_pathways(earlier: WaitingList, later: WaitingList, earlier_rows: np.ndarray | None = None,
                   later_rows: np.ndarray | None = None) -> Matches:
    """Match the rows ``earlier_rows`` of ``earlier`` with ``later_rows`` of ``later`` (default: all)."""
    earlier_rows = np.arange(len(earlier)) if earlier_rows is None else np.asarray(earlier_rows, dtype=np.int64)
    later_rows = np.arange(len(later)) if later_rows is None else np.asarray(later_rows, dtype=np.int64)
    first, second = _by_pathway_id(_text(earlier, "pathway_id")[earlier_rows], _text(later, "pathway_id")[later_rows])
    left_over = np.setdiff1d(np.arange(len(earlier_rows)), first), np.setdiff1d(np.arange(len(later_rows)), second)
    fallback = _by_nhs_number_and_specialty(earlier, later, earlier_rows[left_over[0]], later_rows[left_over[1]])
    pairs_earlier = np.concatenate([earlier_rows[first], fallback[0]])
    pairs_later = np.concatenate([later_rows[second], fallback[1]])
    by_fallback = np.concatenate([np.zeros(len(first), bool), np.ones(len(fallback[0]), bool)])
    order = np.argsort(pairs_earlier, kind="stable")
    return Matches(pairs_earlier[order], pairs_later[order], by_fallback[order])


def _by_pathway_id(earlier_ids: np.ndarray, later_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the pairs with the same ID (and the same occurrence of it); empty IDs never match."""
    earlier, later = _occurrences(earlier_ids), _occurrences(later_ids)
    paired = earlier.merge(later, on=["key", "occurrence"], suffixes=("_earlier", "_later"))
    return paired["position_earlier"].to_numpy(np.int64), paired["position_later"].to_numpy(np.int64)


def _occurrences(keys: np.ndarray) -> pd.DataFrame:
    """Each non-empty key with its position and which occurrence of it this is (0 for the first)."""
    keys = pd.Series(keys, dtype=object)  # as imported: stripped, blanks None (workbench.read.normalise)
    present = keys.notna().to_numpy()
    frame = pd.DataFrame({"key": keys[present].astype(str).to_numpy(), "position": np.flatnonzero(present)})
    frame = frame[frame["key"] != ""]
    repeated = frame["key"].duplicated()
    frame["occurrence"] = frame.groupby("key").cumcount() if repeated.any() else 0
    return frame


def _by_nhs_number_and_specialty(earlier: WaitingList, later: WaitingList, earlier_rows: np.ndarray,
                                 later_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs with one usable NHS number in one specialty on each side, the later clock
    starting by the earlier census date."""
    first, second = _unique_person_keys(earlier, earlier_rows), _unique_person_keys(later, later_rows)
    paired = first.merge(second, on="key", suffixes=("_earlier", "_later"))
    starts = _dates(later, "wait_start")[paired["row_later"].to_numpy(np.int64)]
    census = np.datetime64(earlier.census_date, "D") if earlier.census_date else np.datetime64("NaT", "D")
    kept = paired[~np.isnat(starts) & (starts <= census)]
    return kept["row_earlier"].to_numpy(np.int64), kept["row_later"].to_numpy(np.int64)


def _unique_person_keys(wl: WaitingList, rows: np.ndarray) -> pd.DataFrame:
    """(NHS number, specialty) of the given rows where the number is usable and the pair is there once."""
    numbers, specialty = _text(wl, "nhs_number")[rows], _text(wl, "specialty")[rows]
    usable = usable_nhs_numbers(numbers) & (specialty != None)  # noqa: E711 (elementwise)
    keys = pd.Series(numbers[usable].astype(str) + "|" + specialty[usable].astype(str))
    frame = pd.DataFrame({"key": keys.to_numpy(), "row": rows[usable]})
    return frame[~frame["key"].duplicated(keep=False)]


def usable_nhs_numbers(numbers: np.ndarray) -> np.ndarray:
    """Mask: a valid NHS number, or a pseudonym of one: a number a person can be told apart by.

    >>> usable_nhs_numbers(np.array(["9434765919", "1111111111", "PSN-00ab", None], dtype=object)).tolist()
    [True, False, True, False]
    """
    pseudonyms = np.array([isinstance(n, str) and n.startswith(PSEUDONYM_PREFIX) for n in numbers], dtype=bool)
    return valid_mask(numbers) | pseudonyms


def _text(wl: WaitingList, name: str) -> np.ndarray:
    values = wl.columns.get(name)
    return np.asarray(values, dtype=object) if values is not None else empty_column("text", len(wl))


def _dates(wl: WaitingList, name: str) -> np.ndarray:
    values = wl.columns.get(name)
    return values.astype("datetime64[D]") if values is not None else empty_column("date", len(wl))
