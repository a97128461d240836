"""Import safety controls (issue 7): no empty list replaces a real one, the census date and
date orders are warned about, and the command line respects the workspace lock."""

import hashlib
from datetime import date, timedelta

import pytest

from workbench.cli import main
from workbench.store.importer import import_file
from workbench.store.locking import acquire_lock
from workbench.errors import WorkbenchError



@pytest.fixture
def workspace(tmp_path):
    source = tmp_path / "current.csv"
    source.write_text("Pathway ID,RTT Clock Start,Priority\nC1,01/03/2025,P2\n", encoding="utf-8")
    path = tmp_path / "ward.sqlite"
    import_file(source, path, census_date=date(2026, 11, 2))
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# A file with headers but no data rows must not replace the list with an empty one.
def test_headers_only_file_is_refused_and_the_list_kept(tmp_path, workspace):
    path = tmp_path / "headers-only.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n", encoding="utf-8")
    before = sha256(workspace)
    with pytest.raises(WorkbenchError, match="headers-only.csv: .*no rows"):
        import_file(path, workspace)
    assert sha256(workspace) == before




# ImportResult.warnings, shown by the command line and the app.
def test_a_stale_census_date_is_warned_about(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n1,01/03/2025,P2\n", encoding="utf-8")
    old = date.today() - timedelta(days=45)
    result = import_file(path, tmp_path / "ws.sqlite", census_date=old)
    assert any("census date" in w and old.strftime("%d/%m/%Y") in w for w in result.warnings)


def test_a_date_column_whose_order_cannot_be_told_is_warned_about(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n1,03/02/2025,P2\n2,04/01/2025,P2\n", encoding="utf-8")
    result = import_file(path, tmp_path / "ws.sqlite", census_date=date(2026, 11, 2))
    assert any("RTT Clock Start" in w and "day/month" in w for w in result.warnings)


def test_a_column_read_as_us_dates_is_warned_about(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n1,03/13/2025,P2\n2,04/01/2025,P2\n", encoding="utf-8")
    result = import_file(path, tmp_path / "ws.sqlite", census_date=date(2026, 11, 2))
    assert any("RTT Clock Start" in w and "month/day" in w for w in result.warnings)


# The command line takes the workspace lock like the app.
def test_the_command_line_will_not_import_into_a_workspace_open_elsewhere(tmp_path, workspace, capsys):
    path = tmp_path / "list.csv"
    path.write_text("Pathway ID,RTT Clock Start,Priority\n1,01/03/2025,P2\n", encoding="utf-8")
    before = sha256(workspace)
    with acquire_lock(workspace):
        assert main(["import", str(path), "--workspace", str(workspace)]) == 2
    assert "is open in another window" in capsys.readouterr().err
    assert sha256(workspace) == before
