"""Derived fields: waits that count, priority dates, age and age band, deprivation, ethnic group, specialty name.

:func:`enrich` takes the typed canonical columns of a list (see
``workbench.fields``) and returns every derived field. Everything is worked out
on whole columns at once; text columns are mapped through their distinct
values, so a million rows take a fraction of a second.
"""

from __future__ import annotations

import datetime

import numpy as np

from workbench.read import codes
from workbench.check import deprivation, waits
from workbench.read.codes import NOT_STATED
from workbench.fields import AGE_BANDS, DATE, NUMBER, TEXT, KnownCodes, empty_column

FROM_FILE = "from the file"  # the deprivation index of a decile the file gave
MAX_AGE = 120
# Some systems record an infant's age as 7001 (under a day) to 7007 (under a year).
INFANT_AGE_CODES = (7001, 7007)
# Lower bound of each band in fields.AGE_BANDS.
_AGE_BAND_STARTS = (0, 18, 40, 65, 80)


def enrich(
    columns: dict[str, np.ndarray],
    census_date: datetime.date | None,
    supplied_decile_nation: str | None = None,
    known: KnownCodes | None = None,
    linking: deprivation.Linking | None = None,
) -> dict[str, np.ndarray]:
    """Every field in ``fields.DERIVED_FIELDS`` plus ``imd_decile``, from canonical columns.

    A canonical field missing from ``columns`` counts as all missing. Each
    row's census date is its own ``census_date`` value if it has one, else the
    ``census_date`` argument.

    Deprivation comes from the LSOA or data zone, linked to the edition
    ``linking`` names (by default the current one: IoD2025, WIMD 2025, SIMD
    2020v2; see ``workbench.check.deprivation``). Where the area gives no decile, an
    ``imd_decile`` supplied by the file is kept (whole numbers 1-10 only); its
    nation is ``supplied_decile_nation`` if the caller knows it, else unknown.
    ``core20`` is an England-only idea (England IMD quintile 1): it is NaN for
    Welsh, Scottish and unknown-nation rows, never 0.

    ``known`` gives the codes of text columns where known (the LSOA, ethnic
    category), and receives those of the derived age band and ethnic group.

    >>> columns = {"wait_start": np.array(["2026-01-01"], dtype="datetime64[D]"),
    ...            "lsoa": np.array(["E01000001"], dtype=object)}
    >>> derived = enrich(columns, datetime.date(2026, 1, 29))
    >>> derived["weeks_waited"], derived["imd_decile"], derived["core20"], derived["deprivation_index"]
    (array([4.]), array([8.]), array([0.]), array(['IoD2025'], dtype=object))
    """
    known = known or KnownCodes()
    n = _row_count(columns)
    census = row_census_dates(columns, census_date, n)
    derived = wait_fields(columns, census, n, known)
    derived["age_years"] = ages_in_years(columns, census, n)
    derived["age_band"] = age_bands(derived["age_years"], known)
    derived.update(deprivation_fields(columns, n, supplied_decile_nation, known, linking))
    derived["ethnic_group"] = ethnic_groups(_column(columns, "ethnic_category", TEXT, n), known)
    derived["specialty_name"] = specialty_names(_column(columns, "specialty", TEXT, n), known,
                                                _column(columns, "specialty_description", TEXT, n))
    return derived


def wait_fields(columns: dict[str, np.ndarray], census: np.ndarray, n: int, known: KnownCodes) -> dict[str, np.ndarray]:
    """Weeks waited and why a wait is not counted, RTT or not, and the priority date (see ``waits``)."""
    weeks, reasons = waits.counted_waits(_column(columns, "wait_start", DATE, n),
                                         _column(columns, "clock_stop_date", DATE, n), census, known)
    dates, used = waits.priority_dates(columns, census, known)
    list_type = _column(columns, "waiting_list_type", TEXT, n)
    rtt = known.per_distinct(list_type, codes.rtt_flags, 1.0)  # no list type: an RTT list
    return {"weeks_waited": weeks, "wait_not_counted": reasons, "rtt_pathway": rtt,
            "priority_date": dates, "priority_date_from": used}


def _row_count(columns: dict[str, np.ndarray]) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _column(columns: dict[str, np.ndarray], name: str, kind: str, n: int) -> np.ndarray:
    """A canonical column, or an all-missing one of its kind if the file lacks it."""
    return columns[name] if name in columns else empty_column(kind, n)


def row_census_dates(
    columns: dict[str, np.ndarray], census_date: datetime.date | None, n: int | None = None
) -> np.ndarray:
    """Each row's census date: its own ``census_date`` value, else the list's one.

    >>> row_census_dates({"census_date": np.array(["2026-03-01", "NaT"], dtype="datetime64[D]")},
    ...                  datetime.date(2026, 1, 1)).astype(str).tolist()
    ['2026-03-01', '2026-01-01']
    """
    n = _row_count(columns) if n is None else n
    fallback = np.datetime64(census_date, "D") if census_date else np.datetime64("NaT", "D")
    own = _column(columns, "census_date", DATE, n).astype("datetime64[D]")
    return np.where(np.isnat(own), fallback, own)


def weeks_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(end - start) in weeks as float; NaN where either date is missing.

    >>> weeks_between(np.array(["2026-01-01", "NaT"], dtype="datetime64[D]"),
    ...               np.array(["2026-01-11", "2026-01-11"], dtype="datetime64[D]"))
    array([1.42857143,        nan])
    """
    days = (end.astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.float64)
    days[np.isnat(start) | np.isnat(end)] = np.nan
    return days / 7.0


def completed_years(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years from ``born`` to ``on`` (a birthday on ``on`` counts); NaN if either is missing.

    Someone born on 29 February turns a year older on 1 March in other years,
    as in UK law. Negative when ``born`` is after ``on``.

    >>> completed_years(np.array(["2000-03-01", "2000-03-01"], dtype="datetime64[D]"),
    ...                 np.array(["2026-03-01", "2026-02-28"], dtype="datetime64[D]"))
    array([26., 25.])
    """
    born_year, born_day = _year_and_month_day(born)
    # Nearly always one census date for the whole list: its year and day are worked out once.
    one_date = len(on) > 0 and bool((on == on[0]).all())
    on_year, on_day = _year_and_month_day(on[:1] if one_date else on)
    years = (on_year - born_year - (on_day < born_day)).astype(np.float64)
    years[np.isnat(born) | np.isnat(on)] = np.nan
    return years


def _year_and_month_day(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and month*100+day, so birthdays compare as numbers.

    Integer arithmetic on day numbers (the proleptic Gregorian "civil from
    days" method): several times faster than NumPy's calendar unit casts, and
    twice as fast again in 32 bits, which hold any date a file can give.
    Values for NaT are meaningless; callers mask them.
    """
    z = dates.astype("datetime64[D]").astype(np.int64).astype(np.int32) + np.int32(719468)
    era = z // 146097
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # 0 = March ... 11 = February
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month * 100 + day


def ages_in_years(columns: dict[str, np.ndarray], census: np.ndarray, n: int) -> np.ndarray:
    """Age at the census date from the date of birth, else from the age column.

    An age outside 0-120 is treated as unknown (NaN), whichever it came from;
    infant codes 7001-7007 in the age column mean 0. Validation reports the
    values this leaves out (``age_out_of_range``).
    """
    from_birth = _plausible_age(completed_years(_column(columns, "date_of_birth", DATE, n), census))
    from_column = _plausible_age(age_column_years(_column(columns, "age", NUMBER, n)))
    return np.where(np.isnan(from_birth), from_column, from_birth)


def age_column_years(age: np.ndarray) -> np.ndarray:
    """Whole years from an age column: infant codes 7001-7007 become 0.

    >>> age_column_years(np.array([7003.0, 45.9, np.nan])).tolist()
    [0.0, 45.0, nan]
    """
    age = np.asarray(age, dtype=np.float64)
    infant = (age >= INFANT_AGE_CODES[0]) & (age <= INFANT_AGE_CODES[1])
    return np.where(infant, 0.0, np.floor(age))


def _plausible_age(years: np.ndarray) -> np.ndarray:
    return np.where((years >= 0) & (years <= MAX_AGE), years, np.nan)


def age_bands(age_years: np.ndarray, known: KnownCodes | None = None) -> np.ndarray:
    """The ``fields.AGE_BANDS`` label for each age; ``None`` where unknown.

    >>> age_bands(np.array([17.0, 18.0, 64.0, 80.0, np.nan])).tolist()
    ['0-17', '18-39', '40-64', '80+', None]
    """
    index = np.searchsorted(_AGE_BAND_STARTS, np.nan_to_num(age_years, nan=-1.0), side="right") - 1
    codes = np.where(np.isnan(age_years) | (index < 0), -1, index)
    bands = np.array(AGE_BANDS + (None,), dtype=object)[codes]
    if known is not None:
        known.add(bands, codes, np.array(AGE_BANDS, dtype=object))
    return bands


def deprivation_fields(
    columns: dict[str, np.ndarray],
    n: int,
    supplied_decile_nation: str | None = None,
    known: KnownCodes | None = None,
    linking: deprivation.Linking | None = None,
) -> dict[str, np.ndarray]:
    """Every deprivation field of each row: imd_rank, imd_decile, imd_quintile, core20,
    deprivation_nation, deprivation_index and deprivation_link (the IoD2025 domains are
    worked out when asked for: ``deprivation.domain_deciles``).

    Worked out once per distinct area (a list names a few thousand areas a
    million times), then spread over the rows: each row's *key* is its area,
    or, where the area gives no decile, the decile the file gave (one key per
    decile), or nothing.
    """
    known = known or KnownCodes()
    linking = linking or deprivation.Linking()
    codes, areas = known.factorize(_column(columns, "lsoa", TEXT, n))
    links = deprivation.link_areas(areas, linking)
    nothing = len(areas)  # keys: the areas, then "nothing", then the file's deciles 1-10
    key = np.where(codes >= 0, codes, nothing).astype(np.intp)
    supplied = _whole_deciles(_column(columns, "imd_decile", NUMBER, n))
    from_file = np.flatnonzero(~np.isnan(supplied))
    if len(from_file):  # most lists give no decile of their own
        from_file = from_file[np.isnan(np.append(links.decile, np.nan)[key[from_file]])]
        key[from_file] = nothing + supplied[from_file].astype(np.intp)
    per_key = _deprivation_per_key(links, linking.edition, supplied_decile_nation)
    derived = {name: values[key] for name, values in per_key.items()}
    for name in ("deprivation_nation", "deprivation_index", "deprivation_link"):
        known.add_spread(derived[name], key, per_key[name])
    return derived


def _deprivation_per_key(links: deprivation.AreaLinks, edition: str, file_nation: str | None) -> dict[str, np.ndarray]:
    """Each deprivation field per key: the areas, "nothing", then the file's deciles 1 to 10."""
    file_deciles = np.arange(1.0, 11.0)
    decile = np.concatenate([links.decile, [np.nan], file_deciles])
    nation = np.concatenate([links.nation, [None], [file_nation] * 10]).astype(object)
    index = [deprivation.index_name(n, edition) for n in links.nation] + [None] + [FROM_FILE] * 10
    link = [deprivation.LINK_WORDS[k] if k >= 0 else None for k in links.link]
    link += [None] + [deprivation.LINK_WORDS[deprivation.FROM_FILE]] * 10
    quintile = np.ceil(decile / 2)
    no_area = np.full(11, np.nan)
    return {
        "imd_rank": np.concatenate([links.rank, no_area]),
        "imd_decile": decile,
        "imd_quintile": quintile,
        "core20": core20_flags(quintile, nation),
        "deprivation_nation": nation,
        "deprivation_index": np.array(index, dtype=object),
        "deprivation_link": np.array(link, dtype=object),
    }


def _whole_deciles(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    ok = (values >= 1) & (values <= 10) & (values == np.floor(values))
    return np.where(ok, values, np.nan)


def core20_flags(quintile: np.ndarray, nation: np.ndarray) -> np.ndarray:
    """1.0 for England IMD quintile 1, 0.0 for other English rows, NaN otherwise.

    >>> core20_flags(np.array([1.0, 2.0, 1.0, np.nan]),
    ...              np.array(["England", "England", "Wales", None], dtype=object)).tolist()
    [1.0, 0.0, nan, nan]
    """
    english = (nation == deprivation.ENGLAND) & ~np.isnan(quintile)
    return np.where(english, (quintile == 1).astype(np.float64), np.nan)


def ethnic_groups(categories: np.ndarray, known: KnownCodes | None = None) -> np.ndarray:
    """Broad ethnic group for each ethnic category code, in the column's scheme (``codes``).

    Codes are matched ignoring case and spaces. Z, 99, missing values and
    anything unrecognised become "Not stated/unknown"; so do digits in a
    column of letters. A column of digits (and X) is in the scheme HES used
    before 2001: 4 is Indian, so Asian.

    >>> ethnic_groups(np.array(["A", "h", "N", "S", "Z", "99", None, "0"], dtype=object)).tolist()
    ['White', 'Asian', 'Black', 'Other', 'Not stated/unknown', 'Not stated/unknown', 'Not stated/unknown', 'Not stated/unknown']
    >>> ethnic_groups(np.array(["0", "4", "X", "2"], dtype=object)).tolist()
    ['White', 'Asian', 'Not stated/unknown', 'Black']
    """
    known = known or KnownCodes()
    row_codes, distinct = known.factorize(categories)
    row_codes = np.where(row_codes >= 0, row_codes, len(distinct))  # an empty cell: the extra last group
    legacy = codes.is_legacy_ethnicity(distinct)
    per_code = np.array([codes.ethnic_group(c, legacy) for c in distinct] + [NOT_STATED], dtype=object)
    groups = per_code[row_codes]
    known.add_spread(groups, row_codes, per_code)
    return groups


def specialty_names(specialty: np.ndarray, known: KnownCodes | None = None,
                    described: np.ndarray | None = None) -> np.ndarray:
    """Each row's specialty name: the file's own name for its code (``described``, the first given), else the
    treatment function's title in the NHS Data Dictionary (None where it is neither named nor a current code).

    >>> specialty_names(np.array(["110", None, "999"], dtype=object)).tolist()
    ['Trauma & Orthopaedics', None, None]
    >>> specialty_names(np.array(["110", "999", "999"], dtype=object),
    ...                 described=np.array([None, "Pain clinic", "999"], dtype=object)).tolist()
    ['Trauma & Orthopaedics', 'Pain clinic', 'Pain clinic']
    """
    known = known or KnownCodes()
    row_codes, distinct = known.factorize(specialty)
    named = _names_in_file(row_codes, described, distinct, known) if described is not None else {}
    per_code = np.array([named.get(i) or codes.specialty_name(c) for i, c in enumerate(distinct)], dtype=object)
    names = np.append(per_code, None)[row_codes]
    known.add_spread(names, row_codes, per_code)
    return names


def _names_in_file(row_codes: np.ndarray, described: np.ndarray, distinct: np.ndarray,
                   known: KnownCodes) -> dict[int, str]:
    """Code -> the first name the file gives it; a "name" that is only the code again, or digits, is none."""
    name_codes, names = known.factorize(described)
    given = np.flatnonzero((row_codes >= 0) & (name_codes >= 0))
    codes_given, first = np.unique(row_codes[given], return_index=True)
    found = {int(code): str(names[name_codes[given[row]]]).strip() for code, row in zip(codes_given, first)}
    return {code: name for code, name in found.items()
            if name and not name.isdigit() and name != str(distinct[code]).strip()}
