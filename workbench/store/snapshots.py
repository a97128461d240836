"""Weekly snapshots of a waiting list, kept in one workspace.

Trusts import a fresh list every week. ``workbench import FILE --workspace WS
--snapshot`` (or the app, which asks) adds it as a new **snapshot**: it becomes
the current list, which every other feature reads, and the list before it is
kept, read-only, for the changes, the validation audit and the trends. A plain
import replaces the newest snapshot (the same week again, say with a corrected
mapping); the earlier ones stay.

**Checks.** A snapshot is added only after a later census date than the newest
one; never from a file already imported; never from another organisation (a
provider code column, where the lists have one) or with another pathway scheme
(pathway IDs of another shape, pathways found again mostly by NHS number rather
than by pathway ID, or hardly any pathway in common); nor when most pathways
come with other NHS numbers (one list pseudonymised, the other not, or with
another key). Each refusal is one plain sentence naming the file, and nothing
is written.

**Storage.** The newest snapshot *is* the current list (``list_columns``). Each
earlier snapshot is kept as what differs from the snapshot after it: ``carry``
says, row by row, which row of the later snapshot holds the same pathway ID,
and each column stores only the rows whose value differs from that row's
(every row of a pathway that has left), encoded as the workspace encodes the
list. From one week to the next most rows are the same, so a year of weekly
snapshots takes a few times the space of one list, not fifty-two
(benchmarks/bench_snapshots.py measures it). Reading an earlier snapshot
applies these differences from the current list back, one week at a time.

Tables (migration ``m006_snapshots``): ``snapshots`` (one row per snapshot:
its import, census date, file, sha256, rows, organisation, pathway scheme,
``carry``) and ``snapshot_columns``. A workspace made before snapshots has none
registered: its list is its one snapshot until the next import registers it.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator

import numpy as np

from workbench.errors import WorkbenchError
from workbench.fields import DATE, NUMBER, TEXT, WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.read.mapping import header_key
from workbench.store.matching import match_pathways
from workbench.store.workspace import (
    SAME_AS_SOURCE, Workspace, _column_entries, _decode_column, _encode_column, database_problem,
)

# Headers of a provider organisation code column (WLMDS's first), compared without case or punctuation.
ORGANISATION_HEADERS = ("organisation_identifier_code_of_provider", "Provider Code", "PROCODE", "Provider Organisation Code",
                        "Organisation Code", "Org Code", "Trust Code")
SAMPLE = 10_000  # rows looked at for the organisation and the shape of the pathway IDs
SCHEME_SHARE = 0.01  # a shape of pathway ID on at least this share of the rows is part of the scheme
SAME_SCHEME = 0.5  # at least this share of a new list's pathway IDs must have a shape of the scheme
FALLBACK_SHARE = 0.1  # more pathways than this found only by NHS number and specialty: the IDs changed
COMMON_SHARE = 0.05  # a weekly list shares far more of its pathways with the week before than this
ALL, SEQUENCE, DIFFERENCES, WEEKS = b"A", b"S", b"D", b"W"  # how an earlier snapshot's column is stored


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of the list: the import it came from and what identifies its organisation and IDs.

    ``id`` is None for the list of a workspace made before snapshots, not registered yet.
    """

    id: int | None
    census_date: date
    file_name: str
    sha256: str
    rows: int
    organisation: str | None = None
    pathway_scheme: tuple[str, ...] = ()
    import_id: int | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "census_date": self.census_date.isoformat(), "file": self.file_name,
                "sha256": self.sha256, "rows": self.rows, "organisation": self.organisation}


@dataclass
class Added:
    """What storing a list did to the snapshots, for the import's result."""

    number: int  # which snapshot the list is, 1 = the first
    of: int  # how many the workspace holds
    replaced: bool  # True: the newest snapshot was replaced (a plain import)
    previous: Snapshot | None = None
    matched_by_pathway_id: int = 0
    matched_by_nhs_number_and_specialty: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"number": self.number, "of": self.of, "replaced": self.replaced,
                "previous_census_date": self.previous and self.previous.census_date.isoformat(),
                "matched_by_pathway_id": self.matched_by_pathway_id,
                "matched_by_nhs_number_and_specialty": self.matched_by_nhs_number_and_specialty, "notes": self.notes}

    def sentence(self) -> str:
        """What happened, in words.

        >>> Added(3, 3, False, Snapshot(2, date(2026, 11, 8), "w.csv", "x", 10), 9, 1).sentence()
        'Snapshot 3 of 3; the snapshot of 08/11/2026 is kept: 9 pathways found again by pathway ID, 1 only by NHS number and specialty.'
        """
        what = f"Snapshot {self.number} of {self.of}" + (" (replacing the newest)" if self.replaced else "")
        if self.previous is None:
            return what + "."
        return (f"{what}; the snapshot of {self.previous.census_date:%d/%m/%Y} is kept: "
                f"{self.matched_by_pathway_id:,} pathways found again by pathway ID, "
                f"{self.matched_by_nhs_number_and_specialty:,} only by NHS number and specialty.")


# --------------------------------------------------------------------------- reading the register
def snapshots(workspace: Workspace) -> list[Snapshot]:
    """Every snapshot, oldest first; the last is the current list. [] for a workspace with no list."""
    rows = workspace.connection.execute(
        "SELECT id, census_date, file_name, sha256, rows, organisation, pathway_scheme, import_id "
        "FROM snapshots ORDER BY census_date, id").fetchall()
    if rows:
        return [Snapshot(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")), r[7])
                for r in rows]
    record = workspace.import_record() if workspace.has_list() else None
    if record is None:
        return []
    census = record["census_date"] or record["imported_at"].date()
    return [Snapshot(None, census, record["file_name"], record["sha256"], record["rows_stored"], import_id=record["id"])]


# --------------------------------------------------------------------------- storing a list
def store_list(workspace: Workspace, wl: WaitingList, findings, record: dict[str, Any], *, as_snapshot: bool = False,
               progress: Progress = no_progress, cancelled: CancelCheck = never, encoded_ahead=None) -> Added:
    """Store ``wl`` as the current list: a new snapshot (``as_snapshot``) or in place of the newest.

    Refuses (``WorkbenchError``, nothing written) a snapshot that is not later
    than the one before it, a file already imported, or a list of another
    organisation or pathway scheme.
    """
    known = snapshots(workspace)
    if as_snapshot and known:
        writes, added = _adding(workspace, known, workspace.load_list(), wl, record)
    elif len(known) >= 2:
        writes, added = _replacing_newest(workspace, known, workspace.load_list(), wl, record)
    else:  # the first list, or one in place of the only one: nothing earlier to keep
        writes, added = _first(known, wl), Added(1, 1, bool(known))
    check(cancelled)
    workspace.replace_list(wl, findings, record, progress=progress, cancelled=cancelled, encoded_ahead=encoded_ahead,
                           also=writes)
    return added


def _first(known: list[Snapshot], wl: WaitingList):
    def write(connection, import_id: int) -> None:
        _forget_snapshots(connection, [s.id for s in known if s.id is not None])
        _register(connection, import_id, wl)
    return write


def _adding(workspace: Workspace, known: list[Snapshot], current: WaitingList, wl: WaitingList, record: dict):
    newest = _described(known[-1], current)
    added = _refuse_unless_later(record, wl, newest, current, known)
    carry, columns = reverse_delta(current, wl)
    added.number = added.of = len(known) + 1

    def write(connection, import_id: int) -> None:
        kept = newest.id if newest.id is not None else _register(connection, newest.import_id, current)
        _keep_as_earlier(connection, kept, carry, columns)
        _register(connection, import_id, wl)
    return write, added


def _replacing_newest(workspace: Workspace, known: list[Snapshot], current: WaitingList, wl: WaitingList, record: dict):
    """A plain import into a workspace with earlier snapshots: the one before the newest is
    kept against the new list instead of the one it replaces."""
    before = known[-2]
    earlier = next(_older_snapshots(workspace, known[-2:], current, None))[1]
    added = _refuse_unless_later(record, wl, before, earlier, known[:-1], replacing=True)
    carry, columns = reverse_delta(earlier, wl)
    added.number = added.of = len(known)
    added.replaced = True

    def write(connection, import_id: int) -> None:
        _keep_as_earlier(connection, before.id, carry, columns)
        _forget_snapshots(connection, [known[-1].id])
        _register(connection, import_id, wl)
    return write, added


def _register(connection, import_id: int, wl: WaitingList) -> int:
    (census, file_name, sha256, rows) = connection.execute(
        "SELECT census_date, file_name, sha256, rows_stored FROM imports WHERE id = ?", (import_id,)).fetchone()
    census = census or (wl.census_date.isoformat() if wl.census_date else date.today().isoformat())
    cursor = connection.execute(
        "INSERT INTO snapshots (import_id, census_date, file_name, sha256, rows, organisation, pathway_scheme, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (import_id, census, file_name, sha256, rows, organisation_of(wl), json.dumps(pathway_scheme(wl)),
         datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return cursor.lastrowid


def _keep_as_earlier(connection, snapshot_id: int, carry: bytes, columns: list[tuple]) -> None:
    connection.execute("DELETE FROM snapshot_columns WHERE snapshot_id = ?", (snapshot_id,))
    connection.execute("UPDATE snapshots SET carry = ? WHERE id = ?", (carry, snapshot_id))
    connection.executemany(
        "INSERT INTO snapshot_columns (snapshot_id, name, kind, source, position, data) VALUES (?, ?, ?, ?, ?, ?)",
        [(snapshot_id, *column) for column in columns])


def _forget_snapshots(connection, ids: list[int | None]) -> None:
    for snapshot_id in ids:
        if snapshot_id is not None:
            connection.execute("DELETE FROM snapshot_columns WHERE snapshot_id = ?", (snapshot_id,))
            connection.execute("DELETE FROM snapshots WHERE id = ?", (snapshot_id,))


def _described(snapshot: Snapshot, wl: WaitingList) -> Snapshot:
    """A snapshot with its organisation and scheme (worked out from its list when not registered)."""
    if snapshot.id is not None:
        return snapshot
    return Snapshot(None, snapshot.census_date, snapshot.file_name, snapshot.sha256, snapshot.rows,
                    organisation_of(wl), tuple(pathway_scheme(wl)), snapshot.import_id)


# --------------------------------------------------------------------------- the checks
def _refuse_unless_later(record: dict, wl: WaitingList, before: Snapshot, before_list: WaitingList,
                         others: list[Snapshot], replacing: bool = False) -> Added:
    """Refuse a list that cannot follow ``before``; what matching it with ``before_list`` found, if it can."""
    name = record["file_name"]
    same_file = [s for s in others if s.sha256 == record["sha256"]]
    if same_file:
        raise WorkbenchError(f"{name}: this file was already imported, as the snapshot of "
                             f"{same_file[0].census_date:%d/%m/%Y}; nothing was imported")
    _refuse_an_earlier_date(name, wl.census_date, before.census_date, replacing)
    _refuse_another_organisation(name, organisation_of(wl), before)
    _refuse_another_scheme(name, wl, before)
    matches = match_pathways(before_list, wl)
    _refuse_changed_identifiers(name, matches, len(before_list), len(wl), before)
    _refuse_other_nhs_numbers(name, matches, before_list, wl, before)
    notes = [] if before.organisation and organisation_of(wl) else [
        "The lists name no provider organisation (no provider code column): check that this list is from the "
        "same organisation as the earlier snapshots."]
    return Added(0, 0, False, before, matches.by_id_count, matches.by_fallback_count, notes)


def _refuse_an_earlier_date(name: str, census: date, latest: date, replacing: bool) -> None:
    """A snapshot must come after the one before it (the newest, or, replacing the newest, the one before that)."""
    if replacing and census <= latest:
        raise WorkbenchError(f"{name}: its census date {census:%d/%m/%Y} is not after the snapshot before the newest "
                             f"({latest:%d/%m/%Y}), so it cannot replace the newest; nothing was imported")
    if census == latest:
        raise WorkbenchError(f"{name}: its census date {census:%d/%m/%Y} is the newest snapshot's: import it without "
                             "--snapshot to replace that snapshot, or give this list's own census date; nothing was imported")
    if census < latest:
        raise WorkbenchError(f"{name}: its census date {census:%d/%m/%Y} is before the newest snapshot's "
                             f"({latest:%d/%m/%Y}): snapshots are added in date order, so an older list cannot be "
                             "added; nothing was imported")


def _refuse_another_organisation(name: str, organisation: str | None, before: Snapshot) -> None:
    if organisation and before.organisation and organisation != before.organisation:
        raise WorkbenchError(f"{name}: this list is from organisation {organisation}, the snapshot of "
                             f"{before.census_date:%d/%m/%Y} from {before.organisation}: a workspace follows one "
                             "organisation's list; nothing was imported")


def _refuse_another_scheme(name: str, wl: WaitingList, before: Snapshot) -> None:
    ids = _sample_ids(wl)
    if not before.pathway_scheme or not len(ids):
        return
    shapes = [id_shape(i) for i in ids]
    fitting = sum(shape in before.pathway_scheme for shape in shapes) / len(shapes)
    if fitting < SAME_SCHEME:
        main = Counter(shapes).most_common(1)[0][0]
        raise WorkbenchError(f"{name}: its pathway IDs are written like {main}, those of the snapshot of "
                             f"{before.census_date:%d/%m/%Y} like {before.pathway_scheme[0]} (9 a digit, A a letter): "
                             "another pathway scheme, so pathways cannot be followed from one list to the next; "
                             "nothing was imported")


def _refuse_changed_identifiers(name: str, matches, before_rows: int, rows: int, before: Snapshot) -> None:
    when = f"{before.census_date:%d/%m/%Y}"
    by_id, by_fallback = matches.by_id_count, matches.by_fallback_count
    if by_fallback > by_id and by_fallback >= FALLBACK_SHARE * rows:
        raise WorkbenchError(f"{name}: {by_fallback:,} of its pathways are found on the snapshot of {when} only by "
                             f"NHS number and specialty, {by_id:,} by pathway ID: their pathway IDs were changed or "
                             "edited, so pathways cannot be followed safely; nothing was imported")
    if by_id + by_fallback < COMMON_SHARE * min(before_rows, rows):
        raise WorkbenchError(f"{name}: only {by_id + by_fallback:,} of its {rows:,} pathways are on the snapshot of "
                             f"{when}: another organisation's or another system's list (or a pseudonymised list "
                             "beside a named one); nothing was imported")


def _refuse_other_nhs_numbers(name: str, matches, before_list: WaitingList, wl: WaitingList, before: Snapshot) -> None:
    """The same pathways with other NHS numbers, most of them: pseudonymised on one list and not the other,
    or with another key; never followed as if they were the same patients."""
    numbers = [np.asarray(w.columns.get("nhs_number", np.full(len(w), None)), dtype=object)[rows]
               for w, rows in ((before_list, matches.earlier), (wl, matches.later))]
    both = (numbers[0] != None) & (numbers[1] != None)  # noqa: E711 (elementwise)
    if both.sum() and (numbers[0][both] != numbers[1][both]).mean() > SAME_SCHEME:
        raise WorkbenchError(f"{name}: most of its pathways have another NHS number than on the snapshot of "
                             f"{before.census_date:%d/%m/%Y}: one list is pseudonymised and the other not, or with "
                             "another key (use the same key file: --key-file); nothing was imported")


def organisation_of(wl: WaitingList) -> str | None:
    """The provider code most rows give, from a provider organisation column; None without one.

    >>> organisation_of(WaitingList(np.arange(1, 3), {}, {"Provider Code": np.array(["rxx", "RXX "], dtype=object)}))
    'RXX'
    """
    wanted = {header_key(h) for h in ORGANISATION_HEADERS}
    for header in wl.source:  # headers only: a stored column is decoded when first read
        if header_key(header) in wanted:
            values = [str(v).strip().upper() for v in wl.source[header][:SAMPLE] if v is not None and str(v).strip()]
            if values:
                return Counter(values).most_common(1)[0][0]
    return None


def id_shape(pathway_id: str) -> str:
    """A pathway ID's shape: each digit 9, each letter A, the rest as written.

    >>> id_shape("RTT000012345"), id_shape("ppi-7/12")
    ('AAA999999999', 'AAA-9/99')
    """
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", str(pathway_id).strip()))


def pathway_scheme(wl: WaitingList) -> list[str]:
    """The shapes of the list's pathway IDs, commonest first (those on at least 1% of the rows)."""
    ids = _sample_ids(wl)
    counts = Counter(id_shape(i) for i in ids)
    return [shape for shape, count in counts.most_common() if count >= SCHEME_SHARE * len(ids)]


def _sample_ids(wl: WaitingList) -> list[str]:
    ids = wl.columns.get("pathway_id")
    if ids is None:
        return []
    return [i for i in ids[:SAMPLE].tolist() if i is not None and str(i).strip()]


# --------------------------------------------------------------------------- differences between two lists
def reverse_delta(earlier: WaitingList, later: WaitingList) -> tuple[bytes, list[tuple]]:
    """How to get ``earlier`` back from ``later``: the carry (for each earlier row, the later row
    with its pathway ID, or -1) and, per column, (name, kind, is source, position, stored differences)."""
    carry = _carry(earlier, later)
    missing = carry < 0
    at = np.where(missing, 0, carry)
    stored = []
    for position, (name, kind, is_source, values) in enumerate(_column_entries(earlier)):
        if kind == SAME_AS_SOURCE:
            blob = _encode_column(kind, values)
        elif name == "weeks_waited" and not is_source and "wait_start" in earlier.columns:
            blob = _weeks_apart_from_the_rule(values, earlier)
        else:
            blob = _differences(kind, np.asarray(values), _values_of(later, name, is_source), at, missing)
        stored.append((name, kind, is_source, position, blob))
    return _pack_ints(carry), stored


def _carry(earlier: WaitingList, later: WaitingList) -> np.ndarray:
    """For each earlier row, the later row holding the same pathway ID (its same occurrence), or -1."""
    found = match_pathways(WaitingList(earlier.row_id, {"pathway_id": earlier.columns.get("pathway_id")}),
                           WaitingList(later.row_id, {"pathway_id": later.columns.get("pathway_id")}))
    carry = np.full(len(earlier), -1, dtype=np.int64)
    carry[found.earlier] = found.later
    return carry


def _differences(kind: str, values: np.ndarray, later: np.ndarray | None, at: np.ndarray, missing: np.ndarray) -> bytes:
    """A column stored whole, as a count (row numbers), or as its rows that the later snapshot does not
    hold (pathways that left: the same rows for every column, so their positions are not stored) and
    the rows whose value differs from the later snapshot's."""
    first = _count_from(kind, values)
    if first is not None:
        return SEQUENCE + kind.encode("utf-8")[:1] + struct.pack("<q", first)
    if later is None or len(later) == 0:
        return ALL + _encode_column(kind, values)
    differing = _differs(kind, values, later[at]) & ~missing
    if (differing | missing).all():
        return ALL + _encode_column(kind, values)
    extra = np.flatnonzero(differing)
    packed = _pack_ints(extra)
    stored = values[np.concatenate([np.flatnonzero(missing), extra])]
    return DIFFERENCES + struct.pack("<Q", len(packed)) + packed + _encode_column(kind, stored)


def _weeks_apart_from_the_rule(weeks: np.ndarray, wl: WaitingList) -> bytes:
    """Weeks waited change every row every week, but follow from the clock start: only the rows where
    they do not (waits not counted) are stored."""
    differing = np.flatnonzero(_differs(NUMBER, weeks, weeks_since(wl.columns["wait_start"], wl.census_date)))
    packed = _pack_ints(differing)
    return WEEKS + struct.pack("<Q", len(packed)) + packed + _encode_column(NUMBER, weeks[differing])


def weeks_since(wait_start: np.ndarray, census: date) -> np.ndarray:
    """(census date - clock start) / 7, as :func:`workbench.check.waits.counted_waits` works weeks waited out."""
    days = (np.datetime64(census, "D") - wait_start.astype("datetime64[D]")).astype(np.float64)
    return days / 7.0


def _count_from(kind: str, values: np.ndarray) -> int | None:
    """The first number of a column that counts up by one a row (row and line numbers, a row ID), else None."""
    if not len(values):
        return None
    if kind == NUMBER:
        first = values[0]
        counts = np.isfinite(first) and float(first).is_integer() and np.array_equal(
            values, first + np.arange(len(values), dtype=np.float64))
        return int(first) if counts else None
    ends = values[0], values[-1]
    if kind != TEXT or not all(isinstance(v, str) and v.isdigit() and v == str(int(v)) for v in ends):
        return None
    first = int(ends[0])
    if int(ends[1]) - first != len(values) - 1:
        return None
    return first if values.tolist() == [str(n) for n in range(first, first + len(values))] else None


def _differs(kind: str, values: np.ndarray, other: np.ndarray) -> np.ndarray:
    if kind == TEXT:
        return np.asarray(values != other, dtype=bool)
    if kind == DATE:
        values, other = values.astype("datetime64[D]"), other.astype("datetime64[D]")
        return (values != other) & ~(np.isnat(values) & np.isnat(other))
    values, other = values.astype(np.float64), other.astype(np.float64)
    return (values != other) & ~(np.isnan(values) & np.isnan(other))


def _values_of(wl: WaitingList, name: str, is_source: int) -> np.ndarray | None:
    if is_source:
        return wl.source[name] if name in wl.source else None
    return wl.row_id if name == "row_id" else wl.columns.get(name)


def _pack_ints(values: np.ndarray) -> bytes:
    """Whole numbers as the zlib of their steps (runs of 1 compress to almost nothing)."""
    return zlib.compress(np.diff(np.asarray(values, dtype=np.int64), prepend=0).astype(np.int32).tobytes(), 1)


def _unpack_ints(blob: bytes) -> np.ndarray:
    return np.cumsum(np.frombuffer(zlib.decompress(blob), dtype=np.int32), dtype=np.int64)


def _restored(kind: str, blob: bytes, later: np.ndarray | None, carry: np.ndarray) -> np.ndarray:
    """An earlier snapshot's column from its stored form and the later snapshot's column."""
    tag, rest = blob[:1], blob[1:]
    if tag == WEEKS:
        raise ValueError("weeks waited are restored from the clock start (_restore_weeks)")
    if tag == ALL:
        return _decode_column(kind, rest)
    if tag == SEQUENCE:
        (first,) = struct.unpack("<q", rest[1:])
        counted = np.arange(first, first + len(carry), dtype=np.int64)
        return counted.astype(np.float64) if rest[:1] != b"t" else np.array([str(n) for n in counted.tolist()], dtype=object)
    if later is None or not len(later):
        raise ValueError("an earlier snapshot's column is stored against a later one that does not hold it")
    (size,) = struct.unpack("<Q", rest[:8])
    positions = np.concatenate([np.flatnonzero(carry < 0), _unpack_ints(rest[8:8 + size])])
    values = later[np.where(carry < 0, 0, carry)]
    values[positions] = _decode_column(kind, rest[8 + size:])
    return values


# --------------------------------------------------------------------------- reading earlier snapshots
def read_snapshots(workspace: Workspace, wanted: Iterable[str] | None = None, progress: Progress = no_progress,
                   cancelled: CancelCheck = never, current: WaitingList | None = None) -> Iterator[tuple[Snapshot, WaitingList]]:
    """Every snapshot with its list, newest first (the current list first).

    ``wanted`` names the columns to give back (fields, or source headers), all
    of them when None: reading only what a figure needs is much quicker. Every
    list has its ``row_id``. ``current`` is the workspace's current list if
    already in memory (the app's), so it is not read again. A damaged workspace
    is a WorkbenchError naming it.
    """
    known = snapshots(workspace)
    if not known:
        return
    current = current if current is not None else workspace.load_list()
    wanted = None if wanted is None else set(wanted) | {"row_id"}
    yield known[-1], _only(current, wanted)
    try:
        yield from _older_snapshots(workspace, known, current, wanted, progress, cancelled)
    except (zlib.error, ValueError, struct.error, UnicodeDecodeError) as error:
        raise database_problem(workspace.path, error) from None


def _older_snapshots(workspace: Workspace, known: list[Snapshot], current: WaitingList, wanted: set[str] | None,
                     progress: Progress = no_progress, cancelled: CancelCheck = never):
    if wanted is not None and "weeks_waited" in wanted:
        wanted = wanted | {"wait_start"}  # weeks waited are kept as what differs from those since the clock start
    wanted = None if wanted is None else wanted | _referred_headers(workspace, wanted)
    later = current
    for done, snapshot in enumerate(reversed(known[:-1]), start=1):
        check(cancelled)
        later = _earlier_list(workspace, snapshot, later, wanted)
        progress(done / len(known), f"Reading the snapshot of {snapshot.census_date:%d/%m/%Y}")
        yield snapshot, later


def _earlier_list(workspace: Workspace, snapshot: Snapshot, later: WaitingList, wanted: set[str] | None) -> WaitingList:
    (carry_blob,) = workspace.connection.execute("SELECT carry FROM snapshots WHERE id = ?", (snapshot.id,)).fetchone()
    carry = _unpack_ints(carry_blob)
    columns, source, same_as, weeks = {}, {}, {}, None
    for name, kind, is_source, blob in workspace.connection.execute(
            "SELECT name, kind, source, data FROM snapshot_columns WHERE snapshot_id = ? ORDER BY position", (snapshot.id,)):
        if wanted is not None and name not in wanted:
            continue
        if kind == SAME_AS_SOURCE:
            same_as[name] = blob.decode("utf-8")
        elif blob[:1] == WEEKS:
            weeks = blob
        else:
            (source if is_source else columns)[name] = _restored(kind, blob, _values_of(later, name, is_source), carry)
    for name, header in same_as.items():
        columns[name] = source[header]
    if weeks is not None:
        columns["weeks_waited"] = _restore_weeks(weeks, columns["wait_start"], snapshot.census_date)
    row_id = columns.pop("row_id").astype(np.int64)
    return WaitingList(row_id=row_id, columns=columns, source=source, census_date=snapshot.census_date)


def _restore_weeks(blob: bytes, wait_start: np.ndarray, census: date) -> np.ndarray:
    (size,) = struct.unpack("<Q", blob[1:9])
    weeks = weeks_since(wait_start, census)
    weeks[_unpack_ints(blob[9:9 + size])] = _decode_column(NUMBER, blob[9 + size:])
    return weeks


def _referred_headers(workspace: Workspace, wanted: set[str]) -> set[str]:
    """Source headers that wanted fields are stored as (a field identical to its source column)."""
    names = list(wanted)
    marks = ",".join("?" * len(names))
    rows = workspace.connection.execute(
        f"SELECT data FROM snapshot_columns WHERE kind = ? AND name IN ({marks}) "
        f"UNION SELECT data FROM list_columns WHERE kind = ? AND name IN ({marks})",
        (SAME_AS_SOURCE, *names, SAME_AS_SOURCE, *names))
    return {blob.decode("utf-8") for (blob,) in rows}


def _only(wl: WaitingList, wanted: set[str] | None) -> WaitingList:
    if wanted is None:
        return wl
    return WaitingList(wl.row_id, {n: v for n, v in wl.columns.items() if n in wanted},
                       {h: wl.source[h] for h in wl.source if h in wanted}, wl.census_date, wl.known_codes)


def snapshot_list(workspace: Workspace, snapshot_id: int | None) -> WaitingList:
    """One snapshot's whole list (``None`` or the newest's id: the current list)."""
    for snapshot, wl in read_snapshots(workspace):
        if snapshot.id == snapshot_id or snapshot_id is None:
            return wl
    raise WorkbenchError(f"{workspace.path.name}: it has no snapshot {snapshot_id}")


def stored_headers(workspace: Workspace) -> list[str]:
    """Every source header of every snapshot (a grouping may name one), in the current list's order first."""
    rows = workspace.connection.execute(
        "SELECT name FROM list_columns WHERE source = 1 ORDER BY position").fetchall()
    rows += workspace.connection.execute("SELECT name FROM snapshot_columns WHERE source = 1").fetchall()
    return list(dict.fromkeys(name for (name,) in rows))

