"""Queue formulas against the published reference cases (6 decimal places) and per-specialty figures."""

import math

import numpy as np
import pytest

from workbench.compare.capacity import (
    ALL_SPECIALTIES,
    queue_load,
    relief_capacity,
    specialty_queue_figures,
    target_capacity,
    target_mean_wait,
    target_queue_size,
    waiting_list_pressure,
    weeks_to_clear,
)
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError


@pytest.mark.parametrize(
    "figure, expected",
    [
        (lambda: queue_load(30, 27), 1.1111111),
        (lambda: target_mean_wait(52, 4), 13),
        (lambda: target_queue_size(30, 52), 390),
        (lambda: target_queue_size(30, 50), 375),
        (lambda: relief_capacity(30, 1200, 390, 26), 61.153846),
        (lambda: target_capacity(30, 52, factor=3, cv_demand=1.1, cv_capacity=1.2), 30.076442),
        (lambda: waiting_list_pressure(63, 52), 2.4230769),
    ],
    ids=["queue_load", "target_mean_wait", "target_queue_size_52", "target_queue_size_50",
         "relief_capacity", "target_capacity", "waiting_list_pressure"],
)
def test_reference_cases_to_six_decimal_places(figure, expected):
    assert round(figure(), 6) == round(expected, 6)


def test_defaults_match_the_published_definitions():
    assert target_mean_wait(18) == 4.5
    assert relief_capacity(30, 1200, 390) == relief_capacity(30, 1200, 390, 26)
    # cv's default to 1: demand + (1 + 1) / 2 x 4 / 18.
    assert target_capacity(30, 18) == pytest.approx(30 + 4 / 18)


def test_relief_capacity_raises_estimated_demand_by_two_standard_errors():
    # 2 x 30 x 0.5 / sqrt(3600) = 0.5, so demand becomes 30 / 0.5 = 60.
    assert relief_capacity(30, 1200, 390, 26, referrals=3600, cv_demand=0.5) == pytest.approx(60 + 810 / 26)
    # When the margin is 1 or more the published definition leaves demand alone.
    assert relief_capacity(30, 1200, 390, 26, referrals=100, cv_demand=1) == pytest.approx(61.153846)


def test_the_allowance_for_estimated_demand_is_nhs_rs_default_of_none():
    assert relief_capacity(30, 1200, 390, 26, referrals=3600) == pytest.approx(61.153846)  # cv_demand 0


@pytest.mark.parametrize("unit, per_unit", [("day", 30 / 7), ("week", 30), ("month", 30 * 52 / 12), ("year", 30 * 52)])
def test_the_allowance_is_worked_out_per_week_whatever_unit_demand_is_given_in(unit, per_unit):
    # The same demand, 30 a week, given per day, week, month or year: the same weekly relief capacity.
    relief = relief_capacity(per_unit, 1200, 390, 26, referrals=3600, cv_demand=0.5, unit=unit)
    assert relief == pytest.approx(60 + 810 / 26)


def test_the_allowance_is_refused_when_the_unit_of_demand_is_not_known():
    with pytest.raises(WorkbenchError, match="what demand is counted per"):
        relief_capacity(30, 1200, 390, 26, referrals=3600, cv_demand=0.5, unit=None)
    with pytest.raises(WorkbenchError, match="'fortnight' is not a unit"):
        relief_capacity(30, 1200, 390, 26, referrals=3600, cv_demand=0.5, unit="fortnight")


def test_weeks_to_clear():
    assert weeks_to_clear(260, 20) == 13
    assert weeks_to_clear(260, 20, demand=10) == 26
    assert weeks_to_clear(0, 5, demand=9) == 0
    with pytest.raises(WorkbenchError, match="never clears"):
        weeks_to_clear(10, 5, demand=5)


def test_zero_capacity_is_a_plain_error():
    with pytest.raises(WorkbenchError, match="capacity must be more than 0"):
        queue_load(30, 0)


def small_list() -> WaitingList:
    # Specialty 110: waits 10, 60, 70 (two past 52 weeks); 120: waits 2 and unknown; one with no specialty.
    return WaitingList(
        row_id=np.arange(1, 7),
        columns={
            "specialty": np.array(["110", "110", "110", "120", "120", None], dtype=object),
            "weeks_waited": np.array([10, 60, 70, 2, np.nan, 53.0]),
        },
    )


def test_specialty_figures_with_capacity_per_specialty():
    rows = {r["specialty"]: r for r in specialty_queue_figures(
        small_list(), {"110": 4, "120": 2, "Not known": 1}, {"110": 3, "120": 1, "Not known": 0.5}, target_wait=18,
        small_numbers_shown=True)}
    s110 = rows["110"]
    assert s110["queue_size"] == 3
    assert s110["mean_wait"] == pytest.approx(140 / 3)
    assert s110["queue_load"] == pytest.approx(0.75)
    assert s110["target_queue_size"] == pytest.approx(3 * 4.5)
    # 3 + (3 - 13.5) / 26 is below demand: the queue is already within its target size.
    assert s110["relief_capacity"] is None and s110["relief_words"] == "no extra capacity needed"
    assert s110["waiting_list_pressure"] == pytest.approx(2 * (140 / 3) / 18)
    assert s110["backlog_52"] == 2
    assert s110["weeks_to_clear_52"] == pytest.approx(2 / (4 - 3))
    assert rows["120"]["mean_wait"] == 2 and rows["120"]["backlog_52"] == 0
    assert rows["Not known"]["weeks_to_clear_52"] == pytest.approx(1 / 0.5)


def test_specialty_figures_share_a_single_capacity_by_queue_size():
    rows = specialty_queue_figures(small_list(), 12, None, target_wait=18, small_numbers_shown=True)
    by_name = {r["specialty"]: r for r in rows}
    assert [r["specialty"] for r in rows] == ["110", "120", "Not known", ALL_SPECIALTIES]
    assert [r["specialty_name"] for r in rows] == ["Trauma & Orthopaedics", "ENT", None, None]
    assert by_name["110"]["capacity_per_week"] == pytest.approx(6)  # 3 of 6 patients
    assert by_name["110"]["target_queue_size"] is None  # needs demand
    overall = by_name[ALL_SPECIALTIES]
    assert overall["queue_size"] == 6 and overall["backlog_52"] == 3
    assert overall["capacity_per_week"] == 12
    assert overall["weeks_to_clear_52"] == pytest.approx(3 / 12)
    assert overall["mean_wait"] == pytest.approx(195 / 5)


def test_specialty_missing_from_the_capacity_gets_no_figures():
    rows = {r["specialty"]: r for r in specialty_queue_figures(small_list(), {"110": 4}, None, small_numbers_shown=True)}
    assert rows["120"]["capacity_per_week"] is None and rows["120"]["weeks_to_clear_52"] is None
    assert rows[ALL_SPECIALTIES]["capacity_per_week"] is None
    assert not math.isnan(rows["120"]["waiting_list_pressure"])


def test_a_relief_capacity_above_demand_is_shown_as_a_capacity():
    rows = {r["specialty"]: r for r in specialty_queue_figures(small_list(), {"110": 4, "120": 2, "Not known": 1},
                                                                 {"110": 0.1, "120": 1, "Not known": 0.5}, target_wait=18,
                                                                 small_numbers_shown=True)}
    assert rows["110"]["relief_capacity"] == pytest.approx(0.1 + (3 - 0.45) / 26) and rows["110"]["relief_words"] is None


def test_a_queue_load_of_one_or_more_is_warned_about():
    rows = {r["specialty"]: r for r in specialty_queue_figures(small_list(), {"110": 4, "120": 2, "Not known": 1},
                                                                 {"110": 4, "120": 3, "Not known": 0.5},
                                                                 small_numbers_shown=True)}
    assert rows["110"]["load_warning"].startswith("Queue load 1.00: referrals are at or above capacity")
    assert rows["120"]["load_warning"].startswith("Queue load 1.50")
    assert rows["Not known"]["load_warning"] is None
    assert rows[ALL_SPECIALTIES]["load_warning"].startswith("Queue load 1.07")


def test_every_domain_reference_case_in_one_place():
    """/work/shared/DOMAIN.md's reference cases, with the defaults NHS-R uses."""
    assert round(queue_load(30, 27), 7) == 1.1111111
    assert target_mean_wait(52, 4) == 13
    assert target_queue_size(30, 52) == 390 and target_queue_size(30, 50) == 375
    assert round(relief_capacity(30, 1200, 390, 26), 6) == 61.153846
    assert round(target_capacity(30, 52, factor=3, cv_demand=1.1, cv_capacity=1.2), 6) == 30.076442
    assert round(waiting_list_pressure(63, 52), 7) == 2.4230769


def test_the_table_is_controlled_unless_small_numbers_are_shown():
    rows = {r["specialty"]: r for r in specialty_queue_figures(small_list(), 12, 6)}
    assert rows["110"]["queue_size"] == rows["110"]["mean_wait"] == rows["110"]["relief_capacity"] == "*"
    assert rows[ALL_SPECIALTIES]["queue_size"] == "*" and rows[ALL_SPECIALTIES]["capacity_per_week"] == 12


def test_new_referrals_per_priority_reach_the_projection_and_the_queue_figures():
    """Referrals set per priority (as the Capacity tab sets them) are projected as such, and the queue
    figures count all of them; in the list's own mix they would be another projection."""
    from tests.ui.conftest import make_list
    from workbench.compare.preview import EquityCache, PreviewRequest, compute_preview, prepare_list
    from workbench.compare.queues import CapacitySettings, queue_table
    from workbench.rank.bundled_rules import treat_in_turn

    wl = make_list(400)
    ready = prepare_list(wl)
    by_priority = CapacitySettings(10.0, 13.0, demand_by_priority=(("P2", 6.0), ("P4", 2.0)))
    in_the_mix = CapacitySettings(10.0, 13.0, demand_per_week=8.0)
    shown = {settings: compute_preview(PreviewRequest(ready, treat_in_turn(), "imd_quintile", settings, EquityCache()))
             for settings in (by_priority, in_the_mix)}
    assert shown[by_priority].equity_problem is None
    assert shown[by_priority].summary["demand_by_priority"] == {"P2": 6.0, "P4": 2.0}
    assert shown[by_priority].summary["groups"] != shown[in_the_mix].summary["groups"]
    tables = [queue_table(wl, settings)[-1] for settings in (by_priority, in_the_mix)]
    assert tables[0]["target_queue_size"] == tables[1]["target_queue_size"] is not None  # 8 a week either way
