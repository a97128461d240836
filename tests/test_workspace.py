"""The workspace file: schema, round trip of a list, atomic replacement, migrations."""

import sqlite3
from datetime import date

import numpy as np
import pytest
import sqlite_utils

from workbench.fields import WaitingList
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.store.migrations import migrations
from workbench.store.workspace import APPLICATION_ID, Workspace


class FakeFinding:
    def __init__(self, code, rows, details):
        self.code, self.rows, self.details = code, np.array(rows), np.array(details, dtype=object)


def small_list(n=3, census=date(2026, 11, 1)):
    return WaitingList(
        row_id=np.arange(1, n + 1),
        columns={
            "pathway_id": np.array([f"00{i}" for i in range(n)], dtype=object),
            "wait_start": np.array(["2025-01-0%d" % (i + 1) for i in range(n)], dtype="datetime64[D]"),
            "weeks_waited": np.array([90.0, np.nan, 12.5][:n]),
            "clinical_priority": np.array(["P2", None, "P4"][:n], dtype=object),
        },
        source={"Pathway": np.array([f"00{i}" for i in range(n)], dtype=object),
                "Carer": np.array(["Y", None, "N"][:n], dtype=object)},
        census_date=census,
    )


def record(rows):
    return {"file_name": "list.csv", "sha256": "ab" * 32, "rows_read": rows, "rows_stored": rows,
            "mapping": {"pathway_id": "Pathway"}, "census_date": date(2026, 11, 1)}


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.create(tmp_path / "ward.sqlite")
    yield ws
    ws.close()


def test_list_round_trips_with_types_and_missing_values(workspace):
    wl = small_list()
    workspace.replace_list(wl, [FakeFinding("duplicate_pathway", [0, 2], ["x", "y"])], record(3))
    back = workspace.load_list()
    assert back.row_id.tolist() == [1, 2, 3]
    assert back.columns["pathway_id"].tolist() == ["000", "001", "002"]  # leading zeros kept
    assert back.columns["wait_start"].dtype == np.dtype("datetime64[D]")
    assert np.isnan(back.columns["weeks_waited"][1]) and back.columns["weeks_waited"][0] == 90.0
    assert back.columns["clinical_priority"].tolist() == ["P2", None, "P4"]
    assert back.source["Carer"].tolist() == ["Y", None, "N"]
    assert back.census_date == date(2026, 11, 1)


def test_every_source_column_is_stored_as_read_in_file_order(workspace):
    workspace.replace_list(small_list(), [], record(3))
    stored = workspace.connection.execute("SELECT name FROM list_columns WHERE source = 1 ORDER BY position")
    assert [name for (name,) in stored] == ["Pathway", "Carer"]
    assert workspace.load_list().source["Pathway"].tolist() == ["000", "001", "002"]


def test_control_characters_the_workspace_uses_as_marks_are_kept_exactly(workspace):
    wl = small_list(3)
    awkward = ["a\x1eb", None, "\x1f"], ["\x1b1 x\x1fy", "\x1b", "\x1e"]
    wl.source["Carer"] = np.array(awkward[0], dtype=object)
    wl.source["Notes"] = np.array(awkward[1], dtype=object)
    wl.source["Coded"] = np.array(["\x1f", "\x1f", "\x1f"], dtype=object)  # (stored as codes)
    workspace.replace_list(wl, [], record(3))
    back = workspace.load_list().source
    assert back["Carer"].tolist() == awkward[0] and back["Notes"].tolist() == awkward[1]
    assert back["Coded"].tolist() == ["\x1f"] * 3


def test_findings_are_stored_per_row(workspace):
    workspace.replace_list(small_list(), [FakeFinding("duplicate_pathway", [0, 2], ["a", "b"])], record(3))
    assert workspace.findings_summary() == {"duplicate_pathway": 2}
    assert workspace.finding_rows("duplicate_pathway").tolist() == [0, 2]


def test_cancelled_replace_leaves_workspace_as_it_was(workspace):
    workspace.replace_list(small_list(2), [], record(2))
    with pytest.raises(Cancelled):
        workspace.replace_list(small_list(3), [], record(3), cancelled=lambda: True)
    assert len(workspace.load_list()) == 2
    assert workspace.import_record()["rows_read"] == 2


def test_empty_list_round_trips(workspace):
    workspace.replace_list(small_list(0), [], record(0))
    assert len(workspace.load_list()) == 0


def test_open_refuses_files_that_are_not_workspaces(tmp_path):
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(WorkbenchError, match="other.sqlite: not a workbench workspace"):
        Workspace.open(other)
    with pytest.raises(WorkbenchError, match="junk.sqlite: not a workspace file"):
        Workspace.open(junk)
    with pytest.raises(WorkbenchError, match="missing.sqlite: no such workspace"):
        Workspace.open(tmp_path / "missing.sqlite")


def test_workspace_file_is_private_to_its_owner(tmp_path):
    import os, stat, sys
    Workspace.create(tmp_path / "w.sqlite").close()
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(tmp_path / "w.sqlite").st_mode) == 0o600


def first_version_workspace(path) -> sqlite3.Connection:
    """A workspace as the first version made it (only m001 applied), and its open connection."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(sqlite_utils.Database(connection), stop_before="m002_decisions")
    return connection


def test_old_workspace_is_migrated_forward(tmp_path):
    path = tmp_path / "old.sqlite"
    first_version_workspace(path).close()
    with Workspace.open(path) as ws:
        assert ws.schema_migrations() == ["m001_initial", "m002_decisions", "m003_settings", "m004_compressed_numbers",
                                          "m005_source_columns_apart", "m006_snapshots", "m007_validation_outcomes"]
        assert sqlite_utils.Database(ws.connection)["decision_log"].exists()


def test_a_workspace_that_must_be_migrated_but_cannot_be_written_gets_a_plain_error(tmp_path):
    path = tmp_path / "old.sqlite"
    connection = first_version_workspace(path)
    connection.execute("BEGIN IMMEDIATE")  # another program writing to it: the migration waits, then gives up
    try:
        with pytest.raises(WorkbenchError, match="old.sqlite: this workspace was saved by an earlier version"):
            Workspace.open(path)
    finally:
        connection.execute("ROLLBACK")
        connection.close()
    with Workspace.open(path) as ws:  # left as it was: migrated once it can be written
        assert ws.schema_migrations()[-1] == "m007_validation_outcomes"


def test_a_list_saved_before_numbers_were_compressed_opens_unchanged(tmp_path):
    import zlib

    path = tmp_path / "old.sqlite"
    with Workspace.create(path) as ws:
        ws.replace_list(small_list(), [], record(3))
        # Back to how m003 workspaces held dates and numbers: their plain bytes.
        with ws.connection:
            ws.connection.execute("BEGIN")
            for name, data in ws.connection.execute(
                "SELECT name, data FROM list_columns WHERE kind IN ('date', 'number')"
            ).fetchall():
                ws.connection.execute("UPDATE list_columns SET data = ? WHERE name = ?", (zlib.decompress(data), name))
            ws.connection.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_compressed_numbers'")
    with Workspace.open(path) as ws:
        back = ws.load_list()
    assert back.row_id.tolist() == [1, 2, 3]
    assert back.columns["wait_start"].tolist() == small_list().columns["wait_start"].tolist()
    assert back.columns["weeks_waited"][0] == 90.0 and np.isnan(back.columns["weeks_waited"][1])


def test_save_as_copies_everything(workspace, tmp_path):
    workspace.replace_list(small_list(), [], record(3))
    copy = workspace.save_as(tmp_path / "copy.sqlite")
    assert copy.load_list().columns["pathway_id"].tolist() == ["000", "001", "002"]
    copy.close()


def test_canonical_text_equal_to_its_source_column_is_stored_once(workspace):
    workspace.replace_list(small_list(), [], record(3))
    kinds = dict(workspace.connection.execute("SELECT name, kind FROM list_columns"))
    assert kinds["pathway_id"] == "same as source"
    assert kinds["clinical_priority"] == "text"
    assert workspace.load_list().columns["pathway_id"].tolist() == ["000", "001", "002"]


def test_coded_columns_are_compared_with_their_source_by_codes(workspace):
    """A typed column that keeps its source's codes is stored once; one value off and it is stored whole."""
    sites = np.array(["North", "South"], dtype=object)
    codes = np.arange(80) % 2
    wl = WaitingList(row_id=np.arange(1, 81), columns={}, source={"Site": sites[codes]}, census_date=date(2026, 11, 1))
    wl.known_codes.add(wl.source["Site"], codes, sites)
    for name, changed in [("site", False), ("consultant", True)]:
        typed_codes = codes.copy()
        typed_codes[-1] = 1 - typed_codes[-1] if changed else typed_codes[-1]  # past the first values compared
        wl.columns[name] = sites[typed_codes]
        wl.known_codes.add(wl.columns[name], typed_codes, sites.copy())
    workspace.replace_list(wl, [], record(80))
    kinds = dict(workspace.connection.execute("SELECT name, kind FROM list_columns"))
    assert kinds["site"] == "same as source"
    assert kinds["consultant"] == "text"
    stored = workspace.load_list()
    assert stored.columns["site"].tolist() == wl.source["Site"].tolist()
    assert stored.columns["consultant"].tolist() == wl.columns["consultant"].tolist()


def test_repeated_text_is_stored_as_codes_in_the_narrowest_type_and_read_back_exactly(workspace):
    sites = np.array(["North", "South", None, "North"] * 1000, dtype=object)
    consultants = np.array([f"C{i % 300}" for i in range(4000)], dtype=object)  # 300 values: too many for a byte
    many = WaitingList(row_id=np.arange(1, 4001), columns={}, census_date=date(2026, 11, 1),
                       source={"Site": sites, "Consultant": consultants})
    workspace.replace_list(many, [], record(4000))
    tags = dict(workspace.connection.execute("SELECT name, substr(data, 1, 1) FROM list_columns"))
    assert (tags["Site"], tags["Consultant"]) == (b"b", b"h")
    stored = workspace.load_list().source
    assert stored["Site"].tolist() == sites.tolist()
    assert stored["Consultant"].tolist() == consultants.tolist()


def test_a_coded_column_as_first_written_with_four_byte_codes_still_reads():
    import struct
    import zlib

    from workbench.store.workspace import _compressed_text, _decode_text

    packed = zlib.compress(np.array([1, 0, -1, 1], dtype=np.int32).tobytes())
    blob = b"C" + struct.pack("<Q", len(packed)) + packed + _compressed_text(np.array(["North", "South"], dtype=object))
    assert _decode_text(blob).tolist() == ["South", "North", None, "South"]


def test_finding_positions_gives_every_code_in_one_call(workspace):
    findings = [FakeFinding("duplicate_pathway", [0, 2], ["a", "b"]), FakeFinding("missing_priority", [1], [""])]
    workspace.replace_list(small_list(), findings, record(3))
    positions = workspace.finding_positions()
    assert {code: rows.tolist() for code, rows in positions.items()} == {"duplicate_pathway": [0, 2], "missing_priority": [1]}


def test_a_new_workspace_has_large_pages_for_its_column_blobs(tmp_path):
    from workbench.store.workspace import PAGE_SIZE

    with Workspace.create(tmp_path / "w.sqlite") as workspace:
        assert workspace.connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 65536


def test_columns_encoded_ahead_are_stored_and_a_column_replaced_since_is_encoded_again(tmp_path):
    from workbench.store.workspace import EncodedAhead

    wl = small_list()
    ahead = EncodedAhead()
    ahead.start_source(wl.source, wl.known_codes)
    ahead.start_list(wl)
    wl.source["Carer"] = np.array(["N", "N", "Y"], dtype=object)  # changed after its encoding started
    wl.columns["clinical_priority"] = np.array(["P4", None, "P2"], dtype=object)
    wl.columns["weeks_waited"] = np.array([91.0, np.nan, 13.5])
    with Workspace.create(tmp_path / "w.sqlite") as workspace:
        workspace.replace_list(wl, [], record(3), encoded_ahead=ahead)
    with Workspace.open(tmp_path / "w.sqlite") as workspace:
        stored = workspace.load_list()
    assert stored.source["Pathway"].tolist() == ["000", "001", "002"]
    assert stored.source["Carer"].tolist() == ["N", "N", "Y"]
    assert stored.columns["clinical_priority"].tolist() == ["P4", None, "P2"]
    assert stored.columns["weeks_waited"][0] == 91.0 and np.isnan(stored.columns["weeks_waited"][1])
    assert stored.columns["wait_start"].tolist() == wl.columns["wait_start"].tolist()


def test_a_repeating_column_without_codes_waits_for_the_tidying_to_find_them():
    from workbench.fields import KnownCodes
    from workbench.store.workspace import EncodedAhead

    repeating = np.array(["01/02/2025", "03/04/2025"] * 50, dtype=object)
    identifiers = np.array([f"RTT{i:04d}" for i in range(100)], dtype=object)
    ahead = EncodedAhead()
    ahead.start_source({"RTT Clock Start": repeating, "Pathway": identifiers}, KnownCodes())
    assert ahead.take("text", repeating) is None  # hashed once, by the tidying, not twice
    assert ahead.take("number", identifiers) is None  # only as the kind it was started as
    assert ahead.take("text", identifiers) is not None
    ahead.cancel()


def test_a_source_column_named_like_a_field_is_stored_beside_the_field(workspace):
    wl = small_list()
    wl.source["pathway_id"] = np.array(["raw 1", "raw 2", "raw 3"], dtype=object)
    wl.source["weeks_waited"] = np.array(["9", "x", None], dtype=object)
    wl.source["row_id"] = np.array(["a", "b", "c"], dtype=object)
    workspace.replace_list(wl, [], record(3))
    back = workspace.load_list()
    assert back.columns["pathway_id"].tolist() == ["000", "001", "002"]
    assert back.source["pathway_id"].tolist() == ["raw 1", "raw 2", "raw 3"]
    assert back.source["weeks_waited"].tolist() == ["9", "x", None]
    assert np.array_equal(back.columns["weeks_waited"], wl.columns["weeks_waited"], equal_nan=True)
    assert back.row_id.tolist() == [1, 2, 3] and back.source["row_id"].tolist() == ["a", "b", "c"]


def test_a_list_saved_before_source_columns_were_named_apart_opens_unchanged(tmp_path):
    path = tmp_path / "old.sqlite"
    with Workspace.create(path) as ws:
        ws.replace_list(small_list(), [], record(3))
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(  # the list table as m001 made it, with the list in it, and m005 not yet applied
        """BEGIN; CREATE TABLE old_columns (name TEXT PRIMARY KEY, kind TEXT NOT NULL, source INTEGER NOT NULL,
           position INTEGER NOT NULL, data BLOB NOT NULL); INSERT INTO old_columns SELECT * FROM list_columns;
           DROP TABLE list_columns; ALTER TABLE old_columns RENAME TO list_columns;
           DELETE FROM _sqlite_migrations WHERE name = 'm005_source_columns_apart'; COMMIT;""")
    connection.close()
    with Workspace.open(path) as ws:
        back = ws.load_list()
        assert ws.schema_migrations()[-1] == "m005_source_columns_apart"
    assert back.columns["pathway_id"].tolist() == ["000", "001", "002"]
    assert back.source["Carer"].tolist() == ["Y", None, "N"]
