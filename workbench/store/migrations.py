"""The workspace file's schema, changed forward only, one small function per change, in order.

``sqlite_utils.migrations`` records in the file which changes it has. A workspace
saved by an earlier version is brought up to date when it is opened; one with
changes this version does not know was saved by a newer version and is refused,
as this one might misread or undo them. A new change is a new function at the
end (``m008_...``): never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import zlib
from typing import TYPE_CHECKING

import sqlite_utils
from sqlite_utils.migrations import Migrations

from workbench.errors import WorkbenchError
from workbench.fields import DATE, NUMBER

if TYPE_CHECKING:  # the workspace imports this module to open a file
    from workbench.store.workspace import Workspace


migrations = Migrations("workbench")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE imports (
            id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, file_path TEXT, sha256 TEXT NOT NULL,
            sheet TEXT, header_row INTEGER, rows_read INTEGER NOT NULL, rows_stored INTEGER NOT NULL,
            blank_rows INTEGER NOT NULL DEFAULT 0, mapping TEXT NOT NULL, census_date TEXT,
            imported_at TEXT NOT NULL)"""
    )
    db.execute("CREATE TABLE findings (row_id INTEGER NOT NULL, code TEXT NOT NULL, detail TEXT)")
    db.execute("CREATE INDEX findings_code ON findings (code, row_id)")
    db.execute("CREATE TABLE list_columns (name TEXT PRIMARY KEY, kind TEXT NOT NULL, source INTEGER NOT NULL, position INTEGER NOT NULL, data BLOB NOT NULL)")


@migrations()
def m002_decisions(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE scenarios (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rules_toml TEXT NOT NULL,
            sha256 TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT)"""
    )
    db.execute(
        """CREATE TABLE decision_log (
            id INTEGER PRIMARY KEY, logged_at TEXT NOT NULL, person TEXT NOT NULL, action TEXT NOT NULL,
            rationale TEXT, rules_sha256 TEXT, previous_hash TEXT NOT NULL, entry_hash TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE rule_history (
            id INTEGER PRIMARY KEY, saved_at TEXT NOT NULL, name TEXT NOT NULL, version TEXT,
            rules_toml TEXT NOT NULL, sha256 TEXT NOT NULL, previous_hash TEXT NOT NULL, entry_hash TEXT NOT NULL)"""
    )


@migrations()
def m003_settings(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m004_compressed_numbers(db: sqlite_utils.Database) -> None:
    """Date and number columns are zlib-compressed, as text always was: a third of the
    size, and a third of the writing when a list is saved."""
    names = [name for (name,) in db.execute("SELECT name FROM list_columns WHERE kind IN (?, ?)", (DATE, NUMBER))]
    for name in names:  # one column at a time: a million-row column is 8 MB
        (data,) = db.execute("SELECT data FROM list_columns WHERE name = ? AND source = 0", (name,)).fetchone()
        db.execute("UPDATE list_columns SET data = ? WHERE name = ? AND source = 0", (zlib.compress(data, 1), name))


@migrations()
def m005_source_columns_apart(db: sqlite_utils.Database) -> None:
    """Source columns and the workbench's fields are named apart: a file whose header is
    a field's own name ("pathway_id", "imd_decile") stores both instead of failing."""
    db.execute(
        """CREATE TABLE list_columns_by_kind (name TEXT NOT NULL, kind TEXT NOT NULL, source INTEGER NOT NULL,
           position INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (source, name))"""
    )
    db.execute("INSERT INTO list_columns_by_kind SELECT name, kind, source, position, data FROM list_columns")
    db.execute("DROP TABLE list_columns")
    db.execute("ALTER TABLE list_columns_by_kind RENAME TO list_columns")


@migrations()
def m006_snapshots(db: sqlite_utils.Database) -> None:
    """Weekly snapshots of the list (``workbench.store.snapshots``): the current list stays in
    ``list_columns``; each earlier one is kept as what differs from the one after it."""
    db.execute(
        """CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL, census_date TEXT NOT NULL, file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL, rows INTEGER NOT NULL, organisation TEXT, pathway_scheme TEXT, carry BLOB,
            added_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE snapshot_columns (snapshot_id INTEGER NOT NULL REFERENCES snapshots (id), name TEXT NOT NULL,
           kind TEXT NOT NULL, source INTEGER NOT NULL, position INTEGER NOT NULL, data BLOB NOT NULL,
           PRIMARY KEY (snapshot_id, source, name))"""
    )


@migrations()
def m007_validation_outcomes(db: sqlite_utils.Database) -> None:
    """Validation outcomes read back from returned worklists (``workbench.store.outcomes``), with the file each came
    from (once per file: a year of weekly worklists holds hundreds of thousands of outcomes): append-only."""
    db.execute(
        """CREATE TABLE outcome_files (
            id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE validation_outcomes (
            id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES outcome_files (id), file_row INTEGER,
            pathway_id TEXT NOT NULL, nhs_number TEXT, specialty TEXT, outcome TEXT NOT NULL, outcome_date TEXT NOT NULL,
            checked_by TEXT, written_as TEXT NOT NULL)"""
    )
    for table in ("outcome_files", "validation_outcomes"):
        for verb in ("UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       "BEGIN SELECT RAISE(ABORT, 'recorded validation outcomes are kept as they were read'); END")


def refuse_a_newer_schema(workspace: Workspace) -> None:
    """A workspace changed by a newer workbench may hold what this one would misread or undo."""
    known = {m.name for m in migrations.pending(sqlite_utils.Database(memory=True))}
    unknown = [m.name for m in migrations.applied(workspace.db) if m.name not in known]
    if unknown:
        raise WorkbenchError(f"{workspace.path.name}: this workspace was saved by a newer version of the workbench "
                             f"(it has changes this version does not know: {', '.join(unknown)}); "
                             "open it with that version, or update the workbench")


def bring_up_to_date(workspace: Workspace) -> None:
    """Apply the schema changes a workspace saved by an earlier version lacks."""
    if not migrations.pending(workspace.db):
        return
    try:
        migrations.apply(workspace.db)
    except sqlite3.OperationalError as error:  # read-only file or folder, full disk, locked
        raise WorkbenchError(
            f"{workspace.path.name}: this workspace was saved by an earlier version and must be brought up to "
            f"date, but it cannot be written ({error}): close it in any other program, and check you may change "
            "the file and the disk has space"
        ) from None
