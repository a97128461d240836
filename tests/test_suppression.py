"""Disclosure control on NHS Digital's method: each rule, and the controlled equity summary."""

import numpy as np
import pytest

from workbench.compare.equity import equity_summary
from workbench.fields import WaitingList
from workbench.compare.suppression import (
    COUNT, EQUITY_FIGURES, NOT_FOR_PUBLICATION, SUPPRESSED, About, Share, control, published_count, published_share,
    suppressed_summary, undeclared_figures,
)


@pytest.mark.parametrize("count, shown", [(0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (17, 15),
                                          (18, 20), (100, 100), (4998, 5000)])
def test_zero_is_shown_one_to_seven_hidden_and_the_rest_rounded_to_the_nearest_5(count, shown):
    assert published_count(count) == shown


def test_a_share_is_worked_out_from_the_published_counts():
    assert published_share(15, 5000) == 0.003
    assert published_share(SUPPRESSED, 5000) == SUPPRESSED and published_share(10, SUPPRESSED) == SUPPRESSED
    assert published_share(0, 0) is None


def summary_with_small_group():
    # 3 patients of sex "X" (a small group) among 42 F and 31 M.
    sexes = ["F"] * 42 + ["M"] * 31 + ["X"] * 3
    weeks = np.linspace(0, 80, len(sexes))
    wl = WaitingList(np.arange(1, 77), {"weeks_waited": weeks, "sex": np.array(sexes, dtype=object)})
    order = np.argsort(-weeks, kind="stable")
    return equity_summary(wl, order, order[::-1].copy(), by="sex", capacity_per_week=2, horizon_weeks=5)


def test_small_group_shows_nothing_but_stars():
    shown = {g["group"]: g for g in suppressed_summary(summary_with_small_group())["groups"]}
    small = shown["X"]
    assert small["count"] == small["share_of_list"] == small["change"] == small["rtt_waits_counted"] == SUPPRESSED
    for order in ("baseline", "scenario"):
        for key in ("mean_wait", "median_wait", "p90_wait", "within_18"):
            assert small[order][key] == SUPPRESSED


def test_no_secondary_suppression_the_other_groups_show_rounded():
    shown = suppressed_summary(summary_with_small_group())
    groups = {g["group"]: g for g in shown["groups"]}
    assert groups["F"]["count"] == 40 and groups["M"]["count"] == 30  # 42 and 31, rounded
    assert groups["M"]["share_of_list"] == pytest.approx(30 / 75)  # of the list size as shown: 76 -> 75
    assert isinstance(groups["M"]["baseline"]["mean_wait"], float)
    assert shown["list_size"] == 75


def test_every_long_wait_and_next_n_count_is_controlled():
    summary = summary_with_small_group()
    shown = suppressed_summary(summary)
    for original, safe in zip(summary["groups"], shown["groups"]):
        for order in ("baseline", "scenario"):
            for key, value in original[order].items():
                if key.startswith("over_") or key == "next_n_count":
                    assert safe[order][key] == published_count(value)


def test_totals_are_rounded_from_the_unrounded_counts():
    shown = suppressed_summary(summary_with_small_group())
    for order in ("baseline", "scenario"):
        assert shown["overall"][order]["over_18"] == published_count(summary_with_small_group()["overall"][order]["over_18"])
    assert shown["next_n"] == 10  # 2 a week for 5 weeks


def test_the_summary_says_how_it_was_controlled_and_the_original_is_left_alone():
    summary = summary_with_small_group()
    shown = suppressed_summary(summary)
    assert shown["disclosure"]["controlled"] is True and "nearest 5" in shown["disclosure"]["note"]
    assert [g["count"] for g in summary["groups"]] == [42, 31, 3]


def test_control_off_is_one_explicit_choice_and_says_so():
    raw = suppressed_summary(summary_with_small_group(), small_numbers_shown=True)
    assert [g["count"] for g in raw["groups"]] == [42, 31, 3]
    assert raw["disclosure"] == {"controlled": False, "note": NOT_FOR_PUBLICATION}


def test_group_with_few_known_waits_hides_its_wait_figures():
    weeks = np.array([np.nan] * 20 + [5.0] * 2 + [10.0] * 20)
    sexes = np.array(["F"] * 22 + ["M"] * 20, dtype=object)
    summary = equity_summary(WaitingList(np.arange(1, 43), {"weeks_waited": weeks, "sex": sexes}),
                             np.arange(42), np.arange(42), by="sex", capacity_per_week=1)
    female = suppressed_summary(summary)["groups"][0]
    assert female["count"] == 20 and female["rtt_waits_counted"] == SUPPRESSED
    assert female["baseline"]["mean_wait"] == SUPPRESSED and female["change"] == SUPPRESSED


def test_a_breakdown_of_a_next_n_of_one_to_seven_is_hidden_zeros_and_all():
    # 1 a week for 3 weeks: the next 3 treated are known from the capacity, so a 0 beside one * would give it away.
    sexes = np.array(["F"] * 20 + ["M"] * 20, dtype=object)
    summary = equity_summary(WaitingList(np.arange(1, 41), {"weeks_waited": np.arange(40.0), "sex": sexes}),
                             np.arange(40), np.arange(40), by="sex", capacity_per_week=1, horizon_weeks=3)
    shown = suppressed_summary(summary)
    assert [g["baseline"]["next_n_count"] for g in summary["groups"]] == [3, 0]
    assert [g["baseline"]["next_n_count"] for g in shown["groups"]] == [SUPPRESSED, SUPPRESSED]
    assert [g["baseline"]["share_of_next_n"] for g in shown["groups"]] == [SUPPRESSED, SUPPRESSED]


def test_a_nation_with_a_handful_of_patients_hides_its_slope_index():
    nations = np.array(["England"] * 40 + ["Wales"] * 5, dtype=object)
    deciles = np.tile(np.arange(1.0, 11.0), 5)[:45]
    wl = WaitingList(np.arange(1, 46), {"weeks_waited": np.arange(45.0), "imd_decile": deciles,
                                        "imd_quintile": np.ceil(deciles / 2), "deprivation_nation": nations})
    shown = suppressed_summary(equity_summary(wl, np.arange(45), np.arange(45), by="imd_quintile", capacity_per_week=1))
    wales = shown["sii_by_nation"]["Wales"]
    assert wales["patients"] == SUPPRESSED and wales["sii"] == {"baseline": SUPPRESSED, "scenario": SUPPRESSED}
    assert shown["sii_by_nation"]["England"]["patients"] == 40 and shown["sii_left_out"] == SUPPRESSED
    assert isinstance(shown["sii"]["baseline"], float)  # England's: 40 patients


def test_every_figure_of_the_equity_summary_is_declared():
    # A new figure is wired into disclosure control by adding its key to EQUITY_FIGURES (workbench.compare.suppression).
    assert undeclared_figures(summary_with_small_group(), EQUITY_FIGURES) == []


def test_an_undeclared_number_is_hidden_and_words_are_kept():
    shown = control({"count": 12, "new_figure": 3.25, "words": "ok", "names": ["a", "b"], "new_counts": [3, 40]},
                    {"count": COUNT})
    assert shown == {"count": 10, "new_figure": SUPPRESSED, "words": "ok", "names": ["a", "b"],
                     "new_counts": [SUPPRESSED, SUPPRESSED]}


def test_a_declared_list_or_interval_takes_its_keys_rule():
    table = {"n": COUNT, "ci": About("n"), "cells": COUNT}
    assert control({"n": 40, "ci": [1.5, 2.5], "cells": [3, 12]}, table) == {"n": 40, "ci": [1.5, 2.5], "cells": ["*", 10]}
    # An interval is hidden whole: "*" in its place, so a reader never takes one end for a figure.
    assert control({"n": 4, "ci": {"baseline": [1.5, 2.5]}}, table) == {"n": "*", "ci": {"baseline": "*"}}


def test_figures_are_tied_to_their_counts_by_the_declared_table():
    table = {"n": COUNT, "of": COUNT, "rate": Share("n", "of"), "mean": About("n"), "inner": COUNT}
    shown = control({"n": 3, "of": 40, "rate": 3 / 40, "mean": 4.5, "sub": {"inner": 9, "rate": 0.1}}, table)
    assert shown == {"n": SUPPRESSED, "of": 40, "rate": SUPPRESSED, "mean": SUPPRESSED,
                     "sub": {"inner": 10, "rate": SUPPRESSED}}  # the inner share looks outward for its counts
