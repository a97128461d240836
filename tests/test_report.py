"""The HTML decision record: rules and their sha256, provenance, suppressed equity tables, the log."""

from datetime import date, datetime

import numpy as np
import pytest

from workbench.store.decisions import decision_log, record_decision
from workbench.compare.equity import equity_summary
from workbench.fields import WaitingList
from workbench.rank.ranking import compare, rank
from workbench.report.record import DecisionRecord, ReportImage, decision_record_html, image_data_uri, write_decision_record
from workbench.rank.rule_edits import with_weights
from workbench.rank.rule_file import parse_rules
from workbench.rank.bundled_rules import treat_in_turn
from workbench.store.workspace import Workspace

RULES = """
name = "Deprivation first"
version = "2.1"
social_cap_weeks = 6.0
[[factors]]
name = "Weeks waited"
source = "weeks_waited"
[[factors]]
name = "Most deprived"
group = "social"
source = "imd_quintile"
transform = "banded"
lookup = [{ from = 1, to = 1, value = 4.0 }]
"""


def small_list(n=60):
    """Quintiles 1-4 have 14 patients each; quintile 5 has 4 (a small count to suppress)."""
    quintile = np.array([1.0 + (i % 4) for i in range(56)] + [5.0] * (n - 56))
    return WaitingList(
        row_id=np.arange(1, n + 1),
        columns={
            "pathway_id": np.array([f"PW-SECRET-{i:03d}" for i in range(n)], dtype=object),
            "clinical_priority": np.array(["P3"] * n, dtype=object),
            "weeks_waited": np.linspace(1, 60, n),
            "imd_quintile": quintile,
            "imd_decile": quintile * 2,
            "deprivation_nation": np.array(["England"] * n, dtype=object),
        },
        census_date=date(2026, 3, 31),
    )


@pytest.fixture
def record(tmp_path):
    wl = small_list()
    rules = parse_rules(RULES)
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    summary = equity_summary(wl, baseline.order, scenario.order, by="imd_quintile", capacity_per_week=5, horizon_weeks=4)
    with Workspace.create(tmp_path / "ws.sqlite") as ws:
        record_decision(ws, "Dr <b>Evans</b>", "Adopted deprivation first", "Closes the gap & keeps P-bands", rules)
        log = decision_log(ws)
    info = {"file_name": "ptl.csv", "sha256": "ab" * 32, "census_date": date(2026, 3, 31),
            "rows_stored": 60, "imported_at": datetime(2026, 4, 1, 9, 30)}
    return DecisionRecord(rules, treat_in_turn(), info, summary, compare(baseline, scenario).as_dict(), log,
                          charts=[ReportImage("Projected waits", image_data_uri(b"\x89PNG fake"), 1100, 760)], made_by="J Smith",
                          made_at=datetime(2026, 4, 2, 14, 5))


def test_record_names_rules_source_and_log(record):
    html = decision_record_html(record)
    assert record.rule_set.sha256 in html
    assert "ab" * 32 in html
    assert "31/03/2026" in html and "01/04/2026 09:30" in html and "02/04/2026 14:05" in html
    assert "Adopted deprivation first" in html and "Closes the gap &amp; keeps P-bands" in html
    assert "hash chain verified: 1 entry," in html
    assert "Kendall tau" in html and 'src="data:image/png;base64,' in html
    assert 'width="680" height="470"' in html  # scaled to the page, shape kept
    assert "social and deprivation factors together at most 6 weeks" in html


def test_record_states_the_conventions_of_the_inequality_indices(record):
    html = decision_record_html(record)
    table = html.split("<h3>Inequality across", 1)[1]
    assert "SII (weeks; positive: the most deprived wait longer)" in table and "SII 95% CI" in table
    assert "RII (least ÷ most deprived)" in table and "OHID's simulation method" in table
    assert "No new referrals. Over 4 weeks" in html


def test_names_are_escaped_and_no_patient_identifiers_appear(record):
    html = decision_record_html(record)
    assert "Dr &lt;b&gt;Evans&lt;/b&gt;" in html and "<b>Evans" not in html
    assert "PW-SECRET" not in html


def test_small_groups_are_suppressed(record):
    html = decision_record_html(record)
    table = html.split("Share treated and projected wait", 1)[1]
    row = table.split("<td>England, least deprived fifth</td>", 1)[1].split("</tr>", 1)[0]  # the quintile-5 row
    assert '<td class="n">*</td>' in row and ">4<" not in row


def test_counts_are_rounded_in_the_record_and_it_says_how(record):
    html = decision_record_html(record)
    assert "<th>Rows stored</th><td>60</td>" in html and "<th>Patients</th><td>60</td>" in html
    table = html.split("Share treated and projected wait", 1)[1]
    row = table.split("<td>England, most deprived fifth</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="n">15</td>' in row  # 14 patients, rounded to the nearest 5
    assert "counts from 1 to 7 are shown as * and other counts rounded to the nearest 5" in html
    assert "Not for publication" not in html


def test_a_record_with_small_numbers_shown_says_not_for_publication_first(record):
    record.small_numbers_shown = True
    html = decision_record_html(record)
    body = html.split("<body>", 1)[1]
    assert body.lstrip().startswith('<p class="warning">Not for publication: small numbers shown.</p>')
    row = html.split("<td>England, least deprived fifth</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="n">4</td>' in row


def test_a_broken_chain_is_reported(record, tmp_path):
    record.chain_problem = "The decision log has been altered outside the workbench at entry 1"
    html = decision_record_html(record)
    assert 'class="warning"' in html and "altered outside the workbench at entry 1" in html
    path = write_decision_record(record, tmp_path / "record.html")
    assert path.read_text(encoding="utf-8") == html


def test_an_edited_rule_set_is_recorded_as_edited_with_its_changes_never_the_old_rationale(record, tmp_path):
    original = parse_rules('rationale = "The most deprived fifth gain 4 weeks"\n' + RULES)
    assert original.rationale == "The most deprived fifth gain 4 weeks"
    edited = with_weights(original, {"Most deprived": 2.30436, "Weeks waited": 1.5})
    record.rule_set = edited
    html = decision_record_html(record)
    assert "<h1>Decision record: Edited from Deprivation first 2.1</h1>" in html
    assert "<th>Rationale for the changes</th>" in html and "none recorded yet" in html
    changes = html.split("<h3>Changes from Deprivation first 2.1</h3>", 1)[1].split("</table>", 1)[0]
    assert "<td>Weeks waited</td><td>weight</td><td>1</td><td>1.5</td>" in changes
    assert "<td>Most deprived</td><td>weight</td><td>1</td><td>2.30436</td>" in changes
    assert "gain 4 weeks" not in html  # not in the table, nor in the rule set's file
    with Workspace.create(tmp_path / "edited.sqlite") as ws:
        record_decision(ws, "Dr Okafor", "Rules changed", "Weights from the AHP workshop", edited)
        record.log = decision_log(ws)
    html = decision_record_html(record)
    assert "Weights from the AHP workshop (recorded by Dr Okafor, " in html and "none recorded yet" not in html
