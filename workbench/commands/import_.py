"""``workbench import FILE --workspace WS``: load a waiting list, check it, store it."""

from __future__ import annotations

import argparse
from datetime import date

from workbench import formats
from workbench.cli import print_json, print_progress
from workbench.check.deprivation import CURRENT, EDITIONS, describe_link
from workbench.store.importer import import_file
from workbench.store.locking import acquire_lock
from workbench.read.mapping import parse_map_options
from workbench.read import readers

NAME = "import"
HELP = "Import a waiting-list file (CSV, XLSX, XLS, ODS) into a workspace and check it."


def add_arguments(parser) -> None:
    parser.add_argument("file", help="the waiting-list file")
    parser.add_argument("--workspace", required=True, help="workspace file (created if missing)")
    parser.add_argument("--sheet", help="sheet name or number (workbooks; default: the first with data)")
    parser.add_argument("--header-row", type=int, help="row number of the header (default: detected)")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER",
                        help="map a canonical field to a source header, e.g. --map wait_start=\"Clock Start\"")
    parser.add_argument("--census-date", type=iso_date, help="census date YYYY-MM-DD (default: the file's, else today)")
    parser.add_argument("--pseudonymise", action="store_true",
                        help="replace NHS and hospital numbers by keyed codes and leave out names, addresses, phone "
                             "numbers, postcodes, dates of birth and free text; the key stays in your data folder")
    parser.add_argument("--key-file", metavar="FILE",
                        help="with --pseudonymise: the pseudonym key file to use (made if missing), e.g. one your "
                             "team keeps so that its lists share pseudonyms")
    parser.add_argument("--deprivation", choices=list(EDITIONS), default=CURRENT,
                        help=f"deprivation indices: {'; '.join(f'{year}: {e.words}' for year, e in EDITIONS.items())} "
                             f"(default {CURRENT})")
    parser.add_argument("--snapshot", action="store_true",
                        help="add the list as a new weekly snapshot after the workspace's newest (a later census date); "
                             "without it the list replaces the newest")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD") from None


def run(args) -> int:
    sheet = int(args.sheet) if args.sheet and args.sheet.isdigit() else args.sheet
    overrides = None
    if args.map:
        headers = readers.preview(args.file, sheet, rows=1).headers
        overrides = parse_map_options(args.map, headers)
    with acquire_lock(args.workspace):
        result = import_file(
            args.file, args.workspace, sheet=sheet, overrides=overrides, census_date=args.census_date,
            header_row=args.header_row, pseudonymise=args.pseudonymise, key_file=args.key_file,
            deprivation_edition=args.deprivation, snapshot=args.snapshot,
            progress=print_progress,
        )
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"{result.file_name}: {result.rows_read:,} rows read, {result.rows_stored:,} stored "
              f"({result.blank_rows:,} blank rows skipped); census date {formats.uk_date(result.census_date)}")
        print(describe_link(result.deprivation))
        if result.snapshot and (args.snapshot or result.snapshot.of > 1):
            print(result.snapshot.sentence())
        for code, count in result.findings.items():
            print(f"  {code}: {count:,}")
        for warning in result.warnings:
            print(f"Warning: {warning}")
    return 0
