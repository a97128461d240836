"""``workbench validation-audit --workspace WS``: does validation remove people unequally?

Removals by group against each group's share of the list and of those validated, with rate ratios and 95%
intervals; "did not respond" apart. Every output is disclosure-controlled unless ``--not-for-publication`` is
given (and then each says so).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from workbench import formats
from workbench.commands._tables import add_table_arguments, check_out, show
from workbench.commands.import_ import iso_date
from workbench.compare.suppression import NOT_FOR_PUBLICATION, disclosure_note, not_for_publication
from workbench.compare.validation_audit import AUDIT_GROUPINGS, audit_figure_text, suppressed_audit, validation_audit
from workbench.report.record import grouping_words
from workbench.report.tables import write_tables
from workbench.store.workspace import Workspace

NAME = "validation-audit"
HELP = "Audit validation for equity: removals by IMD fifth, ethnic group, age band, sex and learning disability."
HEADERS = ("Group", "On the list", "Share of the list (%)", "Validated", "Share of those validated (%)",
           "Removed", "Removal rate among validated (%)", "Removal rate ratio", "95% interval",
           "Did not respond", "Did-not-respond rate (%)", "Did-not-respond rate ratio", "95% interval",
           "Other removals", "Other removal rate (%)", "Other removal rate ratio", "95% interval")


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--since", type=iso_date, help="from this date, YYYY-MM-DD (default: the first snapshot's)")
    parser.add_argument("--until", type=iso_date, help="up to this date (default: every outcome recorded)")
    parser.add_argument("--by", action="append", help=f"a grouping (repeat for more; default: {', '.join(AUDIT_GROUPINGS)})")
    add_table_arguments(parser, "tables")


def run(args) -> int:
    check_out(args.out, "tables")
    with Workspace.open(args.workspace) as workspace:
        audit = validation_audit(workspace, args.by or AUDIT_GROUPINGS, args.since, args.until)
    return show(args, suppressed_audit(audit, args.small_numbers_shown), _write, _print)


def _print(shown: dict) -> None:
    total = {key: formats.count(shown[f"total_{key}"]) for key in ("on_list", "validated", "removed", "did_not_respond")}
    print(f"Validation from {formats.uk_date(date.fromisoformat(shown['since']))}: {total['on_list']} pathways on the "
          f"list, {total['validated']} validated, {total['removed']} removed ({total['did_not_respond']} did not respond)")
    for by, table in shown["groupings"].items():
        print(f"\n{grouping_words(by)} (rate ratios and their 95% intervals against {table['reference']})")
        for group in table["groups"]:
            print("  " + _group_line(group, group["group"] == table["reference"]))
    for by, why in shown["not_possible"].items():
        print(f"\n{grouping_words(by)}: {why}")
    print(f"\n{shown['method']}")
    print(disclosure_note(shown) + ".")


def _group_line(group: dict, is_reference: bool) -> str:
    shown = {key: audit_figure_text(key, value, is_reference) for key, value in group.items()}
    return (f"{group['group']}: {shown['on_list']} on the list ({shown['share_of_on_list']}), {shown['validated']} "
            f"validated; removed {shown['removed']} ({shown['removed_rate']}, rate ratio {shown['removed_rate_ratio']}); "
            f"did not respond {shown['did_not_respond']} ({shown['did_not_respond_rate']}, rate ratio "
            f"{shown['did_not_respond_rate_ratio']})")


def table_rows(table: dict) -> list[list]:
    """One row per group in ``HEADERS`` order, shares and rates in %, ratios to 2 places; "*" where hidden."""
    rows = []
    for g in table["groups"]:
        row = [g["group"], g["on_list"], _percent(g["share_of_on_list"]), g["validated"], _percent(g["share_of_validated"])]
        for events, count in (("removed", "removed"), ("did_not_respond", "did_not_respond"), ("removed_other", "removed_other")):
            row += [g[count], _percent(g[f"{events}_rate"]), *_ratio(g[f"{events}_rate_ratio"], g["group"] == table["reference"])]
        rows.append(row)
    return rows


def _percent(share):
    return share if share is None or isinstance(share, str) else round(100 * share, 1)


def _ratio(ratio, is_reference: bool) -> list:
    if is_reference:
        return ["1 (reference)", ""]
    if ratio is None or isinstance(ratio, str):
        return [ratio or "not estimable", ""]
    return [round(ratio["ratio"], 2), f"{ratio['low']:.2f} to {ratio['high']:.2f}"]


def _write(path: Path, audit: dict) -> None:
    note = NOT_FOR_PUBLICATION if not_for_publication(audit) else None
    groupings = audit["groupings"].items()
    sheets = [(grouping_words(by)[:31], HEADERS, table_rows(table)) for by, table in groupings]
    every_grouping = ([grouping_words(by), *row] for by, table in groupings for row in table_rows(table))
    write_tables(path, "the validation audit", [*sheets, ("About", ["Item", "Value"], _about(audit))],
                 (("Grouping", *HEADERS), every_grouping), note)


def _about(audit: dict) -> list[tuple]:
    references = [(f"Reference group, {grouping_words(by)}", t["reference"]) for by, t in audit["groupings"].items()]
    return [("From", audit["since"]), ("Pathways on the list", audit["total_on_list"]),
            ("Validated", audit["total_validated"]), ("Removed", audit["total_removed"]),
            ("Did not respond", audit["total_did_not_respond"]), *references, ("Method", audit["method"]),
            ("Disclosure control", disclosure_note(audit) + ("" if not_for_publication(audit) else
                                                             "; rates and rate ratios too, from the counts as published"))]

