"""The bundled deprivation data and the link: published files intact, prepared tables faithful,
each code to its own nation's index, 2011 and 2021 areas carried through the ONS lookup."""

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from workbench.check import deprivation
from workbench.check.deprivation import (
    CARRIED_BACK_TO_2011, CARRIED_TO_2021, DIRECT, NOT_IN_INDEX, NOT_KNOWN, Linking, link_areas, load_index,
)
from workbench.resources import resource_path

FOLDER = resource_path("deprivation")
BUNDLED = [p for p in deprivation.PUBLISHED.values() if p.bundled]
# The five 2021 codes a new user found "not a known area" (issue 18), with their deciles in the
# published files: IoD2025's IMD_decile, and WIMD 2025 rank 1,576 and 1,426 of 1,917.
NEW_2021_CODES = {"E01033769": 4, "E01034500": 2, "E01035722": 8, "W01001959": 9, "W01002040": 8}


def codes(*values):
    return np.array(values, dtype=object)


def links_of(*values, edition="2025", header=None):
    return link_areas(codes(*values), Linking(edition, header))


# --------------------------------------------------------------------------- the files
@pytest.mark.parametrize("published", BUNDLED, ids=lambda p: p.name)
def test_published_files_are_bundled_unchanged(published):
    assert hashlib.sha256((FOLDER / published.name).read_bytes()).hexdigest() == published.sha256


def test_attribution_names_every_published_and_prepared_file_with_the_ogl_line():
    text = resource_path("ATTRIBUTION.md").read_text(encoding="utf-8")
    prepared = [edition.table for edition in deprivation.EDITIONS.values()] + [deprivation.CHANGED_AREAS_FILE]
    for name in [*deprivation.PUBLISHED, *prepared]:
        assert name in text
    for published in deprivation.PUBLISHED.values():
        assert published.sha256 in text
    assert text.count("Contains public sector information licensed under the Open Government Licence v3.0") >= 6


def _published_folder(tmp_path):
    """The bundled published files, and the two big ones in their published shape with a few areas."""
    for published in BUNDLED:
        shutil.copy(FOLDER / published.name, tmp_path / published.name)
    england = pd.DataFrame({"lsoa21_code": ["E01000001", "E01033769"], "IMD_decile": [8, 4], "IMD_rank": [26525, 12000],
                            "IMD_score": [8.7, 20.1]})
    for column, _words in deprivation.DOMAINS.values():
        england[f"{column}_decile"], england[f"{column}_rank"] = [10, 3], [33000, 9000]
    england.to_csv(tmp_path / deprivation.ENGLAND_2025, index=False)
    (tmp_path / deprivation.BEST_FIT).write_text(
        "\ufeffObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW\n"
        "1,E01000001,City of London 001A,E01000001,City of London 001A,E09000001,City of London,\n"
        '2,E01028040,"Bassetlaw, 014A",E01033769,"Bassetlaw, 014F",E07000171,Bassetlaw,\n', encoding="utf-8")
    return tmp_path


def test_prepared_tables_are_rebuilt_from_the_published_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    rows = deprivation.prepare_tables(_published_folder(tmp_path), out, check_sha256=False)
    assert rows == {"index_2019.csv": 32_844 + 1_909 + 6_976, "index_2025.csv": 2 + 1_917 + 6_976,
                    "lsoa11_to_lsoa21_changed.csv": 1}
    # The 2019 table comes only from bundled files: rebuilt byte for byte.
    assert (out / "index_2019.csv").read_bytes() == (FOLDER / "index_2019.csv").read_bytes()
    # Wales and Scotland of the 2025 table too; England's two areas as the published shape gave them.
    rebuilt = (out / "index_2025.csv").read_text().splitlines()
    shipped = (FOLDER / "index_2025.csv").read_text().splitlines()
    assert rebuilt[0] == shipped[0] and rebuilt[3:] == [line for line in shipped if line[0] in "WS"]
    assert rebuilt[1:3] == ["E01000001,26525,8,10,10,10,10,10,10,10", "E01033769,12000,4,3,3,3,3,3,3,3"]
    assert (out / "lsoa11_to_lsoa21_changed.csv").read_text() == "lsoa11_code,lsoa21_code\nE01028040,E01033769\n"


def test_a_published_file_that_is_not_the_recorded_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="imd2025_england_lsoa21.csv: not the published file"):
        deprivation.prepare_tables(_published_folder(tmp_path), tmp_path)


def test_shipped_tables_hold_every_area_of_each_nation_with_official_decile_sizes():
    for year, sizes in (("2025", (33_755, 1_917, 6_976)), ("2019", (32_844, 1_909, 6_976))):
        table = load_index(year)
        assert [int((table.nation == nation).sum()) for nation in deprivation.NATIONS] == list(sizes)
    english = load_index("2025").nation == "England"
    assert sorted(load_index("2025").rank[english]) == list(range(1, 33_756))  # IoD2025 ranks never tie
    assert set(np.unique(load_index("2025").decile[english], return_counts=True)[1]) == {3_375, 3_376}
    welsh = load_index("2025").decile[load_index("2025").nation == "Wales"]
    assert set(np.unique(welsh, return_counts=True)[1]) == {191, 192}  # deciles from WIMD 2025's ranks


def test_domain_deciles_are_there_for_every_english_area_and_no_other():
    table = load_index("2025")
    english = table.nation == "England"
    for name in deprivation.DOMAINS:
        assert set(np.unique(table.domains[name][english])) == set(range(1, 11))
        assert np.isnan(table.domains[name][~english]).all()


def test_every_changed_2011_area_is_carried_to_a_2021_area_and_every_other_one_is_one():
    changed = deprivation.changed_areas()
    current, previous = load_index("2025").codes, load_index("2019").codes
    assert len(changed) == 1_111 and (current.get_indexer(changed.to_numpy()) >= 0).all()
    unchanged = previous[~previous.isin(changed.index)]
    assert (current.get_indexer(unchanged) >= 0).all()


# --------------------------------------------------------------------------- linking
def test_the_five_2021_codes_link_to_their_iod2025_or_wimd_2025_decile():
    links = links_of(*NEW_2021_CODES)
    assert links.decile.tolist() == list(NEW_2021_CODES.values())
    assert links.nation.tolist() == ["England"] * 3 + ["Wales"] * 2
    assert links.link.tolist() == [DIRECT] * 5


def test_a_2011_code_is_carried_to_2021_through_the_lookup():
    # E01028040 (Bassetlaw 014A, IoD2019 decile 3) merged into E01033769 (IoD2025 decile 4).
    links = links_of("E01028040", "W01000001")
    assert links.decile.tolist() == [4.0, 5.0]
    assert links.link.tolist() == [CARRIED_TO_2021] * 2


def test_with_the_2019_edition_2021_codes_go_back_to_2011_when_the_areas_agree():
    links = links_of("E01033769", "E01034500", "W01001959", "E01028040", "E01000001", edition="2019")
    # E01033769: both 2011 areas it was made from are decile 3 (a shared decile, no single rank).
    assert links.decile.tolist()[0] == 3.0 and np.isnan(links.rank[0])
    # E01034500: made from 2011 areas in different deciles; W01001959: no 2011 area fits it best.
    assert np.isnan(links.decile[[1, 2]]).all()
    assert links.link.tolist() == [CARRIED_BACK_TO_2011, NOT_IN_INDEX, NOT_IN_INDEX, DIRECT, DIRECT]
    assert links.decile[3:].tolist() == [3.0, 9.0] and links.rank[3:].tolist() == [6_631.0, 29_199.0]


def test_the_header_decides_a_code_kept_by_a_smaller_2021_area():
    # E01003004 is a 2011 area whose best fit is another 2021 area, and a 2021 area itself.
    as_2011 = links_of("E01003004", header="LSOA11CD")
    as_2021 = links_of("E01003004", header="LSOA21CD")
    assert as_2011.link.tolist() == [CARRIED_TO_2021] and as_2021.link.tolist() == [DIRECT]
    assert as_2011.rank[0] != as_2021.rank[0]


def test_2001_codes_unchanged_in_2011_link_and_changed_ones_are_not_known():
    links = links_of("E01000001", "E01000010", "E01000000", header="LSOA01")
    assert links.vintage.vintage == "2001"
    assert links.link.tolist() == [DIRECT, CARRIED_TO_2021, NOT_KNOWN]


@pytest.mark.parametrize("header, vintage", [("LSOA11CD", "2011"), ("LSOA21CD", "2021"), ("lsoa_2021", "2021"),
                                             ("LSOA01", "2001"), ("LSOA Code (2011)", "2011"), ("LSOA", None)])
def test_headers_that_name_a_vintage(header, vintage):
    assert deprivation.vintage_named_by(header) == vintage


@pytest.mark.parametrize("values, vintage", [(("E01033769", "E01000001"), "2021"), (("E01028040", "E01000001"), "2011"),
                                             (("E01033769", "E01028040"), None), (("E01000001",), None)])
def test_without_a_header_the_codes_tell_the_vintage(values, vintage):
    assert deprivation.area_vintage(codes(*values)).vintage == vintage


def test_codes_match_ignoring_case_and_spaces_only():
    assert links_of(" e01000001 ", "s01006506").decile.tolist() == [8.0, 7.0]


@pytest.mark.parametrize("code", ["E99999999", "W99999999", "L99999999", "E01999999", "E0100000", "E010000011",
                                  "E01000001X", "E01 000001", "nonsense"])
@pytest.mark.parametrize("edition", ["2025", "2019"])
def test_unknown_pseudo_and_mistyped_codes_are_never_joined(code, edition):
    links = links_of(code, edition=edition)
    assert np.isnan(links.decile[0]) and np.isnan(links.rank[0]) and links.nation[0] is None
    assert links.link.tolist() == [NOT_KNOWN]
    assert not deprivation.is_known_area(codes(code))[0]


@pytest.mark.parametrize("code", ["", "  ", None])
def test_blank_codes_have_no_link(code):
    links = links_of(code)
    assert np.isnan(links.decile[0]) and links.link.tolist() == [-1]


def test_welsh_and_scottish_areas_keep_their_nation():
    links = links_of("W01000003", "S01006506")
    assert links.nation.tolist() == ["Wales", "Scotland"]
    assert links.rank.tolist() == [570.0, 4_691.0]
    assert links.decile.tolist() == [3.0, 7.0]


def test_pseudo_codes_are_recognised():
    mask = deprivation.is_pseudo_code(codes("E99999999", "M99999999", "E01999999", None, "e99999999 "))
    assert mask.tolist() == [True, True, False, False, True]


def test_empty_input_gives_empty_columns():
    links = links_of()
    assert len(links.decile) == len(links.nation) == len(links.link) == 0
    assert deprivation.is_pseudo_code(codes()).dtype == bool


# --------------------------------------------------------------------------- what the link says
def _summary(lsoa, edition="2025", header="LSOA"):
    from workbench.check.enrich import enrich

    linking = Linking(edition, header)
    columns = {"lsoa": codes(*lsoa)}
    columns.update(enrich(columns, None, linking=linking))
    return deprivation.link_summary(columns, linking)


def test_the_summary_counts_rows_and_areas_carried_through_the_lookup():
    summary = _summary(["E01028040", "E01028040", "E01028041", "E01000001", "W01001959", "E99999999", None])
    assert summary["area_vintage"] is None  # a 2011-only and a 2021-only code: mixed
    assert summary["carried_through_lookup"] == {"rows": 3, "areas": 2}
    assert summary["not_known"] == {"rows": 1, "areas": 1}
    assert summary["rows_by_index"] == {"IoD2025": 4, "WIMD 2025": 1}
    assert "2 areas (3 rows) carried to 2021 through the ONS best-fit lookup" in deprivation.describe_link(summary)
    assert any("mixes 2011 and 2021 areas" in w for w in deprivation.link_warnings(summary))


def test_a_header_the_codes_contradict_is_warned_about():
    warnings = deprivation.link_warnings(_summary(["E01028040", "E01000001"], header="LSOA21CD"))
    assert warnings == ["Column 'LSOA21CD' is named for 2021 areas, but 1 code in it names a 2011 area only: "
                        "it was carried through the ONS best-fit lookup."]


def test_areas_the_2019_indices_cannot_place_are_warned_about():
    summary = _summary(["W01001959", "W01001959", "E01000001"], edition="2019", header="LSOA21CD")
    assert summary["not_in_index"] == {"rows": 2, "areas": 1}
    assert "2 rows (1 area) name real areas that IoD2019 and WIMD 2019 cannot place" in deprivation.link_warnings(summary)[0]
