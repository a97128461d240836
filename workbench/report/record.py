"""The decision record: one HTML page saying what was decided, on which list, and what it does.

It holds the rule set (its settings, its TOML and its sha256), the source file's
sha256 and census date, the capacity assumptions, the equity tables for the
baseline and the scenario (disclosure-controlled as every group-level output is:
nothing here identifies a patient), the charts, the list's trend since the rule set was adopted (with weekly
snapshots), and the decision log with the state of its hash chain.
The app turns the same HTML into a PDF with Qt (``ui/report_export.py``); this
module stays Qt-free so the page can be tested and made anywhere.

Images are given as ``src`` strings: a data URI (see :func:`image_data_uri`)
makes a single self-contained HTML file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, Sequence

from workbench import formats
from workbench.store.decisions import GENESIS, ChainHead, LogEntry, transform_words
from workbench.compare.equity import RII_MEANING, SII_SIGN, flow_text, inequality_text, overall_text, sii_scope
from workbench.fields import LONG_WAIT_WEEKS
from workbench.store.files import replacing
from workbench.rank.rules import MISSING_WORDS, RuleSet, dump_rules
from workbench.report.identity import RuleSetIdentity, rule_set_identity
from workbench.compare.suppression import (
    COUNT, DISCLOSURE, FREE, NOT_FOR_PUBLICATION, SUPPRESSED, About, control, disclosure_note, disclosure_stamp,
    published_count, suppressed_summary,
)

PAGE_WIDTH_PX = 680  # A4's text width (180 mm) at 96 pixels an inch: the PDF lays pictures out at this scale
PAGE_HEIGHT_PX = 900  # a picture taller than this is scaled down, so it fits a page with its caption
GROUPING_WORDS = {
    "imd_quintile": "IMD fifth, within each nation",
    "imd_decile": "IMD decile, within each nation",
    "core20": "Core20 (most deprived 20% in England)",
    "ethnic_group": "Ethnic group",
    "age_band": "Age band",
    "sex": "Sex",
    "learning_disability": "Learning disability",
    "specialty": "Specialty",
    "site": "Site",
}
STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 18px; } h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: 4px 0 10px 0; font-size: 9pt; }
th, td { border: 1px solid #888; padding: 2px 4px; vertical-align: top; }
th { background: #e8e8e8; text-align: left; }
td.n { text-align: right; }
.mono { font-family: Consolas, 'Courier New', monospace; font-size: 8pt; }
pre.mono { white-space: pre-wrap; }
.warning { color: #a00000; font-weight: bold; }
.ok { color: #005a00; font-weight: bold; }
.note { color: #333; font-size: 9pt; }
"""
# How the order changes (ranking.Comparison.as_dict), figure by figure (workbench.compare.suppression).
COMPARISON_FIGURES = {
    "rows": COUNT, "moved_up": COUNT, "moved_down": COUNT, "unchanged": COUNT, "mean_movement": About("rows"),
    "kendall_tau": About("rows"), "max_moved_up": About("rows"), "max_moved_down": About("rows"), "top_n": FREE,
    "entering_top_n": FREE, "leaving_top_n": FREE,
}


@dataclass
class DecisionRecord:
    """Everything the decision record shows. ``equity`` and ``comparison`` are as worked out
    (see :func:`workbench.compare.equity.equity_summary`): they are controlled here, unless
    ``small_numbers_shown`` (the one explicit choice), which stamps every page "Not for publication"."""

    rule_set: RuleSet
    baseline: RuleSet
    import_record: dict[str, Any] | None = None
    equity: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None  # ranking.Comparison.as_dict() without a list
    log: Sequence[LogEntry] = ()
    chain_problem: str | None = None  # None: the log's hash chain verified
    charts: Sequence["ReportImage"] = ()
    made_by: str = ""
    made_at: datetime = field(default_factory=datetime.now)
    small_numbers_shown: bool = False
    warnings: Sequence[str] = ()  # what a reader must check before relying on the order
    trend: dict[str, Any] | None = None  # workbench.compare.trends.since_adoption of the trend as shown, if any


@dataclass(frozen=True)
class ReportImage:
    """A picture in the record: its caption, its ``src`` (a data URI or path) and its size in pixels."""

    caption: str
    src: str
    width: int
    height: int


def image_data_uri(png: bytes) -> str:
    """A PNG as a data URI, so the HTML file needs nothing beside it.

    >>> image_data_uri(b"abc")
    'data:image/png;base64,YWJj'
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def decision_record_html(record: DecisionRecord) -> str:
    """The whole decision record as one HTML page."""
    parts = [
        _heading(record),
        _warnings_section(record.warnings),
        _source_section(record.import_record, record.small_numbers_shown),
        _rules_section(record.rule_set, record.baseline, record.log),
        _comparison_section(record.comparison, record.small_numbers_shown),
        _equity_section(record.equity, record.small_numbers_shown),
        _trend_section(record.trend, record.small_numbers_shown),
        _charts_section(record.charts),
        _log_section(record.log, record.chain_problem),
        _toml_section(record.rule_set),
    ]
    title = escape(f"Decision record: {rule_set_identity(record.rule_set).title}")
    return (f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(p for p in parts if p) + "\n</body></html>\n")


def write_decision_record(record: DecisionRecord, path) -> Path:
    """Write the HTML decision record to ``path`` (UTF-8); WorkbenchError if it cannot be written."""
    path = Path(path)
    with replacing(path, "the decision record") as partial:
        partial.write_text(decision_record_html(record), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- sections
def _warnings_section(warnings: Sequence[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return f"<section><h2>Check before relying on this order</h2><ul>{items}</ul></section>"


def _heading(record: DecisionRecord) -> str:
    made = formats.uk_date_time(record.made_at)
    by = f" by {escape(record.made_by)}" if record.made_by.strip() else ""
    stamp = (f"<p class=\"warning\">{NOT_FOR_PUBLICATION}.</p>" if record.small_numbers_shown else "")
    control_words = disclosure_stamp(record.small_numbers_shown)["note"]
    return (f"{stamp}<h1>Decision record: {escape(rule_set_identity(record.rule_set).title)}</h1>"
            f"<p>Made on {made}{by} with the prioritisation workbench. Group-level figures only; "
            f"{escape(control_words[0].lower() + control_words[1:])}.</p>")


def _source_section(info: dict[str, Any] | None, small_numbers_shown: bool) -> str:
    if not info:
        return "<h2>The waiting list</h2><p>No import record: the list's source is not known.</p>"
    stored = info.get("rows_stored")
    if stored is not None and not small_numbers_shown:
        stored = published_count(stored)  # the list's size, exact, would undo the rounding of its groups
    rows = [
        ("Source file", info.get("file_name")),
        ("Source file sha256", _mono(info.get("sha256"))),
        ("Census date", formats.uk_date(info.get("census_date"))),
        ("Rows stored", formats.count(stored)),
        ("Imported", formats.uk_date_time(info.get("imported_at"))),
    ]
    return "<h2>The waiting list</h2>" + _key_values(rows)


def _rules_section(rule_set: RuleSet, baseline: RuleSet, log: Sequence[LogEntry]) -> str:
    identity = rule_set_identity(rule_set, log)
    cap = rule_set.social_cap_weeks
    items = [("Rule set", identity.title), *_own_words(rule_set, identity),
             ("Rule set sha256", _mono(rule_set.sha256)),
             ("Clinical priority bands", ", ".join(rule_set.bands.names)),
             ("Band policy", "strict: no patient crosses a band" if rule_set.bands.strict else _overlaps(rule_set)),
             ("Social cap", "none" if cap is None else f"social and deprivation factors together at most {formats.rule_number(cap)} weeks"),
             ("Compared against", f"{baseline.name} (sha256 {baseline.sha256[:12]}…)")]
    header = ["Factor", "Column", "Group", "Weight (weeks-equivalent)", "Transform", "When missing"]
    rows = [[f.name, f.source, f.group, formats.rule_number(f.weight), transform_words(f), MISSING_WORDS[f.missing]]
            for f in rule_set.factors]
    return ("<h2>The rule set</h2>" + _key_values(items) + _changes_table(identity)
            + "<h3>Factors</h3>" + _table(header, rows, numeric={3}))


def _own_words(rule_set: RuleSet, identity: RuleSetIdentity) -> list[tuple[str, Any]]:
    """Version, author, description and rationale; for an edited rule set, what it was edited from and the
    rationale recorded for these rules (the original's words describe other weights)."""
    if not identity.edited:
        return [("Version", rule_set.version), ("Author", rule_set.author), ("Description", rule_set.description),
                ("Rationale", rule_set.rationale)]
    origin = identity.edited_from
    recorded = identity.rationale_text()
    if not identity.rationale:
        recorded = _Safe(f"<span class=\"warning\">{escape(recorded)}</span>")
    return [("Edited from", _Safe(f"{escape(origin.words)} (sha256 {_mono(origin.sha256[:12])}…)")),
            ("Rationale for the changes", recorded)]


def _changes_table(identity: RuleSetIdentity) -> str:
    if not identity.edited:
        return ""
    title = f"<h3>Changes from {escape(identity.edited_from.words)}</h3>"
    if identity.changes is None:
        return title + f"<p>{escape(identity.changes_text().capitalize())}.</p>"
    rows = [[c.factor or "(the rule set)", c.setting, c.before, c.after] for c in identity.changes]
    return title + _table(["Factor", "Setting", "From", "To"], rows)


def _overlaps(rule_set: RuleSet) -> str:
    pairs = [f"{name} {formats.rule_number(weeks)} weeks" for name, weeks in zip(rule_set.bands.names, rule_set.bands.overlap_weeks) if weeks]
    return "bounded overlap with the band before: " + ", ".join(pairs)


def _comparison_section(comparison: dict[str, Any] | None, small_numbers_shown: bool) -> str:
    if not comparison:
        return ""
    if not small_numbers_shown:
        comparison = control(comparison, COMPARISON_FIGURES)
    items = [
        ("Patients", formats.count(comparison.get("rows"))),
        ("Rank correlation with the baseline (Kendall tau)", formats.correlation(comparison["kendall_tau"])),
        ("Moved up", formats.count(comparison.get("moved_up"))),
        ("Moved down", formats.count(comparison.get("moved_down"))),
        ("Unchanged", formats.count(comparison.get("unchanged"))),
        ("Largest move up (places)", formats.count(comparison.get("max_moved_up"))),
        ("Largest move down (places)", formats.count(comparison.get("max_moved_down"))),
    ]
    return "<h2>How the order changes</h2>" + _key_values(items)


def _equity_section(summary: dict[str, Any] | None, small_numbers_shown: bool) -> str:
    if not summary:
        return ""
    shown = suppressed_summary(summary, small_numbers_shown)
    assumptions = [
        ("Grouped by", grouping_words(shown["by"])),
        ("Capacity (patients a week)", formats.figure(shown["capacity_per_week"])),
        ("New referrals a week", formats.figure(shown["demand_by_priority"] or shown["demand_per_week"])
         if shown["demand_by_priority"] or shown["demand_per_week"] else "not included"),
        ("Horizon (weeks)", formats.figure(shown["horizon_weeks"])),
        ("Next N treated", formats.count(shown["next_n"])),
        ("The list over the horizon", flow_text(shown)),
        ("RTT waits, whole list", overall_text(shown)),
    ]
    return ("<h2>Equity impact: baseline against scenario</h2>" + _key_values(assumptions)
            + _equity_table(shown) + _long_wait_table(shown) + _inequality_table(shown))


def _trend_section(trend: dict[str, Any] | None, small_numbers_shown: bool) -> str:
    """The list's waits and inequality when the rule set was adopted and now (workbench.compare.trends),
    as the Trends tab shows them; left out of a controlled record unless they were controlled too."""
    controlled = (trend or {}).get(DISCLOSURE) or {"controlled": False}
    if not trend or not trend["figures"] or not (controlled["controlled"] or small_numbers_shown):
        return ""
    shown = {"weeks": formats.decimal, "share": formats.share, "count": formats.count}
    rows = [[f["figure"], shown[f["kind"]](f["from"]), shown[f["kind"]](f["to"]), _change_text(f["change"], f["kind"])]
            for f in trend["figures"]]
    adopted, start, end = (formats.uk_date(date.fromisoformat(trend[k])) for k in ("date", "from", "to"))
    header = ["Figure", f"Snapshot of {start}", f"Snapshot of {end}", "Change"]
    return (f"<h2>Since '{escape(trend['rule_set'])}' was adopted ({adopted})</h2>"
            "<p class=\"note\">Waits at each census date over the RTT waits that count (not projections). "
            f"{escape(disclosure_note(trend))}. A change over time has many causes besides the order: read it beside "
            "capacity and demand.</p>" + _table(header, rows, numeric={1, 2, 3}))


def _change_text(change, kind: str) -> str:
    """
    >>> _change_text(-0.5, "weeks"), _change_text(0.021, "share"), _change_text(-12, "count"), _change_text(None, "count")
    ('-0.5', '+2.1 points', '-12', '')
    """
    if change is None:
        return ""
    return f"{100 * change:+.1f} points" if kind == "share" else f"{change:+,.1f}" if kind == "weeks" else f"{change:+,}"


def _equity_table(shown: dict) -> str:
    header = ["Group", "Patients", "Share of list", "Share of the next N treated", "Mean projected wait (weeks)",
              "Change in the mean", "90th percentile (weeks)"]
    rows = [[g["group"], formats.count(g["count"]), formats.share(g["share_of_list"]), _pair(g, "share_of_next_n", formats.share),
             _pair(g, "mean_wait", formats.decimal), g["change"] or "", _pair(g, "p90_wait", formats.decimal)]
            for g in shown["groups"]]
    return ("<h3>Share treated and projected wait</h3>" + _BOTH_ORDERS
            + _table(header, rows, {1, 2, 3, 4, 6}))


def _long_wait_table(shown: dict) -> str:
    header = ["Group"] + [f"Past {w} weeks" for w in LONG_WAIT_WEEKS]
    rows = [[g["group"]] + [_pair(g, f"over_{w}", formats.count) for w in LONG_WAIT_WEEKS] for g in shown["groups"]]
    numeric = set(range(1, 1 + len(LONG_WAIT_WEEKS)))
    return ("<h3>Patients whose projected wait passes each threshold</h3>" + _BOTH_ORDERS
            + _table(header, rows, numeric))


# Two figures to a cell keeps the tables narrow enough for a page, so no word is split.
_BOTH_ORDERS = "<p class=\"note\">Where a cell holds two figures: baseline → scenario.</p>"


def _pair(group: dict, key: str, shown) -> str:
    """A group's figure under both orders, ``baseline → scenario``; one ``*`` if both are suppressed.

    >>> _pair({"baseline": {"w": 1.25}, "scenario": {"w": 2.0}}, "w", formats.decimal)
    '1.2 → 2.0'
    """
    base, scenario = shown(group["baseline"][key]), shown(group["scenario"][key])
    return SUPPRESSED if base == scenario == SUPPRESSED else f"{base} → {scenario}"


def _inequality_table(shown: dict) -> str:
    rows = [[name, formats.figure(shown["sii"][order]), _limits(shown["sii_ci"][order]), formats.figure(shown["rii"][order]),
             _limits(shown["rii_ci"][order]), shown["rii_words"][order] or ""]
            for name, order in (("Baseline", "baseline"), ("Scenario", "scenario"))]
    where, left_out = sii_scope(shown)
    note = ("<p class=\"note\">Slope index of inequality: the gap in mean projected wait (weeks) between the most and "
            f"least deprived ends of a line fitted across the IMD deciles ({SII_SIGN}); relative index: {RII_MEANING}. "
            "Confidence intervals by OHID's simulation method."
            f"{' ' + escape(left_out.capitalize()) + '.' if left_out else ''} "
            + " ".join(escape(line) for line in inequality_text(shown)[2:]) + "</p>")
    headers = ["Order", f"SII (weeks; {SII_SIGN})", "SII 95% CI", "RII (least ÷ most deprived)", "RII 95% CI",
               "In words"]
    return f"<h3>Inequality across {escape(where)}</h3>" + _table(headers, rows, numeric={1, 2, 3, 4}) + note


def _limits(limits) -> str:
    """A confidence interval as 'low to high'; '*' stays '*'."""
    if isinstance(limits, (list, tuple)):
        return f"{formats.figure(limits[0])} to {formats.figure(limits[1])}"
    return "" if limits is None else str(limits)


def grouping_words(by: str) -> str:
    """How a grouping is named in the record.

    >>> grouping_words("imd_quintile"), grouping_words("Carer")
    ('IMD fifth, within each nation', 'Carer')
    """
    return GROUPING_WORDS.get(by, by)


def _charts_section(charts: Sequence[ReportImage]) -> str:
    if not charts:
        return ""
    return "<h2>Charts</h2>" + "".join(_image(chart) for chart in charts)


def _image(chart: ReportImage) -> str:
    """An image scaled to fit the page, keeping its shape (a PDF page is 680 pixels wide).

    >>> 'width="680" height="340"' in _image(ReportImage("c", "c.png", 1360, 680))
    True
    """
    scale = min(1.0, PAGE_WIDTH_PX / max(chart.width, 1), PAGE_HEIGHT_PX / max(chart.height, 1))
    width, height = round(chart.width * scale), round(chart.height * scale)
    return (f"<p><img src=\"{escape(chart.src, quote=True)}\" width=\"{width}\" height=\"{height}\" "
            f"alt=\"{escape(chart.caption, quote=True)}\"><br><span class=\"note\">{escape(chart.caption)}</span></p>")


def _log_section(log: Sequence[LogEntry], chain_problem: str | None) -> str:
    if chain_problem:
        status = f"<p class=\"warning\">Warning: {escape(chain_problem)}</p>"
    else:
        entries = "1 entry" if len(log) == 1 else f"{len(log)} entries"
        status = f"<p class=\"ok\">The decision log's hash chain verified: {entries}, none altered.</p>"
    header = ["When", "Who", "What", "Why", "Rule set sha256"]
    rows = [[e.shown_time, e.person, e.action, e.rationale, _mono((e.rules_sha256 or "")[:12])] for e in log]
    table = _table(header, rows) if rows else "<p>No decisions recorded yet.</p>"
    return "<h2>Decision log</h2>" + status + _head_paragraph(log) + table


def _head_paragraph(log: Sequence[LogEntry]) -> str:
    """The log's head, for checking the workspace's log against this record later (kept outside it)."""
    head = ChainHead(len(log), log[-1].entry_hash if log else GENESIS)
    return (f"<p class=\"note\" data-entries=\"{head.entries}\" data-head=\"{head.head}\">To check the workspace's "
            f"log against this record later: it had {escape(head.describe())}. "
            "<span class=\"mono\">workbench verify --workspace WORKSPACE --record THIS-FILE.html</span> "
            "says whether those entries are all still there, unchanged.</p>")


def _toml_section(rule_set: RuleSet) -> str:
    return (f"<h2>The rule set file</h2><p>Its sha256: <span class=\"mono\">{rule_set.sha256}</span></p>"
            f"<pre class=\"mono\">{escape(dump_rules(rule_set))}</pre>")


# --------------------------------------------------------------------------- formatting
class _Safe(str):
    """Text that is already HTML (a marked-up value), not to be escaped again."""


def _mono(text: str | None) -> _Safe:
    return _Safe(f"<span class=\"mono\">{escape(text or '')}</span>")


def _cell(value: Any) -> str:
    return value if isinstance(value, _Safe) else escape("" if value is None else str(value))


def _key_values(items) -> str:
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{_cell(value)}</td></tr>" for label, value in items)
    return f"<table>{rows}</table>"


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(),
           groups: list[tuple[str, int]] | None = None) -> str:
    """An HTML table; ``groups`` adds a first header row of (title, columns spanned)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    if groups:
        spans = "".join(f"<th colspan=\"{span}\">{escape(title)}</th>" for title, span in groups)
        head = f"{spans}</tr><tr>{head}"
    # <thead>: a table running onto another page repeats its header rows there.
    right = ' class="n"'
    body = "".join(
        "<tr>" + "".join(f"<td{right if i in numeric else ''}>{_cell(v)}</td>" for i, v in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
