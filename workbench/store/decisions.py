"""Scenarios, the decision log and the rule-set history, kept in the workspace file.

Three tables (created by the workspace's ``m002_decisions`` migration):

- ``scenarios``: rule sets saved under a name, to compare and come back to.
- ``decision_log``: what was decided, when, by whom (the name as typed) and
  why (free text), with the sha256 of the rule set in force.
- ``rule_history``: the full TOML of every rule set a decision referred to,
  so a sha256 in the log can always be turned back into the rules.

The log and the history are **append-only and hash-chained**: each entry's
``entry_hash`` is ``sha256(previous entry's hash + canonical JSON of the
entry)``, the first entry chaining to :data:`GENESIS`. Editing, deleting or
reordering a row breaks the chain at that row, and :func:`verify_chain` names
it. SQLite triggers also refuse UPDATE and DELETE on both tables, so the app
itself can never rewrite history; someone with a database tool can drop the
triggers, which is what the chain is for.

The chain alone cannot show a rewrite that recomputes every later hash, nor
the newest entries deleted: the file would vouch for itself. So the chain's
**head** (how many entries, and the newest one's hash, :func:`chain_head`) is
printed in every decision record, and :func:`verify_against` checks the log
against a head kept outside the workspace (a record, or the hash written
down): if those entries are not all there, unchanged, it says so
(``workbench verify --workspace WS --record record.html``).

Every function takes an open :class:`~workbench.store.workspace.Workspace` and must
be called on the thread that opened it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench import formats
from workbench.errors import WorkbenchError
from workbench.progress import CancelCheck, Progress, never, no_progress
from workbench.rank.rules import MISSING_WORDS, Factor, RuleSet
from workbench.rank.rule_writer import dump_rules
from workbench.rank.rule_file import parse_rules
from workbench.store.workspace import Workspace

GENESIS = "0" * 64  # the "previous hash" of the first entry of a chain
DECISION_LOG, RULE_HISTORY = "decision_log", "rule_history"
CHAINED_TABLES = (DECISION_LOG, RULE_HISTORY)
# The fields each chained table hashes, in the order they are stored.
HASHED_FIELDS = {
    DECISION_LOG: ("logged_at", "person", "action", "rationale", "rules_sha256"),
    RULE_HISTORY: ("saved_at", "name", "version", "rules_toml", "sha256"),
}
MAX_NAME = 200


# --------------------------------------------------------------------------- hashing
def canonical_json(entry: dict[str, Any]) -> str:
    """The one text form of an entry that is hashed: sorted keys, no spaces, UTF-8 kept.

    >>> canonical_json({"person": "Dr Ōkafor", "action": "Saved"})
    '{"action":"Saved","person":"Dr Ōkafor"}'
    """
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, entry: dict[str, Any]) -> str:
    """sha256 of the previous entry's hash followed by the entry's canonical JSON.

    >>> entry_hash(GENESIS, {"a": 1}) == hashlib.sha256((GENESIS + '{"a":1}').encode()).hexdigest()
    True
    """
    return hashlib.sha256((previous_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- entries
@dataclass(frozen=True)
class LogEntry:
    """One decision: when (UTC), who (as typed), what changed, why, and the rules in force."""

    id: int
    logged_at: datetime
    person: str
    action: str
    rationale: str
    rules_sha256: str | None
    previous_hash: str
    entry_hash: str

    @property
    def shown_time(self) -> str:
        """Local time as users read it: dd/mm/yyyy hh:mm."""
        return formats.uk_date_time(self.logged_at.astimezone())

    def text(self) -> str:
        """The decision as the app's decision log lists it: when and who, what, and why."""
        lines = [f"{self.shown_time} · {self.person}", self.action]
        if self.rationale:
            lines.append(f"Why: {self.rationale}")
        return "\n".join(lines)


@dataclass(frozen=True)
class RuleHistoryEntry:
    """One rule set as it was when a decision referred to it."""

    id: int
    saved_at: datetime
    name: str
    version: str
    rules_toml: str
    sha256: str
    previous_hash: str
    entry_hash: str


@dataclass(frozen=True)
class BrokenLink:
    """Where a chain stops adding up: the table, the entry's id, and what is wrong."""

    table: str
    entry_id: int
    problem: str

    def describe(self) -> str:
        what = "decision log" if self.table == DECISION_LOG else "rule-set history"
        return f"The {what} has been altered outside the workbench at entry {self.entry_id}: {self.problem}"


def _append(workspace: Workspace, table: str, entry: dict[str, Any]) -> tuple[int, str, str]:
    """Add an entry to a chained table in one transaction; returns (id, previous hash, hash)."""
    connection = workspace.connection
    ensure_append_only(workspace)
    connection.execute("BEGIN IMMEDIATE")  # no other writer can slip an entry in between
    try:
        row = connection.execute(f"SELECT entry_hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        previous = row[0] if row else GENESIS
        digest = entry_hash(previous, entry)
        names = list(entry) + ["previous_hash", "entry_hash"]
        cursor = connection.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [*entry.values(), previous, digest],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return cursor.lastrowid, previous, digest


def ensure_append_only(workspace: Workspace) -> None:
    """Make SQLite refuse UPDATE and DELETE on the chained tables (idempotent)."""
    for table in CHAINED_TABLES:
        for verb in ("UPDATE", "DELETE"):
            workspace.connection.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only'); END"
            )


def record_decision(
    workspace: Workspace,
    person: str,
    action: str,
    rationale: str = "",
    rule_set: RuleSet | None = None,
) -> LogEntry:
    """Append a decision to the log; the rule set in force (if any) goes into the history too.

    ``person`` is the name as the user typed it (required): the workbench has
    no accounts, so the log records what people say about themselves.
    """
    person = _cleaned_name(person, "the person's name")
    action = action.strip()
    if not action:
        raise WorkbenchError(f"{workspace.path.name}: say what was decided before recording it")
    if rule_set is not None:
        record_rule_set(workspace, rule_set)
    entry = {
        "logged_at": _now(),
        "person": person,
        "action": action,
        "rationale": rationale.strip(),
        "rules_sha256": rule_set.sha256 if rule_set is not None else None,
    }
    entry_id, previous, digest = _append(workspace, DECISION_LOG, entry)
    return _log_entry((entry_id, *entry.values(), previous, digest))


def record_rule_set(workspace: Workspace, rule_set: RuleSet) -> RuleHistoryEntry | None:
    """Keep the full text of a rule set in the history (once per sha256); None if already kept."""
    sha = rule_set.sha256
    if workspace.connection.execute("SELECT 1 FROM rule_history WHERE sha256 = ?", (sha,)).fetchone():
        return None
    entry = {"saved_at": _now(), "name": rule_set.name, "version": rule_set.version,
             "rules_toml": dump_rules(rule_set), "sha256": sha}
    entry_id, previous, digest = _append(workspace, RULE_HISTORY, entry)
    return _history_entry((entry_id, *entry.values(), previous, digest))


def decision_log(workspace: Workspace) -> list[LogEntry]:
    """Every decision, oldest first."""
    fields = ", ".join(("id",) + HASHED_FIELDS[DECISION_LOG] + ("previous_hash", "entry_hash"))
    rows = workspace.connection.execute(f"SELECT {fields} FROM decision_log ORDER BY id")
    return [_log_entry(row) for row in rows]


def rule_history(workspace: Workspace) -> list[RuleHistoryEntry]:
    """Every rule set the log refers to, oldest first."""
    fields = ", ".join(("id",) + HASHED_FIELDS[RULE_HISTORY] + ("previous_hash", "entry_hash"))
    rows = workspace.connection.execute(f"SELECT {fields} FROM rule_history ORDER BY id")
    return [_history_entry(row) for row in rows]


def rules_by_sha256(workspace: Workspace, sha256: str) -> RuleSet:
    """The rule set with this fingerprint, from the history; WorkbenchError if it was never recorded."""
    row = workspace.connection.execute("SELECT rules_toml FROM rule_history WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        raise WorkbenchError(f"{workspace.path.name}: no rule set with sha256 {sha256[:12]}… in this workspace")
    return parse_rules(row[0], source=f"rule set {sha256[:12]}")


def _log_entry(row) -> LogEntry:
    entry_id, logged_at, person, action, rationale, sha, previous, digest = row
    return LogEntry(entry_id, datetime.fromisoformat(logged_at), person, action, rationale or "", sha, previous, digest)


def _history_entry(row) -> RuleHistoryEntry:
    entry_id, saved_at, name, version, toml, sha, previous, digest = row
    return RuleHistoryEntry(entry_id, datetime.fromisoformat(saved_at), name, version or "", toml, sha, previous, digest)


# --------------------------------------------------------------------------- verifying
def verify_chain(workspace: Workspace, table: str = DECISION_LOG) -> BrokenLink | None:
    """The first entry of ``table`` whose chain does not add up, or None if it is intact."""
    if table not in CHAINED_TABLES:
        raise ValueError(f"{table} is not a hash-chained table")
    fields = HASHED_FIELDS[table]
    rows = workspace.connection.execute(
        f"SELECT id, {', '.join(fields)}, previous_hash, entry_hash FROM {table} ORDER BY id"
    )
    expected_previous = GENESIS
    for entry_id, *values, previous, digest in rows:
        if previous != expected_previous:
            return BrokenLink(table, entry_id, "it does not follow the entry before it (an entry was removed or moved)")
        if entry_hash(previous, dict(zip(fields, values))) != digest:
            return BrokenLink(table, entry_id, "its contents no longer match its hash (it was edited)")
        expected_previous = digest
    return None


def verify_all(workspace: Workspace) -> BrokenLink | None:
    """The first break in the decision log, else in the rule-set history, else a decision whose
    rule set the history lacks (its newest entries deleted), else None."""
    for table in CHAINED_TABLES:
        broken = verify_chain(workspace, table)
        if broken is not None:
            return broken
    missing = workspace.connection.execute(
        "SELECT id, rules_sha256 FROM decision_log WHERE rules_sha256 IS NOT NULL "
        "AND rules_sha256 NOT IN (SELECT sha256 FROM rule_history) ORDER BY id LIMIT 1").fetchone()
    if missing:
        return BrokenLink(RULE_HISTORY, missing[0], f"the rule set of decision {missing[0]} (sha256 "
                          f"{missing[1][:12]}…) is missing from the history (entries were deleted)")
    return None


# --------------------------------------------------------------------------- the head, kept elsewhere
@dataclass(frozen=True)
class ChainHead:
    """How many entries the decision log had, and the newest one's hash: kept outside the
    workspace (in a decision record, or written down), it shows any later rewrite or deletion."""

    entries: int
    head: str

    def describe(self) -> str:
        if not self.entries:
            return "no entries"
        return f"{self.entries} {'entry' if self.entries == 1 else 'entries'}, the newest with hash {self.head}"


def chain_head(workspace: Workspace) -> ChainHead:
    """The decision log's head now."""
    row = workspace.connection.execute("SELECT count(*), (SELECT entry_hash FROM decision_log ORDER BY id DESC "
                                       "LIMIT 1) FROM decision_log").fetchone()
    return ChainHead(row[0], row[1] or GENESIS)


def verify_against(workspace: Workspace, kept: ChainHead) -> BrokenLink | None:
    """:func:`verify_all`, then whether the ``kept`` head's entries are all still there, unchanged.

    Entries recorded since are fine: the kept head must be the log's entry
    number ``kept.entries``.
    """
    broken = verify_all(workspace)
    if broken is not None:
        return broken
    hashes = [h for (h,) in workspace.connection.execute("SELECT entry_hash FROM decision_log ORDER BY id")]
    if len(hashes) < kept.entries:
        return BrokenLink(DECISION_LOG, len(hashes) + 1, f"the head kept outside the workspace counts {kept.entries} "
                          f"entries but the log has {len(hashes)}: the newest were deleted")
    if (hashes[kept.entries - 1] if kept.entries else GENESIS) != kept.head:
        return BrokenLink(DECISION_LOG, kept.entries, "its hash differs from the head kept outside the workspace: "
                          "the log was rewritten and its hashes worked out again")
    return None


_HEAD_IN_RECORD = re.compile(r'data-entries="(\d+)" data-head="([0-9a-f]{64})"')


def head_in_record(path) -> ChainHead:
    """The head a decision record (HTML, :mod:`workbench.report.record`) kept; WorkbenchError if it has none."""
    path = Path(path)
    try:
        found = _HEAD_IN_RECORD.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as error:
        raise WorkbenchError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    if found is None:
        raise WorkbenchError(f"{path.name}: is not a decision record of this workbench (it keeps no log head)")
    return ChainHead(int(found.group(1)), found.group(2))


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    """A rule set saved under a name in the workspace."""

    name: str
    rules_toml: str
    sha256: str
    created_at: datetime
    created_by: str

    @property
    def rule_set(self) -> RuleSet:
        return parse_rules(self.rules_toml, source=f"scenario '{self.name}'")


def save_scenario(workspace: Workspace, name: str, rule_set: RuleSet, person: str = "", replace: bool = False) -> Scenario:
    """Save ``rule_set`` as the scenario ``name``; WorkbenchError if the name is taken (unless ``replace``)."""
    name = _cleaned_name(name, "a scenario name")
    if not replace and _scenario_row(workspace, name) is not None:
        raise WorkbenchError(f"{workspace.path.name}: there is already a scenario called '{name}'; choose another name")
    scenario = Scenario(name, dump_rules(rule_set), rule_set.sha256, datetime.now(timezone.utc).replace(microsecond=0),
                        person.strip())
    # One statement, so atomic on its own (the workspace connection autocommits).
    workspace.connection.execute(
        "INSERT OR REPLACE INTO scenarios (name, rules_toml, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
        (scenario.name, scenario.rules_toml, scenario.sha256, scenario.created_at.isoformat(), scenario.created_by),
    )
    return scenario


def scenarios(workspace: Workspace) -> list[Scenario]:
    """Every saved scenario, oldest first."""
    rows = workspace.connection.execute(
        "SELECT name, rules_toml, sha256, created_at, created_by FROM scenarios ORDER BY id"
    )
    return [_scenario(row) for row in rows]


def load_scenario(workspace: Workspace, name: str) -> Scenario:
    """The scenario called ``name``; WorkbenchError if there is none."""
    row = _scenario_row(workspace, name)
    if row is None:
        raise WorkbenchError(f"{workspace.path.name}: no scenario called '{name}'")
    return _scenario(row)


def _scenario_row(workspace: Workspace, name: str):
    return workspace.connection.execute(
        "SELECT name, rules_toml, sha256, created_at, created_by FROM scenarios WHERE name = ?", (name,)
    ).fetchone()


def _scenario(row) -> Scenario:
    name, toml, sha, created_at, created_by = row
    return Scenario(name, toml, sha, datetime.fromisoformat(created_at), created_by or "")


def _cleaned_name(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise WorkbenchError(f"Give {what} first")
    if len(text) > MAX_NAME:
        raise WorkbenchError(f"{what[0].upper() + what[1:]} is too long (at most {MAX_NAME} characters)")
    return text


# --------------------------------------------------------------------------- rule differences
@dataclass(frozen=True)
class RuleDifference:
    """One line of a side-by-side comparison of two rule sets."""

    item: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


def rule_differences(first: RuleSet, second: RuleSet) -> list[RuleDifference]:
    """Every setting of two rule sets side by side, in reading order ("—" where one lacks it).

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> from workbench.rank.rule_edits import with_weight
    >>> changed = [d for d in rule_differences(treat_in_turn(), with_weight(treat_in_turn(), "Weeks waited", 2))
    ...            if d.differs]
    >>> [(d.item, d.first, d.second) for d in changed]
    [('Weeks waited: weight', '1', '2')]
    """
    a, b = _settings(first), _settings(second)
    items = list(a) + [item for item in b if item not in a]
    return [RuleDifference(item, a.get(item, "—"), b.get(item, "—")) for item in items]


def changes_between(before: RuleSet, after: RuleSet) -> list[str]:
    """What changed from one rule set to another, one phrase per change.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> from workbench.rank.rule_edits import with_social_cap
    >>> changes_between(treat_in_turn(), with_social_cap(treat_in_turn(), 8))
    ['Social cap (weeks): none → 8']
    """
    return [f"{d.item}: {d.first} → {d.second}" for d in rule_differences(before, after) if d.differs]


def _settings(rule_set: RuleSet) -> dict[str, str]:
    cap = rule_set.social_cap_weeks
    shown = {
        "Name": rule_set.name,
        "Version": rule_set.version,
        "Band order": ", ".join(rule_set.bands.names),
        "Band policy": "strict" if rule_set.bands.strict else "bounded overlap",
        "Social cap (weeks)": "none" if cap is None else formats.rule_number(cap),
    }
    for name, weeks in zip(rule_set.bands.names, rule_set.bands.overlap_weeks):
        if weeks:
            shown[f"Overlap of {name} (weeks)"] = formats.rule_number(weeks)
    for factor in rule_set.factors:
        shown[f"{factor.name}: weight"] = formats.rule_number(factor.weight)
        shown[f"{factor.name}: column"] = factor.source
        shown[f"{factor.name}: transform"] = transform_words(factor)
        shown[f"{factor.name}: group"] = factor.group
        shown[f"{factor.name}: when missing"] = MISSING_WORDS[factor.missing]
    return shown


def transform_words(factor: Factor) -> str:
    """A factor's transform in a few words (without its weight).

    >>> transform_words(Factor(name="Long wait", source="weeks_waited", transform="threshold", at_least=52))
    'threshold: at least 52'
    """
    if factor.transform == "threshold":
        return f"threshold: at least {formats.rule_number(factor.at_least)}"
    if factor.transform == "capped":
        return f"capped at {formats.rule_number(factor.maximum)}"
    if factor.transform == "banded":
        bands = "; ".join(f"{formats.rule_number(b.low)}-{formats.rule_number(b.high)} → {formats.rule_number(b.value)}" for b in factor.lookup)
        return f"banded: {bands}"
    return "linear"


@dataclass(frozen=True)
class DecisionState:
    """What the workspace holds about decisions, read on the database worker."""

    scenarios: list[Scenario]
    log: list[LogEntry]
    broken: BrokenLink | None
    last_rules: RuleSet | None  # the rule set of the newest decision that named one


def read_decisions(path: Path, progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    with Workspace.open(path) as workspace:
        return _decision_state(workspace)


def _decision_state(workspace: Workspace) -> DecisionState:
    log = decision_log(workspace)
    broken = verify_all(workspace)
    last_rules = None
    named = [entry.rules_sha256 for entry in log if entry.rules_sha256]
    if named and broken is None:
        last_rules = rules_by_sha256(workspace, named[-1])
    return DecisionState(scenarios(workspace), log, broken, last_rules)


def record_and_read(path: Path, person: str, action: str, rationale: str, rule_set: RuleSet | None,
                    progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    """Append a decision and read everything back (one trip to the database worker)."""
    with Workspace.open(path) as workspace:
        record_decision(workspace, person, action, rationale, rule_set)
        return _decision_state(workspace)


def save_scenario_and_read(path: Path, name: str, rule_set: RuleSet, person: str,
                           progress: Progress = no_progress, cancelled: CancelCheck = never) -> DecisionState:
    """Save a scenario, note it in the decision log, and read everything back."""
    with Workspace.open(path) as workspace:
        save_scenario(workspace, name, rule_set, person)
        record_decision(workspace, person, f"Saved the rules as scenario '{name}'", "", rule_set)
        return _decision_state(workspace)


def load_scenarios(path: Path, names: tuple[str, ...], progress: Progress = no_progress,
                   cancelled: CancelCheck = never) -> list[Scenario]:
    with Workspace.open(path) as workspace:
        return [load_scenario(workspace, name) for name in names]
