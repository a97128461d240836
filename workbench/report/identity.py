"""Which rule set an output comes from, said the same way in every output.

The Rules panel, the decision log, the decision record (HTML and PDF), the
ranked list's Rules sheet and the equity charts all name the rule set through
:func:`rule_set_identity`, so none of them can contradict another. An edited
rule set is never named as the one it was edited from: it is "Edited from
Inclusive recovery 1.0", with the list of changes (factor, setting, from, to),
and its rationale is the one recorded in the decision log for exactly these
rules (by sha256), never the original's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.rule_file import load_rules
from workbench.rank.rules import EditedFrom, RuleSet
from workbench.store.decisions import LogEntry, rule_differences

NO_RATIONALE = "none recorded yet: record the decision with the reasons for these changes"


@dataclass(frozen=True)
class RuleChange:
    """One setting changed from the original: ``factor`` is empty for a setting of the whole rule set."""

    factor: str
    setting: str
    before: str
    after: str

    @property
    def words(self) -> str:
        """``Carer, weight: 1 → 2.5``."""
        what = f"{self.factor}, {self.setting}" if self.factor else self.setting
        return f"{what}: {self.before} → {self.after}"


@dataclass(frozen=True)
class RuleSetIdentity:
    """How every output names a rule set.

    ``changes`` is None when the rule set is edited but its original is not at
    hand to compare with (an edited rule file from elsewhere). ``rationale`` is
    the rule set's own, or for an edited one the latest recorded in the log for
    its sha256 (``rationale_from`` says by whom and when); empty if none.
    """

    title: str
    sha256: str
    edited_from: EditedFrom | None
    changes: tuple[RuleChange, ...] | None
    rationale: str
    rationale_from: str = ""

    @property
    def edited(self) -> bool:
        return self.edited_from is not None

    @property
    def short_sha(self) -> str:
        return self.sha256[:12]

    def changes_text(self) -> str:
        """The changes in one line, for a status line, a sheet's cell or a chart's caption."""
        if not self.edited:
            return ""
        if self.changes is None:
            return f"the changes from {self.edited_from.words} cannot be listed: that rule set is not at hand"
        return "; ".join(change.words for change in self.changes) or "no setting changed"

    def rationale_text(self) -> str:
        """The rationale as outputs show it: for edited rules, who recorded it and when, or that no one has."""
        if self.rationale_from:
            return f"{self.rationale} (recorded by {self.rationale_from})"
        return self.rationale or (NO_RATIONALE if self.edited else "")

    def caption(self) -> str:
        """Title and fingerprint in one line: ``Edited from Inclusive recovery 1.0 (sha256 1a2b3c4d5e6f)``."""
        return f"{self.title} (sha256 {self.short_sha})"


def rule_set_identity(rule_set: RuleSet, log: Sequence[LogEntry] = ()) -> RuleSetIdentity:
    """The rule set's identity; ``log`` (the decision log) gives an edited rule set its rationale.

    >>> from workbench.rank.rule_edits import with_weight
    >>> identity = rule_set_identity(with_weight(treat_in_turn(), "Weeks waited", 2))
    >>> identity.title, identity.changes_text(), identity.rationale
    ('Edited from Treat in turn 1', 'Weeks waited, weight: 1 → 2', '')
    >>> rule_set_identity(treat_in_turn()).title
    'Treat in turn 1'
    """
    if rule_set.edited_from is None:
        return RuleSetIdentity(f"{rule_set.name} {rule_set.version}".strip(), rule_set.sha256, None, None,
                               rule_set.rationale.strip())
    origin = rule_set.origin or _bundled(rule_set.edited_from.sha256)
    changes = rule_changes(origin, rule_set) if origin is not None else None
    entry = recorded_rationale(log, rule_set.sha256)
    return RuleSetIdentity(f"Edited from {rule_set.edited_from.words}", rule_set.sha256, rule_set.edited_from, changes,
                           entry.rationale if entry else rule_set.rationale.strip(),
                           f"{entry.person}, {entry.shown_time}" if entry else "")


def rule_changes(before: RuleSet, after: RuleSet) -> tuple[RuleChange, ...]:
    """Every setting that differs, in reading order, split into factor and setting.

    >>> from workbench.rank.rule_edits import with_social_cap
    >>> rule_changes(treat_in_turn(), with_social_cap(treat_in_turn(), 8))
    (RuleChange(factor='', setting='Social cap (weeks)', before='none', after='8'),)
    """
    names = {f.name for f in before.factors} | {f.name for f in after.factors}
    changes = []
    for difference in rule_differences(before, after):
        if difference.differs and difference.item not in ("Name", "Version"):
            factor, _, setting = difference.item.rpartition(": ")
            if factor and factor not in names:  # a colon inside a setting's own words
                factor, setting = "", difference.item
            changes.append(RuleChange(factor, setting, difference.first, difference.second))
    return tuple(changes)


def recorded_rationale(log: Sequence[LogEntry], sha256: str) -> LogEntry | None:
    """The newest decision that gave a rationale for exactly these rules, if any."""
    return next((entry for entry in reversed(log) if entry.rules_sha256 == sha256 and entry.rationale.strip()), None)


def _bundled(sha256: str) -> RuleSet | None:
    """A shipped rule set with this fingerprint (an edited rule file names its original by it)."""
    candidates = [treat_in_turn(), *(load_rules(path) for path in bundled_rule_sets().values())]
    return next((rules for rules in candidates if rules.sha256 == sha256), None)
