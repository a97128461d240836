"""Dates as waiting-list files hold them: UK, ISO, month names and Excel serials.

A UK tool reads ``01/03/2024`` as 1 March. The order of a numeric date like
``03/01/2024`` is decided once per column, never value by value:

- values that only fit day/month (``13/01/2024``) and none that only fit
  month/day: the column is day first;
- values that only fit month/day (``01/13/2024``) and none that only fit
  day/month: the column is evidently US-format and is read month first;
- values of both kinds: the column is inconsistent; values that fit day/month
  are read that way and the ones that only fit month/day are *unreadable*
  (never silently swapped);
- nothing to tell the orders apart: day first (UK), and every value whose day
  and month could be swapped is marked *ambiguous* so validation can say so.

Dates repeat a great deal in a list (one clock-start date per day for years),
so only the distinct values are parsed and the results are spread back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from workbench.read.fixed_width import ascii_grid, digits_at, number_at

# Two-digit years 00-69 are 2000-2069, 70-99 are 1970-1999.
TWO_DIGIT_YEAR_PIVOT = 70
# Excel serial numbers accepted as dates: 1 (01/01/1900) to 80000 (2119).
EXCEL_SERIAL_RANGE = (1, 80_000)
# Excel counts a 29/02/1900 that never existed (serial 60), so serials from 61
# on are days since 30/12/1899 and serials below 60 days since 31/12/1899.
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_UNIX_EPOCH = date(1970, 1, 1).toordinal()

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([A-Za-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})" + _TIME)
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME)
_SERIAL = re.compile(r"(\d{1,5})(?:\.\d+)?")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# Dates systems write for "not known": they pass as dates but must never be read as one.
PLACEHOLDER_DATES = np.array(["1800-01-01", "1801-01-01", "1900-01-01", "9999-12-31"], dtype="datetime64[D]")
EARLIEST_PLAUSIBLE = np.datetime64("1900-01-01", "D")
LATEST_PLAUSIBLE = np.datetime64("2100-12-31", "D")

# How a distinct value was understood before the column's order is known.
_NOT_A_DATE, _FIXED, _NUMERIC_PARTS = 0, 1, 2


@dataclass
class ParsedDates:
    """Dates read from one column of text.

    Invariants: the three arrays have one entry per input value; a value that
    was missing (None or blank) is ``NaT`` and neither unreadable nor
    ambiguous; ``unreadable`` rows are always ``NaT``; ``ambiguous`` rows hold
    the day-first reading.
    """

    dates: np.ndarray  # datetime64[D], NaT where missing or not understood
    unreadable: np.ndarray  # bool: a value was there but is not a date
    ambiguous: np.ndarray  # bool: read day first, but month first would also fit
    day_first: bool | None  # the order used for numeric dates; None if the column had none


def parse_dates(values: np.ndarray) -> ParsedDates:
    """Read a column of text dates into ``datetime64[D]``.

    >>> parsed = parse_dates(np.array(["13/02/2024", "01/03/2024", None, "soon"], dtype=object))
    >>> [str(d) for d in parsed.dates]
    ['2024-02-13', '2024-03-01', 'NaT', 'NaT']
    >>> parsed.unreadable.tolist(), parsed.day_first
    ([False, False, False, True], True)
    """
    values = np.asarray(values, dtype=object)
    # Strict YYYY-MM-DD and DD/MM/YYYY texts (nearly all, in most files) are read on arrays;
    # the rest once per distinct value and spread back.
    grid = ascii_grid(values, 11)
    iso = _iso_day_numbers(grid)
    numeric = _NumericDates.of(grid)
    others = np.flatnonzero((iso == _NOT_ISO) & ~numeric.shaped)
    codes, distinct = _factorize(values[others])
    parts = [_understand(text) for text in distinct]
    other_orders = np.array([_orders(p) for p in parts if p[0] == _NUMERIC_PARTS], dtype=bool).reshape(-1, 2)
    day_month = np.concatenate([numeric.fits_day_month, other_orders[:, 0]])
    month_day = np.concatenate([numeric.fits_month_day, other_orders[:, 1]])
    day_first, inconsistent = _column_order(day_month, month_day)
    evident = not inconsistent and bool((day_month ^ month_day).any())

    numbers = np.where(numeric.shaped, numeric.day_numbers(day_first), iso)
    days = np.where(numbers == _UNREADABLE, _NAT, numbers.astype("datetime64[D]"))
    unreadable = numbers == _UNREADABLE
    ambiguous = numeric.ambiguous(evident)
    # One extra last entry for code -1 (missing): NaT, readable, not ambiguous.
    resolved = [_resolve(part, day_first, evident) for part in parts] + [(_NAT, False, False)]
    days[others] = np.array([r[0] for r in resolved], dtype="datetime64[D]")[codes]
    unreadable[others] = np.array([r[1] for r in resolved], dtype=bool)[codes]
    ambiguous[others] = np.array([r[2] for r in resolved], dtype=bool)[codes]
    has_numeric = len(day_month) > 0
    return ParsedDates(days, unreadable, ambiguous, day_first if has_numeric else None)


_NAT = np.datetime64("NaT", "D")


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes into the distinct stripped texts; -1 for missing or blank values."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    stripped = [str(v).strip() for v in distinct]
    # Blank texts are missing too: point them at the sentinel.
    blank = np.array([not s for s in stripped] + [True], dtype=bool)
    codes = np.where(blank[codes], -1, codes)
    if len(stripped) > _MANY_DISTINCT:
        codes, stripped = _drop_iso_times(codes, stripped)
    return codes, stripped


# Above this many distinct values, ISO date-times are cut to their date first.
_MANY_DISTINCT = 20_000


def _drop_iso_times(codes: np.ndarray, distinct: list[str]) -> tuple[np.ndarray, list[str]]:
    """Cut ``YYYY-MM-DD hh:mm...`` to ``YYYY-MM-DD`` so date-times collapse to few dates.

    Date-times are nearly all distinct; their dates are not. This keeps a
    column of a million time stamps to a few thousand values to read one by one.
    """
    text = np.array(distinct, dtype=np.dtypes.StringDType())
    cut = np.strings.slice
    iso_time = (
        (np.strings.str_len(text) > 10)
        & (cut(text, 4, 5) == "-")
        & (cut(text, 7, 8) == "-")
        & np.isin(cut(text, 10, 11), [" ", "T"])
    )
    keys = np.where(iso_time, cut(text, 0, 10), text).astype(object)
    key_codes, keys = pd.factorize(keys)
    new_codes = np.where(codes < 0, -1, key_codes[codes])
    return new_codes, [str(k) for k in keys]


def _iso_day_numbers(grid: np.ndarray) -> np.ndarray:
    """Days since 01/01/1970 for each text that is strictly ``YYYY-MM-DD`` (given as an
    :func:`ascii_grid` 11 wide); ``_UNREADABLE`` for such a text with no such day,
    ``_NOT_ISO`` for any other text.

    Workbooks hold real dates, which reach here as ISO text, and WLMDS files write ISO.

    >>> texts = np.array(["1970-01-02", "2024-02-30", "01/03/2024"], dtype=object)
    >>> _iso_day_numbers(ascii_grid(texts, 11)).tolist() == [1, _UNREADABLE, _NOT_ISO]
    True
    """
    places = [0, 1, 2, 3, 5, 6, 8, 9]
    shaped = _ten_long(grid) & (grid[:, 4] == _DASH) & (grid[:, 7] == _DASH) & digits_at(grid, places)
    codes, eight = _distinct_digits(grid, shaped, places)
    numbers = np.full(len(grid), _NOT_ISO, dtype=np.int64)
    numbers[shaped] = _day_numbers(number_at(eight, 0, 4), number_at(eight, 4, 6), number_at(eight, 6, 8))[codes]
    return numbers


@dataclass
class _NumericDates:
    """Which texts are strictly ``DD/MM/YYYY`` (or with ``-`` or ``.``), read on arrays.

    ``first`` and ``second`` are the two leading numbers of each distinct such
    date, whichever is the day; ``fits_day_month`` and ``fits_month_day`` say
    which readings of it are real days; ``codes`` point each shaped text at its date.
    """

    shaped: np.ndarray  # bool, one per text
    codes: np.ndarray  # one per shaped text
    first: np.ndarray  # these five: one per distinct date
    second: np.ndarray
    year: np.ndarray
    fits_day_month: np.ndarray
    fits_month_day: np.ndarray

    @classmethod
    def of(cls, grid: np.ndarray) -> "_NumericDates":
        """From texts given as an :func:`ascii_grid` 11 wide."""
        separator = grid[:, 2]
        places = [0, 1, 3, 4, 6, 7, 8, 9]
        shaped = (_ten_long(grid) & np.isin(separator, _NUMERIC_SEPARATORS) & (grid[:, 5] == separator)
                  & digits_at(grid, places))
        codes, eight = _distinct_digits(grid, shaped, places)
        first, second, year = number_at(eight, 0, 2), number_at(eight, 2, 4), number_at(eight, 4, 8)
        return cls(shaped, codes, first, second, year, _day_numbers(year, second, first) != _UNREADABLE,
                   _day_numbers(year, first, second) != _UNREADABLE)

    def day_numbers(self, day_first: bool) -> np.ndarray:
        """Days since 01/01/1970 for every text (meaningful where ``shaped``) in the column's order."""
        day, month = (self.first, self.second) if day_first else (self.second, self.first)
        numbers = np.full(len(self.shaped), _UNREADABLE, dtype=np.int64)
        numbers[self.shaped] = _day_numbers(self.year, month, day)[self.codes]
        return numbers

    def ambiguous(self, evident: bool) -> np.ndarray:
        """Which texts could be read either way round, when nothing in the column tells."""
        found = np.zeros(len(self.shaped), dtype=bool)
        if not evident:
            either = (self.first != self.second) & self.fits_day_month & self.fits_month_day
            found[self.shaped] = either[self.codes]
        return found


_DASH = ord("-")
_NUMERIC_SEPARATORS = np.frombuffer(b"/-.", dtype=np.uint8)


def _distinct_digits(grid: np.ndarray, shaped: np.ndarray, places: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(codes of the ``shaped`` rows, the distinct eight digits at ``places`` as a grid 8 wide).

    A million birth dates hold a few tens of thousands of dates: their eight
    digit bytes, taken as one 64-bit number, are grouped at integer speed, and
    only the distinct ones are read as dates.
    """
    eight = np.ascontiguousarray(grid[shaped][:, places])
    codes, distinct = pd.factorize(eight.view(np.uint64).ravel())
    return codes, np.ascontiguousarray(distinct).view(np.uint8).reshape(-1, 8)


def _ten_long(grid: np.ndarray) -> np.ndarray:
    """Which texts end by the tenth character; with a digit in the tenth, they are exactly ten long."""
    return grid[:, 10] == 0


def _day_numbers(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """:func:`_day_number` on arrays: days since 01/01/1970, ``_UNREADABLE`` where there is no such day."""
    a_month = (month >= 1) & (month <= 12)
    # The month's first day plus the day: a real day only if it stays in that month.
    first = np.where(a_month, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    found = (first.astype("datetime64[D]") + (day - 1)).astype(np.int64)
    next_month = (first + 1).astype("datetime64[D]").astype(np.int64)
    return np.where(a_month & (year >= 1) & (day >= 1) & (found < next_month), found, _UNREADABLE)


# Marks a text that is not strictly YYYY-MM-DD (a day number no date reaches).
_NOT_ISO = -(10**9) - 1


def _understand(text: str):
    """(kind, ...) for one distinct value: a fixed date, numeric parts or not a date."""
    for reader in (_read_year_first, _read_month_name, _read_compact, _read_serial):
        found = reader(text)
        if found is not None:
            return (_FIXED, found)
    match = _NUMERIC.fullmatch(text)
    if match:
        first, _, second, year = match.groups()
        return (_NUMERIC_PARTS, int(first), int(second), _full_year(year))
    return (_NOT_A_DATE,)


def _read_year_first(text: str) -> int | None:
    match = _YEAR_FIRST.fullmatch(text)
    if not match:
        return None
    year, _, month, day = match.groups()
    return _day_number(int(year), int(month), int(day))


def _read_compact(text: str) -> int | None:
    """CCYYMMDD, as NHS data sets often write dates (``20240301``)."""
    match = _COMPACT.fullmatch(text)
    return _day_number(*map(int, match.groups())) if match else None


def _read_month_name(text: str) -> int | None:
    match = _DAY_MONTH_NAME.fullmatch(text)
    if match:
        day, month, year = match.groups()
    else:
        match = _MONTH_NAME_DAY.fullmatch(text)
        if not match:
            return None
        month, day, year = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return _UNREADABLE
    return _day_number(_full_year(year), number, int(day))


def _read_serial(text: str) -> int | None:
    """An Excel serial number saved as text (``45352`` is 01/03/2024)."""
    match = _SERIAL.fullmatch(text)
    if not match:
        return None
    serial = int(match.group(1))
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high or serial == 60:
        return _UNREADABLE
    offset = 1 if serial < 60 else 0
    return _EXCEL_EPOCH + offset + serial - _UNIX_EPOCH


# A value that has a date's shape but is not a real date (31/02/2024).
_UNREADABLE = -(10**9)


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 2:
        number += 1900 if number >= TWO_DIGIT_YEAR_PIVOT else 2000
    return number


def _day_number(year: int, month: int, day: int) -> int:
    """Days since 01/01/1970, or ``_UNREADABLE`` if there is no such day."""
    try:
        return date(year, month, day).toordinal() - _UNIX_EPOCH
    except ValueError:
        return _UNREADABLE


def _fits(day: int, month: int, year: int) -> bool:
    return _day_number(year, month, day) != _UNREADABLE


def _orders(part) -> tuple[bool, bool]:
    """Whether numeric parts fit day/month and month/day."""
    _, first, second, year = part
    return _fits(first, second, year), _fits(second, first, year)


def _column_order(day_month: np.ndarray, month_day: np.ndarray) -> tuple[bool, bool]:
    """(day_first, inconsistent) from the numeric values that fit only one order
    (``day_month`` and ``month_day``: which values fit each reading)."""
    only_day_first = bool((day_month & ~month_day).any())
    only_month_first = bool((month_day & ~day_month).any())
    if only_month_first and not only_day_first:
        return False, False
    return True, only_day_first and only_month_first


def _resolve(part, day_first: bool, evident: bool) -> tuple[np.datetime64, bool, bool]:
    """(date, unreadable, ambiguous) for one distinct value."""
    if part[0] == _NOT_A_DATE:
        return _NAT, True, False
    if part[0] == _FIXED:
        days = part[1]
        return (_NAT, True, False) if days == _UNREADABLE else (np.datetime64(days, "D"), False, False)
    _, first, second, year = part
    day, month = (first, second) if day_first else (second, first)
    days = _day_number(year, month, day)
    if days == _UNREADABLE:
        return _NAT, True, False
    ambiguous = not evident and first != second and all(_orders(part))
    return np.datetime64(days, "D"), False, ambiguous


def implausible_dates(dates: np.ndarray) -> np.ndarray:
    """Mask: placeholder dates (01/01/1900, 31/12/9999...), or before 1900 or after 2100.

    >>> implausible_dates(np.array(["1900-01-01", "1899-12-31", "2026-01-01", "NaT"], dtype="datetime64[D]")).tolist()
    [True, True, False, False]
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    outside = (dates < EARLIEST_PLAUSIBLE) | (dates > LATEST_PLAUSIBLE)
    return outside | np.isin(dates, PLACEHOLDER_DATES)


def is_placeholder(day: np.datetime64) -> bool:
    """Whether a date is one of the placeholders systems write for "not known".

    >>> is_placeholder(np.datetime64("1801-01-01")), is_placeholder(np.datetime64("1850-06-01"))
    (True, False)
    """
    return bool(np.isin(np.datetime64(day, "D"), PLACEHOLDER_DATES))


_TYPED = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")
_TYPED_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def parse_typed_date(text: str) -> date | None:
    """A date a person typed: day first (31/03/2002, 31-3-2002, 31.03.2002) or ISO; None if it is not one.

    >>> parse_typed_date("31/03/2002"), parse_typed_date("2002-03-31"), parse_typed_date("31/02/2002")
    (datetime.date(2002, 3, 31), datetime.date(2002, 3, 31), None)
    """
    day_first, iso = _TYPED.fullmatch(text or ""), _TYPED_ISO.fullmatch(text or "")
    if day_first:
        day, month, year = (int(part) for part in day_first.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
