"""``workbench capacity``: the queue formulas for one waiting list, from its figures.

``waiting_list_pressure`` needs the list's mean wait: give ``--mean-wait``; without
it the figure is printed as null. Rates (``--demand``, ``--capacity``) are per
week unless ``--per`` says otherwise; every figure printed is per week. Relief
capacity makes an allowance for demand estimated from ``--referrals`` referrals
only with ``--referrals-cv`` (NHS-R's default, 0, makes none); target capacity
uses ``--cv-demand`` and ``--cv-capacity`` (NHS-R's defaults, 1 and 1). The
choices made are printed with the figures.
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
    parser.add_argument("--demand", required=True, type=figure, help="referrals a week (or per --per)")
    parser.add_argument("--capacity", required=True, type=figure, help="patients treated a week (or per --per)")
    parser.add_argument("--per", choices=tuple(capacity.PER_WEEK), default="week",
                        help="the unit of time --demand and --capacity are counted per (week); figures are per week")
    parser.add_argument("--queue", required=True, type=figure, help="patients waiting now")
    parser.add_argument("--target-wait", required=True, type=figure, help="target wait in weeks, e.g. 18")
    parser.add_argument("--factor", type=figure, default=4, help="target wait / target mean wait (4)")
    parser.add_argument("--time-to-target", type=figure, default=26, help="weeks to reach the target queue size (26)")
    parser.add_argument("--cv-demand", type=figure, default=1,
                        help="coefficient of variation of demand, for target capacity (1, NHS-R's default)")
    parser.add_argument("--cv-capacity", type=figure, default=1,
                        help="coefficient of variation of capacity, for target capacity (1, NHS-R's default)")
    parser.add_argument("--mean-wait", type=figure, help="the list's mean wait in weeks (for pressure)")
    parser.add_argument("--referrals", type=figure, help="referrals demand was estimated from (for relief capacity)")
    parser.add_argument("--referrals-cv", type=figure, default=0,
                        help="their coefficient of variation: relief capacity then allows two standard errors "
                             "more demand (0, NHS-R's default: no allowance)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def queue_figures(args) -> dict:
    """Every figure under its own key (the ``--json`` contract), the choices behind them and any warnings.

    A relief capacity at or below demand is None, with ``relief_words`` "no extra capacity needed".
    """
    demand, supply = capacity.per_week(args.demand, args.per), capacity.per_week(args.capacity, args.per)
    target_size = capacity.target_queue_size(demand, args.target_wait, args.factor)
    relief = capacity.relief_capacity(args.demand, args.queue, target_size, args.time_to_target,
                                      referrals=args.referrals, cv_demand=args.referrals_cv, unit=args.per)
    load = capacity.queue_load(demand, supply)
    needed = capacity.extra_capacity_needed(demand, relief)
    return {
        "queue_load": load,
        "target_mean_wait": capacity.target_mean_wait(args.target_wait, args.factor),
        "target_queue_size": target_size,
        "relief_capacity": relief if needed else None,
        "relief_words": None if needed else capacity.NO_EXTRA_CAPACITY,
        "target_capacity": capacity.target_capacity(demand, args.target_wait, args.factor, args.cv_demand,
                                                    args.cv_capacity),
        "waiting_list_pressure": None if args.mean_wait is None
        else capacity.waiting_list_pressure(args.mean_wait, args.target_wait),
        "choices": _choices(args),
        "warnings": [warning for warning in (capacity.load_warning(load),) if warning],
    }


def _choices(args) -> dict:
    """What the figures assumed, as the output shows it (``--json``: ``choices``)."""
    return {
        "rates_given_per": args.per,
        "figures_per": "week",
        "factor": args.factor,
        "time_to_target_weeks": args.time_to_target,
        "referrals": args.referrals,
        "referrals_cv": args.referrals_cv,
        "cv_demand": args.cv_demand,
        "cv_capacity": args.cv_capacity,
    }


def run(args) -> int:
    figures = queue_figures(args)
    if args.json:
        print_json(figures)
        return 0
    for key, label in LABELS.items():
        print(f"{label:<36}{_shown(key, figures)}")
    for line in choice_lines(figures["choices"]):
        print(line)
    for warning in figures["warnings"]:
        print(f"Warning: {warning}.")
    if figures["waiting_list_pressure"] is not None and figures["waiting_list_pressure"] > 1:
        print("Pressure is above 1: the list will not meet its target wait.")
    return 0


def _shown(key: str, figures: dict) -> str:
    value = figures[key]
    if key == "relief_capacity" and value is None:
        return figures["relief_words"]
    return "needs --mean-wait" if value is None else f"{value:,.2f}"


def choice_lines(choices: dict) -> list[str]:
    """The choices behind the figures, in words.

    >>> choice_lines({"rates_given_per": "day", "figures_per": "week", "factor": 4, "time_to_target_weeks": 26,
    ...               "referrals": None, "referrals_cv": 0, "cv_demand": 1, "cv_capacity": 1})[:2]
    ['Rates given per day, shown per week; target mean wait = target wait / 4; 26 weeks to reach the target size.', 'Relief capacity: no allowance for demand being an estimate (referrals cv 0, as NHS-R).']
    """
    allowance = (f"demand raised by two standard errors, estimated from {choices['referrals']:,.0f} referrals with "
                 f"cv {choices['referrals_cv']:g}" if choices["referrals"] and choices["referrals_cv"]
                 else f"no allowance for demand being an estimate (referrals cv {choices['referrals_cv']:g}, as NHS-R)"
                 if not choices["referrals_cv"] else "no allowance: give --referrals too")
    return [
        f"Rates given per {choices['rates_given_per']}, shown per {choices['figures_per']}; target mean wait = "
        f"target wait / {choices['factor']:g}; {choices['time_to_target_weeks']:g} weeks to reach the target size.",
        f"Relief capacity: {allowance}.",
        f"Target capacity: cv of demand {choices['cv_demand']:g} and of capacity {choices['cv_capacity']:g}"
        f"{' (NHS-R defaults)' if (choices['cv_demand'], choices['cv_capacity']) == (1, 1) else ''}.",
    ]
