"""The ranking engine: a rule set and a list's columns in; order, scores and reasons out.

Pure functions over NumPy arrays: no Qt, no database. The order is:

1. clinical priority band, most urgent first (strict unless the rule set
   allows a bounded overlap between neighbouring bands, see below);
2. within a band, the score, highest first: the sum of every factor's
   contribution in weeks-equivalent, social factors limited by the cap;
3. ties: the longer wait first, then pathway ID (text order), then the row
   of the source file, so the same inputs always give the same order.

Scores are compared in whole steps of 2^-20 of a week (under a second):
scores within a step count as tied, so rounding noise in a sum does not
decide an order.

**Bounded overlap** (``[bands.overlap_weeks]``, e.g. ``P3 = 4``): the best
4 weeks-equivalent of P3's scores may interleave with the last 4 of P2. A P3
patient goes ahead of a P2 patient only if (P2 patient's score - lowest P2
score) + (highest P3 score - P3 patient's score) is at most 4; nobody ever
moves past more than one band. The band's highest and lowest scores anchor
the overlap.

**Bad dates never decide.** A row whose wait is not counted (a clock start
validation flags, a clock that has stopped: see ``workbench.check.waits``) has no
weeks waited: the rule set's missing-value policy gives its time-waited
factor, the tie-break puts it after every known wait, and its explanation
says why in words.

Speed: :func:`prepare` does the work that no weight changes (band codes, the
tie-break order, parsed columns, transformed factor values); re-ranking is
then a few vector sums and one sort of 64-bit integer keys that pack the
band, the rounded score and the tie-break position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench import formats
from workbench.check import deprivation, waits
from workbench.check.enrich import row_census_dates
from workbench.fields import PRIORITY_TIME_LIMIT_DAYS, WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.errors import WorkbenchError
from workbench.rank.rules import (
    PRIORITY_BAND_CODES,
    TIME_LIMIT_USED,
    UNKNOWN,
    WEEKS_WAITED,
    Factor,
    RuleSet,
    check_columns,
)
from workbench.rank.rule_edits import with_weight

SCORE_STEP_EXPONENT = -20  # scores are compared in steps of 2^-20 week
KEY_BITS = 63  # keys stay non-negative int64
TRUE_WORDS = frozenset({"y", "yes", "true", "t", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "f", "0"})
MISSING_WORDS = frozenset({"", "null", "none", "n/a", "na", "nan", "unknown", "not known", "not stated", "-"})


# ---------------------------------------------------------------------------
# Preparing a list


@dataclass(eq=False)
class Prepared:
    """Weight-independent work for one list, reused by every re-rank of it.

    Invariants: arrays have ``len(wl)`` entries; ``tie_order`` is a permutation
    of the row positions, longest wait first, then pathway ID, then row ID, and
    ``tie_place`` its inverse (each row's place in it). The caches fill as rule
    sets ask for columns and transforms; cached arrays are read-only.
    """

    wl: WaitingList
    priority_code: np.ndarray  # int8 index into rules.PRIORITY_BAND_CODES
    weeks_waited: np.ndarray  # float64, NaN where the wait start is missing
    tie_order: np.ndarray  # int64 row positions
    tie_place: np.ndarray  # int64 per row: its place in tie_order
    by_priority: np.ndarray  # int64 row positions grouped by priority_code (for per-band extremes)
    priority_counts: np.ndarray  # int64 rows per priority code
    values: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[tuple, np.ndarray] = field(default_factory=dict)


def prepare(wl: WaitingList) -> Prepared:
    """Do the slow, weight-independent work for ``wl`` once (pass it to :func:`rank`)."""
    weeks = _weeks_waited(wl)
    tie_order = _tie_order(wl, weeks)
    codes = _priority_codes(wl)
    return Prepared(
        wl=wl,
        priority_code=_read_only(codes),
        by_priority=_read_only(np.argsort(codes, kind="stable")),
        priority_counts=np.bincount(codes, minlength=len(PRIORITY_BAND_CODES)),
        weeks_waited=_read_only(weeks),
        tie_order=_read_only(tie_order),
        tie_place=_read_only(_inverse(tie_order)),
    )


def _inverse(order: np.ndarray, start: int = 0) -> np.ndarray:
    """For a permutation ``order``, each element's place in it (counting from ``start``)."""
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(start, len(order) + start, dtype=np.int64)
    return place


def _read_only(values: np.ndarray) -> np.ndarray:
    """Cached arrays are shared by many rankings: make accidental writes fail loudly."""
    values = values.view()
    values.flags.writeable = False
    return values


def _priority_codes(wl: WaitingList) -> np.ndarray:
    """Each row's clinical priority as an index into PRIORITY_BAND_CODES (unknown if not recognised)."""
    values = wl.columns.get("clinical_priority")
    unknown = PRIORITY_BAND_CODES.index(UNKNOWN)
    if values is None:
        return np.full(len(wl), unknown, dtype=np.int8)
    known = {code.casefold(): i for i, code in enumerate(PRIORITY_BAND_CODES) if code != UNKNOWN}
    lookup = {v: known.get(v.strip().casefold(), unknown) if isinstance(v, str) else unknown for v in set(values)}
    return np.fromiter((lookup[v] for v in values), dtype=np.int8, count=len(values))


def _weeks_waited(wl: WaitingList) -> np.ndarray:
    """Weeks waited as the list holds them; worked out by the RTT rules for a list without them."""
    weeks = wl.columns.get(WEEKS_WAITED)
    if weeks is not None:
        return np.asarray(weeks, dtype=np.float64)
    start = wl.columns.get("wait_start")
    if start is None or wl.census_date is None:
        return np.full(len(wl), np.nan)
    census = row_census_dates(wl.columns, wl.census_date, len(wl))
    stop = wl.columns.get("clock_stop_date", np.full(len(wl), np.datetime64("NaT"), dtype="datetime64[D]"))
    return waits.counted_waits(start.astype("datetime64[D]"), stop, census)[0]


def _tie_order(wl: WaitingList, weeks: np.ndarray) -> np.ndarray:
    """Row positions: longest wait first (missing waits last), then pathway ID, then row ID."""
    ids = wl.columns.get("pathway_id")
    if ids is None:
        ids = np.full(len(wl), None, dtype=object)
    missing_id = np.fromiter((not isinstance(v, str) for v in ids), dtype=bool, count=len(ids))
    text_ids = np.array([v if isinstance(v, str) else "" for v in ids], dtype=str)
    longest_first = np.where(np.isnan(weeks), np.inf, -weeks)
    # np.lexsort sorts by the LAST key first.
    return np.lexsort((wl.row_id, text_ids, missing_id, longest_first)).astype(np.int64)


# ---------------------------------------------------------------------------
# Factor values


def factor_values(factor: Factor, prepared: Prepared, source: str = "<rules>") -> np.ndarray:
    """The raw value of a factor's source per row (float64, NaN = missing)."""
    if factor.source == WEEKS_WAITED:
        return prepared.weeks_waited
    if factor.source == TIME_LIMIT_USED:
        return _time_limit_used(prepared)
    if factor.source not in prepared.values:
        prepared.values[factor.source] = _read_only(_numeric_column(factor, prepared.wl, source))
    return prepared.values[factor.source]


def _time_limit_used(prepared: Prepared) -> np.ndarray:
    """Time since the priority was set (last review, else listing, else clock start: see
    ``workbench.check.waits``) as a share of its time limit; NaN for priorities without one, and
    where the wait is not counted."""
    if TIME_LIMIT_USED not in prepared.values:
        limit = [PRIORITY_TIME_LIMIT_DAYS.get(code) for code in PRIORITY_BAND_CODES]
        days_limit = np.array([np.nan if days is None else float(days) for days in limit])
        days = _days_since_priority(prepared)
        prepared.values[TIME_LIMIT_USED] = _read_only(days / days_limit[prepared.priority_code])
    return prepared.values[TIME_LIMIT_USED]


def _days_since_priority(prepared: Prepared) -> np.ndarray:
    wl = prepared.wl
    if "priority_date" not in wl.columns:  # a list made without it: from the weeks waited
        return prepared.weeks_waited * 7.0
    days = waits.days_since_priority(wl, row_census_dates(wl.columns, wl.census_date, len(wl)))
    return np.where(np.isnan(prepared.weeks_waited), np.nan, days)


def _numeric_column(factor: Factor, wl: WaitingList, source: str) -> np.ndarray:
    values = wl.column(factor.source)
    if values.dtype.kind in "fiub":
        return values.astype(np.float64)
    if values.dtype.kind == "M":
        raise WorkbenchError(f"{source}: factor '{factor.name}' uses the date column '{factor.source}'; "
                             "use weeks_waited or a numeric column instead")
    return _text_to_numbers(values, factor, source)


def _text_to_numbers(values: np.ndarray, factor: Factor, source: str) -> np.ndarray:
    """Yes/no words to 1/0 and number text to numbers; anything else is an error."""
    meaning = {value: _text_value(value) for value in set(values.tolist())}
    bad = sorted(str(v) for v, number in meaning.items() if number is None)
    if bad:
        examples = ", ".join(repr(v) for v in bad[:3])
        raise WorkbenchError(f"{source}: factor '{factor.name}': the column '{factor.source}' holds {examples}, "
                             "which is neither yes/no nor a number")
    return np.fromiter((meaning[v] for v in values.tolist()), dtype=np.float64, count=len(values))


def _text_value(value: Any) -> float | None:
    """1.0/0.0 for yes/no words, the number for number text, NaN for blanks; None if unreadable.

    >>> _text_value(" Yes"), _text_value("N"), _text_value("2.5"), _text_value("N/A"), _text_value("blue")
    (1.0, 0.0, 2.5, nan, None)
    """
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    word = str(value).strip().casefold()
    if word in TRUE_WORDS:
        return 1.0
    if word in FALSE_WORDS:
        return 0.0
    if word in MISSING_WORDS:
        return math.nan
    try:
        number = float(word.replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def factor_units(factor: Factor, prepared: Prepared, source: str = "<rules>") -> np.ndarray:
    """The transformed value per row, missing values filled by the factor's policy (weight not applied)."""
    # Everything but the weight's sign decides the units, so one cache entry
    # serves every slider position.
    key = (factor.source, factor.transform, factor.at_least, factor.maximum, factor.lookup, factor.missing,
           factor.weight >= 0)
    if key not in prepared.units:
        transformed = _transform(factor, factor_values(factor, prepared, source))
        prepared.units[key] = _read_only(_fill_missing(factor, transformed))
    return prepared.units[key]


def _transform(factor: Factor, values: np.ndarray) -> np.ndarray:
    if factor.transform == "threshold":
        return np.where(np.isnan(values), np.nan, (values >= factor.at_least).astype(np.float64))
    if factor.transform == "capped":
        return np.minimum(values, factor.maximum)
    if factor.transform == "banded":
        looked_up = np.where(np.isnan(values), np.nan, 0.0)
        for band in factor.lookup:
            looked_up[(values >= band.low) & (values <= band.high)] = band.value
        return looked_up
    return values


def _fill_missing(factor: Factor, units: np.ndarray) -> np.ndarray:
    missing = np.isnan(units)
    if not missing.any():
        return units
    return np.where(missing, _missing_unit(factor, units[~missing]), units)


def _missing_unit(factor: Factor, present: np.ndarray) -> float:
    """What a missing value counts as: 0 (neutral) or the least the factor can give (lowest)."""
    if factor.missing == "neutral":
        return 0.0
    if factor.transform == "threshold":
        possible = np.array([0.0, 1.0])
    elif factor.transform == "banded":
        possible = np.array([0.0] + [band.value for band in factor.lookup])
    else:
        possible = present if len(present) else np.array([0.0])
    # "Least" is in contribution terms: with a negative weight that is the largest unit.
    return float(possible.min() if factor.weight >= 0 else possible.max())


# ---------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True, eq=False)
class Ranking:
    """An order of a list under a rule set, with each factor's part of each score.

    Invariants: ``order`` is a permutation of ``range(n)`` (first treated
    first); ``rank[order[i]] == i + 1``; ``score`` equals the sum of
    ``contributions`` (weeks-equivalent, after the social cap);
    ``band_names[band[row]]`` names a row's band.
    """

    rule_set: RuleSet
    order: np.ndarray
    rank: np.ndarray
    score: np.ndarray
    band: np.ndarray
    contributions: dict[str, np.ndarray]
    band_names: tuple[str, ...]
    social_scale: np.ndarray  # share of the social factors kept after the cap (1.0 = not capped)

    def __len__(self) -> int:
        return len(self.order)

    def social_part(self) -> np.ndarray:
        """Per row: the social and deprivation part of the score, in weeks-equivalent."""
        return _total([self.contributions[f.name] for f in self.rule_set.factors if f.is_social], len(self.order))


def rank(rule_set: RuleSet, wl: WaitingList, *, prepared: Prepared | None = None) -> Ranking:
    """Order ``wl`` by ``rule_set``. Pass ``prepared=prepare(wl)`` to re-rank quickly.

    >>> import numpy as np
    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> wl = WaitingList(row_id=np.arange(1, 4), columns={
    ...     "pathway_id": np.array(["A", "B", "C"], dtype=object),
    ...     "clinical_priority": np.array(["P3", "P2", "P3"], dtype=object),
    ...     "weeks_waited": np.array([10.0, 2.0, 30.0])})
    >>> rank(treat_in_turn(), wl).order.tolist()
    [1, 2, 0]
    """
    if prepared is None:
        check_columns(rule_set, wl)
        prepared = prepare(wl)
    elif prepared.wl is not wl:
        raise ValueError("prepared was made for a different list")
    else:
        check_columns(rule_set, wl)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below, in words
        contributions, social_scale = _contributions(rule_set, prepared)
        score = _total(contributions, len(wl))
    _refuse_scores_that_do_not_add_up(rule_set, contributions, score)
    band = _band_lookup(rule_set)[prepared.priority_code]
    order = _order(rule_set, score, band, prepared)
    return Ranking(rule_set, order, _inverse(order, 1), score, band, contributions, rule_set.bands.names, social_scale)


def _refuse_scores_that_do_not_add_up(rule_set: RuleSet, contributions: dict, score: np.ndarray) -> None:
    """Bad data never decides who goes first: a column value so large (1e308) that a score
    overflows to infinity is refused, naming the factor, never ranked first or last."""
    if np.isfinite(score).all():
        return
    worst = max(rule_set.factors, key=lambda f: np.abs(contributions[f.name]).max())
    count = int((~np.isfinite(score)).sum())
    raise WorkbenchError(f"{rule_set.source}: factor '{worst.name}' gives {count:,} patients a part too large to add "
                         f"up (the column '{worst.source}' holds numbers far beyond any real value): check that column")


@dataclass(eq=False)
class WithoutFactors:
    """The rank each patient would have without each social factor of a ranking's rule set.

    "Without" a factor: its weight set to 0, everything else as it is (the
    social cap then applies to the other social factors). Worked out per
    factor when first asked for and kept, so one set serves a rule set: the
    factor's sort keys cost a few vector sums (the transformed values are
    already in ``prepared``); one patient's rank is then one comparison over
    the list, and everyone's (for an export) one sort.

    >>> import numpy as np
    >>> from workbench.rank.rule_file import parse_rules
    >>> wl = WaitingList(np.arange(1, 4), {"weeks_waited": np.array([10.0, 8.0, 6.0]),
    ...                                    "Carer": np.array(["N", "N", "Y"], dtype=object)})
    >>> rules = parse_rules('name = "R"\\n[[factors]]\\nname = "Weeks"\\nsource = "weeks_waited"\\n'
    ...                     '[[factors]]\\nname = "Carer"\\ngroup = "social"\\nsource = "Carer"\\nweight = 5')
    >>> prepared = prepare(wl)
    >>> without = WithoutFactors(rank(rules, wl, prepared=prepared), prepared)
    >>> int(rank(rules, wl, prepared=prepared).rank[2]), without.rank_of(2), without.ranks("Carer").tolist()
    (1, {'Carer': 3}, [1, 2, 3])
    """

    ranking: Ranking
    prepared: Prepared
    _keys: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def factors(self) -> list[str]:
        """The social factors of the rule set, in its order."""
        return [factor.name for factor in self.ranking.rule_set.factors if factor.is_social]

    def work_out(self, progress: Progress = no_progress, cancelled: CancelCheck = never) -> "WithoutFactors":
        """Work out every factor's keys now (on a worker), so asking about a patient later is quick."""
        for number, name in enumerate(self.factors):
            check(cancelled)
            progress(number / max(len(self.factors), 1), f"Ranking without {name}")
            self.keys(name)
        return self

    def keys(self, name: str) -> np.ndarray:
        """Every row's sort key under the rule set without factor ``name`` (kept for the next question)."""
        if name not in self._keys:
            rule_set = with_weight(self.ranking.rule_set, name, 0.0)
            contributions, _scale = _contributions(rule_set, self.prepared)
            score = _total(contributions, len(self.ranking))
            self._keys[name] = _read_only(_keys(rule_set, score, self.ranking.band, self.prepared))
        return self._keys[name]

    def rank_of(self, position: int) -> dict[str, int]:
        """Row ``position``'s rank without each social factor, by factor name."""
        ranks = {}
        for name in self.factors:
            keys = self.keys(name)
            ranks[name] = int(np.count_nonzero(keys < keys[position])) + 1
        return ranks

    def ranks(self, name: str) -> np.ndarray:
        """Every row's rank without factor ``name`` (1 = first treated)."""
        return _inverse(_order_of_keys(self.keys(name).copy(), self.prepared), 1)


def _band_lookup(rule_set: RuleSet) -> np.ndarray:
    return np.array([rule_set.bands.band_of(code) for code in PRIORITY_BAND_CODES], dtype=np.int8)


def _contributions(rule_set: RuleSet, prepared: Prepared) -> tuple[dict[str, np.ndarray], np.ndarray]:
    contributions = {
        factor.name: factor.weight * factor_units(factor, prepared, rule_set.source) for factor in rule_set.factors
    }
    social = [contributions[f.name] for f in rule_set.factors if f.is_social]
    scale = _social_scale(rule_set.social_cap_weeks, social, len(prepared.wl))
    capped = np.flatnonzero(scale < 1.0)
    for values in social:
        values[capped] *= scale[capped]  # only capped rows change: cheaper than scaling every row
    return contributions, scale


def _social_scale(cap: float | None, social: list[np.ndarray], n: int) -> np.ndarray:
    """Per row, the share of the social contributions kept so their sum is at most ``cap``.

    Scaling every social factor by the same share keeps the explanation adding
    up: a capped patient's carer and deprivation parts shrink together.

    >>> _social_scale(8.0, [np.array([4.0, 10.0]), np.array([2.0, 6.0])], 2).tolist()
    [1.0, 0.5]
    """
    scale = np.ones(n)
    if cap is None or not social:
        return scale
    total = _total(social, n)
    over = np.flatnonzero(total > cap)
    scale[over] = cap / total[over]
    return scale


def _total(parts, n: int) -> np.ndarray:
    """Sum of equal-length arrays (a dict's values or a list), added in place."""
    total = np.zeros(n)
    for values in parts.values() if isinstance(parts, dict) else parts:
        total += values
    return total


def _order(rule_set: RuleSet, score: np.ndarray, band: np.ndarray, prepared: Prepared) -> np.ndarray:
    """Treatment order: sort one int64 key per row packing band, score steps and tie place.

    Every key is unique (the low bits are the row's place in the tie-break
    order), so a plain fast sort gives the same result as a stable sort of
    the rows in tie-break order, and the low bits of the sorted keys say
    which row each one is.
    """
    return _order_of_keys(_keys(rule_set, score, band, prepared), prepared)


def _order_of_keys(key: np.ndarray, prepared: Prepared) -> np.ndarray:
    """The order the keys give (sorted in place: pass a copy to keep them)."""
    key.sort()
    return prepared.tie_order[key & ((1 << _index_bits(len(key))) - 1)]


def _index_bits(n: int) -> int:
    return max(1, (n - 1).bit_length())


def _keys(rule_set: RuleSet, score: np.ndarray, band: np.ndarray, prepared: Prepared) -> np.ndarray:
    """One unique int64 key per row: a row goes before every row with a larger key."""
    n = len(score)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    index_bits = _index_bits(n)
    band_bits = max(1, (len(rule_set.bands.order) - 1).bit_length())
    score_bits = KEY_BITS - index_bits - band_bits
    band = band.astype(np.int64)
    if rule_set.bands.strict:
        steps = _score_steps(score.max() - score, score_bits)
        key = (band << (score_bits + index_bits)) | (steps << index_bits)
    else:
        highest, lowest = _band_extremes(rule_set, score, prepared)
        distance = _overlap_distance(rule_set.bands.overlap_weeks, score, band, highest, lowest)
        key = (_score_steps(distance, score_bits) << (band_bits + index_bits)) | (band << index_bits)
    key |= prepared.tie_place
    return key


def _score_steps(distance: np.ndarray, bits: int) -> np.ndarray:
    """Non-negative distances as whole steps of 2^-20 week (coarser only if they would not fit)."""
    largest = float(distance.max()) if len(distance) else 0.0
    exponent = max(SCORE_STEP_EXPONENT, math.frexp(largest)[1] - bits + 1)
    # Scaling by a power of two is exact; truncation floors (distances are >= 0).
    return (distance * 2.0**-exponent).astype(np.int64)


def _band_extremes(rule_set: RuleSet, score: np.ndarray, prepared: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Highest and lowest score in each band (-inf and inf for an empty band)."""
    counts = prepared.priority_counts
    grouped = score[prepared.by_priority]
    starts = np.cumsum(counts) - counts
    present = counts > 0
    code_highest = np.full(len(counts), -np.inf)
    code_lowest = np.full(len(counts), np.inf)
    if present.any():
        code_highest[present] = np.maximum.reduceat(grouped, starts[present])
        code_lowest[present] = np.minimum.reduceat(grouped, starts[present])
    band_of_code = _band_lookup(rule_set)
    bands = len(rule_set.bands.order)
    highest = np.array([code_highest[band_of_code == b].max() for b in range(bands)])
    lowest = np.array([code_lowest[band_of_code == b].min() for b in range(bands)])
    return highest, lowest


def _overlap_distance(
    overlap: tuple[float, ...], score: np.ndarray, band: np.ndarray, highest: np.ndarray, lowest: np.ndarray
) -> np.ndarray:
    """Each row's place on one line of weeks-equivalent (smaller first) when bands may overlap.

    Band b covers [start_b, start_b + its score range]: its best score at
    start_b, its lowest at the end. It starts ``overlap[b]`` before the end of
    band b - 1, but never before the end of any band ahead of b - 1.
    """
    bands = len(overlap)
    present = highest >= lowest
    start = np.zeros(bands)
    end = np.zeros(bands)
    for b in range(bands):
        before = end[b - 1] if b else 0.0
        floor = end[: b - 1].max() if b > 1 else 0.0
        start[b] = max(before - overlap[b], floor)
        end[b] = start[b] + (highest[b] - lowest[b]) if present[b] else before
    return np.maximum(start[band] + (highest[band] - score), 0.0)


# ---------------------------------------------------------------------------
# Explanations


@dataclass(frozen=True)
class Explanation:
    """Why one patient is where they are: each factor's part, band and both ranks."""

    position: int  # 0-based row position in the list
    row_id: int
    pathway_id: str | None
    band: str
    weeks_waited: float
    score: float
    contributions: dict[str, float]  # factor name -> weeks-equivalent, after the cap
    words: dict[str, str]  # factor name -> how a sentence names it
    reasons: tuple[str, ...]  # factor names that can move a patient (not time waited)
    rank: int
    baseline_rank: int
    social_cap_weeks: float | None
    social_capped: bool
    wait_not_counted: str | None = None  # why time waited is not counted, in words (see waits)
    rank_without: dict[str, int] = field(default_factory=dict)  # social factor name -> rank without it

    def without_lines(self) -> list[tuple[str, int, str]]:
        """(factor in words, rank without it, how that compares with the rank now) per social factor.

        The comparison reads "19 places later", "1 place sooner" or "the same".
        """
        return [(self.words[name] or name, rank, places_words(self.rank - rank)) for name, rank in self.rank_without.items()]

    def without_text(self) -> str:
        """The rank this patient would have without each social factor, in words ("" if not worked out).

        e.g. ``"Rank 82; 110 without most deprived quintile in England, 95 without return to work."``
        """
        if not self.rank_without:
            return ""
        parts = [f"{rank:,} without {self.words[name] or name}" for name, rank in self.rank_without.items()]
        return f"Rank {self.rank:,}; " + ", ".join(parts) + "."

    def biggest_without_text(self) -> str:
        """The social factor that moves this patient most, with their rank without it ("" if none).

        >>> e = Explanation(0, 1, "A", "P2", 3.0, 7.0, {"Carer": 1.0, "LD": 0.0}, {"Carer": "carer", "LD": "learning "
        ...                 "disability"}, ("Carer", "LD"), 5, 9, None, False, rank_without={"Carer": 7, "LD": 5})
        >>> e.biggest_without_text()
        '7 without carer (2 places later)'
        """
        lines = self.without_lines()
        if not lines:
            return ""
        words, rank, change = max(lines, key=lambda line: abs(line[1] - self.rank))
        return f"{rank:,} without {words} ({change})"

    @property
    def movement(self) -> int:
        """Places moved up (negative: moved down)."""
        return self.baseline_rank - self.rank

    def sentence(self) -> str:
        """The explanation in plain words.

        e.g. ``"Moved up 212 places: most deprived quintile (+4.0 weeks-equivalent), carer (+1.0)."``
        """
        parts = self._reason_parts()
        text = self._movement_words()
        if parts:
            text += ": " + ", ".join(parts)
        elif self.movement > 0:
            text += "; no factor other than time waited applies to this patient"
        elif self.movement < 0:
            text += f": others in {self.band} gained more from the rules' other factors"
        if self.social_capped:
            text += f" (social factors capped at {self.social_cap_weeks:g} weeks)"
        if self.wait_not_counted:
            text += f". Note: {self.wait_not_counted}"
        return text + "."

    def _movement_words(self) -> str:
        places = abs(self.movement)
        plural = "place" if places == 1 else "places"
        if self.movement > 0:
            return f"Moved up {places:,} {plural}"
        if self.movement < 0:
            return f"Moved down {places:,} {plural}"
        return f"No change (rank {self.rank:,})"

    def _reason_parts(self) -> list[str]:
        shown = [n for n in self.reasons if abs(self.contributions[n]) >= 0.05]
        shown.sort(key=lambda n: -abs(self.contributions[n]))
        parts = [f"{self.words[n]} ({self.contributions[n]:+.1f})" for n in shown]
        if parts:
            parts[0] = parts[0][:-1] + " weeks-equivalent)"
        return parts

    def as_dict(self) -> dict:
        """JSON-friendly form (the ``explain`` command prints it)."""
        return {
            "pathway_id": self.pathway_id,
            "row_id": self.row_id,
            "band": self.band,
            "weeks_waited": None if math.isnan(self.weeks_waited) else round(self.weeks_waited, 2),
            "score": round(self.score, 4),
            "contributions": {name: round(value, 4) for name, value in self.contributions.items()},
            "social_cap_weeks": self.social_cap_weeks,
            "social_capped": self.social_capped,
            "rank": self.rank,
            "baseline_rank": self.baseline_rank,
            "movement": self.movement,
            "wait_not_counted": self.wait_not_counted,
            "rank_without": dict(self.rank_without),
            "sentence": self.sentence(),
            "without": self.without_text(),
        }


def explain(rule_set: RuleSet, wl: WaitingList, ranking: Ranking, baseline: Ranking, position: int,
            without: WithoutFactors | None = None) -> Explanation:
    """Explain row ``position`` (0-based) of ``wl``: its factors, band, both ranks, and (with ``without``,
    made for ``ranking``) the rank it would have without each social factor."""
    if not 0 <= position < len(wl):
        raise IndexError(f"row position {position} is outside the list of {len(wl)} rows")
    ids = wl.columns.get("pathway_id")
    weeks = wl.columns.get(WEEKS_WAITED)
    return Explanation(
        position=int(position),
        row_id=int(wl.row_id[position]),
        pathway_id=None if ids is None else ids[position],
        band=ranking.band_names[ranking.band[position]],
        weeks_waited=math.nan if weeks is None else float(weeks[position]),
        score=float(ranking.score[position]),
        contributions={f.name: float(ranking.contributions[f.name][position]) for f in rule_set.factors},
        words={f.name: factor_words(f, _nation_of(wl, position)) for f in rule_set.factors},
        reasons=tuple(f.name for f in rule_set.factors if f.source != WEEKS_WAITED),
        rank=int(ranking.rank[position]),
        baseline_rank=int(baseline.rank[position]),
        social_cap_weeks=rule_set.social_cap_weeks,
        social_capped=bool(ranking.social_scale[position] < 1.0),
        wait_not_counted=waits.not_counted_words(wl, position),
        rank_without={} if without is None else without.rank_of(position),
    )


def places_words(moved: int) -> str:
    """How much sooner (positive) or later a patient would be treated, in words.

    >>> places_words(-28), places_words(1), places_words(0)
    ('28 places later', '1 place sooner', 'the same')
    """
    if moved == 0:
        return "the same"
    return f"{abs(moved):,} place{'s' if abs(moved) != 1 else ''} {'later' if moved < 0 else 'sooner'}"


def factor_words(factor: Factor, nation: str | None) -> str:
    """How a sentence names a factor for one patient: a deprivation factor names whose index it is
    (each nation's quintile is its own), and an IoD2025 domain without a label says which domain.

    >>> factor_words(Factor(name="Deprived", label="most deprived quintile", source="imd_quintile"), "Wales")
    'most deprived quintile in Wales'
    >>> factor_words(Factor(name="Income", source="imd_income_decile"), "England")
    'income deprivation in England'
    """
    if factor.source not in deprivation.NATION_FIELDS:
        return factor.words
    domain = deprivation.DOMAINS.get(factor.source)
    words = factor.label or (domain[1] if domain else factor.name)
    return deprivation.with_nation(words, nation)


def _nation_of(wl: WaitingList, position: int) -> str | None:
    nation = wl.columns.get("deprivation_nation")
    return None if nation is None else nation[position]


def position_of_pathway(wl: WaitingList, pathway_id: str, source: str = "the list") -> int:
    """Row position of the first row with this pathway ID; :class:`WorkbenchError` if none."""
    ids = wl.columns.get("pathway_id")
    wanted = pathway_id.strip()
    if ids is not None:
        for position, value in enumerate(ids):
            if isinstance(value, str) and value.strip() == wanted:
                return position
    raise WorkbenchError(f"{source}: no patient with pathway ID '{pathway_id}' on the list")


# ---------------------------------------------------------------------------
# Comparing two orders


@dataclass(frozen=True)
class Comparison:
    """How a scenario order differs from a baseline order of the same list."""

    rows: int
    kendall_tau: float
    moved_up: int
    moved_down: int
    unchanged: int
    mean_movement: float  # mean places moved, either way
    max_moved_up: int
    max_moved_down: int
    top_n: int
    entering: np.ndarray  # row positions new to the top N, in scenario order
    leaving: np.ndarray  # row positions that left the top N, in baseline order

    def as_dict(self, wl: WaitingList | None = None) -> dict:
        """JSON-friendly summary; with ``wl``, the top-N changes are named by pathway ID."""
        ids = None if wl is None else wl.columns.get("pathway_id")
        named = (lambda rows: rows.tolist()) if ids is None else (lambda rows: [ids[r] for r in rows])
        return {
            "rows": self.rows,
            "kendall_tau": round(self.kendall_tau, 6),
            "moved_up": self.moved_up,
            "moved_down": self.moved_down,
            "unchanged": self.unchanged,
            "mean_movement": round(self.mean_movement, 2),
            "max_moved_up": self.max_moved_up,
            "max_moved_down": self.max_moved_down,
            "top_n": self.top_n,
            "entering_top_n": named(self.entering),
            "leaving_top_n": named(self.leaving),
        }

    def sentence(self, rule_name: str = "", baseline_name: str = "") -> str:
        """The comparison in one line, as the ranked list's heading says it.

        >>> Comparison(10, 0.8, 3, 2, 5, 1.2, 4, 2, 5, np.array([1]), np.array([2])).sentence(
        ...     "Inclusive recovery", "Treat in turn")
        'Inclusive recovery against Treat in turn: 3 moved up (at most 4 places), 2 moved down (at most 2), 5 unchanged; rank correlation (Kendall tau) 0.800.'
        """
        return (f"{rule_name} against {baseline_name}: {self.moved_up:,} moved up (at most {self.max_moved_up:,} "
                f"places), {self.moved_down:,} moved down (at most {self.max_moved_down:,}), {self.unchanged:,} "
                f"unchanged; rank correlation (Kendall tau) {formats.correlation(self.kendall_tau)}.")


def compare(baseline: Ranking, scenario: Ranking, top_n: int = 100) -> Comparison:
    """Kendall tau, who moved and how far, and how the top ``top_n`` changed."""
    if len(baseline) != len(scenario):
        raise ValueError("the two rankings are of different lists")
    movement = baseline.rank - scenario.rank
    top_n = min(max(top_n, 0), len(scenario))
    return Comparison(
        rows=len(scenario),
        kendall_tau=kendall_tau(baseline.order, scenario.rank),
        moved_up=int((movement > 0).sum()),
        moved_down=int((movement < 0).sum()),
        unchanged=int((movement == 0).sum()),
        mean_movement=float(np.abs(movement).mean()) if len(movement) else 0.0,
        max_moved_up=int(max(movement.max(), 0)) if len(movement) else 0,
        max_moved_down=int(max(-movement.min(), 0)) if len(movement) else 0,
        top_n=top_n,
        entering=_not_in(scenario.order[:top_n], baseline.order[:top_n]),
        leaving=_not_in(baseline.order[:top_n], scenario.order[:top_n]),
    )


def _not_in(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    return rows[~np.isin(rows, others)]


def kendall_tau(baseline_order: np.ndarray, scenario_rank: np.ndarray) -> float:
    """Rank correlation of two orders without ties: 1 same, -1 reversed (O(n log n)).

    >>> kendall_tau(np.array([0, 1, 2]), np.array([1, 2, 3]))
    1.0
    >>> kendall_tau(np.array([0, 1, 2]), np.array([3, 2, 1]))
    -1.0
    """
    n = len(baseline_order)
    if n < 2:
        return 1.0
    # The scenario's rank of each patient, walking the baseline order: every
    # pair out of order here is a discordant pair.
    discordant = count_inversions(np.asarray(scenario_rank)[baseline_order] - 1)
    return 1.0 - 4.0 * discordant / (n * (n - 1))


def count_inversions(values: np.ndarray) -> int:
    """Pairs i < j with values[i] > values[j], for distinct non-negative integers.

    Bit by bit from the top: within each group sharing the higher bits, a 1
    before a 0 is an inversion; then a stable split (0s before 1s) readies the
    next bit. O(n log max) with whole-array NumPy steps.

    >>> count_inversions(np.array([2, 0, 3, 1]))
    3
    """
    x = np.asarray(values, dtype=np.int64).copy()
    n = len(x)
    if n < 2:
        return 0
    inversions = 0
    for bit in range(int(x.max()).bit_length() - 1, -1, -1):
        counted, x = _inversions_at_bit(x, bit)
        inversions += counted
    return inversions


def _inversions_at_bit(x: np.ndarray, bit: int) -> tuple[int, np.ndarray]:
    """Inversions decided at ``bit``, and ``x`` stably split on it within each group."""
    n = len(x)
    higher = x >> (bit + 1)  # x is already grouped (stably sorted) by these
    ones = (x >> bit) & 1
    starts = np.flatnonzero(np.diff(higher, prepend=-1))
    sizes = np.diff(np.append(starts, n))
    ones_seen = np.cumsum(ones) - ones  # ones before each position, whole array
    ones_before = ones_seen - np.repeat(ones_seen[starts], sizes)  # ... within its group
    counted = int(ones_before[ones == 0].sum())
    zeros_before = (np.arange(n) - np.repeat(starts, sizes)) - ones_before
    zeros_in_group = np.repeat(sizes - np.add.reduceat(ones, starts), sizes)
    group_start = np.repeat(starts, sizes)
    new_place = np.where(ones == 1, group_start + zeros_in_group + ones_before, group_start + zeros_before)
    split = np.empty_like(x)
    split[new_place] = x
    return counted, split
