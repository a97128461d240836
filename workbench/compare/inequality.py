"""Slope and relative index of inequality as OHID computes them (PHEindicatormethods ``phe_sii``).

Groups are ordered from most to least deprived (deciles 1 to 10). Each
group's share of the population ``p_i`` puts it at ``x_i``, the midpoint of
its range of the cumulative share (0 = the most deprived end, 1 = the least).
A line ``y = a + b x`` is fitted to the groups' values by least squares
weighted by ``p_i`` (OHID fits ``y sqrt(p)`` on ``sqrt(p)`` and ``x sqrt(p)``
without an intercept: the same line). OHID reports::

    SII = fitted(1) - fitted(0) = b          (least deprived end minus most deprived end)
    RII = fitted(1) / fitted(0) = (a + b) / a

**Our sign.** A positive SII here means the most deprived wait longer: we
report ``fitted(0) - fitted(1)``, OHID's SII with its sign turned, and every
label says so. The RII is OHID's (least deprived end over most deprived
end), with its direction in words: an RII of 0.8 reads "the most deprived
wait 1.25 times as long as the least deprived".

**Confidence intervals** by OHID's simulation: each group's value is drawn
``repetitions`` times from a normal distribution with its standard error,
the line is fitted to every draw, and the 2.5th and 97.5th percentiles of the
draws' SII and RII (positions ``round(repetitions x 0.025)`` and
``round(repetitions x 0.975)`` of the sorted draws) are the limits. The draws
are seeded, so the same figures give the same limits every time.

**At least 5 groups** with a population are needed (OHID accepts 5 to 100).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MIN_GROUPS, MAX_GROUPS = 5, 100
REPETITIONS = 100_000  # OHID's default
CONFIDENCE = 0.95
SEED = 2026


@dataclass(frozen=True)
class Inequality:
    """One fitted line's indices, in our sign (positive SII: the most deprived end is higher).

    ``sii_ci`` and ``rii_ci`` are (lower, upper) 95% limits; ``rii`` is None
    when the fitted value at the most deprived end is not above 0.
    """

    sii: float
    sii_ci: tuple[float, float]
    rii: float | None
    rii_ci: tuple[float, float] | None
    groups: int
    most_deprived_end: float  # fitted value at x = 0
    least_deprived_end: float  # fitted value at x = 1


def relative_ranks(population) -> np.ndarray:
    """Each group's midpoint in the cumulative share of the population, most deprived first.

    OHID's example: a group of 12% first, then one of 10%, sit at 0.06 and 0.17.

    >>> relative_ranks([12, 10, 78]).round(2).tolist()
    [0.06, 0.17, 0.61]
    """
    share = np.asarray(population, dtype=np.float64) / np.sum(population)
    return np.cumsum(share) - share / 2


def fitted_ends(values, population) -> tuple[float, float]:
    """The weighted least-squares line's values at x = 0 (most deprived) and x = 1 (least deprived).

    >>> [round(end, 9) for end in fitted_ends([10, 8, 6, 4, 2], [1, 1, 1, 1, 1])]
    [11.0, 1.0]
    """
    a, b = _line_coefficients(np.asarray(population, dtype=np.float64)) @ np.asarray(values, dtype=np.float64)
    return float(a), float(a + b)


def slope_index(values, population, standard_errors, repetitions: int = REPETITIONS, seed: int = SEED,
                confidence: float = CONFIDENCE) -> Inequality | None:
    """SII and RII with confidence limits by simulation; None with fewer than 5 groups with a population.

    Groups with no population or no value are left out.

    >>> found = slope_index([10, 8, 6, 4, 2], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], repetitions=1000)
    >>> round(found.sii, 9), [round(limit, 9) for limit in found.sii_ci], round(found.rii, 6), describe_rii(found.rii)
    (10.0, [10.0, 10.0], 0.090909, 'the most deprived wait 11 times as long as the least deprived')
    """
    values, population, errors = (np.asarray(x, dtype=np.float64) for x in (values, population, standard_errors))
    use = (population > 0) & ~np.isnan(values)
    if not MIN_GROUPS <= use.sum() <= MAX_GROUPS:
        return None
    values, population, errors = values[use], population[use], np.nan_to_num(errors[use])
    coefficients = _line_coefficients(population)
    a, b = coefficients @ values
    draw_a, draw_b = _fitted_draws(coefficients, values, errors, _noise(len(values), repetitions, seed))
    with np.errstate(divide="ignore", invalid="ignore"):
        rii = (a + b) / a if a > 0 else None
        rii_ci = _limits((draw_a + draw_b) / draw_a, confidence) if a > 0 else None
    lower, upper = _limits(draw_b, confidence)
    return Inequality(sii=float(-b), sii_ci=(-upper, -lower), rii=None if rii is None else float(rii), rii_ci=rii_ci,
                      groups=int(use.sum()), most_deprived_end=float(a), least_deprived_end=float(a + b))


@lru_cache(maxsize=4)
def _noise(groups: int, repetitions: int, seed: int) -> np.ndarray:
    """The seeded standard normal draws (groups x repetitions): the same every time, so worked out once."""
    noise = np.random.default_rng(seed).standard_normal((groups, repetitions))
    noise.flags.writeable = False
    return noise


def _fitted_draws(coefficients, values, errors, noise) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of the line fitted to each draw ``values + errors x noise``.

    The fit is linear in the values, so each draw's line is the values' line
    plus the noise's, added up group by group (a plain loop over at most 100
    groups: steadier than a matrix product on a busy machine).
    """
    weights = coefficients * errors
    repetitions = noise.shape[1]
    intercept, slope = (np.full(repetitions, line @ values) for line in coefficients)
    for group, draws in enumerate(noise):
        if errors[group]:
            intercept += weights[0, group] * draws
            slope += weights[1, group] * draws
    return intercept, slope


def _line_coefficients(population: np.ndarray) -> np.ndarray:
    """The 2 x groups matrix taking the groups' values to the line's intercept and slope."""
    share = population / population.sum()
    x = np.cumsum(share) - share / 2
    root = np.sqrt(share)
    design = np.column_stack([root, x * root])  # OHID's regression: y sqrt(p) on sqrt(p) and x sqrt(p)
    return np.linalg.solve(design.T @ design, design.T) * root


def _limits(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """OHID's limits: the sorted draws at positions round(n x (1 - c) / 2) and round(n x (1 + c) / 2), 1-based."""
    n = len(draws)
    upper_share = confidence + (1 - confidence) / 2
    positions = sorted({max(round(n * (1 - upper_share)), 1) - 1, max(round(n * upper_share), 1) - 1})
    found = np.partition(draws, positions)
    return float(found[positions[0]]), float(found[positions[-1]])


def describe_rii(rii: float | None) -> str:
    """The RII's direction in words.

    >>> describe_rii(0.8), describe_rii(1.3), describe_rii(1.0), describe_rii(None)
    ('the most deprived wait 1.25 times as long as the least deprived', 'the least deprived wait 1.3 times as long as the most deprived', 'the most and least deprived wait as long as each other', '')
    """
    if rii is None or not math.isfinite(rii) or rii <= 0:
        return ""
    if round(rii, 2) == 1:
        return "the most and least deprived wait as long as each other"
    if rii < 1:
        return f"the most deprived wait {_times(1 / rii)} times as long as the least deprived"
    return f"the least deprived wait {_times(rii)} times as long as the most deprived"


def _times(ratio: float) -> str:
    return f"{ratio:.2f}".rstrip("0").rstrip(".")
