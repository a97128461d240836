"""``workbench validate --workspace WS``: the data-quality findings, optionally as a worklist."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import print_json, print_progress
from workbench.errors import FINDING_CODES
from workbench.store.workspace import Workspace
from workbench.report import worklist

NAME = "validate"
HELP = "Show the data-quality findings of a workspace and export them as a worklist."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--out", help="write the worklist to this .xlsx or .csv file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    with Workspace.open(args.workspace) as workspace:
        summary = workspace.findings_summary()
        record = workspace.import_record()
        if args.out:
            wl = workspace.load_list()
            write = worklist.write_worklist_csv if Path(args.out).suffix.lower() == ".csv" else worklist.write_worklist
            write(args.out, wl, workspace.findings(), record, progress=print_progress)
    rows = record["rows_stored"] if record else 0
    if args.json:
        print_json({"rows": rows, "findings": summary, "out": args.out})
    else:
        print(f"{rows:,} rows checked")
        for code, count in summary.items():
            print(f"  {code}: {count:,}  ({FINDING_CODES[code]})")
        if args.out:
            print(f"Worklist written to {args.out}")
    return 0
