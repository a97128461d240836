"""Data-quality findings on small hand-made lists, with the exact rows and details expected."""

import datetime

import numpy as np
import pytest

from workbench.check.deprivation import Linking
from workbench.check.enrich import enrich
from workbench.fields import CANONICAL_FIELDS, DATE, NUMBER, WaitingList, empty_column
from workbench.check.validation import implausible_dates, validate
from workbench.errors import FINDING_CODES, Finding

CENSUS = datetime.date(2026, 11, 1)


def make_list(typed: dict, raw: dict | None = None, census=CENSUS, mapped=None, linking=None):
    """A list as the importer builds it: every canonical field, derived fields, source text.

    ``typed`` holds the understood values; ``raw`` overrides the file's text for
    a field (default: the typed value as text, "" where missing). Every field
    in ``typed`` is mapped to a header "File <field>" unless ``mapped`` says otherwise.
    """
    n = len(next(iter(typed.values())))
    columns = {name: empty_column(kind, n) for name, kind in CANONICAL_FIELDS.items()}
    for name, values in typed.items():
        columns[name] = _typed(CANONICAL_FIELDS[name], values)
    columns.update(enrich(columns, census, linking=linking))
    mapped = list(typed) if mapped is None else mapped
    mapping = {name: f"File {name}" for name in mapped}
    raw = raw or {}
    source = {mapping[name]: np.array(raw.get(name, [_text(v) for v in typed.get(name, [None] * n)]), dtype=object)
              for name in mapped}
    return WaitingList(row_id=np.arange(1, n + 1), columns=columns, source=source, census_date=census), mapping


def _typed(kind, values):
    if kind == DATE:
        return np.array([v or "NaT" for v in values], dtype="datetime64[D]")
    if kind == NUMBER:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _text(value):
    return "" if value is None else str(value)


def found(wl, mapping, code):
    """(rows, details) of one finding code, or empty lists if it was not raised."""
    for finding in validate(wl, mapping):
        if finding.code == code:
            return finding.rows.tolist(), finding.details.tolist()
    return [], []


# -- NHS numbers ---------------------------------------------------------------------------


def test_nhs_number_invalid_check_digit_length_and_missing():
    wl, mapping = make_list(
        {"nhs_number": ["9434765919", "9434765918", None, "12345", "9434765919", "4000000632"]},
        raw={"nhs_number": ["9434765919", "943 476 5918", "", "12345", "943 476 5919", "NULL"]},
    )
    rows, details = found(wl, mapping, "nhs_number_invalid")
    assert rows == [1, 2, 3]
    assert details == ["943 476 5918 has the wrong check digit", "no NHS number", "12345 is not a 10-digit number"]


def test_nhs_number_check_skipped_when_the_file_has_no_nhs_number():
    wl, mapping = make_list({"pathway_id": ["A", "B"]})
    assert found(wl, mapping, "nhs_number_invalid") == ([], [])


def test_nhs_number_column_mapped_but_empty_is_reported_on_every_row():
    wl, mapping = make_list({"nhs_number": [None, None]})
    assert found(wl, mapping, "nhs_number_invalid") == ([0, 1], ["no NHS number"] * 2)


# -- duplicates -----------------------------------------------------------------------------


def test_duplicate_pathway_flags_every_copy_and_names_the_others():
    wl, mapping = make_list({"pathway_id": ["A", "B", "A", "C", "A", None, None, "NULL", "NULL", "C"]})
    rows, details = found(wl, mapping, "duplicate_pathway")
    assert rows == [0, 2, 3, 4, 9]
    assert details == ["also on rows 3, 5", "also on rows 1, 5", "also on row 10", "also on rows 1, 3", "also on row 4"]


def test_a_big_duplicate_group_names_five_rows_and_counts_the_rest():
    wl, mapping = make_list({"pathway_id": ["X"] * 9})
    rows, details = found(wl, mapping, "duplicate_pathway")
    assert rows == list(range(9))
    assert details[0] == "also on rows 2, 3, 4, 5, 6 and 3 more"
    assert details[8] == "also on rows 1, 2, 3, 4, 5 and 3 more"


def test_duplicate_patient_specialty_needs_a_valid_number_one_specialty_and_two_pathways():
    wl, mapping = make_list(
        {
            "pathway_id": ["P1", "P2", "P3", "P4", "P4", "P5", "P6", "P7"],
            "nhs_number": ["9434765919", "9434765919", "9434765919", "4000000632", "4000000632", "1234567890", "1234567890", "9876543210"],
            "specialty": ["110", "110", "120", "101", "101", "130", "130", "130"],
        }
    )
    assert found(wl, mapping, "duplicate_patient_specialty") == ([0, 1], ["also on row 2", "also on row 1"])
    # rows 3 and 4 share a pathway: that is a duplicate pathway, not a second pathway
    assert found(wl, mapping, "duplicate_pathway")[0] == [3, 4]


# -- wait start and dates -------------------------------------------------------------------


def test_missing_wait_start_is_blank_in_the_file_not_unreadable():
    wl, mapping = make_list(
        {"wait_start": ["2026-01-01", None, None, None]},
        raw={"wait_start": ["01/01/2026", "", "31/02/2026", "N/A"]},
    )
    assert found(wl, mapping, "missing_wait_start") == ([1, 3], ["no wait start date"] * 2)
    assert found(wl, mapping, "unreadable_date") == ([2], ["wait start '31/02/2026'"])


def test_future_wait_start_is_after_the_census_date_and_not_a_placeholder():
    wl, mapping = make_list({"wait_start": ["2026-11-01", "2026-11-02", "9999-12-31", "2026-10-01"]})
    assert found(wl, mapping, "future_wait_start") == (
        [1],
        ["wait start 02/11/2026 is after the census date 01/11/2026"],
    )


def test_a_rows_own_census_date_decides_the_future():
    wl, mapping = make_list({"wait_start": ["2026-11-05", "2026-11-05"], "census_date": ["2026-12-01", None]})
    assert found(wl, mapping, "future_wait_start")[0] == [1]


def test_unreadable_dates_name_the_field_and_share_a_row():
    wl, mapping = make_list(
        {"wait_start": [None, "2026-01-01"], "date_of_birth": [None, None], "tci_date": [None, None]},
        raw={"wait_start": ["31/02/2026", "01/01/2026"], "date_of_birth": ["yesterday", ""], "tci_date": ["", "soon"]},
    )
    assert found(wl, mapping, "unreadable_date") == (
        [0, 1],
        ["wait start '31/02/2026'; date of birth 'yesterday'", "TCI date 'soon'"],
    )


def test_blank_and_unreadable_cells_are_told_apart_alike_when_the_file_was_read_as_codes():
    import pandas as pd

    wl, mapping = make_list(
        {"wait_start": ["2026-01-01", None, None, None, None, None], "tci_date": [None] * 6},
        raw={"wait_start": ["01/01/2026", None, " null ", "31/02/2026", "N/A", "31/02/2026"],
             "tci_date": ["soon", None, "-", "soon", "  ", "?"]},
    )
    plain = [(f.code, f.rows.tolist(), f.details.tolist()) for f in validate(wl, mapping)]
    for values in wl.source.values():  # as the reader gives a repeating column: with its codes
        codes, distinct = pd.factorize(values)
        wl.known_codes.add(values, codes, np.asarray(distinct, dtype=object))
    coded = [(f.code, f.rows.tolist(), f.details.tolist()) for f in validate(wl, mapping)]
    assert coded == plain
    assert ("unreadable_date", [0, 3, 5], ["TCI date 'soon'", "wait start '31/02/2026'; TCI date 'soon'",
                                           "wait start '31/02/2026'"]) in coded
    assert ("missing_wait_start", [1, 2, 4], ["no wait start date"] * 3) in coded


def test_implausible_dates_placeholders_and_out_of_range_years():
    wl, mapping = make_list(
        {
            "wait_start": ["1900-01-01", "1800-01-01", "1801-01-01", "9999-12-31", "2026-01-01", "2026-01-01"],
            "date_of_birth": ["1960-01-01", "1960-01-01", "1960-01-01", "1960-01-01", "1899-12-31", "1900-01-02"],
            "tci_date": [None, None, None, "2101-01-01", None, "2100-12-31"],
        }
    )
    rows, details = found(wl, mapping, "implausible_date")
    assert rows == [0, 1, 2, 3, 4]
    assert details == [
        "wait start 01/01/1900",
        "wait start 01/01/1800",
        "wait start 01/01/1801",
        "wait start 31/12/9999; TCI date 01/01/2101",
        "date of birth 31/12/1899",
    ]


def test_implausible_dates_mask():
    dates = np.array(["1900-01-01", "1900-01-02", "2100-12-31", "2101-01-01", "NaT"], dtype="datetime64[D]")
    assert implausible_dates(dates).tolist() == [True, False, False, True, False]


# -- clinical priority ----------------------------------------------------------------------


def test_missing_and_unknown_priority():
    wl, mapping = make_list(
        {"clinical_priority": ["P2", None, None, None, "P1a"]},
        raw={"clinical_priority": ["P 2", "", "urgent", "NULL", "P1A"]},
    )
    assert found(wl, mapping, "missing_priority") == ([1, 3], ["no clinical priority"] * 2)
    assert found(wl, mapping, "unknown_priority") == ([2], ["'urgent'"])


@pytest.mark.parametrize(
    "priority, days, overdue",
    [("P2", 28, False), ("P2", 29, True), ("P1a", 1, False), ("P1a", 2, True), ("P1b", 3, False), ("P1b", 4, True),
     ("P3", 91, False), ("P3", 92, True), ("P4", 5000, False), ("P5", 5000, False), ("P6", 5000, False)],
)
def test_priority_overdue_at_the_time_limit(priority, days, overdue):
    start = (np.datetime64(CENSUS) - np.timedelta64(days, "D")).astype(str)
    wl, mapping = make_list({"clinical_priority": [priority], "wait_start": [start]})
    assert found(wl, mapping, "priority_overdue")[0] == ([0] if overdue else [])


def test_priority_overdue_details_say_how_long_and_the_limit():
    wl, mapping = make_list(
        {"clinical_priority": ["P2", "P1a", "P3", None], "wait_start": ["2026-10-03", "2026-10-30", "1900-01-01", "2020-01-01"]}
    )
    assert found(wl, mapping, "priority_overdue") == (
        [0, 1],
        ["P2 waited 29 days since the clock start (limit 28 days)", "P1a waited 2 days since the clock start (limit 1 day)"],
    )


# -- areas and ethnicity --------------------------------------------------------------------


def test_invalid_lsoa_pseudo_codes_and_unknown_areas():
    wl, mapping = make_list(
        {"lsoa": ["E01000001", "W01000001", "S01006506", "E99999999", "W99999999", "E01999999", None, "e01000001"]}
    )
    assert found(wl, mapping, "invalid_lsoa") == (
        [3, 4, 5],
        ["'E99999999' is a pseudo-code meaning no area", "'W99999999' is a pseudo-code meaning no area",
         "'E01999999' is not a known area"],
    )


def test_areas_the_chosen_index_cannot_place_are_a_finding():
    # With IoD2019 and WIMD 2019: E01034500 was made from 2011 areas in different deciles and
    # W01001959 is no 2011 area's best fit; E01033769's 2011 areas share decile 3.
    lsoa = {"lsoa": ["E01034500", "W01001959", "E01033769", "E01999999", "E01000001"]}
    wl, mapping = make_list(lsoa, linking=Linking("2019", "LSOA21CD"))
    rows, details = found(wl, mapping, "lsoa_not_in_index")
    assert rows == [0, 1] and details[0].startswith("'E01034500' is a 2021 area with no single 2011 best fit")
    assert found(wl, mapping, "invalid_lsoa")[0] == [3]  # in neither vintage: a different finding
    assert found(make_list(lsoa)[0], mapping, "lsoa_not_in_index") == ([], [])  # IoD2025 places them all


def test_unknown_ethnicity_codes():
    wl, mapping = make_list(
        {"ethnic_category": ["A", "Z", "99", "0", "9", None, "X", "h", None]},
        raw={"ethnic_category": ["A", "Z", "99", "0", "9", "", "X", "h", "White British"]},
    )
    rows, details = found(wl, mapping, "unknown_ethnicity")
    assert rows == [1, 2, 3, 4, 5, 6, 8]
    assert details == [
        "Z: not stated",
        "99: not known",
        "'0': an old not-known code",
        "'9': an old not-known code",
        "not given",
        "'X' is not an ethnic category code",
        "'White British' is not an ethnic category code",
    ]


# -- age ------------------------------------------------------------------------------------


def test_age_out_of_range_from_birth_dates_and_the_age_column():
    wl, mapping = make_list(
        {
            "date_of_birth": ["2026-11-02", "1905-10-31", "1906-11-01", "1900-01-01", None, None, None, None],
            "age": [None, None, None, None, 7003, 130, -1, 120],
        }
    )
    assert found(wl, mapping, "age_out_of_range") == (
        [0, 1, 5, 6],
        [
            "date of birth 02/11/2026 is after the census date",
            "date of birth 31/10/1905 gives age 121",
            "age 130",
            "age -1",
        ],
    )


# -- the whole result -----------------------------------------------------------------------


def test_findings_come_in_code_order_with_sorted_int64_rows():
    wl, mapping = make_list(
        {
            "pathway_id": ["A", "A", "B"],
            "nhs_number": ["9434765918", "9434765919", "9434765919"],
            "clinical_priority": ["urgent", "P2", None],
            "wait_start": ["2026-01-01", "1900-01-01", "2027-01-01"],
            "lsoa": ["E99999999", "E01000001", "E01000001"],
            "ethnic_category": ["Z", "A", "A"],
        }
    )
    findings = validate(wl, mapping)
    codes = [f.code for f in findings]
    assert codes == [c for c in FINDING_CODES if c in codes]
    assert set(codes) >= {"nhs_number_invalid", "duplicate_pathway", "implausible_date", "unknown_priority",
                          "missing_priority", "future_wait_start", "invalid_lsoa", "unknown_ethnicity"}
    for finding in findings:
        assert isinstance(finding, Finding) and finding.description == FINDING_CODES[finding.code]
        assert finding.rows.dtype == np.int64 and len(finding.rows) == len(finding.details)
        assert finding.rows.tolist() == sorted(set(finding.rows.tolist()))


def test_a_clean_list_and_an_empty_list_have_no_findings():
    clean, mapping = make_list(
        {"pathway_id": ["A", "B"], "nhs_number": ["9434765919", "9876543210"], "clinical_priority": ["P4", "P3"],
         "wait_start": ["2026-10-01", "2026-09-01"], "lsoa": ["E01000001", "S01006506"], "ethnic_category": ["A", "N"],
         "date_of_birth": ["1950-05-05", "2020-02-29"]}
    )
    assert validate(clean, mapping) == []
    empty, mapping = make_list({"pathway_id": []})
    assert validate(empty, mapping) == []


def test_checks_on_unmapped_empty_fields_are_skipped():
    wl, mapping = make_list({"pathway_id": ["A", "B"]})
    assert validate(wl, mapping) == []


def test_every_code_has_a_plain_words_description():
    assert "unreadable_date" in FINDING_CODES
    assert all(text and text[0].isupper() for text in FINDING_CODES.values())


def test_a_mapped_field_missing_from_the_columns_counts_as_all_blank():
    wl = WaitingList(
        row_id=np.array([1, 2]),
        columns={"pathway_id": np.array(["A", "B"], dtype=object)},
        source={"Clock Start": np.array(["", "soon"], dtype=object)},
        census_date=CENSUS,
    )
    mapping = {"pathway_id": "Pathway", "wait_start": "Clock Start"}
    assert found(wl, mapping, "missing_wait_start") == ([0], ["no wait start date"])
    assert found(wl, mapping, "unreadable_date") == ([1], ["wait start 'soon'"])


# -- RTT clock stops, treatment functions, a file's own values -------------------------------


def test_a_clock_stopped_by_the_census_date_is_a_finding_naming_both_dates():
    wl, mapping = make_list({"wait_start": ["2026-01-01"] * 3, "clock_stop_date": ["2026-10-01", "2026-11-05", None]})
    assert found(wl, mapping, "clock_stopped") == (
        [0], ["clock stopped 01/10/2026, on or before the census date 01/11/2026: still on the list"])


def test_overdue_is_measured_from_the_last_review_else_the_listing_date_and_says_which():
    wl, mapping = make_list({
        "clinical_priority": ["P2", "P2", "P2", "P2"],
        "wait_start": ["2026-01-01"] * 4,
        "decision_to_admit_date": ["2026-10-20", "2026-09-01", None, None],
        "priority_review_date": [None, "2026-10-25", None, "1900-01-01"],
    })
    assert found(wl, mapping, "priority_overdue") == (
        [2, 3], ["P2 waited 304 days since the clock start (limit 28 days)"] * 2)


def test_treatment_function_codes_are_checked_and_names_accepted():
    wl, mapping = make_list({"specialty": ["110", "Ophthalmology", "&", "999", "510", "312", None]})
    assert found(wl, mapping, "unknown_treatment_function") == (
        [2, 3, 4, 5],
        ["'&' is not in the NHS Data Dictionary list", "'999' is not in the NHS Data Dictionary list",
         "'510' is a retired code", "'312' is not a treatment function"])


def test_nhs_numbers_of_one_repeated_digit_are_placeholders():
    wl, mapping = make_list({"nhs_number": ["0000000000", "9999999999", "9434765919"]})
    assert found(wl, mapping, "nhs_number_invalid") == (
        [0, 1], ["0000000000 is a placeholder (one digit repeated): never issued",
                 "9999999999 is a placeholder (one digit repeated): never issued"])


def test_infant_age_codes_are_under_one_not_errors():
    wl, mapping = make_list({"age": [7001, 7004, 7007, 7008]})
    assert found(wl, mapping, "age_out_of_range") == ([3], ["age 7008"])
    assert wl.columns["age_years"][:3].tolist() == [0.0, 0.0, 0.0]


def test_a_legacy_ethnicity_column_reports_only_its_not_given_and_not_known_codes():
    wl, mapping = make_list({"ethnic_category": ["0", "4", "9", "X", None]}, raw={"ethnic_category": ["0", "4", "9", "X", ""]})
    assert found(wl, mapping, "unknown_ethnicity") == (
        [2, 3, 4], ["9: not given (the pre-2001 scheme)", "X: not known (the pre-2001 scheme)", "not given"])
