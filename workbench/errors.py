"""What can be wrong, in plain words: a problem the user can act on, and what the checks find in a list.

Below every stage of the core, so the workspace can store findings without
importing the checks that make them (:mod:`workbench.check.validation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class WorkbenchError(Exception):
    """A problem the user can act on, with a message in plain words.

    The command line prints ``str(error)`` on one line and exits with status 2;
    the app shows it in a dialog. Never raise it for programming errors.
    """


# Every code the checks can report, with what it means; findings are stored and shown in this order.
FINDING_CODES: dict[str, str] = {
    "nhs_number_invalid": "NHS number missing, a placeholder (one digit repeated), or fails the modulus 11 check",
    "duplicate_pathway": "The same pathway ID is on more than one row",
    "duplicate_patient_specialty": "The same patient is on more than one pathway in one specialty",
    "missing_wait_start": "No wait start (clock start) date",
    "future_wait_start": "Wait start is after the census date",
    "clock_stopped": "Clock stopped on or before the census date but still on the list: not waiting, left out of waits",
    "unreadable_date": "A date could not be read",
    "implausible_date": "A placeholder or impossible date, such as 01/01/1900 or 31/12/9999",
    "missing_priority": "No clinical priority",
    "unknown_priority": "Clinical priority not recognised (expected P1a, P1b, P2 to P6)",
    "priority_overdue": "Waited longer than the clinical priority's time limit since the priority was set",
    "unknown_treatment_function": "Treatment function code not in the NHS Data Dictionary list, or retired",
    "invalid_lsoa": "LSOA is not a known English, Welsh or Scottish area (of 2011 or 2021)",
    "lsoa_not_in_index": "LSOA is a real area, but the chosen deprivation index has no decile for it",
    "unknown_ethnicity": "Ethnic category not stated, not known, or not a Data Dictionary code",
    "age_out_of_range": "Age below 0 or over 120 (infant codes 7001-7007 are under one), or born after the census date",
    "file_value_differs": "The file's own value of a field the workbench works out differs from the workbench's",
}


@dataclass(frozen=True, eq=False)  # eq=False: NumPy arrays have no single truth value
class Finding:
    """One kind of problem and the rows that have it.

    Invariants: ``rows`` is sorted int64 (0-based positions in the list, each
    at most once) and ``details`` is an object array of the same length saying
    what was found on each row.
    """

    code: str
    rows: np.ndarray
    details: np.ndarray

    @property
    def description(self) -> str:
        """The plain-words description of the code."""
        return FINDING_CODES[self.code]
