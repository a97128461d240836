"""``workbench queues``: the queue table of the app's Capacity tab, per specialty and for all specialties.

Each specialty's queue load, target queue size, relief capacity, pressure and
52-week backlog, worked out from its counts as shown (``workbench.compare.queues``):
the capacity and the new referrals a week are shared out by queue size, as the
app does. Counts are disclosure-controlled unless ``--not-for-publication``.
"""

from __future__ import annotations

from pathlib import Path

from workbench.cli import figure, print_json
from workbench.commands._tables import add_table_arguments, check_out
from workbench.compare.queues import (
    COLUMNS, CapacitySettings, default_capacity, figure_text, load_warnings, queue_table,
)
from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.report.tables import write_table_file
from workbench.store.workspace import Workspace

NAME = "queues"
HELP = "The queue table per specialty: queue load, target queue size, relief capacity, pressure, 52-week backlog."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--capacity-per-week", type=figure,
                        help="patients treated a week, all specialties (default: the whole list in a year, as the app)")
    parser.add_argument("--demand-per-week", type=figure, help="new referrals a week, all specialties")
    parser.add_argument("--target-wait", type=figure, default=18, help="target wait in weeks (18)")
    add_table_arguments(parser, "table")


def run(args) -> int:
    check_out(args.out, "table")
    with Workspace.open(args.workspace) as workspace:
        wl = workspace.load_list()
    capacity = args.capacity_per_week if args.capacity_per_week is not None else default_capacity(len(wl))
    settings = CapacitySettings(capacity, demand_per_week=args.demand_per_week, target_wait_weeks=args.target_wait)
    rows = queue_table(wl, settings, args.small_numbers_shown)
    note = NOT_FOR_PUBLICATION if args.small_numbers_shown else None
    if args.out:
        table = [[row.get(key) for key, _, _ in COLUMNS] for row in rows]
        write_table_file(Path(args.out), "Queues", [title for _, title, _ in COLUMNS], table, note)
    if args.json:
        print_json({"capacity_per_week": capacity, "demand_per_week": args.demand_per_week,
                    "target_wait_weeks": args.target_wait, "not_for_publication": bool(note), "queues": rows})
        return 0
    if note:
        print(note)
    for row in rows:
        print(" | ".join(f"{title}: {figure_text(key, row.get(key), row)}" for key, title, _ in COLUMNS
                         if row.get(key) is not None or key == "relief_capacity" and row.get("relief_words")))
    if load_warnings(rows):
        print(load_warnings(rows))
    return 0
