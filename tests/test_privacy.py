"""Identifiable data stays where it belongs.

- Workspace files, and SQLite's journal beside them, are readable by their
  owner only (POSIX). ``Workspace.create`` is covered by
  tests/test_workspace.py::test_workspace_file_is_private_to_its_owner; here
  the import path that creates a workspace, with a permissive umask.
- The app's log and settings, and every other file it keeps in its data
  folder, hold no NHS number, name or pathway ID after a real session.
- A pseudonymised workspace holds no real NHS number or dropped column, and no
  export made from it (ranked list, worklist, equity table; pseudonymised or
  not) holds a real NHS number or the pseudonym key.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store import pseudonymise
from workbench.store.importer import import_file
from workbench.store.pseudonymise import KEY_ID_SETTING, LEGACY_KEY_SETTING, pseudonym
from workbench.store.workspace import Workspace

CENSUS = date(2026, 11, 2)
HEADERS = ["Pathway ID", "NHS Number", "Patient Name", "Address", "Phone", "Postcode", "Date of Birth",
           "RTT Clock Start", "Priority", "Specialty", "LSOA"]
PATIENTS = [
    ["PW-7001", "943 476 5919", "Jane Smith", "1 High Street, Leeds", "07700 900123", "LS1 4AP", "14/07/1950",
     "01/03/2025", "P2", "110", "E01000001"],
    ["PW-7002", "9876543210", "Ravi Patel", "22 Mill Lane, Leeds", "07700 900456", "LS6 2QT", "01/01/1980",
     "15/04/2025", "P3", "110", "E01000002"],
    ["PW-7003", "4000000632", "Ann Lee", "3 Church Road, York", "01904 000111", "YO1 7HH", "05/05/2001",
     "30/06/2025", "P4", "101", "E01000003"],
    ["PW-7004", "9434765918", "Tom Brown", "4 Park Row, Hull", "01482 000222", "HU1 1AA", "09/09/1966",
     "01/01/2025", "P3", "101", "E01000005"],  # a mistyped NHS number: still identifying
]
REAL_NHS_NUMBERS = ["9434765919", "9876543210", "4000000632", "9434765918"]
IDENTIFYING_TEXT = ["Jane Smith", "Ravi Patel", "Mill Lane", "07700 900123", "LS1 4AP", "YO1 7HH"]


def write_named_list(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADERS, *PATIENTS])
    return path


def nhs_number_forms(number: str) -> list[str]:
    """The ways a file can show one NHS number: plain digits, 3-3-4 with spaces or dashes."""
    return [number, f"{number[:3]} {number[3:6]} {number[6:]}", f"{number[:3]}-{number[3:6]}-{number[6:]}"]


def identifiers_in(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Every identifying value of the test list found in ``text``."""
    wanted = [form for n in REAL_NHS_NUMBERS for form in nhs_number_forms(n)] + IDENTIFYING_TEXT + list(extra)
    return [value for value in wanted if value in text]


def file_text(path: Path) -> str:
    """All the text in a file; every member of an xlsx (a zip of XML) unpacked."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(name).decode("utf-8", errors="replace") for name in book.namelist())
    return path.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture
def permissive_umask():
    """Files would be readable by everyone if the code left it to the umask."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# --- private files ----------------------------------------------------------------


def test_an_import_creates_a_private_workspace_and_a_private_journal(tmp_path, permissive_umask):
    workspace = tmp_path / "new.sqlite"
    journal = workspace.with_name(workspace.name + "-journal")
    journal_modes = []

    def progress(fraction, message):
        if journal.exists():
            journal_modes.append(stat.S_IMODE(journal.stat().st_mode))

    import_file(write_named_list(tmp_path / "list.csv"), workspace, census_date=CENSUS, progress=progress)
    if sys.platform == "win32":
        return  # Windows files take the folder's access list, which the organisation manages
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o600
    assert journal_modes and set(journal_modes) == {0o600}  # the rows pass through the journal too


@pytest.mark.parametrize("name, command", [
    ("ranked.csv", ["rank", "--rules", "treat-in-turn"]),
    ("ranked.xlsx", ["rank", "--rules", "treat-in-turn"]),
    ("worklist.csv", ["validate"]),
    ("worklist.xlsx", ["validate"]),
    ("equity.xlsx", ["equity", "--rules", "treat-in-turn", "--capacity-per-week", "1"]),
])
def test_exports_are_readable_by_their_owner_only(tmp_path, permissive_umask, name, command, capsys):
    workspace = tmp_path / "named.sqlite"
    import_file(write_named_list(tmp_path / "named.csv"), workspace, census_date=CENSUS)
    out = tmp_path / name
    out.write_bytes(b"an earlier export, readable by everyone")
    os.chmod(out, 0o644)
    assert main([*command, "--workspace", str(workspace), "--out", str(out)]) == 0
    capsys.readouterr()
    if sys.platform != "win32":  # Windows files take the folder's access list, which the organisation manages
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


# --- logs and settings ----------------------------------------------------------------


@pytest.mark.needs_qt
def test_unexpected_errors_are_logged_without_their_messages(tmp_path, monkeypatch):
    from ui import errors
    from workbench.errors import setup_logging

    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message, title="": shown.append(message))
    log = setup_logging(tmp_path)
    for error in _errors_carrying_patient_data():
        errors.excepthook(type(error), error, error.__traceback__)
    text = log.read_text(encoding="utf-8")
    assert identifiers_in(text, ("PW-7001",)) == []
    assert "KeyError" in text and "RuntimeError" in text and "ValueError" in text  # they were logged
    assert all(identifiers_in(message) == [] for message in shown) and len(shown) == 3


def _errors_carrying_patient_data() -> list[BaseException]:
    """Exceptions whose messages (and causes) hold an NHS number, a name and a pathway ID."""
    caught = []
    try:
        {}["943 476 5919"]
    except KeyError as error:
        caught.append(error)
    try:
        int("Jane Smith PW-7001")
    except ValueError as error:
        caught.append(error)
    try:
        try:
            raise LookupError("9876543210 not found for Ravi Patel")
        except LookupError as cause:
            raise RuntimeError("while ranking PW-7001 (4000000632)") from cause
    except RuntimeError as error:
        caught.append(error)
    return caught


@pytest.mark.needs_qt
def test_a_whole_app_session_leaves_no_patient_data_in_settings_or_logs(qtbot, tmp_path, monkeypatch):
    import ui.main_window as main_window
    from PySide6.QtWidgets import QMessageBox
    from ui import errors
    from ui.main_window import MainWindow
    from workbench.errors import setup_logging

    data = tmp_path / "data"
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(data))
    monkeypatch.setattr(main_window.QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(errors, "show_error", lambda parent, message, title="": None)
    setup_logging(data)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.start(write_named_list(tmp_path / "list.csv"))  # no census date: the import dialog asks for one
    qtbot.waitUntil(lambda: window.dialog is not None and window.dialog.import_button.isEnabled(), timeout=30_000)
    with qtbot.waitSignal(window.workspaceLoaded, timeout=30_000):
        window.dialog.import_button.click()
    qtbot.waitUntil(lambda: not window.compute.is_busy())
    for search in ("943 476 5919", "PW-7002", "Jane"):  # what a user types to find a patient
        with qtbot.waitSignal(window.list_panel.summaryChanged):
            window.list_panel.search.setText(search)
    window.close()
    kept = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "settings.ini" for p in kept)
    for path in kept:
        assert identifiers_in(file_text(path), ("PW-7001", "PW-7002")) == [], path
    assert not list((data / "unsaved").glob("*.sqlite"))  # the discarded untitled workspace is gone


# --- pseudonymised workspaces and their exports -------------------------------------------


def key_of(workspace: Path) -> str:
    """The pseudonym key of a workspace, from the user's data folder (the workspace names it only)."""
    with Workspace.open(workspace) as ws:
        key_id = ws.get_setting(KEY_ID_SETTING)
    return (pseudonymise.key_folder() / f"{key_id}.key").read_text().strip()


@pytest.fixture
def pseudonymised(tmp_path):
    workspace = tmp_path / "pseudo.sqlite"
    import_file(write_named_list(tmp_path / "named.csv"), workspace, census_date=CENSUS, pseudonymise=True)
    return workspace, key_of(workspace)


# The columns an extract from a patient administration system brings, under its own headers,
# and columns whose headers say nothing of what they hold.
EXTRACT_HEADERS = ["PATHWAY_ID", "NHS_NUMBER", "PATIENT_NAME", "HOME_ADDRESS", "TEL_NO", "Hospital Number",
                   "Mother NHS Number", "Notes", "RTT_CLOCK_START", "PRIORITY", "Contact", "Ref", "Person", "Where",
                   "Comments", "Specialty Name", "Site"]


def write_extract(path: Path, rows: int = 30) -> Path:
    numbers = REAL_NHS_NUMBERS
    first_names, surnames = ["Jane", "Ravi", "Ann", "Tom", "Ali", "Sue"], ["Smith", "Patel", "Lee", "Brown", "Khan"]
    lines = [[
        f"PW-{7001 + i}", numbers[i % 4], f"{first_names[i % 4]} {surnames[i % 4]}", f"{i} Mill Lane, Leeds",
        f"07700 900{i:03d}", f"RX{100001 + i}", numbers[(i + 1) % 4],
        f"Mother is {numbers[(i + 2) % 4]}" if i % 3 == 0 else "seen in clinic", "01/03/2025", f"P{2 + i % 3}",
        f"07700 900{i:03d}", f"K{500000 + i}", f"{first_names[i % 6]} {surnames[i % 5]}", f"LS{1 + i % 9} 4AP",
        f"patient asked about transport on day {i}", ["General Surgery", "Urology"][i % 2], "Main",
    ] for i in range(rows)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([EXTRACT_HEADERS, *lines])
    return path


def test_a_pseudonymised_workspace_keeps_no_real_nhs_number_or_direct_identifier(pseudonymised):
    workspace, key = pseudonymised
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    with Workspace.open(workspace) as ws:
        wl, findings, record = ws.load_list(), ws.findings(), ws.import_record()
    values = [str(v) for column in [*wl.columns.values(), *wl.source.values()] for v in column.tolist()]
    assert identifiers_in("\n".join(values + list(wl.source))) == []
    assert all(v.startswith("PSN-") for v in wl.columns["nhs_number"])
    assert wl.columns["nhs_number"][0] != wl.columns["nhs_number"][1]
    details = [str(d) for finding in findings for d in finding.details.tolist()]
    assert identifiers_in("\n".join(details)) == []
    assert record["file_path"] is None  # a path can name a patient or a clinic


def test_identifiers_are_found_by_header_and_by_content_and_the_import_lists_what_it_did(tmp_path):
    workspace = tmp_path / "extract.sqlite"
    result = import_file(write_extract(tmp_path / "extract.csv"), workspace, census_date=CENSUS, pseudonymise=True)
    with Workspace.open(workspace) as ws:
        wl = ws.load_list()
    assert sorted(wl.source) == sorted(["PATHWAY_ID", "NHS_NUMBER", "Hospital Number", "Mother NHS Number",
                                        "RTT_CLOCK_START", "PRIORITY", "Ref", "Specialty Name", "Site"])
    for header in ("NHS_NUMBER", "Hospital Number", "Mother NHS Number", "Ref"):
        assert all(v.startswith("PSN-") for v in wl.source[header]), header
    assert wl.source["Mother NHS Number"][0] == wl.source["NHS_NUMBER"][1]  # the same number, the same pseudonym
    assert wl.source["Specialty Name"].tolist()[:2] == ["General Surgery", "Urology"]
    said = "\n".join(result.pseudonymised)
    for header, why in [("PATIENT_NAME", "a name"), ("HOME_ADDRESS", "an address"), ("TEL_NO", "a phone number"),
                        ("Notes", "NHS numbers among other text"), ("Contact", "phone numbers"),
                        ("Person", "people's names"), ("Where", "postcodes"), ("Comments", "free text"),
                        ("Ref", "one identifier per row"), ("Hospital Number", "hospital numbers")]:
        assert f"'{header}'" in said and why in said.split(f"'{header}'")[1].split("\n")[0], header
    assert any(w.startswith("Pseudonymised: replaced by pseudonyms: ") for w in result.warnings)
    text = "\n".join(str(v) for column in [*wl.columns.values(), *wl.source.values()] for v in column.tolist())
    assert identifiers_in(text, ("Mill Lane", "07700 900", "RX1000", "K5000", "LS1 4AP", "transport")) == []


def test_the_key_is_kept_out_of_the_workspace_in_a_private_file_of_the_users_own(pseudonymised):
    workspace, key = pseudonymised
    stored = workspace.read_bytes()
    assert key.encode() not in stored and bytes.fromhex(key) not in stored
    key_file = next(pseudonymise.key_folder().glob("*.key"))
    if sys.platform != "win32":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with Workspace.open(workspace) as ws:
        assert ws.get_setting(LEGACY_KEY_SETTING) is None
        # Whoever has the key (the person who imported) can check a number; the workspace alone cannot.
        assert ws.load_list().columns["nhs_number"][1] == pseudonym("9876543210", bytes.fromhex(key))


def test_a_key_kept_in_a_workspace_by_an_earlier_version_is_moved_out_of_it(pseudonymised, tmp_path):
    workspace, key = pseudonymised
    with Workspace.open(workspace) as ws:  # as version 0.1 kept it
        ws.set_setting(LEGACY_KEY_SETTING, key)
        ws.connection.execute("DELETE FROM settings WHERE key = ?", (KEY_ID_SETTING,))
    for key_file in pseudonymise.key_folder().glob("*.key"):
        key_file.unlink()
    import_file(write_named_list(tmp_path / "again.csv"), workspace, census_date=CENSUS, pseudonymise=True)
    with Workspace.open(workspace) as ws:
        assert ws.get_setting(LEGACY_KEY_SETTING) is None
        assert ws.load_list().columns["nhs_number"][1] == pseudonym("9876543210", bytes.fromhex(key))  # unchanged
    assert key_of(workspace) == key and key.encode() not in workspace.read_bytes()


def test_without_its_key_a_workspace_gets_a_new_one_and_says_the_pseudonyms_changed(pseudonymised, tmp_path):
    workspace, key = pseudonymised
    for key_file in pseudonymise.key_folder().glob("*.key"):
        key_file.unlink()  # a colleague, or another computer
    result = import_file(write_named_list(tmp_path / "again.csv"), workspace, census_date=CENSUS, pseudonymise=True)
    assert any("a new key was made, so the pseudonyms differ" in w for w in result.warnings)
    assert key_of(workspace) != key


def test_a_key_file_the_team_keeps_gives_two_workspaces_the_same_pseudonyms(tmp_path, capsys):
    team_key = tmp_path / "team.key"
    for name in ("first.sqlite", "second.sqlite"):
        assert main(["import", str(write_named_list(tmp_path / "named.csv")), "--workspace", str(tmp_path / name),
                     "--census-date", "2026-11-02", "--pseudonymise", "--key-file", str(team_key)]) == 0
    capsys.readouterr()
    with Workspace.open(tmp_path / "first.sqlite") as first, Workspace.open(tmp_path / "second.sqlite") as second:
        assert first.load_list().columns["nhs_number"].tolist() == second.load_list().columns["nhs_number"].tolist()
        assert first.get_setting(KEY_ID_SETTING) is None  # the file the user named is the key


def test_the_same_number_gets_the_same_pseudonym_in_one_workspace_only(pseudonymised, tmp_path):
    workspace, _ = pseudonymised
    again = write_named_list(tmp_path / "next-week.csv")
    other = tmp_path / "other.sqlite"
    import_file(again, workspace, census_date=CENSUS, pseudonymise=True)
    import_file(again, other, census_date=CENSUS, pseudonymise=True)
    with Workspace.open(workspace) as ws, Workspace.open(other) as ws_other:
        first, second = ws.load_list().columns["nhs_number"], ws_other.load_list().columns["nhs_number"]
    assert first[0].startswith("PSN-") and first[0] != second[0]  # a separate key per workspace


@pytest.mark.parametrize("name, command", [
    ("ranked.xlsx", ["rank", "--rules", "treat-in-turn"]),
    ("ranked.csv", ["rank", "--rules", "treat-in-turn"]),
    ("ranked-pseudonymised.xlsx", ["rank", "--rules", "treat-in-turn", "--pseudonymise"]),
    ("worklist.xlsx", ["validate"]),
    ("worklist.csv", ["validate"]),
    ("equity.xlsx", ["equity", "--rules", "treat-in-turn", "--capacity-per-week", "1", "--by", "specialty"]),
])
def test_exports_of_a_pseudonymised_workspace_hold_no_real_number_and_never_the_key(
        pseudonymised, tmp_path, name, command, capsys):
    workspace, key = pseudonymised
    out = tmp_path / name
    assert main([*command, "--workspace", str(workspace), "--out", str(out)]) == 0
    capsys.readouterr()
    text = file_text(out)
    assert identifiers_in(text) == []
    assert key not in text and key.upper() not in text
    assert bytes.fromhex(key) not in out.read_bytes()


def test_a_pseudonymised_export_of_a_named_workspace_leaves_identifiers_out(tmp_path):
    workspace = tmp_path / "named.sqlite"
    import_file(write_named_list(tmp_path / "named.csv"), workspace, census_date=CENSUS)
    out = tmp_path / "shared.xlsx"
    assert main(["rank", "--workspace", str(workspace), "--rules", "treat-in-turn", "--out", str(out),
                 "--pseudonymise"]) == 0
    text = file_text(out)
    assert identifiers_in(text) == []
    assert "PW-7001" in text  # the pathway ID stays: the service needs it to act on the list
