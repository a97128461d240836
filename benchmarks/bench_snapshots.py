"""A year of weekly snapshots of a 100,000-row list: how big the workspace grows, how fast the trends open.

Run: python benchmarks/bench_snapshots.py [rows] [weeks]   (default 100000 52)

Makes the weekly WLMDS lists of ``workbench.demo_weeks`` (the demo list aged
week by week: treated, validated off, new referrals), imports each into one
workspace with ``--snapshot`` (and records each week's returned worklist of
outcomes), then prints:

- the workspace's size on disk (``workspace_file_mb``), and what its lists
  take in it (the current list and every earlier snapshot's differences)
  against the same lists each stored whole, as a workspace stores its current
  list (the sum of each week's list's size, measured at its import):
  ``lists_stored_mb``, ``whole_lists_mb`` and their ratio;
- the time to open the trends (``trend_figures`` by IMD fifth over every
  snapshot), median of 3, against reading every snapshot whole;
- the time of the tables below the app's Trends chart (what changed between
  the newest two snapshots, and the validation audit over the year), median of 3;
- the median time of one snapshot import, against importing the same file
  into a workspace of its own.

Each week's file is removed once imported (52 files of 100k rows are 1 GB).
"""

from __future__ import annotations

import statistics
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from workbench.demo import write_frame
from workbench.demo_weeks import weekly_lists
from workbench.store.importer import import_file
from workbench.store.outcomes import record_file
from workbench.store.snapshots import read_snapshots
from workbench.compare.trends import changes_and_audit, trend_figures
from workbench.store.workspace import Workspace

RUNS = 3
MB = 1024 * 1024


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def stored_bytes(path: Path, what: str = "list_columns") -> int:
    """The bytes of the current list's columns, or ("snapshots") of every earlier snapshot's differences."""
    query = {"list_columns": "SELECT sum(length(data)) FROM list_columns",
             "snapshots": "SELECT (SELECT coalesce(sum(length(data)), 0) FROM snapshot_columns)"
                          " + (SELECT coalesce(sum(length(carry)), 0) FROM snapshots)"}[what]
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchone()[0]
    finally:
        connection.close()


def build(folder: Path, rows: int, weeks: int) -> tuple[Path, list[float], list[float], int]:
    """The workspace of ``weeks`` snapshots; snapshot import times, alone-import times (every 13th week),
    and the sum of every week's list stored whole."""
    workspace = folder / "year.sqlite"
    imports, alone, whole = [], [], 0
    for number, week in enumerate(weekly_lists(rows=rows, weeks=weeks, start=weekly_start())):
        listed = folder / f"list-{week.census_date.isoformat()}.csv"
        write_frame(listed, week.frame, iso=True)
        imports.append(timed(lambda: import_file(listed, workspace, snapshot=True)))
        whole += stored_bytes(workspace)
        if number % 13 == 0:
            single = folder / "alone.sqlite"
            alone.append(timed(lambda: import_file(listed, single)))
            single.unlink()
        if len(week.returned):
            write_frame(folder / "back.csv", week.returned)
            record_file(folder / "back.csv", workspace)
        listed.unlink()
        print(f"week {number + 1}: {week.census_date} {len(week.frame):,} rows, import {imports[-1]:.2f} s", file=sys.stderr)
    return workspace, imports, alone, whole


def weekly_start() -> date:
    """The first census a year before today, so that every outcome date is in the past."""
    return date.today() - timedelta(weeks=52)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    weeks = int(sys.argv[2]) if len(sys.argv) > 2 else 52
    with tempfile.TemporaryDirectory() as folder:
        workspace, imports, alone, whole = build(Path(folder), rows, weeks)
        size = workspace.stat().st_size
        stored = stored_bytes(workspace) + stored_bytes(workspace, "snapshots")
        with Workspace.open(workspace) as ws:
            trends = [timed(lambda: trend_figures(ws, "imd_quintile")) for _ in range(RUNS)]
            every_column = timed(lambda: list(read_snapshots(ws)))
        tables = [timed(lambda: changes_and_audit(workspace, "imd_quintile")) for _ in range(RUNS)]
    print(f"snapshots={weeks} rows={rows}")
    print(f"workspace_file_mb={size / MB:.1f} lists_stored_mb={stored / MB:.1f} whole_lists_mb={whole / MB:.1f} "
          f"ratio={stored / whole:.3f}")
    print(f"trends_open_median_s={statistics.median(trends):.2f} (runs {', '.join(f'{t:.2f}' for t in trends)}) "
          f"reading_every_snapshot_whole_s={every_column:.2f} ratio={statistics.median(trends) / every_column:.2f}")
    print(f"changes_and_audit_median_s={statistics.median(tables):.2f}")
    print(f"snapshot_import_median_s={statistics.median(imports):.2f} import_alone_median_s={statistics.median(alone):.2f} "
          f"ratio={statistics.median(imports) / statistics.median(alone):.2f}")


if __name__ == "__main__":
    main()
