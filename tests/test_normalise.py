"""Mapped source text into typed canonical columns, one rule per field."""

import numpy as np
import pandas as pd
import pytest

from workbench.fields import CANONICAL_FIELDS, PRIORITY_CODES
from workbench.read.normalise import normalise_fields


def one(field, *values):
    return normalise_fields({field: np.array(values, dtype=object)})[field]


@pytest.mark.parametrize("marker", ["NULL", "null", "N/A", "NA", "#N/A", "-", "", "   ", None])
@pytest.mark.parametrize("field", list(CANONICAL_FIELDS))
def test_missing_markers_are_missing_in_every_field(field, marker):
    value = one(field, marker)[0]
    assert value is None or (isinstance(value, float) and np.isnan(value)) or np.isnat(value)


def test_every_field_comes_back_with_its_kind():
    typed = normalise_fields({f: np.array(["x"], dtype=object) for f in CANONICAL_FIELDS})
    expected = {"text": np.dtype(object), "date": np.dtype("datetime64[D]"), "number": np.dtype(np.float64)}
    assert {f: typed[f].dtype for f in typed} == {f: expected[kind] for f, kind in CANONICAL_FIELDS.items()}


def test_text_is_stripped():
    assert one("consultant", "  Dr Smith ", "Ms Jones").tolist() == ["Dr Smith", "Ms Jones"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("P1a", "P1a"), ("P1A", "P1a"), ("p1a", "P1a"), ("1a", "P1a"), ("P1b", "P1b"), ("1B", "P1b"),
        ("P 2", "P2"), ("2", "P2"), ("2.0", "P2"), ("Priority 2", "P2"), ("P2 - 4 weeks", "P2"),
        ("P3 (3 months)", "P3"), ("p4", "P4"), ("P5", "P5"), ("Priority 6", "P6"), ("P1b - 72 hours", "P1b"),
    ],
)
def test_priority_spellings(text, code):
    assert one("clinical_priority", text).tolist() == [code]


@pytest.mark.parametrize("text", ["P1", "1", "P7", "P12", "D2", "Urgent", "P2a", "Routine"])
def test_unknown_priorities_become_none(text):
    assert one("clinical_priority", text).tolist() == [None]


def test_priorities_only_ever_take_the_known_codes():
    values = one("clinical_priority", "P1a", "P2", "junk", "3", None).tolist()
    assert set(values) - {None} <= set(PRIORITY_CODES)


def test_nhs_numbers_are_tidied():
    assert one("nhs_number", "943 476 5919", "943-476-5919", "9434765919.0", "0123456789").tolist() == [
        "9434765919", "9434765919", "9434765919", "0123456789"
    ]


def test_specialty_codes_drop_a_decimal_but_keep_leading_zeros():
    assert one("specialty", "110.0", "110", "090", " 100 ", "X02").tolist() == ["110", "110", "090", "100", "X02"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("a", "A"), (" z ", "Z"), ("99", "99"), ("99.0", "99"), ("0", "0"), ("9", "9"),
        ("White British", "A"), ("White - British", "A"), ("Not stated", "Z"), ("Not known", "99"),
        ("Indian", "H"), ("Pakistani", "J"), ("Bangladeshi", "K"), ("Caribbean", "M"), ("African", "N"),
        ("Chinese", "R"), ("Asian or Asian British - Indian", "H"), ("Any other ethnic group", "S"),
        ("H - Indian", "H"), ("Mixed - White and Asian", "F"), ("Martian", "MARTIAN"), ("White", "WHITE"),
    ],
)
def test_ethnic_category(text, code):
    assert one("ethnic_category", text).tolist() == [code]


@pytest.mark.parametrize(
    "text, sex",
    [
        ("1", "Male"), ("M", "Male"), ("male", "Male"), ("2", "Female"), ("f", "Female"), ("Female", "Female"),
        ("0", "Not known"), ("X", "Not known"), ("9", "Not specified"), ("1.0", "Male"), ("other", "other"),
    ],
)
def test_sex(text, sex):
    assert one("sex", text).tolist() == [sex]


def test_lsoa_and_postcode_are_upper_case_and_postcodes_spaced():
    assert one("lsoa", " e01000001 ").tolist() == ["E01000001"]
    assert one("postcode", "ox39du", "SW1A1AA", " m1  1ae ", "not a postcode").tolist() == [
        "OX3 9DU", "SW1A 1AA", "M1 1AE", "NOT A POSTCODE"
    ]


def test_numbers():
    assert one("age", "42", "42.5", " 7 ", "7001", "forty", None).tolist()[:4] == [42.0, 42.5, 7.0, 7001.0]
    decile = one("imd_decile", "3", "x")
    assert decile[0] == 3.0 and np.isnan(decile[1])


def test_dates_go_through_the_date_reader():
    dates = one("wait_start", "13/02/2024", "2024-03-01", "31/02/2024", "NULL")
    assert [str(d) for d in dates] == ["2024-02-13", "2024-03-01", "NaT", "NaT"]


def test_a_field_that_is_not_canonical_is_a_programming_error():
    with pytest.raises(ValueError, match="weeks_wait"):
        normalise_fields({"weeks_wait": np.array(["3"], dtype=object)})


def test_known_codes_are_used_and_the_tidied_column_gets_its_own():
    from workbench.fields import KnownCodes

    raw = np.array(["p2", "P2 ", None, "Priority 2", "P3", "p2"], dtype=object)
    # Codes as a reader gives them (their order is the reader's business, not first appearance).
    known = KnownCodes()
    known.add(raw, np.array([1, 2, -1, 3, 0, 1]), np.array(["P3", "p2", "P2 ", "Priority 2"], dtype=object))
    typed = normalise_fields({"clinical_priority": raw}, known=known)["clinical_priority"]
    assert typed.tolist() == ["P2", "P2", None, "P2", "P3", "P2"]
    codes, distinct = known.of(typed)
    assert sorted(distinct.tolist()) == ["P2", "P3"]  # the three spellings of P2 are one value now
    assert np.append(distinct, None)[codes].tolist() == typed.tolist()


def test_a_coded_column_is_tidied_from_its_codes_not_hashed_again():
    """Codes that disagree with the text show which one was used."""
    from workbench.fields import KnownCodes

    raw = np.array(["P2", "P3"], dtype=object)
    known = KnownCodes()
    known.add(raw, np.array([1, 0]), np.array(["P2", "P3"], dtype=object))
    assert normalise_fields({"clinical_priority": raw}, known=known)["clinical_priority"].tolist() == ["P3", "P2"]


def test_a_source_column_tidied_by_its_distinct_values_keeps_their_codes():
    """Saving the source column then reuses them instead of hashing a million texts again."""
    from workbench.fields import KnownCodes

    raw = np.array(["01/02/2025", None, "01/02/2025", "03/04/2025"] * 10, dtype=object)
    known = KnownCodes()
    normalise_fields({"wait_start": raw}, known=known)
    codes, distinct = known.of(raw)
    assert np.append(distinct, None)[codes].tolist() == raw.tolist()


def test_birth_dates_read_row_by_row_on_arrays_agree_with_reading_each_distinct_text_once():
    from workbench.fields import KnownCodes

    texts = ["13/02/1961", " 01/03/1970", "NULL", None, "", "1961-02-13", "31/02/1999", "02/03/1970 00:00"]
    raw = np.array(texts + [f"{d:02d}/{m:02d}/19{y:02d}" for d in range(1, 29) for m in (1, 7) for y in (40, 80)],
                   dtype=object)
    notes_rows, notes_distinct = {}, {}
    by_rows = normalise_fields({"date_of_birth": raw}, notes_rows)["date_of_birth"]
    known = KnownCodes()
    known.add(raw, *pd.factorize(raw))  # codes known: read once per distinct text
    by_distinct = normalise_fields({"date_of_birth": raw}, notes_distinct, known)["date_of_birth"]
    assert by_rows.tolist() == by_distinct.tolist()
    assert str(by_rows[0]) == "1961-02-13" and str(by_rows[5]) == "1961-02-13" and np.isnat(by_rows[2:5]).all()
    assert notes_rows == notes_distinct
