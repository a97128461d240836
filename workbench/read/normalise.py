"""Typed canonical columns from the mapped source text.

Each canonical field is turned into its kind (``fields.CANONICAL_FIELDS``):
text is stripped (``NULL``, ``N/A``, ``-`` and the like count as missing),
dates go through :func:`workbench.read.dates.parse_dates`, numbers become float64
with NaN. Some fields are also put into one spelling so that rules and
reports can rely on it: clinical priority codes, ethnic category codes, sex,
postcodes, LSOA codes, specialty codes and NHS numbers.

Nothing is dropped and nothing is guessed: a value that cannot be put into
the standard form keeps what it had (or becomes missing for a priority, a
date or a number), and validation reports it by comparing with the raw text.
Fields with few distinct values are normalised once per distinct value.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pandas as pd

from workbench.read.codes import LEGACY_ETHNIC_CODES
from workbench.read.dates import parse_dates
from workbench.fields import (
    CANONICAL_FIELDS, DATE, NUMBER, PRIORITY_CODES, TEXT, KnownCodes, empty_column, per_value, repeats_a_lot,
)
from workbench.read.nhs_number import normalise_nhs_numbers

# Text meaning "no value", compared ignoring case (the same set validation uses).
MISSING_MARKERS = frozenset({"", "NULL", "N/A", "NA", "NONE", "NAN", "NAT", "-", "--", "?", "#N/A"})

ETHNIC_CATEGORY_CODES = frozenset("ABCDEFGHJKLMNPRSZ") | {"99"}
# Codes of the scheme HES used before 2001, kept as given: a column's scheme is decided
# once from all its values (workbench.read.codes), and validation reports codes of neither.
OLD_ETHNIC_CODES = frozenset(LEGACY_ETHNIC_CODES)

# Descriptions seen in extracts -> Data Dictionary ethnic category code. Keys are
# lower case with punctuation removed; only unambiguous descriptions are listed.
ETHNIC_DESCRIPTIONS: dict[str, str] = {
    "white british": "A", "british": "A", "white english welsh scottish northern irish british": "A",
    "white irish": "B", "irish": "B",
    "white any other white background": "C", "any other white background": "C", "other white": "C",
    "white other": "C",
    "mixed white and black caribbean": "D", "white and black caribbean": "D",
    "mixed white and black african": "E", "white and black african": "E",
    "mixed white and asian": "F", "white and asian": "F",
    "mixed any other mixed background": "G", "any other mixed background": "G", "other mixed": "G",
    "mixed other": "G",
    "asian or asian british indian": "H", "asian indian": "H", "indian": "H", "indian or british indian": "H",
    "asian or asian british pakistani": "J", "asian pakistani": "J", "pakistani": "J",
    "asian or asian british bangladeshi": "K", "asian bangladeshi": "K", "bangladeshi": "K",
    "asian or asian british any other asian background": "L", "any other asian background": "L",
    "other asian": "L", "asian other": "L",
    "black or black british caribbean": "M", "black caribbean": "M", "caribbean": "M",
    "black or black british african": "N", "black african": "N", "african": "N",
    "black or black british any other black background": "P", "any other black background": "P",
    "other black": "P", "black other": "P",
    "other ethnic groups chinese": "R", "chinese": "R",
    "other ethnic groups any other ethnic group": "S", "any other ethnic group": "S", "other ethnic group": "S",
    "not stated": "Z", "patient declined": "Z", "declined": "Z", "refused": "Z",
    "not known": "99", "unknown": "99",
}

# Person stated gender (NHS Data Dictionary): 1 male, 2 female, 9 indeterminate,
# X not known. Older extracts use person gender code 0 (not known) and 9 (not
# specified). The workbench keeps four words: Male, Female, Not known, Not specified.
SEX_VALUES: dict[str, str] = {
    "1": "Male", "M": "Male", "MALE": "Male",
    "2": "Female", "F": "Female", "FEMALE": "Female",
    "0": "Not known", "X": "Not known", "NOT KNOWN": "Not known", "UNKNOWN": "Not known", "U": "Not known",
    "9": "Not specified", "NOT SPECIFIED": "Not specified", "INDETERMINATE": "Not specified", "I": "Not specified",
}

_PRIORITY = re.compile(r"(?:PRIORITY|PRIO|PRI|P)?[\s:.\-]*([1-6])(?:\.0+)?\s?([AB])?(?![0-9A-Z])")
_WHOLE_NUMBER = re.compile(r"(\d+)\.0+")
_ETHNIC_CODE_FIRST = re.compile(r"([A-Z]|99)\s*[-:–).]\s*\S.*")
_POSTCODE_INWARD = re.compile(r"([A-Z0-9]{2,4})([0-9][A-Z]{2})")


def normalise_fields(
    raw: dict[str, np.ndarray], notes: dict[str, str] | None = None, known: KnownCodes | None = None
) -> dict[str, np.ndarray]:
    """Canonical field -> typed column, from canonical field -> source text.

    >>> typed = normalise_fields({
    ...     "clinical_priority": np.array(["p1a", "Priority 2", "NULL"], dtype=object),
    ...     "age": np.array(["42", "n/a", "7001"], dtype=object),
    ... })
    >>> typed["clinical_priority"].tolist(), typed["age"].tolist()
    (['P1a', 'P2', None], [42.0, nan, 7001.0])

    If ``notes`` is given, it receives field -> a sentence on how a date
    column was read when that needs a person's attention (US order, or an
    order the column could not prove).

    ``known`` gives the codes of source columns read as codes, and receives
    those of the typed text columns made from them.
    """
    unknown = [f for f in raw if f not in CANONICAL_FIELDS]
    if unknown:
        raise ValueError(f"not canonical fields: {', '.join(unknown)}")
    known = known or KnownCodes()
    return {field: _normalise_column(field, values, notes, known) for field, values in raw.items()}


# Identifiers are mostly distinct; every other field repeats a handful of values
# (a few hundred clock-start dates, a dozen specialties), so those are cleaned
# and read once per distinct value and spread back: many times faster.
_MOSTLY_DISTINCT = {"pathway_id", "nhs_number", "postcode"}


def _normalise_column(field: str, values: np.ndarray, notes: dict[str, str] | None, known: KnownCodes) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    if known.of(values) is None and (field in _MOSTLY_DISTINCT or _dates_mostly_distinct(field, values)):
        if field == "nhs_number":
            return normalise_nhs_numbers(values, tidy=_clean_one)  # tidied in the same pass
        return _normalise(field, values, notes)
    codes, distinct = known.factorize(values)
    # Remembered for the source column too: saving it then needs no second hashing.
    known.add(values, codes, distinct)
    typed = _normalise(field, distinct, notes)
    missing = empty_column(CANONICAL_FIELDS[field], 1)  # code -1: an empty cell
    column = np.concatenate([typed, missing])[codes]
    if CANONICAL_FIELDS[field] == TEXT:
        # Several texts may tidy to one value ("p2", "P2 "): number the tidied values afresh.
        known.add_spread(column, codes, typed)
    return column


def _dates_mostly_distinct(field: str, values: np.ndarray) -> bool:
    """Birth dates: tens of thousands of distinct values. Dates are read on arrays, every
    row, faster than hashing a million texts first."""
    return CANONICAL_FIELDS[field] == DATE and not repeats_a_lot(values)


def _normalise(field: str, text: np.ndarray, notes: dict[str, str] | None = None) -> np.ndarray:
    """The typed column from the source text; dates are read as they are (reading them
    strips spaces, and a marker such as NULL is no date either way), the rest tidied first."""
    kind = CANONICAL_FIELDS[field]
    if kind == DATE:
        parsed = parse_dates(text)
        if notes is not None:
            _note_date_order(field, parsed, notes)
        return parsed.dates
    text = clean_text(text)
    if kind == NUMBER:
        return to_numbers(text)
    special = _TEXT_RULES.get(field)
    return special(text) if special else text


def _note_date_order(field: str, parsed, notes: dict[str, str]) -> None:
    if parsed.day_first is False:
        notes[field] = "read as month/day (US order): no value fitted day/month only"
    elif parsed.ambiguous.any():
        notes[field] = "could be read either way round; read as day/month (UK), as nothing showed otherwise"


def clean_text(values: np.ndarray) -> np.ndarray:
    """Stripped text, with blanks and markers such as ``NULL`` or ``N/A`` as None.

    >>> clean_text(np.array([" A ", "null", "#N/A", "", None, "-"], dtype=object)).tolist()
    ['A', None, None, None, None, None]
    """
    return _CLEAN(np.asarray(values, dtype=object)).astype(object)


def _clean_one(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    # Every marker is short: only short texts need the upper-case look-up.
    return None if len(text) <= _LONGEST_MARKER and text.upper() in MISSING_MARKERS else text


_LONGEST_MARKER = max(len(m) for m in MISSING_MARKERS)
# Identifiers are mostly distinct, so a plain pass beats grouping distinct values here.
_CLEAN = np.frompyfunc(_clean_one, 1, 1)


def to_numbers(text: np.ndarray) -> np.ndarray:
    """float64 numbers; NaN where missing or not a number (``"7"``, ``"7.0"`` -> 7.0)."""
    return pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def normalise_priority(text: str | None) -> str | None:
    """A surgical priority code (P1a ... P6), or None if the text is not one.

    >>> [normalise_priority(t) for t in ["P1A", "1a", "P 2", "2", "Priority 2", "P2 - 4 weeks", "P3 (3 months)", "P1", "D2"]]
    ['P1a', 'P1a', 'P2', 'P2', 'P2', 'P2', 'P3', None, None]
    """
    if text is None:
        return None
    match = _PRIORITY.match(text.strip().upper())
    if not match:
        return None
    number, letter = match.groups()
    code = f"P{number}{(letter or '').lower()}"
    return code if code in PRIORITY_CODES else None


def normalise_specialty(text: str | None) -> str | None:
    """A treatment function code as text: ``"110.0"`` -> ``"110"``; leading zeros kept."""
    if text is None:
        return None
    whole = _WHOLE_NUMBER.fullmatch(text)
    return whole.group(1) if whole else text


def normalise_ethnicity(text: str | None) -> str | None:
    """An ethnic category code where the text clearly names one; else the text in capitals.

    >>> [normalise_ethnicity(t) for t in ["a", "White British", "H - Indian", "Not known", "0", "4.0", "x", "Martian"]]
    ['A', 'A', 'H', '99', '0', '4', 'X', 'MARTIAN']
    """
    if text is None:
        return None
    code = text.strip().upper()
    whole = _WHOLE_NUMBER.fullmatch(code)  # a code a spreadsheet stored as a number: 99.0, 4.0
    code = whole.group(1) if whole else code
    if code in ETHNIC_CATEGORY_CODES or code in OLD_ETHNIC_CODES:
        return code
    described = ETHNIC_DESCRIPTIONS.get(_description_key(text))
    if described:
        return described
    first = _ETHNIC_CODE_FIRST.fullmatch(code)
    if first:
        return first.group(1)
    return code


def _description_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


def normalise_sex(text: str | None) -> str | None:
    """Male, Female, Not known or Not specified; anything else as given.

    >>> [normalise_sex(t) for t in ["1", "f", "Male", "X", "0", "9", "other"]]
    ['Male', 'Female', 'Male', 'Not known', 'Not known', 'Not specified', 'other']
    """
    if text is None:
        return None
    key = text.strip().upper()
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    return SEX_VALUES.get(key, text)


def normalise_postcode(text: str | None) -> str | None:
    """Capitals with one space before the inward code.

    >>> normalise_postcode("ox39dU"), normalise_postcode(" sw1a  1aa ")
    ('OX3 9DU', 'SW1A 1AA')
    """
    if text is None:
        return None
    compact = "".join(text.upper().split())
    shaped = _POSTCODE_INWARD.fullmatch(compact)
    return f"{shaped.group(1)} {shaped.group(2)}" if shaped else text.strip().upper()


def _upper(text: str | None) -> str | None:
    return None if text is None else text.upper()


_TEXT_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "nhs_number": normalise_nhs_numbers,
    "clinical_priority": lambda text: per_value(text, normalise_priority),
    "specialty": lambda text: per_value(text, normalise_specialty),
    "ethnic_category": lambda text: per_value(text, normalise_ethnicity),
    "sex": lambda text: per_value(text, normalise_sex),
    "lsoa": lambda text: per_value(text, _upper),
    "postcode": lambda text: per_value(text, normalise_postcode),
}
