"""The main window: the list in the middle, summary and data quality in docks, menus around.

Part 2 of the app adds its panels with :meth:`MainWindow.add_dock` and
:meth:`MainWindow.add_tab`, its menus with :meth:`MainWindow.add_menu`, and
follows the list through ``workspaceLoaded`` and the list panel's
``queryChanged``.

Threads: everything that opens a workspace file runs on ``self.database`` (one
thread owns the database); filters, sorts and copies run on ``self.compute``.

Locks: the window holds the lock (:mod:`workbench.locking`) of the workspace it
shows, and of any it is loading or saving to, and gives each up when it leaves
that workspace or closes. A workspace open in another window or by someone
else is not opened: the window says who has it and offers a copy instead.

Warnings: what the import warned about (an old census date, dates read as
US or whose order could not be told) and patients with no recognised clinical
priority show in a strip above the list until dismissed; a workspace kept on
a network drive, in a cloud folder or readable by others is warned about in
the status bar, and in a dialog the first time.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import errors, settings
from ui.imd_change_dialog import ImdChangeDialog
from ui.import_dialog import ImportDialog
from ui.list_panel import ListPanel
from ui.quality_panel import QualityPanel, WarningStrip
from workbench.validation import unknown_priority_warning
from ui.session import (
    DEMO,
    SAVED,
    UNTITLED,
    WORKSPACE_FILTER,
    WORKSPACE_SUFFIX,
    LoadedWorkspace,
    WorkspaceFile,
    copy_workspace,
    create_untitled,
    discard,
    ensure_demo,
    load_workspace,
    new_untitled_path,
    place_warnings,
    save_as,
    stale_census_warnings,
    write_findings_worklist,
)
from ui.summary_strip import SummaryStrip
from ui.task_progress import TaskProgress
from ui.workers import Task, Worker
from workbench import mapping as mapping_rules
from workbench import readers
from workbench.imd_change import change_to_show
from workbench.importer import import_file
from workbench.locking import WorkspaceInUse, WorkspaceLock, acquire_lock
from workbench.progress import WorkbenchError
from workbench.validation import FINDING_CODES

APP_TITLE = "Prioritisation workbench"
LIST_FILTER = "Waiting lists (*.csv *.txt *.tsv *.xlsx *.xlsm *.xls *.ods);;All files (*)"
LAST_WORKSPACE_KEY = "last_workspace"
LAST_WORKSPACE_KIND_KEY = "last_workspace_kind"


class MainWindow(QMainWindow):
    """One workspace at a time: its list, summary and data-quality findings.

    Invariants: ``loaded`` is the workspace shown (``None`` before the first
    load finishes); ``file`` is the workspace file open, which a load in
    progress may not have shown yet. ``_locks`` holds a lock for ``file`` and
    for every path a load, save or copy under way uses (``_in_use``), no more.
    """

    workspaceLoaded = Signal(object)  # LoadedWorkspace

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.database = Worker("database", self)
        self.compute = Worker("compute", self)
        self.loaded: LoadedWorkspace | None = None
        self.file: WorkspaceFile | None = None
        self.dialog: ImportDialog | None = None
        self.place_warning_box: QMessageBox | None = None
        self._closing = False
        self._locks: dict[str, WorkspaceLock] = {}  # by _path_key
        self._in_use: Counter[str] = Counter()  # path key -> loads, saves and copies under way
        self._import_warnings: dict[str, list[str]] = {}  # an imported workspace's warnings, until it is shown
        self._place_warned: set[tuple[str, str]] = set()  # (path key, warning) already shown in a dialog
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._build_central()
        self._build_docks()
        self._build_status_bar()
        self._build_menus()
        self._set_tab_order()
        from ui.prioritisation import install_prioritisation  # part 2: rules, ranked list, equity, workshop

        install_prioritisation(self)
        from ui.outcome_actions import install_outcome_actions  # validation worklists and outcomes
        from ui.trends_panel import install_trends  # weekly snapshots: what changed, the trends

        install_trends(self)
        install_outcome_actions(self)
        self._restore_layout()  # last: every dock must exist for its saved place to apply

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
        task = self.compute.submit(partial(_missing_fields, path), lane="check-file")
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

    def show_imd_change(self) -> Task | None:
        """IoD2019 and IoD2025 side by side for the list shown, worked out on the compute worker."""
        if self.loaded is None or self.loaded.wl is None:
            self.statusBar().showMessage("Open a waiting list first.", 5000)
            return None
        task = self.compute.submit(partial(change_to_show, self.loaded.wl, self.loaded.lsoa_header), lane="imd-change",
                                   description="Comparing the deprivation editions")
        task.finished.connect(self._show_imd_change_dialog)
        task.failed.connect(self._show_error)
        return task

    def _show_imd_change_dialog(self, shown: dict) -> None:
        self.imd_change_dialog = ImdChangeDialog(shown, self)
        self.imd_change_dialog.open()

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
        return self._locks.get(_path_key(self.file.path)) if self.file is not None else None

    def add_dock(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea, name: str | None = None) -> QDockWidget:
        """A dockable panel with a View menu entry (its object name keeps its place between sessions)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name or title.lower().replace(" ", "_"))
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Another page beside the waiting list (the tab bar appears once there are two)."""
        return self.tabs.addTab(widget, title)

    def add_menu(self, title: str) -> QMenu:
        """A new top-level menu, placed before Help."""
        menu = QMenu(title, self)
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
        return menu

    # Qt events -------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self._closing and self._needs_saving():
            event.ignore()
            self._leave_current(self._close_now)
            return
        self._remember_layout()
        self.list_panel.cancel_pending()
        self.database.shutdown()
        self.compute.shutdown()
        self._release_locks(keep=set())  # after the workers stop: nothing writes without the lock
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = _dropped_file(event)
        if path is None:
            return
        event.acceptProposedAction()
        if path.suffix.lower() == WORKSPACE_SUFFIX:
            self.open_workspace(path)
        else:
            self.open_waiting_list(path)

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
        self._import_warnings[_path_key(target)] = list(warnings)
        self.show_workspace(WorkspaceFile(target, UNTITLED))

    def _on_place_warnings(self, path: Path, found: list[str]) -> None:
        """Warn about where the workspace is kept: status bar always, a dialog for what is new."""
        key = _path_key(path)
        if not found or self.file is None or _path_key(self.file.path) != key:
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

    def _on_finding_chosen(self, code: str) -> None:
        self.list_panel.set_finding(code)

    def _on_query_changed(self, query) -> None:
        self.quality.select_code(query.finding)

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

    def _update_title(self) -> None:
        parts = [self.file.display_name] if self.file else []
        census = self.loaded.census_date if self.loaded else None
        if census:
            parts.append(f"census {census:%d/%m/%Y}")
        self.setWindowTitle(" – ".join([*parts, APP_TITLE]))

    def _announce(self, loaded: LoadedWorkspace) -> None:
        if loaded.wl is None:
            self.statusBar().showMessage("This workspace has no list yet: File > Open waiting list… (Ctrl+O).")
            return
        source = f" from {loaded.source_name}" if loaded.source_name else ""
        unknown = f" {unknown_priority_warning(loaded.unknown_priority)}" if loaded.unknown_priority else ""
        self.statusBar().showMessage(f"{len(loaded.wl):,} rows{source}.{unknown}", 15000 if unknown else 8000)

    def _show_list_warnings(self, loaded: LoadedWorkspace) -> None:
        """The import's warnings (or, reopened later, an old census date) and the unknown band, above the list."""
        from_import = self._import_warnings.pop(_path_key(loaded.file.path), None)
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
        key = _path_key(path)
        if key in self._locks:
            return True
        try:
            self._locks[key] = acquire_lock(path)
        except WorkspaceInUse as error:
            refused(error)
            return False
        except WorkbenchError as error:  # the lock file cannot be made: a read-only folder
            self._show_error(str(error))
            return False
        return True

    def _hold_lock_while(self, task: Task, path: Path) -> None:
        """Keep the lock of ``path`` until ``task`` ends, then give up the locks no longer needed."""
        key = _path_key(path)
        self._in_use[key] += 1
        task.ended.connect(lambda: self._on_lock_user_ended(key))

    def _on_lock_user_ended(self, key: str) -> None:
        self._in_use[key] -= 1
        if self._in_use[key] <= 0:
            del self._in_use[key]
        shown = {_path_key(self.file.path)} if self.file is not None else set()
        self._release_locks(keep=shown | set(self._in_use))

    def _release_locks(self, keep: set[str]) -> None:
        for key in [k for k in self._locks if k not in keep]:
            self._locks.pop(key).release()

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

    def _show_error(self, message: str) -> None:
        errors.show_error(self, message)

    def _ask_open_path(self, title: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self, title, str(self._last_folder()), filters)
        return Path(chosen) if chosen else None

    def _ask_save_path(self, title: str, filters: str, suffix: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(self._last_folder()), filters)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _last_folder(self) -> Path:
        recent = settings.recent_files()
        return recent[0].parent if recent else Path.home()

    # Building --------------------------------------------------------------------
    def _build_central(self) -> None:
        self.list_panel = ListPanel(self.compute)
        self.list_panel.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.list_panel.queryChanged.connect(self._on_query_changed)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # one page: no tab bar until part 2 adds pages
        self.tabs.addTab(self.list_panel, "Waiting list")
        self.warning_strip = WarningStrip()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.warning_strip)  # above every page: the warnings hold for the ranked list too
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.view_menu = QMenu("&View", self)
        self.summary = SummaryStrip()
        self.list_panel.summaryChanged.connect(self.summary.show_summary)
        self.summary_dock = self.add_dock("Summary", self.summary, Qt.DockWidgetArea.TopDockWidgetArea, "summary")
        self.quality = QualityPanel()
        self.quality.findingChosen.connect(self._on_finding_chosen)
        self.quality.exportRequested.connect(self.export_worklist)
        self.quality.editionsRequested.connect(self.show_imd_change)
        self.quality_dock = self.add_dock("Data quality", self.quality, Qt.DockWidgetArea.RightDockWidgetArea, "data_quality")

    def _build_status_bar(self) -> None:
        self.progress = TaskProgress()
        self.statusBar().addPermanentWidget(self.progress)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        self._fill_file_menu(self.file_menu)
        self.edit_menu = self.menuBar().addMenu("&Edit")
        self._fill_edit_menu(self.edit_menu)
        self._fill_view_menu(self.view_menu)
        self.menuBar().addMenu(self.view_menu)
        self.help_menu = self.menuBar().addMenu("&Help")
        self._fill_help_menu(self.help_menu)

    def _fill_file_menu(self, menu: QMenu) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        self._action(menu, "new", "&New workspace", QKeySequence.StandardKey.New, self.new_workspace)
        self._action(menu, "open_list", "&Open waiting list…", QKeySequence.StandardKey.Open, self.open_waiting_list)
        self._action(menu, "open_workspace", "Open &workspace…", "Ctrl+Shift+O", self.open_workspace)
        self.recent_menu = menu.addMenu("&Recent files")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._action(menu, "demo", "Open the &demo list", None, lambda: self._leave_current(self.open_demo))
        menu.addSeparator()
        self._action(menu, "save", "&Save", QKeySequence.StandardKey.Save, self.save_workspace)
        self._action(menu, "save_as", "Save workspace &as…", "Ctrl+Shift+S", self.save_workspace_as)
        self._action(menu, "export", "&Export findings worklist…", "Ctrl+E", self.export_worklist)
        menu.addSeparator()
        self._action(menu, "quit", "&Quit", "Ctrl+Q", self.close)

    def _fill_edit_menu(self, menu: QMenu) -> None:
        self._action(menu, "copy", "&Copy selected rows", QKeySequence.StandardKey.Copy, self.list_panel.copy_selection)
        self._action(menu, "find", "&Find…", QKeySequence.StandardKey.Find, self.list_panel.focus_search)
        self._action(menu, "clear_filters", "C&lear filters", "Esc", self.list_panel.clear_filters)
        self._action(menu, "any_problem", "Show rows with &any problem", "Ctrl+Shift+P",
                     lambda: self.list_panel.set_finding("(any)"))

    def _fill_view_menu(self, menu: QMenu) -> None:
        menu.addSeparator()  # after the panels' own entries
        self._action(menu, "imd_change", "&Deprivation: IoD2019 and IoD2025 side by side…", None, self.show_imd_change)

    def _fill_help_menu(self, menu: QMenu) -> None:
        self._action(menu, "data_folder", "Open the &data folder", None, self._open_data_folder)
        self._action(menu, "about", "&About the workbench", None, self._show_about)

    def _action(self, menu: QMenu, name: str, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in settings.recent_files():
            opener = self.open_workspace if path.suffix.lower() == WORKSPACE_SUFFIX else self.open_waiting_list
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path, o=opener: o(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(no recent files)").setEnabled(False)

    def _set_tab_order(self) -> None:
        panel = self.list_panel
        chain = [panel.search, *panel.filters.values(), panel.finding_filter, panel.clear_button, panel.table,
                 self.quality.tree, self.quality.show_all, self.quality.export]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _restore_layout(self) -> None:
        geometry = settings.get_value("window/geometry")
        state = settings.get_value("window/state")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
        if state is not None:
            self.restoreState(state)

    def _remember_layout(self) -> None:
        settings.set_value("window/geometry", self.saveGeometry())
        settings.set_value("window/state", self.saveState())

    def _open_data_folder(self) -> None:
        folder = settings.data_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.statusBar().showMessage(f"Data folder: {folder}", 10000)

    def _show_about(self) -> None:
        QMessageBox.about(
            self, "About the prioritisation workbench",
            "<p><b>Prioritisation workbench</b>: open a waiting list, check it, and order it by rules you can explain.</p>"
            "<p>Everything stays on this computer: no data is sent anywhere.</p>"
            f"<p>Data folder (workspaces not yet saved, settings, log): {settings.data_folder()}</p>"
            "<p>Contains public sector information licensed under the Open Government Licence v3.0 "
            "(English Indices of Deprivation 2025 and 2019, Welsh Index of Multiple Deprivation 2025 and 2019, "
            "Scottish Index of Multiple Deprivation 2020v2, ONS LSOA 2011 to 2021 lookup).</p>",
        )


def _missing_fields(path: Path, progress, cancelled) -> list[str]:
    """Required fields the automatic mapping cannot find in the file's headers, and the census
    date if no column holds it: without one, a person must say which date waits are counted to."""
    headers = readers.preview(path, rows=1).headers
    found = mapping_rules.detect_mapping(headers)
    return mapping_rules.missing_required(found) + ([] if "census_date" in found else ["census_date"])


def _path_key(path: Path) -> str:
    """One spelling per file, to know a lock already held (taking it twice would refuse ourselves)."""
    return os.path.normcase(os.path.abspath(path))


def _dropped_file(event) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) == 1 and urls[0].isLocalFile():
        return Path(urls[0].toLocalFile())
    return None
