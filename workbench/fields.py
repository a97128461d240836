"""The canonical fields of a waiting list, their types, and the list held in memory.

Every imported file is mapped onto these names. In memory a list is a set of
NumPy columns of equal length (see :class:`WaitingList`), typed by ``kind``:

- ``text``: object array of ``str`` or ``None`` (identifiers keep leading zeros)
- ``date``: ``datetime64[D]`` with ``NaT`` for missing
- ``number``: ``float64`` with ``NaN`` for missing (ages, deciles, ranks, weeks)
- ``flag``: ``float64`` holding 1.0 / 0.0, ``NaN`` for missing

In the SQLite workspace dates are ISO text (YYYY-MM-DD), numbers are REAL or
INTEGER and text is TEXT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd

from workbench.check.deprivation import DOMAINS, domain_deciles

TEXT, DATE, NUMBER, FLAG = "text", "date", "number", "flag"

# Canonical fields a source column can be mapped onto, in display order.
CANONICAL_FIELDS: dict[str, str] = {
    "pathway_id": TEXT,
    "nhs_number": TEXT,
    "specialty": TEXT,  # treatment function code, e.g. "110"
    "specialty_description": TEXT,  # the specialty's name as the file writes it, beside its code
    "procedure": TEXT,
    "clinical_priority": TEXT,  # normalised to P1a, P1b, P2 ... P6
    "wait_start": DATE,  # RTT clock start (or, without one, the decision to admit)
    "clock_stop_date": DATE,  # RTT period end: on or before the census date, the pathway is not waiting
    "decision_to_admit_date": DATE,  # or the date added to the list: when the priority was set
    "priority_review_date": DATE,  # the last clinical priority review
    "last_validation_date": DATE,  # the last administrative (PAS) validation of the pathway
    "census_date": DATE,
    "date_of_birth": DATE,
    "age": NUMBER,
    "sex": TEXT,
    "ethnic_category": TEXT,  # NHS Data Dictionary code, e.g. "A", "99"
    "lsoa": TEXT,
    "imd_decile": NUMBER,
    "postcode": TEXT,
    "site": TEXT,
    "consultant": TEXT,
    "tci_date": DATE,
    "waiting_list_type": TEXT,  # IRTT, ORTT (RTT); INON, ONON (non-RTT) ...
    "mutual_aid_provider": TEXT,  # the provider treating the patient under mutual aid
}

# Fields the workbench works out from the canonical ones (enrichment).
DERIVED_FIELDS: dict[str, str] = {
    "weeks_waited": NUMBER,  # (census date - wait start) / 7; NaN where the wait is not counted
    "wait_not_counted": TEXT,  # why not (waits.NOT_COUNTED_REASONS); None when the wait counts
    "rtt_pathway": FLAG,  # 1 for RTT pathways, 0 for non-RTT list types (waits.is_rtt)
    "priority_date": DATE,  # when the priority's time limit started: last review, else listing, else clock start
    "priority_date_from": TEXT,  # which of those it is (waits.PRIORITY_DATE_SOURCES)
    "specialty_name": TEXT,  # the specialty's name: the file's own, else the NHS Data Dictionary's title
    "age_years": NUMBER,  # from date of birth at the census date, else the age column
    "age_band": TEXT,
    "imd_rank": NUMBER,  # within its nation, 1 = most deprived
    "imd_quintile": NUMBER,  # 1 = most deprived fifth
    "core20": FLAG,  # England IMD quintile 1
    "deprivation_nation": TEXT,  # England, Wales or Scotland: deciles are not comparable across nations
    "deprivation_index": TEXT,  # the index the decile comes from: IoD2025, WIMD 2025, SIMD 2020v2, IoD2019...
    "deprivation_link": TEXT,  # how the area was linked: directly, through the ONS lookup, or not at all
    "ethnic_group": TEXT,  # White, Mixed, Asian, Black, Other, Not stated/unknown
}

# Worked out from the linked area when first asked for (WaitingList.column), never stored: seven
# more stored columns would cost a million-row import about 8% more time and 60 MB more memory.
ON_DEMAND_FIELDS: dict[str, str] = {domain: NUMBER for domain in DOMAINS}  # IoD2025 domain deciles, England only

# Where each row came from: the row or line number a person sees in the file.
ROW_FIELDS: dict[str, str] = {"source_line": NUMBER}

FIELD_KINDS: dict[str, str] = {**CANONICAL_FIELDS, **DERIVED_FIELDS, **ROW_FIELDS}

# Fields a usable list cannot do without.
REQUIRED_FIELDS = ("pathway_id", "wait_start")

# Surgical prioritisation codes (FSSA), most urgent first, and the time limit in
# days used for ``priority_overdue`` (None: no limit).
PRIORITY_CODES = ("P1a", "P1b", "P2", "P3", "P4", "P5", "P6")
PRIORITY_TIME_LIMIT_DAYS: dict[str, float | None] = {
    "P1a": 1,
    "P1b": 3,
    "P2": 28,
    "P3": 91,
    "P4": None,
    "P5": None,
    "P6": None,
}

ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not stated/unknown")
AGE_BANDS = ("0-17", "18-39", "40-64", "65-79", "80+")
LONG_WAIT_WEEKS = (18, 52, 65, 78, 104)  # national reporting's thresholds
RTT_STANDARD_WEEKS = 18  # the constitutional standard: 92% waiting less than 18 weeks


def empty_column(kind: str, n: int) -> np.ndarray:
    """A column of ``n`` missing values of the given kind."""
    if kind == TEXT:
        return np.full(n, None, dtype=object)
    if kind == DATE:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(n, np.nan, dtype=np.float64)


class KnownCodes:
    """Text columns with their codes: ``values == append(distinct, None)[codes]``.

    A column is known by identity, so a new array put in its place is not
    mistaken for it. Invariant: a column never changes in place once its codes
    are known; :meth:`add` makes it (and its codes) read-only, so code that tries
    fails loudly (``ValueError: assignment destination is read-only``) instead of
    leaving codes that no longer match the values.

    >>> known = KnownCodes()
    >>> site = np.array(["B", None, "B"], dtype=object)
    >>> known.add(site, np.array([0, -1, 0]), np.array(["B"], dtype=object))
    >>> known.of(site)[0].tolist(), known.of(site.copy())
    ([0, -1, 0], None)
    >>> site[0] = "C"
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    >>> [part.tolist() for part in known.factorize(np.array(["x", None], dtype=object))]
    [[0, -1], ['x']]
    """

    def __init__(self):
        self._known: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def add(self, values: np.ndarray, codes: np.ndarray, distinct: np.ndarray) -> None:
        codes = smallest_codes(codes, len(distinct))
        for array in (values, codes, distinct):
            array.flags.writeable = False
        self._known[id(values)] = (values, codes, distinct)

    def of(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(codes, distinct values) of this very array, or None."""
        known = self._known.get(id(values))
        return (known[1], known[2]) if known is not None and known[0] is values else None

    def factorize(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Codes (-1 for None) and distinct values, as ``pd.factorize`` gives them (any order)."""
        known = self.of(values)
        if known is not None:
            return known
        codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        return codes, np.asarray(distinct, dtype=object)

    def add_spread(self, values: np.ndarray, codes: np.ndarray, per_code: np.ndarray) -> None:
        """Note ``values == append(per_code, None)[codes]``, where ``per_code`` may repeat values or hold None."""
        new_codes, distinct = pd.factorize(np.asarray(per_code, dtype=object), use_na_sentinel=True)
        self.add(values, np.append(new_codes, -1).astype(np.int32)[codes], np.asarray(distinct, dtype=object))

    def per_distinct(self, values: np.ndarray, rule, missing) -> np.ndarray:
        """``rule(distinct values)`` (an array) spread back over the rows; ``missing`` for empty cells.

        >>> KnownCodes().per_distinct(np.array(["a", None, "bb"], dtype=object), lambda d: np.char.str_len(d.astype(str)), -1).tolist()
        [1, -1, 2]
        """
        codes, distinct = self.factorize(values)
        done = np.asarray(rule(distinct))
        return np.append(done, np.array([missing], dtype=done.dtype))[codes]

    def update(self, other: "KnownCodes") -> None:
        self._known.update(other._known)


def per_value(values: np.ndarray, rule: Callable[[object], object], dtype=object) -> np.ndarray:
    """``rule`` applied once per distinct value (and once to None if any is missing), spread over the rows.

    >>> per_value(np.array(["a", None, "a"], dtype=object), lambda v: v is None, bool).tolist()
    [False, True, False]
    """
    codes, distinct = pd.factorize(np.asarray(values), use_na_sentinel=True)  # numbers hash as numbers
    results = [rule(v) for v in distinct]
    if (codes < 0).any():
        results.append(rule(None))
    done = np.empty(len(results), dtype=dtype)
    done[:] = results  # element by element: NumPy would make short texts fixed-width
    return done[np.where(codes >= 0, codes, len(distinct))]


def repeats_a_lot(values: np.ndarray) -> bool:
    """Whether a column's first 10,000 values hold at most a quarter as many distinct ones:
    then working once per distinct value (and keeping codes) pays for hashing them.

    >>> repeats_a_lot(np.array(["P2", "P3"] * 10, dtype=object)), repeats_a_lot(np.arange(20))
    (True, False)
    """
    sample = values[:10_000]
    return len(sample) > 0 and len(pd.unique(sample)) <= len(sample) // 4


def smallest_codes(codes: np.ndarray, count: int) -> np.ndarray:
    """Codes in the smallest integer type that also holds ``count`` (a million rows of a dozen
    values take 1 MB, not 8): memory is the limit on the biggest lists."""
    for kind in (np.int8, np.int16, np.int32):
        if count < np.iinfo(kind).max:
            return codes.astype(kind, copy=False)
    return codes


@dataclass
class WaitingList:
    """A waiting list in memory: equal-length NumPy columns.

    Invariants: every array in ``columns`` and ``source`` has ``len(row_id)``
    entries; ``row_id`` is the 1-based position of the row in the imported file's
    data rows and never changes, so findings and decisions can name a row.

    ``columns`` holds the canonical and derived fields (see ``FIELD_KINDS``);
    ``source`` holds every column of the source file as text, keyed by its
    header as it appeared in the file (made unique if the file repeated one).
    """

    row_id: np.ndarray
    columns: dict[str, np.ndarray]
    source: dict[str, np.ndarray] = field(default_factory=dict)
    census_date: date | None = None
    # Text columns whose codes are known (read from the file or the workspace that way):
    # filters, checks and saving can then skip hashing a million strings.
    known_codes: KnownCodes = field(default_factory=KnownCodes, repr=False)

    def __len__(self) -> int:
        return len(self.row_id)

    def codes_of(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The integer codes (-1: empty) and distinct values of ``values``, if known."""
        return self.known_codes.of(values)

    def column(self, name: str) -> np.ndarray:
        """A canonical, derived or source column by name.

        Canonical and derived names win; otherwise a source header matches
        exactly, then ignoring case and surrounding spaces. Raises ``KeyError``
        naming the column if there is none.
        """
        if name in self.columns:
            return self.columns[name]
        if name in ON_DEMAND_FIELDS and "deprivation_link" in self.columns:
            return domain_deciles(self.columns, name, self.known_codes)
        if name in self.source:
            return self.source[name]
        wanted = name.strip().casefold()
        for header in self.source:  # headers only: a stored column is decoded when first read
            if header.strip().casefold() == wanted:
                return self.source[header]
        raise KeyError(f"The list has no column called '{name}'")

    def has_column(self, name: str) -> bool:
        if name in ON_DEMAND_FIELDS:
            return "deprivation_link" in self.columns
        try:
            self.column(name)
        except KeyError:
            return False
        return True

    def column_names(self) -> list[str]:
        """Canonical and derived names first (the IoD2025 domains among them, where the list has areas),
        then the source headers."""
        on_demand = [name for name in ON_DEMAND_FIELDS if self.has_column(name)]
        return list(self.columns) + on_demand + [h for h in self.source if h not in self.columns]
