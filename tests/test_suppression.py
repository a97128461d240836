"""Small-number suppression: primary, secondary, and the suppressed equity summary."""

import numpy as np
import pytest

from workbench.compare.equity import equity_summary
from workbench.fields import WaitingList
from workbench.compare.suppression import SUPPRESSED, suppress, suppressed_summary, suppression_mask


def test_counts_from_one_to_seven_are_hidden_and_zero_is_shown():
    assert suppress([0, 1, 7, 8, 100, 9]).tolist() == [0, "*", "*", 8, 100, 9]


def test_one_hidden_cell_takes_the_next_smallest_with_it():
    # Total 103: 3 alone could be worked out as 103 - 40 - 20 - 40; the 20 is hidden too.
    assert suppress([3, 40, 20, 40]).tolist() == ["*", 40, "*", 40]


def test_hidden_cells_adding_up_to_a_small_number_take_another():
    # 2 + 3 = 5 would be given away by the total, so the next smallest (9) goes too.
    assert suppress([2, 3, 9, 50]).tolist() == ["*", "*", "*", 50]


def test_zeros_are_never_chosen_for_secondary_suppression():
    assert suppress([4, 0, 0, 30]).tolist() == ["*", 0, 0, "*"]


def test_threshold_is_a_setting():
    assert suppress([3, 9, 20, 40], threshold=10).tolist() == ["*", "*", 20, 40]
    assert suppress([3, 9, 20, 40], threshold=2).tolist() == [3, 9, 20, 40]


def test_two_way_table_protects_rows_and_columns():
    table = [[5, 10, 20], [30, 40, 50], [60, 70, 80]]
    hidden = suppression_mask(table)
    for line in list(hidden) + list(hidden.T):
        assert line.sum() in (0, 2, 3)
    assert hidden[0, 0] and hidden[0, 1]  # the 5 and, in its row, the next smallest
    assert hidden[1, 0]  # the 5's column needs a second cell too: 30 is its next smallest


def test_forced_cells_count_as_hidden():
    assert suppression_mask([0, 40, 50], forced=[True, False, False]).tolist() == [True, True, False]


def summary_with_small_group():
    # 3 patients of sex "X" (a small group) among 40 F and 30 M.
    sexes = ["F"] * 40 + ["M"] * 30 + ["X"] * 3
    weeks = np.linspace(0, 80, len(sexes))
    wl = WaitingList(np.arange(1, 74), {"weeks_waited": weeks, "sex": np.array(sexes, dtype=object)})
    order = np.argsort(-weeks, kind="stable")
    return equity_summary(wl, order, order[::-1].copy(), by="sex", capacity_per_week=2, horizon_weeks=5)


def test_small_group_shows_nothing_but_stars():
    shown = {g["group"]: g for g in suppressed_summary(summary_with_small_group())["groups"]}
    small = shown["X"]
    assert small["count"] == small["share_of_list"] == small["change"] == SUPPRESSED
    for order in ("baseline", "scenario"):
        assert set(small[order].values()) == {SUPPRESSED}


def test_secondary_group_hides_its_count_but_keeps_its_waits():
    shown = {g["group"]: g for g in suppressed_summary(summary_with_small_group())["groups"]}
    assert shown["M"]["count"] == SUPPRESSED and shown["M"]["share_of_list"] == SUPPRESSED
    assert isinstance(shown["M"]["baseline"]["mean_wait"], float)
    assert shown["F"]["count"] == 40


def test_small_long_wait_counts_are_hidden_in_big_groups():
    summary = summary_with_small_group()
    shown = suppressed_summary(summary)
    for original, safe in zip(summary["groups"], shown["groups"]):
        for order in ("baseline", "scenario"):
            for key, value in original[order].items():
                if key.startswith("over_") or key == "next_n_count":
                    assert not (1 <= value <= 7) or safe[order][key] == SUPPRESSED


def test_suppressed_summary_leaves_the_original_alone():
    summary = summary_with_small_group()
    suppressed_summary(summary, threshold=7)
    assert [g["count"] for g in summary["groups"]] == [40, 30, 3]


@pytest.mark.parametrize("threshold", [2, 7])
def test_threshold_is_recorded(threshold):
    assert suppressed_summary(summary_with_small_group(), threshold)["suppression_threshold"] == threshold


def test_group_with_few_known_waits_hides_its_wait_figures():
    weeks = np.array([np.nan] * 20 + [5.0] * 2 + [10.0] * 20)
    sexes = np.array(["F"] * 22 + ["M"] * 20, dtype=object)
    summary = equity_summary(WaitingList(np.arange(1, 43), {"weeks_waited": weeks, "sex": sexes}),
                             np.arange(42), np.arange(42), by="sex", capacity_per_week=1)
    female = suppressed_summary(summary)["groups"][0]
    assert female["count"] == 22
    assert female["baseline"]["mean_wait"] == SUPPRESSED and female["change"] == SUPPRESSED
