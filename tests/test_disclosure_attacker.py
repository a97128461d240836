"""An attacker with every output of one list tries to work out a count from 1 to 7.

The outputs (as the app, the command line and the decision record show them):
the equity summary grouped every usual way (deprivation fifth and decile,
Core20, ethnic group, sex, site, specialty) with both orders' long waits and
next-N counts, the capacity table with its "All specialties" row, and the
rank-movement histogram; and, apart, the validation audit (its totals, each
group's counts, removals that add up, by sex and ethnic group).

The attacker knows what every figure counts (so which figures add up to which,
across outputs: deciles within fifths, Core20 against fifths, specialties
against their total, the same group in two outputs) and the planning numbers:
the next N treated is known exactly from the capacity and horizon shown. It
reads each figure as NHS Digital's method says: 0 is 0, ``*`` is 1 to 7, any
other count is within 2 of the figure shown (a figure not a multiple of 5 is
taken as exact: it was not rounded). Then it:

- (exact differencing) subtracts exactly known figures from totals, again
  and again, anywhere a total has one unknown part left;
- (pairs) compares a hidden count with one other figure under the bounds
  rounding leaves: a total with one part shown, a group against the group
  it sits in or equals in another output.

It recovers a count when either leaves one possible value for a figure shown
as ``*``. What it does not try, on purpose (resources/help/disclosure-control.md, "What
rounding cannot stop"): combining the bounds of three or more rounded figures
at once, or an exactly known next N split into one hidden and one rounded
part. When every figure involved happens to be rounded by the full 2 the
same way, that can pin a count; NHS Digital's method accepts this, and no
rounding applied output by output can rule it out.

The attacker has teeth: against the same outputs with small counts hidden but
nothing rounded and the capacity table's total row as worked out (as the
workbench published them before), it recovers the issue's cases (a decile's 5
from its fifth, the "Not known" 2 from Core20 and the fifths, a specialty's
52-week backlog from the "All specialties" row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.compare.queues import CapacitySettings, queue_table
from workbench.compare.preview import movement_histogram
from workbench.check import waits
from workbench.compare.capacity import ALL_SPECIALTIES, BACKLOG_WEEKS
from workbench.compare.equity import _treatment_times, group_rows, prepare_equity
from workbench.fields import ETHNIC_GROUPS, LONG_WAIT_WEEKS, WaitingList
from workbench.compare.suppression import SUPPRESSED, is_small, published_count, published_share, suppressed_summary
from workbench.compare.validation_audit import Pathways, audit_figures, rate_ratio, suppressed_audit

GROUPINGS = ("imd_quintile", "imd_decile", "core20", "ethnic_group", "sex", "site", "specialty")
ORDERS = ("baseline", "scenario")
ROUNDED_BY = 2  # a count shown to the nearest 5 is within 2 of the truth


# --------------------------------------------------------------------------- what the attacker reads
@dataclass
class Knowledge:
    """Every figure read, under what it counts by definition, and the lines that add up.

    A figure is named ``(group, kind)``: ``group`` is what the group is by definition (the same
    for Core20 "Yes" and England's most deprived fifth, say), ``kind`` which of its patients are
    counted (all, counted waits, treated in the next N of an order...). Figures that happen to
    count the same rows in this list but not by definition stay apart: the attacker cannot know.
    """

    readings: dict[tuple, list] = field(default_factory=dict)  # figure -> what each output shows for it
    true: dict[tuple, int] = field(default_factory=dict)  # figure -> the real count (to check the test itself)
    exact: dict[tuple, int] = field(default_factory=dict)  # figure -> counts known exactly (planning numbers)
    lines: list[tuple[tuple, list[tuple]]] = field(default_factory=list)  # (total, parts)
    hidden_whole: set = field(default_factory=set)  # kinds whose total is 1 to 7: shown * throughout, 0s too
    rounded: bool = True  # whether the method read rounds what it shows (the workbench's does)

    def read(self, figure: tuple, rows: np.ndarray, shown) -> tuple:
        self.readings.setdefault(figure, []).append(shown)
        count = int(np.count_nonzero(rows))
        assert self.true.setdefault(figure, count) == count, f"{figure} counts different rows in two outputs"
        return figure

    def add_line(self, total: tuple, parts: list[tuple]) -> None:
        assert self.true[total] == sum(self.true[part] for part in parts), f"{total}: its parts do not add up"
        self.lines.append((total, parts))

    def hidden(self) -> set[tuple]:
        return {figure for figure, shown in self.readings.items() if SUPPRESSED in shown}

    def bounds(self, figure: tuple) -> tuple[int, int]:
        """What the figures shown say about one count, on NHS Digital's method."""
        if figure in self.exact:
            return self.exact[figure], self.exact[figure]
        low, high = 0, 10**9
        for shown in self.readings.get(figure, []):
            if shown == SUPPRESSED:
                low, high = max(low, 0 if figure[1] in self.hidden_whole else 1), min(high, 7)
            elif shown == 0 or shown % 5 or not self.rounded:
                low, high = max(low, shown), min(high, shown)  # 0, or not rounded: exact
            else:
                low, high = max(low, shown - ROUNDED_BY), min(high, shown + ROUNDED_BY)
        return low, high


EVERYONE = ("everyone",)


# --------------------------------------------------------------------------- the attacks
def exact_differencing(knowledge: Knowledge) -> dict[tuple, int]:
    """Counts worked out exactly: from exact figures, subtract exact parts until nothing more follows."""
    known = {figure: bounds[0] for figure in knowledge.readings if len(set(bounds := knowledge.bounds(figure))) == 1}
    known.update(knowledge.exact)
    changed = True
    while changed:
        changed = False
        for total, parts in knowledge.lines:
            terms = line_terms(total, parts)  # total - sum(parts) = 0, as rows -> coefficient
            unknown = [figure for figure in terms if figure not in known]
            if len(unknown) != 1:
                continue
            missing = unknown[0]
            known[missing] = -sum(c * known[figure] for figure, c in terms.items() if figure != missing) // terms[missing]
            changed = True
    return known


def line_terms(total: tuple, parts: list[tuple]) -> dict[tuple, int]:
    """A line as rows -> coefficient of ``total - sum(parts) = 0`` (a part equal to its total cancels out)."""
    terms = {total: 1}
    for part in parts:
        terms[part] = terms.get(part, 0) - 1
    return {figure: c for figure, c in terms.items() if c}


def pair_bounds(knowledge: Knowledge) -> dict[tuple, set[int]]:
    """A hidden count's possible values, from each line where one other figure is uncertain.

    Lines whose total is a planning number (the next N, known exactly) are left out: splitting an
    exact total into one hidden and one rounded part is the residual risk the module notes describe.
    """
    possible: dict[tuple, set[int]] = {}
    for total, parts in knowledge.lines:
        if total in knowledge.exact:
            continue
        terms = list(line_terms(total, parts).items())
        uncertain = [(figure, sign) for figure, sign in terms if len(set(knowledge.bounds(figure))) == 2]
        if len(uncertain) != 2 or any(abs(sign) != 1 for _rows, sign in uncertain):
            continue
        constant = -sum(sign * knowledge.bounds(figure)[0] for figure, sign in terms if (figure, sign) not in uncertain)
        for (target, sign), (other, other_sign) in (uncertain, uncertain[::-1]):
            if target not in knowledge.hidden():
                continue
            low, high = knowledge.bounds(other)
            ends = [(constant - other_sign * value) * sign for value in (low, high)]  # sign is +1 or -1
            target_low, target_high = knowledge.bounds(target)
            values = set(range(max(min(ends), target_low), min(max(ends), target_high) + 1))
            possible[target] = possible.get(target, values) & values
    return possible


def recovered(knowledge: Knowledge) -> list[tuple[tuple, int]]:
    """(figure, count) for every count from 1 to 7 shown as it is, or shown as * and worked out to one value."""
    found = [(figure, value) for figure, shown in knowledge.readings.items() for value in shown if is_small(value)]
    exact = exact_differencing(knowledge)
    for figure in knowledge.hidden():
        if figure in knowledge.exact:
            continue  # a planning number anyone can work out: not a count the output hid
        if figure in exact and exact[figure] > 0:
            found.append((figure, exact[figure]))
    for figure, values in pair_bounds(knowledge).items():
        if len(values) == 1 and figure not in knowledge.exact and min(values) > 0:
            found.append((figure, values.pop()))
    for figure, value in found:
        assert value == knowledge.true[figure], "the attacker reasoned wrongly: the test itself is broken"
    return found


# --------------------------------------------------------------------------- every output of one list
@dataclass
class Case:
    wl: WaitingList
    baseline: np.ndarray
    scenario: np.ndarray
    capacity: float
    horizon: float


def read_everything(case: Case, publish=None) -> Knowledge:
    """Every output of the list as the attacker gets it. ``publish`` (a count -> figure function) replaces the
    workbench's own control, to show what another method would give away."""
    knowledge = Knowledge(rounded=publish is None)
    groups_by_grouping = {}
    for by in GROUPINGS:
        inputs = prepare_equity(case.wl, by, case.capacity, case.horizon)
        summary = inputs.summary(case.baseline, case.scenario)
        shown = suppressed_summary(summary) if publish is None else republished(summary, publish)
        groups_by_grouping[by] = read_equity(knowledge, case, inputs, summary, shown)
        if publish is None:
            for group in shown["groups"]:
                check_derived(group, shown)
    link_deprivation_groupings(knowledge, groups_by_grouping)
    read_capacity_table(knowledge, case, publish)
    read_movement(knowledge, case, publish)
    return knowledge


def kinds(case: Case, inputs) -> dict:
    """Which patients each kind of figure counts: every row, counted waits, the next N and long waits per order."""
    n = len(case.wl)
    known = waits.rtt_wait_counted(case.wl)
    found = {"count": np.ones(n, bool), "counted": known, "unknown": ~known}
    for order, chosen in zip(ORDERS, (case.baseline, case.scenario)):
        treated_at, treated, _flow = _treatment_times(inputs, None, chosen)
        projected = inputs.weeks_waited + treated_at
        found[("treated", order)] = treated
        for weeks in LONG_WAIT_WEEKS:
            found[("over", weeks, order)] = known & (projected > weeks)
    return found


def group_figures(group: dict) -> dict:
    """Where each kind's count sits in a group of an equity summary (or in its overall figures)."""
    figures = {"count": group.get("count", group.get("list_size")), "counted": group["rtt_waits_counted"],
               "unknown": group["wait_unknown"]}
    for order in ORDERS:
        per_order = group[order] if order in group else group["overall"][order]
        figures[("treated", order)] = per_order["next_n_count"] if order in group else group["next_n"]
        for weeks in LONG_WAIT_WEEKS:
            figures[("over", weeks, order)] = per_order[f"over_{weeks}"]
    return figures


def read_equity(knowledge: Knowledge, case: Case, inputs, summary: dict, shown: dict) -> dict:
    """Every count of one equity summary; returns each group's figures by kind (for links between groupings)."""
    patients = kinds(case, inputs)
    totals = {kind: knowledge.read((EVERYONE, kind), rows, figure)
              for kind, rows in patients.items() for figure in [group_figures(shown)[kind]]}
    knowledge.add_line(totals["count"], [totals["counted"], totals["unknown"]])
    reasons = [knowledge.read((EVERYONE, ("left out", reason)), ~patients["counted"] & reason_rows(case.wl, reason),
                              figure) for reason, figure in shown["left_out"].items()]
    knowledge.add_line(totals["unknown"], reasons)
    read_plan(knowledge, case, totals)
    groups = {}
    for g, group in enumerate(shown["groups"]):
        # A grouping of one group shows that everyone is in it: its figures are the list's own.
        name = EVERYONE if len(shown["groups"]) == 1 else group_name(case.wl, inputs.grouping.by, group["group"])
        in_group = inputs.grouping.codes == g
        figures = {kind: knowledge.read((name, kind), in_group & rows, group_figures(group)[kind])
                   for kind, rows in patients.items()}
        knowledge.add_line(figures["count"], [figures["counted"], figures["unknown"]])
        groups[name] = figures
    for kind, total in totals.items():
        knowledge.add_line(total, [figures[kind] for figures in groups.values()])
    read_sii(knowledge, case, summary, shown, patients["counted"])
    return groups


def read_plan(knowledge: Knowledge, case: Case, totals: dict) -> None:
    """The next N treated: the capacity x horizon shown, exactly, when the list surely holds more."""
    planned = int(np.floor(case.capacity * case.horizon + 1e-9))
    for order in ORDERS:
        treated = totals[("treated", order)]
        if is_small(knowledge.true[treated]):
            knowledge.hidden_whole.add(treated[1])
        if planned < knowledge.bounds(totals["count"])[0]:
            knowledge.exact[treated] = planned


def read_sii(knowledge: Knowledge, case: Case, summary: dict, shown: dict, known: np.ndarray) -> None:
    """The patients behind each nation's slope index, and those of other nations it leaves out."""
    nations = case.wl.columns["deprivation_nation"]
    with_decile = known & ~np.isnan(case.wl.columns["imd_decile"])
    for nation, figures in shown["sii_by_nation"].items():
        knowledge.read((("sii nation", nation), "counted"), with_decile & (nations == nation), figures["patients"])
    if summary["sii_nation"]:
        knowledge.read((("sii others", summary["sii_nation"]), "counted"), with_decile & (nations != summary["sii_nation"]),
                       shown["sii_left_out"])


def reason_rows(wl: WaitingList, reason: str) -> np.ndarray:
    """The rows a reason for leaving a wait out counts (as ``waits.left_out`` counts them)."""
    if reason == waits.NON_RTT:
        return (wl.columns["rtt_pathway"] == 0) & ~np.isnan(wl.columns["weeks_waited"])
    return wl.columns["wait_not_counted"] == reason


# Every combination of nation and decile a row can have: groups by deprivation are named by the combinations
# they hold, so the attacker links two groups exactly when they are the same, or nested, by definition.
UNIVERSE_NATIONS = ("England", "Wales", "Scotland", None)
UNIVERSE = [(nation, decile) for nation in UNIVERSE_NATIONS for decile in (*range(1, 11), None)]


def group_name(wl: WaitingList, by: str, label: str) -> tuple:
    """A group by what it is by definition: a set of (nation, decile) for deprivation, else its grouping and label."""
    if by not in DEPRIVATION_GROUPINGS:
        return (by, label)
    universe = universe_groups(by)
    return ("deprivation", universe[label])


DEPRIVATION_GROUPINGS = ("imd_quintile", "imd_decile", "core20")


def universe_groups(by: str) -> dict[str, frozenset]:
    """Each group label of a deprivation grouping, as the (nation, decile) combinations it holds."""
    nation = np.array([n for n, _d in UNIVERSE], dtype=object)
    decile = np.array([np.nan if d is None else float(d) for _n, d in UNIVERSE])
    wl = WaitingList(np.arange(1, len(UNIVERSE) + 1), deprivation_columns(nation, decile))
    grouping = group_rows(wl, by)
    return {label: frozenset(UNIVERSE[i] for i in np.flatnonzero(grouping.codes == g))
            for g, label in enumerate(grouping.labels)}


def deprivation_columns(nation: np.ndarray, decile: np.ndarray) -> dict:
    """The deprivation columns of a list, as enrichment makes them: quintiles from deciles, Core20 for England."""
    england = nation == "England"
    core20 = np.where(england & ~np.isnan(decile), (np.ceil(decile / 2) == 1).astype(float), np.nan)
    return {"imd_decile": decile, "imd_quintile": np.ceil(decile / 2), "deprivation_nation": nation, "core20": core20}


def link_deprivation_groupings(knowledge: Knowledge, groups_by_grouping: dict) -> None:
    """A deprivation group made of whole groups of another grouping adds them up, figure by figure."""
    named = {name: figures for by in DEPRIVATION_GROUPINGS for name, figures in groups_by_grouping[by].items()}
    for coarse, figures in named.items():
        inside = [name for name in named if name != coarse and name[1] < coarse[1]]
        fine = [name for name in inside if not any(name[1] < other[1] for other in inside)]  # the largest ones
        if fine and frozenset().union(*(name[1] for name in fine)) == coarse[1] and pairwise_apart(fine):
            for kind, total in figures.items():
                knowledge.add_line(total, [named[name][kind] for name in fine])


def pairwise_apart(names: list[tuple]) -> bool:
    return sum(len(name[1]) for name in names) == len(frozenset().union(*(name[1] for name in names)))


def read_capacity_table(knowledge: Knowledge, case: Case, publish) -> None:
    """Queue sizes and 52-week backlogs per specialty, and the "All specialties" row."""
    wl = case.wl
    rows = queue_table(wl, CapacitySettings(case.capacity), small_numbers_shown=publish is not None)
    specialties = group_rows(wl, "specialty")
    weeks = wl.columns["weeks_waited"]
    past_52 = ~np.isnan(weeks) & (weeks > BACKLOG_WEEKS)
    total = rows[-1]  # before, the "All specialties" row was shown as worked out
    assert total["specialty"] == ALL_SPECIALTIES
    sizes, backlogs = [], []
    for index, row in enumerate(rows[:-1]):
        row = republished_row(row, publish)
        name, in_it = ("specialty", row["specialty"]), specialties.codes == index
        sizes.append(knowledge.read((name, "count"), in_it, row["queue_size"]))
        backlogs.append(knowledge.read((name, "past 52 now"), in_it & past_52, row["backlog_52"]))
        if publish is None:
            check_capacity_row(row, total, case.capacity)
    everyone = np.ones(len(wl), bool)
    knowledge.add_line(knowledge.read((EVERYONE, "count"), everyone, total["queue_size"]), sizes)
    knowledge.add_line(knowledge.read((EVERYONE, "past 52 now"), past_52, total["backlog_52"]), backlogs)


def read_movement(knowledge: Knowledge, case: Case, publish) -> None:
    """The rank-movement histogram: every patient in one bin."""
    place = np.empty(len(case.wl), np.int64)
    place[case.baseline] = np.arange(len(case.wl))
    new = np.empty_like(place)
    new[case.scenario] = np.arange(len(case.wl))
    movement = place - new
    edges, shown = movement_histogram(movement, bins=9, small_numbers_shown=publish is not None)
    which = np.clip(np.searchsorted(edges, movement, side="right") - 1, 0, len(edges) - 2)
    bins = [knowledge.read((EVERYONE, ("moved", b)), which == b, shown[b] if publish is None else publish(int(shown[b])))
            for b in range(len(shown))]
    knowledge.add_line((EVERYONE, "count"), bins)


# --------------------------------------------------------------------------- derived figures carry no more
def check_derived(group: dict, shown: dict) -> None:
    """A share is worked out from the published counts; a figure about 1 to 7 patients is hidden."""
    assert group["share_of_list"] == published_share(group["count"], shown["list_size"])
    for order in ORDERS:
        figures = group[order]
        if figures["share_of_next_n"] is not None:
            assert figures["share_of_next_n"] == published_share(figures["next_n_count"], shown["next_n"])
        if figures["within_18"] not in (None, SUPPRESSED):
            assert figures["within_18"] == published_share(figures["over_18"], group["rtt_waits_counted"], True)
        if group["rtt_waits_counted"] == SUPPRESSED:
            assert figures["mean_wait"] in (SUPPRESSED, None) and figures["p90_wait"] in (SUPPRESSED, None)


def check_capacity_row(row: dict, total: dict, capacity: float) -> None:
    """A specialty's share of the capacity comes from the queue sizes shown, not the exact ones."""
    if row["queue_size"] == SUPPRESSED:
        assert row["capacity_per_week"] == SUPPRESSED and row["mean_wait"] in (SUPPRESSED, None)
    elif total["queue_size"] not in (0, SUPPRESSED) and isinstance(row["capacity_per_week"], float):
        assert row["capacity_per_week"] == pytest.approx(capacity * row["queue_size"] / total["queue_size"])


# --------------------------------------------------------------------------- another method, for comparison
def hide_only(count: int):
    """Small counts hidden, nothing rounded and no secondary suppression."""
    return SUPPRESSED if is_small(count) else count


def republished(summary: dict, publish) -> dict:
    """An equity summary with every count published by ``publish`` (its shares left as worked out)."""
    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        counts = ("count", "list_size", "wait_unknown", "rtt_waits_counted", "next_n", "next_n_count", "patients",
                  "sii_left_out")
        is_count = key in counts or key.startswith("over_") or key in ("clock start not usable", "clock stopped",
                                                                        "no clock start", "non-RTT")
        return publish(value) if is_count and isinstance(value, int) else value
    return walk(summary)


def republished_row(row: dict, publish) -> dict:
    if publish is None:
        return row
    return {**row, **{key: publish(row[key]) for key in ("queue_size", "backlog_52")}}


# --------------------------------------------------------------------------- random lists
NATIONS = np.array(["England", "Wales", None], dtype=object)


@st.composite
def cases(draw) -> Case:
    n = draw(st.integers(8, 90))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    nation = NATIONS[rng.choice(3, n, p=draw(st.sampled_from([[0.9, 0.05, 0.05], [0.6, 0.3, 0.1], [1.0, 0, 0]])))]
    decile = np.where(nation == None, np.nan, rng.integers(1, 11, n)).astype(float)  # noqa: E711
    decile[rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.2]))] = np.nan
    weeks = rng.gamma(2.0, draw(st.sampled_from([5.0, 15.0, 30.0])), n)
    unknown = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.3]))
    weeks[unknown] = np.nan
    few = draw(st.sampled_from([0.02, 0.1, 0.3]))  # how small the smallest groups are
    columns = {
        "weeks_waited": weeks,
        "wait_not_counted": np.where(unknown, rng.choice(["clock stopped", "no clock start"], n), None).astype(object),
        **deprivation_columns(nation, decile),
        "ethnic_group": rng.choice(np.array([*ETHNIC_GROUPS, None], dtype=object), n),
        "sex": rng.choice(np.array(["F", "M", None], dtype=object), n, p=[0.5 - few / 2, 0.5 - few / 2, few]),
        "site": rng.choice(np.array(["North", "South", "Outreach"], dtype=object), n, p=[0.6 - few, 0.4, few]),
        "specialty": rng.choice(np.array(["110", "120", "130", None], dtype=object), n,
                                p=[0.5, 0.5 - 2 * few / 3, few / 3, few / 3]),
    }
    wl = WaitingList(np.arange(1, n + 1), columns)
    baseline = np.argsort(-np.nan_to_num(weeks, nan=-1), kind="stable")
    scenario = rng.permutation(n)
    capacity = draw(st.sampled_from([0.5, 1.0, 2.0, 3.0, 7.0, 40.0]))
    horizon = draw(st.sampled_from([1.0, 4.0, 13.0]))
    return Case(wl, baseline.astype(np.int64), scenario.astype(np.int64), capacity, horizon)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_attacker_recovers_no_count_from_one_to_seven_from_every_output_of_a_list(case):
    knowledge = read_everything(case)
    for figure, shown in knowledge.readings.items():
        for value in shown:  # every count shown is NHS Digital's figure (a next N of 1 to 7 hidden whole)
            assert value == published_count(knowledge.true[figure]) or \
                figure[1] in knowledge.hidden_whole and value == SUPPRESSED
    assert recovered(knowledge) == []


# --------------------------------------------------------------------------- the issue's cases
def named_cases_list() -> Case:
    """The leaks the issue names, on one list: a decile of 5 in a fifth of 40 with its other decile of 35;
    2 patients with no deprivation at all (Core20 and fifths both have a "Not known"); and a 52-week backlog
    of 1 in each of three specialties (the "All specialties" row would show 3)."""
    decile = np.array([9.0] * 5 + [10.0] * 35 + [1.0] * 30 + [2.0] * 28 + [np.nan] * 2)
    n = len(decile)
    weeks = np.full(n, 10.0)
    weeks[[0, 40, 70]] = 60.0  # one past 52 weeks in each specialty
    columns = {
        "weeks_waited": weeks,
        **deprivation_columns(np.where(np.isnan(decile), None, "England").astype(object), decile),
        "ethnic_group": np.array(["White"] * n, dtype=object), "sex": np.array(["F"] * n, dtype=object),
        "site": np.array(["North"] * n, dtype=object),
        "specialty": np.array((["110"] * 40 + ["120"] * 30 + ["130"] * 30), dtype=object),
    }
    order = np.arange(n, dtype=np.int64)
    return Case(WaitingList(np.arange(1, n + 1), columns), order, order[::-1].copy(), capacity=1.0, horizon=13.0)


def test_the_attacker_has_teeth_it_recovers_the_issues_cases_from_hiding_without_rounding():
    case = named_cases_list()
    found = dict(recovered(read_everything(case, hide_only)))
    decile_9 = ("deprivation", frozenset({("England", 9)}))
    no_decile = ("deprivation", frozenset((nation, None) for nation in UNIVERSE_NATIONS))  # fifths' "Not known"
    assert found[(decile_9, "count")] == 5  # England's least deprived fifth (40) minus decile 10 (35)
    assert found[(no_decile, "count")] == 2  # the list minus every fifth, or Core20's Not known
    assert found[(EVERYONE, "past 52 now")] == 3  # "All specialties": 3 past 52 weeks, each specialty's 1 hidden


def test_none_of_the_issues_cases_is_recovered_from_the_workbenchs_outputs():
    assert recovered(read_everything(named_cases_list())) == []


# --------------------------------------------------------------------------- the validation audit
AUDIT_KINDS = ("on_list", "validated", "removed", "removed_other", "did_not_respond")


@st.composite
def audited_pathways(draw) -> Pathways:
    """Pathways of a period: who was validated, removed and did not respond, by sex and ethnic group."""
    n = draw(st.integers(8, 150))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    few = draw(st.sampled_from([0.02, 0.1, 0.3]))
    wl = WaitingList(np.arange(1, n + 1), {
        "sex": rng.choice(np.array(["F", "M", None], dtype=object), n, p=[0.5 - few / 2, 0.5 - few / 2, few]),
        "ethnic_group": rng.choice(np.array([*ETHNIC_GROUPS, None], dtype=object), n)})
    validated = rng.random(n) < draw(st.sampled_from([0.2, 0.6, 1.0]))
    removed = validated & (rng.random(n) < draw(st.sampled_from([0.05, 0.2, 0.6])))
    return Pathways(wl, np.ones(n, bool), validated, removed, removed & (rng.random(n) < draw(st.sampled_from([0.2, 0.8]))))


def read_audit(pathways: Pathways, shown: dict, rounded: bool = True) -> Knowledge:
    """Every count of a validation audit, its totals, and the removals that add up (removed = other + did
    not respond), for each grouping."""
    knowledge = Knowledge(rounded=rounded)
    rows = {"on_list": pathways.on_list, "validated": pathways.validated, "removed": pathways.removed,
            "removed_other": pathways.removed & ~pathways.did_not_respond, "did_not_respond": pathways.did_not_respond}
    totals = {kind: knowledge.read((EVERYONE, kind), rows[kind], shown[f"total_{kind}"])
              for kind in AUDIT_KINDS if f"total_{kind}" in shown}
    for by, table in shown["groupings"].items():
        codes = group_rows(pathways.wl, by).codes
        groups = []
        for g, group in enumerate(table["groups"]):
            name = EVERYONE if len(table["groups"]) == 1 else (by, group["group"])
            groups.append({kind: knowledge.read((name, kind), rows[kind] & (codes == g), group[kind]) for kind in AUDIT_KINDS})
            knowledge.add_line(groups[-1]["removed"], [groups[-1]["removed_other"], groups[-1]["did_not_respond"]])
        for kind, total in totals.items():
            knowledge.add_line(total, [figures[kind] for figures in groups])
    return knowledge


def check_audit_derived(shown: dict) -> None:
    """Shares, rates and rate ratios are worked out from the published counts: they carry nothing more."""
    for table in shown["groupings"].values():
        base = next(g for g in table["groups"] if g["group"] == table["reference"]) if table["reference"] else None
        for group in table["groups"]:
            assert group["share_of_validated"] == published_share(group["validated"], shown["total_validated"])
            for events in ("removed", "did_not_respond", "removed_other"):
                assert group[f"{events}_rate"] == published_share(group[events], group["validated"])
                counts = (group[events], group["validated"], *((base[events], base["validated"]) if base else ()))
                expected = None if base is None else SUPPRESSED if SUPPRESSED in counts else rate_ratio(*counts)
                assert group[f"{events}_rate_ratio"] == expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audited_pathways())
def test_the_attacker_recovers_no_count_from_one_to_seven_from_a_validation_audit(pathways):
    shown = suppressed_audit(audit_figures(pathways, ("sex", "ethnic_group"), date(2025, 3, 2)))
    check_audit_derived(shown)
    knowledge = read_audit(pathways, shown)
    for figure, readings in knowledge.readings.items():
        assert readings == [published_count(knowledge.true[figure])] * len(readings)
    assert recovered(knowledge) == []


def test_the_audit_attacker_has_teeth_hiding_without_rounding_gives_a_small_count_back():
    """Women: 40 validated, 20 did not respond; men: 40 validated, 3 did not respond. Hidden but not rounded,
    the total of 23 minus the women's 20 gives the men's 3 back."""
    sex = np.array(["F"] * 40 + ["M"] * 40, dtype=object)
    did_not_respond = np.arange(80) < 20
    did_not_respond[40:43] = True
    everyone = np.ones(80, bool)
    pathways = Pathways(WaitingList(np.arange(1, 81), {"sex": sex}), everyone, everyone, did_not_respond, did_not_respond)
    audit = audit_figures(pathways, ("sex",), date(2025, 3, 2))
    hidden = json_walk(audit, lambda key, value: hide_only(value) if key in AUDIT_KINDS or key.startswith("total_") else value)
    found = dict(recovered(read_audit(pathways, hidden, rounded=False)))
    assert found[(("sex", "M"), "did_not_respond")] == 3
    assert recovered(read_audit(pathways, suppressed_audit(audit))) == []


def json_walk(value, change, key: str = ""):
    """A copy of nested figures with ``change(key, value)`` applied to every whole number."""
    if isinstance(value, dict):
        return {k: json_walk(v, change, k) for k, v in value.items()}
    if isinstance(value, list):
        return [json_walk(v, change, key) for v in value]
    return change(key, value) if isinstance(value, int) and not isinstance(value, bool) else value
