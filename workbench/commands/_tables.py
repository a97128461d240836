"""What the commands that print tables of counts share: --no-suppress, --out and --json, and the check of --out."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError


def add_table_arguments(parser, what: str) -> None:
    """--no-suppress, --out and --json, worded the same in every such command (``what``: "table", "tables")."""
    parser.add_argument("--no-suppress", action="store_true", help="show small numbers on screen (never in --out)")
    parser.add_argument("--out", help=f"write the {what} to this .xlsx or .csv file (always suppressed)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def check_out(out: str | None, what: str) -> None:
    """Refuse an --out that is neither .xlsx nor .csv, before any work is done."""
    if out and Path(out).suffix.lower() not in (".xlsx", ".csv"):
        raise WorkbenchError(f"{Path(out).name}: write the {what} to a .xlsx or .csv file")
