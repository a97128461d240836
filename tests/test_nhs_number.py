"""NHS numbers: the whole-column check agrees with the one-number rule on every kind of value."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from workbench.read.nhs_number import as_integers, is_valid_nhs_number, normalise_nhs_number, normalise_nhs_numbers, valid_mask

# Valid test numbers (../shared/reference), near misses and things files really hold.
ODD_VALUES = [
    "9434765919", "9434765918", "4010232137", "0000000000", "943476591", "94347659190", "943 476 5919",
    "943-476-5919", " 9434765919", "9434765919 ", "943476591٩", "９４３４７６５９１９", "943476591a", "",
    None, "NULL", "9434765919.0", "1234567890",  # 1234567890: the check digit would be 10
]


def test_odd_values_are_checked_as_one_at_a_time():
    values = np.array(ODD_VALUES, dtype=object)
    expected = [is_valid_nhs_number(v) for v in ODD_VALUES]
    assert valid_mask(values).tolist() == expected
    assert as_integers(values).tolist() == [int(v) if ok else -1 for v, ok in zip(ODD_VALUES, expected)]
    assert normalise_nhs_numbers(values).tolist() == [normalise_nhs_number(v) for v in ODD_VALUES]


@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789 -٣x", max_size=13),
                          st.integers(0, 9_999_999_999).map(lambda n: f"{n:010d}")), max_size=60))
def test_any_column_is_checked_as_one_at_a_time(texts):
    values = np.array(texts, dtype=object)
    assert valid_mask(values).tolist() == [is_valid_nhs_number(v) for v in texts]
    assert normalise_nhs_numbers(values).tolist() == [normalise_nhs_number(v) for v in texts]


def test_blocks_join_up_in_a_long_column():
    numbers = np.array(["9434765919", "9434765918", None] * 30_000, dtype=object)  # more than one block
    assert valid_mask(numbers).sum() == 30_000
    assert as_integers(numbers)[-3] == 9434765919
