"""How the app copes with a million-row list: open time and the longest GUI stall.

Not a test: prints figures. Builds (once, cached in the temp folder) a workspace
of N synthetic rows through the Workspace API, then, with a real window:

- times building the main window, then opening the workspace in it to a usable
  window (the list's first rows and summary computed and painted; target under
  2 s), three times, printing the median and the sum with the window build (what
  starting the app with the file costs);
- scrolls the table in steps through the event loop and sorts by several
  columns, filters and searches, while a QTimer ticking every 10 ms records the
  longest gap between ticks: the longest time the GUI thread could not respond
  (target under 100 ms).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [ROWS] [--part1-only]``

``--part1-only`` leaves out the prioritisation panels (part 2), which rank the
list and redraw their charts whenever it loads or its filters change, so the
figures of the list view itself can be told apart from theirs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_DATA_DIR", str(Path(tempfile.gettempdir()) / "workbench-bench-data"))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from workbench.check import validation  # noqa: E402
from workbench.check.enrich import enrich  # noqa: E402
from workbench.fields import CANONICAL_FIELDS, FIELD_KINDS, WaitingList, empty_column  # noqa: E402
from workbench.store.workspace import Workspace  # noqa: E402

CENSUS = date(2026, 3, 31)
TICK_MS = 10
OPENS = 3  # opens timed; the median is printed (this machine is noisy)


def synthetic_list(rows: int, seed: int = 7) -> WaitingList:
    """A list with realistic spreads of specialty, priority, site and waits, and some bad values."""
    rng = np.random.default_rng(seed)
    columns = {name: empty_column(kind, rows) for name, kind in CANONICAL_FIELDS.items()}
    waits = rng.gamma(2.0, 80.0, rows).astype(np.int64)
    columns["wait_start"] = np.datetime64(CENSUS) - waits.astype("timedelta64[D]")
    columns["pathway_id"] = np.array([f"RTT{n:09d}" for n in rng.permutation(rows)], dtype=object)
    columns["nhs_number"] = _nhs_numbers(rng, rows)
    columns["specialty"] = rng.choice(np.array(["100", "101", "110", "120", "130", "140", "301", "330", "502"], dtype=object), rows)
    priorities = np.array(["P1a", "P1b", "P2", "P3", "P4", "P5", "P6", None], dtype=object)
    columns["clinical_priority"] = rng.choice(priorities, rows, p=[0.01, 0.02, 0.15, 0.35, 0.3, 0.05, 0.02, 0.1])
    columns["site"] = rng.choice(np.array(["North General", "South Infirmary", "Community Hub"], dtype=object), rows)
    columns["age"] = rng.integers(0, 100, rows).astype(np.float64)
    columns["sex"] = rng.choice(np.array(["1", "2", "X"], dtype=object), rows)
    columns["ethnic_category"] = rng.choice(np.array(list("ABCDHJKLMNRSZ"), dtype=object), rows)
    columns.update(enrich(columns, CENSUS))
    for name, kind in FIELD_KINDS.items():
        columns.setdefault(name, empty_column(kind, rows))
    source = {"Pathway ID": columns["pathway_id"].copy(), "Specialty": columns["specialty"].copy()}
    return WaitingList(np.arange(1, rows + 1, dtype=np.int64), columns, source, CENSUS)


def _nhs_numbers(rng, rows: int) -> np.ndarray:
    digits = rng.integers(0, 10, (rows, 9))
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0
    check[check == 10] = 0  # a few invalid numbers, like real lists
    text = np.concatenate([digits, check[:, None]], axis=1).astype("U1")
    return np.array(["".join(r) for r in text], dtype=object)


def build_workspace(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"workbench-bench-{rows}.sqlite"
    if path.exists():
        return path
    started = time.perf_counter()
    wl = synthetic_list(rows)
    findings = validation.validate(wl, {name: name for name in CANONICAL_FIELDS})
    record = {"file_name": f"synthetic-{rows}.csv", "sha256": "0" * 64, "rows_read": rows, "rows_stored": rows,
              "mapping": {}, "census_date": CENSUS}
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    with Workspace.create(partial) as workspace:
        workspace.replace_list(wl, findings, record)
    partial.rename(path)
    print(f"built {rows:,}-row workspace in {time.perf_counter() - started:.1f} s: {path}")
    return path


class StallMeter:
    """The longest gap between ticks of a 10 ms timer while it runs."""

    def __init__(self):
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.longest = 0
        self.gaps: list[int] = []

    def __enter__(self) -> "StallMeter":
        self.longest = 0
        self.gaps = []
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()
        self.longest = max(self.longest, self.clock.elapsed())  # the gap after the last tick counts too

    def _tick(self) -> None:
        gap = self.clock.restart()
        self.gaps.append(gap)
        self.longest = max(self.longest, gap)

    @property
    def over_target(self) -> int:
        """How many gaps exceeded 100 ms."""
        return sum(gap > 100 for gap in self.gaps)


def wait_for(app: QApplication, done, timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while not done():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the app did not finish in time")
    return time.perf_counter() - started


def main(rows: int, part1_only: bool = False) -> None:
    path = build_workspace(rows)
    print(f"{rows:,} rows; {machine_load()}; {'list view only' if part1_only else 'whole app'}")
    app = QApplication.instance() or QApplication(sys.argv)
    if part1_only:
        import ui.prioritisation

        ui.prioritisation.install_prioritisation = lambda window: None
    from ui.main_window import MainWindow
    from workbench.store.workspace_files import SAVED, WorkspaceFile

    started = time.perf_counter()
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    built = time.perf_counter() - started
    summaries = []
    window.list_panel.summaryChanged.connect(summaries.append)
    opens, stalls = [], []
    for _ in range(OPENS):  # the same file again: each open replaces the list, as File > Open does
        summaries.clear()
        with StallMeter() as meter:
            started = time.perf_counter()
            window.show_workspace(WorkspaceFile(path, SAVED))
            wait_for(app, lambda: summaries and summaries[-1] is not None)
            app.processEvents()  # and painted: the list on screen, not only computed
            opens.append(time.perf_counter() - started)
        stalls.append(meter.longest)
        settled = settle(app)
    opened = statistics.median(opens)
    print(f"main window built in {built:.2f} s")
    print(f"open {rows:,} rows to a usable window: {opened:.2f} s median of {OPENS} "
          f"({', '.join(f'{t:.2f}' for t in opens)}); with the window built first {built + opened:.2f} s "
          f"(target < 2 s); longest stall while opening {statistics.median(stalls):.0f} ms median")
    print(f"background work after opening (e.g. the prioritisation preview) settled after {settled:.1f} s more")
    scroll(app, window)
    for name, descending in [("weeks_waited", True), ("pathway_id", False), ("specialty", False), ("pathway_id", True), ("wait_start", False)]:
        timed(app, window, f"sort by {name}{' (descending)' if descending else ''}",
              lambda n=name, d=descending: window.list_panel.sort_by(n, d), summaries)
    timed(app, window, "filter by site", lambda: window.list_panel.set_filter("site", "North General"), summaries)
    timed(app, window, "filter by finding", lambda: window.list_panel.set_finding("nhs_number_invalid"), summaries)
    timed(app, window, "search NHS number '943'", lambda: window.list_panel.set_search("943"), summaries)
    timed(app, window, "clear filters", window.list_panel.clear_filters, summaries)
    window.close()


def settle(app: QApplication, quiet_seconds: float = 2.0, limit: float = 120.0) -> float:
    """Run the event loop until no gap over 50 ms has been seen for ``quiet_seconds``; returns the time taken."""
    started = time.perf_counter()
    with StallMeter() as meter:
        quiet_since = time.perf_counter()
        while time.perf_counter() - quiet_since < quiet_seconds and time.perf_counter() - started < limit:
            seen = len(meter.gaps)
            app.processEvents()
            time.sleep(0.005)
            if any(gap > 50 for gap in meter.gaps[seen:]):
                quiet_since = time.perf_counter()
    return time.perf_counter() - started


def scroll(app: QApplication, window) -> None:
    bar = window.list_panel.table.verticalScrollBar()
    steps = 300
    with StallMeter() as meter:
        started = time.perf_counter()
        for step in range(steps + 1):
            bar.setValue(int(bar.maximum() * step / steps))
            app.processEvents()
        elapsed = time.perf_counter() - started
    print(f"scroll top to bottom in {steps} steps: {elapsed * 1000 / steps:.1f} ms a step; longest stall {meter.longest} ms "
          f"(target < 100 ms; {meter.over_target} of {len(meter.gaps)} gaps over 100 ms)")


def timed(app: QApplication, window, label: str, action, summaries: list) -> None:
    before = len(summaries)
    with StallMeter() as meter:
        started = time.perf_counter()
        action()
        wait_for(app, lambda: len(summaries) > before)
        elapsed = time.perf_counter() - started
    print(f"{label}: ready in {elapsed * 1000:.0f} ms; longest stall {meter.longest} ms (target < 100 ms)")


def machine_load() -> str:
    """Other work on the machine inflates every figure: say how busy it was."""
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 1_000_000, "--part1-only" in sys.argv)
