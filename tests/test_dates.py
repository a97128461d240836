"""Reading dates: every format files use, the column's day/month order, bad dates."""

import datetime

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workbench.read import dates
from workbench.read.dates import parse_dates


def parse(*values):
    return parse_dates(np.array(values, dtype=object))


def iso(parsed):
    return [str(d) for d in parsed.dates]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01",
        "2024-03-01 00:00:00",
        "2024-03-01T10:00",
        "2024-03-01T10:00:00Z",
        "2024/03/01",
        "20240301",
        "01/03/2024",
        "1/3/2024",
        "01-03-2024",
        "01.03.2024",
        "01/03/24",
        "01/03/2024 14:30",
        "1 Mar 2024",
        "01-Mar-2024",
        "1 March 2024",
        "1st March 2024",
        "01-MAR-24",
        "March 1, 2024",
        "45352",
        "45352.5",
        "  01/03/2024  ",
    ],
)
def test_every_format_reads_as_1_march_2024(text):
    parsed = parse(text)
    assert iso(parsed) == ["2024-03-01"]
    assert not parsed.unreadable[0]


@pytest.mark.parametrize("text, expected", [("01/03/69", "2069-03-01"), ("01/03/70", "1970-03-01"), ("31/12/00", "2000-12-31")])
def test_two_digit_years_pivot_at_70(text, expected):
    assert iso(parse(text)) == [expected]


def test_missing_values_are_nat_but_not_unreadable():
    parsed = parse(None, "", "   ", np.nan, "2024-03-01")
    assert iso(parsed)[:4] == ["NaT"] * 4
    assert parsed.unreadable.tolist() == [False] * 5
    assert parsed.ambiguous.tolist() == [False] * 5


@pytest.mark.parametrize("text", ["31/02/2024", "13/13/2024", "2024-02-30", "00/01/2024", "1 Foo 2024", "soon", "32 Mar 2024", "2024-03-01xyz"])
def test_impossible_or_unknown_dates_are_unreadable(text):
    parsed = parse(text)
    assert iso(parsed) == ["NaT"]
    assert parsed.unreadable.tolist() == [True]


def test_placeholder_dates_are_read_for_validation_to_flag():
    assert iso(parse("1800-01-01", "01/01/1900", "9999-12-31")) == ["1800-01-01", "1900-01-01", "9999-12-31"]


def test_column_with_a_day_over_12_is_day_first_and_not_ambiguous():
    parsed = parse("13/02/2024", "02/03/2024")
    assert iso(parsed) == ["2024-02-13", "2024-03-02"]
    assert parsed.day_first is True
    assert not parsed.ambiguous.any()


def test_us_column_is_read_month_first_throughout():
    parsed = parse("02/13/2024", "03/01/2024", "12/25/2023")
    assert parsed.day_first is False
    assert iso(parsed) == ["2024-02-13", "2024-03-01", "2023-12-25"]
    assert not parsed.unreadable.any() and not parsed.ambiguous.any()


def test_inconsistent_column_never_swaps_a_value():
    parsed = parse("13/02/2024", "02/13/2024", "03/04/2024")
    assert parsed.day_first is True
    assert iso(parsed) == ["2024-02-13", "NaT", "2024-04-03"]
    assert parsed.unreadable.tolist() == [False, True, False]
    # With both orders in the column, a value that fits both cannot be trusted.
    assert parsed.ambiguous.tolist() == [False, False, True]


def test_nothing_to_decide_reads_day_first_and_marks_swappable_values_ambiguous():
    parsed = parse("03/04/2024", "05/05/2024", "2024-01-01")
    assert parsed.day_first is True
    assert iso(parsed) == ["2024-04-03", "2024-05-05", "2024-01-01"]
    # 05/05 reads the same either way, and ISO dates are never ambiguous.
    assert parsed.ambiguous.tolist() == [True, False, False]


def test_day_first_is_none_without_numeric_dates():
    assert parse("2024-03-01", "1 Mar 2024").day_first is None
    assert parse().day_first is None


@pytest.mark.parametrize(
    "serial, expected",
    [("1", "1900-01-01"), ("59", "1900-02-28"), ("61", "1900-03-01"), ("45352", "2024-03-01"), ("80000", "2119-01-11")],
)
def test_excel_serials_allow_for_the_1900_leap_year_bug(serial, expected):
    assert iso(parse(serial)) == [expected]


@pytest.mark.parametrize("serial", ["60", "0", "80001"])
def test_serials_outside_real_dates_are_unreadable(serial):
    assert parse(serial).unreadable.tolist() == [True]


def test_repeated_values_share_one_reading_and_keep_their_positions():
    values = np.array(["01/03/2024", None, "13/03/2024"] * 1000, dtype=object)
    parsed = parse_dates(values)
    assert iso(parsed)[:3] == ["2024-03-01", "NaT", "2024-03-13"]
    assert (parsed.dates[::3] == np.datetime64("2024-03-01")).all()
    assert np.isnat(parsed.dates[1::3]).all()


def test_many_distinct_date_times_collapse_to_their_dates():
    values = np.array([f"2024-03-{1 + i % 28:02d} 10:{i // 60 % 60:02d}:{i % 60:02d}.{i}" for i in range(25_000)], dtype=object)
    values[7] = "2024-02-30 10:00"
    parsed = parse_dates(values)
    assert str(parsed.dates[0]) == "2024-03-01" and str(parsed.dates[27]) == "2024-03-28"
    assert parsed.unreadable.sum() == 1 and parsed.unreadable[7]


ISO_SHAPED = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),  # mostly days that do not exist
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),  # digits of any script
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ISO_SHAPED, min_size=1, max_size=30))
@example(["0000-01-01", "2000-02-29", "1900-02-29", "2024-13-01", "2024-04-31", "2024-00-10"])
def test_iso_dates_read_all_at_once_agree_with_reading_each_by_its_pattern(texts):
    parsed = parse(*texts)
    for text, day, unreadable in zip(texts, parsed.dates, parsed.unreadable):
        expected_day, expected_unreadable, _ = dates._resolve(dates._understand(text), True, False)
        assert (str(day), bool(unreadable)) == (str(expected_day), expected_unreadable), text
    assert not parsed.ambiguous.any() and parsed.day_first is None


def test_iso_dates_beside_numeric_ones_leave_the_column_order_to_those():
    parsed = parse("2024-02-29", "2023-02-29", "03/01/2024", "13/01/2024")
    assert iso(parsed) == ["2024-02-29", "NaT", "2024-01-03", "2024-01-13"]
    assert parsed.unreadable.tolist() == [False, True, False, False]
    assert parsed.day_first is True and not parsed.ambiguous.any()


NUMERIC_DATE = st.tuples(
    st.integers(0, 32), st.integers(0, 32), st.integers(1, 2100), st.sampled_from("/-."), st.booleans()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(NUMERIC_DATE, min_size=1, max_size=30))
@example([(13, 1, 2024, "/", False), (1, 13, 2024, "/", True)])  # both orders evident: inconsistent
@example([(1, 13, 2024, "/", False), (3, 1, 2024, "/", False)])  # evidently US
@example([(3, 1, 2024, "/", False), (1, 1, 2024, "/", True), (29, 2, 2023, "/", False)])  # nothing tells
def test_dd_mm_yyyy_dates_read_all_at_once_agree_with_reading_each_by_its_pattern(dates_given):
    # A time after a date sends it down the value-by-value path: with every value timed,
    # the whole column is read that way and must come out the same.
    def text(first, second, year, separator, timed):
        return f"{first:02d}{separator}{second:02d}{separator}{year:04d}" + (" 00:00" if timed else "")

    at_once = parse(*(text(*d) for d in dates_given))
    one_by_one = parse(*(text(*d[:4], True) for d in dates_given))
    assert iso(at_once) == iso(one_by_one)
    assert at_once.unreadable.tolist() == one_by_one.unreadable.tolist()
    assert at_once.ambiguous.tolist() == one_by_one.ambiguous.tolist()
    assert at_once.day_first == one_by_one.day_first
