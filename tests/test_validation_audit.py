"""The equity audit of validation: removal rates by group, their ratios and intervals, by hand and on demo weeks."""

import math
import subprocess
import sys
from datetime import date

import pytest

from workbench.demo_weeks import import_week, weekly_lists
from workbench.store.importer import import_file
from workbench.store.outcomes import read_returned, record_outcomes
from workbench.report.spreadsheet import write_csv
from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.compare.validation_audit import rate_ratio, suppressed_audit, validation_audit, with_rate_ratios
from workbench.store.workspace import Workspace

CENSUS = date(2025, 3, 2)


def katz(a, n1, c, n2):
    ratio = (a / n1) / (c / n2)
    spread = 1.959963984540054 * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, ratio * math.exp(-spread), ratio * math.exp(spread)


@pytest.fixture
def audited(tmp_path):
    """60 pathways, 30 women and 30 men. Women: 20 validated, 5 did not respond, 3 no longer required.
    Men: 25 validated, 1 did not respond, 4 no longer required."""
    rows = [[f"F{i}", "F", "2024-10-01", CENSUS] for i in range(30)] + [[f"M{i}", "M", "2024-10-01", CENSUS] for i in range(30)]
    write_csv(tmp_path / "list.csv", ("Pathway ID", "Sex", "RTT Clock Start", "Census Date"), rows)
    workspace = tmp_path / "audit.sqlite"
    import_file(tmp_path / "list.csv", workspace, snapshot=True)
    outcomes = (["Did not respond"] * 5 + ["No longer required"] * 3 + ["Still waiting"] * 12,
                ["Did not respond"] * 1 + ["No longer required"] * 4 + ["Still waiting"] * 20)
    returned = [[f"{sex}{i}", word, "05/03/2025", "A Patel"] for sex, words in zip("FM", outcomes) for i, word in enumerate(words)]
    write_csv(tmp_path / "back.csv", ("Pathway ID", "Action taken", "Date checked", "Checked by"), returned)
    with Workspace.open(workspace) as ws:
        record_outcomes(ws, read_returned(tmp_path / "back.csv"))
        return validation_audit(ws, ["sex"])


def test_counts_shares_and_rates_worked_out_by_hand(audited):
    totals = ("total_on_list", "total_validated", "total_removed", "total_did_not_respond")
    assert tuple(audited[total] for total in totals) == (60, 45, 13, 6)
    table = audited["groupings"]["sex"]
    women, men = table["groups"][:2]
    assert table["reference"] == "Male"  # most validated
    assert (women["on_list"], women["validated"], women["removed"], women["did_not_respond"], women["removed_other"]) == (30, 20, 8, 5, 3)
    assert women["share_of_validated"] == pytest.approx(20 / 45) and women["share_of_removed"] == pytest.approx(8 / 13)
    assert women["removed_rate"] == pytest.approx(0.4) and men["removed_rate"] == pytest.approx(0.2)
    assert women["did_not_respond_rate"] == pytest.approx(0.25) and men["did_not_respond_rate"] == pytest.approx(0.04)


def test_rate_ratios_and_their_intervals_by_katz_log_method(audited):
    women = audited["groupings"]["sex"]["groups"][0]
    for key, counts in (("removed", (8, 20, 5, 25)), ("did_not_respond", (5, 20, 1, 25)), ("removed_other", (3, 20, 4, 25))):
        ratio = women[f"{key}_rate_ratio"]
        assert (ratio["ratio"], ratio["low"], ratio["high"]) == pytest.approx(katz(*counts))
    assert women["removed_rate_ratio"]["ratio"] == pytest.approx(2.0)
    assert rate_ratio(0, 20, 5, 25) is None and rate_ratio(3, 20, 5, 0) is None


def test_counts_are_rounded_and_rates_and_ratios_worked_out_from_them(audited):
    shown = suppressed_audit(audited)
    women, men = shown["groupings"]["sex"]["groups"][:2]
    assert (shown["total_on_list"], shown["total_validated"], shown["total_removed"]) == (60, 45, 15)  # 13 rounded
    assert shown["total_did_not_respond"] == "*" and shown["disclosure"]["controlled"]  # 6
    assert (women["removed"], women["did_not_respond"], women["removed_other"]) == (10, "*", "*")  # 8, 5 and 3
    assert men["removed"] == men["did_not_respond"] == men["removed_other"] == "*"  # 5, 1 and 4
    assert (men["validated"], women["on_list"], women["share_of_on_list"]) == (25, 30, 0.5)
    assert women["removed_rate"] == 0.5 and women["share_of_removed"] == pytest.approx(10 / 15)  # as published
    assert women["did_not_respond_rate"] == women["share_of_did_not_respond"] == "*"
    assert women["removed_rate_ratio"] == women["did_not_respond_rate_ratio"] == "*"  # men's 5 and 1 are hidden


def test_a_rate_ratio_is_worked_out_from_the_published_counts_never_the_exact_ones():
    groups = [{"group": "A", "validated": 101, "removed": 13, "did_not_respond": 9, "removed_other": 4},
              {"group": "B", "validated": 398, "removed": 41, "did_not_respond": 10, "removed_other": 31}]
    audit = {"since": "2025-03-02", "until": None, "method": "", "total_on_list": 499, "total_validated": 499,
             "total_removed": 54, "total_did_not_respond": 19, "not_possible": {},
             "groupings": {"sex": {"reference": "B", "groups": with_rate_ratios(
                 [{**g, "on_list": g["validated"]} for g in groups], "B")}}}
    a = suppressed_audit(audit)["groupings"]["sex"]["groups"][0]
    assert a["removed_rate_ratio"] == pytest.approx(rate_ratio(15, 100, 40, 400))  # not (13 / 101) / (41 / 398)
    assert a["did_not_respond_rate_ratio"] == pytest.approx(rate_ratio(10, 100, 10, 400)) and a["removed_other_rate_ratio"] == "*"
    shown = suppressed_audit(audit, small_numbers_shown=True)
    assert shown["groupings"]["sex"]["groups"][0]["removed_rate_ratio"] == pytest.approx(rate_ratio(13, 101, 41, 398))
    assert shown["disclosure"]["note"] == NOT_FOR_PUBLICATION


def test_on_the_demo_weeks_did_not_respond_falls_hardest_on_the_most_deprived(tmp_path):
    workspace = tmp_path / "weeks.sqlite"
    for week in weekly_lists(rows=2000, weeks=4, seed=3, start=date(2025, 6, 1)):
        import_week(week, workspace, tmp_path)
    with Workspace.open(workspace) as ws:
        audit = validation_audit(ws)
    fifths = {g["group"]: g for g in audit["groupings"]["imd_quintile"]["groups"]}
    assert audit["groupings"]["imd_quintile"]["reference"] == "England, least deprived fifth"
    assert fifths["England, most deprived fifth"]["did_not_respond_rate_ratio"]["low"] > 1
    assert set(audit["groupings"]) == {"imd_quintile", "ethnic_group", "age_band", "sex", "learning_disability"}


def test_the_command_line_writes_the_audit_with_its_method(tmp_path, audited):
    workspace = tmp_path / "audit.sqlite"
    run = subprocess.run([sys.executable, "-m", "workbench", "validation-audit", "--workspace", str(workspace), "--by", "sex",
                          "--not-for-publication", "--out", str(tmp_path / "audit.xlsx")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(NOT_FOR_PUBLICATION.upper())
    assert ("Female: 30 on the list (50.0%), 20 validated; removed 8 (40.0%, rate ratio 2.00 (0.77 to 5.17)); "
            "did not respond 5 (25.0%, rate ratio 6.25 (0.79 to 49.28))") in run.stdout
    assert "log method (Katz)" in run.stdout and (tmp_path / "audit.xlsx").is_file()
    controlled = subprocess.run([sys.executable, "-m", "workbench", "validation-audit", "--workspace", str(workspace),
                                 "--by", "sex", "--out", str(tmp_path / "audit.csv")], capture_output=True, text=True)
    assert "Female: 30 on the list (50.0%), 20 validated; removed 10 (50.0%, rate ratio *); did not respond *" in controlled.stdout
    assert "NOT FOR PUBLICATION" not in controlled.stdout and "Not for publication" not in (tmp_path / "audit.csv").read_text("utf-8-sig")
