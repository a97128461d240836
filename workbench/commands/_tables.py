"""What the commands that print tables of counts share: the one switch that turns disclosure control off,
--out and --json, and the check of --out."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.compare.suppression import NOT_FOR_PUBLICATION


def add_table_arguments(parser, what: str) -> None:
    """--not-for-publication, --out and --json, worded the same in every such command (``what``: "table", "tables")."""
    parser.add_argument(
        "--not-for-publication", action="store_true", dest="small_numbers_shown",
        help=f"turn disclosure control off: show every count as worked out, on screen and in --out, each output "
             f"saying '{NOT_FOR_PUBLICATION}' (by default counts from 1 to 7 show as * and others are rounded to 5)")
    parser.add_argument("--out", help=f"write the {what} to this .xlsx or .csv file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def check_out(out: str | None, what: str) -> None:
    """Refuse an --out that is neither .xlsx nor .csv, before any work is done."""
    if out and Path(out).suffix.lower() not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{Path(out).name}: write the {what} to a .xlsx or .csv file")
