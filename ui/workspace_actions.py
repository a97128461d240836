"""The main window's workspace lifecycle: opening, importing, saving and leaving workspaces.

Threads: everything that opens a workspace file runs on the window's
``database`` worker (one thread owns the database); checking a file and where
a workspace is kept run on ``compute``.

Locks: the window holds the lock (:mod:`workbench.store.locking`) of the
workspace it shows, and of any it is loading or saving to, and gives each up
when it leaves that workspace or closes (:class:`~workbench.store.locking.HeldLocks`
keeps the count). A workspace open in another window or by someone else is
not opened: the window says who has it and offers a copy instead.

Warnings: what the import warned about (an old census date, dates read as
US or whose order could not be told) and patients with no recognised clinical
priority show in a strip above the list until dismissed; a workspace kept on
a network drive, in a cloud folder or readable by others is warned about in
the status bar, and in a dialog the first time.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ui import errors, settings
from ui.import_dialog import ImportDialog
from ui.workers import Task
from workbench.check.validation import unknown_priority_warning
from workbench.errors import FINDING_CODES, WorkbenchError
from workbench.read.mapping import missing_fields
from workbench.report.export import export_rows_shown
from workbench.report.worklist import write_findings_worklist
from workbench.store.importer import import_file
from workbench.store.locking import WorkspaceInUse, WorkspaceLock, path_key
from workbench.store.workspace_files import (
    DEMO, SAVED, UNTITLED, WORKSPACE_SUFFIX, WorkspaceFile, copy_workspace, create_untitled, discard, ensure_demo,
    new_untitled_path, place_warnings, save_as, stale_census_warnings,
)
from workbench.view.opening import LoadedWorkspace, load_workspace

SHOWN_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"

LIST_FILTER = "Waiting lists (*.csv *.txt *.tsv *.xlsx *.xlsm *.xls *.ods);;All files (*)"
LAST_WORKSPACE_KEY = "last_workspace"
LAST_WORKSPACE_KIND_KEY = "last_workspace_kind"
WORKSPACE_FILTER = "Workbench workspace (*.sqlite)"


class WorkspaceActions:
    """What the window does with workspace files: a mixin of :class:`ui.main_window.MainWindow`.

    Invariants: ``loaded`` is the workspace shown (``None`` before the first
    load finishes); ``file`` is the workspace file open, which a load in
    progress may not have shown yet. ``locks`` holds a lock for ``file`` and
    for every path a load, save or copy under way uses, no more.
    """

    # Starting ----------------------------------------------------------------
    def start(self, path: str | Path | None = None) -> None:
        """What the window shows first: ``path`` if given, else the last workspace, else the demo."""
        if path is not None:
            path = Path(path)
            if path.suffix.lower() == WORKSPACE_SUFFIX:
                self.show_workspace(WorkspaceFile(path, SAVED))
            else:
                self.open_file_directly(path)
            return
        last = settings.get_value(LAST_WORKSPACE_KEY)
        if last and Path(last).is_file():
            self.show_workspace(WorkspaceFile(Path(last), settings.get_value(LAST_WORKSPACE_KIND_KEY, SAVED)))
        else:
            self.open_demo()

    def open_demo(self) -> Task:
        """Open the bundled demo list (imported into the data folder the first time)."""
        task = self.database.submit(ensure_demo, lane="load", description="Opening the demo list")
        self.progress.follow(task, "Preparing the demo list…")
        task.finished.connect(lambda path: self.show_workspace(WorkspaceFile(path, DEMO)))
        task.failed.connect(self._show_error)
        return task

    # File menu ---------------------------------------------------------------
    def open_waiting_list(self, path: str | Path | None = None) -> ImportDialog | None:
        """Import a CSV or Excel file through the import dialog into a new workspace."""
        path = Path(path) if path else self._ask_open_path("Open waiting list", LIST_FILTER)
        if path is None:
            return None
        from ui.snapshot_import import offer_snapshot  # a later list for the workspace shown?

        if not offer_snapshot(self, path):
            self._leave_current(lambda: self._show_import_dialog(path))
        return self.dialog

    def open_file_directly(self, path: Path) -> None:
        """Import without the dialog when every required field and a census date column are found,
        else show the dialog (which asks for the census date, suggesting one)."""
        task = self.compute.submit(partial(missing_fields, path), lane="check-file")
        task.finished.connect(lambda missing: self._import_or_ask(path, missing))
        task.failed.connect(self._show_error)

    def open_workspace(self, path: str | Path | None = None) -> None:
        """Open a saved workspace file."""
        path = Path(path) if path else self._ask_open_path("Open workspace", WORKSPACE_FILTER)
        if path is not None:
            self._leave_current(lambda: self.show_workspace(WorkspaceFile(path, SAVED)))

    def new_workspace(self) -> None:
        """Start an empty, untitled workspace."""
        self._leave_current(self._create_untitled)

    def save_workspace(self) -> None:
        """Ctrl+S: name an untitled workspace; a saved one is already up to date."""
        if self.file is not None and self.file.kind == SAVED:
            self.statusBar().showMessage(f"{self.file.path.name} is saved: the workbench writes changes as you work.", 5000)
        else:
            self.save_workspace_as()

    def save_workspace_as(self, path: str | Path | None = None, then: Callable[[], None] | None = None) -> Task | None:
        """Copy the workspace to a file the user names and carry on in that file."""
        if self.file is None:
            return None
        path = Path(path) if path else self._ask_save_path("Save workspace as", WORKSPACE_FILTER, WORKSPACE_SUFFIX)
        if path is None or not self._take_lock(path, partial(self._refuse_target, path)):
            return None
        task = self.database.submit(partial(save_as, self.file, path), lane="save", description="Saving")
        self._hold_lock_while(task, path)
        self.progress.follow(task, f"Saving {path.name}…", can_cancel=False)
        task.finished.connect(self._on_saved)
        if then is not None:
            task.finished.connect(lambda _file: then())
        task.failed.connect(self._show_error)
        return task

    def export_worklist(self, path: str | Path | None = None) -> Task | None:
        """Write every data-quality finding, with its row, to an xlsx worklist."""
        if self.loaded is None or not self.loaded.finding_counts:
            self.statusBar().showMessage("No data problems to export.", 5000)
            return None
        path = Path(path) if path else self._ask_save_path("Export findings worklist", "Excel workbook (*.xlsx)", ".xlsx")
        if path is None:
            return None
        task = self.database.submit(partial(write_findings_worklist, self.loaded, path), lane="export",
                                    description="Exporting the worklist")
        self.progress.follow(task, f"Writing {path.name}…")
        task.finished.connect(lambda _r: self.statusBar().showMessage(f"Worklist written to {path}", 8000))
        task.failed.connect(self._show_error)
        return task

    def export_rows_shown(self, path: str | Path | None = None) -> Task | None:
        """Write the list's rows as shown (its filters, search and sort, its columns in their order) to xlsx
        or CSV, with a sheet saying what was shown."""
        panel = self.list_panel
        if self.loaded is None or self.loaded.wl is None or panel.model.rowCount() == 0:
            self.statusBar().showMessage("No rows shown to export.", 5000)
            return None
        path = Path(path) if path else self._ask_save_path("Export the rows shown", SHOWN_FILTER, ".xlsx")
        if path is None:
            return None
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + ".xlsx")
        work = partial(export_rows_shown, path, self.loaded.wl, panel.model.order, panel.shown_fields(),
                       panel.model.problems, self.loaded.record, panel.described_view())
        task = self.compute.submit(work, lane="export-shown", description="Exporting the rows shown")
        self.progress.follow(task, f"Writing {path.name}…")
        task.finished.connect(lambda rows: self._on_rows_shown_exported(path, rows))
        task.failed.connect(self._show_error)
        return task

    def _on_rows_shown_exported(self, path: Path, rows: int) -> None:
        self.statusBar().showMessage(f"{rows:,} rows written to {path}, as shown.", 8000)
        self.rowsShownExported.emit(path)

    # Showing a workspace -------------------------------------------------------
    def show_workspace(self, file: WorkspaceFile) -> Task | None:
        """Lock a workspace file, load it on the database worker and show it when ready.

        If another window or person has it open, says who and since when and
        offers to open a copy instead; returns None as nothing is loaded.
        """
        if not self._take_lock(file.path, lambda error: self._offer_copy(file, error)):
            return None
        task = self.database.submit(partial(load_workspace, file), lane="load", description="Opening the workspace")
        self._hold_lock_while(task, file.path)
        self.progress.follow(task, f"Opening {file.path.name}…")
        task.finished.connect(self._on_loaded)
        task.failed.connect(self._show_error)
        return task

    def open_a_copy(self, source: Path, target: Path) -> Task | None:
        """Copy a workspace that is open elsewhere to ``target`` and show the copy."""
        refused = partial(self._refuse_target, target)
        if not self._take_lock(target, refused):
            return None
        task = self.database.submit(partial(copy_workspace, Path(source), Path(target)), lane="save",
                                    description="Copying the workspace")
        self._hold_lock_while(task, target)
        self.progress.follow(task, f"Copying to {Path(target).name}…", can_cancel=False)
        task.finished.connect(lambda path: self.show_workspace(WorkspaceFile(path, SAVED)))
        task.failed.connect(self._show_error)
        return task

    @property
    def lock(self) -> WorkspaceLock | None:
        """The lock this window holds on the workspace it shows (None when it shows none)."""
        return self.locks.of(self.file.path) if self.file is not None else None

    # Slots -----------------------------------------------------------------------
    def _on_loaded(self, loaded: LoadedWorkspace) -> None:
        previous = self.file
        self.loaded, self.file = loaded, loaded.file
        if previous is not None and previous.path != loaded.file.path:
            discard(previous)  # only an untitled file, which the user agreed to leave
        self.list_panel.set_list(loaded.index, loaded.columns, loaded.problems, FINDING_CODES, loaded.first_view)
        total = len(loaded.wl) if loaded.wl is not None else 0
        self.quality.set_findings(loaded.finding_counts if loaded.wl is not None else None, FINDING_CODES, total)
        self.quality.set_deprivation(loaded.deprivation)
        self._remember_workspace(loaded.file)
        self._update_title()
        self._show_list_warnings(loaded)
        self._announce(loaded)
        self._check_place(loaded.file.path)
        self.workspaceLoaded.emit(loaded)

    def _on_saved(self, file: WorkspaceFile) -> None:
        self.file = file
        if self.loaded is not None:
            self.loaded.file = file
        settings.add_recent_file(file.path)
        self._remember_workspace(file)
        self._update_title()
        self.statusBar().showMessage(f"Saved as {file.path}", 8000)
        self._check_place(file.path)

    def _on_imported(self, target: Path, source: Path, warnings: list[str]) -> None:
        settings.add_recent_file(source)
        self._import_warnings[path_key(target)] = list(warnings)
        self.show_workspace(WorkspaceFile(target, UNTITLED))

    def _on_place_warnings(self, path: Path, found: list[str]) -> None:
        """Warn about where the workspace is kept: status bar always, a dialog for what is new."""
        key = path_key(path)
        if not found or self.file is None or path_key(self.file.path) != key:
            return
        self.statusBar().showMessage(" ".join(found), 20000)
        new = [warning for warning in found if (key, warning) not in self._place_warned]
        if not new:
            return
        self._place_warned.update((key, warning) for warning in new)
        if self.place_warning_box is not None:
            self.place_warning_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "Where this workspace is kept", "\n\n".join(new),
                          QMessageBox.StandardButton.Ok, self)
        box.setAccessibleName("Where this workspace is kept")
        box.setWindowModality(Qt.WindowModality.NonModal)  # a warning, not a question: work can go on
        box.show()
        self.place_warning_box = box

    # Helpers -----------------------------------------------------------------------
    def _show_import_dialog(self, path: Path) -> None:
        target = new_untitled_path()
        self.dialog = dialog = ImportDialog(path, target, self.database, self.compute, self)
        dialog.accepted.connect(lambda: self._on_imported(target, path, dialog.result.warnings if dialog.result else []))
        dialog.open()

    def _import_or_ask(self, path: Path, missing: list[str]) -> None:
        if missing:
            self._show_import_dialog(path)
            return
        target = new_untitled_path()
        task = self.database.submit(partial(import_file, path, target), lane="import", description="Importing")
        self.progress.follow(task, f"Importing {path.name}…")
        task.finished.connect(lambda result: self._on_imported(target, path, result.warnings))
        task.failed.connect(self._show_error)
        task.cancelled.connect(lambda: self.statusBar().showMessage("Import cancelled: nothing was changed.", 5000))

    def _create_untitled(self) -> None:
        task = self.database.submit(create_untitled, lane="load")
        task.finished.connect(self.show_workspace)
        task.failed.connect(self._show_error)

    def _leave_current(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the user is happy to leave the current workspace (saving it if they ask)."""
        if not self._needs_saving():
            then()
            return
        answer = QMessageBox.question(
            self, "Keep this workspace?",
            "This workspace has not been saved: its imported list is in a temporary file that will be deleted.\n\n"
            "Save it as a workspace file first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            then()
        elif answer == QMessageBox.StandardButton.Save:
            self.save_workspace_as(then=then)

    def _needs_saving(self) -> bool:
        return self.file is not None and self.file.needs_saving and self.loaded is not None and self.loaded.wl is not None

    def _close_now(self) -> None:
        if self.file is not None and self.file.needs_saving:
            discard(self.file)
            self.file = None
            settings.set_value(LAST_WORKSPACE_KEY, "")
        self._closing = True
        self.close()

    def _remember_workspace(self, file: WorkspaceFile) -> None:
        settings.set_value(LAST_WORKSPACE_KEY, str(file.path))
        settings.set_value(LAST_WORKSPACE_KIND_KEY, file.kind)
        if file.kind == SAVED:
            settings.add_recent_file(file.path)

    def _announce(self, loaded: LoadedWorkspace) -> None:
        if loaded.wl is None:
            self.statusBar().showMessage("This workspace has no list yet: File > Open waiting list… (Ctrl+O).")
            return
        source = f" from {loaded.source_name}" if loaded.source_name else ""
        unknown = f" {unknown_priority_warning(loaded.unknown_priority)}" if loaded.unknown_priority else ""
        self.statusBar().showMessage(f"{len(loaded.wl):,} rows{source}.{unknown}", 15000 if unknown else 8000)

    def _show_list_warnings(self, loaded: LoadedWorkspace) -> None:
        """The import's warnings (or, reopened later, an old census date) and the unknown band, above the list."""
        from_import = self._import_warnings.pop(path_key(loaded.file.path), None)
        if loaded.wl is None:
            shown = []
        else:
            shown = from_import if from_import is not None else stale_census_warnings(loaded.census_date)
            if loaded.unknown_priority:
                shown = [*shown, unknown_priority_warning(loaded.unknown_priority)]
        self.warning_strip.show_warnings(shown)
        self.quality.set_priority_warning(loaded.unknown_priority if loaded.wl is not None else 0)

    # Locks -----------------------------------------------------------------------
    def _take_lock(self, path: Path, refused: Callable[[WorkspaceInUse], None]) -> bool:
        """Hold the lock of ``path`` (kept if already held); on refusal call ``refused``. True if held."""
        try:
            self.locks.take(path)
        except WorkspaceInUse as error:
            refused(error)
            return False
        except WorkbenchError as error:  # the lock file cannot be made: a read-only folder
            self._show_error(str(error))
            return False
        return True

    def _hold_lock_while(self, task: Task, path: Path) -> None:
        """Keep the lock of ``path`` until ``task`` ends, then give up the locks no longer needed."""
        key = self.locks.start_using(path)
        task.ended.connect(lambda: self.locks.stop_using(key, shown=self.file.path if self.file is not None else None))

    def _offer_copy(self, file: WorkspaceFile, error: WorkspaceInUse) -> None:
        if not errors.ask_to_open_a_copy(self, str(error)):
            self.statusBar().showMessage(f"{file.path.name} was not opened: it is open elsewhere.", 8000)
            return
        target = self._ask_save_path(f"Save a copy of {file.path.name} as", WORKSPACE_FILTER, WORKSPACE_SUFFIX)
        if target is not None:
            self.open_a_copy(file.path, target)

    def _refuse_target(self, target: Path, error: WorkspaceInUse) -> None:
        who = error.owner.describe() if error.owner else "another user"
        self._show_error(f"{Path(target).name} is open in another window or by {who}: "
                         "it cannot be replaced; choose another name.")

    def _check_place(self, path: Path) -> None:
        """Look on the compute worker (a network drive can be slow) at where the workspace is kept."""
        owner = self.lock.owner if self.lock is not None else None
        task = self.compute.submit(partial(place_warnings, path, owner), lane="place-warnings")
        task.finished.connect(lambda found: self._on_place_warnings(path, found))
