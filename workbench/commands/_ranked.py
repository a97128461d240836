"""What the rank, explain and equity commands share: the rule-set options and both orders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.fields import WaitingList
from workbench.rank.ranking import Prepared, Ranking, prepare, rank
from workbench.errors import WorkbenchError
from workbench.rank.bundled_rules import TREAT_IN_TURN, bundled_rule_sets, treat_in_turn
from workbench.rank.rule_file import load_rules
from workbench.rank.rules import RuleSet
from workbench.store.workspace import Workspace


def add_rules_arguments(parser) -> None:
    """--workspace, --rules and --baseline, worded the same in every command."""
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--rules", required=True,
                        help="rule set: a .toml file, or a bundled name such as inclusive-recovery")
    parser.add_argument("--baseline", default=TREAT_IN_TURN,
                        help="rule set to compare against (default: treat-in-turn)")


def rules_from_argument(text: str) -> RuleSet:
    """A rule set named on the command line: ``treat-in-turn``, a file, or a bundled name.

    >>> rules_from_argument("treat-in-turn").name
    'Treat in turn'
    """
    if text == TREAT_IN_TURN:
        return treat_in_turn()
    path = Path(text)
    if path.exists():
        return load_rules(path)
    bundled = bundled_rule_sets()
    if text in bundled:
        return load_rules(bundled[text])
    names = ", ".join([TREAT_IN_TURN, *bundled])
    raise WorkbenchError(f"{text}: no such rules file (or give one of the bundled rule sets: {names})")


@dataclass
class RankedList:
    """A workspace's list ranked by the scenario's and the baseline's rule sets."""

    wl: WaitingList
    record: dict
    rules: RuleSet
    baseline_rules: RuleSet
    prepared: Prepared
    scenario: Ranking
    baseline: Ranking


def rank_both(args) -> RankedList:
    """Read the rule sets first (a bad file fails before the list is loaded), then rank."""
    rules, baseline_rules = rules_from_argument(args.rules), rules_from_argument(args.baseline)
    with Workspace.open(args.workspace) as workspace:
        wl = workspace.load_list()
        record = workspace.import_record() or {}
    prepared = prepare(wl)
    return RankedList(
        wl, record, rules, baseline_rules, prepared,
        scenario=rank(rules, wl, prepared=prepared), baseline=rank(baseline_rules, wl, prepared=prepared),
    )
