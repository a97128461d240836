"""``workbench equity``: what a rule set's order does to each group, against a baseline.

New referrals (``--demand-per-week`` in the list's own mix, or
``--demand-by-priority P2=5,P4=20``) are projected week by week; demand at or
above capacity is projected too, and the output says how the list grows.
Every output (screen, ``--json``, ``--out``) is disclosure-controlled
(``workbench.compare.suppression``) unless ``--not-for-publication`` is given, and then
every one of them says so.
"""

from __future__ import annotations

from pathlib import Path


from workbench import formats
from workbench.cli import figure, print_json
from workbench.commands._ranked import add_rules_arguments, rank_both
from workbench.commands._tables import add_by_argument, add_table_arguments, check_out
from workbench.compare.equity import (
    RII_MEANING, SII_SIGN, deprivation_note, flow_text, inequality_text, overall_text, prepare_equity, sii_scope,
)
from workbench.fields import LONG_WAIT_WEEKS
from workbench.check.waits import describe_left_out
from workbench.report.tables import write_table_file
from workbench.compare.suppression import NOT_FOR_PUBLICATION, disclosure_note, not_for_publication, suppressed_summary

NAME = "equity"
HELP = ("Compare a rule set's order with a baseline, group by group: shares, projected waits with new referrals, "
        "long waits, SII/RII with confidence intervals.")
ORDERS = ("baseline", "scenario")
ORDER_COLUMNS = {
    "share_of_next_n": "share of next N (%)",
    "next_n_count": "in next N",
    "mean_wait": "mean projected wait (weeks)",
    "mean_wait_range": "mean projected wait if the group's unknowns were in it (weeks, range)",
    "median_wait": "median projected wait (weeks)",
    "p90_wait": "90th percentile projected wait (weeks)",
    "within_18": "within 18 weeks (%)",
    **{f"over_{w}": f"over {w} weeks" for w in LONG_WAIT_WEEKS},
}
SHARES = ("share_of_next_n", "within_18")


def add_arguments(parser) -> None:
    add_rules_arguments(parser)
    parser.add_argument("--capacity-per-week", required=True, type=figure, help="patients treated a week")
    parser.add_argument("--horizon-weeks", type=figure, default=13, help="weeks ahead for 'next N treated' (13)")
    add_by_argument(parser)
    parser.add_argument("--demand-per-week", type=figure,
                        help="new referrals a week, in the list's own mix of priorities and groups")
    parser.add_argument("--demand-by-priority", type=_by_priority, metavar="P2=5,P4=20",
                        help="new referrals a week per priority (instead of --demand-per-week)")
    add_table_arguments(parser, "table")


def run(args) -> int:
    check_out(args.out, "table")
    ranked = rank_both(args)
    inputs = prepare_equity(ranked.wl, args.by, args.capacity_per_week, args.horizon_weeks, args.demand_per_week,
                            args.demand_by_priority, prepared=ranked.prepared)
    summary = inputs.summary(ranked.baseline, ranked.scenario)
    shown = {**suppressed_summary(summary, args.small_numbers_shown),
             **_context(args, ranked.record, ranked.baseline_rules, ranked.rules)}
    if args.out:
        _write_out(Path(args.out), shown)
    if args.json:
        print_json(shown)
    else:
        _print_table(shown)
    return 0


def _by_priority(text: str) -> dict[str, float]:
    """``P2=5,P4=20`` as {"P2": 5.0, "P4": 20.0} (argparse reports a ValueError as a bad value)."""
    pairs = [part.split("=") for part in text.split(",") if part.strip()]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        raise ValueError(text)
    return {code.strip(): float(rate) for code, rate in pairs}


def _context(args, record: dict, baseline_rules, scenario_rules) -> dict:
    return {
        "rules": {"name": scenario_rules.name, "version": scenario_rules.version},
        "baseline_rules": {"name": baseline_rules.name, "version": baseline_rules.version},
        "source_file": record.get("file_name"),
        "census_date": record.get("census_date"),
        "out": args.out,
    }


# --------------------------------------------------------------------------- exports
def table_headers() -> list[str]:
    """Column headings of the exported group table."""
    headers = ["Group", "Patients", "Share of list (%)", "Wait unknown"]
    for order in ORDERS:
        headers += [f"{order.capitalize()}: {label}" for label in ORDER_COLUMNS.values()]
    return headers + ["Change in mean wait (weeks)", "Change"]


def table_rows(summary: dict) -> list[list]:
    """One row per group, figures rounded for reading; "*" where suppressed."""
    rows = []
    for group in summary["groups"]:
        row = [group["group"], group["count"], _percent(group["share_of_list"]), group["wait_unknown"]]
        for order in ORDERS:
            row += [_shown(key, group[order][key]) for key in ORDER_COLUMNS]
        rows.append(row + [_weeks(group["change_mean_wait_weeks"]), group["change"]])
    return rows


def _write_out(path: Path, summary: dict) -> None:
    note = NOT_FOR_PUBLICATION if not_for_publication(summary) else None
    write_table_file(path, "Equity", table_headers(), table_rows(summary), note,
                     more=[("Summary", ["Item", "Value"], _summary_pairs(summary))])


def _summary_pairs(summary: dict) -> list[tuple[str, object]]:
    return [
        ("Scenario rule set", f"{summary['rules']['name']} (version {summary['rules']['version']})"),
        ("Baseline rule set", summary["baseline_rules"]["name"]),
        ("Source file", summary["source_file"]),
        ("Census date", formats.uk_date(summary["census_date"])),
        ("Grouped by", summary["by"]),
        ("Patients on the list", summary["list_size"]),
        ("Weekly capacity", _plain_figure(summary["capacity_per_week"])),
        ("New referrals a week", _plain_figure(summary["demand_by_priority"] or summary["demand_per_week"])),
        ("Horizon (weeks)", summary["horizon_weeks"]),
        ("Next N treated (new referrals included)", summary["next_n"]),
        ("New referrals arriving within the horizon", summary["new_referrals_by_horizon"]),
        ("Patients waiting at the horizon", summary["list_size_at_horizon"]),
        ("The list grows", "yes" if summary["list_grows"] else "no"),
        ("Wait figures count", _denominator(summary)),
        *[(f"{order.capitalize()}: whole list {ORDER_COLUMNS[key]}", _shown(key, summary["overall"][order][key]))
          for order in ORDERS for key in ("within_18", *(f"over_{w}" for w in LONG_WAIT_WEEKS))],
        ("SII and RII fitted across", sii_scope(summary)[0]),
        ("Patients of other nations left out of the SII", summary["sii_left_out"]),
        *[(f"SII of mean projected wait, {order} (weeks; {SII_SIGN})", _weeks(summary["sii"][order]))
          for order in ORDERS],
        *[(f"SII 95% confidence interval, {order} (weeks)", _limits(summary["sii_ci"][order], 1)) for order in ORDERS],
        *[(f"SII if the patients of unknown deprivation were all most or all least deprived, {order} (weeks)",
           _limits(summary["sii_unknowns_range"][order], 1)) for order in ORDERS],
        *[(f"RII, {order} ({RII_MEANING})", _round(summary["rii"][order], 3)) for order in ORDERS],
        *[(f"RII 95% confidence interval, {order}", _limits(summary["rii_ci"][order], 3)) for order in ORDERS],
        *[(f"RII in words, {order}", summary["rii_words"][order]) for order in ORDERS],
        ("Disclosure control", disclosure_note(summary)),
    ]


# --------------------------------------------------------------------------- screen
def _print_table(summary: dict) -> None:
    if not_for_publication(summary):
        print(NOT_FOR_PUBLICATION.upper())
    print(f"{summary['rules']['name']} against {summary['baseline_rules']['name']}, by {summary['by']}: "
          f"{_text(summary['list_size'])} patients, next {_text(summary['next_n'])} treated "
          f"in {summary['horizon_weeks']:g} weeks (figures: baseline / scenario)")
    print(flow_text(summary))
    print(_line("group", "patients", "% list", "% next N", "mean wait", "over 52", "change"))
    for g in summary["groups"]:
        base, scen = g["baseline"], g["scenario"]
        print(_line(g["group"], _text(g["count"]), _text(_percent(g["share_of_list"])),
                    _pair(_percent(base["share_of_next_n"]), _percent(scen["share_of_next_n"])),
                    _pair(_weeks(base["mean_wait"]), _weeks(scen["mean_wait"])),
                    _pair(base["over_52"], scen["over_52"]), g["change"]))
    for line in inequality_text(summary):
        print(line)
    print(overall_text(summary))
    print(disclosure_note(summary) + "." + deprivation_note(summary))


def _denominator(summary: dict) -> str:
    return describe_left_out(summary["rtt_waits_counted"], summary["list_size"], summary["left_out"])


def _line(group, patients, share, next_n, mean_wait, over_52, change) -> str:
    return f"{group:<36}{patients:>9}{share:>8}{next_n:>15}{mean_wait:>15}{over_52:>17}  {change}"


def _pair(before, after) -> str:
    return f"{_text(before)} / {_text(after)}"


def _text(value) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _shown(key: str, value):
    if key == "mean_wait_range":
        return _limits(value, 1)
    if key in SHARES:
        return _percent(value)
    return _weeks(value) if key.endswith("_wait") else value


def _percent(share):
    return share if share is None or isinstance(share, str) else round(100 * share, 1)


def _weeks(value):
    return _round(value, 1)


def _limits(limits, places: int):
    """A range or confidence interval as 'low to high' text ('' when there is none; '*' stays '*')."""
    if limits is None or isinstance(limits, str):
        return "" if limits is None else limits
    return f"{limits[0]:.{places}f} to {limits[1]:.{places}f}"


def _round(value, places: int):
    return value if value is None or isinstance(value, str) else round(value, places)


def _plain_figure(figure):
    if isinstance(figure, dict):
        return ", ".join(f"{k}: {v:g}" for k, v in figure.items())
    return figure
