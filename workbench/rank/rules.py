"""Weighting rules a clinician can read: the rule set model, checked as it is built.

A rule set says how a waiting list is ordered: clinical priority band first,
then, within a band, a score in **weeks-equivalent** (one week of waiting is
worth 1.0) summed over weighted factors. Rule sets are frozen dataclasses:
every value is checked when one is built (a weight that is not finite or is
implausibly large is refused), and the app edits copies (``rule_edits``).

Factor sources: ``weeks_waited``; ``time_limit_used`` (the share of the
clinical priority's time limit used since the priority was set: at the last
review, else listing, else clock start; 1.0 = at the limit; missing for
priorities without a limit); or any column of the list by name (canonical,
derived such as ``imd_decile``, ``imd_quintile``, ``core20``, or a source
header such as ``Carer``), holding numbers or yes/no values.

Transforms: ``linear`` (the value itself); ``threshold`` with ``at_least``
(1 if the value is at least that, else 0); ``capped`` with ``maximum`` (the
value, but never more than the maximum); ``banded`` with ``lookup`` (the
``value`` of the band the value falls in, ``from`` and ``to`` inclusive, 0
outside every band).

An edited rule set is a rule set of its own: it names the one it was edited
from (``edited_from``: name, version, sha256) and drops that one's author,
description and rationale, which no longer describe it (``rule_edits``).

Rule sets are kept as TOML files: ``rule_file`` reads and checks one,
``rule_writer`` writes one, ``rule_words`` describes a factor in words,
``bundled_rules`` holds treat in turn and the shipped examples.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

from workbench.errors import WorkbenchError
from workbench.fields import FIELD_KINDS, FLAG, NUMBER, PRIORITY_CODES, WaitingList
from workbench.rank.rule_writer import dump_rules


FORMAT_VERSION = 1
UNKNOWN = "unknown"  # the band code for a missing or unrecognised clinical priority
PRIORITY_BAND_CODES = PRIORITY_CODES + (UNKNOWN,)
CLINICAL, SOCIAL = "clinical/time", "social"
GROUPS = (CLINICAL, SOCIAL)
TRANSFORMS = ("linear", "threshold", "capped", "banded")
MISSING_POLICIES = ("neutral", "lowest")
# What each policy does, in the one wording every screen and file uses (the rule file keeps the keys).
MISSING_WORDS = {"neutral": "counts 0", "lowest": "counts the least anyone gets"}
WEEKS_WAITED, TIME_LIMIT_USED = "weeks_waited", "time_limit_used"
SPECIAL_SOURCES = (WEEKS_WAITED, TIME_LIMIT_USED)


MAX_WEIGHT = 1e6  # a sanity bound: larger weights are typing mistakes, not policies


class RuleError(WorkbenchError, ValueError):
    """A rule set that cannot be used (a value not finite or implausibly large, a transform without its
    number, bands that leave out a priority, two factors of one name...): refused when the rule set is
    built, whether from a file or by an edit in the app, so both get the same checks and no
    contribution can overflow to infinity and decide who goes first. ``key`` is the rule file's field
    holding it (a name, or a path of names and list positions), for the reader to point at its line."""

    def __init__(self, message: str, key: str | tuple = ""):
        super().__init__(message)
        self.key = key


def _one_of(value: str, allowed: tuple[str, ...], what: str, key: str) -> None:
    if value not in allowed:
        options = " or ".join(f'"{a}"' for a in allowed)
        raise RuleError(f"{what} must be {options}, not {json.dumps(value, default=str)}", key)


def _finite(value: float, what: str, key: str) -> None:
    if not math.isfinite(value):
        raise RuleError(f"{what} must be a finite number, not {value}", key)


def _plausible(value: float, what: str, key: str) -> None:
    """Weights and the values a transform gives are at most a million: their products stay finite."""
    _finite(value, what, key)
    if abs(value) > MAX_WEIGHT:
        raise RuleError(f"{what} {value:g} is implausibly large (at most {MAX_WEIGHT:g})", key)


@dataclass(frozen=True)
class LookupBand:
    """One row of a banded lookup: values from ``low`` to ``high`` (inclusive) score ``value``.

    >>> LookupBand(1, 1, 1e308)
    Traceback (most recent call last):
    ...
    workbench.rank.rules.RuleError: lookup value 1e+308 is implausibly large (at most 1e+06)
    """

    low: float
    high: float
    value: float

    def __post_init__(self):
        _finite(self.low, "lookup 'from'", "lookup")
        _finite(self.high, "lookup 'to'", "lookup")
        _plausible(self.value, "lookup value", "lookup")
        if self.high < self.low:
            raise RuleError(f"lookup band from {self.low:g} to {self.high:g}: 'to' is below 'from'", "lookup")


@dataclass(frozen=True)
class Factor:
    """One weighted factor of the within-band score.

    Its contribution for a patient is ``weight * transform(value)`` in
    weeks-equivalent; a missing value contributes 0 (``neutral``) or the least
    the factor gives anyone on the list (``lowest``).
    """

    name: str
    source: str
    weight: float = 1.0
    group: str = CLINICAL
    transform: str = "linear"
    at_least: float | None = None
    maximum: float | None = None
    lookup: tuple[LookupBand, ...] = ()
    missing: str = "neutral"
    label: str = ""
    description: str = ""

    def __post_init__(self):
        what = f"factor '{self.name}': "
        if not self.name.strip() or not self.source.strip():
            raise RuleError(f"a factor needs a name and a source ({what}source '{self.source}')",
                            "source" if self.name.strip() else "name")
        _plausible(self.weight, f"{what}weight", "weight")
        _one_of(self.group, GROUPS, f"{what}group", "group")
        _one_of(self.transform, TRANSFORMS, f"{what}transform", "transform")
        _one_of(self.missing, MISSING_POLICIES, f"{what}missing", "missing")
        for key, transform in (("at_least", "threshold"), ("maximum", "capped")):
            self._needs(getattr(self, key) is not None, key, transform, f"'{key} = <number>'")
            if getattr(self, key) is not None:
                _finite(getattr(self, key), f"{what}{key}", key)
        self._needs(bool(self.lookup), "lookup", "banded", "lookup = [{ from = 1, to = 2, value = 4.0 }, ...]")
        ordered = sorted(self.lookup, key=lambda band: band.low)
        for before, after in zip(ordered, ordered[1:]):
            if after.low <= before.high:
                raise RuleError(f"{what}lookup bands {before.low:g}-{before.high:g} and {after.low:g}-{after.high:g} "
                                "overlap", "lookup")

    def _needs(self, given: bool, key: str, transform: str, written: str) -> None:
        """The number (or lookup) ``key`` is given exactly when the transform is the one that uses it."""
        if given and self.transform != transform:
            raise RuleError(f"factor '{self.name}': '{key}' only applies to the {transform} transform", key)
        if not given and self.transform == transform:
            raise RuleError(f"factor '{self.name}': the {transform} transform needs {written}")

    @property
    def words(self) -> str:
        """How explanations name this factor (its label, else its name)."""
        return self.label or self.name

    @property
    def is_social(self) -> bool:
        return self.group == SOCIAL


@dataclass(frozen=True)
class BandPolicy:
    """Clinical priority bands, most urgent first, and any allowed overlap.

    Invariant: every code of ``PRIORITY_BAND_CODES`` is in exactly one band;
    ``overlap_weeks[i]`` (0 = strict) is how far band ``i``'s best-placed
    patients may interleave with the tail of band ``i - 1``, so
    ``overlap_weeks[0]`` is always 0.
    """

    order: tuple[tuple[str, ...], ...] = tuple((code,) for code in PRIORITY_BAND_CODES)
    overlap_weeks: tuple[float, ...] = (0.0,) * len(PRIORITY_BAND_CODES)

    def __post_init__(self):
        placed = [code for codes in self.order for code in codes]
        for code in placed:
            if code not in PRIORITY_BAND_CODES:
                raise RuleError(f"bands.order: {json.dumps(code, default=str)} is not a clinical priority "
                                f"(use {', '.join(PRIORITY_BAND_CODES)})", "order")
            if placed.count(code) > 1:
                raise RuleError(f"bands.order lists {code} twice", "order")
        if not all(self.order) or not self.order:
            raise RuleError("bands.order has an empty band []", "order")
        left_out = [code for code in PRIORITY_BAND_CODES if code not in placed]
        if left_out:
            raise RuleError(f"bands.order must place every priority; it leaves out {', '.join(left_out)}", "order")
        if len(self.overlap_weeks) != len(self.order) or self.overlap_weeks[0]:
            raise RuleError("bands.overlap_weeks: one figure per band, and none for the most urgent band, "
                            "which has no band before it to overlap", "overlap_weeks")
        for weeks in self.overlap_weeks:
            _plausible(weeks, "a band overlap (weeks)", "overlap_weeks")
            if weeks < 0:
                raise RuleError(f"bands.overlap_weeks must be at least 0, not {weeks:g}", "overlap_weeks")

    @property
    def names(self) -> tuple[str, ...]:
        """Band names for people: ``"P2"``, or ``"P5/P6"`` for a shared band."""
        return tuple("/".join(codes) for codes in self.order)

    @property
    def strict(self) -> bool:
        return not any(self.overlap_weeks)

    def band_of(self, code: str) -> int:
        """Index of the band holding a priority code (``"unknown"`` for missing)."""
        for index, codes in enumerate(self.order):
            if code in codes:
                return index
        raise KeyError(code)


@dataclass(frozen=True)
class EditedFrom:
    """The rule set an edited one was made from, as its file names it: name, version, sha256."""

    name: str
    version: str
    sha256: str

    @property
    def words(self) -> str:
        """``Inclusive recovery 1.0``: its name and version."""
        return f"{self.name} {self.version}".strip()


@dataclass(frozen=True)
class RuleSet:
    """A complete rule set. Frozen: the app edits copies (see :func:`with_weight`).

    ``source`` (where it was read from) is not part of its identity: two rule
    sets with the same content are equal and have the same ``sha256``. Nor is
    ``origin``: the rule set an edited one was made from, while it is in memory
    (``edited_from`` names it in the file), to list the changes made to it.
    """

    name: str
    factors: tuple[Factor, ...]
    author: str = ""
    version: str = "1"
    description: str = ""
    rationale: str = ""
    bands: BandPolicy = field(default_factory=BandPolicy)
    social_cap_weeks: float | None = None
    format_version: int = FORMAT_VERSION
    edited_from: EditedFrom | None = None
    source: str = field(default="<text>", compare=False)
    origin: RuleSet | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if not self.name.strip():
            raise RuleError("a rule set needs a name", "name")
        if not self.factors:
            raise RuleError("the rule set has no factors: add at least one [[factors]] table", "factors")
        names = [factor.name for factor in self.factors]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise RuleError(f"two factors are called '{name}': names must differ", ("factors", i, "name"))
        if self.social_cap_weeks is not None:
            _plausible(self.social_cap_weeks, "the social cap (weeks)", "social_cap_weeks")
            if self.social_cap_weeks < 0:
                raise RuleError(f"social_cap_weeks must be at least 0, not {self.social_cap_weeks:g}",
                                "social_cap_weeks")

    @property
    def sha256(self) -> str:
        """Fingerprint of the canonical text (:func:`dump_rules`): same content, same hash."""
        return hashlib.sha256(dump_rules(self).encode("utf-8")).hexdigest()

    @property
    def edited(self) -> bool:
        return self.edited_from is not None

    def factor(self, name: str) -> Factor:
        for factor in self.factors:
            if factor.name == name:
                return factor
        raise KeyError(f"The rule set '{self.name}' has no factor called '{name}'")


def check_columns(rule_set: RuleSet, wl: WaitingList) -> None:
    """Raise :class:`WorkbenchError` if a factor uses a column the list does not have.

    A missing column is an error, never a silent zero, so a typo in a rule
    file cannot quietly switch a factor off.
    """
    for factor in rule_set.factors:
        if factor.source not in SPECIAL_SOURCES and not wl.has_column(factor.source):
            raise WorkbenchError(
                f"{rule_set.source}: factor '{factor.name}' uses the column '{factor.source}', "
                f"which this list does not have (its columns: {', '.join(wl.column_names())})"
            )


def factor_sources(columns: list[str], kinds: dict[str, str] | None = None) -> list[str]:
    """Columns a new factor can use: weeks waited, time limit used, numbers and flags, source columns.

    Identifiers, dates and free text are left out: a factor needs numbers or yes/no values.

    >>> factor_sources(["pathway_id", "imd_quintile", "core20", "wait_start", "Carer"])
    ['weeks_waited', 'time_limit_used', 'imd_quintile', 'core20', 'Carer']
    """
    kinds = FIELD_KINDS if kinds is None else kinds
    usable = [c for c in columns if c not in kinds or kinds[c] in (NUMBER, FLAG)]
    return list(SPECIAL_SOURCES) + [c for c in usable if c not in SPECIAL_SOURCES]
