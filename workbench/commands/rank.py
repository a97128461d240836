"""``workbench rank --workspace WS --rules RULES.toml``: reorder the list and compare with a baseline."""

from __future__ import annotations

from workbench.cli import print_json, print_progress
from workbench.export import export_ranked_list
from workbench.ranking import compare, prepare, rank
from workbench.rules import TREAT_IN_TURN, rules_from_argument
from workbench.workspace import Workspace

NAME = "rank"
HELP = "Order a workspace's list by a rule set, compare it with a baseline, and export the new order."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--rules", required=True,
                        help="rule set: a .toml file, or a bundled name such as inclusive-recovery")
    parser.add_argument("--baseline", default=TREAT_IN_TURN,
                        help="rule set to compare against (default: treat-in-turn)")
    parser.add_argument("--top", type=int, default=100, metavar="N", help="report changes to the top N (default 100)")
    parser.add_argument("--out", help="write the ranked list to this .xlsx or .csv file")
    parser.add_argument("--pseudonymise", action="store_true",
                        help="leave NHS number, date of birth, postcode and source columns out of --out")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    rules = rules_from_argument(args.rules)
    baseline_rules = rules_from_argument(args.baseline)
    with Workspace.open(args.workspace) as workspace:
        wl = workspace.load_list()
        record = workspace.import_record()
    prepared = prepare(wl)
    scenario = rank(rules, wl, prepared=prepared)
    baseline = rank(baseline_rules, wl, prepared=prepared)
    comparison = compare(baseline, scenario, top_n=args.top)
    if args.out:
        export_ranked_list(args.out, wl, scenario, baseline, rules, record,
                           pseudonymise=args.pseudonymise, progress=print_progress)
    result = {
        "rules": rules.name,
        "rules_sha256": rules.sha256,
        "baseline": baseline_rules.name,
        "baseline_sha256": baseline_rules.sha256,
        **comparison.as_dict(wl),
        "out": args.out,
    }
    if args.json:
        print_json(result)
    else:
        print_summary(result)
    return 0


def print_summary(result: dict) -> None:
    """The comparison in a few plain lines."""
    print(f"{result['rules']} compared with {result['baseline']}: {result['rows']:,} rows")
    print(f"  rank correlation (Kendall tau): {result['kendall_tau']:.4f}")
    print(f"  moved up: {result['moved_up']:,} (at most {result['max_moved_up']:,} places); "
          f"moved down: {result['moved_down']:,} (at most {result['max_moved_down']:,} places); "
          f"unchanged: {result['unchanged']:,}")
    print(f"  mean movement: {result['mean_movement']:,.1f} places")
    print(f"  top {result['top_n']}: {len(result['entering_top_n'])} new, {len(result['leaving_top_n'])} left")
    print(f"  rule set sha256: {result['rules_sha256']}")
    if result["out"]:
        print(f"Ranked list written to {result['out']}")
