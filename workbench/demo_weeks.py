"""Weekly demo lists: the demo WLMDS extract aged week by week, for trying snapshots, outcomes and trends.

Each week, as a trust's list changes:

- pathways whose clock stopped by the last census leave the list;
- some are **treated**: urgent and long waits likelier; their clock stop date
  (a day of the week) is on this week's list, which is the last they are on;
- pathways due for **validation** (12, 26, 52 weeks, then every 12: see
  :mod:`workbench.report.validation_due`) are validated, a share each week. Most are
  still waiting (their last PAS validation date moves on); the others leave
  the list with an outcome, and **"did not respond" is likelier in the most
  deprived areas and some ethnic groups**: validation removes people
  unequally, which the validation audit is there to show;
- a few priorities change (with a priority review date);
- **new referrals** join, their clocks starting during the week: about as
  many as left, so the list keeps its size.

Every week's :class:`Week` holds the list and what happened (the ground truth
tests check the workbench against), with the validation team's returned
worklist of outcomes. Everything is decided by the seed.

>>> weeks = list(weekly_lists(rows=400, weeks=3, seed=1))
>>> [w.census_date.isoformat() for w in weeks], len(weeks[1].joined) > 0
(['2026-11-01', '2026-11-08', '2026-11-15'], True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from workbench.demo import DEMO_CENSUS, DEMO_SEED, GROUP_OF_CODE, _district_lsoas, generate_wlmds_list, write_frame
from workbench.errors import WorkbenchError
from workbench.report.validation_due import next_due
from workbench.store import outcomes as words
from workbench.store.importer import import_file

TREATED_SHARE = 0.02  # of the waiting list, a week
VALIDATED_SHARE = 0.35  # of the pathways due for validation, a week
PRIORITY_CHANGE_SHARE = 0.005
TREATMENT_WEIGHT = {"P1a": 40.0, "P1b": 20.0, "P2": 8.0, "P3": 3.0, "P4": 1.0, "P5": 0.3, "P6": 0.3}
PRIORITY_MOVES = {"P4": "P3", "P3": "P2", "P2": "P3", "P5": "P4", "P6": "P4"}
# What validation finds (as the team writes it), and how much likelier "did not respond" is by decile and group.
OUTCOME_SHARES = {"Still waiting": 0.83, "No longer required": 0.05, "Treated elsewhere": 0.03, "Moved away": 0.01,
                  "Deceased": 0.005, "Did not respond": 0.07, "Other": 0.005}
NO_RESPONSE_BY_DECILE = (2.5, 2.5, 1.6, 1.6, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8)
NO_RESPONSE_BY_GROUP = {"Asian": 1.5, "Black": 1.5, "Mixed": 1.3, "Other": 1.3}
CHECKERS = ("A Patel", "B Jones", "C Okoro")
RETURNED_HEADERS = ("Pathway ID", "NHS number", "Specialty", "Action taken", "Date checked", "Checked by")
PATHWAY, STOP, START = "patient_pathway_identifier", "referral_to_treatment_period_end_date", "referral_to_treatment_period_start_date"
CENSUS, VALIDATED, PRIORITY = "week_ending_date", "last_pas_validation_date", "procedure_priority_code"


@dataclass
class Week:
    """One week's list and what happened in the week before it."""

    census_date: date
    frame: pd.DataFrame  # the list as extracted (WLMDS columns)
    treated: list[str] = field(default_factory=list)  # clock stopped this week: on this list, with the stop date
    left_stopped: list[str] = field(default_factory=list)  # stopped by the last census: gone from this list
    returned: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(RETURNED_HEADERS)))
    removed: dict[str, list[str]] = field(default_factory=dict)  # outcome -> pathways validated off this week
    joined: list[str] = field(default_factory=list)
    priority_changed: list[str] = field(default_factory=list)


def weekly_lists(rows: int = 5000, weeks: int = 4, seed: int = DEMO_SEED, start: date = DEMO_CENSUS) -> Iterator[Week]:
    """The demo WLMDS list at ``start`` and each of the ``weeks - 1`` weeks after it."""
    if weeks < 1:
        raise WorkbenchError(f"A series needs at least one week (asked for {weeks})")
    frame = generate_wlmds_list(rows, seed, start)
    yield Week(start, frame)
    rng = np.random.default_rng(seed + 7)
    deciles = dict(_district_lsoas()[["code", "decile"]].itertuples(index=False))
    for number in range(1, weeks):
        week = age_one_week(frame, rng, deciles, seed + number)
        frame = week.frame
        yield week


def age_one_week(frame: pd.DataFrame, rng: np.random.Generator, deciles: dict[str, int], seed: int) -> Week:
    """The list a week later, and what happened in between."""
    census = _day(frame[CENSUS].iloc[0])
    later = census + np.timedelta64(7, "D")
    stopped = _days(frame[STOP]) <= census
    week = Week(later.astype(date), frame, left_stopped=frame.loc[stopped, PATHWAY].tolist())
    frame = frame[~stopped].reset_index(drop=True)
    waiting = _usable_starts(frame, census)
    treated = _treat(frame, rng, census, waiting)
    week.treated = frame.loc[treated, PATHWAY].tolist()
    frame, week.returned, week.removed = _validate(frame, rng, deciles, census, waiting & ~treated)
    week.priority_changed = _change_priorities(frame, rng, census)
    left = len(week.left_stopped) + sum(len(ids) for ids in week.removed.values())
    frame, week.joined = _refer(frame, rng, later, seed, left)
    week.frame = _new_census(frame, later)
    return week


def _treat(frame: pd.DataFrame, rng, census, waiting: np.ndarray) -> np.ndarray:
    """Choose who is treated this week (urgent and long waits likelier) and set their clock stop."""
    weeks = (census - _days(frame[START])).astype(np.float64) / 7
    weight = frame[PRIORITY].map(TREATMENT_WEIGHT).fillna(1.0).to_numpy(np.float64) * (1 + np.nan_to_num(weeks) / 52)
    chance = TREATED_SHARE * weight / weight[waiting].mean()
    treated = waiting & (rng.random(len(frame)) < chance)
    stops = census + rng.integers(1, 8, len(frame)).astype("timedelta64[D]")
    frame.loc[treated, STOP] = pd.to_datetime(stops[treated])
    frame.loc[treated, "referral_to_treatment_period_status"] = "30"
    return treated


def _validate(frame: pd.DataFrame, rng, deciles, census, candidates: np.ndarray):
    """Validate a share of those due; returns the list without those validated off, the returned worklist
    and who was removed with which outcome."""
    later = census + np.timedelta64(7, "D")
    due = next_due(_days(frame[START]), _days(frame[VALIDATED])) <= later
    validated = np.flatnonzero(candidates & due & (rng.random(len(frame)) < VALIDATED_SHARE))
    written = _outcomes(frame.iloc[validated], rng, deciles)
    day = census + rng.integers(1, 8, len(validated)).astype("timedelta64[D]")
    still = np.array([words.outcome_of(w) == words.STILL_WAITING for w in written], dtype=bool)
    frame.loc[validated[still], VALIDATED] = pd.to_datetime(day[still])
    returned = pd.DataFrame({
        "Pathway ID": frame[PATHWAY].to_numpy(object)[validated], "NHS number": frame["nhs_number"].to_numpy(object)[validated],
        "Specialty": frame["activity_treatment_function_code"].to_numpy(object)[validated], "Action taken": written,
        "Date checked": pd.to_datetime(day), "Checked by": rng.choice(CHECKERS, len(validated)).astype(object)})
    removed: dict[str, list[str]] = {}
    for pathway, word in zip(returned["Pathway ID"][~still], written[~still]):
        removed.setdefault(words.outcome_of(word), []).append(pathway)
    return frame.drop(index=validated[~still]).reset_index(drop=True), returned, removed


def _outcomes(validated: pd.DataFrame, rng, deciles) -> np.ndarray:
    """What validation found for each pathway, "did not respond" likelier where the demo's inequity is."""
    decile = validated["lsoa_2021"].map(deciles).fillna(5).to_numpy(np.int64)
    group = validated["ethnic_category"].map(GROUP_OF_CODE).map(NO_RESPONSE_BY_GROUP).fillna(1.0).to_numpy(np.float64)
    names = np.array(list(OUTCOME_SHARES), dtype=object)
    shares = np.tile(np.array(list(OUTCOME_SHARES.values())), (len(validated), 1))
    shares[:, list(OUTCOME_SHARES).index("Did not respond")] *= np.array(NO_RESPONSE_BY_DECILE)[decile - 1] * group
    shares /= shares.sum(axis=1, keepdims=True)
    drawn = (rng.random((len(validated), 1)) > shares.cumsum(axis=1)).sum(axis=1)
    return names[np.minimum(drawn, len(names) - 1)]


def _change_priorities(frame: pd.DataFrame, rng, census) -> list[str]:
    stop = _days(frame[STOP])
    moving = frame[PRIORITY].isin(list(PRIORITY_MOVES)).to_numpy() & np.isnat(stop)
    changed = moving & (rng.random(len(frame)) < PRIORITY_CHANGE_SHARE)
    frame.loc[changed, PRIORITY] = frame.loc[changed, PRIORITY].map(PRIORITY_MOVES)
    frame.loc[changed, "date_of_last_priority_review"] = pd.Timestamp((census + np.timedelta64(3, "D")).astype(date))
    return frame.loc[changed, PATHWAY].tolist()


def _refer(frame: pd.DataFrame, rng, later, seed: int, left: int) -> tuple[pd.DataFrame, list[str]]:
    """New referrals, about as many as left, their clocks starting this week: new pathway IDs of the
    same shape, new patients."""
    count = max(1, int(round(left * rng.uniform(0.9, 1.1))))
    new = generate_wlmds_list(count + 20, seed=seed, census_date=later.astype(date))
    planted = {row for rows in new.attrs["planted_errors"].values() for row in rows}
    new = new.drop(index=sorted(planted)).head(count).reset_index(drop=True)
    new[PATHWAY] = _new_ids(rng, set(frame[PATHWAY].dropna()), len(new))
    starts = later - rng.integers(0, 7, len(new)).astype("timedelta64[D]")
    for name in (START, "referral_request_received_date"):
        new[name] = pd.to_datetime(starts)
    for name in (STOP, "decision_to_admit_date", "date_of_last_priority_review", VALIDATED, "tci_date"):
        new[name] = pd.NaT
    new["referral_to_treatment_period_status"] = "10"
    known = set(zip(frame["nhs_number"], frame["activity_treatment_function_code"]))
    new = new[[pair not in known for pair in zip(new["nhs_number"], new["activity_treatment_function_code"])]]
    return pd.concat([frame, new], ignore_index=True), new[PATHWAY].tolist()


def _new_ids(rng, taken: set[str], count: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < count:
        drawn = f"RTT{int(rng.integers(0, 10**9)):09d}"
        if drawn not in taken:
            taken.add(drawn)
            ids.append(drawn)
    return ids


def _new_census(frame: pd.DataFrame, census: np.datetime64) -> pd.DataFrame:
    frame[CENSUS] = pd.Timestamp(census.astype(date))
    born = _days(frame["person_birth_date"])
    frame["der_age_week_ending_date"] = ((census - born).astype(np.int64) // 365.25).astype(np.int64)
    frame["der_row_id"] = np.arange(1, len(frame) + 1)
    return frame


def _usable_starts(frame: pd.DataFrame, census) -> np.ndarray:
    start = _days(frame[START])
    return ~np.isnat(start) & (start > np.datetime64("2000-01-01")) & (start <= census) & np.isnat(_days(frame[STOP]))


def _days(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="datetime64[D]")


def _day(value) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def import_week(week: Week, workspace: str | os.PathLike, folder: str | os.PathLike, outcomes: bool = True):
    """Import a week's list into ``workspace`` as a snapshot and (``outcomes``) record its returned worklist,
    as a trust would; the files are written into ``folder``. Returns the import's result."""
    listed = Path(folder) / f"list-{week.census_date.isoformat()}.csv"
    write_frame(listed, week.frame, iso=True)
    result = import_file(listed, workspace, snapshot=True)
    if outcomes and len(week.returned):
        returned = Path(folder) / f"outcomes-{week.census_date.isoformat()}.csv"
        write_frame(returned, week.returned)
        words.record_file(returned, workspace)
    return result


def write_series(folder: str | os.PathLike, rows: int = 5000, weeks: int = 4, seed: int = DEMO_SEED) -> list[Path]:
    """Write each week's list (``list-YYYY-MM-DD.csv``) and, from the second week, the validation
    team's returned worklist (``outcomes-YYYY-MM-DD.csv``); returns the files written, in order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkbenchError(f"{folder}: no such folder")
    written = []
    for week in weekly_lists(rows, weeks, seed):
        written.append(folder / f"list-{week.census_date.isoformat()}.csv")
        write_frame(written[-1], week.frame, iso=True)
        if len(week.returned):
            written.append(folder / f"outcomes-{week.census_date.isoformat()}.csv")
            write_frame(written[-1], week.returned)
    return written
