"""``workbench trends --workspace WS --by GROUPING``: waits and inequality over the weekly snapshots.

Per group: median and mean wait, % within 18 weeks, counts past 52 and 78 weeks; per nation: the gap between
the most and least deprived fifths and the slope index with its 95% interval; the rule sets adopted (from the
decision log) and the trend since. Every output is disclosure-controlled unless ``--not-for-publication`` is given
(and then each says so).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from workbench.cli import print_progress
from workbench.commands._tables import add_by_argument, add_table_arguments, check_out, show
from workbench.compare.suppression import NOT_FOR_PUBLICATION, disclosure_note, not_for_publication
from workbench.compare.trends import figure_text, since_adoption, suppressed_trend, trend_figures
from workbench.report.tables import write_tables
from workbench.store.workspace import Workspace

NAME = "trends"
HELP = "Waits and inequality over the weekly snapshots, per group, with the rule sets adopted marked."
LIST_HEADERS = ("Census date", "Patients", "RTT waits counted", "Median wait (weeks)", "Mean wait (weeks)",
                "Within 18 weeks (%)", "Over 52 weeks", "Over 78 weeks")
INEQUALITY_HEADERS = ("Census date", "Nation", "Gap, most minus least deprived fifth (weeks)",
                      "Slope index of inequality (weeks)", "95% interval from", "95% interval to")


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    add_by_argument(parser)
    add_table_arguments(parser, "tables")


def run(args) -> int:
    check_out(args.out, "tables")
    with Workspace.open(args.workspace) as workspace:
        trend = trend_figures(workspace, args.by, progress=print_progress)
    shown = suppressed_trend(trend, args.small_numbers_shown)
    shown["since_adoption"] = since_adoption(shown)
    return show(args, shown, _write, _print)


def whole_list_rows(trend: dict) -> list[list]:
    return [[_day(s["census_date"]), s["patients"], s["waits_counted"], _round(s["median_wait"]), _round(s["mean_wait"]),
             _percent(s["within_18"]), s["over_52"], s["over_78"]] for s in trend["snapshots"]]


def group_rows(trend: dict) -> list[list]:
    return [[_day(s["census_date"]), label, g["patients"], g["waits_counted"], _round(g["median_wait"]), _round(g["mean_wait"]),
             _percent(g["within_18"]), g["over_52"], g["over_78"]]
            for s in trend["snapshots"] for label, g in s["groups"].items()]


def inequality_rows(trend: dict) -> list[list]:
    return [[_day(s["census_date"]), nation, _round(f["gap"]), _round(f["sii"]), *_interval(f["sii_ci"])]
            for s in trend["snapshots"] for nation, f in s["by_nation"].items()]


def _interval(limits) -> list:
    """The interval's two limits, rounded; ``*`` in both when hidden."""
    return [_round(limit) for limit in limits] if isinstance(limits, list) else [limits, limits]


def _print(trend: dict) -> None:
    print(f"{len(trend['snapshots'])} snapshots, grouped by {trend['by']}")
    print("  ".join(h[:14] for h in LIST_HEADERS))
    for row in whole_list_rows(trend):
        print("  ".join(f"{_text(v):>14}" for v in row))
    for row in inequality_rows(trend):
        print(f"{_text(row[0])} {row[1]}: gap {_text(row[2])} weeks; SII {_text(row[3])} weeks "
              f"(95% interval {_text(row[4])} to {_text(row[5])}; positive: the most deprived wait longer)")
    for adoption in trend["adoptions"]:
        print(f"Rule set '{adoption['rule_set']}' adopted {_text(_day(adoption['date']))}")
    since = trend.get("since_adoption")
    for figure in (since or {}).get("figures", []):
        print(f"Since {since['rule_set']} ({_text(_day(since['from']))} to {_text(_day(since['to']))}): "
              f"{figure['figure']}: {figure_text(figure['from'], figure['kind'])} -> "
              f"{figure_text(figure['to'], figure['kind'])}")
    print(disclosure_note(trend) + ".")


def _write(path: Path, trend: dict) -> None:
    note = NOT_FOR_PUBLICATION if not_for_publication(trend) else None
    by_group = ("Census date", "Group", "Patients", *LIST_HEADERS[2:])
    about = [("Grouped by", trend["by"]), ("Waits", "at each census date, over the RTT waits that count"),
             ("Disclosure control", disclosure_note(trend)),
             *[(f"Rule set adopted {a['date']}", a["rule_set"]) for a in trend["adoptions"]]]
    groups = group_rows(trend)
    sheets = [("Whole list", LIST_HEADERS, whole_list_rows(trend)), ("By group", by_group, groups),
              ("Inequality", INEQUALITY_HEADERS, inequality_rows(trend)), ("About", ["Item", "Value"], about)]
    write_tables(path, "the trends", sheets, (by_group, groups), note)


def _round(value, places: int = 1):
    return round(value, places) if isinstance(value, float) else value


def _percent(share):
    return share if share is None or isinstance(share, str) else round(100 * share, 1)


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


def _text(value) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
