"""A process killed in the middle of an import or a save never leaves half a workspace.

Each test runs the work in a child process and kills it with SIGKILL (no
clean-up code runs: the same as a crash, a power cut or Task Manager's End
task). The workspace must then open, pass SQLite's integrity check, and hold
exactly the list it had before, or exactly the whole new one: never a mix.

To kill at a known point, the child's progress callback prints a marker once
the list's columns are saved, before its findings, and then waits to be killed;
by then SQLite has written part of the new list into the file itself (its page
cache overflows), so the test proves the rollback journal puts the old list back.
"""

from __future__ import annotations

import csv
import hashlib
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from workbench.store.importer import import_file
from workbench.store.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
CENSUS = date(2026, 11, 2)
BIG_ROWS = 80_000
MARK_SECONDS = 90  # how long a child may take to reach its marker

IMPORT_CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from workbench.store.importer import import_file

    source, workspace, pause = sys.argv[1], sys.argv[2], sys.argv[3] == "pause"

    def progress(fraction, message):
        # The importer spends 0.55 to 1.0 of its progress saving, the list's columns up to 0.91:
        # from there its findings are saved, and the columns are in the file or its page cache.
        if fraction >= 0.91 and not progress.marked:
            progress.marked = True
            print("MARK", flush=True)
            if pause:
                time.sleep(600)
    progress.marked = False

    import_file(source, workspace, census_date=date(2026, 11, 2), progress=progress)
    print("DONE", flush=True)
    """
)

SAVE_AS_CHILD = textwrap.dedent(
    """
    import sys, time
    from workbench.store.workspace import Workspace

    class SlowCopy:
        # The real connection, copying a few pages at a time so the kill lands mid-copy.
        def __init__(self, connection):
            self._connection = connection
        def __getattr__(self, name):
            return getattr(self._connection, name)
        def backup(self, target, **options):
            def halfway(status, remaining, total):
                if remaining <= total // 2 and not halfway.marked:
                    halfway.marked = True
                    print("MARK", flush=True)
                    time.sleep(600)
            halfway.marked = False
            return self._connection.backup(target, pages=16, progress=halfway)

    workspace = Workspace.open(sys.argv[1])
    workspace.connection = SlowCopy(workspace.connection)
    workspace.save_as(sys.argv[2]).close()
    print("DONE", flush=True)
    """
)


EXPORT_CHILD = textwrap.dedent(
    """
    import sys, time
    from workbench.report.export import export_ranked_list
    from workbench.rank.ranking import rank
    from workbench.rank.bundled_rules import treat_in_turn
    from workbench.store.workspace import Workspace

    with Workspace.open(sys.argv[1]) as workspace:
        wl, record = workspace.load_list(), workspace.import_record()
    ranking = rank(treat_in_turn(), wl)

    def progress(fraction, message):
        if fraction > 0.5:  # half the rows are in the partial file
            print("MARK", flush=True)
            time.sleep(600)

    export_ranked_list(sys.argv[2], wl, ranking, ranking, treat_in_turn(), record, progress=progress)
    """
)


def write_list(path: Path, rows: int, prefix: str) -> Path:
    """A list of ``rows`` patients with a few columns of varied text (so the save is a few MB)."""
    random = np.random.default_rng(11)
    days = random.integers(0, 900, rows).tolist()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Pathway ID", "NHS Number", "RTT Clock Start", "Priority", "Consultant", "Notes"])
        for i, day in enumerate(days):
            start = (date(2024, 1, 1) + timedelta(days=day)).strftime("%d/%m/%Y")
            writer.writerow([f"{prefix}{i:07d}", f"{9_000_000_000 + i * 7919:010d}", start, f"P{2 + i % 3}",
                             f"Consultant {i % 97}", f"note {i * 2654435761 % 1_000_003}"])
    return path


@pytest.fixture(scope="module")
def big_list(tmp_path_factory):
    return write_list(tmp_path_factory.mktemp("crash") / "big.csv", BIG_ROWS, "NEW")


@pytest.fixture
def workspace(tmp_path):
    """A workspace holding a three-row list: the 'before' every kill must leave intact."""
    path = tmp_path / "ward.sqlite"
    import_file(write_list(tmp_path / "current.csv", 3, "OLD"), path, census_date=CENSUS)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(script: str, *arguments) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, arguments)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


def wait_for_mark(child: subprocess.Popen, seconds: float = MARK_SECONDS) -> None:
    """Wait for the child's MARK line, at most ``seconds``: a child that hangs is killed and the test
    fails then, instead of a read that blocks the whole run."""
    ready, _, _ = select.select([child.stdout], [], [], seconds)
    if not ready:
        child.kill()
        child.wait(timeout=30)
        pytest.fail(f"the child printed nothing in {seconds} s: {child.stderr.read()[-2000:]}")
    line = child.stdout.readline()
    assert line.strip() == "MARK", child.stderr.read()[-2000:]


def test_a_child_that_hangs_fails_the_test_at_the_deadline_instead_of_hanging_the_run():
    child = start("import time; time.sleep(600)")
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="printed nothing in 0.5 s"):
        wait_for_mark(child, seconds=0.5)
    assert time.monotonic() - started < 30 and child.returncode is not None  # killed, not left running


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def what_it_holds(path: Path) -> tuple[int, str, int, list[str]]:
    """(rows in the list, file it came from, rows the import record says, first pathway ids)."""
    assert integrity(path) == "ok"
    with Workspace.open(path) as ws:
        wl, record, history = ws.load_list(), ws.import_record(), ws.import_history()
        assert len(history) in (1, 2)
        return len(wl), record["file_name"], record["rows_stored"], wl.columns["pathway_id"][:2].tolist()


OLD = (3, "current.csv", 3, ["OLD0000000", "OLD0000001"])
NEW = (BIG_ROWS, "big.csv", BIG_ROWS, ["NEW0000000", "NEW0000001"])


def test_killed_in_the_middle_of_saving_an_import_the_old_list_is_back(workspace, big_list):
    before = sha256(workspace)
    child = start(IMPORT_CHILD, big_list, workspace, "pause")
    wait_for_mark(child)
    journal = workspace.with_name(workspace.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # a transaction was open
    written_into_the_file = sha256(workspace) != before
    kill(child)
    assert what_it_holds(workspace) == OLD
    assert written_into_the_file  # the rollback really had pages to put back


@pytest.mark.parametrize("delay", [0.0, 0.2])
def test_killed_at_any_moment_of_the_save_it_is_the_old_list_or_the_whole_new_one(workspace, big_list, delay):
    child = start(IMPORT_CHILD, big_list, workspace, "run on")
    wait_for_mark(child)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert what_it_holds(workspace) in (OLD, NEW)


def test_killed_in_the_middle_of_save_as_the_copy_is_absent_and_the_original_intact(workspace, big_list, tmp_path):
    import_file(big_list, workspace, census_date=CENSUS)
    before = sha256(workspace)
    target = tmp_path / "saved copy.sqlite"
    child = start(SAVE_AS_CHILD, workspace, target)
    wait_for_mark(child)
    kill(child)
    assert not target.exists()  # never a half-copied workspace under the name the user chose
    assert sha256(workspace) == before and what_it_holds(workspace) == NEW
    with Workspace.open(workspace) as ws:  # saving again works, and the copy is whole
        ws.save_as(target).close()
    assert what_it_holds(target) == NEW
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_completed_save_as_is_whole_and_private(workspace, tmp_path):
    with Workspace.open(workspace) as ws:
        ws.save_as(tmp_path / "copy.sqlite").close()
    assert what_it_holds(tmp_path / "copy.sqlite") == OLD
    if os.name == "posix":
        assert os.stat(tmp_path / "copy.sqlite").st_mode & 0o077 == 0


def test_a_killed_export_leaves_no_copy_of_the_list_once_the_workbench_starts_again(workspace, big_list, tmp_path):
    import_file(big_list, workspace, census_date=CENSUS)
    target = tmp_path / "ranked.csv"
    child = start(EXPORT_CHILD, workspace, target)
    wait_for_mark(child)
    kill(child)
    partial = tmp_path / ".ranked.csv.partial"
    assert not target.exists() and partial.stat().st_size > 1_000_000  # the rows written so far
    if sys.platform != "win32":
        assert partial.stat().st_mode & 0o077 == 0  # readable by its owner only, even half written
    started = subprocess.run([sys.executable, "-m", "workbench", "capacity", "--demand", "30", "--capacity", "27",
                              "--queue", "1200", "--target-wait", "52"], capture_output=True, text=True, cwd=ROOT)
    assert started.returncode == 0, started.stderr
    assert not partial.exists()  # the next start of the workbench removed it
