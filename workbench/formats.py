"""How dates and figures read, wherever the workbench shows or writes them.

One home for each format: the list and the ranked list, every export, the
decision record, the command line and the messages a person reads all go
through these, so a date is always dd/mm/yyyy and a figure has the same
places everywhere. Text passes through as it is: the ``*`` of a suppressed
count stays ``*``. ``missing`` is what a missing value reads as where the
place needs a word ("not known") rather than an empty cell.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

_EPOCH = date(1970, 1, 1)
NAT_DAYS = np.iinfo(np.int64).min  # NaT as a count of days (datetime64[D] viewed as int64)


def uk_date(value: Any, missing: str = "") -> str:
    """dd/mm/yyyy for a date, a time (its day), a NumPy or pandas day; ``missing`` for None or NaT.

    >>> uk_date(date(2026, 3, 31)), uk_date(np.datetime64("9999-12-31")), uk_date(np.datetime64("NaT"))
    ('31/03/2026', '31/12/9999', '')
    >>> uk_date(np.datetime64("1066-10-14")), uk_date("*")
    ('14/10/1066', '*')
    """
    if isinstance(value, str):
        return value
    if value is None or _is_nat(value):
        return missing
    if isinstance(value, date):  # a datetime (and a pandas Timestamp) is a date too
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    # A NumPy day, which may lie outside Python's years 1 to 9999.
    year, month, day = str(np.datetime64(value, "D")).lstrip("+").rsplit("-", 2)
    return f"{day}/{month}/{year}"


def uk_date_time(value: Any, missing: str = "") -> str:
    """dd/mm/yyyy hh:mm for a time (in its own time zone), dd/mm/yyyy for a day.

    >>> uk_date_time(datetime(2026, 3, 31, 9, 5)), uk_date_time(date(2026, 3, 31)), uk_date_time(None)
    ('31/03/2026 09:05', '31/03/2026', '')
    """
    if isinstance(value, datetime) and not _is_nat(value):
        return f"{uk_date(value)} {value.hour:02d}:{value.minute:02d}"
    return uk_date(value, missing)


def day_text(days: int) -> str:
    """dd/mm/yyyy for a count of days since 01/01/1970 ('' for NaT): the list's fast path, per cell.

    >>> day_text(0), day_text(NAT_DAYS), day_text(-800_000)
    ('01/01/1970', '', '04/09/-221')
    """
    if days == NAT_DAYS:
        return ""
    try:
        return uk_date(_EPOCH + timedelta(days=int(days)))
    except OverflowError:  # outside years 1 to 9999
        return uk_date(np.datetime64(int(days), "D"))


def count(value: Any, missing: str = "") -> str:
    """A count with thousands separated.

    >>> count(1234), count(12.0), count("*"), count(None, "not known")
    ('1,234', '12', '*', 'not known')
    """
    if _is_missing(value):
        return missing
    return value if isinstance(value, str) else f"{int(value):,}"


def decimal(value: Any, places: int = 1, missing: str = "", unit: str = "") -> str:
    """A figure to a number of places, thousands separated (weeks, scores, rates).

    >>> decimal(12.345), decimal(1234.5, 0, unit=" weeks"), decimal("*"), decimal(float("nan"), missing="—")
    ('12.3', '1,234 weeks', '*', '—')
    """
    if _is_missing(value):
        return missing
    return value if isinstance(value, str) else f"{value:,.{places}f}{unit}"


def signed(value: Any, places: int = 1) -> str:
    """A part of a score with its sign; '' for none (0 or missing).

    >>> signed(2.0), signed(-0.25, 2), signed(0.0)
    ('+2.0', '-0.25', '')
    """
    if _is_missing(value) or not value:
        return ""
    return value if isinstance(value, str) else f"{value:+.{places}f}"


def share(value: Any, places: int = 1, missing: str = "") -> str:
    """A share (0 to 1) as a percentage.

    >>> share(0.1234), share(0.5, 0), share("*"), share(None)
    ('12.3%', '50%', '*', '')
    """
    if _is_missing(value):
        return missing
    return value if isinstance(value, str) else f"{100 * value:.{places}f}%"


def percent_of(part: int, whole: int) -> str:
    """A part of a whole as a whole percentage ('<1%' rather than a misleading 0%).

    >>> percent_of(1, 1000), percent_of(0, 10), percent_of(5, 10)
    ('<1%', '0%', '50%')
    """
    if whole == 0 or part == 0:
        return "0%"
    share = 100 * part / whole
    return "<1%" if share < 1 else f"{share:.0f}%"


def number(value: Any, missing: str = "") -> str:
    """Whole numbers as they are (ages, deciles, ranks), others to one place.

    >>> number(3.0), number(2.25), number(float("nan")), number(7001)
    ('3', '2.2', '', '7001')
    """
    if _is_missing(value):
        return missing
    if isinstance(value, str):
        return value
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def correlation(tau: Any) -> str:
    """Kendall tau to 3 places, never rounding a difference away to a misleading 1.000.

    >>> correlation(0.81234), correlation(0.99996), correlation(1.0), correlation("*")
    ('0.812', 'above 0.999', '1.000', '*')
    """
    if isinstance(tau, str):
        return tau
    return "above 0.999" if 0.9995 <= tau < 1.0 else f"{tau:.3f}"


def rule_number(value: float) -> str:
    """A number of a rule set (a weight, a threshold, weeks of overlap) to six significant figures, as the
    rule file, the Rules panel and the decision record show it: an AHP weight of 2.304357 is not rounded
    to 2.3 in one place and kept whole in another.

    >>> rule_number(2.0), rule_number(2.5), rule_number(2.304357), rule_number(104)
    ('2', '2.5', '2.30436', '104')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def figure(value: Any, missing: str = "not enough data") -> str:
    """A statistic (an index, a ratio) to three significant figures; per group as 'name: figure'.

    >>> figure(1.18234), figure(0.01234), figure(1.5), figure(1234.5), figure(52), figure({"T&O": 4.5})
    ('1.18', '0.0123', '1.5', '1,234', '52', 'T&O: 4.5')
    """
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item:g}" for key, item in value.items())
    if _is_missing(value) or (isinstance(value, float) and math.isinf(value)):
        return missing
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return f"{int(value):,}"
    places = max(0, 2 - math.floor(math.log10(abs(value))))
    shown = f"{value:,.{places}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _is_nat(value: Any) -> bool:
    return isinstance(value, np.datetime64) and np.isnat(value) or value is pd.NaT
