"""``workbench explain --workspace WS --rules RULES.toml --pathway ID``: why a patient is where they are,
and the rank they would have without each social factor of the rule set."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import print_json
from workbench.commands._ranked import add_rules_arguments, rank_both
from workbench.rank.ranking import WithoutFactors, explain, places_words, position_of_pathway

NAME = "explain"
HELP = ("Explain one patient's place under a rule set: each factor's part, band, both ranks, and the rank "
        "without each social factor.")


def add_arguments(parser) -> None:
    add_rules_arguments(parser)
    parser.add_argument("--pathway", required=True, metavar="ID", help="the patient's pathway ID")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    ranked = rank_both(args)
    position = position_of_pathway(ranked.wl, args.pathway, source=Path(args.workspace).name)
    without = WithoutFactors(ranked.scenario, ranked.prepared)
    explanation = explain(ranked.rules, ranked.wl, ranked.scenario, ranked.baseline, position, without)
    result = {"rules": ranked.rules.name, "baseline": ranked.baseline_rules.name, **explanation.as_dict()}
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
    width = max((len(words[name]) for name in result["contributions"]), default=0) + 2
    for name, value in result["contributions"].items():
        print(f"    {words[name]:<{width}} {value:+8.2f}")
    if result["rank_without"]:
        print("  rank without each social factor (its weight 0, everything else the same):")
        for name, rank in result["rank_without"].items():
            print(f"    {words[name]:<{width}} {rank:>8,}  ({places_words(result['rank'] - rank)})")
