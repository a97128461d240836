"""``workbench rank --workspace WS --rules RULES.toml``: reorder the list and compare with a baseline."""

from __future__ import annotations

from workbench import formats
from workbench.cli import print_json, print_progress
from workbench.report.export import export_ranked_list
from workbench.commands._ranked import add_rules_arguments, rank_both
from workbench.rank.ranking import WithoutFactors, compare

NAME = "rank"
HELP = "Order a workspace's list by a rule set, compare it with a baseline, and export the new order."


def add_arguments(parser) -> None:
    add_rules_arguments(parser)
    parser.add_argument("--top", type=int, default=100, metavar="N", help="report changes to the top N (default 100)")
    parser.add_argument("--out", help="write the ranked list to this .xlsx or .csv file")
    parser.add_argument("--pseudonymise", action="store_true",
                        help="leave NHS number, date of birth, postcode and source columns out of --out")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    ranked = rank_both(args)
    wl, rules, baseline_rules = ranked.wl, ranked.rules, ranked.baseline_rules
    comparison = compare(ranked.baseline, ranked.scenario, top_n=args.top)
    notes: list[str] = []
    if args.out:
        export_ranked_list(args.out, wl, ranked.scenario, ranked.baseline, rules, ranked.record or None,
                           pseudonymise=args.pseudonymise, without=WithoutFactors(ranked.scenario, ranked.prepared),
                           progress=print_progress, notes=notes)
    result = {
        "rules": rules.name,
        "rules_sha256": rules.sha256,
        "baseline": baseline_rules.name,
        "baseline_sha256": baseline_rules.sha256,
        **comparison.as_dict(wl),
        "out": args.out,
        "warnings": notes,
    }
    if args.json:
        print_json(result)
    else:
        print_summary(result)
        for note in notes:
            print(f"Warning: {note}")
    return 0


def print_summary(result: dict) -> None:
    """The comparison in a few plain lines."""
    print(f"{result['rules']} compared with {result['baseline']}: {result['rows']:,} rows")
    print(f"  rank correlation (Kendall tau): {formats.correlation(result['kendall_tau'])}")
    print(f"  moved up: {result['moved_up']:,} (at most {result['max_moved_up']:,} places); "
          f"moved down: {result['moved_down']:,} (at most {result['max_moved_down']:,} places); "
          f"unchanged: {result['unchanged']:,}")
    print(f"  mean movement: {result['mean_movement']:,.1f} places")
    print(f"  top {result['top_n']}: {len(result['entering_top_n'])} new, {len(result['leaving_top_n'])} left")
    print(f"  rule set sha256: {result['rules_sha256']}")
    if result["out"]:
        print(f"Ranked list written to {result['out']}")
