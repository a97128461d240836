"""``workbench demo --rows N --out FILE [--seed S]``: write a synthetic waiting list to try things on."""

from __future__ import annotations

from workbench import formats
from workbench.cli import print_json
from workbench.demo import DEMO_CENSUS, DEMO_SEED, FORMATS, write_demo_list
from workbench.errors import WorkbenchError

NAME = "demo"
HELP = "Write a synthetic demo waiting list (no real patients) as .csv or .xlsx, as a PTL or a WLMDS extract."
MAX_ROWS = 2_000_000


def add_arguments(parser) -> None:
    parser.add_argument("--rows", type=int, default=5000, help="number of rows (default 5000)")
    parser.add_argument("--out", required=True, help="file to write: .csv or .xlsx")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"random seed: the same seed gives the same list (default {DEMO_SEED})")
    parser.add_argument("--format", choices=FORMATS, default="ptl",
                        help="ptl: a trust's PTL with its usual headers (default); wlmds: a WLMDS open-pathway extract")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    if not 1 <= args.rows <= MAX_ROWS:
        raise WorkbenchError(f"--rows must be between 1 and {MAX_ROWS:,} (got {args.rows:,})")
    written = write_demo_list(args.out, rows=args.rows, seed=args.seed, form=args.format)
    if args.json:
        print_json({"out": args.out, "rows": written, "seed": args.seed, "census_date": DEMO_CENSUS, "format": args.format})
    else:
        print(f"Wrote {written:,} synthetic rows to {args.out} ({args.format.upper()} format, seed {args.seed}, "
              f"census date {formats.uk_date(DEMO_CENSUS)})")
    return 0
