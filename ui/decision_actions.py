"""Decisions and scenarios in the prioritisation controller: read and written on the database worker.

Reading and writing the workspace (scenarios, the decision log) goes through
the window's ``database`` worker, the one thread that owns workspace writes;
each trip writes and reads everything back (:mod:`workbench.store.decisions`),
so the panels always show what the file holds and whether its hash chain is intact.
"""

from __future__ import annotations

from functools import partial

from ui.scenarios import CompareDialog
from ui.undo import ReplaceRules
from ui.workers import Task
from workbench.compare.scenarios import compare_scenarios
from workbench.rank.rules import RuleSet
from workbench.report.identity import rule_set_identity
from workbench.store import decisions
from workbench.store.decisions import DecisionState, load_scenarios, read_decisions, record_and_read, save_scenario_and_read


class DecisionActions:
    """Record decisions, save, use and compare scenarios: a mixin of
    :class:`ui.prioritisation.PrioritisationController`, whose panels (``log``,
    ``scenarios``, ``rules``) and workers it uses.

    Invariant (the controller's): ``last_recorded`` is the rule set the decision
    log last recorded; pending changes are measured from it.
    """

    def refresh_decisions(self) -> Task | None:
        """Read scenarios and the decision log, and verify the log's hash chain."""
        return self._database(partial(read_decisions, self.workspace_path), self._on_decisions_read)

    def record_decision(self, person: str, rationale: str) -> Task | None:
        """Record the changes since the last recorded decision, with who and why."""
        rule_set = self.rules.rule_set
        changes = decisions.changes_between(self.last_recorded, rule_set)
        title = rule_set_identity(rule_set).title
        action = ("Rules changed: " + "; ".join(changes)) if changes else f"Confirmed the rule set '{title}'"
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
        inputs = partial(self.equity_cache.inputs, self.ready.wl, self.grouping(),
                         self.capacity.settings(), self.ready.prepared)
        task = self.preview_worker.submit(
            lambda progress, cancelled: compare_scenarios(found[0], found[1], self.ready.prepared, inputs(),
                                                          self.window.small_numbers_shown, progress, cancelled),
            lane="compare")
        self.window.progress.follow(task, "Comparing scenarios…")
        task.finished.connect(self._show_comparison)
        task.failed.connect(self.scenarios.show_problem)

    def _show_comparison(self, result) -> None:
        self.dialog = CompareDialog(result, self.window)
        self.dialog.open()
