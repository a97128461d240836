"""Small weekly lists worked out by hand, written as a trust's PTL files, for the snapshot tests.

Three snapshots (02/03, 09/03 and 16/03/2025) of one organisation's list. From the first to the
last, by pathway:

====  ===  ==========================================================  =====================
P1    F    waiting throughout, unchanged                                 (nothing)
P2    M    priority P4 on the first list, P2 on the last                 priority changed
P3    F    clock start 01/08/2024, then 15/07/2024                       wait start changed
P4    M    on the last list with a clock stop of 10/03/2025              left: clock stop
P5    F    on the middle list with a clock stop, then gone               left: clock stop
P6    F    gone; recorded "did not respond" on 04/03/2025                left: did not respond
P7    M    gone; recorded "No longer required" on 10/03/2025             left: validation outcome
P8    M    gone, no outcome                                              left: no record
P9    F    on the last list as P9X (same NHS number and specialty)       pathway ID changed
P10   F    gone; recorded "still waiting" on 03/03/2025 (not a removal)  left: no record
P11   M    on the last list with another NHS number                     NHS number changed
S1    F    clock stopped on the first list already, then gone            (never waiting)
J1    F    only on the last list                                         joined
P8N   M    only on the last list: P8's patient and specialty, a clock
           start after the first census: a new referral, never P8        joined
====  ===  ==========================================================  =====================
"""

from __future__ import annotations

from datetime import date

from workbench.store.importer import import_file
from workbench.report.spreadsheet import write_csv

HEADERS = ("Pathway ID", "NHS Number", "Specialty", "Priority", "RTT Clock Start", "RTT Clock Stop", "Census Date",
           "Sex", "Provider Code")
NUMBERS = ['9990592616', '9994682202', '9994843648', '9990521131', '9992433078', '9998028132', '9999468608',
           '9992928557', '9994616188', '9997216911', '9999220258', '9992895535', '9998087643', '9993142778']
FIRST, MIDDLE, LAST = date(2025, 3, 2), date(2025, 3, 9), date(2025, 3, 16)


def row(pathway, number, specialty, priority, start, sex, stop=None):
    return {"Pathway ID": pathway, "NHS Number": NUMBERS[number], "Specialty": specialty, "Priority": priority,
            "RTT Clock Start": start, "RTT Clock Stop": stop, "Sex": sex}


P = {
    "P1": row("P1", 0, "110", "P3", date(2024, 10, 1), "F"),
    "P2": row("P2", 1, "110", "P4", date(2024, 9, 1), "M"),
    "P3": row("P3", 2, "130", "P3", date(2024, 8, 1), "F"),
    "P4": row("P4", 3, "100", "P2", date(2024, 11, 1), "M"),
    "P5": row("P5", 4, "100", "P3", date(2024, 6, 1), "F"),
    "P6": row("P6", 5, "120", "P4", date(2024, 5, 1), "F"),
    "P7": row("P7", 6, "120", "P4", date(2024, 5, 2), "M"),
    "P8": row("P8", 7, "101", "P4", date(2024, 4, 1), "M"),
    "P9": row("P9", 8, "101", "P3", date(2024, 12, 1), "F"),
    "P10": row("P10", 9, "502", "P4", date(2024, 12, 5), "F"),
    "P11": row("P11", 12, "144", "P4", date(2024, 11, 11), "M"),
    "S1": row("S1", 10, "330", "P4", date(2024, 1, 1), "F", stop=date(2025, 2, 20)),
}


def first_list():
    return list(P.values())


def middle_list():
    kept = [P[k] for k in ("P1", "P2", "P3", "P4", "P7", "P8", "P9", "P10", "P11")]
    return kept + [{**P["P5"], "RTT Clock Stop": date(2025, 3, 5)}]


def last_list():
    kept = [P["P1"], {**P["P2"], "Priority": "P2"}, {**P["P3"], "RTT Clock Start": date(2024, 7, 15)},
            {**P["P4"], "RTT Clock Stop": date(2025, 3, 10)}, {**P["P9"], "Pathway ID": "P9X"},
            {**P["P11"], "NHS Number": NUMBERS[13]}]
    return kept + [row("J1", 11, "330", "P3", date(2025, 3, 10), "F"), row("P8N", 7, "101", "P3", date(2025, 3, 12), "M")]


RETURNED = [("P6", NUMBERS[5], "120", "Did not respond", "04/03/2025", "A Patel"),
            ("P7", NUMBERS[6], "120", "No longer required", "10/03/2025", "B Jones"),
            ("P10", NUMBERS[9], "502", "Still waiting", "03/03/2025", "A Patel")]


def write_list(path, rows, census: date):
    write_csv(path, HEADERS, [[r.get(h) for h in HEADERS[:6]] + [census, r["Sex"], "RXX"] for r in rows])
    return path


def write_returned(path, rows=RETURNED):
    write_csv(path, ("Pathway ID", "NHS number", "Specialty", "Action taken", "Date checked", "Checked by"), rows)
    return path


def hand_worked_workspace(tmp_path, with_outcomes: bool = True):
    """The three snapshots imported in turn (and the returned worklist recorded): the workspace's path."""
    from workbench.store.outcomes import read_returned, record_outcomes
    from workbench.store.workspace import Workspace

    workspace = tmp_path / "hand.sqlite"
    for rows, census in ((first_list(), FIRST), (middle_list(), MIDDLE), (last_list(), LAST)):
        import_file(write_list(tmp_path / f"list-{census}.csv", rows, census), workspace, snapshot=True)
    if with_outcomes:
        with Workspace.open(workspace) as ws:
            record_outcomes(ws, read_returned(write_returned(tmp_path / "returned.csv")))
    return workspace
