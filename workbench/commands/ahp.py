"""``workbench ahp MATRIX.csv``: weights and consistency ratio from a workshop's pairwise judgements."""

from __future__ import annotations

from workbench.rank.ahp import CONSISTENCY_LIMIT, ahp_weights, read_judgement_matrix
from workbench.cli import print_json

NAME = "ahp"
HELP = "Derive factor weights from a square CSV of pairwise judgements (analytic hierarchy process)."


def add_arguments(parser) -> None:
    parser.add_argument("matrix", help="square CSV: factor names in the header row and the first column")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    names, matrix = read_judgement_matrix(args.matrix)
    result = ahp_weights(matrix, names)
    if args.json:
        print_json({"weights": result.weights, "consistency_ratio": result.consistency_ratio})
        return 0
    for name, weight in result.weights.items():
        print(f"{name:<30}{weight:8.1%}")
    print(f"Consistency ratio: {result.consistency_ratio:.3f}")
    if not result.consistent:
        print(f"Above {CONSISTENCY_LIMIT:.2f}: some judgements contradict each other; revisit them.")
    return 0
