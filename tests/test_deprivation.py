"""The bundled deprivation lookup: official files intact, prepared table faithful, lookups right."""

import hashlib

import numpy as np
import pytest

from workbench import deprivation
from workbench.resources import resource_path

OFFICIAL_SHA256 = {
    "IMD2019.csv": "7e460d13a39a841cbef47dad3a9ffaf27d51a39e8dec2084fb797e846d1cc12c",
    "imd_wales_lsoa.csv": "2a8e8468b63e99494e660655b6256d2e8f8411cfff668ddc0dee658ee78d8854",
    "imd_scotland_dz.csv": "3c985cb31cbbd7d4d72758b8c59c1fc5b2a6a4644af4dbe6a559330f25cb2a58",
}


def codes(*values):
    return np.array(values, dtype=object)


@pytest.mark.parametrize("name, digest", OFFICIAL_SHA256.items())
def test_official_files_are_bundled_unchanged(name, digest):
    data = resource_path("deprivation", name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest


def test_attribution_names_every_file_with_the_ogl_line():
    text = resource_path("ATTRIBUTION.md").read_text(encoding="utf-8")
    for name in OFFICIAL_SHA256:
        assert name in text
    assert text.count("Contains public sector information licensed under the Open Government Licence v3.0") >= 3


def test_prepared_table_matches_a_rebuild_from_the_official_files(tmp_path):
    rebuilt = tmp_path / "lookup.csv"
    count = deprivation.prepare_lookup(resource_path("deprivation"), rebuilt)
    assert count == 32_844 + 1_909 + 6_976
    assert rebuilt.read_bytes() == resource_path("deprivation", deprivation.LOOKUP_FILE).read_bytes()


def test_table_counts_per_nation_and_decile_sizes():
    table = deprivation.load_table()
    nations, counts = np.unique(table.nation.astype(str), return_counts=True)
    assert dict(zip(nations, counts)) == {"England": 32_844, "Wales": 1_909, "Scotland": 6_976}
    english = table.decile[table.nation == "England"]
    assert set(np.unique(english, return_counts=True)[1]) == {3_284, 3_285}


def test_english_rank_with_thousands_separator_is_read_as_a_number():
    found = deprivation.lookup(codes("E01000001", "E01000002"))
    assert found["imd_rank"].tolist() == [29_199.0, 30_379.0]
    assert found["imd_decile"].tolist() == [9.0, 10.0]


def test_welsh_and_scottish_areas_keep_their_nation():
    found = deprivation.lookup(codes("W01000001", "S01006506"))
    assert found["deprivation_nation"].tolist() == ["Wales", "Scotland"]
    assert found["imd_rank"].tolist() == [885.0, 4_691.0]
    assert found["imd_decile"].tolist() == [5.0, 7.0]


def test_codes_match_ignoring_case_and_spaces():
    found = deprivation.lookup(codes(" e01000001 ", "s01006506"))
    assert found["imd_decile"].tolist() == [9.0, 7.0]


@pytest.mark.parametrize("code", ["E99999999", "W99999999", "L99999999", "E01999999", "", "  ", None, "nonsense"])
def test_unknown_codes_and_pseudo_codes_are_missing(code):
    found = deprivation.lookup(codes(code))
    assert np.isnan(found["imd_rank"][0]) and np.isnan(found["imd_decile"][0])
    assert found["deprivation_nation"][0] is None
    assert not deprivation.is_known_area(codes(code))[0]


def test_pseudo_codes_are_recognised():
    mask = deprivation.is_pseudo_code(codes("E99999999", "M99999999", "E01999999", None, "e99999999 "))
    assert mask.tolist() == [True, True, False, False, True]


def test_empty_input_gives_empty_columns():
    found = deprivation.lookup(codes())
    assert all(len(column) == 0 for column in found.values())
    assert deprivation.is_pseudo_code(codes()).dtype == bool
