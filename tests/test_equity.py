"""Equity impact of an order: hand-computed projected waits, shares, long waits, SII/RII."""

import numpy as np
import pandas as pd
import pytest

from workbench.compare.equity import (
    NOT_KNOWN,
    describe_change,
    equity_summary,
    group_rows,
    grouping_choices,
    inequality_indices,
    plan_service,
    prepare_equity,
)
from workbench.check.deprivation import FIFTHS
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError
from workbench.rank.ranking import rank
from workbench.rank.bundled_rules import treat_in_turn
from workbench.compare.preview import movement_histogram
from workbench.compare.suppression import suppressed_summary


def make_list(weeks_waited, **columns) -> WaitingList:
    n = len(weeks_waited)
    typed = {"weeks_waited": np.array(weeks_waited, dtype=np.float64)}
    source = {}
    for name, values in columns.items():
        if name.startswith("src_"):
            source[name[4:].replace("_", " ")] = np.array(values, dtype=object)
        elif all(isinstance(v, (int, float)) or v is None for v in values):
            typed[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        else:
            typed[name] = np.array(values, dtype=object)
    return WaitingList(row_id=np.arange(1, n + 1), columns=typed, source=source)


def test_grouping_choices_offer_what_the_list_holds_usual_ones_first():
    wl = make_list([1, 2], imd_quintile=[1, 5], sex=["Female", "Male"], src_Carer=["Y", "N"],
                   src_Learning_disability_flag=["Y", "N"])
    assert grouping_choices(wl) == [("IMD quintile", "imd_quintile"), ("Sex", "sex"),
                                    ("Learning disability", "learning_disability"), ("Column: Carer", "Carer")]
    assert grouping_choices(make_list([1])) == []


def by_group(summary):
    return {g["group"]: g for g in summary["groups"]}


# Six patients: quintile 1 (rows 0-2) and quintile 5 (rows 3-5), capacity 1 a week.
SIX_WAITS = [10, 20, 30, 5, 15, 40]
SIX_QUINTILES = [1, 1, 1, 5, 5, 5]
ENGLISH = ["England"] * 6
Q1, Q5 = "England, most deprived fifth", "England, least deprived fifth"
IN_TURN = np.array([5, 2, 1, 4, 0, 3])  # longest wait first
MOST_DEPRIVED_FIRST = np.array([2, 1, 0, 5, 4, 3])


@pytest.fixture
def six_summary():
    wl = make_list(SIX_WAITS, imd_quintile=SIX_QUINTILES, deprivation_nation=ENGLISH)
    return equity_summary(wl, IN_TURN, MOST_DEPRIVED_FIRST, by="imd_quintile", capacity_per_week=1, horizon_weeks=2)


def test_projected_waits_by_hand(six_summary):
    # Baseline: row 5 waits 40+1, row 2 30+2, row 1 20+3, row 4 15+4, row 0 10+5, row 3 5+6.
    # Quintile 1 gets 15, 23, 32; quintile 5 gets 11, 19, 41.
    q1, q5 = by_group(six_summary)[Q1]["baseline"], by_group(six_summary)[Q5]["baseline"]
    assert q1["mean_wait"] == pytest.approx(70 / 3)
    assert q1["median_wait"] == pytest.approx(23)
    assert q1["p90_wait"] == pytest.approx(23 + 0.8 * (32 - 23))
    assert q5["mean_wait"] == pytest.approx(71 / 3)
    assert q5["median_wait"] == pytest.approx(19)
    assert q5["p90_wait"] == pytest.approx(19 + 0.8 * (41 - 19))


def test_scenario_and_change_by_hand(six_summary):
    # Scenario: row 2 30+1, row 1 20+2, row 0 10+3, row 5 40+4, row 4 15+5, row 3 5+6.
    q1, q5 = by_group(six_summary)[Q1], by_group(six_summary)[Q5]
    assert q1["scenario"]["mean_wait"] == pytest.approx(22)
    assert q5["scenario"]["mean_wait"] == pytest.approx(25)
    assert q5["scenario"]["p90_wait"] == pytest.approx(20 + 0.8 * (44 - 20))
    assert q1["change_mean_wait_weeks"] == pytest.approx(22 - 70 / 3)
    assert q1["change"] == "-1.3 weeks shorter"
    assert q5["change"] == "+1.3 weeks longer"


def test_long_waits_by_hand(six_summary):
    q1, q5 = by_group(six_summary)[Q1], by_group(six_summary)[Q5]
    assert [q1["baseline"][f"over_{w}"] for w in (18, 52, 65, 78)] == [2, 0, 0, 0]
    assert [q5["scenario"][f"over_{w}"] for w in (18, 52, 65, 78)] == [2, 0, 0, 0]
    # 18 exactly is not over 18: a patient projected at 18.0 weeks does not count.
    wl = make_list([17, 30], sex=["F", "F"])
    summary = equity_summary(wl, np.array([0, 1]), np.array([0, 1]), by="sex", capacity_per_week=1)
    assert summary["groups"][0]["baseline"]["over_18"] == 1


def test_share_of_next_n_by_hand(six_summary):
    # Capacity 1 for 2 weeks: the next 2 treated.
    assert six_summary["next_n"] == 2
    q1, q5 = by_group(six_summary)[Q1], by_group(six_summary)[Q5]
    assert q1["share_of_list"] == pytest.approx(0.5)
    assert (q1["baseline"]["share_of_next_n"], q5["baseline"]["share_of_next_n"]) == (0.5, 0.5)
    assert (q1["scenario"]["share_of_next_n"], q5["scenario"]["share_of_next_n"]) == (1.0, 0.0)
    assert q1["scenario"]["next_n_count"] == 2


def test_every_quintile_is_listed_even_when_empty(six_summary):
    groups = by_group(six_summary)
    assert list(groups) == [f"England, {fifth}" for fifth in FIFTHS]
    middle = groups["England, middle fifth"]
    assert middle["count"] == 0 and middle["baseline"]["mean_wait"] is None


def test_new_referrals_take_their_place_from_the_rule_set_not_an_order_alone():
    wl = make_list(SIX_WAITS, imd_quintile=SIX_QUINTILES, deprivation_nation=ENGLISH)
    with pytest.raises(ValueError, match="pass the Ranking"):
        equity_summary(wl, IN_TURN, MOST_DEPRIVED_FIRST, capacity_per_week=3, horizon_weeks=2, demand_per_week=2)


def test_demand_at_capacity_is_projected_and_the_list_grows():
    wl = make_list(SIX_WAITS, imd_quintile=SIX_QUINTILES, deprivation_nation=ENGLISH)
    in_turn = rank(treat_in_turn(), wl)
    summary = equity_summary(wl, in_turn, in_turn, capacity_per_week=2, horizon_weeks=3, demand_per_week=3)
    # 9 referrals join in 3 weeks while 6 are treated: 6 + 9 - 6 = 9 waiting at the horizon.
    assert summary["next_n"] == 6 and summary["new_referrals_by_horizon"] == 9
    assert summary["list_size_at_horizon"] == 9 and summary["list_grows"] is True
    assert all(g["baseline"]["mean_wait"] > 0 for g in summary["groups"] if g["count"])


def test_unknown_waits_are_counted_not_averaged():
    wl = make_list([np.nan, 10, 0], sex=["F", "F", "F"])
    summary = equity_summary(wl, np.array([0, 1, 2]), np.array([0, 1, 2]), by="sex", capacity_per_week=1)
    female = summary["groups"][0]
    assert female["wait_unknown"] == 1 and summary["wait_unknown"] == 1
    # Row 0 still takes the first slot: row 1 is treated at 10 + 2, row 2 at 0 + 3.
    assert female["baseline"]["mean_wait"] == pytest.approx(7.5)


def test_capacity_per_specialty_keeps_each_queue_in_order():
    wl = make_list([0] * 6, specialty=["110", "110", "110", "110", "120", "120"], src_Patient=list("abcdef"))
    capacity = {"110": 2, "120": 1}
    summary = equity_summary(wl, np.arange(6), np.array([5, 3, 4, 2, 1, 0]), by="Patient",
                             capacity_per_week=capacity, horizon_weeks=1)
    patients = by_group(summary)
    # Queue 110 at 2 a week: a, b, c, d at 0.5, 1, 1.5, 2; reversed in the scenario.
    assert [patients[p]["baseline"]["mean_wait"] for p in "abcdef"] == [0.5, 1.0, 1.5, 2.0, 1.0, 2.0]
    assert [patients[p]["scenario"]["mean_wait"] for p in "abcdef"] == [2.0, 1.5, 1.0, 0.5, 2.0, 1.0]
    assert summary["next_n"] == 3  # 2 from 110 and 1 from 120 in one week


def test_capacity_per_specialty_needs_every_specialty():
    wl = make_list([0, 0], specialty=["110", "120"])
    with pytest.raises(WorkbenchError, match="specialty 120"):
        plan_service(wl, {"110": 2}, horizon_weeks=1)


def test_sii_and_rii_by_hand():
    # p = 1/5 each at x = 0.1 .. 0.9; y = 10, 8, 6, 4, 3; weighted means x 0.5, y 6.2.
    # Sxy = 0.2 * (-0.4 * 3.8 - 0.2 * 1.8 + 0.2 * -2.2 + 0.4 * -3.2) = -0.72; Sxx = 0.08: slope -9.
    # Fitted: 10.7 at the most deprived end (x = 0), 1.7 at the least (x = 1).
    sii, rii = inequality_indices([10, 8, 6, 4, 3], [1, 1, 1, 1, 1])
    assert sii == pytest.approx(9.0)  # positive: the most deprived wait longer
    assert rii == pytest.approx(1.7 / 10.7)  # OHID's RII: least deprived end over most deprived end


def test_sii_matches_a_weighted_line_fit():
    y, population = np.array([9.0, 7.5, 7.0, 4.0, 4.5]), np.array([3, 1, 4, 2, 5])
    p = population / population.sum()
    x = np.cumsum(p) - p / 2
    slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(p))  # polyfit squares its weights
    sii, _ = inequality_indices(y, population)
    assert sii == pytest.approx(intercept - (intercept + slope))


def test_sii_needs_five_deciles():
    assert inequality_indices([5, 3, 4, 2, np.nan], [1, 1, 1, 1, 1]) == (None, None)
    assert inequality_indices([5, 3, 4, 2, 1], [1, 1, 0, 1, 1]) == (None, None)
    assert inequality_indices([5, 3, 4, 2, 1], [1, 1, 1, 1, 1]) != (None, None)


def test_sii_of_projected_waits_across_deciles():
    # Deciles 1, 3, 5, 7, 10 with no wait yet: positions give waits 1 .. 5 in turn, at x = 0.1 .. 0.9:
    # a line rising 5 weeks from 0.5 at the most deprived end to 5.5 at the least.
    wl = make_list([0] * 5, imd_decile=[1, 3, 5, 7, 10])
    summary = equity_summary(wl, np.arange(5), np.arange(5)[::-1].copy(), by="imd_decile", capacity_per_week=1)
    assert summary["sii"]["baseline"] == pytest.approx(-5)  # the most deprived wait 5 weeks less
    assert summary["rii"]["baseline"] == pytest.approx(5.5 / 0.5)
    assert summary["rii_words"]["baseline"] == "the least deprived wait 11 times as long as the most deprived"
    assert summary["sii"]["scenario"] == pytest.approx(5)
    assert summary["sii_deciles"] == 5


def test_sii_is_none_without_deciles(six_summary):
    assert six_summary["sii"] == {"baseline": None, "scenario": None}


def test_figures_agree_with_pandas_groupby():
    rng = np.random.default_rng(7)
    n = 3000
    weeks = rng.gamma(2, 10, n)
    weeks[rng.random(n) < 0.05] = np.nan
    groups = rng.choice(["White", "Asian", "Black", None], n)
    wl = make_list(weeks, ethnic_group=list(groups))
    scenario = rng.permutation(n)
    summary = equity_summary(wl, np.arange(n), scenario, by="ethnic_group", capacity_per_week=25, horizon_weeks=4)
    position = np.empty(n, dtype=np.int64)
    position[scenario] = np.arange(n)
    frame = pd.DataFrame({"group": pd.Series(groups).fillna(NOT_KNOWN), "wait": weeks + (position + 1) / 25})
    expected = frame.groupby("group")["wait"].agg(["mean", "median", lambda w: w.quantile(0.9), lambda w: (w > 52).sum()])
    for label, row in expected.iterrows():
        figures = by_group(summary)[label]["scenario"]
        assert figures["mean_wait"] == pytest.approx(row.iloc[0])
        assert figures["median_wait"] == pytest.approx(row.iloc[1])
        assert figures["p90_wait"] == pytest.approx(row.iloc[2])
        assert figures["over_52"] == row.iloc[3]
    assert sum(g["scenario"]["next_n_count"] for g in summary["groups"]) == 100


def test_prepared_inputs_give_the_same_summary_for_many_orders():
    rng = np.random.default_rng(3)
    wl = make_list(rng.uniform(0, 60, 200), imd_quintile=list(rng.integers(1, 6, 200).astype(float)))
    inputs = prepare_equity(wl, "imd_quintile", capacity_per_week=5, horizon_weeks=4)
    baseline = np.arange(200)
    first, second = rng.permutation(200), rng.permutation(200)
    assert inputs.summary(baseline, first) == equity_summary(wl, baseline, first, capacity_per_week=5, horizon_weeks=4)
    assert inputs.summary(baseline, second) == equity_summary(wl, baseline, second, capacity_per_week=5, horizon_weeks=4)
    assert inputs.summary(baseline, first) != inputs.summary(baseline, second)


@pytest.mark.parametrize(
    "weeks, text",
    [(2.34, "+2.3 weeks longer"), (-1.06, "-1.1 weeks shorter"), (-1.0, "-1.0 week shorter"),
     (0.04, "no change"), (None, "")],
)
def test_describe_change(weeks, text):
    assert describe_change(weeks) == text


def test_groups_follow_the_standard_order_with_not_known_last():
    wl = make_list([1, 2, 3, 4], ethnic_group=["Black", None, "White", "Black"])
    grouping = group_rows(wl, "ethnic_group")
    assert grouping.labels == ("White", "Mixed", "Asian", "Black", "Other", "Not stated/unknown", NOT_KNOWN)
    assert [grouping.labels[c] for c in grouping.codes] == ["Black", NOT_KNOWN, "White", "Black"]


def test_learning_disability_from_a_source_column():
    wl = make_list([1, 2, 3, 4, 5], src_Learning_Disability=["Y", "no", "", "YES", None])
    grouping = group_rows(wl, "learning_disability")
    assert [grouping.labels[c] for c in grouping.codes] == ["Yes", "No", NOT_KNOWN, "Yes", NOT_KNOWN]


def test_learning_disability_column_missing_is_a_plain_error():
    with pytest.raises(WorkbenchError, match="learning disability"):
        group_rows(make_list([1]), "learning_disability")


def test_any_source_column_by_name_with_numbers_in_numeric_order():
    wl = make_list([1, 2, 3, 4], src_Clinic=["10", "2", " 2 ", "abc"])
    grouping = group_rows(wl, "clinic")
    assert grouping.labels == ("2", "10", "abc")
    assert grouping.codes.tolist() == [1, 0, 0, 2]


def test_unknown_column_names_the_column():
    with pytest.raises(WorkbenchError, match="no column called 'postcode district'"):
        group_rows(make_list([1]), "postcode district")


def test_core20_flag_groups():
    wl = make_list([1, 2, 3], core20=[1.0, 0.0, None])
    assert [group_rows(wl, "core20").labels[c] for c in group_rows(wl, "core20").codes] == ["Yes", "No", NOT_KNOWN]


def test_specialty_codes_typed_as_numbers_match():
    wl = make_list([0, 0, 0], specialty=["110", "120", "110"])
    service = plan_service(wl, {110: 2, 120: 1}, horizon_weeks=1, demand_per_week={110: 1})
    assert service.rate.tolist() == [2.0, 1.0] and service.next_n.tolist() == [2, 1]
    assert service.demand.tolist() == [1.0, 0.0]


def test_whole_numbers_label_without_decimals():
    wl = make_list([1, 2], imd_rank=[123456789.0, 2.5])
    assert group_rows(wl, "imd_rank").labels == ("2.5", "123456789")


def test_dates_group_in_date_order_shown_dd_mm_yyyy():
    wl = make_list([1, 2, 3])
    wl.columns["tci_date"] = np.array(["2026-02-01", "NaT", "2026-01-15"], dtype="datetime64[D]")
    assert group_rows(wl, "tci_date").labels == ("15/01/2026", "01/02/2026", NOT_KNOWN)


# --- nations are never pooled -------------------------------------------------------------------

def three_nations():
    """England deciles 1-10 twice, Wales deciles 1, 3, 5, 7, 10, Scotland decile 1: waits fall with deprivation
    in England and rise in Wales, so a pooled line would mix two opposite gradients."""
    deciles = list(range(1, 11)) * 2 + [1, 3, 5, 7, 10] + [1]
    nations = ["England"] * 20 + ["Wales"] * 5 + ["Scotland"]
    weeks = [30 - d for d in range(1, 11)] * 2 + [5, 10, 15, 20, 25] + [40]
    return make_list(weeks, imd_decile=deciles, imd_quintile=[(d + 1) // 2 for d in deciles], deprivation_nation=nations)


def test_deprivation_groups_carry_their_nation():
    wl = three_nations()
    groups = by_group(equity_summary(wl, np.arange(26), np.arange(26), by="imd_quintile", capacity_per_week=100))
    assert groups["England, most deprived fifth"]["count"] == 4
    assert groups["Wales, most deprived fifth"]["count"] == 1 and groups["Scotland, most deprived fifth"]["count"] == 1
    assert list(groups)[:5] == [f"England, {fifth}" for fifth in FIFTHS]
    assert len(groups) == 15  # every fifth of each nation on the list, none pooled
    assert groups["Wales, second most deprived fifth"]["count"] == 1
    assert not any(label[0].isdigit() for label in groups)


def test_the_slope_index_is_fitted_per_nation():
    wl = three_nations()
    summary = equity_summary(wl, np.arange(26), np.arange(26), by="imd_decile", capacity_per_week=1e6)
    england, wales = summary["sii_by_nation"]["England"], summary["sii_by_nation"]["Wales"]
    # England's waits fall by a week a decile (positive SII: the most deprived wait longer); pooling the
    # Welsh and Scottish rows into the same deciles would give another line.
    english_only = inequality_indices([30 - d for d in range(1, 11)], [2] * 10)[0]
    decile, weeks = wl.columns["imd_decile"], wl.columns["weeks_waited"]
    pooled = inequality_indices([weeks[decile == d].mean() for d in range(1, 11)],
                                [(decile == d).sum() for d in range(1, 11)])[0]
    assert england["sii"]["baseline"] == pytest.approx(english_only, abs=1e-4) and english_only > 0
    assert pooled != pytest.approx(english_only, abs=0.1)
    assert wales["sii"]["baseline"] < 0  # Wales alone: the least deprived wait longer
    assert summary["sii"] == england["sii"] and summary["sii_nation"] == "England"
    assert summary["sii_left_out"] == 6  # five Welsh and one Scottish patient
    assert summary["sii_by_nation"]["Scotland"]["sii"]["baseline"] is None  # one decile: no line


def test_a_nation_with_a_handful_of_patients_is_suppressed():
    wl = three_nations()
    shown = suppressed_summary(equity_summary(wl, np.arange(26), np.arange(26), by="imd_decile", capacity_per_week=1e6))
    hidden = {"baseline": "*", "scenario": "*"}
    assert shown["sii_by_nation"]["Wales"] == {"patients": "*", "deciles": "*", "sii": hidden, "sii_ci": hidden,
                                               "rii": hidden, "rii_ci": hidden, "rii_words": hidden}
    assert shown["sii_left_out"] == "*" and shown["sii"]["baseline"] != "*"


def test_core20_groups_keep_welsh_and_scottish_patients_apart_from_not_known():
    wl = make_list([1, 2, 3, 4, 5], core20=[1.0, 0.0, None, None, None],
                   deprivation_nation=["England", "England", "Wales", "Scotland", None])
    grouping = group_rows(wl, "core20")
    assert [grouping.labels[c] for c in grouping.codes] == ["Yes", "No", "Not in England (Core20 is England only)",
                                                            "Not in England (Core20 is England only)", NOT_KNOWN]


# --- unknowns as a range --------------------------------------------------------------------------

def test_each_groups_mean_wait_comes_with_the_range_its_unknowns_could_give_it():
    # Capacity huge: projected wait = weeks waited. F: 10, 20 (mean 15); M: 30; unknown: 0 and 6 (mean 3).
    wl = make_list([10, 20, 30, 0, 6], sex=["F", "F", "M", None, None])
    summary = equity_summary(wl, np.arange(5), np.arange(5), by="sex", capacity_per_week=1e9)
    groups = by_group(summary)
    # Had both unknowns been female: (10 + 20 + 0 + 6) / 4 = 9; all male: (30 + 0 + 6) / 3 = 12.
    assert groups["F"]["baseline"]["mean_wait_range"] == pytest.approx([9.0, 15.0])
    assert groups["M"]["baseline"]["mean_wait_range"] == pytest.approx([12.0, 30.0])
    assert groups[NOT_KNOWN]["baseline"]["mean_wait_range"] is None


def test_ethnicity_not_stated_counts_as_unknown_too():
    wl = make_list([10, 20, 5], ethnic_group=["White", "Asian", "Not stated/unknown"])
    groups = by_group(equity_summary(wl, np.arange(3), np.arange(3), by="ethnic_group", capacity_per_week=1e9))
    assert groups["White"]["baseline"]["mean_wait_range"] == pytest.approx([7.5, 10.0])
    assert groups["Asian"]["baseline"]["mean_wait_range"] == pytest.approx([12.5, 20.0])


def test_no_unknowns_no_range(six_summary):
    assert all(g["baseline"]["mean_wait_range"] is None for g in six_summary["groups"])
    assert six_summary["sii_unknowns_range"] == {"baseline": None, "scenario": None}


def test_the_sii_comes_with_the_range_unknown_deprivation_could_give_it():
    # Deciles 1, 3, 5, 7, 10 wait 5, 4, 3, 2, 1 (SII 5 at equal shares); two of unknown decile wait 9.
    wl = make_list([5, 4, 3, 2, 1, 9, 9], imd_decile=[1, 3, 5, 7, 10, None, None],
                   deprivation_nation=["England"] * 5 + [None, None])
    summary = equity_summary(wl, np.arange(7), np.arange(7), by="imd_decile", capacity_per_week=1e9)
    assert summary["sii"]["baseline"] == pytest.approx(5.0)
    assert summary["sii_unknown_deprivation"] == 2
    low, high = summary["sii_unknowns_range"]["baseline"]
    # All in decile 1: three patients there (5, 9, 9): the most deprived end rises, the gap widens.
    with_most = inequality_indices([23 / 3, 4, 3, 2, 1], [3, 1, 1, 1, 1])[0]
    with_least = inequality_indices([5, 4, 3, 2, 19 / 3], [1, 1, 1, 1, 3])[0]
    assert (low, high) == pytest.approx(sorted([with_most, with_least]))
    assert low < 0 < 5 < high  # unknowns this many, and this far off, could even turn the gradient round


def test_movement_histogram_is_symmetric_and_controlled():
    edges, counts = movement_histogram(np.array([-30] * 12 + [0] * 50 + [30] * 2), bins=5)
    assert edges[0] == -edges[-1] and len(counts) == 5
    # 2 is hidden, 12 rounded to 10; no other count is hidden to protect it.
    assert counts.tolist() == [10, 0, 50, 0, "*"]
    assert movement_histogram(np.array([-30] * 12 + [30] * 2), bins=5, small_numbers_shown=True)[1].tolist() == \
        [12, 0, 0, 0, 2]
