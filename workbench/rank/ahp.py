"""Weights from pairwise judgements: the analytic hierarchy process (AHP).

In a workshop each pair of factors is compared on Saaty's 1 to 9 scale:
``a[i, j] = 3`` means factor i matters moderately more than factor j, and then
``a[j, i] = 1/3``. The weights are the principal eigenvector of the matrix,
normalised to sum to 1. How far the judgements contradict each other is the
consistency ratio::

    CI = (lambda_max - n) / (n - 1)        CR = CI / RI(n)

with Saaty's random index RI. A CR above 0.10 means the judgements should be
revisited. With one or two factors the judgements cannot contradict each
other and CR is 0.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Mapping

import numpy as np

from workbench.errors import WorkbenchError

RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
CONSISTENCY_LIMIT = 0.10
SCALE_MIN, SCALE_MAX = 1 / 9, 9.0
# Judgements typed as decimals ("0.333" for 1/3) are accepted within 1%.
TOLERANCE = 0.01


@dataclass(frozen=True)
class AhpResult:
    """Weights (summing to 1, in the order the factors were given) and consistency figures."""

    weights: dict[str, float]
    consistency_ratio: float
    lambda_max: float
    consistency_index: float

    @property
    def consistent(self) -> bool:
        """True when the consistency ratio is at most 0.10."""
        return self.consistency_ratio <= CONSISTENCY_LIMIT


def ahp_weights(matrix, names: list[str]) -> AhpResult:
    """Weights and consistency ratio of a matrix of pairwise judgements.

    >>> r = ahp_weights(np.array([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]]), ["a", "b", "c"])
    >>> {k: round(v, 6) for k, v in r.weights.items()}, round(r.consistency_ratio, 9)
    ({'a': 0.571429, 'b': 0.285714, 'c': 0.142857}, 0.0)
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    check_judgements(matrix, names)
    n = len(names)
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    principal = int(np.argmax(eigenvalues.real))
    # The Perron vector of a positive matrix has one sign; abs() removes eig's arbitrary sign.
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    lambda_max = float(eigenvalues[principal].real)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / RANDOM_INDEX[n] if n > 2 else 0.0
    return AhpResult(
        weights={name: float(w) for name, w in zip(names, weights)},
        consistency_ratio=max(cr, 0.0),  # rounding can give -1e-16 for a consistent matrix
        lambda_max=lambda_max,
        consistency_index=max(ci, 0.0),
    )


def check_judgements(matrix: np.ndarray, names: list[str], where: str = "The judgements") -> None:
    """Raise WorkbenchError unless ``matrix`` is a valid reciprocal judgement matrix."""
    n = len(names)
    if matrix.ndim != 2 or matrix.shape != (n, n):
        raise WorkbenchError(f"{where}: need a square table of {n} x {n} judgements, one row and column per factor")
    if len(set(names)) != n:
        raise WorkbenchError(f"{where}: a factor is named twice")
    if not 1 <= n <= max(RANDOM_INDEX):
        raise WorkbenchError(f"{where}: compare between 1 and {max(RANDOM_INDEX)} factors (there are {n})")
    for i, j in zip(*np.nonzero(~_on_scale(matrix))):
        raise WorkbenchError(f"{where}: {names[i]} against {names[j]} is {matrix[i, j]:g}, not on the 1/9 to 9 scale")
    for i in range(n):
        if abs(matrix[i, i] - 1) > TOLERANCE:
            raise WorkbenchError(f"{where}: {names[i]} against itself must be 1 (it is {matrix[i, i]:g})")
        for j in range(i + 1, n):
            if abs(matrix[i, j] * matrix[j, i] - 1) > TOLERANCE:
                raise WorkbenchError(
                    f"{where}: {names[i]} against {names[j]} is {matrix[i, j]:g} but {names[j]} against "
                    f"{names[i]} is {matrix[j, i]:g}; it should be {1 / matrix[i, j]:.3g}"
                )


def _on_scale(matrix: np.ndarray) -> np.ndarray:
    finite = np.isfinite(matrix)
    with np.errstate(invalid="ignore"):
        return finite & (matrix >= SCALE_MIN * (1 - TOLERANCE)) & (matrix <= SCALE_MAX * (1 + TOLERANCE))


def matrix_from_pairs(names: list[str], judgements: Mapping[tuple[str, str], float]) -> np.ndarray:
    """A judgement matrix from answers to "how much more does a matter than b?".

    Each unordered pair needs one answer, given either way round; the
    reciprocal fills the other cell. Raises WorkbenchError for an unknown
    factor, a missing pair or two answers that disagree.

    >>> matrix_from_pairs(["a", "b"], {("b", "a"): 3}).tolist()
    [[1.0, 0.3333333333333333], [3.0, 1.0]]
    """
    index = {name: i for i, name in enumerate(names)}
    matrix = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for (a, b), value in judgements.items():
        for name in (a, b):
            if name not in index:
                raise WorkbenchError(f"The judgements name a factor that is not being compared: {name}")
        _set_pair(matrix, index[a], index[b], float(value), names)
    missing = [f"{names[i]} against {names[j]}" for i, j in zip(*np.nonzero(np.isnan(matrix))) if i < j]
    if missing:
        raise WorkbenchError(f"Some pairs have not been compared yet: {', '.join(missing)}")
    check_judgements(matrix, names)
    return matrix


def _set_pair(matrix: np.ndarray, i: int, j: int, value: float, names: list[str]) -> None:
    if not value > 0:
        raise WorkbenchError(f"{names[i]} against {names[j]} must be more than 0 (it is {value:g})")
    if not np.isnan(matrix[i, j]) and abs(matrix[i, j] * (1 / value) - 1) > TOLERANCE:
        raise WorkbenchError(f"{names[i]} against {names[j]} was answered twice, differently")
    matrix[i, j], matrix[j, i] = value, 1 / value


def read_judgement_matrix(path) -> tuple[list[str], np.ndarray]:
    """Factor names and the judgement matrix from a square CSV file.

    The header row and the first column name the factors in the same order
    (the top-left cell is ignored). Cells hold "3", "1/3" or "0.333"; a blank
    cell is filled with the reciprocal of its mirror cell, a blank diagonal
    with 1. Raises WorkbenchError naming the file and the problem.
    """
    path = Path(path)
    rows = _read_rows(path)
    if len(rows) < 2:
        raise WorkbenchError(f"{path.name}: expected a header row of factor names and one row per factor")
    names = [cell.strip() for cell in rows[0][1:]]
    body = rows[1:]
    _check_layout(path.name, names, body)
    matrix = np.array([[_judgement(path.name, row, name, cell) for name, cell in zip(names, row[1:])] for row in body])
    _fill_blanks(path.name, matrix, names)
    check_judgements(matrix, names, where=path.name)
    return names, matrix


def _read_rows(path: Path) -> list[list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise WorkbenchError(f"{path.name}: no such file") from None
    except (UnicodeDecodeError, csv.Error):
        raise WorkbenchError(f"{path.name}: not a readable CSV file of judgements") from None
    width = max(len(row) for row in rows) if rows else 0
    return [row + [""] * (width - len(row)) for row in rows]


def _check_layout(file_name: str, names: list[str], body: list[list[str]]) -> None:
    row_names = [row[0].strip() for row in body]
    if len(row_names) != len(names):
        raise WorkbenchError(
            f"{file_name}: the header names {len(names)} factors but there are {len(row_names)} rows; "
            "the table must be square"
        )
    for position, (row_name, column_name) in enumerate(zip(row_names, names), start=1):
        if row_name.casefold() != column_name.casefold():
            raise WorkbenchError(
                f"{file_name}: row {position} is '{row_name}' but column {position} is '{column_name}'; "
                "rows and columns must list the factors in the same order"
            )


FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")


def _judgement(file_name: str, row: list[str], column_name: str, cell: str) -> float:
    text = cell.strip()
    if not text:
        return np.nan
    try:
        match = FRACTION.match(text)
        return float(Fraction(match[1]) / Fraction(match[2])) if match else float(text)
    except (ValueError, ZeroDivisionError):
        raise WorkbenchError(
            f"{file_name}: row '{row[0].strip()}', column '{column_name}': '{text}' is not a number or a fraction like 1/3"
        ) from None


def _fill_blanks(file_name: str, matrix: np.ndarray, names: list[str]) -> None:
    for i, j in zip(*np.nonzero(np.isnan(matrix))):
        if i == j:
            matrix[i, j] = 1.0
        elif not np.isnan(matrix[j, i]) and matrix[j, i] > 0:
            matrix[i, j] = 1 / matrix[j, i]
        else:
            raise WorkbenchError(f"{file_name}: {names[i]} against {names[j]} has no judgement either way round")


SCALE_WORDS = {
    1: "equally important",
    2: "equally to moderately more important",
    3: "moderately more important",
    4: "moderately to strongly more important",
    5: "strongly more important",
    6: "strongly to very strongly more important",
    7: "very strongly more important",
    8: "very to extremely more important",
    9: "extremely more important",
}


def judgement_options(first: str, second: str) -> list[tuple[str, float]]:
    """The 17 answers to "which matters more, and how much?", most for ``first`` to most for ``second``.

    >>> options = judgement_options("Time", "Carer")
    >>> options[0], options[8], options[-1]
    (('Time: extremely more important (9)', 9.0), ('Equally important (1)', 1.0), ('Carer: extremely more important (9)', 0.1111111111111111))
    """
    favour_first = [(f"{first}: {SCALE_WORDS[v]} ({v})", float(v)) for v in range(9, 1, -1)]
    favour_second = [(f"{second}: {SCALE_WORDS[v]} ({v})", 1.0 / v) for v in range(2, 10)]
    return favour_first + [("Equally important (1)", 1.0)] + favour_second
