"""Extracts as NHS systems write them: WLMDS, HES and PTL files, written here as they come, imported whole.

Every file is made by the test in tmp_path: snake_case WLMDS headers, upper-case
HES names with the codes of their time, a PTL with placeholders and stopped
clocks, and files whose headers are the workbench's own field names.
"""

import csv
import json
import re
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.check import waits
from workbench.cli import main
from workbench.demo import WLMDS_HEADERS, generate_wlmds_list, write_demo_list
from workbench.fields import CANONICAL_FIELDS, DERIVED_FIELDS
from workbench.store.importer import import_file
from workbench.read.mapping import SPELLINGS
from workbench.store.workspace import Workspace

CENSUS = date(2026, 11, 1)


def write_rows(path, headers, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([headers, *rows])
    return path


def imported(path, tmp_path, **options):
    result = import_file(path, tmp_path / "ws.sqlite", **options)
    with Workspace.open(tmp_path / "ws.sqlite") as workspace:
        return result, workspace.load_list(), {f.code: f for f in workspace.findings()}


# --- WLMDS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wlmds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wlmds")
    path = folder / "wlmds.csv"
    assert main(["demo", "--rows", "1500", "--seed", "11", "--format", "wlmds", "--out", str(path)]) == 0
    frame = generate_wlmds_list(1500, seed=11)
    result = import_file(path, folder / "ws.sqlite")
    with Workspace.open(folder / "ws.sqlite") as workspace:
        return frame, result, workspace.load_list(), {f.code: f for f in workspace.findings()}


def test_a_wlmds_extract_maps_every_field_the_workbench_uses_without_help(wlmds):
    frame, result, wl, _ = wlmds
    assert len(frame.columns) == len(WLMDS_HEADERS) == 60
    assert result.mapping == {
        "pathway_id": "patient_pathway_identifier", "nhs_number": "nhs_number",
        "specialty": "activity_treatment_function_code", "procedure": "proposed_procedure_opcs_code",
        "clinical_priority": "procedure_priority_code", "wait_start": "referral_to_treatment_period_start_date",
        "clock_stop_date": "referral_to_treatment_period_end_date", "decision_to_admit_date": "decision_to_admit_date",
        "priority_review_date": "date_of_last_priority_review", "last_validation_date": "last_pas_validation_date",
        "census_date": "week_ending_date", "date_of_birth": "person_birth_date", "age": "der_age_week_ending_date",
        "sex": "person_stated_gender_code", "ethnic_category": "ethnic_category", "lsoa": "lsoa_2021",
        "site": "organisation_site_identifier_of_treatment", "consultant": "consultant_code", "tci_date": "tci_date",
        "waiting_list_type": "waiting_list_type", "mutual_aid_provider": "mutual_aid_accepting_provider",
    }
    assert result.rows_stored == 1500 and result.census_date == CENSUS
    assert list(wl.source) == list(WLMDS_HEADERS)  # the other 39 columns kept as read
    assert wl.columns["specialty_name"][wl.columns["specialty"] == "130"][0] == "Ophthalmology"


def test_wlmds_clock_stops_are_findings_and_leave_the_waits(wlmds):
    frame, result, wl, findings = wlmds
    stopped = frame.attrs["clock_stopped"]
    assert len(stopped) > 5
    assert findings["clock_stopped"].rows.tolist() == stopped
    assert result.findings["clock_stopped"] == len(stopped)
    assert (wl.columns["wait_not_counted"][stopped] == waits.CLOCK_STOPPED).all()
    assert np.isnan(wl.columns["weeks_waited"][stopped]).all()
    assert findings["clock_stopped"].details[0].startswith("clock stopped ")


def test_wlmds_non_rtt_rows_stay_on_the_list_under_their_own_type(wlmds):
    frame, _, wl, _ = wlmds
    non_rtt = frame.attrs["non_rtt"]
    assert set(wl.columns["waiting_list_type"][non_rtt]) == {"INON", "ONON"}
    assert (wl.columns["rtt_pathway"][non_rtt] == 0).all()
    assert (wl.columns["rtt_pathway"] == 0).sum() == len(non_rtt)
    assert not waits.rtt_wait_counted(wl)[non_rtt].any()


def test_wlmds_priorities_are_timed_from_the_review_or_listing_date(wlmds):
    _, _, wl, findings = wlmds
    used = wl.columns["priority_date_from"]
    assert {waits.REVIEW, waits.LISTING, waits.CLOCK_START} <= set(used)
    overdue = findings["priority_overdue"]
    assert any("since the last priority review" in d for d in overdue.details)
    assert any("since the clock start" in d for d in overdue.details)


# --- HES ---------------------------------------------------------------------------------------------

HES_HEADERS = ["PROCODE", "EPIKEY", "ELECDATE", "ETHNOS", "STARTAGE", "SEX", "LSOA11", "LSOA", "TRETSPEF", "NEWNHSNO"]
HES_ROWS = [
    ["RXX", "1001", "01/02/2002", "0", "45", "1", "", "E01000001", "110", "9434765919"],
    ["RXX", "1002", "03/02/2002", "4", "7003", "2", "", "E01000002", "130", "9876543210"],
    ["RXX", "1003", "05/02/2002", "9", "7007", "2", "", "E01000003", "999", "4000000632"],
    ["RXX", "1004", "28/02/2002", "X", "130", "1", "", "E01000005", "&", "0000000000"],
    ["RXX", "1005", "07/02/2002", "2", "38", "1", "", "E01000006", "510", "4444444444"],
]


def test_an_upper_case_hes_extract_reads_its_old_codes_right(tmp_path):
    path = write_rows(tmp_path / "hes.csv", HES_HEADERS, HES_ROWS)
    result, wl, findings = imported(path, tmp_path)
    assert result.mapping["pathway_id"] == "EPIKEY" and result.mapping["wait_start"] == "ELECDATE"
    assert result.mapping["lsoa"] == "LSOA"  # the filled column, not the empty LSOA11 spelled first
    # Ethnicity in the scheme HES used before 2001, decided for the column and said so.
    assert wl.columns["ethnic_group"].tolist() == ["White", "Asian", "Not stated/unknown", "Not stated/unknown", "Black"]
    assert any("ETHNOS" in w and "before 2001" in w for w in result.warnings)
    assert findings["unknown_ethnicity"].details.tolist() == ["9: not given (the pre-2001 scheme)",
                                                              "X: not known (the pre-2001 scheme)"]
    # Infant age codes are under one year old, not errors; 130 is.
    assert wl.columns["age_years"].tolist()[:3] == [45.0, 0.0, 0.0]
    assert findings["age_out_of_range"].details.tolist() == ["age 130"]
    # Treatment function codes checked against the Data Dictionary list.
    assert findings["unknown_treatment_function"].details.tolist() == [
        "'999' is not in the NHS Data Dictionary list", "'&' is not in the NHS Data Dictionary list",
        "'510' is a retired code"]
    # NHS numbers of one repeated digit pass modulus 11 but are placeholders.
    assert findings["nhs_number_invalid"].rows.tolist() == [3, 4]
    assert "placeholder" in findings["nhs_number_invalid"].details[0]
    # No census date in the file: the command line counts to today and says which clock start was latest.
    [warning] = [w for w in result.warnings if w.startswith("No census date")]
    assert "the latest clock start in the file is 28/02/2002" in warning


# --- PTL ---------------------------------------------------------------------------------------------

PTL_HEADERS = ["Pathway ID", "NHS Number", "TFC", "Priority", "RTT Clock Start", "Clock Stop Date",
               "Date Added to List", "Last Priority Review", "Waiting List Type", "Weeks Wait", "Census Date"]
PTL_ROWS = [
    ["P1", "9434765919", "110", "P2", "01/01/1801", "", "", "", "IRTT", "10557", "01/11/2026"],
    ["P2", "9876543210", "110", "P2", "01/01/1900", "", "", "", "IRTT", "6540", "01/11/2026"],
    ["P3", "4000000632", "110", "P2", "01/06/2026", "", "01/09/2026", "20/10/2026", "IRTT", "22", "01/11/2026"],
    ["P4", "9990000018", "110", "P2", "01/02/2026", "01/10/2026", "", "", "IRTT", "39", "01/11/2026"],
    ["P5", "9990000026", "110", "P2", "01/03/2026", "", "01/04/2026", "", "Planned", "35", "01/11/2026"],
]


def test_a_ptl_with_placeholders_and_a_stopped_clock_counts_only_real_waits(tmp_path):
    path = write_rows(tmp_path / "ptl.csv", PTL_HEADERS, PTL_ROWS)
    result, wl, findings = imported(path, tmp_path)
    assert result.mapping["clock_stop_date"] == "Clock Stop Date"
    assert result.mapping["decision_to_admit_date"] == "Date Added to List"
    assert "Weeks Wait" not in result.mapping.values()  # a stale figure never drives an order
    assert np.isnan(wl.columns["weeks_waited"][[0, 1, 3]]).all()
    assert wl.columns["wait_not_counted"].tolist() == [waits.START_NOT_USABLE, waits.START_NOT_USABLE, None,
                                                       waits.CLOCK_STOPPED, None]
    assert wl.columns["rtt_pathway"].tolist() == [1.0, 1.0, 1.0, 1.0, 0.0]
    assert findings["clock_stopped"].rows.tolist() == [3]
    assert findings["implausible_date"].rows.tolist() == [0, 1]
    # P3 was reviewed 12 days ago: not overdue. P5 was listed 214 days ago; P4 stopped.
    assert findings["priority_overdue"].rows.tolist() == [4]
    assert findings["priority_overdue"].details.tolist() == ["P2 waited 214 days since the decision to admit (limit 28 days)"]


def test_the_issues_own_ptl_and_snake_case_files_import_with_no_traceback(tmp_path, capsys):
    ptl = tmp_path / "ptl.csv"
    ptl.write_text("Pathway ID,RTT Clock Start,age\nA1,01/01/2026,40\n", encoding="utf-8")
    assert main(["import", str(ptl), "--workspace", str(tmp_path / "ptl.sqlite"), "--json"]) == 0
    snake = tmp_path / "snake.csv"
    snake.write_text("pathway_id,nhs_number,referral_to_treatment_period_start_date,age,sex,lsoa,site,imd_decile\n"
                     "A1,9434765919,2026-01-05,40,1,E01000001,RX1,3\nA2,9876543210,2025-11-20,71,2,E01033769,RX1,1\n",
                     encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(snake), "--workspace", str(tmp_path / "snake.sqlite"), "--census-date", "2026-11-01",
                 "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rows_stored"] == 2 and printed["mapping"]["imd_decile"] == "imd_decile"


# --- a file's own values of fields we work out -------------------------------------------------------------


def test_a_files_own_imd_decile_and_age_band_are_kept_and_ours_used_a_difference_is_a_finding(tmp_path):
    headers = ["pathway_id", "wait_start", "lsoa", "imd_decile", "age", "age_band", "weeks_waited"]
    rows = [["A1", "2026-10-04", "E01000001", "8", "40", "40-64", "4"],  # all agree (E01000001: IoD2025 decile 8)
            ["A2", "2026-10-04", "E01000001", "3", "40", "80+", "4"],  # the file's decile and band disagree
            ["A3", "2026-10-04", "", "2", "70", "65-79", "30"]]  # no area: the file's decile is used
    result, wl, findings = imported(write_rows(tmp_path / "own.csv", headers, rows), tmp_path, census_date=CENSUS)
    assert wl.columns["imd_decile"].tolist() == [8.0, 8.0, 2.0]
    assert wl.columns["age_band"].tolist() == ["40-64", "40-64", "65-79"]
    assert wl.source["imd_decile"].tolist() == ["8", "3", "2"] and wl.source["age_band"][1] == "80+"
    differs = findings["file_value_differs"]
    assert differs.rows.tolist() == [1, 2]
    assert differs.details.tolist() == [
        "the file's imd_decile is '3', the workbench's imd_decile is '8'; "
        "the file's age_band is '80+', the workbench's age_band is '40-64'",
        "the file's weeks_waited is '30', the workbench's weeks_waited is '4'"]


# --- any header imports -----------------------------------------------------------------------------


def _spelled(name: str, style: int) -> str:
    """A field name or spelling as different systems write it."""
    words = re.sub(r"[\W_]+", " ", name).split()
    return ["_".join(w.lower() for w in words), " ".join(w.title() for w in words),
            "".join(w.upper() for w in words), name][style]


NAMES = sorted(set(CANONICAL_FIELDS) | set(DERIVED_FIELDS) | {"source_line", "row_id"}
               | {s for spellings in SPELLINGS.values() for s in spellings[:3]})
HEADER_SETS = st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, 3)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HEADER_SETS)
def test_any_header_set_of_field_names_and_their_spellings_imports_every_row(tmp_path_factory, drawn):
    folder = tmp_path_factory.mktemp("headers")
    headers = [_spelled(name, style) for name, style in drawn]
    rows = [[f"{c}{r}" if c % 3 else "2026-01-0" + str(1 + r) for c in range(len(headers))] for r in range(3)]
    path = write_rows(folder / "any.csv", headers, rows)
    try:
        result = import_file(path, folder / "ws.sqlite", census_date=CENSUS,
                             overrides={"pathway_id": headers[0], "wait_start": headers[0]}
                             if not _has_required(headers) else None)
    except Exception as error:  # a plain WorkbenchError is allowed; a traceback is not
        assert type(error).__name__ == "WorkbenchError", error
        assert not (folder / "ws.sqlite").exists()  # nothing half made
        return
    assert result.rows_read == result.rows_stored == 3
    with Workspace.open(folder / "ws.sqlite") as workspace:
        wl = workspace.load_list()
    assert len(wl) == 3 and len(wl.source) == len(headers)  # every column kept as read, under its own header
    for values in wl.source.values():
        assert len(values) == 3


def _has_required(headers):
    from workbench.read.mapping import detect_mapping, missing_required

    return not missing_required(detect_mapping(headers))


def test_headers_that_are_the_field_names_themselves_store_both_the_column_and_the_field(tmp_path):
    headers = ["pathway_id", "wait_start", "weeks_waited", "age_band", "row_id", "source_line"]
    path = write_rows(tmp_path / "same.csv", headers, [["A1", "2026-10-04", "99", "0-17", "x", "y"]])
    result, wl, _ = imported(path, tmp_path, census_date=CENSUS)
    assert wl.source["weeks_waited"].tolist() == ["99"] and wl.columns["weeks_waited"].tolist() == [4.0]
    assert wl.source["row_id"].tolist() == ["x"] and wl.row_id.tolist() == [1]
    assert wl.source["source_line"].tolist() == ["y"] and wl.columns["source_line"].tolist() == [2.0]


def test_the_wlmds_demo_as_a_workbook_imports_too(tmp_path):
    path = tmp_path / "wlmds.xlsx"
    write_demo_list(path, rows=200, seed=3, form="wlmds")
    result = import_file(path, tmp_path / "ws.sqlite")
    assert result.rows_stored == 200 and result.mapping["clock_stop_date"] == "referral_to_treatment_period_end_date"
