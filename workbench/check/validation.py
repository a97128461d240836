"""Data-quality checks over a waiting list: what a validation team needs to look at.

:func:`validate` returns one :class:`Finding` per problem found, each naming
the rows (0-based positions in the list) and, for every row, what was found in
plain words. Rows with findings are never dropped: the list stays whole and the
findings say which rows to check.

Conventions:

- A check on a field the file does not have is skipped (a field counts as
  present if it is mapped or has any value); the import summary already says
  which fields were not found.
- A *missing* value is blank in the file (or ``NULL``, ``N/A``, ``-``...);
  a value that is there but could not be understood is reported as such
  (``unreadable_date``, ``unknown_priority``...), never as missing.
- Each row appears at most once per finding; two problems of the same kind on
  one row (say two placeholder dates) are joined in its detail with "; ".
- Row numbers in details are ``row_id`` (the data row of the source file).

Everything is worked out on whole columns; text details are built once per
distinct value, so a million rows are checked in well under two seconds.
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from workbench import formats
from workbench.read import codes
from workbench.check import deprivation, waits
from workbench.read.dates import implausible_dates
from workbench.check.enrich import INFANT_AGE_CODES, MAX_AGE, completed_years, row_census_dates
from workbench.fields import (
    DERIVED_FIELDS, FIELD_KINDS, FLAG, NUMBER, PRIORITY_CODES, PRIORITY_TIME_LIMIT_DAYS, WaitingList, empty_column,
    per_value,
)
from workbench.read.mapping import header_key
from workbench.read.nhs_number import as_integers as nhs_as_integers
from workbench.read.nhs_number import is_placeholder as is_placeholder_nhs_number
from workbench.errors import FINDING_CODES, Finding
from workbench.progress import CancelCheck, check, never

# Date fields checked for unreadable and implausible values, with their names in details.
DATE_FIELD_LABELS = {
    "wait_start": "wait start",
    "clock_stop_date": "clock stop",
    "decision_to_admit_date": "decision to admit date",
    "priority_review_date": "priority review date",
    "last_validation_date": "last validation date",
    "census_date": "census date",
    "date_of_birth": "date of birth",
    "tci_date": "TCI date",
}
# Text that files use for "nothing here".
BLANK_TOKENS = frozenset({"", "NULL", "N/A", "NA", "NONE", "NAN", "NAT", "-", "--", "?"})
ETHNIC_CATEGORY_CODES = frozenset("ABCDEFGHJKLMNPRS") | {"Z", "99"}
# How many other rows a duplicate's detail names before it says "and N more".
NAMED_ROWS = 5
# Overdue details are keyed by the date used, priority and days together:
# (date used * OVERDUE_KEY + priority) * OVERDUE_KEY + days.
OVERDUE_KEY = 10_000_000
# A file's own weeks waited is usually rounded to whole weeks: only a bigger gap is a difference.
WEEKS_TOLERANCE = 1.0


def validate(wl: WaitingList, mapping: dict[str, str], cancelled: CancelCheck = never) -> list[Finding]:
    """Check a list; one :class:`Finding` per code with rows, in ``FINDING_CODES`` order.

    ``mapping`` is canonical field -> source header, used to tell a blank
    value from one that was there but could not be understood.

    >>> from workbench.fields import WaitingList
    >>> wl = WaitingList(row_id=np.array([1, 2]), census_date=None, columns={
    ...     "pathway_id": np.array(["A1", "A1"], dtype=object)})
    >>> [(f.code, f.rows.tolist(), f.details.tolist()) for f in validate(wl, {})]
    [('duplicate_pathway', [0, 1], ['also on row 2', 'also on row 1'])]
    """
    checks = _Checks(wl, mapping)
    findings = []
    for code in FINDING_CODES:
        check(cancelled)
        rows, details = getattr(checks, code)()
        if len(rows):
            findings.append(Finding(code, rows, details))
    return findings


Found = tuple[np.ndarray, np.ndarray]  # (sorted rows, details)


class _Checks:
    """One method per finding code, sharing the list's columns and census dates."""

    def __init__(self, wl: WaitingList, mapping: dict[str, str]):
        self.wl = wl
        self.mapping = mapping
        self.n = len(wl)

    # -- shared pieces -------------------------------------------------------------

    @cached_property
    def census(self) -> np.ndarray:
        return row_census_dates(self.wl.columns, self.wl.census_date, self.n)

    def present(self, name: str) -> bool:
        """Whether the file has this field: mapped, or any value in the column."""
        if name in self.mapping:
            return True
        values = self.wl.columns.get(name)
        return values is not None and not _is_missing(values).all()

    def column(self, name: str) -> np.ndarray:
        """A typed canonical or derived column; all missing if the list lacks it."""
        values = self.wl.columns.get(name)
        return empty_column(FIELD_KINDS[name], self.n) if values is None else values

    def raw(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The file's own text for a field at ``rows``; the typed value as text if unknown."""
        header = self.mapping.get(name)
        if header is not None and header in self.wl.source:
            return np.asarray(self.wl.source[header], dtype=object)[rows]
        values = self.column(name)[rows]
        return np.array([None if _is_missing_value(v) else str(v) for v in values], dtype=object)

    def blank_in_file(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Mask over ``rows``: the file has nothing in this field there."""
        source = self.wl.source.get(self.mapping.get(name))
        coded = self.wl.known_codes.of(source) if source is not None else None
        if coded is not None and len(coded[1]) < len(rows):
            # A column with known codes and fewer distinct texts than rows: each text is looked at once.
            return self.wl.known_codes.per_distinct(source, _blank_text, True)[rows]
        return _blank_text(self.raw(name, rows))

    @cached_property
    def nhs_integers(self) -> np.ndarray:
        """Valid NHS numbers as int64, -1 elsewhere."""
        return nhs_as_integers(self.column("nhs_number"))

    @cached_property
    def valid_nhs(self) -> np.ndarray:
        return self.nhs_integers >= 0

    @cached_property
    def implausible_wait_start(self) -> np.ndarray:
        return implausible_dates(self.column("wait_start"))

    # -- the checks, one per code ---------------------------------------------------

    def nhs_number_invalid(self) -> Found:
        if not self.present("nhs_number"):
            return _nothing()
        rows = np.flatnonzero(~self.valid_nhs)
        numbers = self.column("nhs_number")[rows]
        shown = _tidy_text(self.raw("nhs_number", rows))
        shown = np.where(_blank_text(shown), numbers, shown)
        pairs = np.array([f"{s}\x00{v}" for s, v in zip(shown, numbers)], dtype=object)
        return rows, _describe_each(pairs, _describe_nhs_number)

    def duplicate_pathway(self) -> Found:
        if not self.present("pathway_id"):
            return _nothing()
        codes, uniques = pd.factorize(self.column("pathway_id"), use_na_sentinel=True)
        # Only values that repeat can be duplicates: test those for "NULL", "-" and the like.
        repeated = np.unique(codes[pd.Series(codes).duplicated().to_numpy() & (codes >= 0)])
        blank = repeated[_blank_text(uniques[repeated])]
        return _duplicates(np.where(np.isin(codes, blank), -1, codes), self.wl.row_id)

    def duplicate_patient_specialty(self) -> Found:
        if not self.present("nhs_number"):
            return _nothing()
        patient = self.nhs_integers
        specialty = self._codes_with_blank("specialty")
        key = np.where(patient >= 0, patient * (specialty.max(initial=0) + 1) + specialty, -1)
        rows, details = _duplicates(key, self.wl.row_id)
        return _different_pathways(rows, details, key[rows], _column_or_blank(self.wl, "pathway_id", rows))

    def missing_wait_start(self) -> Found:
        return self._blank("wait_start", "no wait start date")

    def future_wait_start(self) -> Found:
        if not self.present("wait_start"):
            return _nothing()
        wait_start = self.column("wait_start")
        rows = np.flatnonzero((wait_start > self.census) & ~self.implausible_wait_start)
        pairs = np.array([f"{s}|{c}" for s, c in zip(wait_start[rows], self.census[rows])], dtype=object)
        return rows, _describe_each(pairs, _describe_future_start)

    def unreadable_date(self) -> Found:
        parts = [self._unreadable(name, label) for name, label in DATE_FIELD_LABELS.items()]
        return _combine(parts)

    def implausible_date(self) -> Found:
        parts = []
        for name, label in DATE_FIELD_LABELS.items():
            if self.present(name):
                rows = np.flatnonzero(implausible_dates(self.column(name)))
                parts.append((rows, _label_dates(label, self.column(name)[rows])))
        return _combine(parts)

    def missing_priority(self) -> Found:
        return self._blank("clinical_priority", "no clinical priority")

    def unknown_priority(self) -> Found:
        if not self.present("clinical_priority"):
            return _nothing()
        priority = self.column("clinical_priority")
        rows = np.flatnonzero(~self.wl.known_codes.per_distinct(priority, _known_priorities, False))
        raw = _tidy_text(self.raw("clinical_priority", rows))
        rows, raw = rows[~_blank_text(raw)], raw[~_blank_text(raw)]
        return rows, _describe_each(raw, lambda text: f"'{text}'")

    def clock_stopped(self) -> Found:
        if not self.present("clock_stop_date"):
            return _nothing()
        stop = self.column("clock_stop_date")
        rows = np.flatnonzero(waits.clock_stopped(stop, self.census))
        pairs = np.array([f"{s}|{c}" for s, c in zip(stop[rows], self.census[rows])], dtype=object)
        return rows, _describe_each(pairs, _describe_clock_stop)

    def priority_overdue(self) -> Found:
        if not (self.present("clinical_priority") and self.present("wait_start")):
            return _nothing()
        priority = self.column("clinical_priority")
        days = waits.days_since_priority(self.wl, self.census)
        rows = np.flatnonzero(waits.overdue(priority, days, self.wl.known_codes))
        code = per_value(priority[rows], _priority_number, np.int64)
        used = per_value(self.priority_date_from[rows], _date_used_number, np.int64)
        key = (used * OVERDUE_KEY + code) * OVERDUE_KEY + days[rows].astype(np.int64)
        return rows, _describe_each(key, _describe_overdue)

    @cached_property
    def priority_date_from(self) -> np.ndarray:
        used = self.wl.columns.get("priority_date_from")
        return used if used is not None else waits.priority_dates(self.wl.columns, self.census)[1]

    def unknown_treatment_function(self) -> Found:
        if not self.present("specialty"):
            return _nothing()
        problems = self.wl.known_codes.per_distinct(
            self.column("specialty"), lambda found: np.array([_specialty_problem(c) for c in found], dtype=object), None)
        rows = np.flatnonzero(problems != None)  # noqa: E711 (elementwise)
        return rows, problems[rows]

    def invalid_lsoa(self) -> Found:
        if not self.present("lsoa"):
            return _nothing()
        candidates = np.flatnonzero(~self.wl.known_codes.per_distinct(self.column("lsoa"), deprivation.is_known_area, False))
        codes = _tidy_text(self.raw("lsoa", candidates))
        given = ~_blank_text(codes)
        rows, codes = candidates[given], codes[given]
        return rows, _describe_each(codes, _describe_area)

    def lsoa_not_in_index(self) -> Found:
        links = self.wl.columns.get("deprivation_link")
        if links is None:
            return _nothing()
        rows = np.flatnonzero(self.wl.known_codes.per_distinct(links, _not_in_index, False))
        return rows, _describe_each(_tidy_text(self.raw("lsoa", rows)), _describe_unplaced_area)

    def unknown_ethnicity(self) -> Found:
        if not self.present("ethnic_category"):
            return _nothing()
        categories = self.column("ethnic_category")
        legacy = codes.is_legacy_ethnicity(self.wl.known_codes.factorize(categories)[1])
        stated = set(codes.LEGACY_ETHNIC_CODES) - {"9", "X"} if legacy else ETHNIC_CATEGORY_CODES - {"Z", "99"}
        rows = np.flatnonzero(~self.wl.known_codes.per_distinct(
            categories, lambda found: np.array([_upper(c) in stated for c in found], dtype=bool), False))
        tidy = per_value(categories[rows], _upper)
        shown = np.where(_is_missing(categories[rows]), _tidy_text(self.raw("ethnic_category", rows)), tidy)
        return rows, _describe_each(shown, _describe_legacy_ethnicity if legacy else _describe_ethnicity)

    def age_out_of_range(self) -> Found:
        return _combine([self._age_from_birth(), self._age_from_column()])

    def file_value_differs(self) -> Found:
        """The file's own values of fields the workbench works out (an IMD decile, an age band...),
        where they differ from the workbench's: ours are used, theirs are kept as source columns."""
        parts = [self._differs(name, header) for name, header in self.own_values().items()]
        return _combine(parts)

    def own_values(self) -> dict[str, str]:
        """Field worked out by the workbench -> the file's column holding its own value of it."""
        own = {}
        if "imd_decile" in self.mapping and self.mapping["imd_decile"] in self.wl.source:
            own["imd_decile"] = self.mapping["imd_decile"]
        derived = {header_key(name): name for name in DERIVED_FIELDS if name in self.wl.columns}
        for header in self.wl.source:
            name = derived.get(header_key(header))
            if name and name not in own and header not in self.mapping.values():
                own[name] = header
        return own

    # -- helpers for the checks -----------------------------------------------------

    def _codes_with_blank(self, name: str) -> np.ndarray:
        """Codes of a text field's values, empty ones (and an absent field) one code of their own."""
        values = self.wl.columns.get(name)
        if values is None:
            return np.zeros(self.n, dtype=np.int64)
        codes, distinct = self.wl.known_codes.factorize(values)
        return np.where(codes >= 0, codes, len(distinct))

    def _blank(self, name: str, detail: str) -> Found:
        """Rows blank in the file for ``name`` (a value there but not understood is not 'missing')."""
        if not self.present(name):
            return _nothing()
        candidates = np.flatnonzero(_is_missing(self.column(name)))
        rows = candidates[self.blank_in_file(name, candidates)]
        return rows, np.full(len(rows), detail, dtype=object)

    def _unreadable(self, name: str, label: str) -> Found:
        if name not in self.mapping:  # without the file's text, unreadable cannot be told from blank
            return _nothing()
        candidates = np.flatnonzero(np.isnat(self.column(name)))
        rows = candidates[~self.blank_in_file(name, candidates)]
        return rows, _describe_each(_tidy_text(self.raw(name, rows)), lambda text: f"{label} '{text}'")

    def _age_from_birth(self) -> Found:
        if not self.present("date_of_birth"):
            return _nothing()
        born = self.column("date_of_birth")
        years = completed_years(born, self.census)
        # A placeholder birth date is reported as implausible_date, not again here.
        rows = np.flatnonzero(((years < 0) | (years > MAX_AGE)) & ~implausible_dates(born))
        pairs = np.array([f"{b}|{int(y)}" for b, y in zip(born[rows], years[rows])], dtype=object)
        return rows, _describe_each(pairs, _describe_birth)

    def _age_from_column(self) -> Found:
        if not self.present("age"):
            return _nothing()
        age = self.column("age")
        infant = (age >= INFANT_AGE_CODES[0]) & (age <= INFANT_AGE_CODES[1])
        rows = np.flatnonzero(((age < 0) | (age > MAX_AGE)) & ~infant)
        return rows, _describe_each(age[rows], _describe_age)

    def _differs(self, name: str, header: str) -> Found:
        """Rows where the file's own value in ``header`` is given and differs from our ``name``."""
        ours, theirs = self.column(name), np.asarray(self.wl.source[header], dtype=object)
        if name == "imd_decile":  # ours came from the area only where the area is known
            differs = _numbers_differ(ours, theirs, 0.0) & ~np.isnan(self.column("imd_rank"))
        elif FIELD_KINDS[name] in (NUMBER, FLAG):
            differs = _numbers_differ(ours, theirs, WEEKS_TOLERANCE if name == "weeks_waited" else 0.0)
        else:
            differs = _texts_differ(ours, theirs)
        rows = np.flatnonzero(differs)
        pairs = np.array([f"{t}\x00{_shown(o)}" for t, o in zip(_tidy_text(theirs[rows]), ours[rows])], dtype=object)
        return rows, _describe_each(pairs, lambda pair: _describe_own_value(header, name, pair))


# -- plain functions over arrays -------------------------------------------------------


def _known_priorities(priorities: np.ndarray) -> np.ndarray:
    return np.array([p in PRIORITY_CODES for p in priorities], dtype=bool)


def _duplicates(key: np.ndarray, row_id: np.ndarray) -> Found:
    """Rows whose key (an int; -1 means no key) is shared, each naming the others."""
    key = np.asarray(key, dtype=np.int64)
    rows = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy() & (key >= 0))
    order = rows[np.argsort(key[rows], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0]) if len(order) else np.empty(0, np.int64)
    sizes = np.diff(np.r_[starts, len(order)])
    details = np.empty(len(order), dtype=object)
    # Pairs are by far the commonest duplicate: name the partner without a Python loop per group.
    in_pair = np.repeat(sizes == 2, sizes)
    first = np.repeat(starts, sizes)
    partner = order[2 * first + 1 - np.arange(len(order))]
    details[in_pair] = [f"also on row {r}" for r in row_id[partner[in_pair]]]
    for start, size in zip(starts[sizes > 2], sizes[sizes > 2]):
        _name_group(details, start, row_id[order[start : start + size]])
    by_row = np.argsort(order, kind="stable")
    return order[by_row], details[by_row]


def _name_group(details: np.ndarray, start: int, group_rows: np.ndarray) -> None:
    """Details for one group of three or more rows, written at ``details[start:]``.

    Only the first few rows are ever named, so a huge group (a whole column of
    one value) costs a handful of strings, not one list per member.
    """
    head = group_rows[: NAMED_ROWS + 1]
    for offset in range(len(head)):
        details[start + offset] = _also_on(np.delete(head, offset)[:NAMED_ROWS], len(group_rows) - 1)
    if len(group_rows) > len(head):
        details[start + len(head) : start + len(group_rows)] = _also_on(head[:NAMED_ROWS], len(group_rows) - 1)


def _also_on(named_rows: np.ndarray, others: int) -> str:
    """'also on rows 3, 9' or 'also on rows 3, 9, 12, 20, 31 and 15 more'.

    >>> _also_on(np.array([3, 9, 12, 20, 31]), 20)
    'also on rows 3, 9, 12, 20, 31 and 15 more'
    """
    named = ", ".join(str(r) for r in named_rows)
    more = f" and {others - len(named_rows):,} more" if others > len(named_rows) else ""
    return f"also on row{'s' if others > 1 else ''} {named}{more}"


def _different_pathways(rows: np.ndarray, details: np.ndarray, key: np.ndarray, pathway: np.ndarray) -> Found:
    """Keep patient-specialty groups that span more than one pathway (arrays aligned with ``rows``).

    Two rows with the same pathway ID are already ``duplicate_pathway``; a
    blank pathway ID counts as a different pathway.
    """
    if not len(rows):
        return rows, details
    frame = pd.DataFrame({"key": key, "pathway": [p if p else f"\x00{r}" for p, r in zip(pathway, rows)]})
    spread = frame.groupby("key")["pathway"].transform("nunique").to_numpy() > 1
    return rows[spread], details[spread]


def _combine(parts: Iterable[Found]) -> Found:
    """Several (rows, details) into one, a row's details joined with '; '."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _nothing()
    rows = np.concatenate([p[0] for p in parts])
    details = np.concatenate([p[1] for p in parts])
    order = np.argsort(rows, kind="stable")
    rows, details = rows[order], details[order]
    unique_rows, starts = np.unique(rows, return_index=True)
    if len(unique_rows) == len(rows):
        return rows, details
    joined = ["; ".join(group) for group in np.split(details, starts[1:])]
    return unique_rows, np.array(joined, dtype=object)


def _describe_each(values: np.ndarray, describe: Callable[[object], str]) -> np.ndarray:
    """``describe`` applied once per distinct value, spread back over the rows."""
    return per_value(values, describe)


def _label_dates(label: str, dates: np.ndarray) -> np.ndarray:
    return _describe_each(dates.astype("datetime64[D]").astype(np.int64), lambda day: f"{label} {formats.day_text(day)}")


def _describe_nhs_number(pair: str | None) -> str:
    shown, number = (pair or "\x00").split("\x00", 1)
    if shown in ("", "None") and number in ("", "None"):
        return "no NHS number"
    if is_placeholder_nhs_number(number):
        return f"{shown} is a placeholder (one digit repeated): never issued"
    if number.isdigit() and len(number) == 10:
        return f"{shown} has the wrong check digit"
    return f"{shown} is not a 10-digit number"


def _describe_future_start(pair: str) -> str:
    start, census = pair.split("|")
    return f"wait start {formats.uk_date(np.datetime64(start))} is after the census date {formats.uk_date(np.datetime64(census))}"


def _priority_number(priority: str | None) -> int:
    return PRIORITY_CODES.index(priority) if priority in PRIORITY_CODES else -1


def _date_used_number(used: str | None) -> int:
    return waits.PRIORITY_DATE_SOURCES.index(used) if used in waits.PRIORITY_DATE_SOURCES else 0


def _describe_overdue(key: int) -> str:
    """Detail for a key made of (date used * OVERDUE_KEY + priority number) * OVERDUE_KEY + days.

    >>> _describe_overdue((0 * OVERDUE_KEY + 2) * OVERDUE_KEY + 40)
    'P2 waited 40 days since the last priority review (limit 28 days)'
    """
    used, rest = divmod(int(key), OVERDUE_KEY * OVERDUE_KEY)
    priority = PRIORITY_CODES[rest // OVERDUE_KEY]
    limit = PRIORITY_TIME_LIMIT_DAYS[priority]
    since = waits.PRIORITY_DATE_SOURCES[used]
    return f"{priority} waited {_days(rest % OVERDUE_KEY)} since the {since} (limit {_days(limit)})"


def _describe_clock_stop(pair: str) -> str:
    stop, census = pair.split("|")
    return (f"clock stopped {formats.uk_date(np.datetime64(stop))}, on or before the census date "
            f"{formats.uk_date(np.datetime64(census))}: still on the list")


def _specialty_problem(specialty: str | None) -> str | None:
    return None if specialty is None else codes.treatment_function_problem(specialty)


def _days(count: int) -> str:
    return f"{count:,} day{'' if count == 1 else 's'}"


def _describe_area(code: str) -> str:
    if code.upper().endswith(deprivation.PSEUDO_CODE_ENDING):
        return f"'{code}' is a pseudo-code meaning no area"
    return f"'{code}' is not a known area"


def _not_in_index(links: np.ndarray) -> np.ndarray:
    return np.array([link == deprivation.LINK_WORDS[deprivation.NOT_IN_INDEX] for link in links], dtype=bool)


def _describe_unplaced_area(code: str) -> str:
    return f"'{code}' is a 2021 area with no single 2011 best fit in the ONS lookup: the 2019 indices cannot place it"


def _describe_ethnicity(code: str | None) -> str:
    if code is None or _blank_value(code):
        return "not given"
    if code.upper() == "Z":
        return "Z: not stated"
    if code == "99":
        return "99: not known"
    if code in ("0", "9"):
        return f"'{code}': an old not-known code"
    return f"'{code}' is not an ethnic category code"


def _describe_legacy_ethnicity(code: str | None) -> str:
    if code is None or _blank_value(code):
        return "not given"
    meaning = codes.LEGACY_ETHNIC_CODES.get(code.upper())
    if meaning:
        return f"{code.upper()}: {meaning[0]} (the pre-2001 scheme)"
    return f"'{code}' is not an ethnic category code of the pre-2001 scheme"


def _describe_own_value(header: str, name: str, pair: str) -> str:
    theirs, ours = pair.split("\x00", 1)
    return f"the file's {header} is '{theirs}', the workbench's {name} is '{ours}'"


def _numbers_differ(ours: np.ndarray, theirs: np.ndarray, tolerance: float) -> np.ndarray:
    """Mask: both given and more than ``tolerance`` apart (yes/no count as 1/0)."""
    given = per_value(theirs, _number_or_nan, np.float64)
    return ~np.isnan(ours) & ~np.isnan(given) & (np.abs(ours - given) > tolerance)


def _texts_differ(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Mask: both given and different, ignoring case and spaces."""
    theirs_key = per_value(theirs, lambda v: None if _blank_value(v) else str(v).strip().casefold())
    ours_key = per_value(ours, lambda v: None if v is None else str(v).strip().casefold())
    return (theirs_key != None) & (ours_key != None) & (theirs_key != ours_key)  # noqa: E711 (elementwise)


def _number_or_nan(value) -> float:
    if _blank_value(value):
        return np.nan
    word = str(value).strip().casefold()
    if word in ("y", "yes", "true"):
        return 1.0
    if word in ("n", "no", "false"):
        return 0.0
    try:
        return float(word)
    except ValueError:
        return np.nan


def _shown(value) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:g}"
    return "" if value is None else str(value)


def _describe_birth(pair: str) -> str:
    born, years = pair.split("|")
    shown = formats.uk_date(np.datetime64(born))
    if int(years) < 0:
        return f"date of birth {shown} is after the census date"
    return f"date of birth {shown} gives age {years}"


def _describe_age(age: float | None) -> str:
    if age is not None and INFANT_AGE_CODES[0] <= age <= INFANT_AGE_CODES[1]:
        return f"age {age:g} is an infant age code"
    return f"age {age:g}"


# -- missing and blank values ----------------------------------------------------------


def _is_missing(values: np.ndarray) -> np.ndarray:
    """Mask of missing typed values (None, NaN or NaT)."""
    values = np.asarray(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    if values.dtype.kind == "f":
        return np.isnan(values)
    return pd.isna(values) if values.dtype == object else np.zeros(len(values), dtype=bool)


def _is_missing_value(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _blank_value(text) -> bool:
    return _is_missing_value(text) or str(text).strip().upper() in BLANK_TOKENS


def _blank_text(values: np.ndarray) -> np.ndarray:
    """Mask: values that are empty, None or a "nothing here" token such as NULL."""
    return per_value(values, _blank_value, bool)


def _tidy_text(values: np.ndarray) -> np.ndarray:
    return np.array([v.strip() if isinstance(v, str) else v for v in values], dtype=object)


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _column_or_blank(wl: WaitingList, name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """A text column (at ``rows`` if given) with "" for missing values and for an absent field."""
    values = wl.columns.get(name)
    if values is None:
        return np.full(len(wl) if rows is None else len(rows), "", dtype=object)
    values = values if rows is None else values[rows]
    return np.where(_is_missing(values), "", values).astype(object)


def _nothing() -> Found:
    return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)


# The 'unknown' band: shown in the app, exports and the decision record (hazard HAZ-14).
def without_priority(priority: np.ndarray | None, rows: int) -> int:
    """How many patients have no recognised clinical priority (the ranking puts them in the 'unknown' band).

    Counts blanks and unrecognised codes alike, and every patient when the
    list has no priority column at all.

    >>> without_priority(np.array(["P2", None, "urgent", "P1a"], dtype=object), 4)
    2
    >>> without_priority(None, 3)
    3
    """
    if priority is None:
        return rows
    return count_without_priority(pd.Series(priority, copy=False).value_counts().to_dict(), len(priority))


def count_without_priority(counts: Mapping[str, int], rows: int) -> int:
    """:func:`without_priority` from how many rows hold each value (empty ones need not be counted).

    >>> count_without_priority({"P2": 5, "urgent": 1}, 8)
    3
    """
    return rows - sum(count for value, count in counts.items() if value in PRIORITY_CODES)


def unknown_priority_warning(count: int) -> str:
    """The warning about patients in the 'unknown' band, in plain words.

    >>> unknown_priority_warning(12)
    "12 patients have no recognised clinical priority: they are placed in the 'unknown' band, check them before using the order."
    >>> unknown_priority_warning(1).startswith("1 patient has")
    True
    """
    patients = "1 patient has" if count == 1 else f"{count:,} patients have"
    return (f"{patients} no recognised clinical priority: they are placed in the 'unknown' band, "
            "check them before using the order.")


def unknown_band_warning(wl: WaitingList) -> str | None:
    """The unknown-band warning for a list, or None when every priority is recognised."""
    count = without_priority(wl.columns.get("clinical_priority"), len(wl))
    return unknown_priority_warning(count) if count else None
