"""Pairwise-comparison weights (AHP), judgement files, and direct swing weighting."""

import csv

import numpy as np
import pytest

from workbench.rank.ahp import ahp_weights, matrix_from_pairs, read_judgement_matrix
from workbench.errors import WorkbenchError
from workbench.rank.swing import swing_weights

NAMES3 = ["time waited", "deprivation", "carer"]


def power_iteration(matrix: np.ndarray, steps: int = 500) -> tuple[np.ndarray, float]:
    """The principal eigenvector (sum 1) and eigenvalue, worked out independently of numpy.linalg."""
    vector = np.ones(len(matrix)) / len(matrix)
    for _ in range(steps):
        vector = matrix @ vector
        vector /= vector.sum()
    return vector, float(np.mean((matrix @ vector) / vector))


def test_consistent_matrix_gives_exact_weights_and_zero_ratio():
    # time waited is twice deprivation and four times carer: weights 4:2:1.
    result = ahp_weights(np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]), NAMES3)
    assert result.weights == pytest.approx({"time waited": 4 / 7, "deprivation": 2 / 7, "carer": 1 / 7})
    assert result.consistency_ratio == pytest.approx(0, abs=1e-12)
    assert result.lambda_max == pytest.approx(3)


def test_inconsistent_three_by_three_by_hand():
    # For a 3 x 3 reciprocal matrix, lambda_max = 1 + r^(1/3) + r^(-1/3) with r = a12 a23 / a13,
    # and the eigenvector is the geometric mean of each row.
    matrix = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    r = 3 * 3 / 5
    lambda_max = 1 + r ** (1 / 3) + r ** (-1 / 3)
    row_means = np.array([(3 * 5) ** (1 / 3), (3 / 3) ** (1 / 3), (1 / 15) ** (1 / 3)])
    result = ahp_weights(matrix, NAMES3)
    assert list(result.weights.values()) == pytest.approx(row_means / row_means.sum())
    assert result.lambda_max == pytest.approx(lambda_max)
    assert result.consistency_index == pytest.approx((lambda_max - 3) / 2)
    assert result.consistency_ratio == pytest.approx((lambda_max - 3) / 2 / 0.58)
    assert result.consistent


def test_contradictory_judgements_are_flagged():
    # a > b 5 times, b > c 5 times, yet c > a 5 times: r = 125, lambda_max = 6.2.
    result = ahp_weights(np.array([[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]]), NAMES3)
    assert result.consistency_ratio == pytest.approx((6.2 - 3) / 2 / 0.58)
    assert not result.consistent


def test_four_by_four_against_power_iteration():
    matrix = np.array([[1, 3, 7, 9], [1 / 3, 1, 5, 7], [1 / 7, 1 / 5, 1, 3], [1 / 9, 1 / 7, 1 / 3, 1]])
    vector, lambda_max = power_iteration(matrix)
    result = ahp_weights(matrix, ["a", "b", "c", "d"])
    assert list(result.weights.values()) == pytest.approx(vector)
    assert result.consistency_ratio == pytest.approx((lambda_max - 4) / 3 / 0.90)
    assert sum(result.weights.values()) == pytest.approx(1)


def test_two_factors_are_always_consistent():
    result = ahp_weights(np.array([[1, 3], [1 / 3, 1]]), ["a", "b"])
    assert result.weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert result.consistency_ratio == 0


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[1, 3], [3, 1]], "should be 0.333"),
        ([[1, 12], [1 / 12, 1]], "not on the 1/9 to 9 scale"),
        ([[1, -2], [-0.5, 1]], "not on the 1/9 to 9 scale"),
        ([[2, 1], [1, 1]], "against itself must be 1"),
        ([[1, 2, 3], [0.5, 1, 2]], "square"),
    ],
)
def test_invalid_matrices_are_plain_errors(matrix, message):
    with pytest.raises(WorkbenchError, match=message):
        ahp_weights(np.array(matrix, dtype=float), ["a", "b"])


def test_matrix_from_pairs_fills_reciprocals():
    matrix = matrix_from_pairs(NAMES3, {("time waited", "deprivation"): 2, ("carer", "time waited"): 1 / 4,
                                        ("deprivation", "carer"): 2})
    assert matrix[0, 1] == 2 and matrix[1, 0] == 0.5 and matrix[0, 2] == 4
    assert ahp_weights(matrix, NAMES3).weights["time waited"] == pytest.approx(4 / 7)


def test_matrix_from_pairs_names_the_missing_pair():
    with pytest.raises(WorkbenchError, match="deprivation against carer"):
        matrix_from_pairs(NAMES3, {("time waited", "deprivation"): 2, ("time waited", "carer"): 4})


def test_matrix_from_pairs_rejects_unknown_factor():
    with pytest.raises(WorkbenchError, match="not being compared: age"):
        matrix_from_pairs(NAMES3, {("age", "carer"): 2})


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_read_matrix_with_fractions_decimals_and_blanks(tmp_path):
    path = write_csv(tmp_path / "judgements.csv", [
        ["", "time waited", "deprivation", "carer"],
        ["time waited", "1", "2", "4"],
        ["deprivation", "1/2", "", " 2 "],
        ["carer", "0.25", "", "1"],
    ])
    names, matrix = read_judgement_matrix(path)
    assert names == NAMES3
    assert matrix[1, 1] == 1 and matrix[2, 1] == 0.5
    assert ahp_weights(matrix, names).weights["carer"] == pytest.approx(1 / 7, rel=1e-6)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["", "a", "b"], ["a", "1", "3"]], "2 factors but there are 1 rows"),
        ([["", "a", "b"], ["b", "1", "3"], ["a", "1/3", "1"]], "row 1 is 'b' but column 1 is 'a'"),
        ([["", "a", "b"], ["a", "1", "three"], ["b", "1/3", "1"]], "row 'a', column 'b': 'three' is not a number"),
        ([["", "a", "b"], ["a", "1", "3"], ["b", "3", "1"]], "b against a is 3"),
        ([["", "a", "b"], ["a", "1", ""], ["b", "", "1"]], "no judgement either way round"),
        ([["", "a", "b"], ["a", "1", "1/0"], ["b", "", "1"]], "not a number or a fraction"),
    ],
)
def test_bad_judgement_files_name_the_file_and_the_problem(tmp_path, rows, message):
    path = write_csv(tmp_path / "workshop.csv", rows)
    with pytest.raises(WorkbenchError, match=message) as error:
        read_judgement_matrix(path)
    assert str(error.value).startswith("workshop.csv: ")


def test_missing_judgement_file(tmp_path):
    with pytest.raises(WorkbenchError, match="nope.csv: no such file"):
        read_judgement_matrix(tmp_path / "nope.csv")


def test_swing_weights_normalise_points():
    weights = swing_weights({"time waited": 100, "deprivation": 50, "carer": 25, "age": 0})
    assert weights == pytest.approx({"time waited": 100 / 175, "deprivation": 50 / 175, "carer": 25 / 175, "age": 0})


@pytest.mark.parametrize(
    "points, message",
    [({"a": 80, "b": 40}, "100 points"), ({"a": 100, "b": 140}, "0 to 100"), ({"a": 100, "b": -5}, "0 to 100"),
     ({}, "at least one")],
)
def test_swing_weights_reject_bad_points(points, message):
    with pytest.raises(WorkbenchError, match=message):
        swing_weights(points)
