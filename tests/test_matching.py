"""Pathways matched across snapshots: by pathway ID, and by NHS number and specialty only where that is safe."""

from datetime import date

import numpy as np

from workbench.fields import WaitingList
from workbench.store.matching import BY_NHS_NUMBER_AND_SPECIALTY, BY_PATHWAY_ID, match_pathways, usable_nhs_numbers
from tests.weekly_lists import NUMBERS


def listed(ids, numbers=None, specialties=None, starts=None, census=date(2025, 3, 2)):
    n = len(ids)
    return WaitingList(np.arange(1, n + 1), {
        "pathway_id": np.array(ids, dtype=object),
        "nhs_number": np.array(numbers or [None] * n, dtype=object),
        "specialty": np.array(specialties or ["110"] * n, dtype=object),
        "wait_start": np.array(starts or ["2025-01-01"] * n, dtype="datetime64[D]"),
    }, census_date=census)


def pairs(found):
    return list(zip(found.earlier.tolist(), found.later.tolist(), found.how().tolist()))


def test_the_same_pathway_id_matches_in_any_order():
    found = match_pathways(listed(["A", "B", "C"]), listed(["C", "X", "A"]))
    assert pairs(found) == [(0, 2, BY_PATHWAY_ID), (2, 0, BY_PATHWAY_ID)]


def test_a_pathway_id_written_twice_pairs_up_in_turn_and_blank_ids_never_match():
    found = match_pathways(listed(["A", "A", None, ""]), listed(["A", None, "A", ""]))
    assert pairs(found) == [(0, 0, BY_PATHWAY_ID), (1, 2, BY_PATHWAY_ID)]


def test_left_over_rows_match_by_nhs_number_and_specialty_and_say_so():
    earlier = listed(["A", "B"], [NUMBERS[0], NUMBERS[1]], ["110", "130"])
    later = listed(["A", "B2"], [NUMBERS[0], NUMBERS[1]], ["110", "130"])
    found = match_pathways(earlier, later)
    assert pairs(found) == [(0, 0, BY_PATHWAY_ID), (1, 1, BY_NHS_NUMBER_AND_SPECIALTY)]
    assert (found.by_id_count, found.by_fallback_count) == (1, 1)


def test_no_fallback_for_a_new_referral_an_unusable_number_or_a_number_twice_in_a_specialty():
    earlier = listed(["A", "B", "C", "D", "E"], [NUMBERS[0], "1111111111", "9434765918", NUMBERS[3], NUMBERS[3]],
                     ["110", "110", "110", "130", "130"])
    later = listed(["A2", "B2", "C2", "D2", "E2"], [NUMBERS[0], "1111111111", "9434765918", NUMBERS[3], NUMBERS[3]],
                   ["110", "110", "110", "130", "130"], starts=["2025-03-05"] + ["2025-01-01"] * 4)
    assert pairs(match_pathways(earlier, later)) == []  # new referral; placeholder; bad check digit; not one each


def test_pseudonyms_stand_for_valid_numbers():
    assert usable_nhs_numbers(np.array(["PSN-0123456789abcdef", "PSN", None], dtype=object)).tolist() == [True, False, False]
    found = match_pathways(listed(["A"], ["PSN-0123456789abcdef"]), listed(["B"], ["PSN-0123456789abcdef"]))
    assert pairs(found) == [(0, 0, BY_NHS_NUMBER_AND_SPECIALTY)]


def test_only_the_rows_given_are_matched():
    found = match_pathways(listed(["A", "B"]), listed(["A", "B"]), earlier_rows=np.array([1]))
    assert pairs(found) == [(1, 1, BY_PATHWAY_ID)]
