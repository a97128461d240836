"""``workbench demo-series --out-dir DIR``: weekly demo lists and returned worklists, to try snapshots and trends."""

from __future__ import annotations

from workbench.cli import print_json
from workbench.commands.demo import MAX_ROWS
from workbench.demo import DEMO_SEED
from workbench.demo_weeks import write_series
from workbench.errors import WorkbenchError

NAME = "demo-series"
HELP = ("Write a series of weekly synthetic WLMDS lists (the demo list aged week by week: some treated, some "
        "validated off, new referrals) and the validation team's returned worklists.")
MAX_WEEKS = 104


def add_arguments(parser) -> None:
    parser.add_argument("--out-dir", required=True, help="folder to write the files into (it must exist)")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the first week's list (default 5000)")
    parser.add_argument("--weeks", type=int, default=4, help="how many weekly lists (default 4)")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"random seed (default {DEMO_SEED})")
    parser.add_argument("--json", action="store_true", help="print the files written as JSON")


def run(args) -> int:
    if not 1 <= args.rows <= MAX_ROWS:
        raise WorkbenchError(f"--rows must be between 1 and {MAX_ROWS:,} (got {args.rows:,})")
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise WorkbenchError(f"--weeks must be between 1 and {MAX_WEEKS} (got {args.weeks})")
    written = write_series(args.out_dir, args.rows, args.weeks, args.seed)
    if args.json:
        print_json({"files": [str(p) for p in written]})
    else:
        print(f"Wrote {len(written)} files to {args.out_dir}: " + ", ".join(p.name for p in written))
    return 0
