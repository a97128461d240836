"""The equity, capacity and ahp commands, end to end on small lists built here."""

import csv
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from workbench.cli import main
from workbench.store.importer import import_file

CENSUS = date(2026, 1, 5)
# LSOAs of known IoD2025 deciles: 1 and 2 (quintile 1), 5 (quintile 3), 9 and 10 (quintile 5).
LSOA_BY_DECILE = {1: "E01000061", 2: "E01000007", 5: "E01000005", 9: "E01000119", 10: "E01000002"}
MOST, LEAST = "England, most deprived fifth", "England, least deprived fifth"
HEADERS = ["Pathway ID", "Specialty", "Priority", "RTT Clock Start", "LSOA", "Learning disability", "Carer",
           "Return to work"]


def patient(number: int, decile: int | None, weeks: int) -> list[str]:
    start = CENSUS - timedelta(weeks=weeks)
    lsoa = LSOA_BY_DECILE[decile] if decile else ""
    return [f"{number:04d}", "110", "P3", start.strftime("%d/%m/%Y"), lsoa, "N", "N", "N"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """48 P3 patients: 20 most deprived, 8 middle, 17 least deprived, 3 with no area code."""
    folder = tmp_path_factory.mktemp("equity")
    rows = []
    for i in range(48):
        decile = [1, 2][i % 2] if i < 20 else 5 if i < 28 else [9, 10][i % 2] if i < 45 else None
        rows.append(patient(i + 1, decile, weeks=10 + (i * 7) % 40))
    path = folder / "list.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADERS, *rows])
    import_file(path, folder / "ws.sqlite", census_date=CENSUS)
    return folder / "ws.sqlite"


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def equity_args(workspace, *extra):
    return ["equity", "--workspace", str(workspace), "--rules", "inclusive-recovery", "--capacity-per-week", "2",
            "--horizon-weeks", "4", *extra]


def test_inclusive_recovery_narrows_the_deprivation_gap(workspace, capsys):
    result = run_json(capsys, *equity_args(workspace, "--json"))
    groups = {g["group"]: g for g in result["groups"]}
    most, least = groups[MOST], groups[LEAST]
    assert most["scenario"]["mean_wait"] < most["baseline"]["mean_wait"]
    assert least["scenario"]["mean_wait"] > least["baseline"]["mean_wait"]
    assert most["change"].endswith("shorter") and least["change"].endswith("longer")
    gap_before = most["baseline"]["mean_wait"] - least["baseline"]["mean_wait"]
    gap_after = most["scenario"]["mean_wait"] - least["scenario"]["mean_wait"]
    assert gap_after < gap_before
    assert result["sii"]["scenario"] < result["sii"]["baseline"]
    assert set(result["rii"]) == {"baseline", "scenario"}
    assert result["sii_nation"] == "England" and result["sii_left_out"] == 0
    assert result["next_n"] == 10 and result["rules"]["name"] == "Inclusive recovery"  # 8 treated, rounded to 5


def test_every_count_is_controlled_unless_not_for_publication_is_asked(workspace, capsys):
    safe = run_json(capsys, *equity_args(workspace, "--json"))
    groups = {g["group"]: g for g in safe["groups"]}
    assert groups["Not known"]["count"] == "*" and groups["England, middle fifth"]["count"] == 10  # 3, and 8
    assert safe["list_size"] == 50 and safe["disclosure"]["controlled"] is True
    raw = run_json(capsys, *equity_args(workspace, "--json", "--not-for-publication"))
    assert {g["group"]: g["count"] for g in raw["groups"]}["Not known"] == 3
    assert sum(g["count"] for g in raw["groups"]) == 48
    assert raw["disclosure"] == {"controlled": False, "note": "Not for publication: small numbers shown"}


@pytest.mark.parametrize("setting", [["--suppress-threshold", "0"], ["--no-suppress"]])
def test_no_other_setting_turns_control_off(workspace, capsys, setting):
    with pytest.raises(SystemExit) as stopped:
        main(equity_args(workspace, *setting))
    assert stopped.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err


def test_screen_output_says_how_it_was_controlled(workspace, capsys):
    assert main(equity_args(workspace)) == 0
    assert "Counts from 1 to 7 are shown as * and other counts rounded to the nearest 5" in capsys.readouterr().out
    assert main(equity_args(workspace, "--not-for-publication")) == 0
    assert capsys.readouterr().out.startswith("NOT FOR PUBLICATION: SMALL NUMBERS SHOWN\n")


def test_out_xlsx_is_controlled(workspace, tmp_path, capsys):
    out = tmp_path / "equity.xlsx"
    assert main(equity_args(workspace, "--out", str(out))) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Equity", "Summary"]
    table = list(book["Equity"].iter_rows(values_only=True))
    assert table[0][:3] == ("Group", "Patients", "Share of list (%)")
    rows = {row[0]: row for row in table[1:]}
    assert rows["Not known"][1] == "*" and rows["England, middle fifth"][1] == 10
    assert rows[MOST][1] == 20 and rows[MOST][2] == 40.0  # 20 of 50 as published
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["Census date"] == "05/01/2026"
    assert summary["Disclosure control"].startswith("Counts from 1 to 7 are shown as *")


def test_out_files_not_for_publication_say_so_first(workspace, tmp_path, capsys):
    out = tmp_path / "equity.xlsx"
    assert main(equity_args(workspace, "--not-for-publication", "--out", str(out))) == 0
    book = load_workbook(out)
    assert book.sheetnames[0] == "Not for publication"
    assert book["Not for publication"]["A1"].value == "Not for publication: small numbers shown"
    assert {row[0]: row[1] for row in book["Equity"].iter_rows(values_only=True)}["Not known"] == 3
    assert dict(book["Summary"].iter_rows(values_only=True))["Disclosure control"] == \
        "Not for publication: small numbers shown"
    csv_out = tmp_path / "equity.csv"
    assert main(equity_args(workspace, "--not-for-publication", "--out", str(csv_out))) == 0
    with open(csv_out, encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["Not for publication: small numbers shown"] and lines[1][0] == "Group"


def test_out_csv_by_learning_disability(workspace, tmp_path, capsys):
    out = tmp_path / "equity.csv"
    assert main(equity_args(workspace, "--by", "learning_disability", "--out", str(out))) == 0
    with open(out, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:2] == ["No", "50"]  # 48, rounded to 5
    assert "Inclusive recovery against Treat in turn" in capsys.readouterr().out


def test_demand_above_capacity_is_projected_and_says_the_list_grows(workspace, capsys):
    result = run_json(capsys, *equity_args(workspace, "--demand-per-week", "3", "--json", "--not-for-publication"))
    # 12 referrals arrive in 4 weeks while 8 are treated: 48 + 12 - 8 = 52 waiting at the horizon.
    assert result["new_referrals_by_horizon"] == 12 and result["next_n"] == 8
    assert result["list_size_at_horizon"] == 52 and result["list_grows"] is True
    assert all(g["baseline"]["mean_wait"] is not None for g in result["groups"] if g["count"])
    assert main(equity_args(workspace, "--demand-per-week", "3", "--not-for-publication")) == 0
    assert "the list grows from 48 to 52" in capsys.readouterr().out
    assert main(equity_args(workspace, "--demand-per-week", "3")) == 0
    assert "the list grows from 50 to 50" in capsys.readouterr().out  # counts rounded to 5; the growth still said


def test_demand_by_priority(workspace, capsys):
    result = run_json(capsys, *equity_args(workspace, "--demand-by-priority", "P3=1.5", "--json", "--not-for-publication"))
    assert result["demand_by_priority"] == {"P3": 1.5} and result["new_referrals_by_horizon"] == 6
    assert main(equity_args(workspace, "--demand-by-priority", "P2=1")) == 2
    assert "no patient on the list has that priority" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(equity_args(workspace, "--demand-by-priority", "P2"))


def test_the_printed_indices_say_their_conventions(workspace, capsys):
    assert main(equity_args(workspace)) == 0
    printed = capsys.readouterr().out
    assert "(positive: the most deprived wait longer)" in printed and "95% CI" in printed
    assert "(RII, OHID's: fitted wait at the least deprived end over that at the most deprived end)" in printed
    assert "times as long as the" in printed


def test_unknown_grouping_is_a_one_line_error(workspace, capsys):
    assert main(equity_args(workspace, "--by", "shoe size")) == 2
    assert "no column called 'shoe size'" in capsys.readouterr().err


def test_unsupported_out_extension(workspace, tmp_path, capsys):
    assert main(equity_args(workspace, "--out", str(tmp_path / "equity.pdf"))) == 2
    assert "equity.pdf: write the table to a .xlsx or .csv file" in capsys.readouterr().err


def test_capacity_command_prints_every_figure(capsys):
    figures = run_json(capsys, "capacity", "--demand", "30", "--capacity", "27", "--queue", "1200",
                       "--target-wait", "52", "--json")
    assert round(figures["queue_load"], 6) == round(30 / 27, 6)
    assert figures["target_mean_wait"] == 13
    assert figures["target_queue_size"] == 390
    assert round(figures["relief_capacity"], 6) == 61.153846
    assert figures["target_capacity"] == pytest.approx(30 + 4 / 52)
    assert figures["waiting_list_pressure"] is None


def test_capacity_command_with_mean_wait_and_options(capsys):
    figures = run_json(capsys, "capacity", "--demand", "30", "--capacity", "27", "--queue", "1200",
                       "--target-wait", "52", "--factor", "3", "--cv-demand", "1.1", "--cv-capacity", "1.2",
                       "--mean-wait", "63", "--json")
    assert round(figures["target_capacity"], 6) == 30.076442
    assert round(figures["waiting_list_pressure"], 6) == round(2.4230769, 6)


def test_capacity_command_shows_its_choices_and_warns_at_a_load_of_one(capsys):
    figures = run_json(capsys, "capacity", "--demand", "27", "--capacity", "27", "--queue", "1200",
                       "--target-wait", "52", "--json")
    assert figures["choices"]["referrals_cv"] == 0 and figures["choices"]["cv_demand"] == 1  # NHS-R's defaults
    assert figures["warnings"] == ["Queue load 1.00: referrals are at or above capacity, so the queue will not come down"]
    assert main(["capacity", "--demand", "27", "--capacity", "27", "--queue", "1200", "--target-wait", "52"]) == 0
    printed = capsys.readouterr().out
    assert "Warning: Queue load 1.00" in printed and "referrals cv 0, as NHS-R" in printed


def test_capacity_command_says_no_extra_capacity_is_needed_instead_of_a_negative_capacity(capsys):
    # 10 waiting against a target size of 39: 3 + (10 - 39) / 26 = 1.9 a week, below demand.
    figures = run_json(capsys, "capacity", "--demand", "3", "--capacity", "27", "--queue", "10", "--target-wait", "52",
                       "--json")
    assert figures["relief_capacity"] is None and figures["relief_words"] == "no extra capacity needed"
    assert main(["capacity", "--demand", "3", "--capacity", "27", "--queue", "10", "--target-wait", "52"]) == 0
    assert "Relief capacity (patients a week)   no extra capacity needed" in capsys.readouterr().out


def test_capacity_command_works_per_week_whatever_unit_rates_are_given_in(capsys):
    weekly = run_json(capsys, "capacity", "--demand", "30", "--capacity", "27", "--queue", "1200", "--target-wait",
                      "52", "--referrals", "3600", "--referrals-cv", "0.5", "--json")
    daily = run_json(capsys, "capacity", "--demand", str(30 / 7), "--capacity", str(27 / 7), "--per", "day",
                     "--queue", "1200", "--target-wait", "52", "--referrals", "3600", "--referrals-cv", "0.5", "--json")
    for key in ("queue_load", "target_queue_size", "relief_capacity", "target_capacity"):
        assert daily[key] == pytest.approx(weekly[key])
    assert weekly["relief_capacity"] == pytest.approx(60 + 810 / 26)


def test_capacity_command_refuses_a_unit_it_does_not_know(capsys):
    with pytest.raises(SystemExit):
        main(["capacity", "--demand", "3", "--capacity", "4", "--queue", "1", "--target-wait", "18", "--per", "fortnight"])
    assert "invalid choice: 'fortnight'" in capsys.readouterr().err


def test_capacity_command_rejects_zero_capacity(capsys):
    assert main(["capacity", "--demand", "3", "--capacity", "0", "--queue", "1", "--target-wait", "18"]) == 2
    assert "capacity must be more than 0" in capsys.readouterr().err


def test_ahp_command(tmp_path, capsys):
    path = tmp_path / "judgements.csv"
    path.write_text(",time waited,deprivation,carer\ntime waited,1,2,4\ndeprivation,1/2,1,2\ncarer,1/4,1/2,1\n")
    result = run_json(capsys, "ahp", str(path), "--json")
    assert set(result) == {"weights", "consistency_ratio"}
    assert result["weights"] == pytest.approx({"time waited": 4 / 7, "deprivation": 2 / 7, "carer": 1 / 7})
    assert result["consistency_ratio"] == pytest.approx(0, abs=1e-9)


def test_ahp_command_warns_about_contradictions(tmp_path, capsys):
    path = tmp_path / "judgements.csv"
    path.write_text(",a,b,c\na,1,5,1/5\nb,1/5,1,5\nc,5,1/5,1\n")
    assert main(["ahp", str(path)]) == 0
    assert "revisit them" in capsys.readouterr().out


def test_ahp_command_bad_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "judgements.csv"
    path.write_text(",a,b\na,1,x\nb,1,1\n")
    assert main(["ahp", str(path)]) == 2
    assert capsys.readouterr().err.startswith("workbench ahp: judgements.csv: row 'a', column 'b'")
