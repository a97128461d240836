"""``workbench due --workspace WS``: who is due for validation (12, 26, 52 weeks, then every 12), as a worklist."""

from __future__ import annotations

from workbench.cli import figure, print_json
from workbench.errors import WorkbenchError
from workbench.report.validation_due import CADENCE_WORDS, due_in_workspace, write_due_worklist

NAME = "due"
HELP = "List the pathways due for validation (12, 26 and 52 weeks, then every 12 weeks) and write the worklist."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--within-weeks", type=figure, default=2,
                        help="also list those due within this many weeks after the census date (2)")
    parser.add_argument("--out", help="write the worklist to this .xlsx or .csv file, to fill in and read back "
                                      "with workbench outcomes")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    if args.out and not args.out.lower().endswith((".xlsx", ".csv")):
        raise WorkbenchError(f"{args.out}: write the worklist to a .xlsx or .csv file")
    if args.within_weeks < 0:
        raise WorkbenchError(f"--within-weeks cannot be negative (it is {args.within_weeks:g})")
    wl, due, record = due_in_workspace(args.workspace, args.within_weeks)
    if args.out:
        write_due_worklist(args.out, wl, due, record)
    summary = due.summary() | {"out": args.out}
    if args.json:
        print_json(summary)
        return 0
    print(f"{summary['pathways']:,} pathways due for validation by {due.by:%d/%m/%Y}: {summary['due_at_census']:,} "
          f"due at the census date ({due.census_date:%d/%m/%Y}), {summary['due_after_census']:,} due after it, "
          f"{summary['recorded_as_removed_but_on_the_list']:,} recorded as removed but still on the list")
    print(CADENCE_WORDS)
    if args.out:
        print(f"Worklist written to {args.out}")
    return 0
