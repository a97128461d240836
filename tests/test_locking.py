"""A workspace open elsewhere is refused, a dead process's lock is taken over, network drives are seen."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest

from workbench.store import locking
from workbench.store.locking import (
    HeldLocks,
    LockOwner,
    WorkspaceInUse,
    acquire_lock,
    filesystem_type,
    is_network_path,
    lock_owner,
    lock_path,
    parse_mount_output,
    parse_proc_mounts,
    warnings_for,
)
from workbench.errors import WorkbenchError
from workbench.store.workspace import Workspace

# A child process that takes the lock, says so, and keeps it until its stdin closes.
HOLDER = textwrap.dedent(
    """
    import sys
    from workbench.store.locking import acquire_lock
    from workbench.errors import WorkbenchError
    try:
        lock = acquire_lock(sys.argv[1])
    except WorkbenchError as error:
        print("REFUSED", error, flush=True)
        sys.exit(0)
    print("HELD", flush=True)
    sys.stdin.read()
    lock.release()
    """
)


@pytest.fixture
def workspace(tmp_path):
    path = tmp_path / "ward.sqlite"
    Workspace.create(path).close()
    return path


def start_holder(path):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    return child, child.stdout.readline().strip()


def write_lock_file(path, pid, host):
    owner = LockOwner(pid, host, "jbloggs", datetime(2026, 11, 3, 9, 12, tzinfo=timezone.utc))
    lock_path(path).write_text(owner.to_json(), encoding="utf-8")


def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_lock_file_names_process_host_user_and_time_and_nothing_else(workspace):
    with acquire_lock(workspace) as lock:
        content = json.loads(lock_path(workspace).read_text(encoding="utf-8"))
        assert set(content) == {"pid", "host", "user", "since"}
        assert content["pid"] == os.getpid()
        assert lock.owner.user and lock.owner.host
    assert not lock_path(workspace).exists()


def test_a_second_window_in_the_same_process_is_refused(workspace):
    with acquire_lock(workspace):
        with pytest.raises(WorkspaceInUse, match=r"ward.sqlite is open in another window or by .+ on .+ since "
                                                 r"\d\d/\d\d/\d{4} \d\d:\d\d: open a copy instead"):
            acquire_lock(workspace)
    acquire_lock(workspace).release()  # free again once released


def test_a_link_to_a_workspace_open_elsewhere_is_refused_too(workspace, tmp_path):
    link = tmp_path / "shortcut.sqlite"
    link.symlink_to(workspace)  # the same file under another name: the same lock
    holder, said = start_holder(link)
    try:
        assert said == "HELD" and lock_owner(workspace).pid == holder.pid
        with pytest.raises(WorkspaceInUse):
            acquire_lock(workspace)
    finally:
        holder.communicate("")
    with acquire_lock(workspace), pytest.raises(WorkspaceInUse):  # within one process too
        acquire_lock(link)


def test_two_processes_cannot_both_hold_the_lock(workspace):
    holder, said = start_holder(workspace)
    try:
        assert said == "HELD"
        with pytest.raises(WorkspaceInUse) as refused:
            acquire_lock(workspace)
        assert refused.value.owner.pid == holder.pid
        assert lock_owner(workspace).pid == holder.pid
        second, second_said = start_holder(workspace)
        second.communicate("")
        assert second_said.startswith("REFUSED ward.sqlite is open in another window or by")
    finally:
        holder.communicate("")
    assert lock_owner(workspace) is None
    acquire_lock(workspace).release()


def test_only_one_of_several_racing_processes_gets_the_lock(workspace):
    children = [subprocess.Popen([sys.executable, "-c", HOLDER, str(workspace)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True) for _ in range(4)]
    said = [child.stdout.readline().split(" ")[0].strip() for child in children]
    for child in children:
        child.communicate("")
    assert sorted(said) == ["HELD", "REFUSED", "REFUSED", "REFUSED"]


def test_the_lock_of_a_killed_process_is_taken_over(workspace):
    holder, said = start_holder(workspace)
    assert said == "HELD"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert json.loads(lock_path(workspace).read_text())["pid"] == holder.pid  # left behind
    assert lock_owner(workspace) is None
    with acquire_lock(workspace) as lock:
        assert lock.owner.pid == os.getpid()


def test_a_stale_lock_file_from_a_dead_process_on_this_computer_is_taken_over(workspace):
    write_lock_file(workspace, dead_pid(), locking._host_name())
    with acquire_lock(workspace) as lock:
        assert json.loads(lock_path(workspace).read_text())["pid"] == os.getpid() == lock.owner.pid


def test_a_lock_naming_another_computer_is_respected_unless_taken_over(workspace):
    write_lock_file(workspace, 4242, "WS-OTHER-PC")
    with pytest.raises(WorkspaceInUse, match="by jbloggs on WS-OTHER-PC since 03/11/2026"):
        acquire_lock(workspace)
    assert lock_owner(workspace).host == "WS-OTHER-PC"
    with acquire_lock(workspace, take_over=True) as lock:
        assert lock.owner.host == locking._host_name()


def test_without_system_locks_a_live_process_on_this_computer_still_holds_it(workspace, monkeypatch):
    # Some network file systems have no locks: then the file's word and the process table decide.
    monkeypatch.setattr(locking, "_lock", lambda descriptor: None)
    holder = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        write_lock_file(workspace, holder.pid, locking._host_name())
        with pytest.raises(WorkspaceInUse):
            acquire_lock(workspace)
    finally:
        holder.communicate(b"")
    acquire_lock(workspace).release()


def test_releasing_twice_is_harmless(workspace):
    lock = acquire_lock(workspace)
    lock.release()
    lock.release()
    assert not lock.held


def test_a_place_where_no_lock_file_can_be_made_is_a_plain_error(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    with pytest.raises(WorkbenchError, match="ward.sqlite: cannot create ward.sqlite.lock"):
        acquire_lock(blocked / "ward.sqlite")


# --- network drives ----------------------------------------------------------

PROC_MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
fs01:/export/lists /mnt/nfs-lists nfs4 rw,relatime,vers=4.2 0 0
//trust-fs01/Waiting\\040Lists /mnt/waiting\\040lists cifs rw,relatime,vers=3.0 0 0
jo@analysis:/data /home/jo/remote fuse.sshfs rw,nosuid,nodev 0 0
tmpfs /home/jo/remote/cache tmpfs rw 0 0
"""


def test_proc_mounts_parser_reads_types_and_escaped_spaces():
    mounts = parse_proc_mounts(PROC_MOUNTS)
    assert ("/mnt/waiting lists", "cifs") in mounts
    assert ("/mnt/nfs-lists", "nfs4") in mounts and ("/home/jo/remote", "fuse.sshfs") in mounts


@pytest.mark.parametrize("path, kind", [
    ("/mnt/nfs-lists/ward.sqlite", "nfs4"),
    ("/mnt/waiting lists/2026/ward.sqlite", "cifs"),
    ("/home/jo/remote/ward.sqlite", "fuse.sshfs"),
    ("/home/jo/remote/cache/ward.sqlite", "tmpfs"),  # the deeper mount wins
    ("/mnt/nfs-lists-local/ward.sqlite", "ext4"),  # a prefix of the name is not the folder
])
def test_the_deepest_mount_above_a_path_decides_its_type(path, kind):
    assert filesystem_type(path, parse_proc_mounts(PROC_MOUNTS)) == kind


def test_network_mounts_are_detected_on_linux(monkeypatch):
    monkeypatch.setattr(locking, "_mounts", lambda: parse_proc_mounts(PROC_MOUNTS))
    monkeypatch.setattr(locking, "_resolved", lambda path: str(path))
    assert is_network_path("/mnt/waiting lists/ward.sqlite")
    assert is_network_path("/mnt/nfs-lists/new-workspace.sqlite")
    assert is_network_path("/home/jo/remote/ward.sqlite")
    assert not is_network_path("/home/jo/lists/ward.sqlite")
    assert not is_network_path("/home/jo/remote/cache/ward.sqlite")


def test_the_real_mount_table_says_a_temporary_folder_is_local(tmp_path):
    assert is_network_path(tmp_path / "ward.sqlite") is False


def test_macos_mount_output_is_parsed():
    text = ("/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
            "//jo@trust-fs01/Lists on /Volumes/Lists (smbfs, nodev, nosuid, mounted by jo)\n"
            "fs01:/export on /Volumes/export (nfs, asynchronous)\n")
    mounts = parse_mount_output(text)
    assert filesystem_type("/Volumes/Lists/ward.sqlite", mounts) == "smbfs"
    assert filesystem_type("/Volumes/export/a.sqlite", mounts) == "nfs"
    assert filesystem_type("/Users/jo/a.sqlite", mounts) == "apfs"


@pytest.mark.parametrize("text, network", [
    (r"\\trust-fs01\Waiting Lists\ward.sqlite", True),
    (r"\\?\UNC\trust-fs01\share\ward.sqlite", True),
    ("//trust-fs01/share/ward.sqlite", True),
    (r"\\?\C:\Users\jo\ward.sqlite", False),
    (r"\\.\PhysicalDrive0", False),
    (r"C:\Users\jo\ward.sqlite", False),
])
def test_unc_paths(text, network):
    assert locking.is_unc_path(text) is network


# --- warnings ------------------------------------------------------------------


def test_no_warnings_for_a_private_local_workspace_nobody_has_open(workspace):
    assert warnings_for(workspace) == []


def test_warnings_name_a_network_drive_another_owner_and_other_readers(workspace, monkeypatch):
    monkeypatch.setattr(locking, "is_network_path", lambda path: True)
    write_lock_file(workspace, 4242, "WS-OTHER-PC")
    lock_before = lock_path(workspace).read_bytes()
    os.chmod(workspace, 0o644)
    found = warnings_for(workspace)
    assert len(found) == 3
    assert "ward.sqlite is on a network drive" in found[0]
    assert "open in another window or by jbloggs on WS-OTHER-PC" in found[1]
    assert "can be read by other users" in found[2]
    assert lock_path(workspace).read_bytes() == lock_before  # looking writes nothing


def test_a_cloud_synced_folder_is_warned_about(tmp_path):
    folder = tmp_path / "OneDrive - Example NHS Trust" / "lists"
    folder.mkdir(parents=True)
    found = warnings_for(folder / "ward.sqlite")
    assert len(found) == 1 and "'OneDrive - Example NHS Trust' folder" in found[0] and "leave this computer" in found[0]


def test_held_locks_keep_the_shown_workspace_and_each_in_use_until_its_work_ends(tmp_path):
    shown, saving = tmp_path / "ward.sqlite", tmp_path / "copy.sqlite"
    held = HeldLocks()
    held.take(shown)
    held.take(saving)
    first, second = held.start_using(saving), held.start_using(saving)
    held.stop_using(first, shown=shown)
    assert held.of(saving) is not None  # a second save to it is still under way
    held.stop_using(second, shown=shown)
    assert held.of(saving) is None and held.of(shown) is not None
    assert lock_path(saving).exists() is False
    held.release()
    assert held.of(shown) is None and not lock_path(shown).exists()

