"""``workbench scenarios``: the scenarios saved in a workspace; save one; compare two side by side.

``--save NAME --rules RULES`` saves a rule set as a scenario (as the app's
Scenarios tab does). ``--compare A B`` ranks the list by both, as the app's
side-by-side view does (``workbench.compare.scenarios``): what differs between
the rule sets, the rank correlation, how many patients move up and down, and
each group's figures under A and under B. Counts are disclosure-controlled
unless ``--not-for-publication``.
"""

from __future__ import annotations

from workbench import formats
from workbench.cli import figure, print_json
from workbench.commands._ranked import rules_from_argument
from workbench.compare.equity import SUGGESTED_GROUPINGS, prepare_equity
from workbench.compare.scenarios import ScenarioComparison, compare_scenarios
from workbench.compare.queues import default_capacity
from workbench.compare.suppression import NOT_FOR_PUBLICATION, not_for_publication
from workbench.errors import WorkbenchError
from workbench.rank.ranking import prepare
from workbench.store.decisions import load_scenario, save_scenario, scenarios
from workbench.store.workspace import Workspace
from workbench.view.columns import label

NAME = "scenarios"
HELP = "List the scenarios saved in a workspace, save one (--save), or compare two side by side (--compare A B)."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--save", metavar="NAME", help="save --rules as the scenario NAME")
    parser.add_argument("--rules", help="with --save: a .toml file or a bundled rule set's name")
    parser.add_argument("--by", metavar="PERSON", default="", help="with --save: who saved it")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare the saved scenarios A and B")
    parser.add_argument("--group-by", default="imd_quintile",
                        help=f"with --compare: {', '.join(SUGGESTED_GROUPINGS)}, or a column of the list")
    parser.add_argument("--capacity-per-week", type=figure, help="with --compare: patients treated a week "
                                                                 "(default: the whole list in a year, as the app)")
    parser.add_argument("--horizon-weeks", type=figure, default=13, help="with --compare: weeks ahead (13)")
    parser.add_argument("--not-for-publication", action="store_true", dest="small_numbers_shown",
                        help=f"turn disclosure control off (every output then says '{NOT_FOR_PUBLICATION}')")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    if args.save and not args.rules:
        raise WorkbenchError("--save needs --rules: the rule set to save")
    with Workspace.open(args.workspace) as workspace:
        if args.save:
            save_scenario(workspace, args.save, rules_from_argument(args.rules), args.by)
        if args.compare:
            result = _compared(args, workspace)
            print_json(_as_json(result)) if args.json else _print_comparison(result)
            return 0
        saved = scenarios(workspace)
    listed = [{"name": s.name, "sha256": s.sha256, "saved": formats.uk_date_time(s.created_at.astimezone()),
               "by": s.created_by} for s in saved]
    if args.json:
        print_json(listed)
    for scenario in [] if args.json else listed:
        print(f"{scenario['name']}: saved {scenario['saved']}{' by ' + scenario['by'] if scenario['by'] else ''}"
              f" (sha256 {scenario['sha256'][:12]}…)")
    return 0


def _compared(args, workspace: Workspace) -> ScenarioComparison:
    first, second = (load_scenario(workspace, name) for name in args.compare)
    wl = workspace.load_list()
    prepared = prepare(wl)
    capacity = args.capacity_per_week or default_capacity(len(wl))
    inputs = prepare_equity(wl, args.group_by, capacity, args.horizon_weeks, prepared=prepared)
    return compare_scenarios(first, second, prepared, inputs, args.small_numbers_shown)


def _as_json(result: ScenarioComparison) -> dict:
    return {"a": result.first.name, "b": result.second.name, "kendall_tau": result.kendall_tau,
            "moved_up": result.moved_up, "moved_down": result.moved_down,
            "differences": [vars(d) for d in result.differences if d.differs], "equity": result.summary}


def _print_comparison(result: ScenarioComparison) -> None:
    a, b, summary = result.first.name, result.second.name, result.summary
    if not_for_publication(summary):
        print(NOT_FOR_PUBLICATION)
    print(f"A: {a}; B: {b}. Rank correlation (Kendall tau) {formats.correlation(result.kendall_tau)}; under B "
          f"{formats.count(result.moved_up)} patients move up and {formats.count(result.moved_down)} down.")
    for difference in (d for d in result.differences if d.differs):
        print(f"  {difference.item}: A {difference.first}; B {difference.second}")
    print(f"Grouped by {label(summary['by'])}: mean projected wait (weeks) and waits over 52 weeks, A then B")
    for group in summary["groups"]:
        first, second = group["baseline"], group["scenario"]
        print(f"  {group['group']} ({formats.count(group['count'])} patients): mean "
              f"{formats.decimal(first['mean_wait'], 1, '—')} / {formats.decimal(second['mean_wait'], 1, '—')}; "
              f"over 52 {formats.count(first['over_52'])} / {formats.count(second['over_52'])}")
