"""``workbench explain --workspace WS --rules RULES.toml --pathway ID``: why a patient is where they are."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import print_json
from workbench.ranking import explain, position_of_pathway, prepare, rank
from workbench.rules import TREAT_IN_TURN, rules_from_argument
from workbench.workspace import Workspace

NAME = "explain"
HELP = "Explain one patient's place under a rule set: each factor's part, band, and both ranks."


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--rules", required=True,
                        help="rule set: a .toml file, or a bundled name such as inclusive-recovery")
    parser.add_argument("--baseline", default=TREAT_IN_TURN,
                        help="rule set to compare against (default: treat-in-turn)")
    parser.add_argument("--pathway", required=True, metavar="ID", help="the patient's pathway ID")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    rules = rules_from_argument(args.rules)
    baseline_rules = rules_from_argument(args.baseline)
    with Workspace.open(args.workspace) as workspace:
        wl = workspace.load_list()
    position = position_of_pathway(wl, args.pathway, source=Path(args.workspace).name)
    prepared = prepare(wl)
    scenario = rank(rules, wl, prepared=prepared)
    baseline = rank(baseline_rules, wl, prepared=prepared)
    explanation = explain(rules, wl, scenario, baseline, position)
    result = {"rules": rules.name, "baseline": baseline_rules.name, **explanation.as_dict()}
    if args.json:
        print_json(result)
    else:
        print_explanation(result, explanation.words)
    return 0


def print_explanation(result: dict, words: dict[str, str]) -> None:
    """The explanation as a short plain-text report."""
    print(f"Pathway {result['pathway_id']} (row {result['row_id']}), band {result['band']}")
    print(f"  rank {result['rank']:,} under {result['rules']}; {result['baseline_rank']:,} under {result['baseline']}")
    print(f"  {result['sentence']}")
    print(f"  score {result['score']:.2f} weeks-equivalent:")
    for name, value in result["contributions"].items():
        print(f"    {words[name]:<40} {value:+8.2f}")
