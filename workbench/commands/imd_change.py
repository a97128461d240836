"""``workbench imd-change --workspace WS``: how many patients change deprivation fifth between
IoD2019 and IoD2025 (and WIMD 2019 and 2025), group by group, nation by nation.

Every output is disclosure-controlled unless ``--not-for-publication`` is given (and then each says so).
"""

from __future__ import annotations

from pathlib import Path

from workbench.cli import print_json
from workbench.commands._tables import add_table_arguments, check_out
from workbench.report.tables import write_imd_change
from workbench.compare.imd_change import (
    compare_editions, headline, notes, suppressed_change, table_headers, table_rows,
)
from workbench.compare.suppression import NOT_FOR_PUBLICATION, not_for_publication
from workbench.store.workspace import Workspace

NAME = "imd-change"
HELP = "Compare a list's deprivation fifths in IoD2019 and IoD2025 (WIMD 2019 and 2025): who changes fifth."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    add_table_arguments(parser, "tables")


def run(args) -> int:
    check_out(args.out, "tables")
    with Workspace.open(args.workspace) as workspace:
        wl = workspace.load_list()
        record = workspace.import_record() or {}
    result = compare_editions(wl, record.get("mapping", {}).get("lsoa"))
    shown = suppressed_change(result, args.small_numbers_shown)
    if args.out:
        write_imd_change(Path(args.out), shown)
    shown = {**shown, "source_file": record.get("file_name"), "out": args.out}
    if args.json:
        print_json(shown)
    else:
        _print(shown)
    return 0


def _print(result: dict) -> None:
    if not_for_publication(result):
        print(NOT_FOR_PUBLICATION.upper())
    for nation in result["nations"]:
        print(headline(nation))
        print(_line(table_headers(nation)))
        for row in table_rows(nation):
            print(_line(row))
    for note in notes(result):
        print(note)


def _line(cells: list) -> str:
    first, *figures = [_text(cell) for cell in cells]
    return f"  {first:<46}" + "".join(f"{figure:>23}" for figure in figures)


def _text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
