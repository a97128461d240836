"""Know when a workspace is already open elsewhere, or lives where it should not.

Two windows (or two people) changing one workspace would each see a list the
other is rewriting, so the app holds a **lock** while a workspace is open:
a small file next to it, ``<name>.sqlite.lock``, naming who has it open::

    {"pid": 4242, "host": "WS-0193", "user": "jbloggs", "since": "2026-11-03T09:12:00+00:00"}

It holds no patient data: a process id, a computer name, a user name and a time.

Who holds a lock is decided in two ways:

- **The operating system's lock on the lock file** (``flock`` on Linux and
  macOS, ``msvcrt.locking`` on Windows) is held for as long as the lock is.
  The system drops it when the process ends in any way (a crash, a kill, a
  power cut), so a lock left behind by a dead process is simply taken over.
- **What the file says**, for what the system cannot tell us: a lock naming
  another computer is respected (its process cannot be checked from here)
  unless the user says nobody has it open (``take_over=True``); on a file
  system without locks, a lock naming a live process on this computer is too.

:func:`is_network_path` tells whether a path is on a network drive (UNC paths
and remote drive letters on Windows, NFS/SMB/SSHFS mounts on Linux, best
effort on macOS): SQLite files there can be damaged when the connection
drops, and the drive may not be encrypted. :func:`warnings_for` gathers every
warning about a path in plain words, for the app to show when it opens one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PureWindowsPath

from workbench import formats
from workbench.errors import WorkbenchError

LOCK_SUFFIX = ".lock"
# Windows locks a byte range, and a locked byte cannot be read by anyone else:
# lock one byte far past the owner's details so others can still read them.
WINDOWS_LOCK_OFFSET = 1 << 20
# A new lock's details are written just after its system lock is taken; a
# reader who finds the file locked but empty waits this long for them.
OWNER_WAIT_SECONDS = 1.0
ACQUIRE_ATTEMPTS = 5

# File system types (as /proc/mounts and macOS mount name them) that live on another computer.
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "fuse.sshfs", "afpfs", "webdav",
    "davfs", "fuse.davfs2", "afs", "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs", "lustre", "gpfs",
    "ncpfs", "coda", "beegfs", "fuse.rclone", "fuse.s3fs",
})
# Folder names of desktop sync clients: a file in them is copied off the machine.
CLOUD_FOLDER = re.compile(r"^(onedrive\b.*|dropbox\b.*|google ?drive|icloud ?drive|box( sync)?)$", re.IGNORECASE)
DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a network drive

# Locks this process holds, by normalised workspace path: a second window of
# the same app must be refused even where the system lock would not see it.
_held_here: dict[str, "WorkspaceLock"] = {}
_held_here_guard = threading.Lock()


@dataclass(frozen=True)
class LockOwner:
    """Who holds a workspace lock: process id, computer, user, and since when (UTC)."""

    pid: int
    host: str
    user: str
    since: datetime

    @classmethod
    def current(cls) -> "LockOwner":
        """This process, now."""
        return cls(os.getpid(), _host_name(), _user_name(), datetime.now(timezone.utc).replace(microsecond=0))

    def to_json(self) -> str:
        return json.dumps({"pid": self.pid, "host": self.host, "user": self.user, "since": self.since.isoformat()})

    @classmethod
    def from_json(cls, text: str) -> "LockOwner | None":
        """The owner a lock file names, or None if it names nobody (empty or damaged).

        >>> LockOwner.from_json('{"pid": 7, "host": "WS1", "user": "jo", "since": "2026-11-03T09:12:00+00:00"}').user
        'jo'
        >>> LockOwner.from_json("") is None
        True
        """
        try:
            data = json.loads(text)
            since = datetime.fromisoformat(data["since"])
            return cls(int(data["pid"]), str(data["host"]), str(data["user"]), since)
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        """'jo on WS1 since 03/11/2026 09:12' (local time); 'another user' if the lock names nobody."""
        if self is UNKNOWN_OWNER:
            return "another user"
        local = self.since.astimezone() if self.since.tzinfo else self.since
        return f"{self.user} on {self.host} since {formats.uk_date_time(local)}"

    @property
    def on_this_computer(self) -> bool:
        return self.host.casefold() == _host_name().casefold()


# A lock held by someone whose details could not be read (their file is not readable by us).
UNKNOWN_OWNER = LockOwner(0, "", "another user", datetime(1970, 1, 1, tzinfo=timezone.utc))


class WorkspaceInUse(WorkbenchError):
    """The workspace is open in another window or by someone else; ``owner`` says who, if known."""

    def __init__(self, path: Path, owner: LockOwner | None):
        who = owner.describe() if owner else "another user"
        super().__init__(f"{path.name} is open in another window or by {who}: open a copy instead")
        self.owner = owner


class WorkspaceLock:
    """A held lock on one workspace; :meth:`release` it when the workspace is closed.

    Invariant while held: the lock file exists, names :attr:`owner`, and this
    object's open descriptor holds the system lock on it (where the file
    system has locks). Also a context manager.
    """

    def __init__(self, path: Path, descriptor: int, owner: LockOwner, key: str):
        self.path = path
        self.lock_path = lock_path(path)
        self.owner = owner
        self._descriptor: int | None = descriptor
        self._key = key

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def release(self) -> None:
        """Give the workspace up: the lock file is removed. Releasing twice is harmless."""
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        with _held_here_guard:
            _held_here.pop(self._key, None)
        _forget_owner(descriptor)
        if sys.platform != "win32":
            # Removed while still locked, so nobody can take the old file for a free one.
            _remove(self.lock_path)
        _unlock(descriptor)
        os.close(descriptor)
        if sys.platform == "win32":
            _remove(self.lock_path)  # Windows cannot remove a file that is open

    def __enter__(self) -> "WorkspaceLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"WorkspaceLock({self.path.name!r}, held={self.held})"


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of a workspace: beside the real file, so a link to it finds the same lock.

    >>> lock_path("/data/ward.sqlite").name
    'ward.sqlite.lock'
    """
    path = Path(os.path.realpath(path))
    return path.with_name(path.name + LOCK_SUFFIX)


def acquire_lock(path: str | os.PathLike, *, take_over: bool = False) -> WorkspaceLock:
    """Lock a workspace for this process, or raise :class:`WorkbenchError` saying who has it.

    A lock left by a process that has ended on this computer is taken over.
    ``take_over=True`` also takes a lock naming another computer (after the
    user has confirmed nobody there has the workspace open); a lock held by a
    live process is never taken.
    """
    path = Path(path)
    key = _normalised(path)
    with _held_here_guard:
        if key in _held_here:
            raise WorkspaceInUse(path, _held_here[key].owner)
        for _ in range(ACQUIRE_ATTEMPTS):
            lock = _try_acquire(path, key, take_over)
            if lock is not None:
                _held_here[key] = lock
                return lock
    raise WorkbenchError(f"{path.name}: could not lock the workspace (another program keeps changing "
                         f"{lock_path(path).name}); try again")


def _try_acquire(path: Path, key: str, take_over: bool) -> WorkspaceLock | None:
    """The lock, or None if the lock file was replaced under us (try again)."""
    descriptor = _open_lock_file(path)
    try:
        system_locked = _lock(descriptor)
        if system_locked is False:
            owner = _wait_for_owner(descriptor)
            if owner is None and not _still_the_lock_file(descriptor, lock_path(path)):
                os.close(descriptor)
                return None  # its owner was just releasing it
            raise WorkspaceInUse(path, owner)
        if not _still_the_lock_file(descriptor, lock_path(path)):
            _unlock(descriptor)
            os.close(descriptor)
            return None
        previous = _read_owner(descriptor)
        if previous is not None and not take_over and _still_held(previous, system_locked):
            raise WorkspaceInUse(path, previous)
        owner = LockOwner.current()
        _write_owner(descriptor, owner)
    except BaseException:
        _close_quietly(descriptor)
        raise
    return WorkspaceLock(path, descriptor, owner, key)


def _still_held(previous: LockOwner, system_locked: bool | None) -> bool:
    """Whether a lock whose system lock we could take still belongs to someone.

    ``system_locked`` is True when the system lock was taken, None when the
    file system has no locks (then only the file's word is left).
    """
    if not previous.on_this_computer:
        return True  # its process cannot be checked from here
    if previous.pid == os.getpid():
        return False  # a lock this process dropped without removing the file
    return system_locked is None and _process_alive(previous.pid)


def lock_owner(path: str | os.PathLike) -> LockOwner | None:
    """Who has the workspace open now, or None if nobody does. Takes no lock and writes nothing."""
    path = Path(path)
    with _held_here_guard:
        held = _held_here.get(_normalised(path))
    if held is not None:
        return held.owner
    lock = lock_path(path)
    try:
        descriptor = os.open(lock, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError:
        return _owner_from_file(lock)
    try:
        return _owner_while_open(descriptor)
    finally:
        _unlock(descriptor)
        os.close(descriptor)


def _owner_while_open(descriptor: int) -> LockOwner | None:
    system_locked = _lock(descriptor)
    if system_locked is False:
        return _wait_for_owner(descriptor) or UNKNOWN_OWNER
    previous = _read_owner(descriptor)
    return previous if previous is not None and _still_held(previous, system_locked) else None


# --- the lock file -----------------------------------------------------------


def _open_lock_file(path: Path) -> int:
    lock = lock_path(path)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
    try:
        # Readable by others so a colleague can be told who has it open; it names no patient.
        return os.open(lock, flags, 0o644)
    except PermissionError:
        owner = _owner_from_file(lock)
        if owner is not None:
            raise WorkspaceInUse(path, owner) from None
        raise WorkbenchError(f"{path.name}: cannot create {lock.name} in {lock.parent}; "
                             "check you may write to that folder") from None
    except OSError as error:
        raise WorkbenchError(f"{path.name}: cannot create {lock.name} ({error.strerror or error})") from None


def _owner_from_file(lock: Path) -> LockOwner | None:
    try:
        return LockOwner.from_json(lock.read_text(encoding="utf-8"))
    except OSError:
        return None


def _read_owner(descriptor: int) -> LockOwner | None:
    os.lseek(descriptor, 0, os.SEEK_SET)
    text = os.read(descriptor, 4096).decode("utf-8", errors="replace")
    return LockOwner.from_json(text)


def _wait_for_owner(descriptor: int) -> LockOwner | None:
    """The details of a lock just taken by someone else (they are written a moment after)."""
    deadline = time.monotonic() + OWNER_WAIT_SECONDS
    while True:
        owner = _read_owner(descriptor)
        if owner is not None or time.monotonic() > deadline:
            return owner
        time.sleep(0.05)


def _write_owner(descriptor: int, owner: LockOwner) -> None:
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, owner.to_json().encode("utf-8"))


def _forget_owner(descriptor: int) -> None:
    """Empty the file first, so a file left behind (Windows) names nobody."""
    try:
        os.ftruncate(descriptor, 0)
    except OSError:
        pass


def _still_the_lock_file(descriptor: int, lock: Path) -> bool:
    """False if the owner we waited for removed the file: our descriptor is then an orphan."""
    try:
        on_disk = os.stat(lock)
    except FileNotFoundError:
        return False
    ours = os.fstat(descriptor)
    return (ours.st_dev, ours.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _remove(lock: Path) -> None:
    try:
        lock.unlink()
    except OSError:
        pass  # someone else has it open (Windows): it is empty, so it names nobody


def _close_quietly(descriptor: int) -> None:
    try:
        os.close(descriptor)
    except OSError:
        pass


# --- the system lock ---------------------------------------------------------


def _lock(descriptor: int) -> bool | None:
    """Take the system lock: True if taken, False if someone holds it, None if there are no locks here."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(descriptor, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            # flock, not fcntl/lockf: a second open of the file in this same
            # process conflicts too, so two windows of one app are told apart.
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        return None  # ENOLCK, EOPNOTSUPP...: this file system has no locks
    return True


def _unlock(descriptor: int) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(descriptor, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(descriptor, fcntl.LOCK_UN)
    except OSError:
        pass  # closing the descriptor drops it anyway


def _process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _windows_process_alive(pid: int) -> bool:
    import ctypes

    process_query_limited_information, still_active = 0x1000, 259
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def _host_name() -> str:
    # The computer's own name: no network look-up is made.
    return socket.gethostname() or "this computer"


def _user_name() -> str:
    """The login name from the environment, else the numeric user id.

    Not ``getpass.getuser()``: without USER set it asks the system's user
    database, which on Linux may open a local socket (nscd), and the workbench
    opens no sockets at all.
    """
    for variable in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(variable):
            return os.environ[variable]
    return f"user id {os.getuid()}" if hasattr(os, "getuid") else "an unknown user"


def _normalised(path: Path) -> str:
    """One key per file, however it is reached (a symbolic link, a relative path)."""
    return os.path.normcase(os.path.realpath(path))


# --- network drives ----------------------------------------------------------


def is_unc_path(text: str) -> bool:
    r"""Whether a Windows path names a share on another computer.

    >>> is_unc_path(r"\\trust-fs01\waiting lists\ward.sqlite"), is_unc_path("//fs01/share/w.sqlite")
    (True, True)
    >>> is_unc_path(r"\\?\UNC\fs01\share\w.sqlite"), is_unc_path(r"\\?\C:\data\w.sqlite"), is_unc_path(r"C:\w.sqlite")
    (True, False, False)
    """
    text = text.replace("/", "\\")
    if text.startswith(("\\\\?\\", "\\\\.\\")):
        return text[4:].upper().startswith("UNC\\")
    return text.startswith("\\\\")


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    r"""(mount point, file system type) for each line of ``/proc/mounts``.

    Spaces and other awkward characters in mount points are written as octal
    escapes there (``\040`` for a space).

    >>> parse_proc_mounts("//fs01/lists /mnt/waiting\\040lists cifs rw 0 0\n")
    [('/mnt/waiting lists', 'cifs')]
    """
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            mounts.append((_unescape_mount(parts[1]), parts[2]))
    return mounts


def _unescape_mount(text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) from macOS's ``mount`` command.

    >>> parse_mount_output("//jo@fs01/lists on /Volumes/lists (smbfs, nodev, nosuid, mounted by jo)")
    [('/Volumes/lists', 'smbfs')]
    """
    found = re.findall(r"^.* on (.+?) \(([^,)]+)", text, flags=re.MULTILINE)
    return [(point, kind.strip()) for point, kind in found]


def filesystem_type(path: str | os.PathLike, mounts: list[tuple[str, str]]) -> str | None:
    """The type of the file system holding ``path``: that of the longest mount point above it.

    >>> filesystem_type("/mnt/share/ward.sqlite", [("/", "ext4"), ("/mnt/share", "nfs4")])
    'nfs4'
    >>> filesystem_type("/mnt/shared/ward.sqlite", [("/", "ext4"), ("/mnt/share", "nfs4")])
    'ext4'
    """
    text = str(path)
    best, best_type = "", None
    for point, kind in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, kind
    return best_type


def is_network_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` (a file or a file to be) is on a network drive.

    Windows: a UNC path or a drive letter the system calls remote. Linux: the
    mount holding it is NFS, SMB/CIFS, SSHFS or another network file system.
    macOS: the same, read from the ``mount`` command (best effort). Anything
    that cannot be found out counts as local.
    """
    text = str(path)
    if sys.platform == "win32":
        return is_unc_path(text) or _windows_drive_is_remote(text)
    mounts = _mounts()
    if not mounts:
        return False
    kind = filesystem_type(_resolved(path), mounts)
    return kind is not None and kind.casefold() in NETWORK_FILESYSTEMS


def _resolved(path: str | os.PathLike) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return os.path.abspath(path)


def _mounts() -> list[tuple[str, str]]:
    if sys.platform.startswith("linux"):
        try:
            return parse_proc_mounts(Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return []
    if sys.platform == "darwin":
        try:
            done = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return []
        return parse_mount_output(done.stdout)
    return []


def _windows_drive_is_remote(text: str) -> bool:
    drive = PureWindowsPath(os.path.abspath(text)).drive
    if not drive:
        return False
    if is_unc_path(drive):
        return True  # a mapped path that resolved to \\server\share
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE


# --- all the warnings about a place ----------------------------------------------


def warnings_for(path: str | os.PathLike) -> list[str]:
    """Every warning about keeping a workspace at ``path``, in plain words (may be empty).

    Checks: a network drive, a folder a sync client copies to the cloud, the
    workspace open elsewhere, and (POSIX) a file other users may read.
    """
    path = Path(path)
    found = []
    if is_network_path(path):
        found.append(
            f"{path.name} is on a network drive: a workspace there can be damaged if the connection drops, "
            "and the drive may not be encrypted. Copy it to an encrypted drive on this computer to work on it."
        )
    cloud = cloud_folder(path)
    if cloud:
        found.append(
            f"{path.name} is in the '{cloud}' folder, which is copied to a cloud service: patient data would "
            "leave this computer. Keep workspaces in a folder your organisation has approved."
        )
    owner = lock_owner(path) if path.exists() else None
    if owner is not None:
        found.append(f"{path.name} is open in another window or by {owner.describe()}: open a copy instead")
    if _readable_by_others(path):
        found.append(
            f"{path.name} can be read by other users of this computer; "
            "save it again from the workbench (Save As) to make it private to you."
        )
    return found


def cloud_folder(path: str | os.PathLike) -> str | None:
    """The name of a cloud-synced folder (OneDrive, Dropbox...) that holds ``path``, if any.

    >>> cloud_folder("/Users/jo/OneDrive - NHS Trust/lists/ward.sqlite")
    'OneDrive - NHS Trust'
    >>> cloud_folder("/home/jo/lists/ward.sqlite") is None
    True
    """
    for part in Path(path).parts[:-1]:
        if CLOUD_FOLDER.match(part):
            return part
    return None


def _readable_by_others(path: Path) -> bool:
    if sys.platform == "win32":
        return False  # permissions there are access control lists the organisation manages
    try:
        return bool(os.stat(path).st_mode & 0o077)
    except OSError:
        return False


def path_key(path: Path) -> str:
    """One spelling per file, to know a lock already held (taking it twice would refuse ourselves)."""
    return os.path.normcase(os.path.abspath(path))


class HeldLocks:
    """The workspace locks one window holds: the workspace it shows, and every path a load,
    save or copy under way uses, no more.

    Paths are known by :func:`path_key`, so a lock already held is kept, never taken again.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "ward.sqlite"
    >>> held = HeldLocks()
    >>> held.take(path); held.take(path)  # the second keeps the first
    >>> key = held.start_using(path)
    >>> held.stop_using(key, shown=None)  # nothing shown and nothing in use: given up
    >>> held.of(path) is None
    True
    """

    def __init__(self):
        self._locks: dict[str, WorkspaceLock] = {}  # by path_key
        self._in_use: Counter[str] = Counter()  # path key -> loads, saves and copies under way

    def of(self, path: Path) -> WorkspaceLock | None:
        """The lock held on ``path``, if any."""
        return self._locks.get(path_key(path))

    def take(self, path: Path) -> None:
        """Hold the lock of ``path`` (kept if already held).

        :class:`WorkspaceInUse` if another window or person has it; :class:`WorkbenchError` if the
        lock file cannot be made (a read-only folder).
        """
        key = path_key(path)
        if key not in self._locks:
            self._locks[key] = acquire_lock(path)

    def start_using(self, path: Path) -> str:
        """Note work under way on ``path``: its lock is kept until :meth:`stop_using`."""
        key = path_key(path)
        self._in_use[key] += 1
        return key

    def stop_using(self, key: str, shown: Path | None) -> None:
        """Work on ``key`` ended: give up every lock that is neither ``shown`` nor still in use."""
        self._in_use[key] -= 1
        if self._in_use[key] <= 0:
            del self._in_use[key]
        kept = {path_key(shown)} if shown is not None else set()
        self.release(keep=kept | set(self._in_use))

    def release(self, keep: set[str] = frozenset()) -> None:
        """Give up every lock but those of the path keys in ``keep``."""
        for key in [k for k in self._locks if k not in keep]:
            self._locks.pop(key).release()
