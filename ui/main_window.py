"""The main window: the list in the middle, summary and data quality in docks, menus around.

Part 2 of the app adds its panels with :meth:`MainWindow.add_dock` and
:meth:`MainWindow.add_tab`, its menus with :meth:`MainWindow.add_menu`, and
follows the list through ``workspaceLoaded`` and the list panel's
``queryChanged``. What the window does with workspace files (open, import,
save, leave, and the locks held meanwhile) is in :mod:`ui.workspace_actions`.

Threads: everything that opens a workspace file runs on ``self.database`` (one
thread owns the database); filters, sorts and copies run on ``self.compute``.
"""

from __future__ import annotations

import platform
from functools import partial
from html import escape
from pathlib import Path

import PySide6
from PySide6.QtCore import QByteArray, QMargins, QPoint, QRect, QSize, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import errors, settings
from ui.disclosure import CONTROL_TOOLTIP, STAMP_COLOUR
from ui.help_window import HelpWindow
from ui.imd_change_dialog import ImdChangeDialog
from ui.import_dialog import ImportDialog
from ui.list_panel import ListPanel
from ui.quality_panel import QualityPanel, WarningStrip
from ui.summary_strip import SummaryStrip
from ui.task_progress import TaskProgress
from ui.workers import Task, Worker
from ui.workspace_actions import WorkspaceActions
from workbench import formats, installed_version
from workbench.compare.imd_change import change_to_show
from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.store.files import data_folder
from workbench.store.locking import HeldLocks
from workbench.store.workspace_files import WORKSPACE_SUFFIX, WorkspaceFile
from workbench.view.opening import LoadedWorkspace

APP_TITLE = "Prioritisation workbench"
PREFERRED_SIZE = QSize(1400, 900)
FRAME_ALLOWANCE = QSize(16, 40)  # a title bar and borders, not yet known before the window is shown


class MainWindow(WorkspaceActions, QMainWindow):
    """One workspace at a time: its list, summary and data-quality findings.

    Invariants: those of :class:`~ui.workspace_actions.WorkspaceActions`
    (``loaded``, ``file`` and the ``locks`` held).
    """

    workspaceLoaded = Signal(object)  # LoadedWorkspace
    disclosureChanged = Signal(bool)  # True: small numbers shown, every output stamped "Not for publication"
    rowsShownExported = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.database = Worker("database", self)
        self.compute = Worker("compute", self)
        self.loaded: LoadedWorkspace | None = None
        self.file: WorkspaceFile | None = None
        self.dialog: ImportDialog | None = None
        self.place_warning_box: QMessageBox | None = None
        self.help_window: HelpWindow | None = None
        self.about_box: QMessageBox | None = None
        self._closing = False
        self.small_numbers_shown = False  # disclosure control is on until someone explicitly turns it off
        self.locks = HeldLocks()
        self._import_warnings: dict[str, list[str]] = {}  # an imported workspace's warnings, until it is shown
        self._place_warned: set[tuple[str, str]] = set()  # (path key, warning) already shown in a dialog
        self.normal_state: QByteArray | None = None  # the panels' layout while workshop mode folds them away
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

    # Deprivation editions ------------------------------------------------------
    def show_imd_change(self) -> Task | None:
        """IoD2019 and IoD2025 side by side for the list shown, worked out on the compute worker."""
        if self.loaded is None or self.loaded.wl is None:
            self.statusBar().showMessage("Open a waiting list first.", 5000)
            return None
        task = self.compute.submit(partial(change_to_show, self.loaded.wl, self.loaded.lsoa_header,
                                           self.small_numbers_shown), lane="imd-change",
                                   description="Comparing the deprivation editions")
        task.finished.connect(self._show_imd_change_dialog)
        task.failed.connect(self._show_error)
        return task

    def set_small_numbers_shown(self, shown: bool, ask: bool = True) -> bool:
        """Turn disclosure control off (after asking, when ``ask``) or back on; returns the state now.

        The one switch for every output of the app: with it off, every panel, chart, dialog and
        file says "Not for publication: small numbers shown".
        """
        if shown and not self.small_numbers_shown and ask:
            answer = QMessageBox.question(
                self, "Show small numbers?",
                "Counts from 1 to 7 and unrounded counts can identify patients. With small numbers shown, every "
                "table, chart and exported file is marked 'Not for publication: small numbers shown' and must not "
                "leave the organisation. Show them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            shown = answer == QMessageBox.StandardButton.Yes
        changed = shown != self.small_numbers_shown
        self.small_numbers_shown = shown
        self.small_numbers_action.setChecked(shown)
        self.not_for_publication.setVisible(shown)
        if changed:
            self.disclosureChanged.emit(shown)
        return shown

    def _show_imd_change_dialog(self, shown: dict) -> None:
        self.imd_change_dialog = ImdChangeDialog(shown, self)
        self.imd_change_dialog.open()

    # The keyboard -------------------------------------------------------------------
    def panes(self) -> list[QWidget]:
        """What F6 moves between, as Windows apps do: the page in the middle, then each panel shown,
        top to bottom and left to right."""
        docks = [dock for dock in self.findChildren(QDockWidget) if dock.isVisible() and not dock.visibleRegion().isEmpty()]
        docks.sort(key=lambda dock: (dock.geometry().top(), dock.geometry().left()))
        return [self.tabs.currentWidget(), *(dock.widget() for dock in docks)]

    def move_between_panes(self, step: int) -> QWidget | None:
        """Put the keyboard focus in the next pane (``step`` 1) or the one before (-1); returns that pane."""
        panes = self.panes()
        focus = QApplication.focusWidget()
        here = next((i for i, pane in enumerate(panes) if focus is not None and pane.isAncestorOf(focus)), -step)
        pane = panes[(here + step) % len(panes)]
        target = _focus_target(pane)
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return pane

    # Panels added by part 2 --------------------------------------------------------
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

    def add_exports(self, actions: list[QAction]) -> None:
        """More exports in the File menu, after the window's own (the Windows habit: File holds them)."""
        self.file_menu.insertActions(self.exports_end, actions)

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
        self.locks.release()  # after the workers stop: nothing writes without the lock
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
    def _on_finding_chosen(self, code: str) -> None:
        self.list_panel.set_finding(code)

    def _on_query_changed(self, query) -> None:
        self.quality.select_code(query.finding)

    # Helpers -----------------------------------------------------------------------
    def _update_title(self) -> None:
        parts = [self.file.display_name] if self.file else []
        census = self.loaded.census_date if self.loaded else None
        if census:
            parts.append(f"census {formats.uk_date(census)}")
        self.setWindowTitle(" – ".join([*parts, APP_TITLE]))

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
        self.not_for_publication = QLabel(NOT_FOR_PUBLICATION)
        self.not_for_publication.setStyleSheet(f"color: white; background: {STAMP_COLOUR}; font-weight: bold; "
                                               "padding: 1px 4px;")
        self.not_for_publication.setToolTip("Disclosure control is off (View menu): small numbers are shown "
                                            f"everywhere.\n\n{CONTROL_TOOLTIP}")
        self.not_for_publication.hide()
        self.statusBar().addPermanentWidget(self.not_for_publication)
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
        menu.addSeparator()
        self._action(menu, "export", "&Export findings worklist…", "Ctrl+E", self.export_worklist)
        self._action(menu, "export_shown", "Export the rows s&hown (as filtered and sorted)…", None,
                     self.export_rows_shown)
        self.exports_end = menu.addSeparator()  # part 2 adds its exports above it
        self._action(menu, "quit", "&Quit", "Ctrl+Q", self.close)

    def _fill_edit_menu(self, menu: QMenu) -> None:
        self._action(menu, "copy", "&Copy selected rows", QKeySequence.StandardKey.Copy, self.list_panel.copy_selection)
        self._action(menu, "find", "&Find…", QKeySequence.StandardKey.Find, self.list_panel.focus_search)
        self._action(menu, "clear_filters", "C&lear filters", "Esc", self.list_panel.clear_filters)
        self._action(menu, "any_problem", "Show rows with &any problem", "Ctrl+Shift+P",
                     lambda: self.list_panel.set_finding("(any)"))

    def _fill_view_menu(self, menu: QMenu) -> None:
        menu.addSeparator()  # after the panels' own entries
        self._action(menu, "next_pane", "Next &pane", "F6", lambda: self.move_between_panes(1))
        self._action(menu, "previous_pane", "Previous pane", "Shift+F6", lambda: self.move_between_panes(-1))
        menu.addSeparator()
        self._action(menu, "imd_change", "&Deprivation: IoD2019 and IoD2025 side by side…", None, self.show_imd_change)
        menu.addSeparator()
        self.small_numbers_action = QAction("Show small numbers (&not for publication)…", self)
        self.small_numbers_action.setCheckable(True)
        self.small_numbers_action.setToolTip("Turn disclosure control off: counts from 1 to 7 shown and nothing rounded, "
                                             "every output marked 'Not for publication'")
        self.small_numbers_action.triggered.connect(lambda checked: self.set_small_numbers_shown(checked))
        menu.addAction(self.small_numbers_action)
        self.actions_by_name["small_numbers"] = self.small_numbers_action

    def _fill_help_menu(self, menu: QMenu) -> None:
        self._action(menu, "help", "&How the figures are worked out", QKeySequence.StandardKey.HelpContents,
                     self.show_help)
        menu.addSeparator()
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
        restored = geometry is not None and self.restoreGeometry(geometry)
        available = self.screen().availableGeometry()
        if not restored or not available.contains(self.frameGeometry()):  # saved on a larger screen, say
            fit_to_screen(self, available)
        if state is not None:
            self.restoreState(state)

    def _remember_layout(self) -> None:
        settings.set_value("window/geometry", self.saveGeometry())
        settings.set_value("window/state", self.normal_state or self.saveState())

    def _open_data_folder(self) -> None:
        folder = data_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.statusBar().showMessage(f"Data folder: {folder}", 10000)

    def show_help(self, section: str = "") -> HelpWindow:
        """Help > How the figures are worked out (F1): the bundled page, at ``section`` if given."""
        if self.help_window is None:
            self.help_window = HelpWindow(self)
        self.help_window.show_contents(section)
        self.help_window.show()
        self.help_window.raise_()
        return self.help_window

    def _show_about(self) -> None:
        self.about_box = QMessageBox(QMessageBox.Icon.Information, "About the prioritisation workbench", "", parent=self)
        self.about_box.setText(
            f"<p><b>Prioritisation workbench</b>, version {escape(installed_version())}: open a waiting list, check "
            "it, and order it by rules you can explain.</p>"
            "<p>Everything stays on this computer: no data is sent anywhere.</p>"
            f"<p>Data folder (workspaces not yet saved, settings, log): {escape(str(data_folder()))}</p>"
            f"<p class='note'>Python {platform.python_version()}, Qt {qVersion()}, PySide6 {PySide6.__version__}.</p>"
            "<p>Contains public sector information licensed under the Open Government Licence v3.0 "
            "(English Indices of Deprivation 2025 and 2019, Welsh Index of Multiple Deprivation 2025 and 2019, "
            "Scottish Index of Multiple Deprivation 2020v2, ONS LSOA 2011 to 2021 lookup).</p>")
        self.about_box.open()


def _focus_target(pane: QWidget) -> QWidget | None:
    """Where the focus lands in a pane: where it was last, else its table or list, else its first control."""
    last = pane.focusWidget()
    if last is not None and last.isVisible() and last.isEnabled() and pane.isAncestorOf(last):
        return last
    shown = [w for w in pane.findChildren(QWidget) if w.isVisible() and w.isEnabled()
             and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    views = [w for w in shown if isinstance(w, QAbstractItemView)]
    return (views or shown or [None])[0]


def fit_to_screen(window: QMainWindow, available: QRect) -> None:
    """The first size of the window: the preferred size, centred, where the screen has room for it;
    else the whole of the screen (maximised), never more: a 1280x720 projector gets a window it can show."""
    room = available.size().shrunkBy(QMargins(0, 0, FRAME_ALLOWANCE.width(), FRAME_ALLOWANCE.height()))
    if room.width() >= PREFERRED_SIZE.width() and room.height() >= PREFERRED_SIZE.height():
        window.resize(PREFERRED_SIZE)
        frame = QRect(QPoint(0, 0), PREFERRED_SIZE.grownBy(QMargins(0, 0, FRAME_ALLOWANCE.width(), FRAME_ALLOWANCE.height())))
        frame.moveCenter(available.center())
        window.move(frame.topLeft())
        return
    window.resize(room)
    window.move(available.topLeft())
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def _dropped_file(event) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) == 1 and urls[0].isLocalFile():
        return Path(urls[0].toLocalFile())
    return None
