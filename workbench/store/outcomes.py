"""Validation outcomes: what a validation team found, read back from the worklist it filled in.

The findings worklist (``workbench validate --out``) and the worklist of who is
due for validation (``workbench due --out``) have "Action taken", "Date
checked" and "Checked by" columns. Filled in and read back with ``workbench
outcomes FILE --workspace WS``, each pathway's outcome is recorded with its
date, the person, and the file (name, sha256, row) it came from.

**Outcome words.** One of :data:`OUTCOMES`, written in any case and
punctuation, or one of the few plain synonyms in :data:`SPELLINGS` ("deceased"
for died, "no response" for did not respond...). Any other word is never
guessed: the file is refused, listing each unknown word with its rows, until
the user says what it means (``--map-outcome "Not needed=no longer required"``).

**Nothing recorded against the wrong patient.** The whole file is refused,
nothing recorded, when a pathway ID is on none of the workspace's snapshots,
when the NHS number or specialty beside it is not the one the workspace holds
for that pathway (edited identifiers), when a row has an outcome but no date (or
a date that cannot be), when one pathway has two different outcomes in the
file, or when the file was read before. Rows with no outcome yet are skipped
and counted.

Recorded outcomes are kept in ``validation_outcomes``, and each file read in
``outcome_files`` (migration ``m007_validation_outcomes``); SQLite refuses to
change or delete either: a correction is a later outcome, and the newest one of
a pathway counts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.read import readers
from workbench.read.dates import implausible_dates, parse_dates
from workbench.read.mapping import header_key
from workbench.read.nhs_number import normalise_nhs_number
from workbench.store.importer import file_sha256
from workbench.store.pseudonymise import PSEUDONYM_PREFIX
from workbench.store.snapshots import read_snapshots
from workbench.store.workspace import Workspace, database_problem

STILL_WAITING, TREATED_ELSEWHERE, NO_LONGER_REQUIRED = "still waiting", "treated elsewhere", "no longer required"
MOVED_AWAY, DIED, DID_NOT_RESPOND, OTHER = "moved away", "died", "did not respond", "other"
OUTCOMES = (STILL_WAITING, TREATED_ELSEWHERE, NO_LONGER_REQUIRED, MOVED_AWAY, DIED, DID_NOT_RESPOND, OTHER)
REMOVALS = OUTCOMES[1:]  # every outcome but still waiting takes the pathway off the list
# The outcome words understood besides the outcomes themselves: plain synonyms only, never a guess.
SPELLINGS: dict[str, tuple[str, ...]] = {
    STILL_WAITING: ("still requires treatment", "remains on list", "keep on list"),
    TREATED_ELSEWHERE: ("treated at another provider", "treated privately"),
    NO_LONGER_REQUIRED: ("not required", "no longer needed", "treatment no longer required"),
    MOVED_AWAY: ("moved out of area",),
    DIED: ("deceased", "patient died"),
    DID_NOT_RESPOND: ("no response", "non responder", "patient did not respond"),
    OTHER: (),
}
# Headers of the returned worklist's columns, best first (compared without case or punctuation).
COLUMN_HEADERS = {
    "pathway_id": ("Pathway ID", "patient_pathway_identifier", "Pathway"),
    "nhs_number": ("NHS number",),
    "specialty": ("Specialty",),
    "outcome": ("Action taken", "Outcome", "Validation outcome"),
    "outcome_date": ("Date checked", "Outcome date", "Date validated", "Validation date"),
    "checked_by": ("Checked by", "Validated by"),
}
SHOWN = 5  # rows or IDs named in a refusal before "and N more"


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]+", " ", str(text).casefold()).strip()


_WORDS = {_squashed(word): outcome for outcome in OUTCOMES for word in (outcome, *SPELLINGS[outcome])}


def outcome_of(written: str, word_map: Mapping[str, str] | None = None) -> str | None:
    """The outcome a written word means, or None when it is not known (never guessed).

    >>> outcome_of("Did not respond"), outcome_of(" DECEASED "), outcome_of("DNA"), outcome_of("DNA", {"dna": "did not respond"})
    ('did not respond', 'died', None, 'did not respond')
    """
    mapped = {_squashed(k): v for k, v in (word_map or {}).items()}
    squashed = _squashed(written)
    return mapped.get(squashed) or _WORDS.get(squashed)


def parse_word_map(options: Iterable[str]) -> dict[str, str]:
    """``WORD=outcome`` options into a mapping; WorkbenchError for an outcome that is not one.

    >>> parse_word_map(["Not needed=no longer required"])
    {'Not needed': 'no longer required'}
    """
    found = {}
    for option in options:
        word, _, outcome = option.partition("=")
        if not word.strip() or _squashed(outcome) not in {_squashed(o) for o in OUTCOMES}:
            raise WorkbenchError(f"--map-outcome {option}: write it as WORD=OUTCOME, the outcome one of: "
                                 f"{', '.join(OUTCOMES)}")
        found[word.strip()] = next(o for o in OUTCOMES if _squashed(o) == _squashed(outcome))
    return found


# --------------------------------------------------------------------------- reading a returned worklist
@dataclass
class Returned:
    """The outcomes a returned worklist holds: one entry per pathway, with the file row it came from."""

    file_name: str
    sha256: str
    pathway_id: list[str] = field(default_factory=list)
    nhs_number: list[str | None] = field(default_factory=list)
    specialty: list[str | None] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    written_as: list[str] = field(default_factory=list)
    outcome_date: list[date] = field(default_factory=list)
    checked_by: list[str | None] = field(default_factory=list)
    file_row: list[int] = field(default_factory=list)
    not_filled_in: int = 0  # rows with no outcome yet

    def __len__(self) -> int:
        return len(self.pathway_id)


def read_returned(path, word_map: Mapping[str, str] | None = None) -> Returned:
    """Read a filled-in worklist (xlsx, its worklist sheets; or CSV). Refuses unknown outcome words,
    rows with an outcome but no usable date, and pathways given two different outcomes."""
    path = Path(path)
    returned = Returned(path.name, file_sha256(path))
    rows = _outcome_rows(path)
    rows["outcome_word"] = rows["outcome"].map(lambda w: outcome_of(w, word_map))
    _refuse_unknown_words(path.name, rows)
    _refuse_undated(path.name, rows)
    _refuse_conflicts(path.name, rows)
    kept = rows.drop_duplicates(["pathway_id", "outcome_word", "outcome_date"])
    returned.not_filled_in = int(rows.attrs["not_filled_in"])
    for name, column in (("pathway_id", "pathway_id"), ("nhs_number", "nhs_number"), ("specialty", "specialty"),
                         ("outcome", "outcome_word"), ("written_as", "outcome"), ("checked_by", "checked_by"),
                         ("file_row", "file_row")):
        setattr(returned, name, kept[column].tolist())
    returned.outcome_date = [d.astype(date) for d in kept["outcome_date"].to_numpy("datetime64[D]")]
    return returned


def unknown_words(path, word_map: Mapping[str, str] | None = None, progress: Progress = no_progress,
                  cancelled: CancelCheck = never) -> list[tuple[str, int]]:
    """The outcome words of a returned worklist the workbench does not know, with how many rows use each
    (commonest first): for the user to say what each means before anything is recorded."""
    rows = _outcome_rows(Path(path))
    unknown = rows["outcome"][rows["outcome"].map(lambda w: outcome_of(w, word_map)).isna()]
    return Counter(unknown).most_common()


def record_file(path, workspace_path, word_map: Mapping[str, str] | None = None, progress: Progress = no_progress,
                cancelled: CancelCheck = never) -> "Recorded":
    """Read a returned worklist and record its outcomes in the workspace at ``workspace_path`` (all or nothing)."""
    returned = read_returned(path, word_map)
    with Workspace.open(workspace_path) as workspace:
        return record_outcomes(workspace, returned)


def _outcome_rows(path: Path) -> pd.DataFrame:
    """The filled-in rows of every worklist sheet: pathway, identifiers, outcome as written, date, person, row."""
    tables = [_columns_of(path, table) for table in _worklist_tables(path)]
    frame = pd.concat(tables, ignore_index=True)
    filled = frame["outcome"].notna() & (frame["outcome"].astype(str).str.strip() != "")
    kept = frame[filled].copy()
    kept.attrs["not_filled_in"] = int((~filled).sum())
    if kept.empty:
        raise WorkbenchError(f"{path.name}: no row has an outcome filled in ('Action taken'); nothing was recorded")
    kept["outcome"] = kept["outcome"].astype(str).str.strip()
    return kept


def _worklist_tables(path: Path) -> list:
    """Each sheet (or the CSV) with a pathway ID and an outcome column, read whole."""
    sheets = readers.list_sheets(path) or [None]
    found = [readers.read_table(path, sheet) for sheet in sheets
             if _has_worklist_columns(readers.preview(path, sheet, rows=0).headers)]
    if not found:
        raise WorkbenchError(f"{path.name}: no sheet has a 'Pathway ID' column and an 'Action taken' (or 'Outcome') "
                             "column: is this a worklist the workbench wrote?")
    return found


def _has_worklist_columns(headers: list[str]) -> bool:
    return _header(headers, "pathway_id") is not None and _header(headers, "outcome") is not None


def _header(headers: list[str], name: str) -> str | None:
    keyed = {header_key(h): h for h in reversed(headers)}
    return next((keyed[header_key(s)] for s in COLUMN_HEADERS[name] if header_key(s) in keyed), None)


def _columns_of(path: Path, table) -> pd.DataFrame:
    n = table.rows_read
    values = {name: (table.column(h) if (h := _header(table.headers, name)) else np.full(n, None, dtype=object))
              for name in COLUMN_HEADERS}
    parsed = parse_dates(values["outcome_date"])
    sheet = f" (sheet {table.sheet})" if table.sheet else ""
    as_text = lambda tidy, name: pd.Series([tidy(v) for v in values[name]], dtype=object)  # noqa: E731 (None stays None)
    return pd.DataFrame({
        "pathway_id": as_text(_text, "pathway_id"),
        "nhs_number": as_text(_nhs_number, "nhs_number"),
        "specialty": as_text(_text, "specialty"),
        "outcome": values["outcome"],
        "outcome_date": parsed.dates,
        "checked_by": as_text(_text, "checked_by"),
        "file_row": table.source_line.astype(np.int64),
        "where": f"{path.name}{sheet}",
    })


def _text(value) -> str | None:
    text = None if value is None else str(value).strip().lstrip("'")  # a quote the export put before a formula
    return text or None


def _nhs_number(value) -> str | None:
    text = _text(value)
    return text if text is None or text.startswith(PSEUDONYM_PREFIX) else normalise_nhs_number(text)


def _refuse_unknown_words(name: str, rows: pd.DataFrame) -> None:
    unknown = rows[rows["outcome_word"].isna()]
    if unknown.empty:
        return
    counts = Counter(unknown["outcome"])
    words = "; ".join(f"'{w}' ({n:,} row{'' if n == 1 else 's'}, first at row {int(unknown[unknown['outcome'] == w]['file_row'].iloc[0])})"
                      for w, n in counts.most_common())
    first = counts.most_common(1)[0][0]
    raise WorkbenchError(f"{name}: outcome words the workbench does not know: {words}. Say what each means, e.g. "
                         f"--map-outcome \"{first}=did not respond\" (the outcomes: {', '.join(OUTCOMES)}); "
                         "nothing was recorded")


def _refuse_undated(name: str, rows: pd.DataFrame) -> None:
    dates = rows["outcome_date"].to_numpy("datetime64[D]")
    bad = np.isnat(dates) | implausible_dates(dates) | (dates > np.datetime64(date.today(), "D"))
    if bad.any():
        shown = _rows_text(rows["file_row"][bad].tolist())
        raise WorkbenchError(f"{name}: {int(bad.sum()):,} rows have an outcome but no date checked, or a date that "
                             f"cannot be (in the future, or not a date), at rows {shown}: fill in 'Date checked' as "
                             "dd/mm/yyyy; nothing was recorded")


def _refuse_conflicts(name: str, rows: pd.DataFrame) -> None:
    distinct = rows.drop_duplicates(["pathway_id", "outcome_word", "outcome_date"])
    twice = distinct[distinct["pathway_id"].duplicated(keep=False) & distinct["pathway_id"].notna()]
    if not twice.empty:
        pathway = twice["pathway_id"].iloc[0]
        at = _rows_text(twice[twice["pathway_id"] == pathway]["file_row"].tolist())
        raise WorkbenchError(f"{name}: pathway {pathway} has different outcomes or dates at rows {at} "
                             f"({twice['pathway_id'].nunique():,} pathways so): give each pathway one outcome; "
                             "nothing was recorded")


def _rows_text(rows: list[int]) -> str:
    """
    >>> _rows_text([4, 9, 12, 20, 21, 30, 31])
    '4, 9, 12, 20, 21 and 2 more'
    """
    shown = ", ".join(str(r) for r in rows[:SHOWN])
    return shown + (f" and {len(rows) - SHOWN:,} more" if len(rows) > SHOWN else "")


# --------------------------------------------------------------------------- recording
@dataclass
class Recorded:
    """What reading a returned worklist recorded."""

    file_name: str
    recorded: int
    by_outcome: dict[str, int]
    not_filled_in: int

    def as_dict(self) -> dict:
        return {"file": self.file_name, "recorded": self.recorded, "by_outcome": self.by_outcome,
                "not_filled_in": self.not_filled_in}


def record_outcomes(workspace: Workspace, returned: Returned) -> Recorded:
    """Record a returned worklist's outcomes, all or nothing (see the module notes for what is refused)."""
    _refuse_a_file_read_before(workspace, returned)
    _refuse_unknown_pathways(workspace, returned)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = list(zip(returned.file_row, returned.pathway_id, returned.nhs_number, returned.specialty, returned.outcome,
                    [d.isoformat() for d in returned.outcome_date], returned.checked_by, returned.written_as))
    connection = workspace.connection
    try:
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            file_id = connection.execute("INSERT INTO outcome_files (file_name, sha256, recorded_at) VALUES (?, ?, ?)",
                                         (returned.file_name, returned.sha256, now)).lastrowid
            connection.executemany(
                "INSERT INTO validation_outcomes (file_id, file_row, pathway_id, nhs_number, specialty, outcome, "
                "outcome_date, checked_by, written_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(file_id, *row) for row in rows])
    except Exception as error:  # sqlite3 and OS errors: the transaction was rolled back
        raise database_problem(workspace.path, error, "could not be saved") from None
    counts = Counter(returned.outcome)
    return Recorded(returned.file_name, len(rows), {o: counts[o] for o in OUTCOMES if counts[o]}, returned.not_filled_in)


def _refuse_a_file_read_before(workspace: Workspace, returned: Returned) -> None:
    row = workspace.connection.execute("SELECT file_name, recorded_at FROM outcome_files WHERE sha256 = ?",
                                       (returned.sha256,)).fetchone()
    if row is not None:
        when = datetime.fromisoformat(row[1]).astimezone().strftime("%d/%m/%Y %H:%M")
        raise WorkbenchError(f"{returned.file_name}: its outcomes were recorded already, on {when} (as {row[0]}); "
                             "nothing was recorded again")


def _refuse_unknown_pathways(workspace: Workspace, returned: Returned) -> None:
    """Every pathway must be on a snapshot, with the NHS number and specialty the workspace holds for it."""
    held = known_pathways(workspace, set(returned.pathway_id))
    unknown = [(p, r) for p, r in zip(returned.pathway_id, returned.file_row) if p not in held]
    if unknown:
        raise WorkbenchError(f"{returned.file_name}: {len(unknown):,} pathway IDs are on none of this workspace's lists: "
                             f"{_listed(unknown)}; check the file is this list's worklist; nothing was recorded")
    edited = [(p, r) for p, n, s, r in zip(returned.pathway_id, returned.nhs_number, returned.specialty, returned.file_row)
              if (n is not None and n not in held[p][0]) or (s is not None and s not in held[p][1])]
    if edited:
        raise WorkbenchError(f"{returned.file_name}: {len(edited):,} rows give an NHS number or specialty that is not the "
                             f"one this workspace holds for their pathway ID (edited identifiers): {_listed(edited)}; "
                             "an outcome is never recorded against what may be another patient; nothing was recorded")


def _listed(pairs: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{p} (row {r})" for p, r in pairs[:SHOWN])
    return shown + (f" and {len(pairs) - SHOWN:,} more" if len(pairs) > SHOWN else "")


def known_pathways(workspace: Workspace, pathway_ids: set[str]) -> dict[str, tuple[set, set]]:
    """Those of ``pathway_ids`` on any snapshot, with every NHS number and specialty they were given."""
    held: dict[str, tuple[set, set]] = {}
    for _snapshot, wl in read_snapshots(workspace, {"pathway_id", "nhs_number", "specialty"}):
        ids = wl.columns["pathway_id"]
        rows = np.flatnonzero(pd.Series(ids, dtype=object).isin(pathway_ids).to_numpy())
        missing = np.full(len(wl), None, dtype=object)
        numbers, specialties = (wl.columns.get(name, missing) for name in ("nhs_number", "specialty"))
        for row in rows.tolist():
            found = held.setdefault(ids[row], (set(), set()))
            found[0].add(numbers[row])
            found[1].add(specialties[row])
    return held


# --------------------------------------------------------------------------- reading what was recorded
@dataclass(frozen=True)
class Outcomes:
    """Recorded outcomes, oldest first (by date, then as recorded): equal-length arrays."""

    pathway_id: np.ndarray
    outcome: np.ndarray
    outcome_date: np.ndarray  # datetime64[D]
    checked_by: np.ndarray
    file_name: np.ndarray

    def __len__(self) -> int:
        return len(self.pathway_id)


def recorded_outcomes(workspace: Workspace) -> Outcomes:
    """Every outcome recorded, with the file it came from."""
    rows = workspace.connection.execute(
        "SELECT pathway_id, outcome, outcome_date, coalesce(checked_by, ''), file_name FROM validation_outcomes "
        "JOIN outcome_files ON outcome_files.id = file_id ORDER BY outcome_date, validation_outcomes.id").fetchall()
    columns = list(zip(*rows)) if rows else [(), (), (), (), ()]
    return Outcomes(np.array(columns[0], dtype=object), np.array(columns[1], dtype=object), _days(columns[2]),
                    np.array(columns[3], dtype=object), np.array(columns[4], dtype=object))


def newest_outcomes(workspace: Workspace, since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Each pathway's newest outcome dated in [since, until] (by date, then as recorded), indexed by pathway
    ID: ``outcome``, ``outcome_date`` (datetime64[D]) and ``checked_by``. Chosen by SQLite: a year of weekly
    worklists holds hundreds of thousands of outcomes."""
    rows = workspace.connection.execute(
        """SELECT pathway_id, outcome, outcome_date, checked_by FROM (
               SELECT pathway_id, outcome, outcome_date, coalesce(checked_by, '') AS checked_by,
                      row_number() OVER (PARTITION BY pathway_id ORDER BY outcome_date DESC, id DESC) AS newest
               FROM validation_outcomes WHERE outcome_date >= ? AND outcome_date <= ?)
           WHERE newest = 1""",
        ((since or date.min).isoformat(), (until or date.max).isoformat())).fetchall()
    columns = list(zip(*rows)) if rows else [(), (), (), ()]
    return pd.DataFrame({"outcome": np.array(columns[1], dtype=object), "outcome_date": _days(columns[2]),
                         "checked_by": np.array(columns[3], dtype=object)},
                        index=pd.Index(columns[0], dtype=object, name="pathway_id"))


def _days(iso: tuple) -> np.ndarray:
    return pd.to_datetime(pd.Series(iso, dtype=object), format="%Y-%m-%d").to_numpy("datetime64[D]")
