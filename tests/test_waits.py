"""Which waits count: RTT clock stops, flagged clock starts, non-RTT lists, and when a priority was set."""

import datetime

import numpy as np
import pytest

from workbench.check import waits
from workbench.check.enrich import enrich
from workbench.fields import WaitingList

CENSUS = datetime.date(2026, 11, 1)


def days(*values):
    return np.array(values, dtype="datetime64[D]")


def texts(*values):
    return np.array(values, dtype=object)


def census_for(n):
    return np.full(n, np.datetime64(CENSUS), dtype="datetime64[D]")


@pytest.mark.parametrize("start, reason", [
    ("1801-01-01", waits.START_NOT_USABLE),  # a placeholder
    ("1900-01-01", waits.START_NOT_USABLE),
    ("1850-06-01", waits.START_NOT_USABLE),  # impossible
    ("2026-11-02", waits.START_NOT_USABLE),  # after the census date
    ("NaT", waits.NO_START),
    ("2026-10-04", None),
])
def test_a_clock_start_that_cannot_be_trusted_is_no_wait_at_all(start, reason):
    weeks, why = waits.counted_waits(days(start), days("NaT"), census_for(1))
    assert why.tolist() == [reason]
    assert np.isnan(weeks[0]) == (reason is not None)
    if reason is None:
        assert weeks[0] == 4.0


@pytest.mark.parametrize("stop, stopped", [
    ("2026-10-31", True), ("2026-11-01", True),  # on or before the census date: not waiting
    ("2026-11-02", False),  # stops after the census date: still waiting at it
    ("1900-01-01", False),  # a placeholder stop is no stop (validation flags it)
    ("NaT", False),
])
def test_a_clock_stopped_on_or_before_the_census_date_is_not_waiting(stop, stopped):
    weeks, why = waits.counted_waits(days("2026-01-04"), days(stop), census_for(1))
    assert (why[0] == waits.CLOCK_STOPPED) == stopped
    assert np.isnan(weeks[0]) == stopped


def test_priority_time_limits_run_from_the_last_review_else_listing_else_clock_start():
    columns = {
        "priority_review_date": days("2026-10-20", "NaT", "1900-01-01", "2026-12-01", "NaT"),
        "decision_to_admit_date": days("2026-06-01", "2026-09-01", "2026-08-01", "NaT", "NaT"),
        "wait_start": days("2026-01-01", "2026-01-01", "2026-01-01", "2026-02-01", "NaT"),
    }
    dates, used = waits.priority_dates(columns, census_for(5))
    # A placeholder review and one after the census date are passed over.
    assert dates.astype(str).tolist() == ["2026-10-20", "2026-09-01", "2026-08-01", "2026-02-01", "NaT"]
    assert used.tolist() == [waits.REVIEW, waits.LISTING, waits.LISTING, waits.CLOCK_START, None]


def test_overdue_counts_from_the_priority_date_so_a_recent_review_is_not_overdue():
    derived = enrich({"clinical_priority": texts("P2", "P2"), "wait_start": days("2026-01-01", "2026-01-01"),
                      "priority_review_date": days("2026-10-20", "NaT")}, CENSUS)
    wl = WaitingList(np.arange(1, 3), {"clinical_priority": texts("P2", "P2"), **derived}, census_date=CENSUS)
    since = waits.days_since_priority(wl, census_for(2))
    assert since.tolist() == [12.0, 304.0]
    assert waits.overdue(wl.columns["clinical_priority"], since).tolist() == [False, True]


def test_a_stopped_clock_is_never_overdue():
    derived = enrich({"clinical_priority": texts("P2"), "wait_start": days("2026-01-01"),
                      "clock_stop_date": days("2026-02-01")}, CENSUS)
    wl = WaitingList(np.arange(1, 2), {"clinical_priority": texts("P2"), **derived}, census_date=CENSUS)
    assert np.isnan(waits.days_since_priority(wl, census_for(1))).all()


def test_non_rtt_list_types_keep_their_wait_but_leave_the_rtt_figures():
    types = texts("IRTT", "ORTT", "INON", "ONON", "Planned", None)
    derived = enrich({"waiting_list_type": types, "wait_start": days(*["2026-01-04"] * 6)}, CENSUS)
    assert derived["rtt_pathway"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 1.0]  # no type: an RTT list
    assert not np.isnan(derived["weeks_waited"]).any()
    wl = WaitingList(np.arange(1, 7), derived)
    assert waits.rtt_wait_counted(wl).tolist() == [True, True, False, False, False, True]
    assert waits.left_out(wl) == {waits.NON_RTT: 3}


def test_every_row_left_out_is_counted_once_with_its_reason():
    derived = enrich({
        "wait_start": days("2026-01-04", "1801-01-01", "NaT", "2026-01-04", "2026-01-04", "1900-01-01"),
        "clock_stop_date": days("NaT", "NaT", "NaT", "2026-03-01", "NaT", "2026-03-01"),
        "waiting_list_type": texts("IRTT", "IRTT", "IRTT", "IRTT", "INON", "INON"),
    }, CENSUS)
    wl = WaitingList(np.arange(1, 7), derived)
    left = waits.left_out(wl)
    assert left == {waits.CLOCK_STOPPED: 2, waits.START_NOT_USABLE: 1, waits.NO_START: 1, waits.NON_RTT: 1}
    assert sum(left.values()) + int(waits.rtt_wait_counted(wl).sum()) == len(wl)
    assert waits.describe_left_out(1, 6, left) == (
        "RTT waits counted: 1 of 6 patients (left out: 2 clock stopped, 1 clock start not usable, "
        "1 no clock start, 1 non-RTT)")


@pytest.mark.parametrize("start, stop, words", [
    ("1801-01-01", "NaT", "clock start 01/01/1801 is a placeholder: time waited not counted; fix it in validation"),
    ("1850-06-01", "NaT", "clock start 01/06/1850 is not a possible date: time waited not counted; fix it in validation"),
    ("2026-11-20", "NaT", "clock start 20/11/2026 is after the census date 01/11/2026: time waited not counted; "
                          "fix it in validation"),
    ("2026-01-01", "2026-03-01", "clock stopped 01/03/2026 but still on the list: not waiting, so time waited not "
                                 "counted; fix it in validation"),
    ("NaT", "NaT", "no readable clock start: time waited not counted; fix it in validation"),
    ("2026-01-01", "NaT", None),
])
def test_why_a_wait_is_not_counted_in_words(start, stop, words):
    columns = {"wait_start": days(start), "clock_stop_date": days(stop)}
    wl = WaitingList(np.arange(1, 2), {**columns, **enrich(columns, CENSUS)}, census_date=CENSUS)
    assert waits.not_counted_words(wl, 0) == words
