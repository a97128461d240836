"""The list view's columns: which fields it shows, in what order, and each row's data problems in a few words."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from workbench.fields import DATE, FIELD_KINDS, NUMBER, TEXT, WaitingList
from workbench.view.filters import FINDINGS, ROW_NUMBER


# Short names for the data-quality codes, for the "Data problems" column (the full
# description is in its tooltip and in the data-quality panel).
PROBLEM_NAMES = {
    "nhs_number_invalid": "NHS number",
    "duplicate_pathway": "Duplicate pathway",
    "duplicate_patient_specialty": "Patient listed twice",
    "missing_wait_start": "No wait start",
    "future_wait_start": "Future wait start",
    "clock_stopped": "Clock stopped",
    "unreadable_date": "Unreadable date",
    "implausible_date": "Placeholder date",
    "missing_priority": "No priority",
    "unknown_priority": "Unknown priority",
    "priority_overdue": "Overdue for priority",
    "unknown_treatment_function": "Unknown treatment function",
    "invalid_lsoa": "Unknown LSOA",
    "lsoa_not_in_index": "LSOA without a decile",
    "unknown_ethnicity": "Ethnicity unknown",
    "age_out_of_range": "Implausible age",
    "file_value_differs": "File's own value differs",
}
LEADING_FIELDS = (ROW_NUMBER, "source_line", FINDINGS)
SHOWN_BESIDE = {"specialty_name": "specialty"}  # a derived column read with a canonical one: shown after it
SHOWN_AS = {"specialty_description": "specialty_name"}  # a file's column whose values a derived one shows


def problem_name(code: str) -> str:
    """The short name of a data-quality code.

    >>> problem_name("priority_overdue"), problem_name("some_new_check")
    ('Overdue for priority', 'Some new check')
    """
    return PROBLEM_NAMES.get(code, code.replace("_", " ").capitalize())


def shown_columns(wl: WaitingList) -> list[str]:
    """Row, line in file, data problems, then the canonical and derived fields that hold any value."""
    lines = wl.columns.get("source_line")
    names = [ROW_NUMBER] + (["source_line"] if lines is not None and _has_values(NUMBER, lines) else []) + [FINDINGS]
    for name, values in wl.columns.items():
        if name in SHOWN_AS and SHOWN_AS[name] in wl.columns:
            continue
        if name in FIELD_KINDS and name not in LEADING_FIELDS and _has_values(FIELD_KINDS[name], values):
            names.append(name)
    for name, beside in SHOWN_BESIDE.items():
        if name in names and beside in names:
            names.remove(name)
            names.insert(names.index(beside) + 1, name)
    return names


def _has_values(kind: str, values: np.ndarray) -> bool:
    if kind == TEXT:
        # The first rows usually answer it; only an (almost) empty column needs the full scan.
        return any(v is not None for v in values[:2000]) or not pd.isna(values).all()
    if kind == DATE:
        return not np.isnat(values).all()
    return not np.isnan(values).all()


def _distinct_with_positions(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(bits, return_inverse=True)``, by counting when the values are small (no sort of a million rows).

    >>> [a.tolist() for a in _distinct_with_positions(np.array([5, 0, 5, 2]))]
    [[0, 2, 5], [2, 0, 2, 1]]
    """
    if len(bits) == 0 or bits.max() >= 1 << 20:
        return np.unique(bits, return_inverse=True)
    patterns = np.flatnonzero(np.bincount(bits))
    position = np.zeros(int(patterns[-1]) + 1, dtype=np.int64)
    position[patterns] = np.arange(len(patterns))
    return patterns, position[bits]


def problem_codes(n: int, finding_rows: Mapping[str, np.ndarray]) -> np.ndarray:
    """Each row's problems by short name, joined by ', ' (None for a row without problems).

    Vectorised (one bit per code) because a million-row list can have hundreds
    of thousands of findings.

    >>> problem_codes(3, {"missing_priority": np.array([0, 2]), "b_c": np.array([2])}).tolist()
    ['No priority', None, 'No priority, B c']
    """
    codes = list(finding_rows)[:63]
    bits = np.zeros(n, dtype=np.int64)
    for position, code in enumerate(codes):
        bits[np.asarray(finding_rows[code], dtype=np.int64)] |= 1 << position
    patterns, which = _distinct_with_positions(bits)
    labels = [", ".join(problem_name(c) for k, c in enumerate(codes) if int(p) >> k & 1) or None for p in patterns]
    return np.array(labels, dtype=object)[which] if n else np.empty(0, dtype=object)
