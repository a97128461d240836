"""Who is due for validation: 12, 26 and 52 weeks, then every 12 weeks from the last validation."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from workbench.fields import WaitingList
from workbench.report.validation_due import FROM_LIST, FROM_OUTCOME, NEVER, due_for_validation, next_due

START = np.datetime64("2025-01-06", "D")


def weeks_after(weeks: float) -> np.datetime64:
    return START + np.timedelta64(int(round(7 * weeks)), "D")


@pytest.mark.parametrize("last, due_at", [
    (None, 12),  # never validated: at 12 weeks
    (11.9, 12),  # validated before 12 weeks: still due at 12
    (12, 26),  # on the day it reached 12 weeks: next at 26
    (20, 26), (26, 52), (40, 52),
    (52, 64),  # at 52 weeks: then every 12 weeks after the last validation
    (60, 72), (75, 87),
])
def test_the_cadence_worked_out_by_hand(last, due_at):
    validated = np.array([weeks_after(last) if last is not None else np.datetime64("NaT")], dtype="datetime64[D]")
    assert next_due(np.array([START]), validated)[0] == weeks_after(due_at)


def small_list(census: date) -> WaitingList:
    """Four pathways starting 06/01/2025; B and C stopped or not counted; D validated on the list."""
    n = 5
    starts = np.array([START] * n, dtype="datetime64[D]")
    weeks = (np.datetime64(census, "D") - starts).astype(np.float64) / 7
    return WaitingList(np.arange(1, n + 1), {
        "pathway_id": np.array(["A", "B", "C", "D", "E"], dtype=object),
        "nhs_number": np.array([None] * n, dtype=object), "specialty": np.array(["110"] * n, dtype=object),
        "wait_start": starts,
        "weeks_waited": np.where([True, False, True, True, True], weeks, np.nan),
        "wait_not_counted": np.array([None, "clock stopped", None, None, None], dtype=object),
        "rtt_pathway": np.array([1.0, 1.0, 0.0, 1.0, 1.0]),
        "last_validation_date": np.array(["NaT", "NaT", "NaT", str(weeks_after(13)), "NaT"], dtype="datetime64[D]"),
    }, census_date=census)


def outcomes(*rows) -> pd.DataFrame:
    """Each pathway's newest outcome, as workbench.store.outcomes.newest_outcomes gives them."""
    columns = list(zip(*rows)) if rows else [(), (), ()]
    return pd.DataFrame({"outcome": np.array(columns[1], dtype=object),
                         "outcome_date": np.array(columns[2], dtype="datetime64[D]"), "checked_by": "x"},
                        index=pd.Index(columns[0], dtype=object, name="pathway_id"))


def test_who_is_due_and_why():
    census = weeks_after(27).astype(date)
    due = due_for_validation(small_list(census), outcomes(("E", "still waiting", str(weeks_after(26.5)))), within_weeks=0)
    listed = dict(zip(due.rows.tolist(), zip(due.due.astype(str).tolist(), due.last_from.tolist(), due.why.tolist())))
    # A never validated: due at 12 weeks, overdue; B's clock stopped and C is non-RTT: not listed;
    # D validated at 13 weeks on the list: due at 26, overdue; E validated at 26.5 weeks by a recorded outcome: not yet due.
    assert sorted(listed) == [0, 3]
    assert listed[0] == (str(weeks_after(12)), NEVER, "overdue since 31/03/2025")
    assert listed[3] == (str(weeks_after(26)), FROM_LIST, "overdue since 07/07/2025")
    later = due_for_validation(small_list(census), outcomes(("E", "still waiting", str(weeks_after(26.5)))), within_weeks=30)
    e = later.rows.tolist().index(4)
    assert (later.last_from[e], str(later.due[e])) == (FROM_OUTCOME, str(weeks_after(52)))


def test_a_pathway_recorded_as_removed_but_still_on_the_list_comes_first():
    census = weeks_after(27).astype(date)
    due = due_for_validation(small_list(census), outcomes(("B", "moved away", "2025-06-01")), within_weeks=0)
    assert due.rows.tolist()[0] == 1
    assert due.why[0] == "recorded as moved away on 01/06/2025 but still on the list"
    assert due.summary()["recorded_as_removed_but_on_the_list"] == 1
