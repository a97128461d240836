"""``workbench capacity``: the queue formulas for one waiting list, from its figures.

``waiting_list_pressure`` needs the list's mean wait: give ``--mean-wait``; without
it the figure is printed as null. With ``--referrals N`` (the number of
referrals demand was estimated from) relief capacity first raises demand by two
standard errors using ``--cv-demand``, as the published definition does.
"""

from __future__ import annotations

from workbench.compare import capacity
from workbench.cli import figure, print_json

NAME = "capacity"
HELP = "Queue load, target queue size, relief and target capacity, and pressure for one waiting list."
LABELS = {
    "queue_load": "Queue load (demand / capacity)",
    "target_mean_wait": "Target mean wait (weeks)",
    "target_queue_size": "Target queue size (patients)",
    "relief_capacity": "Relief capacity (patients a week)",
    "target_capacity": "Target capacity (patients a week)",
    "waiting_list_pressure": "Waiting list pressure",
}


def add_arguments(parser) -> None:
    parser.add_argument("--demand", required=True, type=figure, help="referrals a week")
    parser.add_argument("--capacity", required=True, type=figure, help="patients treated a week")
    parser.add_argument("--queue", required=True, type=figure, help="patients waiting now")
    parser.add_argument("--target-wait", required=True, type=figure, help="target wait in weeks, e.g. 18")
    parser.add_argument("--factor", type=figure, default=4, help="target wait / target mean wait (4)")
    parser.add_argument("--time-to-target", type=figure, default=26, help="weeks to reach the target queue size (26)")
    parser.add_argument("--cv-demand", type=figure, default=1, help="coefficient of variation of demand (1)")
    parser.add_argument("--cv-capacity", type=figure, default=1, help="coefficient of variation of capacity (1)")
    parser.add_argument("--mean-wait", type=figure, help="the list's mean wait in weeks (for pressure)")
    parser.add_argument("--referrals", type=figure, help="referrals demand was estimated from (for relief capacity)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def queue_figures(args) -> dict[str, float | None]:
    """Every figure under its own key (the ``--json`` contract)."""
    target_size = capacity.target_queue_size(args.demand, args.target_wait, args.factor)
    return {
        "queue_load": capacity.queue_load(args.demand, args.capacity),
        "target_mean_wait": capacity.target_mean_wait(args.target_wait, args.factor),
        "target_queue_size": target_size,
        "relief_capacity": capacity.relief_capacity(
            args.demand, args.queue, target_size, args.time_to_target,
            cv=args.cv_demand if args.referrals else None, n=args.referrals,
        ),
        "target_capacity": capacity.target_capacity(
            args.demand, args.target_wait, args.factor, args.cv_demand, args.cv_capacity
        ),
        "waiting_list_pressure": None if args.mean_wait is None
        else capacity.waiting_list_pressure(args.mean_wait, args.target_wait),
    }


def run(args) -> int:
    figures = queue_figures(args)
    if args.json:
        print_json(figures)
        return 0
    for key, value in figures.items():
        shown = "needs --mean-wait" if value is None else f"{value:,.2f}"
        print(f"{LABELS[key]:<36}{shown}")
    if figures["queue_load"] > 1:
        print("Demand is above capacity: the queue will grow.")
    if figures["waiting_list_pressure"] is not None and figures["waiting_list_pressure"] > 1:
        print("Pressure is above 1: the list will not meet its target wait.")
    return 0
