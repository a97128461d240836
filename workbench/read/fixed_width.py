"""Short texts as a grid of bytes, so a million NHS numbers or dates are checked on arrays.

A loop over a million Python strings takes a good part of a second; NumPy's
fixed-width bytes of the same texts take a few hundredths, and every check on
them (a digit here, a slash there) is one array operation.
"""

from __future__ import annotations

import numpy as np

ZERO = ord("0")


def ascii_grid(values: np.ndarray, width: int) -> np.ndarray:
    """Each text's first ``width`` bytes, NUL-padded, as a rows x ``width`` uint8 array.

    A text with other than ASCII characters (which no NHS number or numeric
    date has) is a row of NULs; None becomes ``b"None"``, which no shape
    matches. Fixed-width text drops trailing NULs: no value read from a file
    has one.

    >>> ascii_grid(np.array(["12", "é", None], dtype=object), 3).tolist()
    [[49, 50, 0], [0, 0, 0], [78, 111, 110]]
    """
    values = np.asarray(values, dtype=object)
    try:
        text = values.astype(f"S{width}")  # a longer text is cut to ``width`` bytes
    except UnicodeEncodeError:
        text = np.array([v if not isinstance(v, str) or v.isascii() else "" for v in values],
                        dtype=object).astype(f"S{width}")
    return text.view(np.uint8).reshape(len(values), width)


def digits_at(grid: np.ndarray, places: list[int]) -> np.ndarray:
    """Per row: whether every one of ``places`` holds an ASCII digit 0-9."""
    return ((grid[:, places] - np.uint8(ZERO)) <= 9).all(axis=1)  # below "0" wraps round to a large number


def number_at(grid: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The number written in columns ``start`` to ``stop`` of each row (meaningful where those are digits)."""
    number = np.zeros(len(grid), dtype=np.int64)
    for place in range(start, stop):
        number = number * 10 + (grid[:, place].astype(np.int64) - ZERO)
    return number
