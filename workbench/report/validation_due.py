"""Who is due for validation next: NHS England's 12, 26 and 52 weeks, then every 12 weeks.

A pathway is validated when its wait reaches 12, 26 and 52 weeks, and then
every 12 weeks. Its **last validation** is the later of the list's own date
(WLMDS ``last_pas_validation_date``, mapped to ``last_validation_date``) and
the newest outcome recorded for it (:mod:`workbench.store.outcomes`). Its next
validation is due:

- at 12 weeks, if it was never validated or last validated before then;
- else at 26 weeks, if last validated before then;
- else at 52 weeks, if last validated before then;
- else 12 weeks after its last validation.

Only RTT pathways whose wait counts are on this worklist (a stopped clock or a
clock start that cannot be trusted is a finding on the findings worklist
already). A pathway whose newest recorded outcome took it off the list but which
is still on it is listed too, first, as that is what to check first.

>>> day = lambda *d: np.array(d, dtype="datetime64[D]")
>>> next_due(day("2026-01-01", "2026-01-01", "2026-01-01"), day("NaT", "2026-04-01", "2027-02-01")).astype(str).tolist()
['2026-03-26', '2026-07-02', '2027-04-26']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench import formats
from workbench.check import waits
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.read.dates import implausible_dates
from workbench.read.nhs_number import format_nhs_number
from workbench.report import spreadsheet
from workbench.report.xlsx import XlsxWriter
from workbench.store.files import replacing
from workbench.store.outcomes import REMOVALS, newest_outcomes
from workbench.store.workspace import Workspace

MILESTONE_WEEKS = (12, 26, 52)
THEN_EVERY_WEEKS = 12
FROM_LIST, FROM_OUTCOME, NEVER = "the list (last PAS validation)", "a recorded outcome", "never validated"
DUE_HEADERS = ("Pathway ID", "NHS number", "Specialty", "Clock start", "Weeks waited", "Last validated",
               "Last validated from", "Validation due", "Why", "Action taken", "Date checked", "Checked by")
CADENCE_WORDS = ("Validation is due at 12, 26 and 52 weeks of wait, then 12 weeks after the last validation. "
                 "The last validation is the later of the list's last PAS validation date and the newest outcome "
                 "recorded in the workbench.")


def next_due(clock_start: np.ndarray, last_validated: np.ndarray) -> np.ndarray:
    """When each pathway's next validation is due (see the module notes)."""
    start = clock_start.astype("datetime64[D]")
    last = last_validated.astype("datetime64[D]")
    milestones = [start + np.timedelta64(7 * weeks, "D") for weeks in MILESTONE_WEEKS]
    due = last + np.timedelta64(7 * THEN_EVERY_WEEKS, "D")
    for milestone in reversed(milestones):  # the first milestone not yet validated wins
        due = np.where(np.isnat(last) | (last < milestone), milestone, due)
    return due


@dataclass(frozen=True)
class DueList:
    """Pathways due for validation by a date: row positions on the list, with why, most overdue first."""

    rows: np.ndarray
    last_validated: np.ndarray
    last_from: np.ndarray
    due: np.ndarray
    why: np.ndarray
    census_date: date
    by: date

    def __len__(self) -> int:
        return len(self.rows)

    def summary(self) -> dict[str, Any]:
        overdue = int((self.due <= np.datetime64(self.census_date, "D")).sum())
        removed = int(sum(w.startswith("recorded as") for w in self.why.tolist()))
        return {"census_date": self.census_date.isoformat(), "due_by": self.by.isoformat(), "pathways": len(self),
                "due_at_census": overdue, "due_after_census": len(self) - overdue - removed,
                "recorded_as_removed_but_on_the_list": removed}


def due_for_validation(wl: WaitingList, newest: pd.DataFrame, within_weeks: float = 2) -> DueList:
    """Pathways due for validation by ``within_weeks`` after the census date (0: due at the census date);
    ``newest``: each pathway's newest outcome recorded (:func:`workbench.store.outcomes.newest_outcomes`)."""
    census = np.datetime64(wl.census_date, "D")
    by = census + np.timedelta64(int(round(7 * within_weeks)), "D")
    last, last_from = _last_validated(wl, newest)
    due = next_due(wl.columns["wait_start"], last)
    removed = _recorded_as_removed(wl, newest)
    listed = (waits.rtt_wait_counted(wl) & (due <= by)) | removed
    rows = np.flatnonzero(listed)
    why = _due_words(due[rows], census)
    why[removed[rows]] = _removed_words(wl, newest, rows[removed[rows]])
    order = np.lexsort((due[rows], ~removed[rows]))  # recorded as removed first, then the most overdue
    rows = rows[order]
    return DueList(rows, last[rows], last_from[rows], due[rows], why[order], wl.census_date, by.astype(date))


def _last_validated(wl: WaitingList, newest) -> tuple[np.ndarray, np.ndarray]:
    """The later of the list's last validation date and the newest recorded outcome, and which it is."""
    census = np.datetime64(wl.census_date, "D")
    listed = wl.columns.get("last_validation_date", np.full(len(wl), np.datetime64("NaT"), "datetime64[D]"))
    listed = np.where(implausible_dates(listed) | (listed > census), np.datetime64("NaT", "D"), listed)
    recorded = _per_row(wl, newest["outcome_date"].to_numpy("datetime64[D]") if len(newest) else None, newest,
                        np.datetime64("NaT", "D")).astype("datetime64[D]")
    later = np.where(np.isnat(listed) | (recorded > listed), recorded, listed)
    source = np.where(np.isnat(later), NEVER, np.where(later == recorded, FROM_OUTCOME, FROM_LIST)).astype(object)
    return later, source


def _per_row(wl: WaitingList, values: np.ndarray | None, newest, missing) -> np.ndarray:
    """A per-pathway value (indexed like ``newest``) for each row of the list, by pathway ID."""
    if values is None:
        return np.full(len(wl), missing)
    found = newest.index.get_indexer(np.asarray(wl.columns["pathway_id"], dtype=object))
    return np.where(found >= 0, values[np.maximum(found, 0)], missing)


def _recorded_as_removed(wl: WaitingList, newest) -> np.ndarray:
    outcome = _per_row(wl, newest["outcome"].to_numpy(object) if len(newest) else None, newest, None)
    return pd.Series(outcome, dtype=object).isin(REMOVALS).to_numpy()


def _removed_words(wl: WaitingList, newest, rows: np.ndarray) -> np.ndarray:
    found = newest.loc[wl.columns["pathway_id"][rows]]
    return np.array([f"recorded as {o} on {d:%d/%m/%Y} but still on the list" for o, d in
                     zip(found["outcome"], found["outcome_date"])], dtype=object)


def _due_words(due: np.ndarray, census: np.datetime64) -> np.ndarray:
    shown = [formats.uk_date(d.astype(date)) for d in due]
    return np.array([f"overdue since {s}" if d <= census else f"due {s}" for d, s in zip(due, shown)], dtype=object)


def due_in_workspace(workspace_path, within_weeks: float = 2) -> tuple[WaitingList, DueList, dict | None]:
    """The current list of a workspace, who on it is due for validation, and its import record."""
    with Workspace.open(workspace_path) as workspace:
        wl, record = workspace.load_list(), workspace.import_record()
        return wl, due_for_validation(wl, newest_outcomes(workspace), within_weeks), record


def write_due_from(workspace_path, out, within_weeks: float = 2, progress: Progress = no_progress,
                   cancelled: CancelCheck = never) -> DueList:
    """Write the due worklist of a workspace's current list to ``out`` (the app's export)."""
    wl, due, record = due_in_workspace(workspace_path, within_weeks)
    write_due_worklist(out, wl, due, record)
    return due


def due_rows(wl: WaitingList, due: DueList) -> Iterable[list]:
    """The worklist's rows, in :data:`DUE_HEADERS` order (the last three for the team to fill in)."""
    columns = {name: wl.columns[name] for name in ("pathway_id", "nhs_number", "specialty", "wait_start", "weeks_waited")}
    for index, row in enumerate(due.rows.tolist()):
        yield [columns["pathway_id"][row], format_nhs_number(columns["nhs_number"][row]), columns["specialty"][row],
               columns["wait_start"][row], _weeks(columns["weeks_waited"][row]), due.last_validated[index],
               due.last_from[index], due.due[index], due.why[index], None, None, None]


def _weeks(value: float):
    return None if np.isnan(value) else round(float(value), 1)


def write_due_worklist(path: str | os.PathLike, wl: WaitingList, due: DueList, import_info: dict | None = None) -> int:
    """The due worklist as xlsx (with an About sheet) or CSV; filled in, ``workbench outcomes`` reads it back."""
    with replacing(path, "the validation worklist") as partial:
        if str(path).lower().endswith(".csv"):
            return spreadsheet.write_csv(partial, DUE_HEADERS, due_rows(wl, due))
        with XlsxWriter(partial) as book:
            written = book.add_table("Due for validation", DUE_HEADERS, due_rows(wl, due))
            book.add_table("About", ["Item", "Value"], _about(due, import_info))
    return written


def _about(due: DueList, info: dict | None) -> list[tuple[str, Any]]:
    summary = due.summary()
    return [("File", (info or {}).get("file_name")), ("Census date", formats.uk_date(due.census_date)),
            ("Due by", formats.uk_date(due.by)), ("Pathways listed", summary["pathways"]),
            ("Cadence", CADENCE_WORDS),
            ("Filling in", "Write the outcome in 'Action taken' (still waiting, treated elsewhere, no longer required, "
                           "moved away, died, did not respond, other), the date in 'Date checked' and your name in "
                           "'Checked by'; then: workbench outcomes FILE --workspace WS")]
