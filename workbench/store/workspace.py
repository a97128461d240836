"""The workspace: one SQLite file holding a waiting list, its checks and decisions.

Tables (schema managed by ``sqlite_utils.migrations``, forward only):

- ``imports``: one row per import: file name, sha256, sheet, rows read and
  stored, the mapping used, census date, time.
- ``list_columns``: the current list, stored column by column: every source
  column exactly as read (text, compressed), and the canonical and derived
  fields typed (NumPy bytes, compressed; dates as days since 1970). A column is
  named by its name *and* whether it is a source column, so a file whose
  headers are the field names themselves (``pathway_id``, ``imd_decile``)
  keeps both: its own column as read, and the field the workbench made. A row is named by
  its ``row_id`` (1-based data row of the file) and ``source_line`` (the row or
  line number a person sees in the file).
- ``findings``: ``(row_id, code, detail)`` for every validation finding.

Why columns and not one SQL row per patient: a million-row list is written in
a few seconds and opened in well under two, where row-by-row ``executemany``
alone takes longer than the whole import (measured: benchmarks/bench_import.py).
Every value read is kept; exports give the rows back as CSV or xlsx.
- ``scenarios``, ``decision_log``, ``rule_history``: saved rule sets and the
  hash-chained record of decisions.

Replacing the list is one transaction: if anything fails or the user cancels,
the file is exactly as it was. A connection belongs to the thread that opened
it; the app does all writes from one worker thread.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import struct
import zlib
from collections.abc import MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import sqlite_utils

from workbench.fields import DATE, FIELD_KINDS, NUMBER, TEXT, KnownCodes, WaitingList, repeats_a_lot, smallest_codes
from workbench.store.files import create_private_file, replacing
from workbench.progress import CancelCheck, Progress, check, never, no_progress, scaled
from workbench.errors import FINDING_CODES, Finding, WorkbenchError
from workbench.store.migrations import bring_up_to_date, migrations, refuse_a_newer_schema

APPLICATION_ID = 0x57424E48  # "WBNH": marks the file as a workbench workspace
PAGE_SIZE = 65536

class Workspace:
    """An open workspace file. Use :meth:`open` or :meth:`create`, then ``close()``.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.sqlite")
    >>> with Workspace.create(path) as ws:
    ...     ws.has_list()
    False
    """

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self.connection = connection
        self.db = sqlite_utils.Database(connection)

    # Opening and closing -------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike) -> "Workspace":
        """A new, empty workspace file (readable by its owner only where the platform allows).

        It is made whole under a hidden name beside ``path`` and then renamed, so a
        crash or a full disk never leaves a half-made workspace at ``path``. An
        empty file there (left by a version that made workspaces in place) is replaced.
        """
        path = Path(path)
        if path.exists() and not _is_empty_file(path):
            raise WorkbenchError(f"{path.name}: a file with this name already exists")
        making = path.with_name(f".{path.name}.creating")
        _remove_with_journal(making)
        try:
            create_private_file(making)
            connection = _connect(making)
            try:
                # Large pages: the list is stored as a few multi-megabyte column blobs,
                # which SQLite reads twice as fast from 64 KiB pages as from 4 KiB ones.
                connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                migrations.apply(sqlite_utils.Database(connection))
            finally:
                connection.close()
            os.replace(making, path)
        except (sqlite3.Error, OSError) as error:
            _remove_with_journal(making)
            raise database_problem(path, error, "could not be created") from None
        except BaseException:
            _remove_with_journal(making)
            raise
        return cls.open(path)

    @classmethod
    def open(cls, path: str | os.PathLike) -> "Workspace":
        """Open a workspace and bring its schema up to date."""
        path = Path(path)
        if not path.is_file():
            raise WorkbenchError(f"{path.name}: no such workspace file")
        if _is_empty_file(path):
            raise WorkbenchError(f"{path.name}: the file is empty, not a workspace (an import may have been "
                                 "stopped before it wrote anything): import the list again to make it afresh")
        connection = _connect(path)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError:
            connection.close()
            raise WorkbenchError(f"{path.name}: not a workspace file (it is not a SQLite database)") from None
        if app_id != APPLICATION_ID:
            connection.close()
            raise WorkbenchError(f"{path.name}: not a workbench workspace")
        workspace = cls(path, connection)
        try:
            refuse_a_newer_schema(workspace)
            bring_up_to_date(workspace)
        except (sqlite3.Error, WorkbenchError) as error:
            connection.close()
            raise database_problem(path, error) from None
        return workspace

    @classmethod
    def open_or_create(cls, path: str | os.PathLike) -> "Workspace":
        path = Path(path)
        return cls.open(path) if path.exists() and not _is_empty_file(path) else cls.create(path)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def name(self) -> str:
        return self.path.stem

    def schema_migrations(self) -> list[str]:
        """Names of the schema migrations applied to this file, oldest first."""
        return [m.name for m in migrations.applied(self.db)]

    # Reading -------------------------------------------------------------
    def has_list(self) -> bool:
        return self.connection.execute("SELECT count(*) FROM list_columns").fetchone()[0] > 0

    def load_list(self) -> WaitingList:
        """The current list (fast: whole columns, no row-by-row work).

        Source columns are decoded the first time they are used (most views
        and rule sets need only a few of them). A damaged file is a
        :class:`WorkbenchError` naming it, here or when a column is first used.
        """
        try:
            return self._load_list()
        except (sqlite3.Error, zlib.error, UnicodeDecodeError, ValueError, struct.error) as error:
            raise database_problem(self.path, error) from None

    def _load_list(self) -> WaitingList:
        if not self.has_list():
            raise WorkbenchError(f"{self.path.name}: this workspace has no waiting list yet: import one first")
        columns: dict[str, np.ndarray] = {}
        known = KnownCodes()
        source = LazyColumns(known, self.path.name)
        same_as: dict[str, str] = {}
        for name, kind, is_source, blob in self.connection.execute(
            "SELECT name, kind, source, data FROM list_columns ORDER BY position"
        ):
            if is_source:
                source.add_encoded(name, kind, blob)
            elif kind == SAME_AS_SOURCE:
                same_as[name] = blob.decode("utf-8")
                columns[name] = None  # keeps the column order; filled below
            else:
                columns[name] = _decode_column(kind, blob, known)
        for name, header in same_as.items():
            columns[name] = source[header]  # shared, not copied: never modified in place
        row_id = columns.pop("row_id").astype(np.int64)
        record = self.import_record()
        return WaitingList(row_id=row_id, columns=columns, source=source, census_date=record and record["census_date"],
                           known_codes=known)

    def import_record(self) -> dict[str, Any] | None:
        """The record of the import that produced the current list, or None."""
        row = self.connection.execute("SELECT * FROM imports ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        names = [d[0] for d in self.connection.execute("SELECT * FROM imports LIMIT 0").description]
        record = dict(zip(names, row))
        record["mapping"] = json.loads(record["mapping"])
        record["census_date"] = record["census_date"] and date.fromisoformat(record["census_date"])
        record["imported_at"] = datetime.fromisoformat(record["imported_at"])
        return record

    def import_history(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT id, file_name, sha256, rows_read, rows_stored, census_date, imported_at FROM imports ORDER BY id")
        return list(rows)

    def findings_summary(self) -> dict[str, int]:
        """Finding code -> number of rows, in the stable order of the codes."""
        counts = dict(self.connection.execute("SELECT code, count(DISTINCT row_id) FROM findings GROUP BY code"))
        return {code: counts[code] for code in FINDING_CODES if code in counts}

    def finding_rows(self, code: str) -> np.ndarray:
        """0-based row positions (row_id - 1) with the given finding."""
        rows = self.connection.execute("SELECT DISTINCT row_id FROM findings WHERE code = ? ORDER BY row_id", (code,))
        return np.fromiter((r[0] - 1 for r in rows), dtype=np.int64)

    def finding_positions(self) -> dict[str, np.ndarray]:
        """Finding code -> 0-based row positions, for every code, in one query."""
        # One text of row ids per code, parsed in C: far faster than a Python tuple per finding.
        grouped = dict(self.connection.execute("SELECT code, group_concat(row_id) FROM findings GROUP BY code"))
        return {
            code: np.sort(np.fromstring(grouped[code], dtype=np.int64, sep=",")) - 1  # a row has a code once
            for code in FINDING_CODES
            if code in grouped
        }

    def findings(self) -> list:
        """Every finding as :class:`workbench.errors.Finding`, in code order."""
        found = []
        for code in FINDING_CODES:
            rows = self.connection.execute("SELECT row_id, detail FROM findings WHERE code = ? ORDER BY row_id", (code,)).fetchall()
            if rows:
                positions = np.array([r[0] - 1 for r in rows], dtype=np.int64)
                found.append(Finding(code=code, rows=positions, details=np.array([r[1] for r in rows], dtype=object)))
        return found

    # Writing -------------------------------------------------------------
    def replace_list(
        self,
        wl: WaitingList,
        findings: Iterable,
        record: dict[str, Any],
        *,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never,
        encoded_ahead: EncodedAhead | None = None,
        also=None,
    ) -> int:
        """Store ``wl`` as the workspace's list, with its findings and import record.

        All or nothing: on any error or cancel the workspace is left as it was.
        ``encoded_ahead`` holds columns already being encoded; ``also(connection,
        import_id)``, if given, writes more in the same transaction (the snapshots).
        Returns the id of the new import record.
        """
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                # Columns first: the findings' row-by-row insert runs twice as fast once no
                # encoding thread is left to take Python's lock between its rows.
                _write_columns(connection, wl, scaled(progress, 0.0, 0.8), cancelled, encoded_ahead)
                progress(0.8, "Saving the findings")
                _write_findings(connection, findings)
                import_id = _write_import_record(connection, record)
                _write_settings(connection, record.get("settings", {}))
                if also is not None:
                    also(connection, import_id)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # SQLite may have rolled back already (a full disk)
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise database_problem(self.path, error, "could not be saved") from None
        progress(1.0, "Saved")
        return import_id

    def save_as(self, path: str | os.PathLike) -> "Workspace":
        """Copy this workspace to ``path`` (consistent even while open) and open the copy."""
        path = Path(path)
        if path.resolve() == self.path.resolve():
            return self
        try:
            with replacing(path, "the copy of the workspace") as partial:
                target = sqlite3.connect(partial)
                try:
                    self.connection.backup(target)
                finally:
                    target.close()
        except sqlite3.Error as error:
            raise database_problem(path, error, "could not be saved") from None
        return Workspace.open(path)

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        try:
            with self.connection:
                self.connection.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))
        except sqlite3.Error as error:
            raise database_problem(self.path, error, "could not be saved") from None


# Helpers ---------------------------------------------------------------------
def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves so DDL is inside the
    # same transaction as the rows (Python's implicit transactions skip DDL).
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 5000")
    return connection


def _is_empty_file(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == 0


def _remove_with_journal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _write_settings(connection, settings: dict[str, str | None]) -> None:
    """Store settings; a setting given as None is removed (a pseudonym key moved out of the file)."""
    for key, value in settings.items():
        if value is None:
            connection.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            connection.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


def database_problem(path: Path, error: Exception, doing: str = "cannot be read") -> WorkbenchError:
    """A database or storage error as one plain sentence naming the workspace file.

    >>> print(database_problem(Path("ward.sqlite"), sqlite3.OperationalError("database or disk is full")))
    ward.sqlite: cannot be read: the disk is full; free some space and try again (nothing was changed)
    """
    if isinstance(error, WorkbenchError):
        return error
    text = str(error).lower()
    if "readonly" in text or "read-only" in text or isinstance(error, PermissionError):
        problem = "the file or its folder is read-only; check you may change them"
    elif "disk is full" in text or getattr(error, "errno", None) in (errno.ENOSPC, errno.EFBIG):
        problem = "the disk is full; free some space and try again (nothing was changed)"
    elif "disk i/o error" in text:
        problem = "the disk could not be written or read: it may be full or failing (nothing was changed)"
    elif "locked" in text or "busy" in text:
        problem = "another program is using it; close it there and try again"
    elif isinstance(error, (sqlite3.DatabaseError, zlib.error, UnicodeDecodeError, ValueError, struct.error)):
        problem = (f"the workspace is damaged ({error}); open a backup copy of it, "
                   "or import the list again into a new workspace")
    else:
        problem = f"{error.strerror if isinstance(error, OSError) and error.strerror else error}"
    return WorkbenchError(f"{path.name}: {doing}: {problem}")


def _write_findings(connection, findings: Iterable) -> None:
    # The index is rebuilt once after the rows go in: faster than keeping it up to date row by row.
    connection.execute("DROP INDEX IF EXISTS findings_code")
    connection.execute("DELETE FROM findings")
    for finding in findings:
        row_ids = (np.asarray(finding.rows, dtype=np.int64) + 1).tolist()
        details = list(finding.details) if finding.details is not None else [None] * len(row_ids)
        connection.executemany(
            "INSERT INTO findings (row_id, code, detail) VALUES (?, ?, ?)",
            zip(row_ids, [finding.code] * len(row_ids), details),
        )
    connection.execute("CREATE INDEX findings_code ON findings (code, row_id)")


class EncodedAhead:
    """Columns being encoded on a helper thread, for a :meth:`Workspace.replace_list` to come.

    zlib and SQLite let go of Python's lock; the tidying and checks between
    reading a file and saving it do not: encoding the columns meanwhile overlaps
    the two. An encoding is used only if the list still holds that very array
    as a column of the same kind; :meth:`cancel` drops those not started, when
    the list is never saved.
    """

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode-ahead")
        self._started: dict[int, tuple[str, np.ndarray, Future]] = {}

    def start(self, kind: str, values: np.ndarray, coded: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Start encoding ``values`` (``coded``: a text column's codes and distinct values, if known)."""
        if id(values) not in self._started:
            self._started[id(values)] = (kind, values, self._pool.submit(_encode_column, kind, values, coded))

    def start_source(self, source: Mapping[str, np.ndarray], known: KnownCodes) -> None:
        """Start on the columns as read, right after reading; not yet on those that repeat
        without known codes: tidying them finds their codes, which saves hashing them twice."""
        for values in source.values():
            coded = known.of(values)
            if coded is not None or not repeats_a_lot(values):
                self.start(TEXT, values, coded)

    def start_list(self, wl: WaitingList) -> None:
        """Start on the columns of ``wl`` not started yet, once its typed columns are made."""
        for _name, kind, _is_source, values in _column_entries(wl):
            if kind != SAME_AS_SOURCE:
                self.start(kind, values, wl.codes_of(values))

    def take(self, kind: str, values) -> Future | None:
        """The encoding of this very array as ``kind``, if started; the caller keeps it from then on."""
        started = self._started.get(id(values))
        if started is None or started[0] != kind or started[1] is not values:
            return None
        del self._started[id(values)]
        return started[2]

    def cancel(self) -> None:
        for _kind, _values, future in self._started.values():
            future.cancel()
        self._pool.shutdown(wait=False)  # the thread ends once the column it is on is done


def _write_columns(connection, wl: WaitingList, progress: Progress, cancelled: CancelCheck,
                   ahead: EncodedAhead | None) -> None:
    connection.execute("DELETE FROM list_columns")
    entries = _column_entries(wl)
    # zlib releases the GIL: encoding the next columns on the second core while
    # SQLite writes this one takes about a third off the save.
    with ThreadPoolExecutor(max_workers=1) as pool:

        def encoding(kind: str, values) -> Future:
            started = ahead.take(kind, values) if ahead else None
            return started or pool.submit(_encode_column, kind, values, wl.codes_of(values))

        encoded = [encoding(kind, values) for _name, kind, _is_source, values in entries]
        for position, ((name, kind, is_source, _), future) in enumerate(zip(entries, encoded)):
            check(cancelled)
            data = future.result()
            encoded[position] = None  # a million-row column's blob is freed once written
            connection.execute(
                "INSERT INTO list_columns (name, kind, source, position, data) VALUES (?, ?, ?, ?, ?)",
                (name, kind, is_source, position, data),
            )
            progress((position + 1) / len(entries), f"Saving column {position + 1} of {len(entries)}")


def _column_entries(wl: WaitingList) -> list[tuple[str, str, int, Any]]:
    """(name, kind, is source, values) for every column; a canonical text column
    identical to its source column is stored once, as a reference to it."""
    entries = [("row_id", NUMBER, 0, wl.row_id)]
    for name, values in wl.columns.items():
        kind = FIELD_KINDS.get(name, TEXT)
        same = _identical_source(wl, values) if kind == TEXT else None
        entries.append((name, SAME_AS_SOURCE, 0, same) if same else (name, kind, 0, values))
    entries += [(header, TEXT, 1, values) for header, values in wl.source.items()]
    return entries


def _identical_source(wl: WaitingList, values: np.ndarray) -> str | None:
    for header, source in wl.source.items():
        if source is values:
            return header
        # Most columns differ in their first values: check those before comparing them all.
        if source.shape == values.shape and np.array_equal(source[:64], values[:64]) and _same(source, values, wl):
            return header
    return None


def _same(source: np.ndarray, values: np.ndarray, wl: WaitingList) -> bool:
    """Whether two text columns hold the same values; compared by their codes when both have them."""
    source_codes, values_codes = wl.codes_of(source), wl.codes_of(values)
    if source_codes is not None and values_codes is not None and np.array_equal(source_codes[1], values_codes[1]):
        # The same distinct values in the same order (each once): the codes tell the rest.
        return np.array_equal(source_codes[0], values_codes[0])
    return np.array_equal(source, values)


def _write_import_record(connection, record: dict[str, Any]) -> int:
    census = record.get("census_date")
    cursor = connection.execute(
        """INSERT INTO imports (file_name, file_path, sha256, sheet, header_row, rows_read, rows_stored,
           blank_rows, mapping, census_date, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            record["file_name"], record.get("file_path"), record["sha256"], record.get("sheet"),
            record.get("header_row"), record["rows_read"], record["rows_stored"], record.get("blank_rows", 0),
            json.dumps(record.get("mapping", {})), census.isoformat() if census else None,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ),
    )
    return cursor.lastrowid


# Column cache encoding: no pickle (a workspace file must never run code) ----
SAME_AS_SOURCE = "same as source"  # a canonical column equal to a source column, stored once
_NULL_MARK = "\x1f"  # a lone unit separator: a control character no list holds as a whole value
_SEPARATOR = "\x1e"
_ESCAPE = "\x1b"  # in an escaped text, stands before a code for itself, the separator or the empty mark
_ESCAPES = ((_ESCAPE, "0"), (_SEPARATOR, "1"), (_NULL_MARK, "2"))  # the escape character first
_UNESCAPES = {code: character for character, code in _ESCAPES}
_ESCAPED = re.compile(f"{_ESCAPE}([012])")
# A coded text column's tag says its codes' integer type: b"C" (int32) is how every
# workspace was first written; narrower codes came later.
_CODES_TYPE = {b"C": np.int32, b"h": np.int16, b"b": np.int8}
_CODES_TAG = {np.dtype(kind).itemsize: tag for tag, kind in _CODES_TYPE.items()}


def _encode_column(kind: str, values, coded: tuple[np.ndarray, np.ndarray] | None = None) -> bytes:
    """The stored form of a column; ``coded`` is a text column's (codes, distinct values) when known."""
    if kind == SAME_AS_SOURCE:
        return values.encode("utf-8")  # the source header
    if kind == TEXT:
        return _encode_text(values, coded)
    if kind == DATE:
        return zlib.compress(np.ascontiguousarray(values, dtype="datetime64[D]").view(np.int64).tobytes(), 1)
    return zlib.compress(np.ascontiguousarray(values, dtype=np.float64).tobytes(), 1)


def _join_text(values: np.ndarray) -> str:
    """Every value followed by the separator, so n values split into n + 1 parts.

    A column whose values hold the separator, the empty mark or the escape
    character (stray control characters in a file) is written escaped, each
    kept exactly: the text then starts with the escape character.
    """
    marked = values.tolist()
    empty = np.flatnonzero(values == None).tolist()  # noqa: E711 (elementwise)
    for position in empty:
        marked[position] = _NULL_MARK
    marked.append("")  # the text ends with a separator too (joined once: a million-row text is big)
    text = _SEPARATOR.join(marked)
    if text.count(_SEPARATOR) != len(marked) - 1 or text.count(_NULL_MARK) != len(empty) or _ESCAPE in text:
        text = _ESCAPE + "".join((_NULL_MARK if v is None else _escaped(v)) + _SEPARATOR for v in values.tolist())
    return text


def _escaped(value: str) -> str:
    for character, code in _ESCAPES:
        value = value.replace(character, _ESCAPE + code)
    return value


def _unescaped(value: str) -> str:
    return _ESCAPED.sub(lambda found: _UNESCAPES[found.group(1)], value)


def _encode_text(values: np.ndarray, coded: tuple[np.ndarray, np.ndarray] | None = None) -> bytes:
    """b"T" + the joined text, or, for a column that repeats a few values
    (specialty, priority, site...), a codes tag + codes + the distinct values: the
    app decodes those ten times faster."""
    if coded is None and repeats_a_lot(values):
        coded = pd.factorize(values, use_na_sentinel=True)
    if coded is not None and len(coded[1]) <= len(values) // 4:
        codes = smallest_codes(coded[0], len(coded[1]))
        packed = zlib.compress(codes.tobytes(), 1)  # (a byte a row compresses twice as fast as four)
        header = _CODES_TAG[codes.dtype.itemsize] + struct.pack("<Q", len(packed))
        return header + packed + _compressed_text(np.asarray(coded[1], dtype=object))
    return b"T" + _compressed_text(values)


def _compressed_text(values: np.ndarray) -> bytes:
    return zlib.compress(_join_text(values).encode("utf-8"), 1)


def _decode_text(blob: bytes, known: KnownCodes | None = None) -> np.ndarray:
    """The column's values; a coded column's codes also go into ``known``."""
    if blob[:1] in _CODES_TYPE:
        (size,) = struct.unpack("<Q", blob[1:9])
        codes = np.frombuffer(zlib.decompress(blob[9 : 9 + size]), dtype=_CODES_TYPE[blob[:1]])
        distinct = _split_text(blob[9 + size :])
        values = np.append(distinct, None)[codes]  # code -1 -> None
        if known is not None:
            known.add(values, codes, distinct)
        return values
    if blob[:1] == b"T":
        return _split_text(blob[1:])
    return _split_text(blob)  # workspaces written before the b"T"/b"C" tag: plain zlib text


def _split_text(compressed: bytes) -> np.ndarray:
    text = zlib.decompress(compressed).decode("utf-8")
    escaped = text.startswith(_ESCAPE)
    values = np.array(text[escaped:].split(_SEPARATOR)[:-1], dtype=object)
    if _NULL_MARK in text:  # a quick scan saves comparing every value when nothing is empty
        values[values == _NULL_MARK] = None
    if escaped:
        for position in np.flatnonzero([v is not None and _ESCAPE in v for v in values.tolist()]).tolist():
            values[position] = _unescaped(values[position])
    return values


class LazyColumns(MutableMapping):
    """Source columns as stored, each decoded the first time it is read.

    Behaves as a dict of header -> object array, in file order.
    """

    def __init__(self, known: KnownCodes | None = None, file_name: str = "the workspace"):
        self._encoded: dict[str, tuple[str, bytes]] = {}
        self._decoded: dict[str, np.ndarray] = {}
        self._order: dict[str, None] = {}
        self._known = known  # where decoding notes a coded column's codes
        self._file_name = file_name  # named when a damaged column cannot be read

    def add_encoded(self, name: str, kind: str, blob: bytes) -> None:
        self._encoded[name] = (kind, blob)
        self._order[name] = None

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._decoded:
            kind, blob = self._encoded[name]  # KeyError for an unknown column, as a dict
            try:
                self._decoded[name] = _decode_column(kind, blob, self._known)
            except (zlib.error, UnicodeDecodeError, ValueError, struct.error) as error:
                raise database_problem(Path(self._file_name), error) from None
        return self._decoded[name]

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self._decoded[name] = values
        self._order[name] = None

    def __delitem__(self, name: str) -> None:
        del self._order[name]
        self._decoded.pop(name, None)
        self._encoded.pop(name, None)

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


def _decode_column(kind: str, blob: bytes, known: KnownCodes | None = None) -> np.ndarray:
    if kind == TEXT:
        return _decode_text(blob, known)
    if kind == DATE:
        return np.frombuffer(zlib.decompress(blob), dtype=np.int64).view("datetime64[D]").copy()
    return np.frombuffer(zlib.decompress(blob), dtype=np.float64).copy()
