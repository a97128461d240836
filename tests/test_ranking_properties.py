"""Properties the ranking must keep for any list and any rule set (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.fields import WaitingList
from workbench.rank.ranking import WithoutFactors, prepare, rank
from workbench.rank.rule_edits import with_weight
from workbench.rank.rules import BandPolicy, Factor, LookupBand, PRIORITY_BAND_CODES, RuleSet, SOCIAL

TOLERANCE = 1e-6  # scores are compared in steps of 2^-20 week (about 1e-6)
PRIORITIES = [*PRIORITY_BAND_CODES[:-1], None, "junk"]
FLAGS = ["Y", "N", "", "yes", "0"]


@st.composite
def waiting_lists(draw):
    n = draw(st.integers(0, 40))
    rows = st.lists
    weeks = draw(rows(st.one_of(st.sampled_from([0.0, 1.0, 13.0, 52.0]), st.floats(0, 300), st.just(np.nan)),
                      min_size=n, max_size=n))
    columns = {
        "pathway_id": np.array(draw(rows(st.sampled_from(["A", "B", "C10", "C2", None]), min_size=n, max_size=n)),
                               dtype=object),
        "clinical_priority": np.array(draw(rows(st.sampled_from(PRIORITIES), min_size=n, max_size=n)), dtype=object),
        "weeks_waited": np.array(weeks, dtype=np.float64),
        "imd_quintile": np.array(draw(rows(st.sampled_from([1.0, 2.0, 3.0, 5.0, np.nan]), min_size=n, max_size=n))),
    }
    source = {name: np.array(draw(rows(st.sampled_from(FLAGS), min_size=n, max_size=n)), dtype=object)
              for name in ("Carer", "Return to work")}
    row_id = np.array(draw(st.permutations(range(1, n + 1))), dtype=np.int64)
    return WaitingList(row_id=row_id, columns=columns, source=source)


weights = st.floats(-5, 30)


@st.composite
def rule_sets(draw, strict=None):
    factors = (
        Factor(name="Wait", source="weeks_waited", weight=draw(st.floats(0, 3))),
        Factor(name="Deprived", source="imd_quintile", group=SOCIAL, weight=draw(weights), transform="banded",
               lookup=(LookupBand(1, 1, 4.0), LookupBand(2, 2, 2.0)), missing=draw(st.sampled_from(["neutral", "lowest"]))),
        Factor(name="Carer", source="Carer", group=SOCIAL, weight=draw(weights)),
        Factor(name="Work", source="Return to work", group=SOCIAL, weight=draw(weights), transform="threshold",
               at_least=1.0),
    )
    overlap = (0.0,) * len(PRIORITY_BAND_CODES)
    if strict is False or (strict is None and draw(st.booleans())):
        overlap = (0.0,) + tuple(draw(st.lists(st.sampled_from([0.0, 0.5, 4.0, 50.0]), min_size=7, max_size=7)))
    cap = draw(st.one_of(st.none(), st.floats(0, 15)))
    return RuleSet(name="Drawn", factors=factors, social_cap_weeks=cap,
                   bands=BandPolicy(overlap_weeks=overlap))


@settings(max_examples=150, deadline=None)
@given(waiting_lists(), rule_sets())
def test_order_is_a_permutation_and_scores_add_up(wl, rules):
    ranking = rank(rules, wl)
    n = len(wl)
    assert sorted(ranking.order.tolist()) == list(range(n))
    assert ranking.rank[ranking.order].tolist() == list(range(1, n + 1))
    total = sum(ranking.contributions.values()) if rules.factors else 0
    assert np.allclose(ranking.score, total)


@settings(max_examples=150, deadline=None)
@given(waiting_lists(), rule_sets(strict=True))
def test_strict_bands_never_put_a_more_urgent_patient_after_a_less_urgent_one(wl, rules):
    ranking = rank(rules, wl)
    bands = ranking.band[ranking.order]
    assert np.all(np.diff(bands) >= 0)
    scores = ranking.score[ranking.order]
    same_band = np.diff(bands) == 0
    assert np.all(np.diff(scores)[same_band] <= TOLERANCE)  # highest score first within a band


@settings(max_examples=150, deadline=None)
@given(waiting_lists(), rule_sets())
def test_the_social_cap_holds(wl, rules):
    ranking = rank(rules, wl)
    if rules.social_cap_weeks is not None:
        assert np.all(ranking.social_part() <= rules.social_cap_weeks + TOLERANCE)


@settings(max_examples=100, deadline=None)
@given(waiting_lists(), rule_sets(), st.randoms(use_true_random=False))
def test_same_inputs_same_order_whatever_the_row_order(wl, rules, random):
    first = wl.row_id[rank(rules, wl).order].tolist()
    assert wl.row_id[rank(rules, wl).order].tolist() == first
    shuffle = list(range(len(wl)))
    random.shuffle(shuffle)
    shuffled = WaitingList(
        row_id=wl.row_id[shuffle],
        columns={name: values[shuffle] for name, values in wl.columns.items()},
        source={name: values[shuffle] for name, values in wl.source.items()},
    )
    assert shuffled.row_id[rank(rules, shuffled).order].tolist() == first


@settings(max_examples=200, deadline=None)
@given(waiting_lists(), rule_sets(strict=False))
def test_band_overlaps_never_exceed_their_bound(wl, rules):
    ranking = rank(rules, wl)
    band, score = ranking.band, ranking.score
    present = np.unique(band)
    lowest = {b: score[band == b].min() for b in present}
    highest = {b: score[band == b].max() for b in present}
    order = ranking.order.tolist()
    for later_place, urgent in enumerate(order):
        for ahead in order[:later_place]:
            if band[ahead] <= band[urgent]:
                continue
            # A less urgent patient ahead of a more urgent one: one band apart, within the bound.
            assert band[ahead] == band[urgent] + 1
            depth = (score[urgent] - lowest[band[urgent]]) + (highest[band[ahead]] - score[ahead])
            assert depth <= rules.bands.overlap_weeks[band[ahead]] + TOLERANCE


@settings(max_examples=120, deadline=None)
@given(waiting_lists(), rule_sets())
def test_the_rank_without_a_social_factor_is_the_rank_with_its_weight_at_zero(wl, rules):
    prepared = prepare(wl)
    without = WithoutFactors(rank(rules, wl, prepared=prepared), prepared)
    assert without.factors == ["Deprived", "Carer", "Work"]
    for name in without.factors:
        expected = rank(with_weight(rules, name, 0.0), wl, prepared=prepared).rank  # the cap then holds for the rest
        assert np.array_equal(without.ranks(name), expected)
        for position in range(0, len(wl), 7):
            assert without.rank_of(position)[name] == expected[position]
