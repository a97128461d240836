"""Opening a workspace to look at its list: everything the window shows, worked out off the GUI thread.

:func:`load_workspace` runs on the database worker and does every slow step of
opening (reading the columns, finding rows, filter keys, the first view's
order and summary) so the window only swaps the result in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from workbench.check.deprivation import CURRENT, Linking, link_summary
from workbench.check.validation import count_without_priority
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.store.importer import DEPRIVATION_EDITION_SETTING
from workbench.store.workspace import Workspace
from workbench.store.workspace_files import WorkspaceFile
from workbench.view.columns import problem_codes, shown_columns
from workbench.view.filters import ListIndex, ListQuery
from workbench.view.summary import order_and_summary


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
