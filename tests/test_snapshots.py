"""Weekly snapshots in one workspace: added in date order, kept exactly, refused when they cannot follow."""

import hashlib
from collections import Counter
from datetime import timedelta
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from workbench.demo import write_frame
from workbench.demo_weeks import weekly_lists
from workbench.store.importer import import_file
from workbench.errors import WorkbenchError
from workbench.store.snapshots import read_snapshots, snapshots
from workbench.store.workspace import Workspace


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Four weekly WLMDS lists of about 400 rows, as files, with what happened each week."""
    folder = tmp_path_factory.mktemp("weeks")
    found = []
    for week in weekly_lists(rows=400, weeks=4, seed=11):
        path = folder / f"list-{week.census_date}.csv"
        write_frame(path, week.frame, iso=True)
        found.append((path, week))
    return found


def snapshot_workspace(tmp_path, weeks, count=4):
    path = tmp_path / "ward.sqlite"
    for file, _week in weeks[:count]:
        import_file(file, path, snapshot=True)
    return path


def same_list(one, other) -> bool:
    """Every column and source column of two lists holds the same values."""
    if not np.array_equal(one.row_id, other.row_id) or set(one.columns) != set(other.columns):
        return False
    for name, values in one.columns.items():
        if values.dtype.kind in "fM":
            if not np.array_equal(values, other.columns[name], equal_nan=True):
                return False
        elif not np.array_equal(values.astype(object), other.columns[name].astype(object)):
            return False
    return list(one.source) == list(other.source) and all(
        np.array_equal(one.source[h], other.source[h]) for h in one.source)


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_later_list_becomes_the_current_list_and_every_earlier_one_is_kept_exactly(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks)
    with Workspace.open(path) as ws:
        kept = list(read_snapshots(ws))
        assert [s.census_date for s in snapshots(ws)] == [w.census_date for _f, w in weeks]
    for (snapshot, wl), (file, week) in zip(kept, reversed(weeks)):
        alone = tmp_path / f"alone-{week.census_date}.sqlite"
        import_file(file, alone)
        with Workspace.open(alone) as ws:
            assert same_list(wl, ws.load_list()), snapshot.census_date
        assert snapshot.file_name == file.name and snapshot.rows == len(week.frame)


def test_earlier_snapshots_take_a_fraction_of_the_space_of_a_list(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks)
    connection = sqlite3.connect(path)
    whole = connection.execute("SELECT sum(length(data)) FROM list_columns").fetchone()[0]
    kept = connection.execute("SELECT snapshot_id, sum(length(data)) FROM snapshot_columns GROUP BY 1").fetchall()
    connection.close()
    assert len(kept) == 3 and all(size < whole / 3 for _id, size in kept)


def test_only_the_columns_asked_for_are_read_back(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 2)
    with Workspace.open(path) as ws:
        (_, newest), (_, earlier) = read_snapshots(ws, {"pathway_id", "weeks_waited"})
    assert set(earlier.columns) == {"pathway_id", "weeks_waited", "wait_start"}  # weeks waited follow from the clock start
    assert set(earlier.source) <= {"patient_pathway_identifier"}  # the pathway ID is stored as that column
    assert earlier.columns["pathway_id"].tolist() == weeks[0][1].frame["patient_pathway_identifier"].tolist()


@pytest.mark.parametrize("shift, problem", [(-7, "before the newest snapshot's"), (0, "is the newest snapshot's")])
def test_a_list_not_later_than_the_newest_is_refused_and_nothing_changes(tmp_path, weeks, shift, problem):
    path = snapshot_workspace(tmp_path, weeks, 2)
    before = file_digest(path)
    census = weeks[1][1].census_date + timedelta(days=shift)
    with pytest.raises(WorkbenchError, match=f"{weeks[2][0].name}: its census date .*{problem}.*nothing was imported"):
        import_file(weeks[2][0], path, snapshot=True, census_date=census)
    assert file_digest(path) == before


def test_the_same_file_twice_is_refused(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 2)
    before = file_digest(path)
    with pytest.raises(WorkbenchError, match="this file was already imported, as the snapshot of"):
        import_file(weeks[0][0], path, snapshot=True, census_date=weeks[3][1].census_date)
    assert file_digest(path) == before


def altered(tmp_path, weeks, change, name="changed.csv"):
    frame = weeks[1][1].frame.copy()
    change(frame)
    path = tmp_path / name
    write_frame(path, frame, iso=True)
    return path


def test_a_list_from_another_organisation_is_refused(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 1)
    other = altered(tmp_path, weeks, lambda f: f.__setitem__("organisation_identifier_code_of_provider", "RYY"))
    with pytest.raises(WorkbenchError, match="from organisation RYY, the snapshot of 01/11/2026 from RXX"):
        import_file(other, path, snapshot=True)


def test_a_list_with_another_pathway_scheme_is_refused(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 1)
    renumbered = altered(tmp_path, weeks, lambda f: f.__setitem__(
        "patient_pathway_identifier", [f"PPI-{i:07d}" for i in range(len(f))]))
    with pytest.raises(WorkbenchError, match=r"written like AAA-9999999, .* like AAA999999999 .*another pathway scheme"):
        import_file(renumbered, path, snapshot=True)


def test_pathway_ids_edited_between_weeks_are_refused(tmp_path, weeks):
    """The same patients in the same specialties under new IDs of the same shape: followed only by NHS number."""
    path = snapshot_workspace(tmp_path, weeks, 1)
    edited = altered(tmp_path, weeks, lambda f: f.__setitem__(
        "patient_pathway_identifier", [f"RTT{(int(i[3:]) + 7) % 10**9:09d}" for i in f["patient_pathway_identifier"]]))
    with pytest.raises(WorkbenchError, match="found on the snapshot of 01/11/2026 only by NHS number and specialty"):
        import_file(edited, path, snapshot=True)


def test_a_list_with_hardly_a_pathway_in_common_is_refused(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 1)
    stranger = next(w for w in weekly_lists(rows=400, weeks=2, seed=99) if w.joined).frame
    other = tmp_path / "stranger.csv"
    write_frame(other, stranger, iso=True)
    with pytest.raises(WorkbenchError, match=r"only \d+ of its \d+ pathways are on the snapshot of 01/11/2026"):
        import_file(other, path, snapshot=True)


def test_a_pseudonymised_list_after_a_named_one_is_refused(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 1)
    with pytest.raises(WorkbenchError, match="one list is pseudonymised and the other not, or with another key"):
        import_file(weeks[1][0], path, snapshot=True, pseudonymise=True)


def test_a_plain_import_replaces_the_newest_snapshot_and_keeps_the_others_exactly(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 3)
    corrected = altered(tmp_path, weeks, lambda f: f.__setitem__("procedure_priority_code", "P3"), "week-3-again.csv")
    result = import_file(corrected, path, census_date=weeks[2][1].census_date)
    assert result.snapshot.replaced and result.snapshot.of == 3
    with Workspace.open(path) as ws:
        kept = {s.census_date: wl for s, wl in read_snapshots(ws)}
        assert [s.file_name for s in snapshots(ws)] == [weeks[0][0].name, weeks[1][0].name, "week-3-again.csv"]
    for file, week in weeks[:2]:
        alone = tmp_path / f"alone-{week.census_date}.sqlite"
        import_file(file, alone)
        with Workspace.open(alone) as ws:
            assert same_list(kept[week.census_date], ws.load_list())
    assert set(kept[weeks[2][1].census_date].columns["clinical_priority"]) == {"P3"}


def test_a_plain_import_cannot_replace_the_newest_with_a_list_older_than_the_one_before(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 3)
    before = file_digest(path)
    with pytest.raises(WorkbenchError, match=r"is not after the snapshot before the newest \(08/11/2026\)"):
        import_file(weeks[3][0], path, census_date=weeks[0][1].census_date)
    assert file_digest(path) == before


def test_a_workspace_made_before_snapshots_opens_unchanged_and_its_list_becomes_the_first(tmp_path, weeks):
    path = tmp_path / "old.sqlite"
    import_file(weeks[0][0], path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript("""DROP TABLE snapshot_columns; DROP TABLE snapshots; DROP TABLE validation_outcomes;
        DROP TABLE outcome_files;
        DELETE FROM _sqlite_migrations WHERE name IN ('m006_snapshots', 'm007_validation_outcomes');""")
    connection.close()
    with Workspace.open(path) as ws:
        listed = snapshots(ws)
        assert [(s.id, s.census_date) for s in listed] == [(None, weeks[0][1].census_date)]
        first = ws.load_list()
    import_file(weeks[1][0], path, snapshot=True)
    with Workspace.open(path) as ws:
        kept = list(read_snapshots(ws))
    assert [s.census_date for s, _ in kept] == [weeks[1][1].census_date, weeks[0][1].census_date]
    assert same_list(kept[1][1], first)


def test_the_import_says_which_snapshot_it_made_and_how_pathways_were_found_again(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 1)
    result = import_file(weeks[1][0], path, snapshot=True)
    before, after = (Counter(w.frame["patient_pathway_identifier"]) for _f, w in weeks[:2])
    stayed = sum(min(count, after[pathway]) for pathway, count in before.items())  # a duplicated ID pairs up in turn
    assert result.as_dict()["snapshot"]["matched_by_pathway_id"] == stayed
    assert result.snapshot.sentence().startswith("Snapshot 2 of 2; the snapshot of 01/11/2026 is kept")


def test_the_command_line_refuses_an_older_snapshot_in_one_line(tmp_path, weeks):
    path = snapshot_workspace(tmp_path, weeks, 2)
    run = subprocess.run([sys.executable, "-m", "workbench", "import", str(weeks[2][0]), "--workspace", str(path),
                          "--snapshot", "--census-date", "2026-10-01"], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "is before the newest snapshot's (08/11/2026)" in run.stderr
