"""Direct swing weighting: weights from points given to each factor's swing.

For each factor, imagine a patient moving from its worst to its best level
(the "swing"). The swing that matters most gets 100 points; every other swing
gets 0 to 100 points for how much it matters relative to that one. A
factor's weight is its points divided by the sum of all the points.
"""

from __future__ import annotations

import math
from typing import Mapping

from workbench.errors import WorkbenchError

TOP_POINTS = 100.0


def swing_weights(points: Mapping[str, float]) -> dict[str, float]:
    """Normalised weights from swing points (the most important swing has 100).

    >>> swing_weights({"time waited": 100, "deprivation": 60, "carer": 40})
    {'time waited': 0.5, 'deprivation': 0.3, 'carer': 0.2}
    """
    if not points:
        raise WorkbenchError("Give points to at least one factor's swing")
    for factor, value in points.items():
        if not (math.isfinite(value) and 0 <= value <= TOP_POINTS):
            raise WorkbenchError(f"The swing for {factor} has {value:g} points; give 0 to 100 points")
    if max(points.values()) != TOP_POINTS:
        raise WorkbenchError("Give the swing that matters most 100 points, and rate the others against it")
    total = sum(points.values())
    return {factor: value / total for factor, value in points.items()}
