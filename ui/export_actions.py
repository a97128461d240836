"""Exports from the prioritisation controller: the ranked list, the decision record and the equity charts.

Exports run on the controller's ``export`` worker, so a long export never holds
up the preview; each is noted in the decision log when written.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ui.decision_log import NAME_NOT_GIVEN
from ui.report_export import export_decision_record
from ui.workers import Task
from workbench.check.validation import unknown_band_warning
from workbench.errors import WorkbenchError
from workbench.report.export import export_ranked_list
from workbench.report.record import DecisionRecord
from workbench.store.decisions import DecisionState, read_decisions

RANKED_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"
REPORT_FILTER = "Decision record (*.html)"
CHARTS_FILTER = "PNG and SVG pictures (*.png)"


class ExportActions:
    """Write the ranked list, the decision record and the charts: a mixin of
    :class:`ui.prioritisation.PrioritisationController` (exports wait for its first preview)."""

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
                    notes=notes, without=self.without, log=self.state.log if self.state else ()),
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
            small_numbers_shown=result.request.small_numbers_shown,
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

    def _export_target(self, path: str | Path | None, nothing: str, title: str, filters: str) -> Path | None:
        """Where to write an export of the ranked list: ``path``, else asked for; None while there is nothing yet."""
        if self.result is None:
            self.window.statusBar().showMessage(f"{nothing}: the list is still being ranked.", 5000)
            return None
        return Path(path) if path else self._ask_save(title, filters)

    def _ask_save(self, title: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(Path.home()), filters)
        return Path(chosen) if chosen else None
