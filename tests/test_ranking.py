"""The ranking engine: order, factors, the cap, band overlap, explanations, comparison."""

import numpy as np
import pytest

from workbench.check.enrich import enrich
from workbench.fields import WaitingList
from workbench.errors import WorkbenchError
from workbench.rank.ranking import (
    compare,
    count_inversions,
    explain,
    kendall_tau,
    position_of_pathway,
    prepare,
    rank,
)
from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.rule_file import load_rules, parse_rules
from workbench.rank.rule_edits import with_weight
from workbench.resources import resource_path


def make_list(priority, weeks, ids=None, columns=None, **source):
    """A list of len(priority) rows; ``source`` columns are text, ``columns`` typed."""
    n = len(priority)
    ids = ids or [f"ID{i:03d}" for i in range(n)]
    typed = {
        "pathway_id": np.array(ids, dtype=object),
        "clinical_priority": np.array(priority, dtype=object),
        "weeks_waited": np.array(weeks, dtype=np.float64),
        **{name: np.array(values, dtype=np.float64) for name, values in (columns or {}).items()},
    }
    text = {header: np.array(values, dtype=object) for header, values in source.items()}
    return WaitingList(row_id=np.arange(1, n + 1), columns=typed, source=text)


def rules_with(*factors, head="", bands=""):
    """A rule set: weeks waited plus the given [[factors]] bodies."""
    text = f'name = "Test"\n{head}\n{bands}\n[[factors]]\nname = "Wait"\nsource = "weeks_waited"\n'
    for body in factors:
        text += f"\n[[factors]]\n{body}\n"
    return parse_rules(text)


def test_treat_in_turn_is_band_then_longest_wait():
    wl = make_list(["P4", "P2", "P3", "P2", "P1a"], [50, 3, 20, 9, 0.1])
    ranking = rank(treat_in_turn(), wl)
    assert ranking.order.tolist() == [4, 3, 1, 2, 0]
    assert ranking.rank.tolist() == [5, 3, 4, 2, 1]
    assert [ranking.band_names[b] for b in ranking.band] == ["P4", "P2", "P3", "P2", "P1a"]
    assert ranking.order.dtype == np.int64 and ranking.rank.dtype == np.int64 and ranking.band.dtype == np.int8


def test_ties_go_to_longer_wait_then_pathway_id_then_row():
    # Equal scores (weight 0 on the wait): the tie-break alone decides.
    wl = make_list(["P3"] * 5, [5, 7, 5, 5, np.nan], ids=["B", "Z", "A", "A", "C"])
    ranking = rank(with_weight(treat_in_turn(), "Weeks waited", 0.0), wl)
    assert ranking.order.tolist() == [1, 2, 3, 0, 4]


def test_missing_and_unknown_priorities_go_after_p4_by_default():
    wl = make_list([None, "P4", "P6", "banana", "P5", "p2"], [90, 1, 80, 70, 60, 1])
    ranking = rank(treat_in_turn(), wl)
    assert ranking.order.tolist() == [5, 1, 4, 2, 0, 3]
    assert ranking.band_names[ranking.band[3]] == "unknown"


def test_band_order_can_put_several_priorities_together():
    rules = rules_with(bands='[bands]\norder = ["P1a", "P1b", "P2", "P3", ["P4", "P5", "P6", "unknown"]]')
    wl = make_list(["P4", "P5", None, "P3"], [10, 30, 20, 1])
    assert rank(rules, wl).order.tolist() == [3, 1, 2, 0]


def test_factor_transforms_and_yes_no_text():
    rules = rules_with(
        'name = "Long"\nsource = "weeks_waited"\ntransform = "threshold"\nat_least = 52\nweight = 5',
        'name = "Age"\nsource = "Age"\ntransform = "capped"\nmaximum = 80\nweight = 0.1',
        'name = "Decile"\nsource = "imd_decile"\ntransform = "banded"\n'
        "lookup = [{ from = 1, to = 2, value = 4 }, { from = 3, to = 4, value = 2 }]",
        'name = "Carer"\nsource = "carer"\nweight = 1.5',
    )
    wl = make_list(
        ["P3"] * 4, [60, 52, 10, 0],
        columns={"imd_decile": [1, 3, 9, np.nan]},
        Age=["90", "40", "", "70.5"], Carer=["Y", "no", "TRUE", "N/A"],
    )
    c = rank(rules, wl).contributions
    assert c["Long"].tolist() == [5, 5, 0, 0]
    assert c["Age"].tolist() == pytest.approx([8.0, 4.0, 0.0, 7.05])
    assert c["Decile"].tolist() == [4, 2, 0, 0]
    assert c["Carer"].tolist() == [1.5, 0, 1.5, 0]


def test_time_limit_used_is_missing_for_priorities_without_a_limit():
    rules = rules_with('name = "Used"\nsource = "time_limit_used"\nweight = 1')
    wl = make_list(["P2", "P3", "P4"], [8, 13, 40])
    assert rank(rules, wl).contributions["Used"].tolist() == pytest.approx([2.0, 1.0, 0.0])


def test_missing_lowest_gives_the_least_the_factor_gives_anyone():
    up = 'name = "Score"\nsource = "Score"\nmissing = "lowest"\nweight = 2'
    down = 'name = "Score"\nsource = "Score"\nmissing = "lowest"\nweight = -1'
    wl = make_list(["P3"] * 3, [1, 1, 1], Score=["3", "", "5"])
    assert rank(rules_with(up), wl).contributions["Score"].tolist() == [6, 6, 10]
    assert rank(rules_with(down), wl).contributions["Score"].tolist() == [-3, -5, -5]
    threshold = 'name = "T"\nsource = "Score"\nmissing = "lowest"\ntransform = "threshold"\nat_least = 1'
    assert rank(rules_with(threshold), wl).contributions["T"].tolist() == [1, 0, 1]


def test_unknown_or_unreadable_columns_are_errors_not_zeros():
    wl = make_list(["P3"], [1], Carer=["maybe"])
    with pytest.raises(WorkbenchError, match="factor 'Frail' uses the column 'Frailty'"):
        rank(rules_with('name = "Frail"\nsource = "Frailty"'), wl)
    with pytest.raises(WorkbenchError, match="'Carer' holds 'maybe', which is neither yes/no nor a number"):
        rank(rules_with('name = "Carer"\nsource = "Carer"'), wl)


def test_social_cap_scales_social_parts_so_they_still_add_up():
    cap = "social_cap_weeks = 5"
    rules = rules_with(
        'name = "Carer"\ngroup = "social"\nsource = "Carer"\nweight = 4',
        'name = "LD"\ngroup = "social"\nsource = "LD"\nweight = 6',
        head=cap,
    )
    wl = make_list(["P3", "P3", "P3"], [10, 10, 10], Carer=["Y", "Y", "N"], LD=["Y", "N", "N"])
    ranking = rank(rules, wl)
    c = ranking.contributions
    assert c["Carer"].tolist() == pytest.approx([2.0, 4.0, 0.0])  # 4 and 6 scaled by 5/10
    assert c["LD"].tolist() == pytest.approx([3.0, 0.0, 0.0])
    assert ranking.social_part().tolist() == pytest.approx([5.0, 4.0, 0.0])
    assert ranking.score.tolist() == pytest.approx([15.0, 14.0, 10.0])
    assert ranking.social_scale.tolist() == pytest.approx([0.5, 1.0, 1.0])


def test_strict_bands_hold_whatever_the_social_weights():
    rules = rules_with('name = "Carer"\ngroup = "social"\nsource = "Carer"\nweight = 1000')
    wl = make_list(["P2", "P3"], [1, 1], Carer=["N", "Y"])
    assert rank(rules, wl).order.tolist() == [0, 1]


OVERLAP = '[bands]\norder = ["P1a", "P1b", "P2", "P3", "P4", "P5", "P6", "unknown"]\n[bands.overlap_weeks]\nP3 = 4'


def test_overlap_lets_the_top_of_a_band_pass_the_tail_of_the_one_before_within_the_bound():
    # P2 scores 10..2 (lowest 2), P3 scores 50..40 (highest 50).
    wl = make_list(["P2", "P2", "P2", "P3", "P3", "P3"], [10, 5, 2, 50, 48.5, 40])
    order = rank(rules_with(bands=OVERLAP), wl).order.tolist()
    # P3 at 50 (0 below its top) passes P2 patients within 4 of the P2 lowest: 5 (3 above) and 2.
    # P3 at 48.5 (1.5 below its top) passes only those within 2.5: the P2 at 2.
    assert order == [0, 3, 1, 4, 2, 5]


def test_overlap_never_crosses_two_bands():
    bands = OVERLAP.replace("P3 = 4", "P3 = 100\nP4 = 100")
    wl = make_list(["P2", "P3", "P3", "P4"], [0, 0.5, 10, 500])
    # The P4 patient may pass the tail of P3 (the 0.5-week wait), never the P2 patient.
    assert rank(rules_with(bands=bands), wl).order.tolist() == [0, 2, 3, 1]


def test_scores_within_a_step_count_as_tied():
    rules = rules_with('name = "Bit"\nsource = "Bit"')
    # 0.1 + 0.2 is 0.30000000000000004 in floating point: above 0.3 by noise only.
    wl = make_list(["P3", "P3"], [0.1, 0.3], Bit=["0.2", "0"])
    ranking = rank(rules, wl)
    assert ranking.score[0] > ranking.score[1]
    assert ranking.order.tolist() == [1, 0]  # a tie, so the longer wait goes first


def test_prepared_re_rank_matches_a_fresh_rank():
    rules = load_rules(resource_path("rules", "inclusive-recovery.toml"))
    rng = np.random.default_rng(5)
    n = 400
    wl = make_list(
        rng.choice(["P2", "P3", "P4", None], n).tolist(), rng.integers(0, 300, n) / 7,
        columns={"imd_quintile": rng.integers(1, 6, n)},
        **{name: rng.choice(["Y", "N"], n).tolist() for name in ("Carer", "Return to work", "Learning disability")},
    )
    prepared = prepare(wl)
    for weight in (0.0, 2.5, 7.0):
        changed = with_weight(rules, "Carer", weight)
        assert rank(changed, wl, prepared=prepared).order.tolist() == rank(changed, wl).order.tolist()
    with pytest.raises(ValueError):
        rank(rules, make_list(["P3"], [1]), prepared=prepared)


def test_empty_list():
    ranking = rank(treat_in_turn(), make_list([], []))
    assert len(ranking.order) == 0 and compare(ranking, ranking).kendall_tau == 1.0


def _inclusive_example():
    rules = rules_with(
        'name = "Deprived"\nlabel = "most deprived quintile"\ngroup = "social"\nsource = "imd_quintile"\n'
        'transform = "banded"\nlookup = [{ from = 1, to = 1, value = 4 }]',
        'name = "Carer"\nlabel = "carer"\ngroup = "social"\nsource = "Carer"',
        head="social_cap_weeks = 8",
    )
    weeks = [30, 29, 28, 27, 26, 25.5]
    wl = make_list(["P3"] * 6, weeks, columns={"imd_quintile": [3, 3, 3, 3, 3, 1]}, Carer=["N"] * 5 + ["Y"])
    wl.columns["deprivation_nation"] = np.array(["England"] * 6, dtype=object)
    return rules, wl


def test_explain_gives_factors_ranks_movement_and_a_sentence():
    rules, wl = _inclusive_example()
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    moved = explain(rules, wl, scenario, baseline, 5)
    assert (moved.baseline_rank, moved.rank, moved.movement) == (6, 1, 5)
    assert moved.contributions == {"Wait": 25.5, "Deprived": 4.0, "Carer": 1.0}
    assert moved.sentence() == ("Moved up 5 places: most deprived quintile in England (+4.0 weeks-equivalent), "
                                "carer (+1.0).")
    passed = explain(rules, wl, scenario, baseline, 0)
    assert passed.movement == -1
    assert passed.sentence() == "Moved down 1 place: others in P3 gained more from the rules' other factors."
    assert passed.as_dict()["pathway_id"] == "ID000" and passed.as_dict()["band"] == "P3"


def test_explain_mentions_the_cap():
    rules, wl = _inclusive_example()
    capped = with_weight(rules, "Carer", 6.0)  # 4 + 6 > 8
    explanation = explain(capped, wl, rank(capped, wl), rank(treat_in_turn(), wl), 5)
    assert explanation.social_capped
    assert explanation.contributions["Deprived"] + explanation.contributions["Carer"] == pytest.approx(8.0)
    assert explanation.sentence().endswith("(social factors capped at 8 weeks).")


def test_position_of_pathway():
    wl = make_list(["P3", "P3"], [1, 2], ids=["A1", "B2"])
    assert position_of_pathway(wl, " B2 ") == 1
    with pytest.raises(WorkbenchError, match="no patient with pathway ID 'C3'"):
        position_of_pathway(wl, "C3", source="ws.sqlite")


def test_compare_counts_movement_and_top_n_changes():
    rules, wl = _inclusive_example()
    comparison = compare(rank(treat_in_turn(), wl), rank(rules, wl), top_n=2)
    assert (comparison.moved_up, comparison.moved_down, comparison.unchanged) == (1, 5, 0)
    assert (comparison.max_moved_up, comparison.max_moved_down) == (5, 1)
    assert comparison.mean_movement == pytest.approx(10 / 6)
    assert comparison.entering.tolist() == [5] and comparison.leaving.tolist() == [1]
    summary = comparison.as_dict(wl)
    assert summary["entering_top_n"] == ["ID005"] and summary["leaving_top_n"] == ["ID001"]
    assert comparison.kendall_tau == pytest.approx(1 - 4 * 5 / 30) and summary["kendall_tau"] == 0.333333


def _brute_tau(a_rank, b_rank):
    n = len(a_rank)
    s = sum(np.sign(a_rank[i] - a_rank[j]) * np.sign(b_rank[i] - b_rank[j]) for i in range(n) for j in range(i + 1, n))
    return s / (n * (n - 1) / 2)


@pytest.mark.parametrize("n", [2, 3, 10, 64, 131])
def test_kendall_tau_matches_the_pair_by_pair_definition(n):
    rng = np.random.default_rng(n)
    a_order, b_order = rng.permutation(n), rng.permutation(n)
    a_rank, b_rank = np.empty(n, int), np.empty(n, int)
    a_rank[a_order], b_rank[b_order] = np.arange(1, n + 1), np.arange(1, n + 1)
    assert kendall_tau(a_order, b_rank) == pytest.approx(_brute_tau(a_rank, b_rank))


def test_count_inversions_matches_counting_pairs():
    rng = np.random.default_rng(0)
    for values in (rng.permutation(200), rng.choice(10_000, 150, replace=False), np.arange(50)[::-1]):
        pairs = sum(1 for i in range(len(values)) for j in range(i + 1, len(values)) if values[i] > values[j])
        assert count_inversions(values) == pairs


def test_bundled_rule_sets_give_different_orders():
    rng = np.random.default_rng(11)
    n = 600
    wl = make_list(
        rng.choice(["P2", "P3", "P4", "P5", None], n, p=[0.2, 0.4, 0.3, 0.05, 0.05]).tolist(),
        rng.integers(0, 500, n) / 7,
        columns={"imd_quintile": rng.integers(1, 6, n)},
        **{name: rng.choice(["Y", "N"], n).tolist() for name in ("Carer", "Return to work", "Learning disability")},
    )
    names = ("treat-in-turn", "priority-and-time-to-target", "inclusive-recovery")
    orders = {name: rank(load_rules(resource_path("rules", f"{name}.toml")), wl).order.tolist() for name in names}
    assert len({tuple(order) for order in orders.values()}) == 3


# --- deprivation credit: each nation's own quintile, never pooled --------------------------------

# Real areas, IoD2025 / WIMD 2025 / SIMD 2020v2: each nation's decile 1, and Welsh rank 913 of 1,917
# (Wales' decile 5, though 913 would be in England's most deprived tenth if ranks were pooled).
THREE_NATIONS = {"E01000061": "England", "W01000016": "Wales", "S01006633": "Scotland", "W01000018": "Wales",
                 "E01000005": "England"}


def _three_nations_list():
    n = len(THREE_NATIONS)
    columns = {"lsoa": np.array(list(THREE_NATIONS), dtype=object)}
    columns.update(enrich(columns, None))
    columns.update(pathway_id=np.array([f"ID{i}" for i in range(n)], dtype=object),
                   clinical_priority=np.array(["P3"] * n, dtype=object), weeks_waited=np.full(n, 10.0))
    source = {header: np.array(["N"] * n, dtype=object) for header in ("Return to work", "Carer", "Learning disability")}
    return WaitingList(row_id=np.arange(1, n + 1), columns=columns, source=source)


def test_deprivation_credit_follows_each_nations_own_quintile_and_names_the_nation():
    rules = load_rules(bundled_rule_sets()["inclusive-recovery"])
    wl = _three_nations_list()
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    assert scenario.contributions["Most deprived fifth"].tolist() == [4.0, 4.0, 4.0, 0.0, 0.0]
    sentences = [explain(rules, wl, scenario, baseline, row).sentence() for row in range(3)]
    for sentence, nation in zip(sentences, ["England", "Wales", "Scotland"]):
        assert f"most deprived quintile in {nation} (+4.0 weeks-equivalent)" in sentence


def test_core20_credit_is_for_english_patients_only():
    rules = rules_with('name = "Core20"\nlabel = "Core20 area"\ngroup = "social"\nsource = "core20"\nweight = 3')
    wl = _three_nations_list()
    assert rank(rules, wl).contributions["Core20"].tolist() == [3.0, 0.0, 0.0, 0.0, 0.0]


def test_an_iod2025_domain_is_a_factor_with_its_own_words():
    rules = rules_with('name = "Income"\ngroup = "social"\nsource = "imd_income_decile"\ntransform = "banded"\n'
                       'lookup = [{ from = 1, to = 2, value = 2.5 }]')
    wl = _three_nations_list()
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    # Income deciles: E01000061 1, E01000005 5 (IoD2025); none for the Welsh and Scottish areas.
    income = wl.column("imd_income_decile")
    assert income[[0, 4]].tolist() == [1.0, 5.0] and np.isnan(income[1:4]).all()
    assert scenario.contributions["Income"].tolist() == [2.5, 0.0, 0.0, 0.0, 0.0]
    assert "income deprivation in England (+2.5 weeks-equivalent)" in explain(rules, wl, scenario, baseline, 0).sentence()


def test_a_number_too_large_to_add_up_is_refused_never_ranked_first():
    wl = make_list(["P3"] * 4, [5, 7, 9, 11], Score=["1", "1e308", "2", "1e308"])
    rules = rules_with('name = "Score"\nsource = "Score"\nweight = -2')
    with pytest.raises(WorkbenchError, match="factor 'Score' gives 2 patients a part too large to add up"):
        rank(rules, wl)
