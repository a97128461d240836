"""Derived fields: weeks waited, age and bands, deprivation, ethnic group."""

import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.check.deprivation import DOMAINS, Linking, load_index
from workbench.check.enrich import completed_years, enrich
from workbench.fields import DATE, DERIVED_FIELDS, TEXT, KnownCodes, WaitingList

CENSUS = datetime.date(2026, 11, 1)


def dates(*values):
    return np.array([v or "NaT" for v in values], dtype="datetime64[D]")


def texts(*values):
    return np.array(values, dtype=object)


def numbers(*values):
    return np.array(values, dtype=np.float64)


def test_returns_every_derived_field_typed_for_a_list_with_no_columns_but_one():
    derived = enrich({"pathway_id": texts("A", "B")}, CENSUS)
    assert set(DERIVED_FIELDS) <= set(derived)
    for name, kind in DERIVED_FIELDS.items():
        assert len(derived[name]) == 2
        assert derived[name].dtype == {TEXT: object, DATE: "datetime64[D]"}.get(kind, np.float64), name
    assert np.isnan(derived["weeks_waited"]).all()
    assert derived["ethnic_group"].tolist() == ["Not stated/unknown"] * 2


def test_weeks_waited_from_the_list_census_date():
    derived = enrich({"wait_start": dates("2026-10-04", "2026-11-01", None)}, CENSUS)
    assert derived["weeks_waited"][:2].tolist() == [4.0, 0.0]
    assert np.isnan(derived["weeks_waited"][2])


def test_a_rows_own_census_date_wins():
    columns = {"wait_start": dates("2026-01-01", "2026-01-01"), "census_date": dates("2026-01-15", None)}
    derived = enrich(columns, datetime.date(2026, 1, 8))
    assert derived["weeks_waited"].tolist() == [2.0, 1.0]


def test_no_census_date_at_all_leaves_waits_and_ages_unknown():
    derived = enrich({"wait_start": dates("2026-01-01"), "date_of_birth": dates("1980-01-01")}, None)
    assert np.isnan(derived["weeks_waited"][0]) and np.isnan(derived["age_years"][0])


@pytest.mark.parametrize(
    "born, age",
    [
        ("1960-11-01", 66.0),  # birthday on the census date counts
        ("1960-11-02", 65.0),  # birthday the day after does not
        ("2008-11-01", 18.0),
        ("2026-11-01", 0.0),  # born on the census date
        ("1964-02-29", 62.0),  # leap-day birthday, census in a later month
    ],
)
def test_age_in_completed_years_at_the_census_date(born, age):
    assert enrich({"date_of_birth": dates(born)}, CENSUS)["age_years"].tolist() == [age]


def test_leap_day_birthday_counts_from_first_of_march():
    columns = {"date_of_birth": dates("2000-02-29", "2000-02-29"), "census_date": dates("2025-02-28", "2025-03-01")}
    assert enrich(columns, None)["age_years"].tolist() == [24.0, 25.0]


def _years_by_calendar(born: datetime.date, on: datetime.date) -> int:
    """The rule as a person counts: a 29 February birthday falls on 1 March in other years."""
    birthday = (born.month, born.day) if (born.month, born.day) != (2, 29) else (3, 1)
    if (born.month, born.day) == (2, 29) and on.year % 4 == 0 and (on.year % 100 != 0 or on.year % 400 == 0):
        birthday = (2, 29)
    return on.year - born.year - ((on.month, on.day) < birthday)


@given(st.lists(st.tuples(st.dates(datetime.date(1800, 1, 1), datetime.date(2200, 12, 31)),
                          st.dates(datetime.date(1800, 1, 1), datetime.date(2200, 12, 31))), min_size=1, max_size=20),
       st.booleans())
def test_completed_years_agree_with_the_calendar(pairs, one_census_date):
    if one_census_date:  # the usual case: every row counted to the same day
        pairs = [(born, pairs[0][1]) for born, _ in pairs]
    born = np.array([b for b, _ in pairs], dtype="datetime64[D]")
    on = np.array([o for _, o in pairs], dtype="datetime64[D]")
    assert completed_years(born, on).tolist() == [float(_years_by_calendar(b, o)) for b, o in pairs]


def test_age_column_used_when_no_date_of_birth_and_infant_codes_mean_zero():
    columns = {"date_of_birth": dates(None, None, None, "1970-06-01", None, None), "age": numbers(44, 7003, 130, 99, np.nan, -1)}
    ages = enrich(columns, CENSUS)["age_years"]
    assert ages[[0, 1, 3]].tolist() == [44.0, 0.0, 56.0]  # the date of birth wins over the age column
    assert np.isnan(ages[[2, 4, 5]]).all()  # 130, missing and negative ages are unknown


def test_implausible_date_of_birth_falls_back_to_the_age_column():
    columns = {"date_of_birth": dates("1900-01-01", "2027-01-01", "1900-01-01"), "age": numbers(70, 3, np.nan)}
    ages = enrich(columns, CENSUS)["age_years"]
    assert ages[:2].tolist() == [70.0, 3.0]
    assert np.isnan(ages[2])


def test_age_bands_at_their_edges():
    ages = numbers(0, 17, 18, 39, 40, 64, 65, 79, 80, 120, np.nan)
    bands = enrich({"age": ages}, CENSUS)["age_band"].tolist()
    assert bands == ["0-17", "0-17", "18-39", "18-39", "40-64", "40-64", "65-79", "65-79", "80+", "80+", None]


def test_deprivation_from_english_lsoas_with_core20_at_the_decile_2_boundary():
    # E01000001 is IoD2025 decile 8; the others are the English LSOAs at rank 6,751 and 6,752 of 33,755.
    lsoas = texts("E01000001", *_english_lsoas_at_ranks(6_751, 6_752))
    derived = enrich({"lsoa": lsoas}, CENSUS)
    assert derived["imd_rank"][1:].tolist() == [6_751.0, 6_752.0]
    assert derived["imd_decile"].tolist() == [8.0, 2.0, 3.0]
    assert derived["imd_quintile"].tolist() == [4.0, 1.0, 2.0]
    assert derived["core20"].tolist() == [0.0, 1.0, 0.0]
    assert derived["deprivation_nation"].tolist() == ["England"] * 3
    assert derived["deprivation_index"].tolist() == ["IoD2025"] * 3


def _english_lsoas_at_ranks(*ranks, edition="2025"):
    table = load_index(edition)
    english = table.nation == "England"
    return [table.codes[np.flatnonzero(english & (table.rank == rank))[0]] for rank in ranks]


def test_the_2019_edition_puts_the_core20_boundary_at_rank_6568():
    lsoas = texts(*_english_lsoas_at_ranks(6_568, 6_569, edition="2019"))
    derived = enrich({"lsoa": lsoas}, CENSUS, linking=Linking("2019"))
    assert derived["imd_decile"].tolist() == [2.0, 3.0] and derived["core20"].tolist() == [1.0, 0.0]
    assert derived["deprivation_index"].tolist() == ["IoD2019"] * 2


def test_welsh_and_scottish_areas_have_no_core20_flag_and_their_own_index():
    # W01000001 is a 2011 area: carried to W01002008 (WIMD 2025 rank 888 of 1,917, decile 5).
    derived = enrich({"lsoa": texts("W01000001", "S01006506")}, CENSUS)
    assert derived["deprivation_nation"].tolist() == ["Wales", "Scotland"]
    assert derived["deprivation_index"].tolist() == ["WIMD 2025", "SIMD 2020v2"]
    assert derived["imd_decile"].tolist() == [5.0, 7.0]
    assert derived["imd_quintile"].tolist() == [3.0, 4.0]
    assert np.isnan(derived["core20"]).all()
    assert derived["deprivation_link"].tolist() == ["2011 area carried to 2021 (ONS best fit)", "linked directly"]


def test_domain_deciles_are_englands_only_and_worked_out_when_asked_for():
    # E01000001 in IoD2025: income 10, employment 10, education 10, health 10, crime 10, housing 9, environment 1;
    # E01028040 is carried to E01033769 (income decile 6).
    columns = {"lsoa": texts("E01000001", "W01000003", None, "E01028040")}
    columns.update(enrich(columns, CENSUS))
    wl = WaitingList(np.arange(1, 5), columns)
    assert not set(DOMAINS) & set(columns)  # not stored with the list
    assert [wl.column(name)[0] for name in DOMAINS] == [10.0, 10.0, 10.0, 10.0, 10.0, 9.0, 1.0]
    assert wl.column("imd_income_decile")[3] == 6.0
    assert all(np.isnan(wl.column(name)[1:3]).all() for name in DOMAINS)
    assert set(DOMAINS) <= set(wl.column_names()) and wl.has_column("imd_crime_decile")


def test_the_2019_edition_has_no_domains():
    columns = {"lsoa": texts("E01000001")}
    columns.update(enrich(columns, CENSUS, linking=Linking("2019")))
    assert np.isnan(WaitingList(np.arange(1, 2), columns).column("imd_income_decile")).all()


def test_pseudo_and_unknown_codes_keep_a_decile_the_file_supplied():
    columns = {"lsoa": texts("E99999999", "E01999999", None, "E01000001"), "imd_decile": numbers(2, np.nan, 11, 1)}
    derived = enrich(columns, CENSUS)
    assert derived["imd_decile"][[0, 3]].tolist() == [2.0, 8.0]  # the LSOA wins over the file's decile
    assert np.isnan(derived["imd_decile"][1]) and np.isnan(derived["imd_decile"][2])  # 11 is not a decile
    assert np.isnan(derived["imd_rank"][0])
    assert derived["deprivation_nation"].tolist() == [None, None, None, "England"]
    assert derived["deprivation_index"].tolist() == ["from the file", None, None, "IoD2025"]
    assert derived["deprivation_link"].tolist() == ["decile given in the file", "not a known area", None,
                                                   "linked directly"]
    assert np.isnan(derived["core20"][0])


def test_supplied_deciles_can_be_declared_english():
    derived = enrich({"imd_decile": numbers(2, 3)}, CENSUS, supplied_decile_nation="England")
    assert derived["deprivation_nation"].tolist() == ["England", "England"]
    assert derived["core20"].tolist() == [1.0, 0.0]


def test_deprivation_text_columns_come_with_their_codes():
    known = KnownCodes()
    derived = enrich({"lsoa": texts("E01000001", "W01000003", "E01000001", None)}, CENSUS, known=known)
    for name in ("deprivation_nation", "deprivation_index", "deprivation_link"):
        codes, distinct = known.of(derived[name])
        assert np.append(distinct, None)[codes].tolist() == derived[name].tolist()


def test_ethnic_groups_from_data_dictionary_codes():
    categories = texts("A", "B", "C", "D", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S")
    groups = enrich({"ethnic_category": categories}, CENSUS)["ethnic_group"].tolist()
    assert groups == ["White"] * 3 + ["Mixed"] * 2 + ["Asian"] * 4 + ["Black"] * 3 + ["Other"] * 2


@pytest.mark.parametrize("code", ["Z", "99", "9", None, "", "X", "White British"])
def test_not_stated_unknown_and_unrecognised_ethnicity(code):
    assert enrich({"ethnic_category": texts(code)}, CENSUS)["ethnic_group"].tolist() == ["Not stated/unknown"]


def test_a_column_of_digits_is_read_in_the_scheme_hes_used_before_2001():
    legacy = texts("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "X", None)
    assert enrich({"ethnic_category": legacy}, CENSUS)["ethnic_group"].tolist() == (
        ["White"] + ["Black"] * 3 + ["Asian"] * 3 + ["Other"] * 2 + ["Not stated/unknown"] * 3)


def test_digits_in_a_column_of_letters_are_not_stated_not_the_old_groups():
    mixed = texts("A", "4", "H", "0")
    assert enrich({"ethnic_category": mixed}, CENSUS)["ethnic_group"].tolist() == [
        "White", "Not stated/unknown", "Asian", "Not stated/unknown"]

