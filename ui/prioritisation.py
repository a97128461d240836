"""Part 2 of the app: adjust the weights live, see who gains and who waits, run a workshop.

:func:`install_prioritisation` adds the panels to the part-1 main window and
returns the :class:`PrioritisationController` that ties them together:

- **Rules** (left dock) edits the rule set through an undo stack.
- **Prioritised list** (tab): the list in the new order with "Why this patient?".
- **Equity impact** (tab): the charts. **Capacity** (tab): inputs and queue figures.
- **Scenarios** and **Decision log** (right docks).

**Live preview.** Every rule, capacity or grouping change restarts a 150 ms
single-shot timer; when it fires, :func:`compute_preview` runs on the
controller's own worker in the lane ``"preview"`` (a newer change cancels the
older task and its result is dropped). It re-ranks with the list's cached
:func:`~workbench.ranking.prepare` and computes the equity summary; the GUI
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

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QSplitter

from ui.capacity_panel import CapacityPanel, CapacitySettings, default_capacity, queue_table
from ui.decision_log import NAME_NOT_GIVEN, DecisionLogPanel
from ui.equity_panel import EquityPanel, grouping_choices, movement_histogram
from ui.explain_panel import ExplainPanel
from ui.ranked_view import RankedView, comparison_text
from ui.report_export import export_decision_record
from ui.rules_panel import RulesPanel
from ui.scenarios import CompareDialog, ScenariosPanel, compare_scenarios
from ui.undo import ReplaceRules, WeightsEdit
from ui.workers import Task, Worker
from ui.workshop import WORKSHOP_SCALE, PairwiseDialog, SwingDialog, set_font_scale
from workbench import decisions
from workbench.equity import EquityInputs, prepare_equity
from workbench.export import export_ranked_list
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, WorkbenchError, check, never, no_progress
from workbench.ranking import Prepared, Ranking, compare, explain, prepare, rank
from workbench.report import DecisionRecord
from workbench.rules import RuleSet, bundled_rule_sets, check_columns, load_rules, treat_in_turn
from workbench.suppression import DEFAULT_THRESHOLD, suppressed_summary
from workbench.validation import unknown_band_warning
from workbench.workspace import Workspace

PREVIEW_DELAY_MS = 150
DEFAULT_GROUPING = "imd_quintile"
STARTING_RULES = ("inclusive-recovery", "priority-and-time-to-target")
RANKED_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"
REPORT_FILTER = "Decision record (*.html)"
CHARTS_FILTER = "PNG and SVG pictures (*.png)"


# --------------------------------------------------------------------------- Qt-free work
def starting_rule_set(wl: WaitingList) -> RuleSet:
    """The first bundled example the list can use (inclusive recovery if it can), else treat in turn."""
    bundled = bundled_rule_sets()
    for name in STARTING_RULES:
        if name in bundled:
            rule_set = load_rules(bundled[name])
            try:
                check_columns(rule_set, wl)
            except WorkbenchError:
                continue
            return rule_set
    return treat_in_turn()


@dataclass(frozen=True)
class ListReady:
    """The weight-independent work for a list, done once on the worker."""

    wl: WaitingList
    prepared: Prepared
    baseline: Ranking


def prepare_list(wl: WaitingList, progress: Progress = no_progress, cancelled: CancelCheck = never) -> ListReady:
    """Prepare a list for re-ranking and rank it by the baseline (treat in turn)."""
    progress(0.0, "Preparing the list for ranking")
    prepared = prepare(wl)
    check(cancelled)
    progress(0.8, "Ranking by treat in turn")
    return ListReady(wl, prepared, rank(treat_in_turn(), wl, prepared=prepared))


class EquityCache:
    """Equity inputs per (list, grouping, capacity): built once, reused while only weights change.

    Used from one worker thread only (the preview worker).
    """

    def __init__(self):
        self._inputs: dict[tuple, EquityInputs] = {}

    def inputs(self, wl: WaitingList, by: str, capacity: CapacitySettings) -> EquityInputs:
        key = (id(wl), by, capacity.capacity_per_week, capacity.horizon_weeks, capacity.demand_per_week)
        if key not in self._inputs:
            if len(self._inputs) > 8:
                self._inputs.clear()
            self._inputs[key] = prepare_equity(wl, by, capacity.capacity_per_week, capacity.horizon_weeks,
                                               capacity.demand_per_week)
        return self._inputs[key]


@dataclass(frozen=True)
class PreviewRequest:
    ready: ListReady
    rule_set: RuleSet
    by: str
    capacity: CapacitySettings
    equity: EquityCache
    threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class PreviewResult:
    """One rule set's order of a list, its equity figures and who moved."""

    request: PreviewRequest
    ranking: Ranking
    summary: dict | None  # unsuppressed (for the decision record, which suppresses it itself)
    shown: dict | None  # suppressed, for display
    equity_problem: str | None
    movement: tuple[np.ndarray, np.ndarray]
    moved_up: int
    moved_down: int

    @property
    def rule_set(self) -> RuleSet:
        return self.request.rule_set


def compute_preview(request: PreviewRequest, progress: Progress = no_progress, cancelled: CancelCheck = never) -> PreviewResult:
    """Re-rank the list by the rule set and work out what it does to each group (on the worker)."""
    ready = request.ready
    ranking = rank(request.rule_set, ready.wl, prepared=ready.prepared)
    check(cancelled)
    summary = shown = problem = None
    try:
        inputs = request.equity.inputs(ready.wl, request.by, request.capacity)
        summary = inputs.summary(ready.baseline.order, ranking.order)
        shown = suppressed_summary(summary, request.threshold)
    except WorkbenchError as error:  # e.g. demand above capacity: the list still re-ranks
        problem = str(error)
    check(cancelled)
    movement = ready.baseline.rank - ranking.rank
    return PreviewResult(request, ranking, summary, shown, problem, movement_histogram(movement, threshold=request.threshold),
                         int((movement > 0).sum()), int((movement < 0).sum()))


def rank_correlation(baseline: Ranking, ranking: Ranking, progress: Progress = no_progress,
                     cancelled: CancelCheck = never):
    """The full comparison of two orders, Kendall tau included (about a second for 1M rows)."""
    return compare(baseline, ranking)


@dataclass(frozen=True)
class DecisionState:
    """What the workspace holds about decisions, read on the database worker."""

    scenarios: list[decisions.Scenario]
    log: list[decisions.LogEntry]
    broken: decisions.BrokenLink | None
    last_rules: RuleSet | None  # the rule set of the newest decision that named one


def read_decisions(path: Path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    with Workspace.open(path) as workspace:
        return _decision_state(workspace)


def _decision_state(workspace: Workspace) -> DecisionState:
    log = decisions.decision_log(workspace)
    broken = decisions.verify_all(workspace)
    last_rules = None
    named = [entry.rules_sha256 for entry in log if entry.rules_sha256]
    if named and broken is None:
        last_rules = decisions.rules_by_sha256(workspace, named[-1])
    return DecisionState(decisions.scenarios(workspace), log, broken, last_rules)


def record_and_read(path: Path, person: str, action: str, rationale: str, rule_set: RuleSet | None,
                    progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    """Append a decision and read everything back (one trip to the database worker)."""
    with Workspace.open(path) as workspace:
        decisions.record_decision(workspace, person, action, rationale, rule_set)
        return _decision_state(workspace)


def save_scenario_and_read(path: Path, name: str, rule_set: RuleSet, person: str,
                           progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    """Save a scenario, note it in the decision log, and read everything back."""
    with Workspace.open(path) as workspace:
        decisions.save_scenario(workspace, name, rule_set, person)
        decisions.record_decision(workspace, person, f"Saved the rules as scenario '{name}'", "", rule_set)
        return _decision_state(workspace)


def load_scenarios(path: Path, names: tuple[str, ...], progress: Progress = no_progress,
                   cancelled: CancelCheck = never) -> list[decisions.Scenario]:
    with Workspace.open(path) as workspace:
        return [decisions.load_scenario(workspace, name) for name in names]


# --------------------------------------------------------------------------- the controller
class PrioritisationController(QObject):
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
        self.equity.set_groupings(grouping_choices(wl), DEFAULT_GROUPING)
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
        by = self.equity.current_grouping() or DEFAULT_GROUPING
        request = PreviewRequest(self.ready, self.rules.rule_set, by, self.capacity.settings(), self.equity_cache)
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
        self.equity.set_names(self.ready.baseline.rule_set.name, result.rule_set.name)
        if result.shown is not None:
            self.equity.show_summary(result.shown, result.movement)
        else:
            self.equity.show_problem(result.equity_problem or "")
        self._explain(self.ranked.selected_position())
        task = self.correlation_worker.submit(partial(rank_correlation, self.ready.baseline, result.ranking),
                                              lane="correlation")
        task.finished.connect(lambda comparison: self._on_correlation(result, comparison))
        self.previewUpdated.emit(result)

    def _on_preview_failed(self, message: str) -> None:
        self.rules.show_problem(message)

    def _on_correlation(self, result: PreviewResult, comparison) -> None:
        if result is not self.result:
            return
        self.comparison = comparison
        self.ranked.show_comparison(comparison_text(comparison, result.rule_set.name, self.ready.baseline.rule_set.name))
        self.correlationUpdated.emit(comparison)

    def _comparison_line(self, result: PreviewResult, _comparison) -> str:
        return (f"{result.rule_set.name} against {self.ready.baseline.rule_set.name}: {result.moved_up:,} moved up, "
                f"{result.moved_down:,} moved down; working out the rank correlation…")

    def _explain(self, position: int) -> None:
        if position < 0 or self.result is None or self.ready is None:
            self.explain.show_explanation(None)
            return
        self.explain.show_explanation(
            explain(self.result.rule_set, self.ready.wl, self.result.ranking, self.ready.baseline, position))

    def _on_rules_changed(self, rule_set: RuleSet) -> None:
        self.log.set_pending(decisions.changes_between(self.last_recorded, rule_set))
        self.schedule()

    # Capacity ------------------------------------------------------------------
    def refresh_queues(self) -> None:
        if self.wl is None:
            return
        task = self.export_worker.submit(partial(queue_table, self.wl, self.capacity.settings()), lane="queues")
        task.finished.connect(self._on_queues)
        task.failed.connect(self.capacity.show_problem)

    def _on_queues(self, rows: list[dict]) -> None:
        self.capacity.show_table(rows)
        self.queuesUpdated.emit(rows)

    def _on_capacity_changed(self, _settings) -> None:
        self.schedule()
        self.refresh_queues()

    # Decisions and scenarios -----------------------------------------------------
    def refresh_decisions(self) -> Task | None:
        """Read scenarios and the decision log, and verify the log's hash chain."""
        return self._database(partial(read_decisions, self.workspace_path), self._on_decisions_read)

    def record_decision(self, person: str, rationale: str) -> Task | None:
        """Record the changes since the last recorded decision, with who and why."""
        rule_set = self.rules.rule_set
        changes = decisions.changes_between(self.last_recorded, rule_set)
        action = ("Rules changed: " + "; ".join(changes)) if changes else f"Confirmed the rule set '{rule_set.name}'"
        task = self._database(partial(record_and_read, self.workspace_path, person, action, rationale, rule_set),
                              self._on_decisions)
        if task is not None:
            task.finished.connect(lambda _state: self._recorded(rule_set))
        return task

    def note(self, action: str) -> Task | None:
        """Record an event (a save, an export) in the decision log under the name typed."""
        return self._database(partial(record_and_read, self.workspace_path, self.log.person(), action, "",
                                      self.rules.rule_set), self._on_decisions)

    def save_scenario(self, name: str) -> Task | None:
        task = self._database(partial(save_scenario_and_read, self.workspace_path, name, self.rules.rule_set,
                                      self.log.person()), self._on_decisions)
        if task is not None:
            task.finished.connect(lambda _s: self.scenarios.show_message(f"Saved scenario '{name}'."))
            task.failed.connect(self.scenarios.show_problem)
        return task

    def use_scenario(self, name: str) -> Task | None:
        task = self._database(partial(load_scenarios, self.workspace_path, (name,)), self._on_scenario_loaded)
        if task is not None:
            task.failed.connect(self.scenarios.show_problem)
        return task

    def compare_scenarios(self, first: str, second: str) -> Task | None:
        """Compare two saved scenarios side by side (opens the comparison when ready)."""
        task = self._database(partial(load_scenarios, self.workspace_path, (first, second)), self._on_pair_loaded)
        if task is not None:
            task.failed.connect(self.scenarios.show_problem)
        return task

    def _database(self, work, on_finished) -> Task | None:
        if self.workspace_path is None or self.wl is None:
            return None
        task = self.database.submit(work, description="Decision log")
        task.finished.connect(on_finished)
        task.failed.connect(self.log.show_problem)
        return task

    def _on_decisions_read(self, state: DecisionState) -> None:
        # Carry on from the newest recorded decision, unless the user has already started editing.
        if state.last_rules is not None and self.undo_stack.count() == 0:
            self.last_recorded = state.last_rules
            self.rules.set_rule_set(state.last_rules)
        self._on_decisions(state)

    def _on_decisions(self, state: DecisionState) -> None:
        self.state = state
        self.scenarios.show_scenarios(state.scenarios)
        self.log.show_entries(state.log, state.broken)
        self.log.set_pending(decisions.changes_between(self.last_recorded, self.rules.rule_set))
        self.decisionsUpdated.emit(state)

    def _recorded(self, rule_set: RuleSet) -> None:
        self.last_recorded = rule_set
        self.log.recorded()
        self.log.set_pending(decisions.changes_between(rule_set, self.rules.rule_set))

    def _on_scenario_loaded(self, found: list) -> None:
        scenario = found[0]
        self.rules.edit(ReplaceRules(self.rules, self.rules.rule_set, scenario.rule_set, f"Use scenario {scenario.name}"))
        self.scenarios.show_message(f"Using scenario '{scenario.name}'.")

    def _on_pair_loaded(self, found: list) -> None:
        if self.ready is None:
            return
        inputs = partial(self.equity_cache.inputs, self.ready.wl, self.equity.current_grouping() or DEFAULT_GROUPING,
                         self.capacity.settings())
        task = self.preview_worker.submit(
            lambda progress, cancelled: compare_scenarios(found[0], found[1], self.ready.prepared, inputs(),
                                                          progress, cancelled), lane="compare")
        self.window.progress.follow(task, "Comparing scenarios…")
        task.finished.connect(self._show_comparison)
        task.failed.connect(self.scenarios.show_problem)

    def _show_comparison(self, result) -> None:
        self.dialog = CompareDialog(result, self.window)
        self.dialog.open()

    # Exports -------------------------------------------------------------------
    def export_ranked_list(self, path: str | Path | None = None) -> Task | None:
        """Write the list in the new order to xlsx or CSV, with progress, on the export worker."""
        path = self._export_target(path, "Nothing to export yet", "Export ranked list", RANKED_FILTER)
        if path is None:
            return None
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + ".xlsx")
        result, ready = self.result, self.ready
        record = self.loaded.record
        notes: list[str] = []
        task = self.export_worker.submit(
            partial(export_ranked_list, path, ready.wl, result.ranking, ready.baseline, result.rule_set, record,
                    notes=notes),
            lane="export", description="Exporting the ranked list")
        self.window.progress.follow(task, f"Writing {path.name}…")
        task.finished.connect(lambda rows: self._on_ranked_exported(path, rows, notes))
        task.failed.connect(self._show_error)
        return task

    def _on_ranked_exported(self, path: Path, rows: int, notes: list[str] = ()) -> None:
        said = " ".join([f"Ranked list written to {path} ({rows:,} rows).", *notes])
        self.window.statusBar().showMessage(said, 15000 if notes else 8000)
        self.note(f"Exported the ranked list ({rows:,} rows) to {path.name}")
        self.rankedListExported.emit(path)

    def export_report(self, path: str | Path | None = None) -> Task | None:
        """Write the decision record as HTML and PDF (the log is read and verified first)."""
        path = self._export_target(path, "Nothing to report yet", "Export decision record", REPORT_FILTER)
        if path is None:
            return None
        return self._database(partial(read_decisions, self.workspace_path), lambda state: self._write_report(path, state))

    def _write_report(self, path: Path, state: DecisionState) -> None:
        result = self.result
        record = DecisionRecord(
            rule_set=result.rule_set, baseline=self.ready.baseline.rule_set, import_record=self.loaded.record,
            equity=result.summary, comparison=self.comparison.as_dict() if self.comparison is not None else None,
            log=state.log, chain_problem=state.broken.describe() if state.broken else None,
            made_by="" if self.log.person() == NAME_NOT_GIVEN else self.log.person(),
            warnings=[w for w in [unknown_band_warning(self.ready.wl)] if w],
            trend=self.window.trends.since_adoption(result.rule_set.sha256) if hasattr(self.window, "trends") else None,
        )
        try:
            html, pdf = export_decision_record(record, path, self.equity.chart_png())
        except WorkbenchError as error:
            self._show_error(str(error))
            return
        self.window.statusBar().showMessage(f"Decision record written to {html} and {pdf.name}.", 8000)
        self.note(f"Exported the decision record to {html.name}")
        self.reportExported.emit(html, pdf)

    def export_charts(self, path: str | Path | None = None) -> list[Path]:
        path = Path(path) if path else self._ask_save("Export charts", CHARTS_FILTER)
        if path is None:
            return []
        written = self.equity.export_charts(path)
        self.window.statusBar().showMessage(f"Charts written to {', '.join(p.name for p in written)}.", 8000)
        return written

    # Workshop ------------------------------------------------------------------
    def set_workshop_mode(self, on: bool) -> None:
        """Larger text for a room of people (and back)."""
        if on and self._base_font is None:
            self._base_font = set_font_scale(WORKSHOP_SCALE)
        elif not on and self._base_font is not None:
            set_font_scale(1.0, self._base_font)
            self._base_font = None
        self.workshop_action.setChecked(on)

    def open_pairwise(self) -> PairwiseDialog:
        self.dialog = PairwiseDialog(self.rules.rule_set, parent=self.window)
        self.dialog.weightsApplied.connect(partial(self._apply_weights, "pairwise comparison (AHP)"))
        self.dialog.open()
        return self.dialog

    def open_swing(self) -> SwingDialog:
        self.dialog = SwingDialog(self.rules.rule_set, parent=self.window)
        self.dialog.weightsApplied.connect(partial(self._apply_weights, "swing weighting"))
        self.dialog.open()
        return self.dialog

    def _apply_weights(self, how: str, weights: dict) -> None:
        self.rules.edit(WeightsEdit(self.rules, self.rules.rule_set, weights, how))

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

    def _export_target(self, path: str | Path | None, nothing: str, title: str, filters: str) -> Path | None:
        """Where to write an export of the ranked list: ``path``, else asked for; None while there is nothing yet."""
        if self.result is None:
            self.window.statusBar().showMessage(f"{nothing}: the list is still being ranked.", 5000)
            return None
        return Path(path) if path else self._ask_save(title, filters)

    def _ask_save(self, title: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(Path.home()), filters)
        return Path(chosen) if chosen else None

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
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
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
        menu.addSeparator()
        self._add(menu, "Export ranked list…", lambda: self.export_ranked_list(), "Ctrl+Shift+E")
        self._add(menu, "Export decision record (HTML and PDF)…", lambda: self.export_report(), "Ctrl+Shift+R")
        self._add(menu, "Export equity charts (PNG and SVG)…", lambda: self.export_charts())
        workshop = window.add_menu("&Workshop")
        self.workshop_action = self._add(workshop, "Workshop mode (larger text)", None, "Ctrl+Shift+W")
        self.workshop_action.setCheckable(True)
        self.workshop_action.toggled.connect(self.set_workshop_mode)
        self._add(workshop, "Weights by pairwise comparison (AHP)…", self.open_pairwise)
        self._add(workshop, "Weights by swing weighting…", self.open_swing)
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
