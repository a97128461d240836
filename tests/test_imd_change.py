"""Both editions side by side: patients by IoD2019 and IoD2025 fifth (WIMD 2019 and 2025), nation by nation."""

import csv
import json

import numpy as np
import pytest
from openpyxl import load_workbook

from workbench.cli import main
from workbench.check.enrich import enrich
from workbench.fields import WaitingList
from workbench.compare.imd_change import compare_editions, headline, notes, suppressed_change, table_rows
from workbench.store.importer import import_file

# Areas with their fifths in each edition (from the published files):
#   E01000001  IoD2019 decile 9 (fifth 5) -> IoD2025 decile 8 (fifth 4): more deprived
#   E01028040  a 2011 area, IoD2019 decile 3 (fifth 2) -> carried to E01033769, IoD2025 decile 4 (fifth 2): stayed
#   E01034500  a 2021 area made from 2011 areas in different deciles: no IoD2019 decile; IoD2025 decile 2 (fifth 1)
#   W01000005  WIMD 2019 decile 6 (fifth 3) -> WIMD 2025 decile 4 (fifth 2): more deprived
#   S01006506  SIMD 2020v2 in both editions
AREAS = ["E01000001"] * 10 + ["E01028040"] * 12 + ["E01034500"] * 9 + ["W01000005"] * 3 + ["S01006506"] * 2 + \
    ["E99999999", None]


def area_list(areas=AREAS) -> WaitingList:
    columns = {"lsoa": np.array(areas, dtype=object)}
    columns.update(enrich(columns, None))
    return WaitingList(np.arange(1, len(areas) + 1), columns)


@pytest.fixture(scope="module")
def result():
    return compare_editions(area_list(), "LSOA")


def nation(result, name):
    return next(n for n in result["nations"] if n["nation"] == name)


def test_each_patient_is_counted_by_both_fifths_of_their_own_nation(result):
    england = nation(result, "England")
    groups = {g["group"]: g for g in england["groups"]}
    assert groups["England, least deprived fifth"] == {
        "group": "England, least deprived fifth", "patients": 10, "stayed": 0, "more_deprived": 10,
        "less_deprived": 0, "no_current_decile": 0}
    assert groups["England, second most deprived fifth"]["stayed"] == 12
    assert england["no_previous_decile"] == 9 and england["patients"] == 31
    assert england["changed_fifth"] == 10
    assert england["table"][4][3] == 10 and england["table"][5][0] == 9  # IoD2019 fifth 5 -> IoD2025 fifth 4


def test_nations_are_never_pooled(result):
    wales = nation(result, "Wales")
    assert (wales["previous_index"], wales["current_index"]) == ("WIMD 2019", "WIMD 2025")
    assert wales["groups"][2]["group"] == "Wales, middle fifth" and wales["groups"][2]["more_deprived"] == 3
    assert wales["patients"] == 3
    assert result["unchanged"] == ["Scotland"]  # SIMD 2020v2 in both: nothing to compare
    assert result["no_area"] == 2


def test_small_numbers_are_hidden_and_the_rest_rounded(result):
    shown = suppressed_change(result)
    wales = nation(shown, "Wales")
    assert wales["patients"] == "*" and wales["changed_fifth"] == "*" and wales["groups"][2]["more_deprived"] == "*"
    england = nation(shown, "England")
    assert "table" not in england  # the moves say what the cross-table is for
    assert england["groups"][4]["more_deprived"] == 10 and england["groups"][1]["stayed"] == 10  # 10 and 12
    assert england["patients"] == 30 and england["no_previous_decile"] == 10  # 31 and 9, from the unrounded counts
    assert shown["no_area"] == "*"
    assert headline(england) == "England, IoD2019 to IoD2025: 10 of 30 patients (33.3%) are in another fifth."
    assert shown["disclosure"]["controlled"] is True and notes(shown)[-1].startswith("Counts from 1 to 7 are shown")


def test_with_small_numbers_shown_every_count_is_exact_and_the_output_says_so(result):
    shown = suppressed_change(result, small_numbers_shown=True)
    assert nation(shown, "England")["patients"] == 31 and nation(shown, "Wales")["patients"] == 3
    assert notes(shown)[-1] == "Not for publication: small numbers shown."


def test_the_header_decides_a_code_both_vintages_hold():
    # E01003004 as a 2011 area is carried to another 2021 area than the 2021 area of that code.
    as_2011 = compare_editions(area_list(["E01003004"] * 8), "LSOA11CD")
    as_2021 = compare_editions(area_list(["E01003004"] * 8), "LSOA21CD")
    assert nation(as_2011, "England")["table"] != nation(as_2021, "England")["table"]


def test_the_command_prints_json_and_writes_an_excel_friendly_table(tmp_path, capsys):
    path = tmp_path / "list.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        rows = [[f"P{i}", "01/03/2026", area or ""] for i, area in enumerate(AREAS)]
        csv.writer(handle).writerows([["Pathway ID", "RTT Clock Start", "LSOA"], *rows])
    import_file(path, tmp_path / "ws.sqlite")
    assert main(["imd-change", "--workspace", str(tmp_path / "ws.sqlite"), "--json", "--not-for-publication"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert nation(printed, "England")["patients"] == 31 and printed["source_file"] == "list.csv"
    assert printed["disclosure"]["controlled"] is False
    out = tmp_path / "change.xlsx"
    assert main(["imd-change", "--workspace", str(tmp_path / "ws.sqlite"), "--out", str(out)]) == 0
    table = list(load_workbook(out)["Change of fifth"].iter_rows(values_only=True))
    assert table[0][:3] == ("Nation", "IoD2019 fifth", "Patients")
    welsh_middle = next(row for row in table if row[1] == "Wales, middle fifth")
    assert welsh_middle[2:5] == ("*", 0, "*")  # 3 patients (hidden), none stayed, all now more deprived (hidden)
    text_run = main(["imd-change", "--workspace", str(tmp_path / "ws.sqlite")])
    assert text_run == 0 and "IoD2019 to IoD2025" in capsys.readouterr().out


def test_rows_of_the_table_end_with_those_only_the_current_edition_places(result):
    rows = table_rows(nation(result, "England"))
    assert rows[-1][:2] == ["No IoD2019 decile (IoD2025 only)", 9]
    assert [row[0] for row in rows[:5]] == [g["group"] for g in nation(result, "England")["groups"]]
