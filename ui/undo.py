"""Undo and redo for every change to the rule set: one QUndoCommand per kind of change.

A command holds the rule set before and after the change (rule sets are
frozen, so keeping both is cheap and exact) and gives the one it should show
to a *target*: any object with ``apply_rule_set(rule_set)``, in practice the
rules panel. Undo puts ``before`` back, redo puts ``after`` back.

Dragging a slider sends many weights in a second; those merge into one
command (same factor, within :data:`MERGE_SECONDS`), so one Ctrl+Z undoes the
whole drag. The edited copies are made by :mod:`workbench.rank.rule_edits`.
"""

from __future__ import annotations

import time
from typing import Mapping, Protocol

from PySide6.QtGui import QUndoCommand

from workbench.rank.rule_edits import (
    with_factor, with_missing, with_overlaps, with_social_cap, with_transform, with_weight, with_weights, without_factor,
)
from workbench.rank.rules import Factor, RuleSet

MERGE_SECONDS = 1.0
WEIGHT_ID, CAP_ID, OVERLAP_ID = 1, 2, 3


class RuleTarget(Protocol):
    def apply_rule_set(self, rule_set: RuleSet) -> None: ...


# --------------------------------------------------------------------------- commands
class RuleEdit(QUndoCommand):
    """Replace the rule set ``before`` by ``after`` on ``target``; the base of every rule command."""

    merge_id = -1

    def __init__(self, target: RuleTarget, before: RuleSet, after: RuleSet, text: str):
        super().__init__(text)
        self.target = target
        self.before = before
        self.after = after
        self.key: object = None  # what a merge must share (a factor name, say)
        self.made_at = time.monotonic()

    def redo(self) -> None:
        self.target.apply_rule_set(self.after)

    def undo(self) -> None:
        self.target.apply_rule_set(self.before)

    def id(self) -> int:
        return self.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Fold a quick follow-up change of the same thing into this command (a slider drag)."""
        if not isinstance(other, type(self)) or other.key != self.key or other.before != self.after:
            return False
        if other.made_at - self.made_at > MERGE_SECONDS:
            return False
        self.after, self.made_at = other.after, other.made_at
        self.setText(other.text())
        return True


class WeightEdit(RuleEdit):
    """One factor's weight (slider or spin box)."""

    merge_id = WEIGHT_ID

    def __init__(self, target: RuleTarget, before: RuleSet, name: str, weight: float):
        old = before.factor(name).weight
        super().__init__(target, before, with_weight(before, name, weight), f"Weight of {name}: {old:g} → {weight:g}")
        self.key = name


class TransformEdit(RuleEdit):
    """One factor's transform and its setting."""

    def __init__(self, target: RuleTarget, before: RuleSet, name: str, transform: str, **settings):
        after = with_transform(before, name, transform, **settings)
        super().__init__(target, before, after, f"Transform of {name}: {transform}")


class MissingPolicyEdit(RuleEdit):
    """What a missing value counts as for one factor."""

    def __init__(self, target: RuleTarget, before: RuleSet, name: str, policy: str):
        super().__init__(target, before, with_missing(before, name, policy), f"Missing values of {name}: {policy}")


class BandPolicyEdit(RuleEdit):
    """Strict bands, or a bounded overlap between neighbouring bands."""

    merge_id = OVERLAP_ID

    def __init__(self, target: RuleTarget, before: RuleSet, overlap_weeks: tuple[float, ...]):
        after = with_overlaps(before, overlap_weeks)
        text = "Band policy: strict" if after.bands.strict else "Band policy: bounded overlap"
        super().__init__(target, before, after, text)
        self.key = "bands"


class SocialCapEdit(RuleEdit):
    """The cap on social and deprivation factors (None: no cap)."""

    merge_id = CAP_ID

    def __init__(self, target: RuleTarget, before: RuleSet, weeks: float | None):
        text = "Social cap: none" if weeks is None else f"Social cap: {weeks:g} weeks"
        super().__init__(target, before, with_social_cap(before, weeks), text)
        self.key = "cap"


class AddFactorEdit(RuleEdit):
    def __init__(self, target: RuleTarget, before: RuleSet, factor: Factor):
        super().__init__(target, before, with_factor(before, factor), f"Add factor {factor.name}")


class RemoveFactorEdit(RuleEdit):
    def __init__(self, target: RuleTarget, before: RuleSet, name: str):
        super().__init__(target, before, without_factor(before, name), f"Remove factor {name}")


class WeightsEdit(RuleEdit):
    """Several weights at once (weights derived in a workshop)."""

    def __init__(self, target: RuleTarget, before: RuleSet, weights: Mapping[str, float], how: str):
        super().__init__(target, before, with_weights(before, weights), f"Apply {how} weights")


class ReplaceRules(RuleEdit):
    """A whole new rule set: opened from a file or taken from a scenario."""

    def __init__(self, target: RuleTarget, before: RuleSet, after: RuleSet, text: str):
        super().__init__(target, before, after, text)
