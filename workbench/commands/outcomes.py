"""``workbench outcomes FILE --workspace WS``: record the outcomes of a worklist the validation team filled in."""

from __future__ import annotations

from workbench.cli import print_json
from workbench.store.locking import acquire_lock
from workbench.store.outcomes import OUTCOMES, parse_word_map, record_file

NAME = "outcomes"
HELP = ("Record validation outcomes from a returned worklist ('Action taken', 'Date checked', 'Checked by' filled in): "
        "all or nothing.")


def add_arguments(parser) -> None:
    parser.add_argument("file", help="the worklist, filled in (.xlsx or .csv)")
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--map-outcome", action="append", default=[], metavar="WORD=OUTCOME",
                        help=f"what an outcome word the team used means, e.g. --map-outcome \"DNA=did not respond\" "
                             f"(outcomes: {', '.join(OUTCOMES)})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    with acquire_lock(args.workspace):
        recorded = record_file(args.file, args.workspace, parse_word_map(args.map_outcome))
    if args.json:
        print_json(recorded.as_dict())
        return 0
    print(f"{recorded.file_name}: {recorded.recorded:,} outcomes recorded "
          f"({recorded.not_filled_in:,} rows with no outcome yet skipped)")
    for outcome, count in recorded.by_outcome.items():
        print(f"  {outcome}: {count:,}")
    return 0
