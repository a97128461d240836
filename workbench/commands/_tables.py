"""What the commands that print tables of counts share: --no-suppress, --out and --json, and the check of --out."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from workbench.cli import print_json
from workbench.equity import SUGGESTED_GROUPINGS
from workbench.progress import WorkbenchError


def add_table_arguments(parser, what: str) -> None:
    """--no-suppress, --out and --json, worded the same in every such command (``what``: "table", "tables")."""
    parser.add_argument("--no-suppress", action="store_true", help="show small numbers on screen (never in --out)")
    parser.add_argument("--out", help=f"write the {what} to this .xlsx or .csv file (always suppressed)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def add_by_argument(parser) -> None:
    """--by, the grouping, worded the same in every command that groups patients."""
    parser.add_argument("--by", default="imd_quintile",
                        help=f"grouping: {', '.join(SUGGESTED_GROUPINGS)}, or a column of the list (imd_quintile)")


def check_out(out: str | None, what: str) -> None:
    """Refuse an --out that is neither .xlsx nor .csv, before any work is done."""
    if out and Path(out).suffix.lower() not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{Path(out).name}: write the {what} to a .xlsx or .csv file")


def show(args, figures: dict, safe: dict, write: Callable[[Path, dict], object], print_text: Callable[[dict], None]) -> int:
    """Write ``--out`` (always the suppressed figures), then print ``--json`` or text: the unsuppressed
    figures with ``--no-suppress``, else the suppressed ones."""
    if args.out:
        write(Path(args.out), safe)
    shown = {**(figures if args.no_suppress else safe), "out": args.out}
    if args.json:
        print_json(shown)
    else:
        print_text(shown)
    return 0
