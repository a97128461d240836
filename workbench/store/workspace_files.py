"""Workspace files as the app keeps them: saved where the user chose, untitled, or the demo.

- ``saved``: a file the user named (Open workspace, Save As). Changes are
  written to it as they happen, so there is nothing to "save" later.
- ``untitled``: made by New or by opening a waiting list, kept in the data
  folder's ``unsaved`` folder until the user saves it somewhere. Closing one
  asks first; discarding it deletes the file, so patient data is not left behind.
- ``demo``: the bundled demo list imported into the data folder; never asks.

A window holds a lock (:mod:`workbench.store.locking`) on every workspace it
shows, so a second window or a colleague cannot change the same file unseen;
:func:`place_warnings` says what is wrong with where a workspace is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.resources import resource_path
from workbench.store.files import data_folder
from workbench.store.importer import import_file, stale_census_warning
from workbench.store.locking import LockOwner, warnings_for
from workbench.store.workspace import Workspace


SAVED, UNTITLED, DEMO = "saved", "untitled", "demo"
WORKSPACE_SUFFIX = ".sqlite"
DEMO_FILE = "Demo waiting list.sqlite"
DEMO_LIST = "demo-waiting-list.csv"


def unsaved_folder() -> Path:
    """Workspaces made by an import or 'New' live here until the user saves them."""
    folder = data_folder() / "unsaved"
    folder.mkdir(exist_ok=True)
    return folder


@dataclass(frozen=True)
class WorkspaceFile:
    """Which workspace file is open and whether it still needs a name."""

    path: Path
    kind: str = SAVED

    @property
    def needs_saving(self) -> bool:
        """True for an untitled workspace: closing it would lose it."""
        return self.kind == UNTITLED

    @property
    def display_name(self) -> str:
        """The name for the title bar.

        >>> WorkspaceFile(Path("/x/ward 7.sqlite")).display_name
        'ward 7'
        >>> WorkspaceFile(Path("/x/untitled-1.sqlite"), UNTITLED).display_name
        'Untitled workspace (not saved)'
        """
        if self.kind == UNTITLED:
            return "Untitled workspace (not saved)"
        if self.kind == DEMO:
            return "Demo waiting list"
        return self.path.stem


def stale_census_warnings(census: date | None) -> list[str]:
    """The importer's warning about an old census date, for a workspace opened again later.

    Waits are counted to the census date, so a list reopened weeks after its
    extract shows waits shorter than they are by now.
    """
    warning = stale_census_warning(census) if census is not None else None
    return [warning] if warning else []


def place_warnings(path: Path, own_lock: LockOwner | None = None, progress: Progress = no_progress,
                   cancelled: CancelCheck = never) -> list[str]:
    """Warnings about where a workspace is kept (network drive, cloud folder, readable by others).

    Runs on a worker: looking at a network drive can be slow. The warning that
    the workspace is open elsewhere is left out when the lock it names is this
    window's own (``own_lock``): the window that holds it is not "another window".
    """
    found = warnings_for(path)
    if own_lock is None:
        return found
    mine = f"is open in another window or by {own_lock.describe()}"
    return [warning for warning in found if mine not in warning]


def copy_workspace(source: Path, target: Path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> Path:
    """Copy a workspace someone else has open to ``target``, to look at on its own (database worker)."""
    progress(0.0, f"Copying to {target.name}")
    with Workspace.open(source) as workspace:
        workspace.save_as(target).close()
    return Path(target)


def ensure_demo(progress: Progress = no_progress, cancelled: CancelCheck = never) -> Path:
    """The demo workspace in the data folder, imported from the bundled demo list the first time."""
    path = demo_path()
    if path.exists():
        return path
    source = resource_path("demo", DEMO_LIST)
    if not source.is_file():
        raise WorkbenchError(
            f"{DEMO_LIST}: the demo list is missing from this installation. "
            "Open your own list with File > Open waiting list… (Ctrl+O)."
        )
    import_file(source, path, progress=progress, cancelled=cancelled)
    return path


def new_untitled_path() -> Path:
    """A fresh file name in the unsaved folder (not created yet)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = unsaved_folder()
    path = folder / f"untitled-{stamp}{WORKSPACE_SUFFIX}"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"untitled-{stamp}-{number}{WORKSPACE_SUFFIX}"
    return path


def create_untitled(progress: Progress = no_progress, cancelled: CancelCheck = never) -> WorkspaceFile:
    """A new, empty untitled workspace file."""
    path = new_untitled_path()
    Workspace.create(path).close()
    return WorkspaceFile(path, UNTITLED)


def demo_path() -> Path:
    return data_folder() / DEMO_FILE


def discard(file: WorkspaceFile) -> None:
    """Delete an untitled workspace the user chose not to keep (saved files are never deleted)."""
    if file.kind == UNTITLED:
        file.path.unlink(missing_ok=True)


def save_as(file: WorkspaceFile, target: Path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> WorkspaceFile:
    """Copy the workspace to ``target``; an untitled original is then removed."""
    progress(0.0, f"Saving {target.name}")
    if Path(target).resolve() == file.path.resolve():
        return WorkspaceFile(file.path, SAVED)  # saved over itself: nothing to copy, and nothing to delete
    with Workspace.open(file.path) as workspace:
        workspace.save_as(target).close()
    discard(file)
    return WorkspaceFile(Path(target), SAVED)
