"""Every column the workbench shows or writes, described once; which the list view shows; each row's problems.

A :class:`Column` (as Anki's browser describes its columns) holds a column's
key, its label in the users' words, its kind (so its alignment and the cells a
file holds), how many places a figure shows and how the list sorts by it. The
list view, the ranked list, the ranked export and the worklist all take their
headers and their formatting from :data:`COLUMNS`, so the words and figures on
screen and in a file never drift apart; dates and figures are formatted by
:mod:`workbench.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from workbench import formats
from workbench.check.deprivation import DOMAINS
from workbench.fields import DATE, FIELD_KINDS, FLAG, NUMBER, TEXT, WaitingList
from workbench.read.nhs_number import format_nhs_number
from workbench.view.filters import FINDINGS, ROW_NUMBER

BY_VALUE, BY_COUNT, NOT_SORTED = "value", "count", ""  # how the list sorts by a column
# The ranked list's own columns: worked out from two rankings, not stored with the list.
NEW_RANK, BASELINE_RANK, MOVEMENT, BAND, SCORE, SOCIAL = (
    "new_rank", "baseline_rank", "movement", "band", "score", "social_part")
UP, DOWN, SAME = "▲", "▼", "="
YES, NO = "Yes", "No"
WEEKS_EQUIVALENT = "weeks-equivalent"
CellText = Callable[[int], str]  # a row position -> the text shown
Cells = Callable[[np.ndarray], list]  # row positions -> the cells a file holds


def movement_text(places: int) -> str:
    """Places moved as an arrow and a number, so it reads the same without colour.

    >>> movement_text(212), movement_text(-15), movement_text(0)
    ('▲ 212', '▼ 15', '= 0')
    """
    if places > 0:
        return f"{UP} {places:,}"
    if places < 0:
        return f"{DOWN} {-places:,}"
    return f"{SAME} 0"


def movement_words(places: int) -> str:
    """The same in words, for tooltips and screen readers.

    >>> movement_words(1), movement_words(-3), movement_words(0)
    ('moved up 1 place', 'moved down 3 places', 'no change')
    """
    if places == 0:
        return "no change"
    plural = "place" if abs(places) == 1 else "places"
    return f"moved {'up' if places > 0 else 'down'} {abs(places):,} {plural}"


@dataclass(frozen=True)
class Column:
    """One column as the list, the ranked list and every file show it.

    ``kind`` is a field kind (:mod:`workbench.fields`): numbers and flags are
    right-aligned, dates read dd/mm/yyyy and are date cells in a file. ``places``
    is how many decimals a figure shows (None: whole numbers as they are, others
    to one place); ``file_places``, where given, the more a file keeps so that its
    figures add up (each factor's part to the score, the social parts to the cap). ``shown`` formats one value
    where the kind's own way does not do (NHS numbers 3-3-4, movement's arrows);
    a file's text cells take it too, a file's numbers stay numbers. ``sort`` is
    how the list view sorts by it (:data:`BY_VALUE`, :data:`BY_COUNT` of the
    row's problems, or :data:`NOT_SORTED`).
    """

    key: str
    label: str
    kind: str = TEXT
    places: int | None = None
    shown: Callable[[Any], str] | None = None
    sort: str = BY_VALUE
    file_places: int | None = None

    @property
    def right_aligned(self) -> bool:
        return self.kind in (NUMBER, FLAG)

    def text(self, values: np.ndarray) -> CellText:
        """A function giving the text of row ``i``, formatted when asked (a view formats only what it paints).

        >>> COLUMNS["weeks_waited"].text(np.array([12.345, np.nan]))(0), COLUMNS["core20"].text(np.array([1.0]))(0)
        ('12.3', 'Yes')
        """
        shown = self.shown
        if shown is not None:
            return lambda i: shown(values[i])
        if self.kind == DATE:
            days = values.astype("datetime64[D]").view(np.int64)
            return lambda i: formats.day_text(days[i])
        if self.kind == FLAG:
            return lambda i: _yes_no(values[i]) or ""
        if self.kind == NUMBER:
            places = self.places
            if places is None:
                return lambda i: formats.number(values[i])
            return lambda i: formats.decimal(values[i], places)
        return lambda i: "" if values[i] is None else str(values[i])

    def cells(self, values: np.ndarray) -> Cells:
        """A function giving the cells of some rows as a file holds them: numbers to the places shown,
        dates as dates (None for none), flags Yes or No, text as shown.

        >>> COLUMNS["weeks_waited"].cells(np.array([12.3456, 3.0]))(np.array([1, 0]))
        [3.0, 12.35]
        >>> COLUMNS["nhs_number"].cells(np.array(["9434765919", None], dtype=object))(np.array([0, 1]))
        ['943 476 5919', None]
        """
        if self.kind == DATE:
            return lambda rows: values[rows].astype("datetime64[D]").tolist()  # NaT -> None
        if self.kind == FLAG:
            return lambda rows: [_yes_no(v) for v in values[rows].tolist()]
        if self.kind == NUMBER:
            return _number_cells(values, self.places if self.file_places is None else self.file_places)
        if self.shown is not None:
            shown = self.shown
            return lambda rows: [shown(v) or None for v in values[rows].tolist()]
        return lambda rows: values[rows].tolist()


def _yes_no(value: float) -> str | None:
    return None if value != value else YES if value else NO


def _number_cells(values: np.ndarray, places: int | None) -> Cells:
    if values.dtype.kind in "iu":
        return lambda rows: values[rows].tolist()
    if places is not None:
        return lambda rows: np.round(values[rows], places).tolist()
    # Whole numbers as whole numbers (a decile of 3, not 3.0), others to one place, as on screen.
    return lambda rows: [int(v) if v.is_integer() else round(v, 1) for v in values[rows].tolist()]


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.key: column for column in columns}


COLUMNS: dict[str, Column] = _columns(
    Column(ROW_NUMBER, "Row", NUMBER),
    Column("source_line", "Line in file", NUMBER),
    Column(FINDINGS, "Data problems", sort=BY_COUNT),
    Column("pathway_id", "Pathway ID"),
    Column("nhs_number", "NHS number", shown=format_nhs_number),
    Column("specialty", "Specialty"),
    Column("specialty_name", "Specialty name"),
    Column("specialty_description", "Specialty name in the file"),
    Column("procedure", "Procedure"),
    Column("clinical_priority", "Clinical priority"),
    Column("wait_start", "Wait start", DATE),
    Column("clock_stop_date", "Clock stop date", DATE),
    Column("decision_to_admit_date", "Decision to admit date", DATE),
    Column("priority_review_date", "Last priority review", DATE),
    Column("last_validation_date", "Last validated", DATE),
    Column("census_date", "Census date", DATE),
    Column("date_of_birth", "Date of birth", DATE),
    Column("age", "Age (in file)", NUMBER),
    Column("age_years", "Age", NUMBER),
    Column("age_band", "Age band"),
    Column("sex", "Sex"),
    Column("ethnic_category", "Ethnic category"),
    Column("ethnic_group", "Ethnic group"),
    Column("lsoa", "LSOA"),
    Column("imd_decile", "IMD decile", NUMBER),
    Column("imd_rank", "IMD rank", NUMBER),
    Column("imd_quintile", "IMD quintile", NUMBER),
    Column("core20", "Core20", FLAG),
    Column("deprivation_nation", "Deprivation nation"),
    Column("deprivation_index", "Deprivation index"),
    Column("deprivation_link", "How the area was linked"),
    *(Column(domain, f"{words.capitalize()} decile (IoD2025)", NUMBER) for domain, (_c, words) in DOMAINS.items()),
    Column("postcode", "Postcode"),
    Column("site", "Site"),
    Column("consultant", "Consultant"),
    Column("tci_date", "TCI date", DATE),
    Column("waiting_list_type", "Waiting list type"),
    Column("mutual_aid_provider", "Mutual aid provider"),
    Column("weeks_waited", "Weeks waited", NUMBER, places=1, file_places=2),
    Column("wait_not_counted", "Wait not counted"),
    Column("rtt_pathway", "RTT pathway", FLAG),
    Column("priority_date", "Priority timed from", DATE),
    Column("priority_date_from", "Priority date is"),
    # The ranked list's: ranks with thousands separated, scores in weeks-equivalent to two places.
    Column(NEW_RANK, "New rank", NUMBER, places=0, sort=NOT_SORTED),
    Column(BASELINE_RANK, "Baseline rank", NUMBER, places=0, sort=NOT_SORTED),
    Column(MOVEMENT, "Places moved up", NUMBER, shown=movement_text, sort=NOT_SORTED),
    Column(BAND, "Band", sort=NOT_SORTED),
    Column(SCORE, f"Score ({WEEKS_EQUIVALENT})", NUMBER, places=2, sort=NOT_SORTED, file_places=4),
    Column(SOCIAL, f"Social part ({WEEKS_EQUIVALENT})", NUMBER, shown=lambda v: formats.signed(v, 2),
           sort=NOT_SORTED),
)


def column(key: str) -> Column:
    """The column of a field, a ranked list's column or a source header (shown as it is, as text).

    >>> column("clinical_priority").label, column("Consultant Code").label, column("wait_start").kind
    ('Clinical priority', 'Consultant Code', 'date')
    """
    found = COLUMNS.get(key)
    if found is not None:
        return found
    return Column(key, key, FIELD_KINDS.get(key, TEXT))


def label(key: str) -> str:
    """The heading users see for a column, everywhere.

    >>> label("age_years"), label("source_line"), label("Consultant Code")
    ('Age', 'Line in file', 'Consultant Code')
    """
    return column(key).label


def contribution_column(factor_name: str) -> Column:
    """A factor's part of the score, in the ranked export.

    >>> contribution_column("Carer").label
    'Carer (weeks-equivalent)'
    """
    return Column(f"factor:{factor_name}", f"{factor_name} ({WEEKS_EQUIVALENT})", NUMBER, places=2, sort=NOT_SORTED,
                  file_places=4)


def without_column(factor_name: str) -> Column:
    """The rank a patient would have without a social factor.

    >>> without_column("Carer").label
    'Rank without Carer'
    """
    return Column(f"without:{factor_name}", f"Rank without {factor_name}", NUMBER, places=0, sort=NOT_SORTED)


def source_column(header: str) -> Column:
    """A column of the file as it was read, in an export (its text as it is).

    >>> source_column("Carer").label
    'Source: Carer'
    """
    return Column(f"source:{header}", f"Source: {header}")


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
