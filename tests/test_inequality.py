"""The slope and relative index of inequality as OHID computes them (PHEindicatormethods ``phe_sii``).

The data are PHEindicatormethods' own worked example from its ``phe_sii``
documentation (two areas, life expectancy by decile with its population,
95% confidence limits and standard errors), typed in by hand. The
documentation defines the figures: OHID fits ``y sqrt(a)`` on ``sqrt(a)`` and
``b sqrt(a)`` with no intercept (a: a decile's share of the population, b:
its relative rank); the SII is the fitted slope (value at the least deprived
end minus the most deprived end), the RII ``(Y0 + SII) / Y0``; supplying the
standard errors or the confidence limits "gives the same result". Those
statements are checked here with an independent least-squares fit.
"""

import numpy as np
import pytest

from workbench.compare import inequality
from workbench.compare.inequality import describe_rii, fitted_ends, relative_ranks, slope_index

Z_975 = 1.959963984540054  # qnorm(0.975): OHID turns 95% limits into a standard error with it

AREA_1 = {
    "population": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    "value": [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3],
    "lower": [72.7, 75.3, 80.9, 80.2, 77.1, 78, 79, 81.4, 75.8, 83.2],
    "upper": [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4],
    "se": [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57],
}
AREA_2 = {
    "population": [21675, 20065, 19750, 24713, 20112, 19618, 22408, 19752, 18939, 19312],
    "value": [70.5, 71.6, 72.5, 73.5, 73.1, 76.2, 78.7, 80.6, 80.9, 80],
    "lower": [70.1, 71.1, 72, 73.1, 72.7, 75.7, 78.2, 80.1, 80.4, 79.5],
    "upper": [71, 72.1, 73.2, 73.7, 75.8, 78.8, 79.8, 81.2, 81.3, 80.9],
    "se": [0.23, 0.26, 0.3, 0.16, 0.79, 0.78, 0.4, 0.28, 0.23, 0.35],
}


def ohid_regression(values, population):
    """OHID's fit as its documentation writes it: lm(yvals ~ sqrt_a + b_sqrt_a - 1), solved here by lstsq."""
    a = np.asarray(population, dtype=float) / np.sum(population)
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    (intercept, slope), *_ = np.linalg.lstsq(design, np.asarray(values) * np.sqrt(a), rcond=None)
    return intercept, slope


@pytest.mark.parametrize("area", [AREA_1, AREA_2])
def test_sii_and_rii_of_ohids_worked_example(area):
    found = slope_index(area["value"], area["population"], area["se"])
    y0, sii = ohid_regression(area["value"], area["population"])
    assert found.sii == pytest.approx(-sii, abs=1e-9)  # our sign: positive when the most deprived end is higher
    assert found.rii == pytest.approx((y0 + sii) / y0, abs=1e-12)  # OHID: RII = (Y0 + SII) / Y0
    assert (found.most_deprived_end, found.least_deprived_end) == pytest.approx((y0, y0 + sii))
    assert found.groups == 10


def test_the_worked_example_in_figures():
    # Life expectancy rises with less deprivation in both areas: the least deprived end is higher, so
    # OHID's SII is positive (7.00 and 12.62 years) and ours negative; RII above 1.
    first, second = (slope_index(a["value"], a["population"], a["se"]) for a in (AREA_1, AREA_2))
    assert (round(-first.sii, 4), round(-second.sii, 4)) == (7.0002, 12.6227)
    assert (round(first.rii, 4), round(second.rii, 4)) == (1.0897, 1.182)
    assert describe_rii(second.rii) == "the least deprived wait 1.18 times as long as the most deprived"


@pytest.mark.parametrize("area", [AREA_1, AREA_2])
def test_confidence_limits_from_standard_errors_or_from_95_percent_limits_agree(area):
    # OHID: "Supplying the standard error instead of the indicator 95 percent confidence limits gives the
    # same result" (within the tolerance its own tests use, 5%).
    from_se = slope_index(area["value"], area["population"], area["se"])
    from_limits = slope_index(area["value"], area["population"],
                              (np.array(area["upper"]) - np.array(area["lower"])) / Z_975 / 2)
    assert from_limits.sii_ci == pytest.approx(from_se.sii_ci, rel=0.05)
    assert from_limits.rii_ci == pytest.approx(from_se.rii_ci, rel=0.05)


@pytest.mark.parametrize("area", [AREA_1, AREA_2])
def test_simulated_limits_match_the_exact_normal_interval_of_a_linear_fit(area):
    # The fitted slope is linear in the values, so with normal draws its 2.5th and 97.5th percentiles
    # are slope -+ 1.96 x its standard error: the 100,000 draws must land within 1% of that width.
    values, population, se = (np.array(area[k], dtype=float) for k in ("value", "population", "se"))
    weights = inequality._line_coefficients(population)[1]
    spread = Z_975 * np.sqrt(np.sum((weights * se) ** 2))
    found = slope_index(values, population, se)
    assert found.sii_ci[0] == pytest.approx(found.sii - spread, abs=0.01 * spread)
    assert found.sii_ci[1] == pytest.approx(found.sii + spread, abs=0.01 * spread)
    assert found.rii_ci[0] < found.rii < found.rii_ci[1]


def test_limits_are_seeded_so_a_rerun_gives_the_same_figures():
    runs = [slope_index(AREA_1["value"], AREA_1["population"], AREA_1["se"]) for _ in range(2)]
    assert runs[0] == runs[1]
    other_seed = slope_index(AREA_1["value"], AREA_1["population"], AREA_1["se"], seed=7)
    assert other_seed.sii_ci != runs[0].sii_ci and other_seed.sii == runs[0].sii


def test_relative_ranks_as_ohid_documents_them():
    # "If quantile 1 then contains 12 percent of the total population, its relative rank is 0.12/2 = 0.06.
    # If quantile 2 includes 10 percent of the population, its relative rank is 0.12 + (0.10/2) = 0.17."
    assert relative_ranks([12, 10, 78])[:2] == pytest.approx([0.06, 0.17])


def test_five_to_a_hundred_groups_with_a_population():
    assert slope_index([5, 4, 3, 2], [1, 1, 1, 1], [0] * 4) is None
    assert slope_index([5, 4, 3, 2, 1, 9], [1, 1, 1, 1, 1, 0], [0] * 6).groups == 5  # the empty one left out
    assert slope_index(np.arange(101.0), np.ones(101), np.zeros(101)) is None
    assert slope_index(np.arange(100.0), np.ones(100), np.zeros(100)).groups == 100


def test_rii_needs_a_positive_figure_at_the_most_deprived_end():
    found = slope_index([-1, 0, 1, 2, 3], [1] * 5, [0.1] * 5)
    assert found.rii is None and found.rii_ci is None and found.sii == pytest.approx(-5.0)
    assert describe_rii(None) == ""


def test_fitted_ends_are_the_lines_values_at_either_end():
    most, least = fitted_ends([10, 8, 6, 4, 3], [1, 1, 1, 1, 1])
    assert (most, least) == pytest.approx((10.7, 1.7))
