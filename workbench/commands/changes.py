"""``workbench changes --workspace WS``: who joined and left between two snapshots, and how; whose priority
or wait start changed. Counts by group (small numbers hidden unless ``--no-suppress``, always in ``--out``);
``--out`` also lists every pathway behind them."""

from __future__ import annotations

from workbench.changes import COUNTED, LEFT, LEFT_ROUTES, changes_between, write_changes
from workbench.commands._tables import add_by_argument, add_table_arguments, check_out, show
from workbench.commands.import_ import iso_date
from workbench.suppression import DEFAULT_THRESHOLD
from workbench.workspace import Workspace

NAME = "changes"
HELP = "What changed between two snapshots: joined, left (by clock stop, validation, no record), priority and wait start changes."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--from", dest="earlier", type=iso_date, help="census date of the earlier snapshot, YYYY-MM-DD "
                                                                         "(default: the one before the later)")
    parser.add_argument("--to", dest="later", type=iso_date, help="census date of the later snapshot (default: the newest)")
    add_by_argument(parser)
    add_table_arguments(parser, "counts and the pathways behind them")


def run(args) -> int:
    check_out(args.out, "changes")
    with Workspace.open(args.workspace) as workspace:
        changes = changes_between(workspace, args.earlier, args.later, args.by)
    return show(args, changes.summary(None), changes.summary(DEFAULT_THRESHOLD),
                lambda path, _safe: write_changes(path, changes), _print)


def _print(summary: dict) -> None:
    totals, earlier, later = summary["totals"], summary["earlier"], summary["later"]
    print(f"From the snapshot of {_uk(earlier['census_date'])} ({summary['waiting']['earlier']:,} waiting) to "
          f"{_uk(later['census_date'])} ({summary['waiting']['later']:,} waiting); matched by pathway ID "
          f"{summary['matched']['pathway ID']:,}, by NHS number and specialty {summary['matched']['NHS number and specialty']:,}")
    print(f"Joined {_n(totals['joined'])}; left {_n(totals[LEFT])}: "
          + ", ".join(f"{route[6:]} {_n(totals[route])}" for route in LEFT_ROUTES))
    print(f"Priority changed {_n(totals['priority changed'])}; wait start changed {_n(totals['wait start changed'])}; "
          f"NHS number changed on the same pathway ID {_n(totals['NHS number changed'])}")
    print(f"{'group':<40}" + "".join(f"{c[:12]:>13}" for c in COUNTED))
    for group in summary["groups"]:
        print(f"{group['group'][:39]:<40}" + "".join(f"{_n(group[c]):>13}" for c in COUNTED))
    if summary["out"]:
        print(f"The pathways behind these counts are in {summary['out']}")


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _uk(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
