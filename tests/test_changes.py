"""What changed between two snapshots, against a small case worked out by hand and a series of demo weeks."""

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from workbench.compare.changes import (
    JOINED, LEFT_BY_CLOCK_STOP, LEFT_BY_VALIDATION, LEFT_DID_NOT_RESPOND, LEFT_WITH_NO_RECORD, NHS_NUMBER_CHANGED,
    PATHWAY_ID_CHANGED, PRIORITY_CHANGED, WAIT_START_CHANGED, changes_between,
)
from workbench.cli import main
from workbench.commands.changes import write_changes
from workbench.demo_weeks import import_week, weekly_lists
from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.errors import WorkbenchError
from workbench.store.workspace import Workspace
from tests.weekly_lists import FIRST, LAST, MIDDLE, hand_worked_workspace


def who(changes, change):
    return sorted(changes.table.loc[changes.table["Change"] == change, "Pathway ID"])


@pytest.fixture
def hand_worked(tmp_path):
    with Workspace.open(hand_worked_workspace(tmp_path)) as ws:
        yield changes_between(ws, FIRST, LAST, by="sex")


def test_joiners_leavers_by_route_and_changes_as_worked_out_by_hand(hand_worked):
    assert who(hand_worked, JOINED) == ["J1", "P8N"]
    assert who(hand_worked, LEFT_BY_CLOCK_STOP) == ["P4", "P5"]
    assert who(hand_worked, LEFT_DID_NOT_RESPOND) == ["P6"]
    assert who(hand_worked, LEFT_BY_VALIDATION) == ["P7"]
    assert who(hand_worked, LEFT_WITH_NO_RECORD) == ["P10", "P8"]
    assert who(hand_worked, PRIORITY_CHANGED) == ["P2"]
    assert who(hand_worked, WAIT_START_CHANGED) == ["P3"]
    assert who(hand_worked, NHS_NUMBER_CHANGED) == ["P11"]
    assert who(hand_worked, PATHWAY_ID_CHANGED) == ["P9X"]
    assert (hand_worked.waiting_earlier, hand_worked.waiting_later) == (11, 7)  # S1 was never waiting; P4 stopped


def test_the_lists_say_what_changed_and_how_a_pathway_was_found_again(hand_worked):
    table = hand_worked.table.set_index("Pathway ID")
    assert tuple(table.loc["P2", ["Before", "After"]]) == ("P4", "P2")
    assert tuple(table.loc["P3", ["Before", "After"]]) == ("01/08/2024", "15/07/2024")
    assert tuple(table.loc["P9X", ["Matched by", "Before", "After"]]) == ("NHS number and specialty", "P9", "P9X")
    assert tuple(table.loc["P7", ["Outcome recorded", "Outcome date"]]) == ("no longer required", "10/03/2025")
    assert pd.isna(table.loc["P10", "Outcome recorded"])  # still waiting is not a removal


def test_counts_by_group_add_up_and_small_numbers_are_controlled(hand_worked):
    shown = hand_worked.figures()
    by_group = {g["group"]: g for g in shown["groups"]}
    assert by_group["Female"][JOINED] == 1 and by_group["Male"][JOINED] == 1
    assert by_group["Female"][LEFT_BY_CLOCK_STOP] == 1 and by_group["Male"][LEFT_BY_CLOCK_STOP] == 1
    assert by_group["Female"][LEFT_WITH_NO_RECORD] == 1 and by_group["Male"][LEFT_WITH_NO_RECORD] == 1
    assert shown["totals"]["left"] == 6 and shown["matched"] == {"pathway ID": 5, "NHS number and specialty": 1}
    assert shown["left_by_outcome"]["did not respond"] == 1
    hidden = hand_worked.summary()
    assert {g["group"]: g[JOINED] for g in hidden["groups"]} == {"Female": "*", "Male": "*", "Not known": 0}
    assert hidden["totals"][JOINED] == "*" and hidden["waiting"] == {"earlier": 10, "later": "*"}  # 11 and 7
    assert hidden["later"]["rows"] == 10 and hidden["disclosure"]["controlled"]  # the last list's 8 rows, rounded
    unrounded = hand_worked.summary(small_numbers_shown=True)
    assert unrounded["totals"][JOINED] == 2 and unrounded["disclosure"]["note"] == NOT_FOR_PUBLICATION


def test_the_clock_stop_on_a_snapshot_in_between_counts(tmp_path):
    with Workspace.open(hand_worked_workspace(tmp_path, with_outcomes=False)) as ws:
        week = changes_between(ws, FIRST, MIDDLE, by="sex")
        whole = changes_between(ws, FIRST, LAST, by="sex")
    assert who(week, LEFT_BY_CLOCK_STOP) == ["P5"] and who(week, LEFT_WITH_NO_RECORD) == ["P6"]
    assert who(whole, LEFT_WITH_NO_RECORD) == ["P10", "P6", "P7", "P8"]  # no outcomes recorded yet


def test_the_default_is_the_newest_two_and_dates_must_be_snapshots(tmp_path):
    with Workspace.open(hand_worked_workspace(tmp_path, with_outcomes=False)) as ws:
        newest = changes_between(ws)
        assert (newest.earlier.census_date, newest.later.census_date) == (MIDDLE, LAST)
        with pytest.raises(WorkbenchError, match="it has no snapshot of 05/03/2025"):
            changes_between(ws, date(2025, 3, 5))
        with pytest.raises(WorkbenchError, match="must be before the later"):
            changes_between(ws, LAST, FIRST)


def test_the_file_holds_the_counts_and_every_pathway_behind_them(tmp_path, hand_worked):
    written = write_changes(tmp_path / "changes.xlsx", hand_worked, hand_worked.summary())
    book = pd.read_excel(tmp_path / "changes.xlsx", sheet_name=None, engine="openpyxl")
    assert written == len(book["Pathways"]) == len(hand_worked.table) == 12
    assert set(book["By group"]["Group"]) == {"Female", "Male", "Not known"}
    assert set(book["By group"][JOINED]) == {"*", 0} and "Not for publication" not in book
    write_changes(tmp_path / "shown.xlsx", hand_worked, hand_worked.summary(small_numbers_shown=True))
    shown = pd.read_excel(tmp_path / "shown.xlsx", sheet_name=None, engine="openpyxl")
    assert list(shown)[0] == "Not for publication" and list(shown["Not for publication"].columns) == [NOT_FOR_PUBLICATION]
    assert list(shown["By group"][JOINED]) == [1, 1, 0]


@pytest.fixture(scope="module")
def demo_weeks(tmp_path_factory):
    """Four demo weeks imported as snapshots, each week's returned worklist recorded."""
    folder = tmp_path_factory.mktemp("demo-weeks")
    workspace = folder / "weeks.sqlite"
    weeks = list(weekly_lists(rows=600, weeks=4, seed=5, start=date(2025, 6, 1)))
    for week in weeks:
        import_week(week, workspace, folder)
    return workspace, weeks


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_demo_week_matches_what_the_generator_did(demo_weeks, number):
    workspace, weeks = demo_weeks
    week = weeks[number]
    with Workspace.open(workspace) as ws:
        changes = changes_between(ws, weeks[number - 1].census_date, week.census_date)
    assert who(changes, JOINED) == sorted(week.joined)
    assert who(changes, LEFT_BY_CLOCK_STOP) == sorted(week.treated)
    assert who(changes, LEFT_DID_NOT_RESPOND) == sorted(week.removed.get("did not respond", []))
    others = [p for outcome, ids in week.removed.items() if outcome != "did not respond" for p in ids]
    assert who(changes, LEFT_BY_VALIDATION) == sorted(others)
    assert who(changes, LEFT_WITH_NO_RECORD) == []
    assert who(changes, PRIORITY_CHANGED) == sorted(week.priority_changed)


def test_the_command_line_prints_the_counts_and_writes_the_lists(tmp_path):
    workspace = hand_worked_workspace(tmp_path)
    out = tmp_path / "changes.csv"
    run = subprocess.run([sys.executable, "-m", "workbench", "changes", "--workspace", str(workspace), "--from",
                          "2025-03-02", "--by", "sex", "--not-for-publication", "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(NOT_FOR_PUBLICATION.upper())
    assert "Joined 2; left 6: clock stop 2, validation outcome 1, did not respond 1, no record 2" in run.stdout
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 12


@pytest.mark.parametrize("command", ["changes", "trends", "validation-audit"])
@pytest.mark.parametrize("setting", [["--suppress-threshold", "0"], ["--no-suppress"]])
def test_no_other_setting_turns_control_off(tmp_path, capsys, command, setting):
    with pytest.raises(SystemExit) as stopped:
        main([command, "--workspace", str(tmp_path / "weeks.sqlite"), *setting])
    assert stopped.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err
