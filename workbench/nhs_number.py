"""NHS numbers: tidy what files contain, check the modulus 11 digit, show as 3-3-4.

The check (NHS Data Dictionary): multiply digits 1 to 9 by 10 down to 2, sum,
take the remainder mod 11; the check digit is 11 minus that (11 becomes 0, 10
means the number can never be valid) and must equal digit 10.
"""

from __future__ import annotations

import re

import numpy as np

_SEPARATORS = re.compile(r"[\s\-]")
_WEIGHTS = np.arange(10, 1, -1)
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


def normalise_nhs_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`normalise_nhs_number` over an object array (already-tidy values pass straight through)."""
    return np.array([v if type(v) is str and v.isdigit() else normalise_nhs_number(v) for v in values], dtype=object)


def is_valid_nhs_number(text: str | None) -> bool:
    """True if ``text`` is ten digits with a correct modulus 11 check digit.

    >>> is_valid_nhs_number("9434765919"), is_valid_nhs_number("9434765918")
    (True, False)
    """
    if text is None or len(text) != 10 or not text.isdigit() or not text.isascii():
        return False
    digits = [int(c) for c in text]
    check = 11 - sum(d * w for d, w in zip(digits, _WEIGHT_LIST)) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def valid_mask(values: np.ndarray) -> np.ndarray:
    """Boolean array: which normalised NHS numbers pass the check (vectorised)."""
    # Anything that is not ten ASCII digits becomes a number that fails the check.
    invalid = "0000000001"
    text = np.array(
        [v if isinstance(v, str) and len(v) == 10 and v.isdigit() and v.isascii() else invalid for v in values],
        dtype="S10",
    )
    shaped = np.frombuffer(text.tobytes(), dtype=np.uint8).reshape(-1, 10) - ord("0")
    check = 11 - (shaped[:, :9].astype(np.int64) @ _WEIGHTS) % 11
    check[check == 11] = 0
    return (check != 10) & (check == shaped[:, 9])


def format_nhs_number(text: str | None) -> str:
    """3-3-4 display form for a ten-digit number; anything else unchanged.

    >>> format_nhs_number("9434765919")
    '943 476 5919'
    """
    if text and len(text) == 10 and text.isdigit():
        return f"{text[:3]} {text[3:6]} {text[6:]}"
    return text or ""
