"""Clinical safety controls that no other test file proves end to end (see docs/clinical-safety/hazard-log.md).

Each test is named in the hazard log beside the hazard it controls. They go
through the same steps a user does (import a file, rank, export) so that a
control lost anywhere on the way fails here.
"""

from __future__ import annotations

import csv
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from workbench.cli import main
from workbench.demo import write_demo_list
from workbench.store.importer import import_file
from workbench.rank.bundled_rules import bundled_rule_sets
from workbench.rank.rule_file import load_rules, parse_rules
from workbench.rank.rule_edits import with_weight
from workbench.report.spreadsheet import FORMULA_STARTS, safe_cell
from workbench.store.workspace import Workspace

CENSUS = date(2026, 11, 2)
HEADERS = ["Pathway ID", "RTT Clock Start", "Priority", "Notes"]


def write_rows(path: Path, rows: list[list[str]], headers=HEADERS, encoding="utf-8", terminator="\n") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, lineterminator=terminator).writerows([headers, *rows])
    return path


def read_ranked_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a ranked CSV, under its headers (its first line names the rules that ranked it)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[0].startswith("Ranked by ")
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("safety")
    listed = folder / "demo.csv"
    write_demo_list(listed, rows=3000, seed=5)
    import_file(listed, folder / "ws.sqlite", census_date=CENSUS)
    return folder / "ws.sqlite"


# --- H1, H9: clinical priority first; social factors capped -------------------------------


def test_the_exported_list_never_puts_a_more_urgent_band_after_a_less_urgent_one(demo_workspace, tmp_path):
    out = tmp_path / "ranked.csv"
    assert main(["rank", "--workspace", str(demo_workspace), "--rules", "inclusive-recovery", "--out", str(out)]) == 0
    rows = read_ranked_csv(out)
    order = load_rules(bundled_rule_sets()["inclusive-recovery"]).bands.names
    bands = [order.index(row["Band"]) for row in rows]
    assert bands == sorted(bands) and len(set(bands)) >= 4
    assert [int(row["New rank"]) for row in rows] == list(range(1, len(rows) + 1))


def test_the_exported_social_parts_never_exceed_the_cap(demo_workspace, tmp_path):
    rules = load_rules(bundled_rule_sets()["inclusive-recovery"])
    out = tmp_path / "ranked.csv"
    assert main(["rank", "--workspace", str(demo_workspace), "--rules", "inclusive-recovery", "--out", str(out)]) == 0
    social = [f"{f.name} (weeks-equivalent)" for f in rules.factors if f.group == "social"]
    totals = [sum(float(row[name] or 0) for name in social) for row in read_ranked_csv(out)]
    assert max(totals) <= rules.social_cap_weeks + 1e-4
    assert max(totals) > rules.social_cap_weeks - 0.5  # the cap was reached, so it was tested


# --- H2: no patient silently dropped at import ---------------------------------------------

CELLS = st.sampled_from(["", " ", "NULL", "N/A", "P2", "p 3", "urgent", "01/02/2025", "2025-13-45", "0012",
                         "=1+1", 'a "quoted", value', "line\nbreak", "£5 café", "x" * 300, "\t"])


@st.composite
def small_lists(draw):
    """A few rows of awkward cells, some rows fully blank, in one of the encodings files come in."""
    rows = draw(st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=25))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    return rows, encoding, terminator


def is_blank_row(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_lists())
def test_no_row_is_ever_lost_at_import(case):
    rows, encoding, terminator = case
    assume(not all(is_blank_row(r) for r in rows))
    with tempfile.TemporaryDirectory() as folder:
        path = write_rows(Path(folder) / "list.csv", rows, encoding=encoding, terminator=terminator)
        result = import_file(path, Path(folder) / "ws.sqlite", census_date=CENSUS)
        with Workspace.open(Path(folder) / "ws.sqlite") as ws:
            stored, record = len(ws.load_list()), ws.import_record()
    data_rows = sum(1 for r in rows if not is_blank_row(r))
    assert result.rows_read == result.rows_stored == stored == record["rows_stored"] == data_rows
    assert result.blank_rows == record["blank_rows"] == len(rows) - data_rows


# --- H3: dates never read in the wrong order ---------------------------------------------------


def test_an_evidently_us_format_column_is_read_month_first_throughout(tmp_path):
    path = write_rows(tmp_path / "us.csv", [["A1", "03/13/2025", "P3", ""], ["A2", "04/01/2025", "P3", ""]])
    import_file(path, tmp_path / "ws.sqlite", census_date=CENSUS)
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        starts = ws.load_list().columns["wait_start"].tolist()
    assert starts == [date(2025, 3, 13), date(2025, 4, 1)]  # 04/01 is 1 April here, not 4 January


def test_a_column_mixing_uk_and_us_dates_never_swaps_a_value(tmp_path):
    path = write_rows(tmp_path / "mixed.csv", [["A1", "13/03/2025", "P3", ""], ["A2", "03/14/2025", "P3", ""],
                                               ["A3", "04/01/2025", "P3", ""]])
    result = import_file(path, tmp_path / "ws.sqlite", census_date=CENSUS)
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        starts = ws.load_list().columns["wait_start"]
        unreadable = ws.finding_rows("unreadable_date").tolist()
    assert starts[0] == np.datetime64("2025-03-13") and starts[2] == np.datetime64("2025-01-04")
    assert np.isnat(starts[1]) and unreadable == [1] and result.findings["unreadable_date"] == 1


# --- H4: census date shown and used, never today's date by stealth ---------------------------------


def test_waits_are_counted_to_the_census_date_which_is_recorded_and_exported(tmp_path, capsys):
    census = date(2025, 6, 30)
    path = write_rows(tmp_path / "list.csv", [["A1", "30/06/2024", "P3", ""], ["A2", "01/07/2025", "P3", ""]])
    assert main(["import", str(path), "--workspace", str(tmp_path / "ws.sqlite"),
                 "--census-date", census.isoformat()]) == 0
    assert "census date 30/06/2025" in capsys.readouterr().out
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        wl, record = ws.load_list(), ws.import_record()
        future = ws.finding_rows("future_wait_start").tolist()
    assert record["census_date"] == census and wl.census_date == census
    assert wl.columns["weeks_waited"][0] == pytest.approx(365 / 7)  # to the census date, not to today
    assert future == [1]  # a clock start after the census date is flagged
    out = tmp_path / "ranked.xlsx"
    assert main(["rank", "--workspace", str(tmp_path / "ws.sqlite"), "--rules", "treat-in-turn",
                 "--out", str(out)]) == 0
    provenance = dict(load_workbook(out, read_only=True)["Provenance"].iter_rows(min_row=2, values_only=True))
    assert provenance["Census date"].date() == census


# --- H5: deprivation joined to the right area only ------------------------------------------------


def test_lsoa_codes_match_exactly_or_not_at_all(tmp_path):
    # a 2011 code, a 2021-only code, one cut short, a 2011 Welsh code (carried to 2021), a pseudo-code
    areas = ["E01000001", "E01034000", "E0100000", "W01000001", "E99999999"]
    rows = [[f"A{i}", "01/03/2025", "P3", area] for i, area in enumerate(areas)]
    path = write_rows(tmp_path / "areas.csv", rows, headers=["Pathway ID", "RTT Clock Start", "Priority", "LSOA"])
    result = import_file(path, tmp_path / "ws.sqlite", census_date=CENSUS)
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        wl = ws.load_list()
        flagged = ws.finding_rows("invalid_lsoa").tolist()
    deciles = wl.columns["imd_decile"]
    assert deciles[[0, 1, 3]].tolist() == [8.0, 4.0, 5.0] and np.isnan(deciles[[2, 4]]).all()  # no nearest, no prefix
    assert wl.columns["deprivation_nation"].tolist() == ["England", "England", None, "Wales", None]
    assert wl.columns["deprivation_index"].tolist() == ["IoD2025", "IoD2025", None, "WIMD 2025", None]
    assert np.isnan(wl.columns["core20"][3])  # a Welsh decile is not an English Core20 flag
    assert flagged == [2, 4] and result.findings["invalid_lsoa"] == 2


def test_the_import_says_which_index_it_used_and_what_it_carried(tmp_path):
    rows = [["A1", "01/03/2025", "P3", "E01028040"], ["A2", "01/03/2025", "P3", "E01000001"]]
    path = write_rows(tmp_path / "areas.csv", rows, headers=["Pathway ID", "RTT Clock Start", "Priority", "LSOA11CD"])
    result = import_file(path, tmp_path / "ws.sqlite", census_date=CENSUS)
    assert result.deprivation["indices"]["England"] == "IoD2025" and result.deprivation["area_vintage"] == "2011"
    assert result.deprivation["carried_through_lookup"] == {"rows": 1, "areas": 1}
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        assert ws.get_setting("deprivation_edition") == "2025"


# --- H6: an export never runs as a formula ------------------------------------------------------


@given(st.text(max_size=40))
def test_safe_cell_never_returns_text_a_spreadsheet_would_run(text):
    shown = safe_cell(text)
    assert not shown.startswith(FORMULA_STARTS)
    assert shown == text or (shown == "'" + text and text.startswith(FORMULA_STARTS))


# --- H7: the rule set used is recorded so a change cannot go unseen ----------------------------------


def test_the_rules_sheet_records_a_sha256_and_text_that_reproduce_the_rule_set(demo_workspace, tmp_path):
    rules = load_rules(bundled_rule_sets()["inclusive-recovery"])
    out = tmp_path / "ranked.xlsx"
    assert main(["rank", "--workspace", str(demo_workspace), "--rules", "inclusive-recovery", "--out", str(out)]) == 0
    items = dict(load_workbook(out, read_only=True)["Rules"].iter_rows(min_row=2, values_only=True))
    assert items["Rule set sha256"] == rules.sha256
    assert parse_rules(items["Rule set file (TOML)"]).sha256 == rules.sha256  # the sheet alone rebuilds the rules
    assert with_weight(rules, "Return to work", 2.5).sha256 != rules.sha256  # any edit shows in the hash


# --- H16: a patient with no usable priority is never quietly treated as routine -------------------------


def test_a_missing_priority_is_flagged_and_shown_in_its_own_band_at_the_end(tmp_path):
    start = (CENSUS - timedelta(weeks=60)).strftime("%d/%m/%Y")
    path = write_rows(tmp_path / "list.csv", [["A1", start, "", ""], ["A2", start, "P4", ""], ["A3", start, "P2", ""]])
    result = import_file(path, tmp_path / "ws.sqlite", census_date=CENSUS)
    out = tmp_path / "ranked.csv"
    assert main(["rank", "--workspace", str(tmp_path / "ws.sqlite"), "--rules", "treat-in-turn",
                 "--out", str(out)]) == 0
    assert [(row["Pathway ID"], row["Band"]) for row in read_ranked_csv(out)] == [("A3", "P2"), ("A2", "P4"),
                                                                          ("A1", "unknown")]
    assert result.findings["missing_priority"] == 1


# --- the hazard log names only tests that exist ------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"
CITED_TEST = re.compile(r"`((?:tests|workbench)/[\w/]+\.py)::([\w.]+)`")


def test_every_test_the_hazard_log_names_exists():
    text = HAZARD_LOG.read_text(encoding="utf-8")
    hazards = re.split(r"^## (?=HAZ-\d+)", text, flags=re.MULTILINE)[1:]
    assert len(hazards) >= 12
    for hazard in hazards:
        cited = CITED_TEST.findall(hazard)
        assert cited, f"{hazard.splitlines()[0]}: no test named"
        for path, name in cited:
            source = (ROOT / path).read_text(encoding="utf-8")
            function = name.split(".")[-1]
            assert re.search(rf"^\s*def {function}\(", source, flags=re.MULTILINE), f"{path}::{name} not found"
            if path.startswith("workbench/"):
                assert ">>>" in source  # a doctest, run by --doctest-modules
