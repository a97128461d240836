"""Filters, search and sorts behind the list view (no Qt needed)."""

import numpy as np
import pytest

from tests.ui.conftest import make_list
from workbench.fields import WaitingList
from workbench.view.columns import problem_codes
from workbench.view.filters import BLANK, FINDINGS, ROW_NUMBER, SEARCH_FIELDS, ListIndex, ListQuery
from workbench.view.summary import summarise
from workbench.progress import Cancelled


@pytest.fixture
def index():
    return ListIndex(make_list(8), {"duplicate_pathway": np.array([1, 6])})


def test_no_query_shows_every_row_in_file_order(index):
    assert index.order(ListQuery()).tolist() == list(range(8))


@pytest.mark.parametrize(
    "query, rows",
    [
        (ListQuery(filters=(("site", "North"),)), [0, 2, 4, 6]),
        (ListQuery(filters=(("site", "North"), ("specialty", "110"))), [0, 6]),
        (ListQuery(filters=(("clinical_priority", BLANK),)), [3, 7]),
        (ListQuery(finding="duplicate_pathway"), [1, 6]),
        (ListQuery(search="pw0003"), [3]),
        (ListQuery(search="943 476"), [0, 4, 5]),
        (ListQuery(filters=(("site", "Nowhere"),)), []),
    ],
)
def test_filters_pick_the_right_rows(index, query, rows):
    assert index.order(query).tolist() == rows


def test_sort_descending_keeps_blanks_last_and_ties_in_file_order(index):
    order = index.order(ListQuery(sort_column="clinical_priority", descending=True))
    assert order.tolist() == [2, 6, 1, 5, 0, 4, 3, 7]
    ascending = index.order(ListQuery(sort_column="clinical_priority"))
    assert ascending.tolist() == [0, 4, 1, 5, 2, 6, 3, 7]


def test_sort_then_filter_keeps_the_sort(index):
    query = ListQuery(filters=(("site", "South"),), sort_column="wait_start")
    assert index.order(query).tolist() == [7, 5, 3, 1]  # earliest start first


def test_sort_by_row_and_by_number_of_problems(index):
    assert index.order(ListQuery(sort_column=ROW_NUMBER, descending=True)).tolist()[:2] == [7, 6]
    assert index.order(ListQuery(sort_column=FINDINGS, descending=True)).tolist()[:2] == [1, 6]


def test_choices_list_values_then_blank(index):
    assert index.choices("clinical_priority") == ["P2", "P3", "P4", BLANK]
    assert index.choices("site") == ["North", "South"]


def test_cancel_stops_the_work(index):
    with pytest.raises(Cancelled):
        index.order(ListQuery(search="PW", sort_column="site"), cancelled=lambda: True)


def test_with_filter_replaces_and_removes():
    query = ListQuery().with_filter("site", "North").with_filter("site", "South")
    assert query.filters == (("site", "South"),)
    assert not query.with_filter("site", None).is_filtered


def test_summary_counts_the_rows_shown():
    wl = make_list(8)  # weeks 0, 10, ... 70
    summary = summarise(wl, np.array([5, 6, 7]))
    assert summary.total == 3
    assert summary.over_weeks == {18: 3, 52: 2, 65: 1, 78: 0, 104: 0}
    assert summary.median_weeks == 60.0
    assert summary.by_priority == {"P3": 1, "P4": 1, "No priority": 1}
    assert summary.histogram_counts.sum() == 3 and summary.histogram_tail == 0
    assert len(summary.histogram_edges) == len(summary.histogram_counts) + 1


def test_waits_of_104_weeks_or_more_are_a_bar_of_their_own():
    wl = make_list(30)  # weeks 0, 10, ... 290
    summary = summarise(wl)
    assert summary.histogram_tail == 19  # 110 to 290 weeks: not piled into the last four-week bar
    assert summary.histogram_edges[-1] == 104 and summary.histogram_counts.sum() == 11


def test_identifier_sort_matches_python_sort_order():
    rng = np.random.default_rng(3)
    values = np.array([f"ID{n:05d}" if n % 7 else None for n in rng.permutation(120_000)], dtype=object)
    wl = make_list(len(values))
    wl.columns["pathway_id"] = values
    order = ListIndex(wl).order(ListQuery(sort_column="pathway_id"))
    present = [v for v in values[order] if v is not None]
    assert present == sorted(present)
    assert all(v is None for v in values[order][len(present):])


def test_sorted_codes_across_chunks_number_values_in_order():
    from workbench.view.filters import sorted_codes

    values = np.array(["b", "a", None, "c"] * 30_000, dtype=object)
    codes, distinct = sorted_codes(values)
    assert distinct == ["a", "b", "c"]
    assert codes[:4].tolist() == [1, 0, -1, 2] and codes[-4:].tolist() == [1, 0, -1, 2]


def test_search_finds_every_row_containing_the_text_and_no_others():
    index = ListIndex(make_list(30))
    assert index.search("PW001").nonzero()[0].tolist() == list(range(10, 20))
    assert not index.search("PW0000PW").any()  # never across two values


def test_search_maps_matches_to_rows_across_chunks():
    from workbench.view.filters import CHUNK_ROWS

    index = ListIndex(make_list(CHUNK_ROWS + 10))
    for row in (CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 9):
        assert index.search(f"pw{row:04d}").nonzero()[0].tolist() == [row]


def test_search_ignores_spaces_and_case_on_either_side():
    wl = WaitingList(np.arange(1, 5), {"nhs_number": np.array(["943 476 5919", "9434765870", None, "STRAßE1"], dtype=object)})
    index = ListIndex(wl)
    assert index.search("9434765919").nonzero()[0].tolist() == [0]
    assert index.search("943 476").nonzero()[0].tolist() == [0, 1]
    assert index.search("straße1").nonzero()[0].tolist() == [3]  # a value whose folded form is longer


def test_search_and_sort_are_prepared_ahead_and_a_cancel_keeps_what_is_finished():
    index = ListIndex(make_list(30))
    calls = iter([False, False, True])  # cancelled after the first search text
    with pytest.raises(Cancelled):
        index.prepare_search_and_sort(lambda: next(calls))
    assert list(index._search_text) == ["pathway_id"] and not index._sort_keys
    index.prepare_search_and_sort()
    assert list(index._search_text) == list(SEARCH_FIELDS) and "pathway_id" in index._sort_keys


def test_filters_on_a_list_read_back_from_a_workspace_use_its_stored_codes_and_agree(tmp_path):
    from workbench.view.filters import sorted_codes
    from workbench.store.workspace import Workspace

    n = 12_000  # enough repeats for the workspace to store the columns as codes
    rng = np.random.default_rng(3)
    site = rng.choice(np.array(["South", "North", None, "Hub"], dtype=object), n)
    specialty = rng.choice(np.array(["110", "100", "301"], dtype=object), n)
    wl = WaitingList(np.arange(1, n + 1), {"site": site, "specialty": specialty}, source={"Spec": specialty.copy()})
    path = tmp_path / "w.sqlite"
    with Workspace.create(path) as workspace:
        workspace.replace_list(wl, [], {"file_name": "x.csv", "sha256": "0" * 64, "rows_read": n, "rows_stored": n,
                                        "mapping": {"specialty": "Spec"}})
    with Workspace.open(path) as workspace:
        stored = workspace.load_list()
    index = ListIndex(stored)
    for name, original in [("site", site), ("specialty", specialty)]:
        assert stored.codes_of(stored.column(name)) is not None  # "specialty" is the source column's, stored once
        codes, values = index._codes(name)
        expected_codes, expected_values = sorted_codes(original)
        assert values == expected_values and codes.tolist() == expected_codes.tolist()
    assert index.order(ListQuery(filters=(("site", "North"),))).tolist() == np.flatnonzero(site == "North").tolist()


def test_problem_codes_join_every_finding_of_a_row():
    codes = problem_codes(4, {"missing_priority": np.array([1, 3]), "invalid_lsoa": np.array([3])})
    assert codes.tolist() == [None, "No priority", None, "No priority, Unknown LSOA"]
