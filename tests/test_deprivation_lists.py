"""Lists of each kind of area code, drawn from the bundled files, imported end to end: 2021 codes,
2011 codes, a mix, 2001 codes, and each edition; every row's decile checked against the files."""

import csv
from datetime import date

import numpy as np
import pandas as pd
import pytest

from workbench.check import deprivation
from workbench.store.importer import import_file
from workbench.resources import resource_path
from workbench.store.workspace import Workspace

FOLDER = resource_path("deprivation")
RNG = np.random.default_rng(18)


def published_welsh_2025() -> dict[str, float]:
    """WIMD 2025 deciles worked out here from the published ranks (1,917 areas; two empty rows at the end)."""
    frame = pd.read_csv(FOLDER / deprivation.WALES_2025).dropna(subset=["LSOA code"])
    rank = frame["WIMD 2025 "].astype(int)
    return dict(zip(frame["LSOA code"], np.ceil(rank * 10 / len(frame))))


def published_english_2019() -> dict[str, float]:
    frame = pd.read_csv(FOLDER / deprivation.ENGLAND_2019, encoding="utf-8-sig")
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 5].astype(float)))


def table_deciles(year: str) -> dict[str, float]:
    table = deprivation.load_index(year)
    return dict(zip(table.codes, table.decile))


def draw(codes, count: int) -> list[str]:
    codes = sorted(codes)
    return [codes[i] for i in RNG.choice(len(codes), size=min(count, len(codes)), replace=False)]


def import_list(tmp_path, header: str, areas: list[str], edition: str = "2025"):
    path = tmp_path / f"{header}-{edition}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        rows = [[f"P{i:05d}", "01/03/2026", area] for i, area in enumerate(areas)]
        csv.writer(handle).writerows([["Pathway ID", "RTT Clock Start", header], *rows])
    workspace = tmp_path / f"{header}-{edition}.sqlite"
    result = import_file(path, workspace, census_date=date(2026, 11, 1), deprivation_edition=edition)
    with Workspace.open(workspace) as ws:
        return result, ws.load_list()


ONLY_2021 = set(deprivation.load_index("2025").codes) - set(deprivation.load_index("2019").codes)
CHANGED = deprivation.changed_areas()
ONLY_2011 = set(CHANGED.index) - set(deprivation.load_index("2025").codes)


def test_a_list_of_2021_codes_joins_iod2025_and_wimd_2025_directly(tmp_path):
    english = draw({c for c in ONLY_2021 if c[0] == "E"}, 150)
    welsh = draw({c for c in ONLY_2021 if c[0] == "W"}, 40)
    result, wl = import_list(tmp_path, "lsoa_2021", english + welsh)
    expected = [table_deciles("2025")[c] for c in english] + [published_welsh_2025()[c] for c in welsh]
    assert wl.columns["imd_decile"].tolist() == expected
    assert set(wl.columns["deprivation_link"]) == {"linked directly"}
    assert wl.columns["deprivation_index"].tolist() == ["IoD2025"] * 150 + ["WIMD 2025"] * 40
    assert result.deprivation["area_vintage"] == "2021" and "invalid_lsoa" not in result.findings


def test_a_list_of_2011_codes_is_carried_to_2021_and_says_how_many(tmp_path):
    old = draw(ONLY_2011, 120)
    result, wl = import_list(tmp_path, "LSOA11CD", old)
    assert wl.columns["imd_decile"].tolist() == [table_deciles("2025")[CHANGED[c]] for c in old]
    assert set(wl.columns["deprivation_link"]) == {"2011 area carried to 2021 (ONS best fit)"}
    assert result.deprivation["carried_through_lookup"] == {"rows": 120, "areas": 120}
    assert "invalid_lsoa" not in result.findings


def test_a_list_of_2011_codes_with_iod2019_gets_the_published_deciles(tmp_path):
    english = draw(published_english_2019(), 200)
    result, wl = import_list(tmp_path, "LSOA", english, edition="2019")
    assert wl.columns["imd_decile"].tolist() == [published_english_2019()[c] for c in english]
    assert set(wl.columns["deprivation_index"]) == {"IoD2019"}
    assert result.deprivation["area_vintage"] in ("2011", None)  # codes the same in both say nothing more


def test_a_mixed_list_with_unknown_pseudo_blank_and_mistyped_codes_keeps_every_row(tmp_path):
    good = draw(ONLY_2021, 20) + draw(ONLY_2011, 20)
    bad = ["E99999999", "", "E0103376", "e01999999", "X01000001"]
    result, wl = import_list(tmp_path, "LSOA", good + bad)
    assert len(wl) == 45 and not np.isnan(wl.columns["imd_decile"][:40]).any()
    assert np.isnan(wl.columns["imd_decile"][40:]).all() and set(wl.columns["deprivation_nation"][40:]) == {None}
    assert result.findings["invalid_lsoa"] == 4  # the blank one is no finding: there is nothing to check
    assert any("mixes 2011 and 2021 areas" in warning for warning in result.warnings)


def test_a_list_of_2001_codes_links_those_unchanged_in_2011(tmp_path):
    unchanged = draw(set(deprivation.load_index("2019").codes) & set(deprivation.load_index("2025").codes)
                     - set(CHANGED.index) - {c for c in deprivation.load_index("2019").codes if c[0] == "S"}, 30)
    result, wl = import_list(tmp_path, "LSOA01", unchanged + ["E01000000"])  # the last: in no bundled vintage
    assert wl.columns["imd_decile"][:30].tolist() == [table_deciles("2025")[c] for c in unchanged]
    assert np.isnan(wl.columns["imd_decile"][30]) and result.findings["invalid_lsoa"] == 1
    assert result.deprivation["area_vintage"] == "2001"
    assert any("holds 2001 areas" in warning for warning in result.warnings)


@pytest.mark.parametrize("edition, index", [("2025", "IoD2025"), ("2019", "IoD2019")])
def test_every_list_names_the_edition_in_its_import_result(tmp_path, edition, index):
    result, _wl = import_list(tmp_path, "LSOA", ["E01000001"], edition=edition)
    assert result.as_dict()["deprivation"]["indices"]["England"] == index
