"""``workbench changes --workspace WS``: who joined and left between two snapshots, and how; whose priority
or wait start changed. Counts by group, disclosure-controlled unless ``--not-for-publication`` (and then each
output says so); ``--out`` also lists every pathway behind them (patient-level, for the team only)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from workbench import formats
from workbench.commands._tables import add_by_argument, add_table_arguments, check_out, show
from workbench.commands.import_ import iso_date
from workbench.compare.changes import COUNTED, LEFT, LEFT_ROUTES, LIST_HEADERS, Changes, changes_between
from workbench.compare.suppression import NOT_FOR_PUBLICATION, disclosure_note, not_for_publication
from workbench.report import spreadsheet
from workbench.report.xlsx import XlsxWriter
from workbench.store.files import replacing
from workbench.store.matching import BY_NHS_NUMBER_AND_SPECIALTY, BY_PATHWAY_ID
from workbench.store.workspace import Workspace

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
    return show(args, changes.summary(args.small_numbers_shown), lambda path, shown: write_changes(path, changes, shown),
                _print)


def _print(summary: dict) -> None:
    totals, earlier, later = summary["totals"], summary["earlier"], summary["later"]
    print(f"From the snapshot of {_uk(earlier['census_date'])} ({_n(summary['waiting']['earlier'])} waiting) to "
          f"{_uk(later['census_date'])} ({_n(summary['waiting']['later'])} waiting); matched by pathway ID "
          f"{_n(summary['matched'][BY_PATHWAY_ID])}, by NHS number and specialty "
          f"{_n(summary['matched'][BY_NHS_NUMBER_AND_SPECIALTY])}")
    print(f"Joined {_n(totals['joined'])}; left {_n(totals[LEFT])}: "
          + ", ".join(f"{route[6:]} {_n(totals[route])}" for route in LEFT_ROUTES))
    print(f"Priority changed {_n(totals['priority changed'])}; wait start changed {_n(totals['wait start changed'])}; "
          f"NHS number changed on the same pathway ID {_n(totals['NHS number changed'])}")
    print(f"{'group':<40}" + "".join(f"{c[:12]:>13}" for c in COUNTED))
    for group in summary["groups"]:
        print(f"{group['group'][:39]:<40}" + "".join(f"{_n(group[c]):>13}" for c in COUNTED))
    print(disclosure_note(summary) + ".")
    if summary["out"]:
        print(f"The pathways behind these counts are in {summary['out']}")


# --------------------------------------------------------------------------- the file
def write_changes(path: str | os.PathLike, changes: Changes, summary: dict) -> int:
    """The counts (``summary``: :meth:`Changes.summary`, controlled or stamped) and the lists behind them,
    as xlsx, or the lists alone as CSV (patient-level: the same whether control is on or off)."""
    rows = changes.table.itertuples(index=False, name=None)
    with replacing(path, "the changes") as partial:
        if Path(path).suffix.lower() == ".csv":
            return spreadsheet.write_csv(partial, LIST_HEADERS, rows)
        with XlsxWriter(partial) as book:
            if not_for_publication(summary):
                book.add_note(NOT_FOR_PUBLICATION)
            book.add_table("By group", ["Group", *COUNTED], [[g["group"], *(g[c] for c in COUNTED)] for g in summary["groups"]])
            written = book.add_table("Pathways", LIST_HEADERS, rows)
            book.add_table("About", ["Item", "Value"], _about(summary))
    return written


def _about(summary: dict) -> list[tuple[str, Any]]:
    earlier, later = summary["earlier"], summary["later"]
    return [("Earlier snapshot", f"{_uk(earlier['census_date'])} ({earlier['file']})"),
            ("Later snapshot", f"{_uk(later['census_date'])} ({later['file']})"),
            ("Grouped by", summary["by"]),
            ("Matched by pathway ID", summary["matched"][BY_PATHWAY_ID]),
            ("Matched by NHS number and specialty", summary["matched"][BY_NHS_NUMBER_AND_SPECIALTY]),
            ("Disclosure control", f"{disclosure_note(summary)}, on the 'By group' sheet; the 'Pathways' sheet lists "
                                   "every pathway, for the team only")]


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _uk(iso: str) -> str:
    return formats.uk_date(date.fromisoformat(iso))
