"""The synthetic demo list: seeded, realistic, with known planted errors and an equity gap."""

import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from workbench import cli
from workbench.check import deprivation
from workbench.demo import DEMO_CENSUS, DEMO_DISTRICTS, HEADERS, generate_demo_list, write_demo_list
from workbench.check.enrich import completed_years
from workbench.read.nhs_number import normalise_nhs_numbers, valid_mask
from workbench.errors import WorkbenchError
from workbench.resources import resource_path


@pytest.fixture(scope="module")
def demo():
    return generate_demo_list(3000, seed=7)


def planted(frame, error):
    return frame.attrs["planted_errors"][error]


def texts(column):
    """A text column as the importer holds it: an object array with None for blanks."""
    return np.array([None if pd.isna(v) else v for v in column], dtype=object)


def test_same_seed_same_list_other_seed_other_list():
    assert generate_demo_list(300, seed=5).equals(generate_demo_list(300, seed=5))
    assert not generate_demo_list(300, seed=5).equals(generate_demo_list(300, seed=6))


def test_ptl_headers_and_size(demo):
    assert list(demo.columns) == list(HEADERS)
    assert len(demo) == 3000
    assert (demo["Census Date"] == pd.Timestamp(DEMO_CENSUS)).all()


def test_nhs_numbers_are_from_the_test_range_and_valid_except_the_planted_ones(demo):
    numbers = normalise_nhs_numbers(texts(demo["NHS Number"]))
    bad = sorted(planted(demo, "invalid_nhs_number") + planted(demo, "missing_nhs_number"))
    assert np.flatnonzero(~valid_mask(numbers)).tolist() == bad
    good = np.delete(numbers, bad)
    assert all(n.startswith("999") for n in good)
    assert demo["NHS Number"].str.contains(" ").any()  # some written 3-3-4, as real extracts do


def iod2019_deciles(codes):
    """Each row's IoD2019 decile: the demo draws its areas, and their waits, from that file."""
    row, distinct = pd.factorize(codes, use_na_sentinel=True)
    deciles = deprivation.link_areas(np.asarray(distinct, dtype=object), deprivation.Linking("2019")).decile
    return np.append(deciles, np.nan)[row]


def test_real_lsoas_from_the_demo_districts_covering_every_decile(demo):
    codes = texts(demo["LSOA"])
    pseudo = planted(demo, "pseudo_code_lsoa") + planted(demo, "channel_islands_pseudo_code_lsoa")
    assert sorted(np.flatnonzero(~deprivation.is_known_area(codes)).tolist()) == sorted(pseudo)
    assert set(codes[pseudo]) == {"E99999999", "L99999999"}
    english = pd.read_csv(resource_path("deprivation", "IMD2019.csv"), encoding="utf-8-sig", usecols=[0, 3])
    district_of = dict(zip(english.iloc[:, 0], english.iloc[:, 1]))
    assert {district_of[c] for c in np.delete(codes, pseudo)} <= set(DEMO_DISTRICTS)
    deciles = iod2019_deciles(codes)
    assert set(deciles[~np.isnan(deciles)]) == set(range(1, 11))


def test_planted_date_errors(demo):
    census = np.datetime64(DEMO_CENSUS)
    starts = demo["RTT Clock Start"].to_numpy(dtype="datetime64[D]")
    assert starts[planted(demo, "placeholder_clock_start")].astype(str).tolist() == ["1900-01-01"]
    assert (starts[planted(demo, "future_clock_start")] > census).all()
    assert np.flatnonzero(starts > census).tolist() == planted(demo, "future_clock_start")
    born = demo["Date of Birth"].to_numpy(dtype="datetime64[D]")
    ages = completed_years(born, np.full(len(born), census))
    assert ages[planted(demo, "age_over_120")][0] > 120
    assert ages[planted(demo, "born_after_census")][0] < 0
    assert ((ages >= 0) & (ages <= 120)).sum() == len(demo) - 2


def test_planted_priority_ethnicity_and_duplicates(demo):
    assert demo["Priority"].isna().to_numpy().nonzero()[0].tolist() == sorted(planted(demo, "missing_priority"))
    assert demo["Priority"].iloc[planted(demo, "unknown_priority")].tolist() == ["urgent"]
    assert demo["Ethnicity"].iloc[planted(demo, "ethnicity_not_a_code")].tolist() == ["X"]
    assert {"Z", "99"} <= set(demo["Ethnicity"])
    duplicated = demo["Pathway ID"].duplicated(keep=False).to_numpy().nonzero()[0].tolist()
    assert duplicated == planted(demo, "duplicate_pathway")
    first, second = planted(demo, "same_patient_same_specialty")
    assert demo.loc[first, "NHS Number"] == demo.loc[second, "NHS Number"]
    assert demo.loc[first, "Pathway ID"] != demo.loc[second, "Pathway ID"]


def test_priorities_mostly_p2_to_p4_with_a_long_wait_tail():
    frame = generate_demo_list(5000)
    priority = frame["Priority"].replace({"P 2": "P2", "Priority 3": "P3", "4": "P4"})
    shares = priority.value_counts(normalize=True)
    assert shares[["P2", "P3", "P4"]].sum() > 0.75
    assert {"P1b", "P5", "P6"} <= set(shares.index)
    weeks = (pd.Timestamp(DEMO_CENSUS) - frame["RTT Clock Start"]).dt.days / 7
    assert (weeks > 52).mean() > 0.05 and (weeks > 78).sum() > 50


def test_deprived_areas_and_some_ethnic_groups_wait_longer_within_a_priority():
    frame = generate_demo_list(5000)
    frame["weeks"] = (pd.Timestamp(DEMO_CENSUS) - frame["RTT Clock Start"]).dt.days / 7
    frame["decile"] = iod2019_deciles(texts(frame["LSOA"]))
    p4 = frame[frame["Priority"].isin(["P4", "4"])]
    most_deprived = p4.loc[p4["decile"] <= 2, "weeks"].mean()
    least_deprived = p4.loc[p4["decile"] >= 9, "weeks"].mean()
    assert most_deprived - least_deprived > 5
    middle = p4[p4["decile"].between(4, 8)]
    assert middle.loc[middle["Ethnicity"].isin(list("HJKLMNP")), "weeks"].mean() > middle.loc[middle["Ethnicity"] == "A", "weeks"].mean()


def test_small_lists_have_no_planted_errors():
    frame = generate_demo_list(50, seed=3)
    assert frame.attrs["planted_errors"] == {}
    assert valid_mask(normalise_nhs_numbers(texts(frame["NHS Number"]))).all()


def test_csv_has_bom_and_uk_dates(tmp_path):
    path = tmp_path / "demo.csv"
    assert write_demo_list(path, rows=120, seed=1) == 120
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfPathway ID,NHS Number,Census Date")
    assert b",01/11/2026," in raw.splitlines()[1]


def test_xlsx_has_real_dates_shown_dd_mm_yyyy(tmp_path):
    path = tmp_path / "demo.xlsx"
    write_demo_list(path, rows=120, seed=1)
    sheet = openpyxl.load_workbook(path)["Waiting list"]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    census = sheet.cell(row=2, column=HEADERS.index("Census Date") + 1)
    assert census.value == datetime.datetime(2026, 11, 1) and census.number_format == "DD/MM/YYYY"
    assert sheet.max_row == 121


def test_bundled_demo_is_the_command_output_for_seed_2026(tmp_path):
    path = tmp_path / "demo.csv"
    assert cli.main(["demo", "--rows", "5000", "--out", str(path)]) == 0
    assert path.read_bytes() == resource_path("demo", "demo-waiting-list.csv").read_bytes()


@pytest.mark.parametrize("name", ["demo.txt", "demo"])
def test_unsupported_file_types_are_a_user_error(tmp_path, name):
    with pytest.raises(WorkbenchError, match="csv or .xlsx"):
        write_demo_list(tmp_path / name, rows=10)


def test_command_refuses_a_missing_folder_and_zero_rows(tmp_path, capsys):
    assert cli.main(["demo", "--rows", "10", "--out", str(tmp_path / "no" / "demo.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["demo", "--rows", "0", "--out", str(tmp_path / "demo.csv")]) == 2


def test_importing_the_demo_finds_every_planted_error(tmp_path):
    from workbench.store.importer import import_file

    path = tmp_path / "demo.csv"
    write_demo_list(path, rows=400, seed=11)
    result = import_file(path, tmp_path / "demo.sqlite")
    assert result.rows_stored == 400 and result.census_date == DEMO_CENSUS
    for code, rows in {"nhs_number_invalid": 4, "duplicate_pathway": 4, "duplicate_patient_specialty": 2,
                       "future_wait_start": 1, "implausible_date": 1, "missing_priority": 3, "unknown_priority": 1,
                       "invalid_lsoa": 2, "age_out_of_range": 2}.items():
        assert result.findings.get(code) == rows, code
    assert result.findings["unknown_ethnicity"] >= 1
