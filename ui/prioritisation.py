"""Part 2 of the app: adjust the weights live, see who gains and who waits, run a workshop.

:func:`install_prioritisation` adds the panels to the part-1 main window and
returns the :class:`PrioritisationController` that ties them together:

- **Rules** (left dock) edits the rule set through an undo stack.
- **Prioritised list** (tab): the list in the new order with "Why this patient?".
- **Equity impact** (tab): the charts. **Capacity** (tab): inputs and queue figures.
- **Scenarios** and **Decision log** (right docks).

The controller's jobs live apart: the list, the live preview, capacity and the
menus here; decisions and scenarios in :mod:`ui.decision_actions`; exports in
:mod:`ui.export_actions`; workshop mode in :mod:`ui.workshop`.

**Live preview.** Every rule, capacity or grouping change restarts a 150 ms
single-shot timer; when it fires, :func:`~workbench.compare.preview.compute_preview`
runs on the controller's own worker in the lane ``"preview"`` (a newer change
cancels the older task and its result is dropped). It re-ranks with the list's cached
:func:`~workbench.rank.ranking.prepare` and computes the equity summary; the GUI
thread only swaps the arrays into the model and moves the bars. The rank
correlation (Kendall tau) takes a second on a million rows, so it follows on a
second worker and fills in the comparison line when it is ready.

**Threads.** Reading and writing the workspace (scenarios, the decision log)
goes through the window's ``database`` worker, the one thread that owns
workspace writes. Ranking and equity run on ``preview``; Kendall tau on
``correlation``; exports on ``export``, so a long export never holds up the
preview.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QSplitter

from ui.capacity_panel import CapacityPanel
from ui.decision_actions import DecisionActions
from ui.decision_log import DecisionLogPanel
from ui.equity_panel import EquityPanel
from ui.explain_panel import ExplainPanel
from ui.export_actions import ExportActions
from ui.ranked_view import RankedView
from ui.rules_panel import RulesPanel
from ui.scenarios import ScenariosPanel
from ui.workers import Task, Worker
from ui.workshop import WorkshopActions
from workbench.compare.equity import grouping_choices
from workbench.compare.preview import (
    EquityCache, ListReady, PreviewRequest, PreviewResult, compute_preview, prepare_list, rank_correlation,
)
from workbench.compare.queues import CapacitySettings, default_capacity, queue_table
from workbench.fields import WaitingList
from workbench.rank.bundled_rules import starting_rule_set, treat_in_turn
from workbench.rank.ranking import WithoutFactors, explain
from workbench.rank.rules import RuleSet
from workbench.report.glossary import explained
from workbench.report.identity import rule_set_identity
from workbench.store import decisions
from workbench.store.decisions import DecisionState

PREVIEW_DELAY_MS = 150
DEFAULT_GROUPING = "imd_quintile"
RANKED_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"
REPORT_FILTER = "Decision record (*.html)"
CHARTS_FILTER = "PNG and SVG pictures (*.png)"


# --------------------------------------------------------------------------- the controller
class PrioritisationController(DecisionActions, ExportActions, WorkshopActions, QObject):
    """Ties the part-2 panels to the window's list and workspace.

    Invariants: ``ready`` is the prepared list currently shown (None before
    one is ready); ``result`` is the newest preview applied, always of
    ``ready.wl``; ``last_recorded`` is the rule set the decision log last
    recorded (pending changes are measured from it).
    """

    previewUpdated = Signal(object)  # PreviewResult
    decisionsUpdated = Signal(object)  # DecisionState
    queuesUpdated = Signal(object)  # list of queue rows
    rankedListExported = Signal(object)  # Path
    reportExported = Signal(object, object)  # html Path, pdf Path
    correlationUpdated = Signal(object)  # Comparison

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.database: Worker = window.database
        self.preview_worker = Worker("preview", self)
        self.correlation_worker = Worker("correlation", self)
        self.export_worker = Worker("export", self)
        self.loaded = None
        self._waiting_for_list = False  # a list was opened; its ranking waits for the list view's first rows
        self.ready: ListReady | None = None
        self.result: PreviewResult | None = None
        self.without: WithoutFactors | None = None  # ranks without each social factor, for ``result``'s rule set
        self.without_ready = False  # worked out (on the correlation worker): the panel may ask about a patient
        self.comparison = None
        self.state: DecisionState | None = None
        self.equity_cache = EquityCache()
        self.last_recorded: RuleSet = treat_in_turn()
        self.dialog = None
        self._base_font = None
        self.timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.recompute)
        self._build_panels()
        self._place_panels()
        self._build_menus()
        self._connect()
        # Stop background work when the app quits. (An event filter on the window's close
        # would be more direct, but PySide 6.12 then crashes at interpreter exit.) Closing
        # the window without quitting deletes the workers, and a thread pool waits for its
        # work to finish before it goes.
        QApplication.instance().aboutToQuit.connect(self.shutdown)

    # The list ------------------------------------------------------------------
    @property
    def workspace_path(self) -> Path | None:
        return self.loaded.file.path if self.loaded is not None else None

    @property
    def wl(self) -> WaitingList | None:
        return self.loaded.wl if self.loaded is not None else None

    def on_workspace_loaded(self, loaded) -> None:
        """A workspace was opened: start over with its list, scenarios and decision log."""
        self.loaded, self.ready, self.result, self.comparison = loaded, None, None, None
        self.without, self.without_ready = None, False
        self.equity_cache = EquityCache()
        self.ranked.model.set_list(None)
        self.explain.show_explanation(None)
        wl = loaded.wl
        if wl is None:
            self.ranked.show_comparison("")
            return
        self.rules.set_rule_set(starting_rule_set(wl))
        self.rules.set_columns(wl.column_names())
        self.last_recorded = self.rules.rule_set
        self.capacity.set_settings(CapacitySettings(default_capacity(len(wl))))
        self.capacity.set_priorities([])  # the list's, once it is prepared (on the worker)
        self.equity.set_groupings(grouping_choices(wl), DEFAULT_GROUPING)
        self.equity.set_context(loaded.source_name or loaded.file.display_name, loaded.census_date)
        self.ranked.show_comparison("Preparing the list…")
        self.refresh_decisions()
        # The list view comes first: painting its rows beside a worker ranking a
        # million rows is several times slower, so ranking starts once they are on screen.
        self._waiting_for_list = True
        if self.window.list_panel.shown:
            self._start_ranking()

    def _on_list_shown(self) -> None:
        if self._waiting_for_list:
            self._start_ranking()

    def _start_ranking(self) -> None:
        self._waiting_for_list = False
        if self.wl is None:
            return
        task = self.preview_worker.submit(partial(prepare_list, self.wl), lane="preview", description="Preparing")
        task.finished.connect(self._on_list_ready)
        task.failed.connect(self._show_error)
        self.refresh_queues()

    def _on_list_ready(self, ready: ListReady) -> None:
        if self.wl is not ready.wl:
            return  # another list was opened meanwhile
        self.ready = ready
        self.capacity.set_priorities(ready.referral_priorities)
        self.recompute()

    # Live preview --------------------------------------------------------------
    def schedule(self) -> None:
        """Recompute shortly (a burst of changes, like a slider drag, makes one recompute)."""
        self.timer.start()

    def recompute(self) -> Task | None:
        """Re-rank and recompute the equity figures now, on the worker (the newest request wins)."""
        self.timer.stop()
        if self.ready is None:
            return None
        request = PreviewRequest(self.ready, self.rules.rule_set, self.grouping(), self.capacity.settings(),
                                 self.equity_cache, self.window.small_numbers_shown)
        task = self.preview_worker.submit(partial(compute_preview, request), lane="preview", description="Re-ranking")
        task.finished.connect(self._on_preview)
        task.failed.connect(self._on_preview_failed)
        return task

    def _on_preview(self, result: PreviewResult) -> None:
        if self.ready is None or result.request.ready is not self.ready:
            return
        self.result = result
        self.rules.show_problem(None)
        model = self.ranked.model
        if model.wl is self.ready.wl and model.ranking is not None:
            model.set_rankings(result.ranking, self.ready.baseline)
        else:
            model.set_list(self.ready.wl, result.ranking, self.ready.baseline)
            self.ranked.table.resizeColumnsToContents()
        self.ranked.show_comparison(self._comparison_line(result, None))
        self.equity.set_names(self.ready.baseline.rule_set.name, rule_set_identity(result.rule_set).title)
        if result.shown is not None:
            self.equity.show_summary(result.shown, result.movement)
        else:
            self.equity.show_problem(result.equity_problem or "")
        self._work_out_without(result)
        task = self.correlation_worker.submit(partial(rank_correlation, self.ready.baseline, result.ranking),
                                              lane="correlation")
        task.finished.connect(lambda comparison: self._on_correlation(result, comparison))
        self.previewUpdated.emit(result)

    def grouping(self) -> str:
        """The grouping the equity charts show (the default until the list's choices are known)."""
        return self.equity.current_grouping() or DEFAULT_GROUPING

    def _on_preview_failed(self, message: str) -> None:
        self.rules.show_problem(message)

    def _on_correlation(self, result: PreviewResult, comparison) -> None:
        if result is not self.result:
            return
        self.comparison = comparison
        self.ranked.show_comparison(comparison.sentence(rule_set_identity(result.rule_set).title,
                                                        self.ready.baseline.rule_set.name))
        self.correlationUpdated.emit(comparison)

    def _comparison_line(self, result: PreviewResult, _comparison) -> str:
        return (f"{rule_set_identity(result.rule_set).title} against {self.ready.baseline.rule_set.name}: "
                f"{result.moved_up:,} moved up, "
                f"{result.moved_down:,} moved down; working out the rank correlation…")

    def _work_out_without(self, result: PreviewResult) -> None:
        """Ranks without each social factor, worked out once per rule set on the correlation worker (about
        0.1 s on a million rows): until then the explanation says so, then it shows them. Kept while the
        rule set stays the same (a new grouping or capacity does not change them)."""
        kept = self.without
        if kept is None or kept.prepared is not self.ready.prepared or kept.ranking.rule_set != result.rule_set:
            self.without, self.without_ready = WithoutFactors(result.ranking, self.ready.prepared), False
            without = self.without
            task = self.correlation_worker.submit(without.work_out, lane="without", description="Ranking without factors")
            task.finished.connect(lambda _done: self._on_without_ready(without))
        self._explain(self.ranked.selected_position())

    def _on_without_ready(self, without: WithoutFactors) -> None:
        if without is self.without:
            self.without_ready = True
            self._explain(self.ranked.selected_position())

    def _explain(self, position: int) -> None:
        if position < 0 or self.result is None or self.ready is None:
            self.explain.show_explanation(None)
            return
        without = self.without if self.without_ready else None
        self.explain.show_explanation(
            explain(self.result.rule_set, self.ready.wl, self.result.ranking, self.ready.baseline, position, without),
            without_pending=without is None and bool(self.without and self.without.factors))

    def _on_rules_changed(self, rule_set: RuleSet) -> None:
        self.log.set_pending(decisions.changes_between(self.last_recorded, rule_set))
        self.log.show_rules(rule_set_identity(rule_set))
        self.schedule()

    # Capacity ------------------------------------------------------------------
    def refresh_queues(self) -> None:
        if self.wl is None:
            return
        shown = self.window.small_numbers_shown
        task = self.export_worker.submit(partial(queue_table, self.wl, self.capacity.settings(), shown), lane="queues")
        task.finished.connect(lambda rows: self._on_queues(rows, shown))
        task.failed.connect(self.capacity.show_problem)

    def _on_queues(self, rows: list[dict], small_numbers_shown: bool) -> None:
        self.capacity.show_table(rows, small_numbers_shown)
        self.queuesUpdated.emit(rows)

    def _on_disclosure_changed(self, _small_numbers_shown: bool) -> None:
        """Disclosure control was turned off or on: every figure shown is worked out again."""
        self.recompute()
        self.refresh_queues()

    def _on_capacity_changed(self, _settings: CapacitySettings) -> None:
        self.schedule()
        self.refresh_queues()
        # The equity charts change too, out of sight: said where the user is looking.
        self.window.statusBar().showMessage(self.capacity.projections.text(), 10_000)

    # Qt --------------------------------------------------------------------------
    @property
    def undo_stack(self):
        return self.rules.undo_stack

    def shutdown(self) -> None:
        """Stop background work (the window is closing)."""
        self.timer.stop()
        for worker in (self.preview_worker, self.correlation_worker, self.export_worker):
            worker.shutdown()

    def _show_error(self, message: str) -> None:
        from ui.errors import show_error

        show_error(self.window, message)

    # Building ------------------------------------------------------------------
    def _build_panels(self) -> None:
        self.rules = RulesPanel(treat_in_turn())
        self.ranked = RankedView()
        self.explain = ExplainPanel()
        self.equity = EquityPanel()
        self.capacity = CapacityPanel()
        self.scenarios = ScenariosPanel()
        self.log = DecisionLogPanel()

    def _place_panels(self) -> None:
        window = self.window
        size = window.size()  # docks added one by one stack up and grow the window until tabbed        # On the right with the data-quality panel (tabbed), so the charts keep the width.
        self.rules_dock = window.add_dock("Rules", self.rules, Qt.DockWidgetArea.RightDockWidgetArea, "rules")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.ranked)
        split.addWidget(self.explain)
        split.setStretchFactor(0, 1)  # the list takes what the explanation does not need
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        self.explain.roomChanged.connect(self.split_ranked_page)
        self.ranked_page = split
        window.add_tab(split, "Prioritised list")
        window.add_tab(self.equity, "Equity impact")
        window.add_tab(self.capacity, "Capacity")
        self.scenarios_dock = window.add_dock("Scenarios", self.scenarios, Qt.DockWidgetArea.RightDockWidgetArea, "scenarios")
        self.log_dock = window.add_dock("Decision log", self.log, Qt.DockWidgetArea.RightDockWidgetArea, "decision_log")
        quality = getattr(window, "quality_dock", None)
        first = quality if quality is not None else self.rules_dock
        for dock in (self.rules_dock, self.scenarios_dock, self.log_dock):
            if dock is not first:
                window.tabifyDockWidget(first, dock)
        self.rules_dock.raise_()
        for dock in (self.rules_dock, self.scenarios_dock, self.log_dock):
            window.restoreDockWidget(dock)  # the window restored its layout before these docks existed
        window.resize(size)

    def split_ranked_page(self) -> None:
        """The explanation gets the room it needs (its title line only, folded); the list the rest."""
        total = sum(self.ranked_page.sizes())
        shown = min(self.explain.sizeHint().height(), total // 2)
        self.ranked_page.setSizes([total - shown, shown])

    def _build_menus(self) -> None:
        window = self.window
        undo = self.undo_stack.createUndoAction(window, "&Undo rule change")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(window, "&Redo rule change")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action, self.redo_action = undo, redo
        edit = getattr(window, "edit_menu", None)
        if edit is not None:
            first = edit.actions()[0] if edit.actions() else None
            edit.insertActions(first, [undo, redo])
            edit.insertSeparator(first)
        menu = window.add_menu("&Prioritise")
        self._add(menu, "Open rule set…", lambda: self.rules.open_rules())
        self._add(menu, "Save rule set", self.rules.save_rules)
        self._add(menu, "Save rule set as…", lambda: self.rules.save_rules_as())
        window.add_exports([  # in the File menu, where Windows users look for them
            self._add(None, "Export ran&ked list…", lambda: self.export_ranked_list(), "Ctrl+Shift+E"),
            self._add(None, "Export decision re&cord (HTML and PDF)…", lambda: self.export_report(), "Ctrl+Shift+R"),
            self._add(None, "Export e&quity charts (PNG and SVG)…", lambda: self.export_charts()),
        ])
        workshop = window.add_menu("&Workshop")
        self.workshop_action = self._add(workshop, "Workshop mode (larger text)", None, "Ctrl+Shift+W")
        self.workshop_action.setCheckable(True)
        self.workshop_action.toggled.connect(self.set_workshop_mode)
        workshop.setToolTipsVisible(True)
        self._add(workshop, "Weights by pairwise comparison (AHP)…", self.open_pairwise).setToolTip(explained("AHP"))
        self._add(workshop, "Weights by swing weighting…", self.open_swing).setToolTip(explained("Swing weighting"))
        workshop.addSeparator()
        self._add(workshop, "Record decision", lambda: self.log._on_record())
        self._add(workshop, "Verify the decision log", self.refresh_decisions)

    def _add(self, menu, text: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        if menu is not None:
            menu.addAction(action)
        return action

    def _connect(self) -> None:
        self.rules.ruleSetChanged.connect(self._on_rules_changed)
        self.rules.savedTo.connect(lambda path: self.note(f"Saved the rule set to {path.name}"))
        self.ranked.patientSelected.connect(self._explain)
        self.ranked.exportRequested.connect(lambda: self.export_ranked_list())
        self.equity.groupingChanged.connect(lambda _by: self.schedule())
        self.equity.export_button.clicked.connect(lambda: self.export_charts())
        self.capacity.settingsChanged.connect(self._on_capacity_changed)
        self.scenarios.saveRequested.connect(self.save_scenario)
        self.scenarios.useRequested.connect(self.use_scenario)
        self.scenarios.compareRequested.connect(self.compare_scenarios)
        self.log.recordRequested.connect(self.record_decision)
        self.log.verifyRequested.connect(self.refresh_decisions)
        self.window.workspaceLoaded.connect(self.on_workspace_loaded)
        self.window.disclosureChanged.connect(self._on_disclosure_changed)
        self.window.list_panel.listShown.connect(self._on_list_shown)
        if getattr(self.window, "loaded", None) is not None:
            self.on_workspace_loaded(self.window.loaded)


def install_prioritisation(window) -> PrioritisationController:
    """Add the prioritisation panels, tabs and menus to the main window; returns their controller.

    Installing twice returns the controller already there (the main window installs it itself).
    """
    existing = getattr(window, "prioritisation", None)
    if existing is not None:
        return existing
    controller = PrioritisationController(window)
    window.prioritisation = controller
    return controller
