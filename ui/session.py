"""The workspace the window shows: where its file lives, and loading it off the GUI thread.

A workspace file is one of three kinds:

- ``saved``: a file the user named (Open workspace, Save As). Changes are
  written to it as they happen, so there is nothing to "save" later.
- ``untitled``: made by New or by opening a waiting list, kept in the data
  folder's ``unsaved`` folder until the user saves it somewhere. Closing one
  asks first; discarding it deletes the file, so patient data is not left behind.
- ``demo``: the bundled demo list imported into the data folder; never asks.

:func:`load_workspace` runs on the database worker and does every slow step of
opening (reading the columns, finding rows, filter keys) so the window only
swaps the result in.

The window holds a lock (:mod:`workbench.locking`) on every workspace it shows,
so a second window or a colleague cannot change the same file unseen;
:func:`place_warnings` says what is wrong with where a workspace is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ui.list_model import problem_codes, shown_columns
from ui.list_panel import order_and_summary
from workbench.view.filters import ListIndex, ListQuery
from ui.settings import data_folder, unsaved_folder
from workbench.fields import WaitingList
from workbench.check.deprivation import CURRENT, Linking, link_summary
from workbench.store.importer import DEPRIVATION_EDITION_SETTING, import_file, stale_census_warning
from workbench.store.locking import LockOwner, warnings_for
from workbench.progress import CancelCheck, Progress, check, never, no_progress, scaled
from workbench.errors import WorkbenchError
from workbench.resources import resource_path
from workbench.store.workspace import Workspace
from workbench.check.validation import count_without_priority
from workbench.report.worklist import write_worklist

SAVED, UNTITLED, DEMO = "saved", "untitled", "demo"
WORKSPACE_SUFFIX = ".sqlite"
WORKSPACE_FILTER = "Workbench workspace (*.sqlite)"
DEMO_FILE = "Demo waiting list.sqlite"
DEMO_LIST = "demo-waiting-list.csv"


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


@dataclass
class LoadedWorkspace:
    """Everything the window needs to show a workspace, worked out on the worker."""

    file: WorkspaceFile
    wl: WaitingList | None = field(default=None, repr=False)
    record: dict[str, Any] | None = field(default=None, repr=False)
    finding_counts: dict[str, int] = field(default_factory=dict)
    index: ListIndex | None = field(default=None, repr=False)
    columns: list[str] = field(default_factory=list, repr=False)
    problems: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object), repr=False)
    unknown_priority: int = 0  # patients with no recognised clinical priority: ranked in the 'unknown' band
    first_view: tuple | None = field(default=None, repr=False)  # the list view's rows and summary, unfiltered
    deprivation: dict | None = None  # deprivation.link_summary: which indices, what went through the lookup

    @property
    def lsoa_header(self) -> str | None:
        """The header of the list's LSOA column as imported (it may name the areas' vintage)."""
        return (self.record or {}).get("mapping", {}).get("lsoa")

    @property
    def census_date(self) -> date | None:
        if self.record and self.record.get("census_date"):
            return self.record["census_date"]
        return self.wl.census_date if self.wl is not None else None

    @property
    def source_name(self) -> str | None:
        """The file the list was imported from."""
        return self.record.get("file_name") if self.record else None


def load_workspace(file: WorkspaceFile, progress: Progress = no_progress, cancelled: CancelCheck = never) -> LoadedWorkspace:
    """Open a workspace file and prepare its list for the window (run on the database worker)."""
    progress(0.0, f"Opening {file.path.name}")
    with Workspace.open(file.path) as workspace:
        if not workspace.has_list():
            return LoadedWorkspace(file)
        wl = workspace.load_list()
        check(cancelled)
        progress(0.5, "Reading the data-quality findings")
        finding_rows = workspace.finding_positions()
        counts = {code: len(rows) for code, rows in finding_rows.items()}
        record = workspace.import_record()
        edition = workspace.get_setting(DEPRIVATION_EDITION_SETTING, CURRENT)
    check(cancelled)
    progress(0.7, "Preparing the list view")
    index = ListIndex(wl, finding_rows)
    index.prepare_filters()
    # Worked out here, while the window waits anyway, rather than on another worker as the list appears.
    first_view = order_and_summary(index, ListQuery(), cancelled=cancelled)
    loaded = LoadedWorkspace(file, wl, record, counts, index, shown_columns(wl), problem_codes(len(wl), finding_rows),
                             _without_priority(index), first_view)
    loaded.deprivation = link_summary(wl.columns, Linking(edition, loaded.lsoa_header), wl.known_codes)
    progress(1.0, "Ready")
    return loaded


def _without_priority(index: ListIndex) -> int:
    """How many have no recognised priority, counted from the priority filter's numbering (already made)."""
    if "clinical_priority" not in index.wl.columns:
        return len(index)
    return count_without_priority(index.value_counts("clinical_priority", np.arange(len(index))), len(index))


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


def write_findings_worklist(loaded: LoadedWorkspace, target: Path, progress: Progress = no_progress,
                            cancelled: CancelCheck = never) -> Path:
    """Write every finding of the workspace, with its row, to an xlsx worklist (database worker)."""
    progress(0.0, "Reading the findings")
    with Workspace.open(loaded.file.path) as workspace:
        findings, record = workspace.findings(), workspace.import_record()
    check(cancelled)
    write_worklist(target, loaded.wl, findings, record, progress=scaled(progress, 0.2, 1.0), cancelled=cancelled)
    return target


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
