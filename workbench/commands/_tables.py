"""What the commands that print tables of counts share: the one switch that turns disclosure control off,
--out and --json, the check of --out, --by, and showing the result."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from workbench.cli import print_json
from workbench.compare.equity import SUGGESTED_GROUPINGS
from workbench.compare.suppression import NOT_FOR_PUBLICATION, not_for_publication
from workbench.errors import WorkbenchError


def add_table_arguments(parser, what: str) -> None:
    """--not-for-publication, --out and --json, worded the same in every such command (``what``: "table", "tables")."""
    parser.add_argument(
        "--not-for-publication", action="store_true", dest="small_numbers_shown",
        help=f"turn disclosure control off: show every count as worked out, on screen and in --out, each output "
             f"saying '{NOT_FOR_PUBLICATION}' (by default counts from 1 to 7 show as * and others are rounded to 5)")
    parser.add_argument("--out", help=f"write the {what} to this .xlsx or .csv file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def add_by_argument(parser) -> None:
    """--by, the grouping, worded the same in every command that groups patients."""
    parser.add_argument("--by", default="imd_quintile",
                        help=f"grouping: {', '.join(SUGGESTED_GROUPINGS)}, or a column of the list (imd_quintile)")


def check_out(out: str | None, what: str) -> None:
    """Refuse an --out that is neither .xlsx nor .csv, before any work is done."""
    if out and Path(out).suffix.lower() not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{Path(out).name}: write the {what} to a .xlsx or .csv file")


def show(args, shown: dict, write: Callable[[Path, dict], object], print_text: Callable[[dict], None]) -> int:
    """Write ``--out``, then print ``--json`` or text: the same figures in each, disclosure-controlled unless
    ``--not-for-publication`` was given (and then each output says so)."""
    if args.out:
        write(Path(args.out), shown)
    shown = {**shown, "out": args.out}
    if args.json:
        print_json(shown)
        return 0
    if not_for_publication(shown):
        print(NOT_FOR_PUBLICATION.upper())
    print_text(shown)
    return 0
