"""The ``rank`` and ``explain`` commands, on a workspace imported from a CSV made here."""

import csv
import json
from datetime import date

import openpyxl
import pytest

from workbench.cli import main
from workbench.store.importer import import_file

HEADERS = ["Pathway ID", "Priority", "RTT Clock Start", "Carer", "Return to work", "Learning disability"]
PATIENTS = [
    # pathway, priority, clock start, carer, return to work, learning disability
    ("PW1", "P2", "01/03/2026", "N", "N", "N"),
    ("PW2", "P3", "01/10/2025", "N", "N", "N"),
    ("PW3", "P3", "08/10/2025", "N", "N", "N"),
    ("PW4", "P3", "15/10/2025", "N", "N", "N"),
    ("PW5", "P3", "22/10/2025", "Y", "Y", "Y"),  # the last P3 to join, and a carer returning to work
    ("PW6", "P4", "01/01/2024", "N", "Y", "N"),
    ("PW7", "", "01/01/2025", "N", "N", "N"),
]


@pytest.fixture
def workspace(tmp_path):
    source = tmp_path / "ptl.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(PATIENTS)
    path = tmp_path / "ward.sqlite"
    import_file(source, path, census_date=date(2026, 3, 31))
    return path


def run_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_prints_the_comparison(capsys, workspace):
    result = run_json(capsys, "rank", "--workspace", str(workspace), "--rules", "inclusive-recovery", "--top", "2")
    assert result["rows"] == 7
    assert (result["moved_up"], result["moved_down"], result["max_moved_up"]) == (1, 3, 3)
    assert result["kendall_tau"] == pytest.approx(1 - 4 * 3 / (7 * 6), abs=1e-6)
    assert result["entering_top_n"] == ["PW5"] and result["leaving_top_n"] == ["PW2"]
    assert result["rules"] == "Inclusive recovery" and result["baseline"] == "Treat in turn"


def test_rank_against_itself_moves_nobody(capsys, workspace):
    result = run_json(capsys, "rank", "--workspace", str(workspace), "--rules", "treat-in-turn")
    assert (result["kendall_tau"], result["moved_up"], result["moved_down"]) == (1.0, 0, 0)


def test_rank_writes_the_ranked_list(capsys, workspace, tmp_path):
    out = tmp_path / "ranked.xlsx"
    main(["rank", "--workspace", str(workspace), "--rules", "inclusive-recovery", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "Inclusive recovery compared with Treat in turn: 7 rows" in printed and str(out) in printed
    book = openpyxl.load_workbook(out)
    ids = [row[0] for row in book["Ranked list"].iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 7
    header = next(book["Ranked list"].iter_rows(max_row=1, values_only=True))
    pathway = header.index("Pathway ID")
    order = [row[pathway] for row in book["Ranked list"].iter_rows(min_row=2, values_only=True)]
    assert order == ["PW1", "PW5", "PW2", "PW3", "PW4", "PW6", "PW7"]
    assert dict(book["Provenance"].iter_rows(min_row=2, values_only=True))["Source file"] == "ptl.csv"
    # PW5 is second through its social credits: without learning disability's 3 weeks it ties with PW2's
    # wait, and the longer wait goes first.
    without = header.index("Rank without Learning disability")
    assert header[without - 1] == "Rank without Carer"
    ranks = {row[pathway]: row[without] for row in book["Ranked list"].iter_rows(min_row=2, values_only=True)}
    assert ranks["PW5"] == 3 and ranks["PW2"] == 2


def test_rank_with_rule_files(capsys, workspace, tmp_path):
    rules = tmp_path / "work-first.toml"
    rules.write_text(
        'name = "Work first"\n[[factors]]\nname = "Wait"\nsource = "weeks_waited"\n'
        '[[factors]]\nname = "Work"\ngroup = "social"\nsource = "return to work"\nweight = 100\n',
        encoding="utf-8",
    )
    result = run_json(capsys, "rank", "--workspace", str(workspace), "--rules", str(rules),
                      "--baseline", str(rules))
    assert result["rules"] == result["baseline"] == "Work first" and result["kendall_tau"] == 1.0
    result = run_json(capsys, "rank", "--workspace", str(workspace), "--rules", str(rules))
    assert result["moved_up"] == 1  # PW5 to the top of P3; bands stay strict


def test_explain_gives_contributions_ranks_and_sentence(capsys, workspace):
    result = run_json(capsys, "explain", "--workspace", str(workspace), "--rules", "inclusive-recovery",
                      "--pathway", "PW5")
    assert result["band"] == "P3" and result["pathway_id"] == "PW5"
    assert (result["baseline_rank"], result["rank"], result["movement"]) == (5, 2, 3)
    contributions = result["contributions"]
    assert contributions["Weeks waited"] == pytest.approx(22.8571, abs=1e-4)
    assert (contributions["Carer"], contributions["Return to work"], contributions["Learning disability"]) == (1, 2, 3)
    assert result["sentence"] == (
        "Moved up 3 places: learning disability (+3.0 weeks-equivalent), return to work (+2.0), carer (+1.0)."
    )
    assert result["rank_without"] == {"Most deprived fifth": 2, "Second most deprived fifth": 2, "Return to work": 2,
                                      "Carer": 2, "Learning disability": 3}
    assert result["without"].endswith(", 2 without carer, 3 without learning disability.")


def test_explain_in_plain_text_says_the_rank_without_each_social_factor(capsys, workspace):
    assert main(["explain", "--workspace", str(workspace), "--rules", "inclusive-recovery", "--pathway", "PW5"]) == 0
    printed = capsys.readouterr().out
    assert "rank without each social factor (its weight 0, everything else the same):" in printed
    assert "learning disability" in printed and "3  (1 place later)" in printed


def test_explain_in_plain_text(capsys, workspace):
    assert main(["explain", "--workspace", str(workspace), "--rules", "inclusive-recovery", "--pathway", "PW2"]) == 0
    printed = capsys.readouterr().out
    assert "Pathway PW2 (row 2), band P3" in printed and "Moved down 1 place" in printed


@pytest.mark.parametrize(
    "argv, message",
    [
        (["explain", "--rules", "inclusive-recovery", "--pathway", "PW99"], "ward.sqlite: no patient with pathway ID 'PW99'"),
        (["rank", "--rules", "no-such-rules"], "no-such-rules: no such rules file"),
        (["rank", "--rules", "{bad}"], "bad.toml, line 5: factor 'Wait': weight must be a number"),
        (["rank", "--rules", "{frail}"], "frail.toml: factor 'Frailty' uses the column 'Frailty score'"),
    ],
)
def test_user_mistakes_are_one_line_errors(capsys, workspace, tmp_path, argv, message):
    bad = 'name = "Bad"\n[[factors]]\nname = "Wait"\nsource = "weeks_waited"\nweight = "x"\n'
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    (tmp_path / "frail.toml").write_text(
        'name = "Frail"\n[[factors]]\nname = "Frailty"\nsource = "Frailty score"\n', encoding="utf-8"
    )
    argv = [a.replace("{bad}", str(tmp_path / "bad.toml")).replace("{frail}", str(tmp_path / "frail.toml")) for a in argv]
    assert main([*argv, "--workspace", str(workspace)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def test_example_rule_sets_reorder_the_demo_list_differently(capsys, tmp_path):
    from workbench.resources import resource_path

    workspace = tmp_path / "demo.sqlite"
    import_file(resource_path("demo", "demo-waiting-list.csv"), workspace)
    results = {
        name: run_json(capsys, "rank", "--workspace", str(workspace), "--rules", name)
        for name in ("priority-and-time-to-target", "inclusive-recovery")
    }
    for result in results.values():
        assert result["moved_up"] > 0 and result["kendall_tau"] < 1.0
    inclusive = results["inclusive-recovery"]
    assert inclusive["entering_top_n"] and inclusive["moved_up"] > results["priority-and-time-to-target"]["moved_up"]
    mover = inclusive["entering_top_n"][0]
    explained = run_json(capsys, "explain", "--workspace", str(workspace), "--rules", "inclusive-recovery",
                         "--pathway", mover)
    assert explained["movement"] > 0 and explained["sentence"].startswith("Moved up")
    social = ("Most deprived fifth", "Second most deprived fifth", "Return to work", "Carer", "Learning disability")
    assert sum(explained["contributions"][name] for name in social) > 0
