"""Fixtures for the app's tests: a private data folder and small lists built in memory."""

from datetime import date

import numpy as np
import pytest

from ui import errors
from workbench.fields import FIELD_KINDS, WaitingList, empty_column


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """Every UI test gets its own data folder (and so its own settings and log)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def shown_errors(monkeypatch):
    """The error dialogs the app would show, as a list of their messages (no dialog opens)."""
    seen = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message, title="": seen.append(message))
    return seen


def make_list(n=6, census=date(2026, 3, 31)):
    """A small typed waiting list; row i started waiting 10*i weeks before the census (up to 1,000 weeks)."""
    starts = np.datetime64(census) - (np.arange(n) % 100 * 70).astype("timedelta64[D]")
    columns = {name: empty_column(kind, n) for name, kind in FIELD_KINDS.items()}
    columns.update(
        pathway_id=np.array([f"PW{i:04d}" for i in range(n)], dtype=object),
        nhs_number=np.array(["9434765919", "9876543210", None, "4000000632", "9434765918", "943476591"][:n] + [None] * max(0, n - 6), dtype=object),
        specialty=np.array([["110", "120", "130"][i % 3] for i in range(n)], dtype=object),
        clinical_priority=np.array([["P2", "P3", "P4", None][i % 4] for i in range(n)], dtype=object),
        site=np.array([["North", "South"][i % 2] for i in range(n)], dtype=object),
        wait_start=starts,
        weeks_waited=(np.arange(n) % 100) * 10.0,
    )
    source = {"Pathway": columns["pathway_id"].copy()}
    return WaitingList(row_id=np.arange(1, n + 1, dtype=np.int64), columns=columns, source=source, census_date=census)


@pytest.fixture
def small_list():
    return make_list()
