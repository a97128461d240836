"""The command line reaches what the app's Capacity and Scenarios tabs show: the queue table, and two
saved scenarios side by side, thin over the same core functions."""

import json
from datetime import date

import openpyxl
import pytest

from workbench.cli import main
from workbench.compare.equity import prepare_equity
from workbench.compare.queues import CapacitySettings, queue_table
from workbench.compare.scenarios import compare_scenarios
from workbench.demo import write_demo_list
from workbench.rank.ranking import prepare
from workbench.store.decisions import load_scenario
from workbench.store.importer import import_file
from workbench.store.workspace import Workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    write_demo_list(folder / "demo.csv", rows=600, seed=3)
    import_file(folder / "demo.csv", folder / "ward.sqlite", census_date=date(2026, 11, 2))
    return folder / "ward.sqlite"


def printed_json(capsys, arguments) -> dict | list:
    capsys.readouterr()
    assert main(arguments) == 0
    return json.loads(capsys.readouterr().out)


def test_queues_prints_the_apps_queue_table_and_writes_it(workspace, capsys, tmp_path):
    out = tmp_path / "queues.xlsx"
    shown = printed_json(capsys, ["queues", "--workspace", str(workspace), "--capacity-per-week", "20",
                                  "--demand-per-week", "6", "--out", str(out), "--json"])
    with Workspace.open(workspace) as ws:
        expected = queue_table(ws.load_list(), CapacitySettings(20, demand_per_week=6))
    assert shown["queues"] == json.loads(json.dumps(expected, default=str))
    assert shown["queues"][-1]["specialty"] == "All specialties" and not shown["not_for_publication"]
    rows = list(openpyxl.load_workbook(out)["Queues"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Specialty", "Specialty name", "Patients waiting") and len(rows) == len(expected) + 1
    assert all(isinstance(row[2], int) and row[2] % 5 == 0 or row[2] == "*" for row in rows[1:])  # controlled


def test_scenarios_are_saved_listed_and_compared_as_the_app_compares_them(workspace, capsys):
    ws = str(workspace)
    main(["scenarios", "--workspace", ws, "--save", "Turn", "--rules", "treat-in-turn"])
    listed = printed_json(capsys, ["scenarios", "--workspace", ws, "--save", "Inclusive", "--rules",
                                   "inclusive-recovery", "--by", "Dr A Patel", "--json"])
    assert [(s["name"], s["by"]) for s in listed] == [("Turn", ""), ("Inclusive", "Dr A Patel")]
    shown = printed_json(capsys, ["scenarios", "--workspace", ws, "--compare", "Turn", "Inclusive",
                                  "--capacity-per-week", "12", "--json"])
    with Workspace.open(workspace) as opened:
        first, second, wl = load_scenario(opened, "Turn"), load_scenario(opened, "Inclusive"), opened.load_list()
    prepared = prepare(wl)
    expected = compare_scenarios(first, second, prepared, prepare_equity(wl, "imd_quintile", 12.0, 13, prepared=prepared))
    assert shown["kendall_tau"] == pytest.approx(expected.kendall_tau) and shown["moved_up"] == expected.moved_up
    assert {"item": "Social cap (weeks)", "first": "none", "second": "8"} in shown["differences"]
    assert [g["group"] for g in shown["equity"]["groups"]] == [g["group"] for g in expected.summary["groups"]]
    assert main(["scenarios", "--workspace", ws, "--compare", "Turn", "Nobody"]) == 2  # one line, not a traceback
