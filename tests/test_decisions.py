"""Scenarios, the hash-chained decision log and rule history in a workspace file."""

import sqlite3

import pytest

from workbench.store import decisions
from workbench.store.decisions import (
    GENESIS,
    chain_head,
    changes_between,
    decision_log,
    entry_hash,
    head_in_record,
    record_decision,
    rule_differences,
    rule_history,
    rules_by_sha256,
    save_scenario,
    scenarios,
    verify_against,
    verify_all,
    verify_chain,
)
from workbench.errors import WorkbenchError
from workbench.rank.bundled_rules import treat_in_turn
from workbench.rank.rule_edits import with_social_cap, with_weight
from workbench.store.workspace import Workspace


@pytest.fixture
def workspace(tmp_path):
    with Workspace.create(tmp_path / "ws.sqlite") as ws:
        yield ws


def three_decisions(ws):
    rules = treat_in_turn()
    record_decision(ws, "Dr A Patel", "Started from treat in turn", "baseline", rules)
    record_decision(ws, "Dr A Patel", "Weight doubled", "waits matter more", with_weight(rules, "Weeks waited", 2))
    record_decision(ws, "J Smith", "Cap set", "keep time waited first", with_social_cap(rules, 8))


def raw(ws):
    """A second connection, as someone with a database tool would have."""
    return sqlite3.connect(ws.path, isolation_level=None)


def test_entries_are_chained_from_genesis(workspace):
    three_decisions(workspace)
    log = decision_log(workspace)
    assert [e.person for e in log] == ["Dr A Patel", "Dr A Patel", "J Smith"]
    assert log[0].previous_hash == GENESIS
    assert [e.previous_hash for e in log[1:]] == [e.entry_hash for e in log[:-1]]
    first = log[0]
    fields = {"logged_at": first.logged_at.isoformat(), "person": first.person, "action": first.action,
              "rationale": first.rationale, "rules_sha256": first.rules_sha256}
    assert first.entry_hash == entry_hash(GENESIS, fields)
    assert verify_chain(workspace) is None and verify_all(workspace) is None


def test_an_entry_reads_when_who_what_and_why(workspace):
    three_decisions(workspace)
    record_decision(workspace, "J Smith", "Rules exported", "", treat_in_turn())
    first, *_, unexplained = decision_log(workspace)
    assert first.text() == f"{first.shown_time} · Dr A Patel\nStarted from treat in turn\nWhy: baseline"
    assert unexplained.text() == f"{unexplained.shown_time} · J Smith\nRules exported"


def test_each_rule_set_is_kept_once_and_recoverable_by_sha(workspace):
    three_decisions(workspace)
    record_decision(workspace, "J Smith", "Looked again", "", treat_in_turn())
    history = rule_history(workspace)
    assert len(history) == 3
    doubled = with_weight(treat_in_turn(), "Weeks waited", 2)
    assert rules_by_sha256(workspace, doubled.sha256) == doubled
    assert decision_log(workspace)[1].rules_sha256 == doubled.sha256


def test_editing_a_row_with_raw_sql_is_detected(workspace):
    three_decisions(workspace)
    connection = raw(workspace)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE decision_log SET rationale = 'nobody said that' WHERE id = 2")
    connection.execute("DROP TRIGGER decision_log_no_update")
    connection.execute("UPDATE decision_log SET rationale = 'nobody said that' WHERE id = 2")
    connection.close()
    broken = verify_chain(workspace)
    assert broken is not None and broken.entry_id == 2 and "edited" in broken.problem
    assert "entry 2" in broken.describe()


def test_deleting_a_row_is_detected(workspace):
    three_decisions(workspace)
    connection = raw(workspace)
    connection.execute("DROP TRIGGER decision_log_no_delete")
    connection.execute("DELETE FROM decision_log WHERE id = 2")
    connection.close()
    broken = verify_chain(workspace)
    assert broken.entry_id == 3 and "removed" in broken.problem


def test_a_tampered_rule_history_is_detected(workspace):
    three_decisions(workspace)
    connection = raw(workspace)
    connection.execute("DROP TRIGGER rule_history_no_update")
    connection.execute("UPDATE rule_history SET rules_toml = replace(rules_toml, 'weight = 2.0', 'weight = 9.0')")
    connection.close()
    assert verify_chain(workspace) is None
    broken = verify_all(workspace)
    assert broken.table == "rule_history" and broken.entry_id == 2


def test_recording_needs_a_name_and_an_action(workspace):
    with pytest.raises(WorkbenchError, match="name"):
        record_decision(workspace, "   ", "Something")
    with pytest.raises(WorkbenchError, match="what was decided"):
        record_decision(workspace, "A", " ")
    assert decision_log(workspace) == []


def test_scenarios_save_list_and_refuse_a_taken_name(workspace):
    first = save_scenario(workspace, "  Inclusive  v1 ", treat_in_turn(), "Dr A")
    save_scenario(workspace, "Longer waits", with_weight(treat_in_turn(), "Weeks waited", 3))
    assert first.name == "Inclusive v1"
    assert [s.name for s in scenarios(workspace)] == ["Inclusive v1", "Longer waits"]
    assert decisions.load_scenario(workspace, "Longer waits").rule_set.factors[0].weight == 3
    with pytest.raises(WorkbenchError, match="already a scenario"):
        save_scenario(workspace, "Inclusive v1", treat_in_turn())
    save_scenario(workspace, "Inclusive v1", with_social_cap(treat_in_turn(), 4), replace=True)
    assert decisions.load_scenario(workspace, "Inclusive v1").rule_set.social_cap_weeks == 4
    with pytest.raises(WorkbenchError, match="no scenario"):
        decisions.load_scenario(workspace, "Missing")


def test_rule_differences_mark_only_what_changed():
    before = treat_in_turn()
    after = with_social_cap(with_weight(before, "Weeks waited", 1.5), 8)
    differing = {d.item for d in rule_differences(before, after) if d.differs}
    assert differing == {"Weeks waited: weight", "Social cap (weeks)"}
    assert changes_between(before, after) == ["Social cap (weeks): none → 8", "Weeks waited: weight: 1 → 1.5"]
    assert changes_between(before, before) == []


# --- a head kept outside the workspace ------------------------------------------------------


def rewrite_entry_and_every_hash_after_it(ws, entry_id: int, rationale: str) -> None:
    """What someone with sqlite3 and hashlib can do: edit an entry and work every later hash out again."""
    connection = raw(ws)
    connection.execute("DROP TRIGGER decision_log_no_update")
    connection.execute("UPDATE decision_log SET rationale = ? WHERE id = ?", (rationale, entry_id))
    fields = decisions.HASHED_FIELDS[decisions.DECISION_LOG]
    previous = GENESIS
    entries = connection.execute(f"SELECT id, {', '.join(fields)} FROM decision_log ORDER BY id").fetchall()
    for row_id, *values in entries:
        digest = entry_hash(previous, dict(zip(fields, values)))
        connection.execute("UPDATE decision_log SET previous_hash = ?, entry_hash = ? WHERE id = ?",
                           (previous, digest, row_id))
        previous = digest
    connection.close()


def test_a_rewrite_with_every_hash_worked_out_again_is_caught_by_the_head_kept_elsewhere(workspace):
    three_decisions(workspace)
    kept = chain_head(workspace)  # as the decision record printed it
    rewrite_entry_and_every_hash_after_it(workspace, 2, "nobody said that")
    assert verify_all(workspace) is None  # the file vouches for itself...
    broken = verify_against(workspace, kept)  # ...but not against the head kept outside it
    assert broken.entry_id == 3 and "rewritten" in broken.problem


def test_deleting_the_newest_entry_is_caught_by_the_head_kept_elsewhere(workspace):
    three_decisions(workspace)
    kept = chain_head(workspace)
    connection = raw(workspace)
    connection.execute("DROP TRIGGER decision_log_no_delete")
    connection.execute("DELETE FROM decision_log WHERE id = 3")
    connection.close()
    assert verify_chain(workspace) is None
    broken = verify_against(workspace, kept)
    assert "counts 3 entries but the log has 2: the newest were deleted" in broken.problem


def test_decisions_recorded_after_the_head_was_kept_are_fine(workspace):
    three_decisions(workspace)
    kept = chain_head(workspace)
    record_decision(workspace, "J Smith", "Looked again", "", treat_in_turn())
    assert kept.entries == 3 and chain_head(workspace).entries == 4
    assert verify_against(workspace, kept) is None


def test_a_decisions_rule_set_deleted_from_the_history_is_detected(workspace):
    three_decisions(workspace)
    connection = raw(workspace)
    connection.execute("DROP TRIGGER rule_history_no_delete")
    connection.execute("DELETE FROM rule_history WHERE id = (SELECT max(id) FROM rule_history)")
    connection.close()
    assert verify_chain(workspace, decisions.RULE_HISTORY) is None
    broken = verify_all(workspace)
    assert broken.entry_id == 3 and "missing from the history" in broken.problem


def test_the_command_line_checks_the_log_against_a_decision_record(workspace, tmp_path, capsys):
    from workbench.cli import main
    from workbench.report.record import DecisionRecord, write_decision_record

    three_decisions(workspace)
    record = write_decision_record(DecisionRecord(treat_in_turn(), treat_in_turn(), log=decision_log(workspace)),
                                   tmp_path / "record.html")
    assert head_in_record(record) == chain_head(workspace)
    verify = ["verify", "--workspace", str(workspace.path), "--record", str(record)]
    assert main(verify) == 0
    assert capsys.readouterr().out.startswith("Decision log intact: 3 entries, the newest with hash")
    rewrite_entry_and_every_hash_after_it(workspace, 3, "nobody said that")
    assert main(verify) == 1
    assert "the log was rewritten" in capsys.readouterr().out
    head = chain_head(workspace)
    assert main(["verify", "--workspace", str(workspace.path), "--entries", "3", "--head", head.head]) == 0
