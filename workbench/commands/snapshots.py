"""``workbench snapshots --workspace WS``: the weekly snapshots a workspace holds."""

from __future__ import annotations

from workbench.cli import print_json
from workbench.store.snapshots import snapshots
from workbench.store.workspace import Workspace

NAME = "snapshots"
HELP = "List the weekly snapshots of the list a workspace holds (import a later list with --snapshot to add one)."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    with Workspace.open(args.workspace) as workspace:
        found = snapshots(workspace)
    if args.json:
        print_json({"snapshots": [s.as_dict() for s in found]})
        return 0
    for number, snapshot in enumerate(found, start=1):
        current = "  (the current list)" if number == len(found) else ""
        print(f"{number:>3}. {snapshot.census_date:%d/%m/%Y}  {snapshot.rows:>9,} rows  {snapshot.file_name}{current}")
    if not found:
        print("No list yet: import one.")
    return 0
