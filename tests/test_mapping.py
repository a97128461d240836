"""Mapping file headers onto canonical fields: detection, overrides, profiles."""

import json
from collections import Counter

import numpy as np
import platformdirs.windows
import pytest

from workbench.resources import user_data_folder
from workbench.read import mapping
from workbench.fields import CANONICAL_FIELDS
from workbench.read.mapping import (
    detect_mapping,
    list_profiles,
    load_profile,
    missing_required,
    parse_map_options,
    profile_folder,
    resolve_mapping,
    save_profile,
)
from workbench.errors import WorkbenchError


def test_wlmds_names():
    headers = [
        "patient_pathway_identifier",
        "referral_to_treatment_period_start_date",
        "activity_treatment_function_code",
        "waiting_list_type",
        "week_ending_date",
        "priority_type_code",
    ]
    assert detect_mapping(headers) == {
        "pathway_id": "patient_pathway_identifier",
        "specialty": "activity_treatment_function_code",
        "wait_start": "referral_to_treatment_period_start_date",
        "census_date": "week_ending_date",
        "waiting_list_type": "waiting_list_type",
    }


def test_ptl_headers_ignore_case_spaces_and_punctuation():
    headers = [
        "PPI", "NHS No.", "RTT Clock Start", "TFC", "Surgical Priority", "TCI Date", "Consultant", "Site",
        "Postcode", "LSOA11CD", "Ethnic Category", "D.O.B", "Sex", "IMD Decile", "Snapshot Date", "OPCS", "AGE",
    ]
    assert detect_mapping(headers) == {
        "pathway_id": "PPI",
        "nhs_number": "NHS No.",
        "specialty": "TFC",
        "procedure": "OPCS",
        "clinical_priority": "Surgical Priority",
        "wait_start": "RTT Clock Start",
        "census_date": "Snapshot Date",
        "date_of_birth": "D.O.B",
        "age": "AGE",
        "sex": "Sex",
        "ethnic_category": "Ethnic Category",
        "lsoa": "LSOA11CD",
        "imd_decile": "IMD Decile",
        "postcode": "Postcode",
        "site": "Site",
        "consultant": "Consultant",
        "tci_date": "TCI Date",
    }


def test_hes_style_names():
    headers = ["NEWNHSNO", "ELECDATE", "WAITDAYS", "ETHNOS", "SEX", "STARTAGE", "LSOA11", "TRETSPEF", "MAINSPEF"]
    assert detect_mapping(headers) == {
        "nhs_number": "NEWNHSNO",
        "specialty": "TRETSPEF",
        "wait_start": "ELECDATE",
        "age": "STARTAGE",
        "sex": "SEX",
        "ethnic_category": "ETHNOS",
        "lsoa": "LSOA11",
    }


def test_weeks_waiting_is_never_taken_for_the_clock_start():
    assert detect_mapping(["Pathway ID", "Weeks Waiting", "Weeks Wait", "Days Waiting"]) == {"pathway_id": "Pathway ID"}


def test_clock_start_is_preferred_to_decision_to_admit_and_each_header_used_once():
    found = detect_mapping(["Decision to Admit Date", "Clock Start", "Gender", "Sex"])
    assert found == {"wait_start": "Clock Start", "decision_to_admit_date": "Decision to Admit Date", "sex": "Sex"}


def test_a_specialty_named_beside_its_code_is_its_description_else_its_code():
    assert detect_mapping(["TFC", "Specialty"]) == {"specialty": "TFC", "specialty_description": "Specialty"}
    assert detect_mapping(["Specialty", "Specialty Name"]) == {"specialty": "Specialty",
                                                               "specialty_description": "Specialty Name"}
    assert detect_mapping(["Specialty"]) == {"specialty": "Specialty"}


def test_a_decision_to_admit_date_alone_is_the_wait_start():
    assert detect_mapping(["Pathway ID", "DTA Date"]) == {"pathway_id": "Pathway ID", "wait_start": "DTA Date"}


def test_no_spelling_belongs_to_two_fields_but_listing_dates():
    keys = Counter(k for spellings in mapping._KEYED_SPELLINGS.values() for k in set(spellings))
    shared = {k for k, n in keys.items() if n > 1}
    # A listing date is the wait start of a list with no clock start, else the decision to admit;
    # "Specialty" is the specialty's code, else (a code column took that field) its name.
    listing = set(mapping._KEYED_SPELLINGS["wait_start"]) & set(mapping._KEYED_SPELLINGS["decision_to_admit_date"])
    assert shared == listing | {"specialty", "speciality"}
    assert "dtadate" in shared and "rttclockstart" not in shared
    assert set(mapping.SPELLINGS) == set(CANONICAL_FIELDS)


def test_overrides_replace_unmap_and_take_headers_from_detected_fields():
    headers = ["Pathway ID", "NHS No", "Clock Start", "DTA Date", "Age"]
    resolved = resolve_mapping(headers, {"wait_start": "DTA Date", "age": "", "census_date": "Clock Start"})
    assert resolved == {"pathway_id": "Pathway ID", "nhs_number": "NHS No", "wait_start": "DTA Date", "census_date": "Clock Start"}
    assert list(resolved) == [f for f in CANONICAL_FIELDS if f in resolved]


def test_override_naming_a_missing_header_or_field_is_an_error():
    with pytest.raises(WorkbenchError, match="wait_start: the file has no column called 'Clock Strat'; close matches: 'Clock Start'"):
        resolve_mapping(["Clock Start"], {"wait_start": "Clock Strat"})
    with pytest.raises(WorkbenchError, match="no field called 'wait_begin'; did you mean wait_start"):
        resolve_mapping(["Clock Start"], {"wait_begin": "Clock Start"})


def test_parse_map_options_accepts_loose_spellings():
    headers = ["NHS No", "Ref", "Age"]
    assert parse_map_options(['NHS Number="nhs no"', "pathway_id=Ref", "age="], headers) == {
        "nhs_number": "NHS No",
        "pathway_id": "Ref",
        "age": "",
    }


@pytest.mark.parametrize(
    "options, message",
    [
        (["nhs_numbr=NHS No"], "no field called 'nhs_numbr'; did you mean nhs_number"),
        (["nhs_number=NHS Nmber"], "no column called 'NHS Nmber'; close matches: 'NHS No'"),
        (["nhs_number"], "write it as field=Header"),
        (["age=Age", "age=Ref"], "age is mapped more than once"),
        (["pathway_id=Ref", "site=Ref"], "'Ref' is given to more than one field"),
    ],
)
def test_parse_map_options_errors(options, message):
    with pytest.raises(WorkbenchError, match=message):
        parse_map_options(options, ["NHS No", "Ref", "Age"])


def test_missing_required():
    assert missing_required({}) == ["pathway_id", "wait_start"]
    assert missing_required({"pathway_id": "Ref", "wait_start": ""}) == ["wait_start"]
    assert missing_required({"pathway_id": "Ref", "wait_start": "Clock"}) == []


def test_profiles_round_trip_and_are_listed(tmp_path):
    path = save_profile("Trust PTL / weekly", {"pathway_id": "Ref", "wait_start": "Clock", "age": ""}, tmp_path)
    assert path == tmp_path / "trust-ptl-weekly.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "name": "Trust PTL / weekly",
        "version": 1,
        "mapping": {"pathway_id": "Ref", "wait_start": "Clock"},
    }
    save_profile("HES extract", {"nhs_number": "NEWNHSNO"}, tmp_path)
    assert list_profiles(tmp_path) == ["HES extract", "Trust PTL / weekly"]
    assert load_profile("trust ptl weekly", tmp_path) == {"pathway_id": "Ref", "wait_start": "Clock"}


def test_saving_again_replaces_the_profile(tmp_path):
    save_profile("PTL", {"pathway_id": "Ref"}, tmp_path)
    save_profile("PTL", {"pathway_id": "Pathway"}, tmp_path)
    assert load_profile("PTL", tmp_path) == {"pathway_id": "Pathway"}
    assert [p.name for p in tmp_path.iterdir()] == ["ptl.json"]


def test_profile_errors(tmp_path):
    save_profile("PTL", {"pathway_id": "Ref"}, tmp_path)
    with pytest.raises(WorkbenchError, match="no mapping profile called 'HES' \\(profiles: 'PTL'\\)"):
        load_profile("HES", tmp_path)
    with pytest.raises(WorkbenchError, match="cannot be a profile name"):
        save_profile("///", {}, tmp_path)
    with pytest.raises(WorkbenchError, match="no field called 'weeks'"):
        save_profile("Bad", {"weeks": "Weeks Wait"}, tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="broken.json: the mapping profile is damaged"):
        load_profile("broken", tmp_path)
    (tmp_path / "future.json").write_text('{"name": "future", "version": 9, "mapping": {}}', encoding="utf-8")
    with pytest.raises(WorkbenchError, match="newer version"):
        load_profile("future", tmp_path)
    assert list_profiles(tmp_path) == ["PTL"]
    assert list_profiles(tmp_path / "nothing here") == []


def test_reserved_windows_names_are_avoided(tmp_path):
    assert save_profile("CON", {}, tmp_path).name == "profile-con.json"


def test_profile_folder_follows_the_data_directory_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    assert profile_folder() == tmp_path / "mapping_profiles"
    save_profile("PTL", {"pathway_id": "Ref"})
    assert list_profiles() == ["PTL"]
    monkeypatch.delenv("WORKBENCH_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert user_data_folder("linux") == tmp_path / ".local" / "share" / "prioritisation-workbench"
    assert user_data_folder("darwin") == tmp_path / "Library" / "Application Support" / "prioritisation-workbench"
    # Windows asks the system for the roaming application-data folder (%APPDATA%).
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", {"CSIDL_APPDATA": str(tmp_path / "Roaming")}.get)
    assert user_data_folder("win32") == tmp_path / "Roaming" / "PrioritisationWorkbench"


def test_a_populated_column_is_preferred_to_an_empty_one_spelling_the_same_field():
    headers = ["Pathway ID", "Ethnic Category", "Ethnicity", "RTT Clock Start"]
    samples = [np.array(["A1", "A2"], dtype=object), np.array(["", None], dtype=object),
               np.array(["H", "NULL"], dtype=object), np.array(["01/01/2026", ""], dtype=object)]
    assert detect_mapping(headers)["ethnic_category"] == "Ethnic Category"  # headers alone: the better spelling
    assert detect_mapping(headers, samples)["ethnic_category"] == "Ethnicity"
    both_empty = samples[:1] + [np.array([""], dtype=object)] * 3
    assert detect_mapping(headers, both_empty)["ethnic_category"] == "Ethnic Category"  # nothing to tell them apart


def test_wlmds_field_names_map_without_help():
    found = detect_mapping(["patient_pathway_identifier", "referral_to_treatment_period_start_date",
                            "referral_to_treatment_period_end_date", "decision_to_admit_date",
                            "date_of_last_priority_review", "last_pas_validation_date", "lsoa_2021",
                            "mutual_aid_accepting_provider", "priority_type_code", "procedure_priority_code"])
    assert found == {
        "pathway_id": "patient_pathway_identifier", "clinical_priority": "procedure_priority_code",
        "wait_start": "referral_to_treatment_period_start_date",
        "clock_stop_date": "referral_to_treatment_period_end_date", "decision_to_admit_date": "decision_to_admit_date",
        "priority_review_date": "date_of_last_priority_review", "last_validation_date": "last_pas_validation_date",
        "lsoa": "lsoa_2021", "mutual_aid_provider": "mutual_aid_accepting_provider",
    }  # the referral's priority type (routine, urgent, two-week wait) is never the clinical priority


@pytest.mark.parametrize("header", ["LSOA11CD", "LSOA21CD", "lsoa_2021", "LSOA01", "LSOA Code (2011)", "LSOA 2021 Code"])
def test_lsoa_headers_that_name_a_vintage_are_the_lsoa(header):
    assert detect_mapping(["Pathway ID", header]) == {"pathway_id": "Pathway ID", "lsoa": header}


def test_with_both_a_2011_and_a_2021_column_the_2021_one_is_used():
    assert detect_mapping(["LSOA11CD", "LSOA21CD"])["lsoa"] == "LSOA21CD"
