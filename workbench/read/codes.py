"""Code lists as extracts carry them: treatment functions, ethnicity schemes, waiting list types.

- **Treatment function codes** (the NHS Data Dictionary's main specialty and
  treatment function table, bundled as ``resources/codes/treatment-function-codes.md``):
  a code's title for people to read, and whether a code is one at all.
- **Ethnicity**: the 2001 scheme uses letters (A British ... S any other, Z not
  stated, 99 not known); Hospital Episode Statistics used digits until 2001-02
  (0 White, 1 Black Caribbean, 2 Black African, 3 Black Other, 4 Indian,
  5 Pakistani, 6 Bangladeshi, 7 Chinese, 8 any other, 9 not given, X not
  known). A column is read in one scheme, decided once from all its values:
  the old one when every value is a digit or X (and none is 99).
- **Waiting list types** (WLMDS): IRTT and ORTT are RTT pathways (admitted
  and non-admitted); INON and ONON are planned or other non-RTT activity,
  which stays on the list but is not part of RTT waits or breaches.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from workbench.resources import resource_path

TREATMENT_FUNCTION_FILE = "treatment-function-codes.md"
RETIRED, NOT_A_TREATMENT_FUNCTION = "Retired", "not a Treatment Function"
_TABLE_ROW = re.compile(r"^\|\s*(\d{3})\s*\|\s*([^|]*?)\s*\|")

NOT_STATED = "Not stated/unknown"
WHITE, MIXED, ASIAN, BLACK, OTHER = "White", "Mixed", "Asian", "Black", "Other"
# NHS Data Dictionary ethnic category (England, 2001 scheme) -> the broad group used in reporting.
ETHNIC_GROUP_OF_CATEGORY: dict[str, str] = {
    **dict.fromkeys("ABC", WHITE),
    **dict.fromkeys("DEFG", MIXED),
    **dict.fromkeys("HJKL", ASIAN),
    **dict.fromkeys("MNP", BLACK),
    **dict.fromkeys("RS", OTHER),
    "Z": NOT_STATED,
    "99": NOT_STATED,
}
# The scheme HES used before 2001-02: code -> (what it means, broad group).
LEGACY_ETHNIC_CODES: dict[str, tuple[str, str]] = {
    "0": ("White", WHITE),
    "1": ("Black Caribbean", BLACK),
    "2": ("Black African", BLACK),
    "3": ("Black Other", BLACK),
    "4": ("Indian", ASIAN),
    "5": ("Pakistani", ASIAN),
    "6": ("Bangladeshi", ASIAN),
    "7": ("Chinese", OTHER),  # as the 2001 scheme groups Chinese (R)
    "8": ("any other ethnic group", OTHER),
    "9": ("not given", NOT_STATED),
    "X": ("not known", NOT_STATED),
}
LEGACY_SCHEME = "the scheme HES used before 2001 (0 White, 1-8 specific groups, 9 not given, X not known)"

RTT_LIST_TYPES = frozenset({"IRTT", "ORTT", "RTTI", "RTTO", "PTLI", "PTLO"})
NON_RTT_LIST_TYPES = frozenset({"INON", "ONON"})
_NON_RTT_WORDS = re.compile(r"\bnon[\s\-]*rtt\b|\bplanned\b|\bsurveillance\b", re.IGNORECASE)


# -- treatment functions ------------------------------------------------------------------


@lru_cache(maxsize=1)
def treatment_functions() -> dict[str, str]:
    """Every code in the bundled table -> its title ("Retired" or "not a Treatment Function" for those).

    >>> treatment_functions()["110"], treatment_functions()["510"]
    ('Trauma & Orthopaedics', 'Retired')
    """
    found = {}
    for line in resource_path("codes", TREATMENT_FUNCTION_FILE).read_text(encoding="utf-8").splitlines():
        row = _TABLE_ROW.match(line)
        if row:
            found[row.group(1)] = row.group(2)
    return found


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    """Treatment function titles, lower case -> code, for files that name the specialty instead."""
    return {title.casefold(): code for code, title in treatment_functions().items() if _is_current(title)}


def _is_current(title: str) -> bool:
    return title not in (RETIRED, NOT_A_TREATMENT_FUNCTION)


def specialty_name(specialty: str | None) -> str | None:
    """The title of a treatment function code; a specialty already named keeps its name.

    >>> specialty_name("130"), specialty_name("Ophthalmology"), specialty_name("999"), specialty_name(None)
    ('Ophthalmology', 'Ophthalmology', None, None)
    """
    if specialty is None:
        return None
    title = treatment_functions().get(specialty.strip())
    if title is not None:
        return title if _is_current(title) else None
    return specialty.strip() if specialty.strip().casefold() in _titles() else None


def treatment_function_problem(specialty: str) -> str | None:
    """What is wrong with a specialty as a treatment function, or None if it is a current one.

    >>> [treatment_function_problem(c) for c in ["110", "Ophthalmology", "510", "312", "999", "&"]]
    [None, None, "'510' is a retired code", "'312' is not a treatment function", "'999' is not in the NHS Data Dictionary list", "'&' is not in the NHS Data Dictionary list"]
    """
    text = specialty.strip()
    title = treatment_functions().get(text)
    if title == RETIRED:
        return f"'{text}' is a retired code"
    if title == NOT_A_TREATMENT_FUNCTION:
        return f"'{text}' is not a treatment function"
    if title is None and text.casefold() not in _titles():
        return f"'{text}' is not in the NHS Data Dictionary list"
    return None


# -- ethnicity -----------------------------------------------------------------------------


def is_legacy_ethnicity(codes) -> bool:
    """Whether a column's distinct codes are in the pre-2001 scheme: digits and X only, never 99.

    >>> is_legacy_ethnicity(["0", "4", "X", None]), is_legacy_ethnicity(["A", "0"]), is_legacy_ethnicity(["99", "9"])
    (True, False, False)
    >>> is_legacy_ethnicity([None])
    False
    """
    given = {str(code).strip().upper() for code in codes if code is not None}
    return bool(given) and given <= set(LEGACY_ETHNIC_CODES)


def ethnic_group(code: str | None, legacy: bool) -> str:
    """The broad group of one code in the column's scheme.

    >>> ethnic_group("H", False), ethnic_group("4", True), ethnic_group("4", False), ethnic_group("X", True)
    ('Asian', 'Asian', 'Not stated/unknown', 'Not stated/unknown')
    """
    key = "" if code is None else str(code).strip().upper()
    if legacy:
        return LEGACY_ETHNIC_CODES.get(key, ("", NOT_STATED))[1]
    return ETHNIC_GROUP_OF_CATEGORY.get(key, NOT_STATED)


# -- waiting list types ------------------------------------------------------------------------


def is_rtt(list_type: str | None) -> bool:
    """Whether a waiting list type is an RTT pathway. A blank or unrecognised type counts as
    RTT (a PTL without types is an RTT list); INON, ONON and types described as non-RTT,
    planned or surveillance do not.

    >>> [is_rtt(t) for t in ["IRTT", "ORTT", "ONON", "inon", "Planned", "Non-RTT", None]]
    [True, True, False, False, False, False, True]
    """
    if list_type is None:
        return True
    text = list_type.strip()
    return text.upper() not in NON_RTT_LIST_TYPES and not _NON_RTT_WORDS.search(text)


def rtt_flags(list_types: np.ndarray) -> np.ndarray:
    """1.0 for RTT pathways, 0.0 for non-RTT ones, one per distinct value (see :func:`is_rtt`)."""
    return np.array([1.0 if is_rtt(t) else 0.0 for t in list_types], dtype=np.float64)
