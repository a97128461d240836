"""The import dialog: choose the sheet, check the first rows, fix the column mapping, import.

Reading the preview and the import itself run on workers; the dialog shows a
progress bar and its Cancel button stops the import (the core raises
``Cancelled`` and the workspace is left exactly as it was). Closing the dialog
during an import cancels it first.

The first ``SAMPLE_ROWS`` rows are read: twenty are shown, all of them tell a
populated column from an empty one (a mapped column that is nearly empty is
warned about) and suggest a census date for a file without one: the file's
date or its latest clock start, never simply today. The census date is typed
as dd/mm/yyyy and taken exactly as typed.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape
from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from ui import settings
from workbench.view.columns import label as column_label
from ui.workers import Task, Worker
from workbench import formats
from workbench.read import mapping as mapping_rules
from workbench.read import readers
from workbench.read.dates import parse_dates, parse_typed_date
from workbench.check.deprivation import CURRENT, EDITIONS
from workbench.fields import CANONICAL_FIELDS, REQUIRED_FIELDS
from workbench.store.importer import (
    STALE_CENSUS_DAYS, ImportResult, file_date, import_file, latest_date, suggested_census_date,
)
from workbench.errors import WorkbenchError

PREVIEW_ROWS = 20
SAMPLE_ROWS = 2000  # read for the preview: enough to see which columns are filled, and the latest dates
NOT_IN_FILE = "(not in this file)"
FIELD_HELP = {
    "pathway_id": "The pathway or referral identifier: one per row",
    "nhs_number": "10-digit NHS number",
    "specialty": "Treatment function code or specialty",
    "clinical_priority": "Clinical priority such as P1a, P2 ... P6",
    "wait_start": "RTT clock start or decision-to-admit date",
    "census_date": "The date the extract was taken (the 'as at' date)",
    "clock_stop_date": "RTT clock stop (period end) date: a pathway stopped by the census date is not waiting",
    "decision_to_admit_date": "Decision to admit or listing date: when the priority was set",
    "priority_review_date": "Date of the last clinical priority review: priority time limits run from it",
    "last_validation_date": "Date the pathway was last validated",
    "waiting_list_type": "IRTT or ORTT for RTT pathways; INON or ONON for planned and other non-RTT ones",
    "lsoa": ("Lower layer super output area code, e.g. E01000001 (2011 or 2021 areas; a Scottish data zone): "
             "a header such as LSOA11CD or LSOA21CD says which areas the column holds"),
    "ethnic_category": "NHS ethnic category code, e.g. A, H, Z",
}


class PreviewModel(QAbstractTableModel):
    """The first rows of the file exactly as read; headers show the field each is mapped to.

    Invariant: ``columns`` are the raw text columns of ``headers``, all of one length.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.columns: list[np.ndarray] = []
        self.mapped_to: dict[str, str] = {}  # header -> canonical field

    def set_table(self, headers: list[str], columns: list[np.ndarray]) -> None:
        self.beginResetModel()
        self.headers, self.columns = list(headers), list(columns)
        self.endResetModel()

    def set_mapping(self, mapping: dict[str, str]) -> None:
        self.mapped_to = {header: name for name, header in mapping.items()}
        if self.headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or not self.columns else len(self.columns[0])

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            value = self.columns[index.column()][index.row()]
            return "" if value is None else str(value)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        header = self.headers[section]
        field = self.mapped_to.get(header)
        return f"{header}\n→ {column_label(field)}" if field else f"{header}\n(not used)"


class DateField(QLineEdit):
    """A date typed as dd/mm/yyyy (or picked from a calendar), taken exactly as typed.

    ``date()`` is the date shown, or an invalid QDate while the text is not one;
    ``dateChanged`` is emitted whenever the text becomes another valid date.
    """

    dateChanged = Signal(QDate)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setMaxLength(10)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 14)
        self._calendar = QCalendarWidget()
        self._calendar.clicked.connect(self._on_picked)
        menu = QMenu(self)
        picker = QWidgetAction(menu)
        picker.setDefaultWidget(self._calendar)
        menu.addAction(picker)
        self._menu = menu
        pick = self.addAction(self.style().standardIcon(self.style().StandardPixmap.SP_FileDialogDetailedView),
                              QLineEdit.ActionPosition.TrailingPosition)
        pick.setToolTip("Choose the date from a calendar")
        pick.triggered.connect(self._show_calendar)
        self.textChanged.connect(self._on_text_changed)

    def date(self) -> QDate:
        typed = parse_typed_date(self.text())
        return QDate(typed) if typed else QDate()

    def setDate(self, day: QDate | date) -> None:  # noqa: N802 (QDateEdit's name, for the same use)
        day = day.toPython() if isinstance(day, QDate) else day
        self.setText(formats.uk_date(day))

    def _on_text_changed(self, _text: str) -> None:
        valid = self.date().isValid()
        self.setStyleSheet("" if valid or not self.text() else "QLineEdit { border: 2px solid #D55E00; }")
        if valid:
            self.dateChanged.emit(self.date())

    def _show_calendar(self) -> None:
        if self.date().isValid():
            self._calendar.setSelectedDate(self.date())
        self._menu.popup(self.mapToGlobal(self.rect().bottomLeft()))

    def _on_picked(self, day: QDate) -> None:
        self._menu.hide()
        self.setDate(day)


class ImportDialog(QDialog):
    """Open one file into one workspace. ``result`` holds the :class:`ImportResult` once accepted."""

    imported = Signal(object)  # ImportResult

    def __init__(self, path: Path, workspace_path: Path, database: Worker, compute: Worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.workspace_path = Path(workspace_path)
        self.database, self.compute = database, compute
        self.result: ImportResult | None = None
        self.snapshot = False  # True: add the list as a weekly snapshot after the workspace's newest
        self.headers: list[str] = []
        self.sample: dict[str, np.ndarray] = {}  # header -> its first SAMPLE_ROWS values
        self.field_boxes: dict[str, QComboBox] = {}
        self._import_task: Task | None = None
        self._close_when_stopped = False
        self.setWindowTitle(f"Open waiting list: {self.path.name}")
        self.setAccessibleName("Open waiting list")
        self._build()
        self._fill_sheets([])
        self.load_preview(sheet=None)  # the reader picks the first sheet with data; the box follows

    # Steps the user takes ---------------------------------------------------
    def load_preview(self, sheet: str | None = None) -> None:
        """Read the header and first rows of a sheet (default: the one chosen) on the worker."""
        self.preview_state.setText("Reading the first rows…")
        self.import_button.setEnabled(False)
        sheet = self.chosen_sheet() if sheet is None and self.headers else sheet
        with_sheets = self.sheet_box.count() == 0  # opening a workbook can take a moment: off the GUI thread too
        read = partial(readers.preview_with_sheets, self.path, sheet, self.header_row(), with_sheets, SAMPLE_ROWS)
        task = self.compute.submit(read, lane="preview", description="Reading the first rows")
        task.finished.connect(self._on_preview_ready)
        task.failed.connect(self._on_preview_failed)

    def chosen_sheet(self) -> str | None:
        return self.sheet_box.currentText() if self.sheet_box.count() else None

    def mapping(self) -> dict[str, str]:
        """Canonical field -> source header, as the combo boxes show it now."""
        chosen = {name: box.currentData() for name, box in self.field_boxes.items()}
        return {name: header for name, header in chosen.items() if header}

    def set_field(self, name: str, header: str | None) -> None:
        """Map a field to a header (``None``: not in this file), as if chosen in its box."""
        box = self.field_boxes[name]
        box.setCurrentIndex(max(0, box.findData(header)) if header else 0)

    def census_date(self) -> date | None:
        """The census date typed or suggested; None while the field holds no date."""
        return self.census.date().toPython() if self.census.date().isValid() else None

    def header_row(self) -> int | None:
        """The 1-based row holding the headers, or None to let the reader find it."""
        return self.header_box.value() or None

    def start_import(self) -> None:
        """Import with the mapping shown; progress shows below, Cancel stops it."""
        missing = mapping_rules.missing_required(self.mapping())
        if missing or self._import_task is not None or self.census_date() is None:
            return
        work = partial(import_file, self.path, self.workspace_path, sheet=self.chosen_sheet(),
                       overrides=self._overrides(), census_date=self.census_date(), header_row=self.header_row(),
                       pseudonymise=self.pseudonymise.isChecked(), deprivation_edition=self.deprivation_edition(),
                       snapshot=self.snapshot)
        self._import_task = task = self.database.submit(work, lane="import", description=f"Importing {self.path.name}")
        task.progress.connect(self._on_import_progress)
        task.finished.connect(self._on_imported)
        task.failed.connect(self._on_import_failed)
        task.cancelled.connect(self._on_import_cancelled)
        task.ended.connect(self._on_import_ended)
        self._set_running(True)

    def cancel_import(self) -> None:
        """Stop a running import; the workspace stays as it was."""
        if self._import_task is not None:
            self.status.setText("Cancelling…")
            self._import_task.cancel()

    def save_profile(self, name: str | None = None) -> None:
        """Save the mapping shown under a name, to reuse for the next extract of this kind."""
        if name is None:
            name, ok = QInputDialog.getText(self, "Save mapping profile", "Name for this column mapping:")
            if not ok:
                return
        name = name.strip()
        if not name:
            return
        try:
            mapping_rules.save_profile(name, self.mapping())
        except WorkbenchError as error:
            self.status.setText(str(error))
            return
        settings.set_value(settings.PROFILE_KEY, name)
        self._fill_profiles(select=name)
        self.status.setText(f"Saved the mapping as '{name}'.")

    def apply_profile(self, name: str) -> bool:
        """Use a saved mapping; fields whose column this file lacks are left unmapped.

        Returns False (and changes nothing) if the profile cannot be read.
        """
        try:
            profile = mapping_rules.load_profile(name)
        except WorkbenchError as error:
            self.status.setText(str(error))
            return False
        for field in self.field_boxes:
            self.set_field(field, profile.get(field) if profile.get(field) in self.headers else None)
        settings.set_value(settings.PROFILE_KEY, name)
        absent = [h for h in profile.values() if h not in self.headers]
        note = f" This file has no column {', '.join(repr(h) for h in absent)}." if absent else ""
        self.status.setText(f"Using the mapping profile '{name}'.{note}")
        return True

    # Qt overrides ----------------------------------------------------------
    def reject(self) -> None:
        """Esc, Cancel or the close button: stop a running import first, then close."""
        if self._import_task is not None:
            self._close_when_stopped = True
            self.cancel_import()
            return
        super().reject()

    # Slots -------------------------------------------------------------------
    def _on_sheet_chosen(self) -> None:
        self.load_preview(self.chosen_sheet())

    def _on_preview_ready(self, result) -> None:
        sheets, table = result
        if sheets:
            self._fill_sheets(sheets)
        self.headers = list(table.headers)
        self.sample = dict(zip(table.headers, table.columns))
        if table.sheet is not None:
            self.sheet_box.blockSignals(True)
            self.sheet_box.setCurrentIndex(max(0, self.sheet_box.findText(table.sheet)))
            self.sheet_box.blockSignals(False)
        self.preview_model.set_table(table.headers, [column[:PREVIEW_ROWS] for column in table.columns])
        self._fill_field_boxes(mapping_rules.detect_mapping(self.headers, list(table.columns)))
        self.preview_state.setText(self._preview_note(table))
        self._use_last_profile()
        self._on_mapping_changed()

    def _preview_note(self, table) -> str:
        if len(table) == 0:
            other = " Choose another sheet above." if self.sheet_box.count() > 1 else ""
            return f"There are no rows under the header row of this {'sheet' if table.sheet else 'file'}.{other}"
        where = f" (headers found on row {table.header_row})" if table.header_row and table.header_row > 1 else ""
        return (f"The first {min(PREVIEW_ROWS, len(table)):,} rows as read{where}. "
                "Each column's heading shows the field it is used for.")

    def _on_preview_failed(self, message: str) -> None:
        self.preview_state.setText(message)
        self.status.setText("This file cannot be imported as it is: see the message above.")
        self.import_button.setEnabled(False)

    def _on_mapping_changed(self) -> None:
        mapping = self.mapping()
        self.preview_model.set_mapping(mapping)
        missing = mapping_rules.missing_required(mapping) if self.headers else list(REQUIRED_FIELDS)
        if missing:
            names = ", ".join(column_label(m) for m in missing)
            self.required_note.setText(f"<b>Still needed:</b> choose the column that holds {escape(names, quote=False)}. "
                                       "The list cannot be used without it.")
        else:
            self.required_note.setText("Every required field has a column. Check the others, then Import.")
        self._show_empty_columns(mapping)
        self._suggest_census_date(mapping)
        self._enable_import()

    def _enable_import(self) -> None:
        ready = not mapping_rules.missing_required(self.mapping()) and bool(self.headers) and self.census_date() is not None
        self.import_button.setEnabled(ready and self._import_task is None)

    def _show_empty_columns(self, mapping: dict[str, str]) -> None:
        """Warn about mapped columns with (almost) nothing in the rows read."""
        shares = {field: mapping_rules.blank_share(self.sample[header]) for field, header in mapping.items()
                  if header in self.sample}
        warnings = mapping_rules.nearly_empty(mapping, shares, sample=SAMPLE_ROWS if self._file_is_sampled() else None)
        self.empty_note.setText("<br>".join(f"<b>Check:</b> {escape(w, quote=False)}" for w in warnings))
        self.empty_note.setVisible(bool(warnings))

    def _on_profile_chosen(self, position: int) -> None:
        name = self.profile_box.itemData(position)
        if name:
            self.apply_profile(name)

    def _on_import_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        self.status.setText(message)

    def _on_imported(self, result: ImportResult) -> None:
        self.result = result
        self.imported.emit(result)

    def _on_import_failed(self, message: str) -> None:
        self.status.setText(message)

    def _on_import_cancelled(self) -> None:
        self.status.setText("Import cancelled: nothing was changed.")

    def _on_import_ended(self) -> None:
        self._import_task = None
        self._set_running(False)
        if self.result is not None:
            self.accept()
        elif self._close_when_stopped:
            super().reject()

    # Helpers -----------------------------------------------------------------
    def _overrides(self) -> dict[str, str]:
        """Every field as the user left it: a header, or '' (unmapped) where they chose 'not in this file'."""
        return {name: box.currentData() or "" for name, box in self.field_boxes.items()}

    def _fill_sheets(self, sheets: list[str]) -> None:
        self.sheet_box.blockSignals(True)
        self.sheet_box.addItems(sheets)
        self.sheet_box.blockSignals(False)
        self.sheet_label.setVisible(len(sheets) > 1)
        self.sheet_box.setVisible(len(sheets) > 1)

    def _fill_field_boxes(self, detected: dict[str, str]) -> None:
        samples = self.sample
        for name, box in self.field_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_IN_FILE, None)
            for header in self.headers:
                box.addItem(header, header)
                box.setItemData(box.count() - 1, mapping_rules.example_values(samples.get(header)), Qt.ItemDataRole.ToolTipRole)
            box.setCurrentIndex(max(0, box.findData(detected.get(name))) if detected.get(name) else 0)
            box.blockSignals(False)

    def _use_last_profile(self) -> None:
        """Preselect the last profile, and apply it when every column it names is in this file."""
        last = settings.get_value(settings.PROFILE_KEY)
        self._fill_profiles(select=last)
        if not last:
            return
        try:
            profile = mapping_rules.load_profile(last)
        except WorkbenchError:
            return
        if profile and all(h in self.headers for h in profile.values()):
            self.apply_profile(last)

    def _fill_profiles(self, select: str | None = None) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        self.profile_box.addItem("(choose a saved mapping)", None)
        for name in mapping_rules.list_profiles():
            self.profile_box.addItem(name, name)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(select)) if select else 0)
        self.profile_box.blockSignals(False)

    def _suggest_census_date(self, mapping: dict[str, str]) -> None:
        """The file's census date if it has a column for it; else ask, suggesting the file's
        date or its latest clock start (never simply today). A date the user typed stays."""
        if self._census_touched or not self.headers:
            return
        header = mapping.get("census_date")
        known = self._dates_in(header)
        if len(known):
            values, counts = np.unique(known, return_counts=True)
            self._put_census(values[np.argmax(counts)].astype(date), "From the file's census date column.")
            return
        latest = self._dates_in(mapping.get("wait_start"))
        suggested, why = suggested_census_date(latest_date(latest) if len(latest) else None, file_date(self.path))
        sampled = f" (of the first {SAMPLE_ROWS:,} rows)" if self._file_is_sampled() else ""
        ask = "This file has no census date: waits are counted to the date here, so check it."
        self._put_census(suggested, f"{ask} Suggested: {why}{sampled}." if suggested else f"{ask} Type the date the list was taken.")

    def _file_is_sampled(self) -> bool:
        """Whether the rows read are only the first of a longer file."""
        return len(next(iter(self.sample.values()), [])) >= SAMPLE_ROWS

    def _dates_in(self, header: str | None) -> np.ndarray:
        """The dates read from a column of the sample (none for a column not in the file)."""
        if not header or header not in self.sample:
            return np.empty(0, dtype="datetime64[D]")
        parsed = parse_dates(self.sample[header]).dates
        return parsed[~np.isnat(parsed)]

    def _put_census(self, day: date | None, note: str) -> None:
        self.census.blockSignals(True)
        if day is None:
            self.census.clear()
        else:
            self.census.setDate(day)
        self.census.blockSignals(False)
        self._set_census_note(note)

    def _set_running(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.progress_bar.setValue(0)
        for widget in (self.settings_area, self.preview_table, self.sheet_box, self.profile_box, self.save_profile_button,
                       self.header_box, self.census, self.pseudonymise, self.edition):
            widget.setEnabled(not running)
        self._enable_import()
        self.cancel_button.setText("Cancel import" if running else "Cancel")
        self.cancel_button.setAccessibleName("Cancel import" if running else "Cancel")

    # Building ------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._file_row())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._preview_box())
        splitter.addWidget(self._settings_box())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([4, 5])  # proportions: the preview should show a good number of rows
        layout.addWidget(splitter, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Import status")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setAccessibleName("Import progress")
        self.progress_bar.hide()
        layout.addWidget(self.status)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self._buttons())
        width = self.fontMetrics().averageCharWidth()
        self.resize(width * 130, self.fontMetrics().height() * 48)

    def _file_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        name = QLabel(f"<b>{escape(self.path.name, quote=False)}</b>")
        name.setToolTip(str(self.path))
        row.addWidget(name)
        row.addStretch(1)
        self.sheet_label = QLabel("&Sheet:")
        self.sheet_box = QComboBox()
        self.sheet_box.setAccessibleName("Sheet")
        self.sheet_label.setBuddy(self.sheet_box)
        self.sheet_box.currentIndexChanged.connect(self._on_sheet_chosen)
        row.addWidget(self.sheet_label)
        row.addWidget(self.sheet_box)
        header_label = QLabel("&Header row:")
        self.header_box = QSpinBox()
        self.header_box.setRange(0, 30)
        self.header_box.setSpecialValueText("Found automatically")
        self.header_box.setAccessibleName("Header row")
        self.header_box.setToolTip("The row that holds the column names, if the automatic choice is wrong")
        self.header_box.valueChanged.connect(lambda _value: self.load_preview(self.chosen_sheet()))
        header_label.setBuddy(self.header_box)
        row.addWidget(header_label)
        row.addWidget(self.header_box)
        return row

    def _preview_box(self) -> QGroupBox:
        box = QGroupBox("First rows of the file")
        self.preview_state = QLabel()
        self.preview_state.setWordWrap(True)
        self.preview_model = PreviewModel(self)
        self.preview_table = QTableView()
        self.preview_table.setTabKeyNavigation(False)  # Tab goes on to the next control; arrows move in the table
        self.preview_table.setAccessibleName("Preview of the first rows")
        self.preview_table.setModel(self.preview_model)
        self.preview_table.setWordWrap(False)
        self.preview_table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        # Twenty rows: fitting every column to its cells and two-line heading costs nothing.
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.preview_table.setMinimumHeight(self.fontMetrics().height() * 9)
        layout = QVBoxLayout(box)
        layout.addWidget(self.preview_state)
        layout.addWidget(self.preview_table, 1)
        return box

    def _settings_box(self) -> QWidget:
        box = QGroupBox("Which column holds what")
        layout = QVBoxLayout(box)
        layout.addLayout(self._profile_row())
        self.required_note = QLabel()
        self.required_note.setWordWrap(True)
        self.required_note.setAccessibleName("Required fields")
        layout.addWidget(self.required_note)
        self.empty_note = QLabel()
        self.empty_note.setWordWrap(True)
        self.empty_note.setAccessibleName("Columns with nothing in them")
        self.empty_note.hide()
        layout.addWidget(self.empty_note)
        self.settings_area = QScrollArea()
        self.settings_area.setWidgetResizable(True)
        self.settings_area.setWidget(self._field_grid())
        layout.addWidget(self.settings_area, 1)
        layout.addLayout(self._census_row())
        return box

    def _profile_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("Mapping pro&file:")
        self.profile_box = QComboBox()
        self.profile_box.setAccessibleName("Mapping profile")
        self.profile_box.setToolTip("A column mapping saved earlier for extracts like this one")
        self.profile_box.setMinimumContentsLength(24)
        self.profile_box.activated.connect(self._on_profile_chosen)
        label.setBuddy(self.profile_box)
        self.save_profile_button = QPushButton("Save mapping &as…")
        self.save_profile_button.setAccessibleName("Save mapping as profile")
        self.save_profile_button.clicked.connect(lambda: self.save_profile())
        row.addWidget(label)
        row.addWidget(self.profile_box)
        row.addWidget(self.save_profile_button)
        row.addStretch(1)
        return row

    def _field_grid(self) -> QWidget:
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        fields = list(CANONICAL_FIELDS)
        half = (len(fields) + 1) // 2
        for position, name in enumerate(fields):
            column, row = divmod(position, half)
            required = name in REQUIRED_FIELDS
            label = QLabel(f"{column_label(name)}{' (required)' if required else ''}:")
            if required:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            box = QComboBox()
            box.setAccessibleName(f"Column for {column_label(name)}")
            box.setToolTip(FIELD_HELP.get(name, column_label(name)))
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(18)
            box.currentIndexChanged.connect(self._on_mapping_changed)
            label.setBuddy(box)
            self.field_boxes[name] = box
            grid.addWidget(label, row, column * 2)
            grid.addWidget(box, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return grid_widget

    def _census_row(self) -> QFormLayout:
        form = QFormLayout()
        self.census = DateField()
        self.census.setAccessibleName("Census date")
        self.census.setToolTip("Weeks waited are counted up to this date: type it as dd/mm/yyyy")
        self._census_touched = False
        self.census.dateChanged.connect(self._on_census_edited)
        self.census.textChanged.connect(lambda _text: self._enable_import())
        self.census_note = QLabel("From the file's census date column, or suggested once the file is read.")
        self.census_note.setWordWrap(True)
        self.census_note.setAccessibleName("About the census date")
        row = QHBoxLayout()
        row.addWidget(self.census)
        row.addWidget(self.census_note, 1)
        label = QLabel("&Census date:")
        label.setBuddy(self.census)
        form.addRow(label, row)
        self.pseudonymise = QCheckBox("&Pseudonymise: code NHS and hospital numbers, leave out names, addresses "
                                      "and other identifiers")
        self.pseudonymise.setToolTip("Leaves out names, addresses, phone numbers, e-mail addresses, postcodes, dates "
                                     "of birth and free text. The codes' key is kept in your own data folder, never in "
                                     "the workspace: someone with the workspace alone cannot turn a code back into a "
                                     "number.")
        self.pseudonymise.setAccessibleName("Pseudonymise")
        form.addRow("", self.pseudonymise)
        edition = self._edition_box()
        label = QLabel("&Deprivation index:")
        label.setBuddy(edition)
        form.addRow(label, edition)
        return form

    def _edition_box(self) -> QComboBox:
        self.edition = QComboBox()
        self.edition.setAccessibleName("Deprivation index")
        for year, edition in EDITIONS.items():
            self.edition.addItem(f"{edition.words}: {'current' if year == CURRENT else 'previous'}", year)
        self.edition.setToolTip(
            "Each nation's own index gives its patients' deprivation deciles. The current edition is on 2021 areas: "
            "2011 LSOA codes are carried to 2021 through the ONS best-fit lookup (the previous edition, on 2011 areas, "
            "carries 2021 codes back). Deciles of different nations are never compared or pooled.")
        return self.edition

    def deprivation_edition(self) -> str:
        """The edition of the deprivation indices chosen: "2025" (current) or "2019"."""
        return self.edition.currentData()

    def _on_census_edited(self) -> None:
        self._census_touched = True
        self._set_census_note("Chosen by you.")

    def _set_census_note(self, where_from: str) -> None:
        """Where the census date came from, and a warning when it is old (waits would look shorter)."""
        census = self.census_date()
        age = 0 if census is None else (date.today() - census).days
        if age <= STALE_CENSUS_DAYS:
            self.census_note.setText(escape(where_from, quote=False))
            return
        self.census_note.setText(f"{escape(where_from, quote=False)} <b>That is {age:,} days ago: waits are counted to it, "
                                 "so they will look shorter than they are today.</b>")

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import")
        self.import_button.setDefault(True)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        # Not the button box's accepted/rejected: Import starts work, Cancel may stop work first.
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        return buttons

    def _on_cancel_clicked(self) -> None:
        """During an import the button stops it and the dialog stays open to try again."""
        if self._import_task is not None:
            self.cancel_import()
        else:
            self.reject()
