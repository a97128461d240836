"""When the disk or the workspace file fails, the user reads one plain line naming the file.

A full disk, a read-only or damaged workspace, a workspace from a newer
version, a process killed at the first write of a new workspace, a mistyped
option: each is one line (exit status 2 on the command line), never a Python
traceback, and the workspace is left as it was, or absent, never half made.
A full disk is SQLite's own "database or disk is full", reached by capping the
pages a connection may write; a read-only file is a connection opened read-only
(the tests may run as an administrator, whom file permissions do not stop).
"""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from workbench.store import workspace as workspace_module
from workbench.cli import main
from workbench.demo import write_demo_list
from workbench.store.importer import import_file
from workbench.errors import WorkbenchError
from workbench.store.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
CENSUS = date(2026, 11, 2)

# A child process whose SQLite connections may grow a file by a few pages only, or that is
# killed the moment a new workspace's schema is first written; then it runs the command line.
CHILD = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from workbench.store import workspace
    from workbench.store.migrations import migrations
    from workbench.cli import main

    fault, arguments = sys.argv[1], sys.argv[2:]
    connect = workspace._connect

    def cramped(path):
        connection = connect(path)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 2}")
        return connection

    def killed_at_first_write(db):
        os.kill(os.getpid(), signal.SIGKILL)

    if fault == "full disk":
        workspace._connect = cramped
    elif fault == "killed":
        migrations.apply = killed_at_first_write
    sys.exit(main(arguments))
    """
)


def run_child(fault: str, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, fault, *map(str, arguments)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_plain_line(stderr: str, command: str, file_name: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"workbench {command}: {file_name}"), stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_list(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "demo.csv"
    write_demo_list(path, rows=3000, seed=3)
    return path


@pytest.fixture
def workspace(tmp_path, demo_list):
    path = tmp_path / "ward.sqlite"
    import_file(demo_list, path, census_date=CENSUS)
    return path


def workspace_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "sqlite" in p.name)


# --- a full disk ------------------------------------------------------------------------


def test_a_full_disk_making_a_new_workspace_leaves_nothing_and_the_next_import_works(tmp_path, demo_list):
    target = tmp_path / "new.sqlite"
    done = run_child("full disk", "import", demo_list, "--workspace", target, "--census-date", "2026-11-02")
    assert done.returncode == 2
    assert "the disk is full" in one_plain_line(done.stderr, "import", "new.sqlite")
    assert workspace_files(tmp_path) == []  # no half-made workspace, no hidden one either
    assert main(["import", str(demo_list), "--workspace", str(target), "--census-date", "2026-11-02"]) == 0


def test_a_full_disk_saving_a_list_leaves_the_workspace_as_it_was(workspace, demo_list, tmp_path):
    before = sha256(workspace)
    bigger = tmp_path / "bigger.csv"
    write_demo_list(bigger, rows=20_000, seed=4)
    done = run_child("full disk", "import", bigger, "--workspace", workspace, "--census-date", "2026-11-02")
    assert done.returncode == 2
    assert "could not be saved: the disk is full" in one_plain_line(done.stderr, "import", "ward.sqlite")
    assert sha256(workspace) == before


# --- read-only and damaged workspaces ---------------------------------------------------


def test_a_read_only_workspace_is_refused_in_one_line_and_left_as_it_was(workspace, demo_list, monkeypatch):
    before = sha256(workspace)
    monkeypatch.setattr(workspace_module, "_connect", lambda path: sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None))
    with pytest.raises(WorkbenchError, match="^ward.sqlite: could not be saved: the file or its folder is read-only"):
        import_file(demo_list, workspace, census_date=CENSUS)
    assert sha256(workspace) == before


def damage_every_page(path: Path) -> None:
    """Overwrite the start of every page but the first (whose header still says 'workspace')."""
    with open(path, "r+b") as handle:
        for page in range(1, path.stat().st_size // workspace_module.PAGE_SIZE):
            handle.seek(page * workspace_module.PAGE_SIZE)
            handle.write(b"\x0d\xff\xff\xff" * 64)


def damage_a_column(path: Path) -> None:
    """A source column's compressed bytes cut short (zlib cannot read it)."""
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE list_columns SET data = x'54789c0000' WHERE name = 'Pathway ID' AND source = 1")


@pytest.mark.parametrize("damage", [damage_every_page, damage_a_column])
@pytest.mark.parametrize("command", [["rank", "--rules", "treat-in-turn", "--out", "ranked.csv"],
                                     ["validate", "--out", "worklist.xlsx"]])
def test_a_damaged_workspace_is_one_line_on_the_command_line(workspace, damage, command, tmp_path, capsys):
    damage(workspace)
    arguments = [part if "." not in part else str(tmp_path / part) for part in command]
    assert main([*arguments, "--workspace", str(workspace)]) == 2
    assert "the workspace is damaged" in one_plain_line(capsys.readouterr().err, command[0], "ward.sqlite")


def test_a_damaged_workspace_opened_in_the_app_is_a_plain_message(workspace):
    damage_a_column(workspace)
    with Workspace.open(workspace) as ws:
        with pytest.raises(WorkbenchError, match="^ward.sqlite: cannot be read: the workspace is damaged"):
            wl = ws.load_list()
            [wl.source[header] for header in wl.source]  # (most source columns are read when first used)


# --- a new workspace killed at its first write -----------------------------------------------


def test_a_kill_at_the_first_write_of_a_new_workspace_leaves_no_empty_file(tmp_path, demo_list):
    target = tmp_path / "new.sqlite"
    done = run_child("killed", "import", demo_list, "--workspace", target, "--census-date", "2026-11-02")
    assert done.returncode == -signal.SIGKILL
    assert not target.exists()  # a half-made workspace is never under the name the user chose
    assert main(["import", str(demo_list), "--workspace", str(target), "--census-date", "2026-11-02"]) == 0
    assert workspace_files(tmp_path) == ["new.sqlite"]


def test_an_empty_file_an_earlier_version_left_is_made_afresh(tmp_path, demo_list):
    target = tmp_path / "new.sqlite"
    target.write_bytes(b"")
    with pytest.raises(WorkbenchError, match="^new.sqlite: the file is empty, not a workspace"):
        Workspace.open(target)
    result = import_file(demo_list, target, census_date=CENSUS)
    assert result.rows_stored == 3000


# --- a workspace from a newer version -------------------------------------------------------


def test_a_workspace_saved_by_a_newer_version_is_refused_in_plain_words(workspace, demo_list):
    with sqlite3.connect(workspace) as connection:
        connection.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                           "VALUES ('workbench', 'm099_from_the_future', '2027-01-01')")
    before = sha256(workspace)
    with pytest.raises(WorkbenchError, match="^ward.sqlite: this workspace was saved by a newer version of the "
                                             "workbench .*m099_from_the_future"):
        Workspace.open(workspace)
    with pytest.raises(WorkbenchError, match="newer version"):
        import_file(demo_list, workspace, census_date=CENSUS)
    assert sha256(workspace) == before


# --- options a user mistypes -----------------------------------------------------------------


@pytest.mark.parametrize("arguments, words", [
    (["import", "list.csv", "--workspace", "w.sqlite", "--census-date", "2026-13-01"], "'2026-13-01' is not a date"),
    (["capacity", "--demand", "nan", "--capacity", "27", "--queue", "1200", "--target-wait", "52"],
     "'nan' is not a number"),
    (["equity", "--workspace", "w.sqlite", "--rules", "treat-in-turn", "--capacity-per-week", "inf"],
     "'inf' is not a number"),
])
def test_a_mistyped_option_is_one_line(arguments, words, capsys):
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1 and words in stderr


def test_a_capacity_beyond_any_list_treats_everyone_instead_of_failing(workspace, capsys):
    assert main(["equity", "--workspace", str(workspace), "--rules", "treat-in-turn", "--capacity-per-week",
                 "1e308", "--json"]) == 0
    assert '"next_n": 3000' in capsys.readouterr().out

