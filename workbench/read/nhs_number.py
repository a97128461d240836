"""NHS numbers: tidy what files contain, check the modulus 11 digit, show as 3-3-4.

The check (NHS Data Dictionary): multiply digits 1 to 9 by 10 down to 2, sum,
take the remainder mod 11; the check digit is 11 minus that (11 becomes 0, 10
means the number can never be valid) and must equal digit 10. Ten of one digit
(0000000000 ... 9999999999) pass by construction but are placeholders: never valid.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

from workbench.read.fixed_width import ZERO, ascii_grid, digits_at, number_at

_SEPARATORS = re.compile(r"[\s\-]")
_WEIGHT_LIST = tuple(range(10, 1, -1))


def normalise_nhs_number(value: str | None) -> str | None:
    """Digits only, as text; spaces and dashes removed, a float's ``.0`` dropped.

    Returns ``None`` for empty input, and the stripped original for anything
    that is not digits so the validation report can show what was there.

    >>> normalise_nhs_number("943 476 5919")
    '9434765919'
    >>> normalise_nhs_number("9434765919.0")
    '9434765919'
    """
    if value is None:
        return None
    text = _SEPARATORS.sub("", str(value))
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def normalise_nhs_numbers(values: np.ndarray, tidy: Callable[[object], object] = lambda value: value) -> np.ndarray:
    """:func:`normalise_nhs_number` over an object array, each value after ``tidy``.

    Values that are digits only (nearly all, in a real list) pass straight through.
    """
    return np.array([v if type(v) is str and v.isdigit() else _normalise_one(v, tidy) for v in values], dtype=object)


def _normalise_one(value, tidy: Callable[[object], object]) -> str | None:
    if type(value) is str:
        # Written 3-3-4 ("943 476 5919"), as many lists do: digits once the spaces go.
        compact = value.replace(" ", "")
        if compact.isdigit():
            return compact
    return normalise_nhs_number(tidy(value))


def is_valid_nhs_number(text: str | None) -> bool:
    """True if ``text`` is ten digits with a correct modulus 11 check digit, and not a placeholder.

    >>> is_valid_nhs_number("9434765919"), is_valid_nhs_number("9434765918"), is_valid_nhs_number("1111111111")
    (True, False, False)
    """
    if text is None or len(text) != 10 or not text.isdigit() or not text.isascii() or is_placeholder(text):
        return False
    digits = [int(c) for c in text]
    check = 11 - sum(d * w for d, w in zip(digits, _WEIGHT_LIST)) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def valid_mask(values: np.ndarray) -> np.ndarray:
    """Boolean array: which normalised NHS numbers pass the check (vectorised)."""
    return as_integers(values) >= 0


def as_integers(values: np.ndarray) -> np.ndarray:
    """Each valid NHS number as an int64 (fast to group and compare), -1 for the rest
    (placeholders of one repeated digit included).

    >>> as_integers(np.array(["9434765919", "9434765918", None, "943476591", "943 476 5919", "0000000000"],
    ...                      dtype=object)).tolist()
    [9434765919, -1, -1, -1, -1, -1]
    """
    grid = ascii_grid(values, 11)  # 11 bytes: a longer value is cut to 11, still not ten digits
    ten = digits_at(grid, list(range(10))) & (grid[:, 10] == 0)
    digits = grid[:, :10].astype(np.int32) - ZERO
    weighted = sum(digits[:, i] * w for i, w in enumerate(_WEIGHT_LIST))
    check = 11 - weighted % 11
    check[check == 11] = 0
    repeated = (digits == digits[:, :1]).all(axis=1)
    valid = ten & (check != 10) & (check == digits[:, 9]) & ~repeated
    return np.where(valid, number_at(grid, 0, 10), -1)


def format_nhs_number(text: str | None) -> str:
    """3-3-4 display form for a ten-digit number; anything else unchanged.

    >>> format_nhs_number("9434765919")
    '943 476 5919'
    """
    if text and len(text) == 10 and text.isdigit():
        return f"{text[:3]} {text[3:6]} {text[6:]}"
    return text or ""


def is_placeholder(text: str | None) -> bool:
    """True for ten digits all the same (0000000000 ... 9999999999): they pass the modulus 11
    check by construction, but are placeholders, never issued.

    >>> is_placeholder("0000000000"), is_placeholder("4444444444"), is_placeholder("9434765919")
    (True, True, False)
    """
    return text is not None and len(text) == 10 and text.isdigit() and len(set(text)) == 1
