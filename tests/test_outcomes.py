"""Validation outcomes read back from a returned worklist: all or nothing, never against the wrong patient."""

import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from openpyxl import load_workbook

from workbench.store.outcomes import (
    DID_NOT_RESPOND, DIED, STILL_WAITING, newest_outcomes, read_returned, record_outcomes, recorded_outcomes,
)
from workbench.errors import WorkbenchError
from workbench.report.validation_due import DUE_HEADERS, due_for_validation, write_due_worklist
from workbench.report.worklist import write_worklist
from workbench.store.workspace import Workspace
from tests.weekly_lists import NUMBERS, RETURNED, hand_worked_workspace, write_returned


@pytest.fixture
def workspace(tmp_path):
    return hand_worked_workspace(tmp_path, with_outcomes=False)


def record(workspace, path, word_map=None):
    with Workspace.open(workspace) as ws:
        return record_outcomes(ws, read_returned(path, word_map))


def held(workspace):
    with Workspace.open(workspace) as ws:
        found = recorded_outcomes(ws)
    return sorted(zip(found.pathway_id.tolist(), found.outcome.tolist(), found.outcome_date.astype(str).tolist(),
                      found.checked_by.tolist(), found.file_name.tolist()))


def test_each_outcome_is_recorded_with_its_date_person_and_file(tmp_path, workspace):
    done = record(workspace, write_returned(tmp_path / "back.csv"))
    assert done.recorded == 3 and done.by_outcome == {"no longer required": 1, "did not respond": 1, "still waiting": 1}
    assert held(workspace) == [("P10", STILL_WAITING, "2025-03-03", "A Patel", "back.csv"),
                               ("P6", DID_NOT_RESPOND, "2025-03-04", "A Patel", "back.csv"),
                               ("P7", "no longer required", "2025-03-10", "B Jones", "back.csv")]


def test_the_due_worklist_filled_in_in_excel_is_read_back(tmp_path, workspace):
    with Workspace.open(workspace) as ws:
        wl = ws.load_list()
        due = due_for_validation(wl, newest_outcomes(ws))
    write_due_worklist(tmp_path / "due.xlsx", wl, due)
    book = load_workbook(tmp_path / "due.xlsx")
    sheet = book["Due for validation"]
    assert tuple(c.value for c in sheet[1]) == DUE_HEADERS
    first = sheet[2]
    first[9].value, first[10].value, first[11].value = " Deceased ", "12/03/2025", "C Okoro"  # a synonym, padded
    book.save(tmp_path / "due.xlsx")
    done = record(workspace, tmp_path / "due.xlsx")
    assert done.recorded == 1 and done.not_filled_in == sheet.max_row - 2
    assert held(workspace)[0][1:4] == (DIED, "2025-03-12", "C Okoro")


def test_the_findings_worklist_is_read_back_once_per_pathway(tmp_path, workspace):
    with Workspace.open(workspace) as ws:
        wl, findings = ws.load_list(), ws.findings()
    write_worklist(tmp_path / "findings.xlsx", wl, findings)
    book = load_workbook(tmp_path / "findings.xlsx")
    sheet = book["Worklist"]
    headers = [c.value for c in sheet[1]]
    filled = 0
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("Pathway ID")].value == "P4":  # a stopped clock: on the worklist once per finding
            row[headers.index("Action taken")].value = "Treated elsewhere"
            row[headers.index("Date checked")].value = "11/03/2025"
            filled += 1
    book.save(tmp_path / "findings.xlsx")
    assert filled >= 1
    assert record(workspace, tmp_path / "findings.xlsx").recorded == 1


def test_unknown_outcome_words_are_listed_for_the_user_never_guessed(tmp_path, workspace):
    rows = [(*RETURNED[0][:3], "DNA", *RETURNED[0][4:]), (*RETURNED[1][:3], "Not needed", *RETURNED[1][4:])]
    path = write_returned(tmp_path / "back.csv", rows)
    with pytest.raises(WorkbenchError, match=r"back.csv: outcome words the workbench does not know: 'DNA' \(1 row, first "
                                             r"at row 2\); 'Not needed' \(1 row, first at row 3\)\. .*--map-outcome"):
        read_returned(path)
    assert held(workspace) == []
    done = record(workspace, path, {"dna": "did not respond", "NOT NEEDED": "no longer required"})
    assert done.by_outcome == {"no longer required": 1, "did not respond": 1}


@pytest.mark.parametrize("change, problem", [
    (lambda r: ("P99", *r[1:]), r"1 pathway IDs are on none of this workspace's lists: P99 \(row 2\)"),
    (lambda r: (r[0], NUMBERS[0], *r[2:]), r"give an NHS number or specialty that is not the one this workspace holds .* P6 \(row 2\)"),
    (lambda r: (r[0], r[1], "999", *r[3:]), r"NHS number or specialty that is not the one .*edited identifiers"),
])
def test_a_row_that_may_be_another_patient_refuses_the_whole_file(tmp_path, workspace, change, problem):
    path = write_returned(tmp_path / "back.csv", [change(RETURNED[0]), *RETURNED[1:]])
    with pytest.raises(WorkbenchError, match=problem + ".*nothing was recorded"):
        record(workspace, path)
    assert held(workspace) == []


@pytest.mark.parametrize("rows, problem", [
    ([(*RETURNED[0][:4], None, "A Patel")], r"1 rows have an outcome but no date checked, or a date that cannot be .* rows 2"),
    ([(*RETURNED[0][:4], "31/12/2999", "A Patel")], r"a date that cannot be \(in the future"),
    ([RETURNED[0], (*RETURNED[0][:3], "Died", *RETURNED[0][4:])], r"pathway P6 has different outcomes or dates at rows 2, 3"),
])
def test_an_undated_or_contradictory_outcome_refuses_the_whole_file(tmp_path, workspace, rows, problem):
    with pytest.raises(WorkbenchError, match=problem):
        record(workspace, write_returned(tmp_path / "back.csv", rows))
    assert held(workspace) == []


def test_the_same_file_twice_is_refused_and_recorded_outcomes_cannot_be_changed(tmp_path, workspace):
    path = write_returned(tmp_path / "back.csv")
    record(workspace, path)
    with pytest.raises(WorkbenchError, match="its outcomes were recorded already"):
        record(workspace, path)
    connection = sqlite3.connect(workspace)
    with pytest.raises(sqlite3.DatabaseError, match="kept as they were read"):
        connection.execute("UPDATE validation_outcomes SET outcome = 'still waiting'")
    with pytest.raises(sqlite3.DatabaseError, match="kept as they were read"):
        connection.execute("DELETE FROM outcome_files")
    connection.close()
    assert len(held(workspace)) == 3


def test_rows_not_filled_in_are_skipped_and_counted(tmp_path, workspace):
    path = write_returned(tmp_path / "back.csv", [*RETURNED, ("P1", NUMBERS[0], "110", "", "", "")])
    assert record(workspace, path).not_filled_in == 1


def test_the_newest_outcome_of_a_pathway_counts(tmp_path, workspace):
    record(workspace, write_returned(tmp_path / "first.csv"))
    record(workspace, write_returned(tmp_path / "later.csv", [("P10", NUMBERS[9], "502", "Moved away", "12/03/2025", "B Jones")]))
    with Workspace.open(workspace) as ws:
        newest = newest_outcomes(ws)
    assert newest.loc["P10", "outcome"] == "moved away"
    assert np.datetime64(newest.loc["P10", "outcome_date"], "D") == np.datetime64("2025-03-12")


def test_the_command_line_lists_unknown_words_in_one_line_and_records_nothing(tmp_path, workspace):
    path = write_returned(tmp_path / "back.csv", [(*RETURNED[0][:3], "DNA", *RETURNED[0][4:])])
    run = subprocess.run([sys.executable, "-m", "workbench", "outcomes", str(path), "--workspace", str(workspace)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "'DNA' (1 row" in run.stderr
    run = subprocess.run([sys.executable, "-m", "workbench", "outcomes", str(path), "--workspace", str(workspace),
                          "--map-outcome", "DNA=did not respond"], capture_output=True, text=True)
    assert run.returncode == 0 and "1 outcomes recorded" in run.stdout
    assert held(workspace)[0][:2] == ("P6", DID_NOT_RESPOND)
