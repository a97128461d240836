"""Projected waits at treatment: the list served week by week while new referrals join it.

**The model.** Time runs in weeks from the census date. Capacity ``c`` treats
one patient every ``1/c`` weeks: the j-th treatment (0-based) happens at
``(j + 1) / c``, so week ``k`` holds the treatments falling in ``(k, k + 1]``.
New referrals arrive at ``d`` a week (the week's count is the whole part of
``d x (k + 1)`` minus that of ``d x k``, so fractions add up), join the list
at the start of their week and have waited 0 weeks then. Each treatment goes
to the patient the rule set puts first at that moment, among those waiting:
clinical priority band first, then the score, which grows as patients wait;
ties go to whoever has waited longer (a patient now on the list before a new
referral), then the rule set's own tie-break. A patient whose wait is not
known (a flagged clock start) counts as the rule set's missing-value policy
says at the census date and waits on from there like everyone else.

**New referrals are like the list.** By default each new referral copies a
patient of the list (its priority, deprivation, ethnic group, social factors:
everything but its wait), taking the list's rows in a fixed shuffled order
(seeded), so over time they come in the list's own mix of bands and groups.
Given per priority (``{"P2": 5, "P4": 20}``), referrals of each priority copy
patients of that priority. Patients whose clock has stopped are not copied.

**Rule sets whose scores grow alike.** When every time factor of a rule set
is linear (weeks waited, share of the time limit used) and its bands are
strict, every score in a band grows at the same rate, so patients keep their
order among themselves and only new referrals move in between: their place
is fixed when they arrive. The projection is then exact for this model, and
with no new referrals it is the closed form ``weeks waited + (k + 1) / c``
for the patient k-th in the order (see :mod:`workbench.compare.equity`).

**Other rule sets** (a threshold, cap or banded lookup on time, bands that
overlap) are scored again by their own rules at the start of every week of
the horizon and every ``LATER_EPOCH_WEEKS`` weeks after it; in between,
scores grow by the rule set's linear weight of weeks waited. Re-scoring
sorts only the patients who could be treated before the next re-scoring.

**How far it looks.** Week by week until every patient now on the list is
treated, and at least to the horizon (for the list's size then); at most
``LIMIT_WEEKS`` weeks. Where demand outruns capacity in the bands above a
patient, that patient may not be treated within the limit: they count as
still waiting at its end (their projected wait is then a lower bound) and
the figures say how many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from workbench.check import waits
from workbench.fields import PRIORITY_TIME_LIMIT_DAYS, WaitingList
from workbench.errors import WorkbenchError
from workbench.rank.ranking import (
    Prepared, Ranking, _missing_unit, _overlap_distance, _priority_codes, _transform, factor_units, factor_values,
)
from workbench.rank.rules import PRIORITY_BAND_CODES, TIME_LIMIT_USED, UNKNOWN, WEEKS_WAITED, RuleSet

LIMIT_WEEKS = 520  # ten years: a list that does not clear by then is reported as such
LATER_EPOCH_WEEKS = 13  # re-scoring interval after the horizon, for rule sets whose scores grow unevenly
REFERRAL_SEED = 20  # the shuffled order in which new referrals copy the list's patients
TINY = 1e-9  # stops 0.1 x 30 = 2.9999999 losing a patient


# --------------------------------------------------------------------------- new referrals
@dataclass(frozen=True)
class Stream:
    """Referrals arriving at ``per_week``, the i-th copying row ``profiles[i % len(profiles)]``."""

    per_week: float
    profiles: np.ndarray

    def between(self, first_week: int, last_week: int) -> tuple[int, int]:
        """Indices [start, stop) of the referrals arriving in weeks first_week .. last_week - 1."""
        return _arrived(self.per_week, first_week), _arrived(self.per_week, last_week)


def _arrived(per_week: float, weeks: float) -> int:
    return int(math.floor(per_week * weeks + TINY)) if per_week > 0 else 0


def referral_streams(
    wl: WaitingList, rows: np.ndarray, per_week: float | None, by_priority: Mapping[str, float] | None = None,
) -> tuple[Stream, ...]:
    """How new referrals reach the queue holding ``rows``: one stream in the list's mix, or one per priority.

    >>> wl = WaitingList(np.arange(1, 5), {"clinical_priority": np.array(["P2", "P4", "P4", "P4"], dtype=object)})
    >>> [(s.per_week, sorted(s.profiles.tolist())) for s in referral_streams(wl, np.arange(4), None, {"P2": 1.5})]
    [(1.5, [0])]
    """
    rows = _still_waiting(wl, rows)
    rng = np.random.default_rng(REFERRAL_SEED)
    if not by_priority:
        return (Stream(float(per_week), rng.permutation(rows)),) if per_week and len(rows) else ()
    codes = _priority_codes(wl)[rows]
    streams = []
    for code, rate in by_priority.items():
        index = _code_index(code)
        of_code = rows[codes == index]
        if rate > 0 and not len(of_code):
            raise WorkbenchError(f"New referrals for {PRIORITY_BAND_CODES[index]}: no patient on the list has that "
                                 "priority, so there is no one whose groups they could take")
        if rate > 0:
            streams.append(Stream(float(rate), rng.permutation(of_code)))
    return tuple(streams)


def referral_priorities(wl: WaitingList, prepared: Prepared | None = None) -> list[str]:
    """The priorities new referrals can be given for: those of the patients still waiting (a referral
    copies the groups of a patient of its priority), most urgent first. ``prepared`` holds each row's
    priority already (reading it again from the text takes a tenth of a second on a million rows).

    >>> referral_priorities(WaitingList(np.arange(1, 4), {"clinical_priority": np.array(["P4", "p2", "X"], dtype=object)}))
    ['P2', 'P4']
    """
    codes = prepared.priority_code if prepared is not None else _priority_codes(wl)
    present = np.bincount(codes[_still_waiting(wl, np.arange(len(wl)))], minlength=len(PRIORITY_BAND_CODES))
    return [code for code, count in zip(PRIORITY_BAND_CODES, present) if count and code != UNKNOWN]


def _still_waiting(wl: WaitingList, rows: np.ndarray) -> np.ndarray:
    reasons = wl.columns.get("wait_not_counted")
    return rows if reasons is None else rows[reasons[rows] != waits.CLOCK_STOPPED]


def _code_index(code: str) -> int:
    wanted = str(code).strip().casefold()
    for index, known in enumerate(PRIORITY_BAND_CODES):
        if known.casefold() == wanted:
            return index
    raise WorkbenchError(f"New referrals per priority: '{code}' is not a priority "
                         f"(use {', '.join(PRIORITY_BAND_CODES[:-1])})")


# --------------------------------------------------------------------------- how scores grow
def band_slopes(rule_set: RuleSet) -> np.ndarray | None:
    """Per band, how much every score grows a week, when all scores of a band grow alike; else None.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> band_slopes(treat_in_turn()).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    if not rule_set.bands.strict:
        return None
    slopes = np.zeros(len(rule_set.bands.order))
    for factor in _time_factors(rule_set):
        if factor.transform != "linear" or factor.is_social:
            return None
        for band, codes in enumerate(rule_set.bands.order):
            rates = {_weekly_rate(factor.source, code) for code in codes}
            if len(rates) > 1:
                return None
            slopes[band] += factor.weight * rates.pop()
    return slopes if (slopes >= 0).all() else None


def _time_factors(rule_set: RuleSet):
    return [f for f in rule_set.factors if f.source in (WEEKS_WAITED, TIME_LIMIT_USED)]


def _weekly_rate(source: str, code: str) -> float:
    """How fast a time factor's value grows a week for a priority (0: it has no time limit)."""
    if source == WEEKS_WAITED:
        return 1.0
    limit = PRIORITY_TIME_LIMIT_DAYS.get(code)
    return 7.0 / limit if limit else 0.0


# --------------------------------------------------------------------------- keys: who goes first
class StaticKeys:
    """Keys (smaller first) that never change as time passes: the rule set's scores grow alike in a band.

    A patient's key is its band, then its score less what waiting has added
    since the census date; a referral arriving in week k starts with its
    copied patient's score without the time factors, less ``slope x k``.
    """

    rescore_weeks: frozenset[int] = frozenset()

    def __init__(self, ranking: Ranking, slopes: np.ndarray):
        self.band = ranking.band.astype(np.int64)
        self.slope = slopes[self.band]
        self.score = ranking.score
        self.fresh = ranking.score - _time_part(ranking, slopes)  # a new referral's score on arrival
        self.top = float(max(ranking.score.max(initial=0.0), self.fresh.max(initial=0.0)))
        lowest = min(ranking.score.min(initial=0.0), self.fresh.min(initial=0.0))
        self.gap = 2.0 ** math.ceil(math.log2(self.top - lowest + slopes.max(initial=0) * LIMIT_WEEKS + 2.0))

    def existing(self, rows: np.ndarray, week: int) -> np.ndarray:
        keys = self.band[rows] * self.gap + (self.top - self.score[rows])
        return np.maximum.accumulate(keys) if len(keys) else keys  # the ranking's order, float noise aside

    def arriving(self, profiles: np.ndarray, week: int) -> np.ndarray:
        return self.band[profiles] * self.gap + (self.top - self.fresh[profiles] + self.slope[profiles] * week)


def _time_part(ranking: Ranking, slopes: np.ndarray) -> np.ndarray:
    """The part of each score that time waited gives (a referral has none on arrival), where time counts."""
    part = np.zeros(len(ranking.score))
    bands = ranking.rule_set.bands.order
    for factor in _time_factors(ranking.rule_set):
        grows = np.array([_weekly_rate(factor.source, codes[0]) > 0 for codes in bands])[ranking.band]
        part += np.where(grows, ranking.contributions[factor.name], 0.0)
    return part


class RescoredKeys:
    """Keys for rule sets whose scores do not grow alike: scored again by the rules at each epoch.

    Between epochs every score grows by the rule set's linear weight of weeks
    waited, so keys are fixed within an epoch. ``profiles`` are the rows new
    referrals copy (their scores on arrival place their bands when bands overlap).
    """

    def __init__(self, ranking: Ranking, prepared: Prepared, horizon_weeks: float, profiles: np.ndarray):
        rules = ranking.rule_set
        self.rules, self.score = rules, ranking.score
        self.band = ranking.band.astype(np.int64)
        self.slope = sum((f.weight for f in rules.factors if f.source == WEEKS_WAITED and f.transform == "linear"), 0.0)
        self.tie_place = prepared.tie_place
        self._time = _TimeFactors(rules, prepared)
        self.static = ranking.score - self._time.at_census()
        fresh = self.scores(profiles, 0.0, existing=False)
        self.fresh_extremes = _band_extremes(fresh, self.band[profiles], len(rules.bands.order))
        self.rescore_weeks = frozenset(_epochs(horizon_weeks)) - {0}
        self.epoch = 0
        self._extremes = None

    def existing(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Keys at the census date, in the ranking's order."""
        self.begin_epoch(0, [(self.score[rows], rows)])
        keys = self.keys(self.score[rows], rows)
        return np.maximum.accumulate(keys) if len(keys) else keys

    def arriving(self, profiles: np.ndarray, week: int) -> np.ndarray:
        fresh = self.scores(profiles, 0.0, existing=False)
        return self.keys(fresh - self.slope * (week - self.epoch), profiles)

    def reachable(self, rows: np.ndarray, could_be_treated: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the bands the next ``could_be_treated`` treatments could reach, and the rest.

        Bands come in order (one may reach into the band before it when the
        rule set lets it overlap), so the first bands holding that many
        patients, and the band after them if it overlaps, are all that can
        be reached before the next re-scoring: the rest need no new score yet.
        """
        band = self.band[rows]
        bands = len(self.rules.bands.order)
        enough = np.cumsum(np.bincount(band, minlength=bands)) >= could_be_treated
        last = int(np.argmax(enough)) if enough.any() else bands - 1
        if last + 1 < bands and self.rules.bands.overlap_weeks[last + 1] > 0:
            last += 1
        near = band <= last
        return rows[near], rows[~near]

    def epoch_after(self, week: int) -> int:
        later = [w for w in self.rescore_weeks if w > week]
        return min(later) if later else LIMIT_WEEKS

    def scores(self, profiles: np.ndarray, waited, existing: bool) -> np.ndarray:
        """Scores of patients (or referrals copying them) after waiting ``waited`` weeks (since census or arrival;
        one figure for all, or one each)."""
        return self.static[profiles] + self._time.after(profiles, waited, existing)

    def begin_epoch(self, week: int, waiting: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Fix where each band starts and ends on the line of weeks-equivalent (bands that overlap), from
        the scores of those ``waiting`` ((scores, rows) pairs) and of referrals on arrival."""
        self.epoch = week
        if self.rules.bands.strict:
            return
        bands = len(self.rules.bands.order)
        found = [_band_extremes(scores, self.band[rows], bands) for scores, rows in waiting] + [self.fresh_extremes]
        self._extremes = (np.max([high for high, _ in found], axis=0), np.min([low for _, low in found], axis=0))

    def keys(self, scores: np.ndarray, profiles: np.ndarray) -> np.ndarray:
        band = self.band[profiles]
        if self.rules.bands.strict:
            return band * 1e7 + (1e6 - scores)  # scores stay far inside +-1e6 weeks-equivalent
        highest, lowest = self._extremes
        return _overlap_distance(self.rules.bands.overlap_weeks, scores, band, highest, lowest)


def _band_extremes(scores: np.ndarray, band: np.ndarray, bands: int) -> tuple[np.ndarray, np.ndarray]:
    """Highest and lowest score in each band (-inf and inf where a band has nobody)."""
    highest, lowest = np.full(bands, -np.inf), np.full(bands, np.inf)
    for b in range(bands):  # a pass per band (8 at most) beats ufunc.at on a million rows
        mine = scores[band == b]
        if len(mine):
            highest[b], lowest[b] = mine.max(), mine.min()
    return highest, lowest


def _epochs(horizon_weeks: float) -> list[int]:
    """Weeks at whose start a rule set whose scores grow unevenly is scored again."""
    weekly = list(range(int(math.ceil(horizon_weeks))))
    later = range(weekly[-1] + LATER_EPOCH_WEEKS if weekly else LATER_EPOCH_WEEKS, LIMIT_WEEKS, LATER_EPOCH_WEEKS)
    return weekly + list(later)


class _TimeFactors:
    """The time factors of a rule set, evaluated after any wait (values grow from their census values)."""

    def __init__(self, rules: RuleSet, prepared: Prepared):
        self.factors = _time_factors(rules)
        self.prepared = prepared
        limits = np.array([PRIORITY_TIME_LIMIT_DAYS.get(code) or np.nan for code in PRIORITY_BAND_CODES], dtype=float)
        self.per_week = 7.0 / limits[prepared.priority_code]  # share of the time limit a week (NaN: no limit)
        self.fill = {f.name: _missing_unit(f, self._present(f)) for f in self.factors}  # for priorities with no limit
        # Values at the census date; an unknown one counts from 0 then (it waits on like everyone's).
        self.start = {f.source: np.nan_to_num(factor_values(f, prepared), nan=0.0) for f in self.factors}

    def _present(self, factor) -> np.ndarray:
        units = _transform(factor, factor_values(factor, self.prepared))
        return units[~np.isnan(units)]

    def at_census(self) -> np.ndarray:
        units = [f.weight * factor_units(f, self.prepared) for f in self.factors]
        return sum(units) if units else np.zeros(len(self.per_week))

    def after(self, rows: np.ndarray, waited, existing: bool) -> np.ndarray:
        total = np.zeros(len(rows))
        values = {}
        for factor in self.factors:
            if factor.source not in values:
                values[factor.source] = self._values(factor.source, rows, waited, existing)
            units = _transform(factor, values[factor.source])
            if factor.source == TIME_LIMIT_USED:  # no time limit (P4...): missing, filled by the factor's policy
                units = np.where(np.isnan(units), self.fill[factor.name], units)
            total += factor.weight * units
        return total

    def _values(self, source: str, rows: np.ndarray, waited, existing: bool) -> np.ndarray:
        values = (self.per_week[rows] * waited if source == TIME_LIMIT_USED
                  else np.broadcast_to(np.asarray(waited, dtype=np.float64), rows.shape).copy())
        if existing:
            values += self.start[source][rows]
        return values


# --------------------------------------------------------------------------- the projection
@dataclass
class Projection:
    """When each patient now on the list is treated, and what happens to the list's size.

    ``treated_at`` is per row of the list, in weeks after the census date; a
    patient not treated within ``LIMIT_WEEKS`` has the limit there and counts
    in ``not_treated``.
    """

    treated_at: np.ndarray
    in_horizon: np.ndarray  # per row: treated within the horizon
    weeks_followed: int
    not_treated: int
    arrived_by_horizon: int  # new referrals arriving within the horizon
    treated_by_horizon: int  # patients now on the list and new referrals treated within it
    new_treated_by_horizon: int


def project(
    ranking: Ranking,
    queues: list[np.ndarray],
    capacities: list[float],
    streams: list[tuple[Stream, ...]],
    horizon_weeks: float,
    prepared: Prepared | None = None,
) -> Projection:
    """Project an order week by week: each queue (its rows in the order's sequence) with its capacity and referrals."""
    keys = key_model(ranking, horizon_weeks, streams, prepared)
    treated_at = np.full(len(ranking.order), float(LIMIT_WEEKS))
    in_horizon = np.zeros(len(ranking.order), dtype=bool)
    outcomes = [simulate_queue(rows, keys, capacity, queue_streams, horizon_weeks)
                for rows, capacity, queue_streams in zip(queues, capacities, streams)]
    for outcome in outcomes:
        treated_at[outcome.rows] = outcome.treated_at
        in_horizon[outcome.rows] = outcome.in_horizon
    return Projection(
        treated_at=treated_at,
        in_horizon=in_horizon,
        weeks_followed=max((o.weeks_followed for o in outcomes), default=0),
        not_treated=len(treated_at) - sum(len(o.rows) for o in outcomes),
        arrived_by_horizon=sum(o.arrived_by_horizon for o in outcomes),
        treated_by_horizon=sum(o.treated_by_horizon for o in outcomes),
        new_treated_by_horizon=sum(o.new_treated_by_horizon for o in outcomes),
    )


def key_model(ranking: Ranking, horizon_weeks: float, streams, prepared: Prepared | None = None):
    """Static keys when the rule set's scores grow alike in each band, else keys scored again at each epoch."""
    slopes = band_slopes(ranking.rule_set)
    if slopes is not None:
        return StaticKeys(ranking, slopes)
    if prepared is None:
        raise ValueError("projecting this rule set needs the list's prepared ranking data")
    profiles = [s.profiles for queue in streams for s in queue]
    return RescoredKeys(ranking, prepared, horizon_weeks, np.concatenate(profiles) if profiles else np.zeros(0, int))


# --------------------------------------------------------------------------- the simulation
@dataclass
class QueueOutcome:
    """What the projection found for one queue: when its patients are treated, and its size at the horizon."""

    rows: np.ndarray  # patients now on the list treated within the limit ...
    treated_at: np.ndarray  # ... and when: weeks after the census date
    in_horizon: np.ndarray  # ... and whether within the horizon
    weeks_followed: int
    arrived_by_horizon: int  # new referrals
    treated_by_horizon: int  # patients now on the list and new referrals
    new_treated_by_horizon: int


@dataclass
class _Pool:
    """New referrals waiting, smallest key (first treated) first; ties in order of arrival."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0))
    profiles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, keys: np.ndarray, profiles: np.ndarray, week: int) -> None:
        order = np.argsort(keys, kind="stable")
        keys, profiles = keys[order], profiles[order]
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys = np.insert(self.keys, at, keys)
        self.profiles = np.insert(self.profiles, at, profiles)
        self.weeks = np.insert(self.weeks, at, np.full(len(keys), week, dtype=np.int64))

    def drop_first(self, count: int) -> None:
        self.keys, self.profiles, self.weeks = self.keys[count:], self.profiles[count:], self.weeks[count:]

    def resort(self, keys: np.ndarray) -> None:
        order = np.lexsort((self.weeks, keys))  # equal keys: the earlier arrival first
        self.keys, self.profiles, self.weeks = keys[order], self.profiles[order], self.weeks[order]


def simulate_queue(
    order: np.ndarray, keys, capacity: float, streams: tuple[Stream, ...], horizon_weeks: float,
) -> QueueOutcome:
    """Serve one queue week by week (``order``: its rows, first treated first at the census date)."""
    queue = _Queue(order, keys, capacity, horizon_weeks)
    week = 0
    while week < LIMIT_WEEKS and not queue.done(week):
        if week in keys.rescore_weeks:
            queue.rescore(week)
        for stream in streams:
            start, stop = stream.between(week, week + 1)
            if stop > start:
                queue.arrive(stream.profiles[np.arange(start, stop) % len(stream.profiles)], week)
        queue.treat(week)
        week += 1
    return queue.outcome(week, streams)


class _Queue:
    """The state of one queue as the weeks pass (see :func:`simulate_queue`).

    Invariant: ``waiting[:next]`` are treated; ``waiting_keys`` are the keys
    of ``waiting``, smallest first as far as anyone can be treated before
    the next re-scoring.
    """

    def __init__(self, order: np.ndarray, keys, capacity: float, horizon_weeks: float):
        self.keys_of, self.capacity, self.horizon = keys, capacity, horizon_weeks
        self.waiting = np.asarray(order, dtype=np.int64)
        self.waiting_keys = keys.existing(self.waiting, 0)
        self.next = 0
        self.pool = _Pool()
        self.rows_done, self.slots_done = [], []
        self.horizon_slots = _slots_before(capacity, horizon_weeks)
        self.new_in_horizon = 0

    def done(self, week: int) -> bool:
        return self.next >= len(self.waiting) and week >= self.horizon

    def arrive(self, profiles: np.ndarray, week: int) -> None:
        self.pool.add(self.keys_of.arriving(profiles, week), profiles, week)

    def treat(self, week: int) -> None:
        """The week's treatments: the first patients of the list and the waiting referrals, merged by key."""
        first = _slots_before(self.capacity, week)
        take = _slots_before(self.capacity, week + 1) - first
        listed = self.waiting_keys[self.next:self.next + take]
        merged = np.argsort(np.concatenate([listed, self.pool.keys[:take]]), kind="stable")[:take]
        from_list = merged < len(listed)  # equal keys: the patient already on the list first
        slots = first + np.flatnonzero(from_list)
        self.rows_done.append(self.waiting[self.next:self.next + len(slots)])
        self.slots_done.append(slots)
        self.next += len(slots)
        new = first + np.flatnonzero(~from_list)
        self.new_in_horizon += int((new < self.horizon_slots).sum())
        self.pool.drop_first(len(new))

    def rescore(self, week: int) -> None:
        """Score everyone waiting again (rule sets whose scores grow unevenly)."""
        keys = self.keys_of
        could_be_treated = _slots_before(self.capacity, keys.epoch_after(week)) - _slots_before(self.capacity, week)
        rows, later = keys.reachable(self.waiting[self.next:], could_be_treated)
        scores = keys.scores(rows, float(week), existing=True)
        fresh = keys.scores(self.pool.profiles, (week - self.pool.weeks).astype(float), existing=False)
        keys.begin_epoch(week, [(scores, rows), (fresh, self.pool.profiles)])
        self.pool.resort(keys.keys(fresh, self.pool.profiles))
        waiting, waiting_keys = _first_part_sorted(rows, keys.keys(scores, rows), keys.tie_place[rows],
                                                   could_be_treated)
        self.waiting = np.concatenate([waiting, later])
        self.waiting_keys = np.concatenate([waiting_keys, np.full(len(later), np.inf)])
        self.next = 0

    def outcome(self, weeks: int, streams: tuple[Stream, ...]) -> QueueOutcome:
        rows = np.concatenate(self.rows_done) if self.rows_done else np.zeros(0, dtype=np.int64)
        slots = np.concatenate(self.slots_done) if self.slots_done else np.zeros(0, dtype=np.int64)
        return QueueOutcome(
            rows=rows,
            treated_at=(slots + 1) / self.capacity,
            in_horizon=slots < self.horizon_slots,
            weeks_followed=weeks,
            arrived_by_horizon=sum(_arrived(s.per_week, math.ceil(self.horizon)) for s in streams),
            treated_by_horizon=int((slots < self.horizon_slots).sum()) + self.new_in_horizon,
            new_treated_by_horizon=self.new_in_horizon,
        )


def _slots_before(capacity: float, week: float) -> int:
    """Treatments that happen by ``week`` weeks after the census date (the j-th at (j + 1) / capacity)."""
    return int(math.floor(capacity * week + TINY))


def _first_part_sorted(rows: np.ndarray, keys: np.ndarray, ties: np.ndarray, first: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Rows with the ``first`` smallest keys in order (ties by the rule set's tie-break), then the rest.

    Keys are fixed until the next re-scoring, which comes before more than
    ``first`` patients can be treated, so the rest need no order (their keys
    read as infinite: never taken before it).
    """
    if first < len(rows):
        part = np.argpartition(keys, first)
        head, tail = part[:first], part[first:]
    else:
        head, tail = np.arange(len(rows)), np.zeros(0, dtype=np.int64)
    head = head[np.lexsort((ties[head], keys[head]))]
    ordered = np.concatenate([head, tail])
    sorted_keys = keys[ordered]
    sorted_keys[len(head):] = np.inf
    return rows[ordered], sorted_keys
