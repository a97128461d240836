"""Our xlsx writer against the xlsxwriter library on the ranked export's 100k rows.

Run: ``python benchmarks/bench_xlsx.py [--rows 100000] [--repeats 3]``

Needs ``pip install -c packaging/constraints.txt xlsxwriter`` (not a dependency of
the app: this benchmark is what decided that). Imports a demo list the usual way,
ranks it, and writes the same cells (every column of the ranked export, each
through ``safe_cell``, dates as dates formatted dd/mm/yyyy, a bold frozen header
and a filter) with ``workbench.report.xlsx.XlsxWriter`` and with xlsxwriter in its
constant-memory mode, in turn. Prints the medians, the ratio and the file sizes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.demo import write_demo_list  # noqa: E402
from workbench.rank.bundled_rules import treat_in_turn  # noqa: E402
from workbench.rank.ranking import prepare, rank  # noqa: E402
from workbench.rank.rule_file import load_rules  # noqa: E402
from workbench.report.export import ranked_columns  # noqa: E402
from workbench.report.spreadsheet import safe_cell  # noqa: E402
from workbench.report.xlsx import XlsxWriter  # noqa: E402
from workbench.resources import resource_path  # noqa: E402
from workbench.store.importer import import_file  # noqa: E402
from workbench.store.workspace import Workspace  # noqa: E402

CHUNK = 5000


def ranked_cells(rows: int, folder: Path):
    """The ranked export's columns and the list's positions in treatment order."""
    write_demo_list(folder / "demo.csv", rows, seed=7)
    import_file(folder / "demo.csv", folder / "demo.sqlite")
    with Workspace.open(folder / "demo.sqlite") as workspace:
        wl = workspace.load_list()
    rules = load_rules(resource_path("rules", "inclusive-recovery.toml"))
    prepared = prepare(wl)
    scenario, baseline = rank(rules, wl, prepared=prepared), rank(treat_in_turn(), wl, prepared=prepared)
    return ranked_columns(wl, scenario, baseline, rules), scenario.order


def chunks(columns, order):
    for start in range(0, len(order), CHUNK):
        positions = order[start:start + CHUNK]
        yield [cells(positions) for _, _, cells in columns]


def ours(path: Path, columns, order) -> None:
    with XlsxWriter(path) as book:
        book.add_columns("Ranked list", [(header, kind) for header, kind, _ in columns], chunks(columns, order))


def theirs(path: Path, columns, order) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Ranked list")
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, [header for header, _, _ in columns], bold)
    sheet.freeze_panes(1, 0)
    row = 1
    for chunk in chunks(columns, order):
        for values in zip(*chunk):
            for column, value in enumerate(values):
                value = safe_cell(value)
                if isinstance(value, date):
                    sheet.write_datetime(row, column, value, day)
                elif value is not None:
                    sheet.write(row, column, value)
            row += 1
    sheet.autofilter(0, 0, row - 1, len(columns) - 1)
    book.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        columns, order = ranked_cells(args.rows, folder)
        print(f"rows={args.rows} columns={len(columns)}")
        times = {"ours": [], "xlsxwriter": []}
        for _ in range(args.repeats):  # in turn, so a busy spell weighs on both
            for name, write in (("ours", ours), ("xlsxwriter", theirs)):
                start = time.perf_counter()
                write(folder / f"{name}.xlsx", columns, order)
                times[name].append(time.perf_counter() - start)
        for name, seconds in times.items():
            size = (folder / f"{name}.xlsx").stat().st_size
            print(f"{name}_median_s={statistics.median(seconds):.2f} (runs {', '.join(f'{s:.2f}' for s in seconds)}; "
                  f"file {size / 1e6:.1f} MB)")
        ratio = statistics.median(times["xlsxwriter"]) / statistics.median(times["ours"])
        print(f"xlsxwriter_over_ours_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
