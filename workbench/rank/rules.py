"""Weighting rules a clinician can read: TOML rule sets loaded into frozen dataclasses.

A rule set says how a waiting list is ordered: clinical priority band first,
then, within a band, a score in **weeks-equivalent** (one week of waiting is
worth 1.0) summed over weighted factors. Nothing in a rule file is ever run as
Python: the file is parsed by ``tomllib`` and every value is checked.

The file format (``format_version = 1``; the shipped examples in
``resources/rules/`` carry comments)::

    format_version = 1
    name = "Inclusive recovery"
    author = "Surgical prioritisation group"
    version = "1.0"
    description = "One line saying what this rule set does."
    rationale = \"\"\"Why the group chose it (free text, several lines).\"\"\"
    social_cap_weeks = 8.0      # optional: social + deprivation worth at most 8 weeks

    [bands]
    # Most urgent first; "unknown" is a missing or unrecognised priority.
    # An inner list puts several priorities in one band: ["P5", "P6"].
    order = ["P1a", "P1b", "P2", "P3", "P4", "P5", "P6", "unknown"]

    [bands.overlap_weeks]       # optional; strict (no overlap) by default
    P3 = 4.0                    # the top 4 weeks-equivalent of P3 may interleave
                                # with the last 4 weeks-equivalent of P2

    [[factors]]
    name = "Most deprived fifth"
    label = "most deprived quintile"   # words used in explanations
    group = "social"                    # "clinical/time" or "social"
    source = "imd_quintile"
    weight = 1.0                        # weeks-equivalent per unit of the transformed value
    transform = "banded"                # linear | threshold | capped | banded
    lookup = [{ from = 1, to = 1, value = 4.0 }]
    missing = "neutral"                 # neutral (counts 0) | lowest (the least anyone gets)

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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.fields import PRIORITY_CODES, WaitingList
from workbench.errors import WorkbenchError
from workbench.resources import resource_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the declared fallback for Python 3.10
    import tomli as tomllib

FORMAT_VERSION = 1
UNKNOWN = "unknown"  # the band code for a missing or unrecognised clinical priority
PRIORITY_BAND_CODES = PRIORITY_CODES + (UNKNOWN,)
CLINICAL, SOCIAL = "clinical/time", "social"
GROUPS = (CLINICAL, SOCIAL)
TRANSFORMS = ("linear", "threshold", "capped", "banded")
MISSING_POLICIES = ("neutral", "lowest")
WEEKS_WAITED, TIME_LIMIT_USED = "weeks_waited", "time_limit_used"
SPECIAL_SOURCES = (WEEKS_WAITED, TIME_LIMIT_USED)
TREAT_IN_TURN = "treat-in-turn"
MAX_WEIGHT = 1e6  # a sanity bound: larger weights are typing mistakes, not policies

TOP_KEYS = ("format_version", "name", "author", "version", "description", "rationale", "social_cap_weeks", "bands", "factors")
BAND_KEYS = ("order", "overlap_weeks")
FACTOR_KEYS = ("name", "label", "group", "source", "weight", "transform", "at_least", "maximum", "lookup", "missing", "description")
LOOKUP_KEYS = ("from", "to", "value")


class RuleError(WorkbenchError, ValueError):
    """A value no rule set can use (not finite, or implausibly large): refused when the rule set is
    read or edited, so no contribution can overflow to infinity and decide who goes first.
    ``key`` is the rule file's field holding it, for the reader to point at its line."""

    def __init__(self, message: str, key: str = ""):
        super().__init__(message)
        self.key = key


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
        _plausible(self.weight, f"factor '{self.name}': weight", "weight")
        for key in ("at_least", "maximum"):
            if getattr(self, key) is not None:
                _finite(getattr(self, key), f"factor '{self.name}': {key}", key)

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
        for weeks in self.overlap_weeks:
            _plausible(weeks, "a band overlap (weeks)", "overlap_weeks")

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
class RuleSet:
    """A complete rule set. Frozen: the app edits copies (see :func:`with_weight`).

    ``source`` (where it was read from) is not part of its identity: two rule
    sets with the same content are equal and have the same ``sha256``.
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
    source: str = field(default="<text>", compare=False)

    def __post_init__(self):
        if self.social_cap_weeks is not None:
            _plausible(self.social_cap_weeks, "the social cap (weeks)", "social_cap_weeks")

    @property
    def sha256(self) -> str:
        """Fingerprint of the canonical text (:func:`dump_rules`): same content, same hash."""
        return hashlib.sha256(dump_rules(self).encode("utf-8")).hexdigest()

    def factor(self, name: str) -> Factor:
        for factor in self.factors:
            if factor.name == name:
                return factor
        raise KeyError(f"The rule set '{self.name}' has no factor called '{name}'")


# ---------------------------------------------------------------------------
# Reading


def load_rules(path) -> RuleSet:
    """Read a rule set file; :class:`WorkbenchError` naming the file, line and field if invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WorkbenchError(f"{path.name}: no such rules file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise WorkbenchError(f"{path.name}: cannot read this rules file ({error})") from None
    return parse_rules(text, source=path.name)


def parse_rules(text: str, source: str = "<text>") -> RuleSet:
    """A rule set from TOML text. ``source`` names the file in error messages.

    >>> rules = parse_rules('name = "Waits"\\n[[factors]]\\nname = "Wait"\\nsource = "weeks_waited"')
    >>> rules.factors[0].weight, rules.bands.names[:3]
    (1.0, ('P1a', 'P1b', 'P2'))
    >>> parse_rules('name = "Waits"\\n[[factors]]\\nname = "Wait"\\nsource = "weeks_waited"\\nweight = "heavy"')
    Traceback (most recent call last):
    ...
    workbench.errors.WorkbenchError: <text>, line 5: factor 'Wait': weight must be a number, not "heavy"
    """
    try:
        data = tomllib.loads(text)
        return _Reader(source, _LineFinder(text)).rule_set(data)
    except tomllib.TOMLDecodeError as error:
        raise WorkbenchError(f"{source}: this is not valid TOML ({_toml_problem(error)})") from None
    except RecursionError:  # lists or tables nested thousands deep: no rule set needs more than three
        raise WorkbenchError(f"{source}: lists or tables are nested far too deeply to be a rule set") from None


def _toml_problem(error: Exception) -> str:
    """tomllib's message, with its '(at line N, column M)' moved to the front."""
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not found:
        return message
    return f"line {found.group(1)}: {message[: found.start()].strip()}"


class _LineFinder:
    """Finds the line of a key in the TOML text, so errors can point at it.

    ``tomllib`` returns plain dicts without positions; this scans the text for
    table headers (``[bands]``, the n-th ``[[factors]]``) and ``key =`` lines,
    skipping multi-line strings.
    """

    HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

    def __init__(self, text: str):
        self.keys: dict[tuple, int] = {}
        self.tables: dict[tuple, int] = {}
        self._scan(text.splitlines())

    def _scan(self, lines: list[str]) -> None:
        table: tuple = ()
        counts: dict[str, int] = {}
        in_string = None
        for number, line in enumerate(lines, start=1):
            if in_string:
                in_string = None if line.count(in_string) % 2 else in_string
                continue
            header = self.HEADER.match(line)
            if header:
                table = self._table(header, counts)
                self.tables.setdefault(table, number)
            else:
                key = self.KEY.match(line)
                if key:
                    self.keys.setdefault(table + (key.group(1).strip("\"'"),), number)
            for quotes in ('"""', "'''"):
                if line.count(quotes) % 2:
                    in_string = quotes

    @staticmethod
    def _table(header: re.Match, counts: dict[str, int]) -> tuple:
        name = header.group(2).strip()
        if header.group(1) == "[[":
            counts[name] = counts.get(name, 0) + 1
            return (name, counts[name] - 1)
        parts = tuple(part.strip().strip("\"'") for part in name.split("."))
        if parts[0] in counts:  # a sub-table of the latest [[array]] entry
            return (parts[0], counts[parts[0]] - 1) + parts[1:]
        return parts

    def line(self, *path) -> int | None:
        """Line of the key at ``path`` (e.g. ``("factors", 2, "weight")``), else of its table."""
        while path:
            found = self.keys.get(tuple(path)) or self.tables.get(tuple(path))
            if found:
                return found
            path = path[:-1]
        return None


class _Reader:
    """Checks parsed TOML field by field and builds the frozen rule set."""

    def __init__(self, source: str, lines: _LineFinder):
        self.source = source
        self.lines = lines

    def fail(self, path: tuple, problem: str):
        line = self.lines.line(*path)
        where = f"{self.source}, line {line}" if line else self.source
        raise WorkbenchError(f"{where}: {problem}")

    def rule_set(self, data: dict) -> RuleSet:
        self.known_keys(data, TOP_KEYS, (), "at the top of the file")
        version = data.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.fail(("format_version",), f"format_version must be a whole number, not {_shown(version)}")
        if version > FORMAT_VERSION:
            self.fail(("format_version",), f"this rule set is format {version}, written by a newer workbench; "
                      f"this one reads format {FORMAT_VERSION} (update the workbench)")
        # Format 1 is the only format so far: a future format 2 adds a small
        # function here that turns a format 1 dict into a format 2 dict.
        name = self.text(data, "name", (), required=True)
        factors = self.factors(data.get("factors"))
        return self.built((), RuleSet,
            name=name,
            author=self.text(data, "author", ()),
            version=self.text(data, "version", (), default="1", allow_number=True),
            description=self.text(data, "description", ()),
            rationale=self.text(data, "rationale", ()),
            bands=self.bands(data.get("bands", {})),
            social_cap_weeks=self.social_cap(data),
            factors=factors,
            format_version=FORMAT_VERSION,
            source=self.source,
        )

    def known_keys(self, table: dict, allowed: tuple, path: tuple, where: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(path + (key,), f"unknown field '{key}' {where} (expected one of: {', '.join(allowed)})")

    def text(self, table: dict, key: str, path: tuple, *, required=False, default="", allow_number=False) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(path, f"the field '{key}' is missing{_in(path)}")
            return default
        if allow_number and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.fail(path + (key,), f"{key}{_in(path)} must be text in quotes, not {_shown(value)}")
        if required and not value.strip():
            self.fail(path + (key,), f"{key}{_in(path)} must not be empty")
        return value

    def number(self, table: dict, key: str, path: tuple, *, default=None, minimum=None, context=""):
        value = table.get(key, default)
        if value is None:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            self.fail(path + (key,), f"{context}{key} must be a number, not {_shown(value)}")
        if minimum is not None and value < minimum:
            self.fail(path + (key,), f"{context}{key} must be at least {minimum}, not {_shown(value)}")
        return float(value)

    def social_cap(self, data: dict) -> float | None:
        return self.number(data, "social_cap_weeks", (), minimum=0)

    # bands ---------------------------------------------------------------
    def bands(self, table: Any) -> BandPolicy:
        if not isinstance(table, dict):
            self.fail(("bands",), "bands must be a table ([bands])")
        self.known_keys(table, BAND_KEYS, ("bands",), "in [bands]")
        order = self.band_order(table.get("order"))
        overlaps = self.overlaps(table.get("overlap_weeks", {}), order)
        return self.built(("bands",), BandPolicy, order=order, overlap_weeks=overlaps)

    def band_order(self, order: Any) -> tuple[tuple[str, ...], ...]:
        if order is None:
            return BandPolicy().order
        path = ("bands", "order")
        if not isinstance(order, list) or not order:
            self.fail(path, "bands.order must be a list such as [\"P1a\", \"P1b\", \"P2\", \"P3\", \"P4\", ...]")
        bands = tuple(tuple(entry) if isinstance(entry, list) else (entry,) for entry in order)
        seen: list[str] = []
        for codes in bands:
            if not codes:
                self.fail(path, "bands.order has an empty band []")
            for code in codes:
                if code not in PRIORITY_BAND_CODES:
                    self.fail(path, f"bands.order: {_shown(code)} is not a clinical priority "
                              f"(use {', '.join(PRIORITY_BAND_CODES)})")
                if code in seen:
                    self.fail(path, f"bands.order lists {code} twice")
                seen.append(code)
        left_out = [code for code in PRIORITY_BAND_CODES if code not in seen]
        if left_out:
            self.fail(path, f"bands.order must place every priority; it leaves out {', '.join(left_out)}")
        return bands

    def overlaps(self, table: Any, order: tuple[tuple[str, ...], ...]) -> tuple[float, ...]:
        path = ("bands", "overlap_weeks")
        if not isinstance(table, dict):
            self.fail(path, "bands.overlap_weeks must be a table such as { P3 = 4.0 }")
        policy = BandPolicy(order=order, overlap_weeks=(0.0,) * len(order))
        weeks = [0.0] * len(order)
        for code, value in table.items():
            if code not in PRIORITY_BAND_CODES:
                self.fail(path + (code,), f"bands.overlap_weeks: {_shown(code)} is not a clinical priority")
            index = policy.band_of(code)
            if index == 0:
                self.fail(path + (code,), f"bands.overlap_weeks: {code} is in the most urgent band, "
                          "which has no band before it to overlap")
            weeks[index] = self.number(table, code, path, minimum=0, context="bands.overlap_weeks.")
        return tuple(weeks)

    # factors -------------------------------------------------------------
    def factors(self, entries: Any) -> tuple[Factor, ...]:
        if entries is None:
            self.fail((), "the rule set has no factors: add at least one [[factors]] table")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            self.fail(("factors",), "factors must be written as [[factors]] tables")
        factors = tuple(self.factor(entry, ("factors", i)) for i, entry in enumerate(entries))
        names = [f.name for f in factors]
        for i, name in enumerate(names):
            if name in names[:i]:
                self.fail(("factors", i, "name"), f"two factors are called '{name}': names must differ")
        return factors

    def factor(self, table: dict, path: tuple) -> Factor:
        self.known_keys(table, FACTOR_KEYS, path, "in [[factors]]")
        name = self.text(table, "name", path, required=True)
        context = f"factor '{name}': "
        transform = self.choice(table, "transform", TRANSFORMS, "linear", path, context)
        return self.built(path, Factor,
            name=name,
            source=self.text(table, "source", path, required=True).strip(),
            weight=self.number(table, "weight", path, default=1.0, context=context),
            group=self.choice(table, "group", GROUPS, CLINICAL, path, context),
            transform=transform,
            at_least=self.transform_number(table, "at_least", transform == "threshold", path, context),
            maximum=self.transform_number(table, "maximum", transform == "capped", path, context),
            lookup=self.lookup(table, transform == "banded", path, context),
            missing=self.choice(table, "missing", MISSING_POLICIES, "neutral", path, context),
            label=self.text(table, "label", path),
            description=self.text(table, "description", path),
        )

    def built(self, path: tuple, kind, context: str = "", **fields):
        """``kind(**fields)``, its own checks failing with the line of the field at fault."""
        try:
            return kind(**fields)
        except RuleError as problem:
            self.fail(path + ((problem.key,) if problem.key else ()), f"{context}{problem}")

    def choice(self, table: dict, key: str, allowed: tuple, default: str, path: tuple, context: str) -> str:
        value = table.get(key, default)
        if value not in allowed:
            options = " or ".join(f'"{a}"' for a in allowed)
            self.fail(path + (key,), f"{context}{key} must be {options}, not {_shown(value)}")
        return value

    def transform_number(self, table: dict, key: str, needed: bool, path: tuple, context: str):
        if needed and key not in table:
            self.fail(path, f"{context}the {table.get('transform')} transform needs '{key} = <number>'")
        if not needed and key in table:
            self.fail(path + (key,), f"{context}'{key}' only applies to the "
                      f"{'threshold' if key == 'at_least' else 'capped'} transform")
        return self.number(table, key, path, context=context) if needed else None

    def lookup(self, table: dict, needed: bool, path: tuple, context: str) -> tuple[LookupBand, ...]:
        rows = table.get("lookup")
        if not needed:
            if rows is not None:
                self.fail(path + ("lookup",), f"{context}'lookup' only applies to the banded transform")
            return ()
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            self.fail(path + ("lookup",), f"{context}the banded transform needs "
                      "lookup = [{ from = 1, to = 2, value = 4.0 }, ...]")
        bands = tuple(self.lookup_band(row, path, context) for row in rows)
        ordered = sorted(bands, key=lambda b: b.low)
        for before, after in zip(ordered, ordered[1:]):
            if after.low <= before.high:
                self.fail(path + ("lookup",), f"{context}lookup bands {_range(before)} and {_range(after)} overlap")
        return bands

    def lookup_band(self, row: dict, path: tuple, context: str) -> LookupBand:
        where = path + ("lookup",)
        self.known_keys(row, LOOKUP_KEYS, where, f"in {context}lookup")
        for key in LOOKUP_KEYS:
            if key not in row:
                self.fail(where, f"{context}every lookup band needs from, to and value")
        low, high, value = (self.number(row, key, where, context=f"{context}lookup ") for key in LOOKUP_KEYS)
        if high < low:
            self.fail(where, f"{context}lookup band from {low:g} to {high:g}: 'to' is below 'from'")
        return self.built(path, LookupBand, context, low=low, high=high, value=value)


def _in(path: tuple) -> str:
    return f" in [[factors]] number {path[1] + 1}" if path[:1] == ("factors",) else ""


def _shown(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _range(band: LookupBand) -> str:
    return f"{band.low:g}-{band.high:g}"


# ---------------------------------------------------------------------------
# Writing


def dump_rules(rule_set: RuleSet) -> str:
    """Canonical TOML text for a rule set; :func:`parse_rules` reads it back equal.

    >>> rules = treat_in_turn()
    >>> parse_rules(dump_rules(rules)) == rules
    True
    """
    lines = [
        f"format_version = {rule_set.format_version}",
        f"name = {_toml_string(rule_set.name)}",
        f"author = {_toml_string(rule_set.author)}",
        f"version = {_toml_string(rule_set.version)}",
        f"description = {_toml_string(rule_set.description)}",
        f"rationale = {_toml_string(rule_set.rationale)}",
    ]
    if rule_set.social_cap_weeks is not None:
        lines.append(f"social_cap_weeks = {_toml_number(rule_set.social_cap_weeks)}")
    lines += _dump_bands(rule_set.bands)
    for factor in rule_set.factors:
        lines += _dump_factor(factor)
    return "\n".join(lines) + "\n"


def _dump_bands(bands: BandPolicy) -> list[str]:
    entries = [_toml_string(c[0]) if len(c) == 1 else "[" + ", ".join(map(_toml_string, c)) + "]" for c in bands.order]
    lines = ["", "[bands]", f"order = [{', '.join(entries)}]"]
    overlaps = [(codes[0], weeks) for codes, weeks in zip(bands.order, bands.overlap_weeks) if weeks]
    if overlaps:
        lines += ["", "[bands.overlap_weeks]"] + [f"{_toml_key(code)} = {_toml_number(w)}" for code, w in overlaps]
    return lines


def _dump_factor(factor: Factor) -> list[str]:
    lines = ["", "[[factors]]", f"name = {_toml_string(factor.name)}"]
    if factor.label:
        lines.append(f"label = {_toml_string(factor.label)}")
    lines += [
        f"group = {_toml_string(factor.group)}",
        f"source = {_toml_string(factor.source)}",
        f"weight = {_toml_number(factor.weight)}",
        f"transform = {_toml_string(factor.transform)}",
    ]
    if factor.at_least is not None:
        lines.append(f"at_least = {_toml_number(factor.at_least)}")
    if factor.maximum is not None:
        lines.append(f"maximum = {_toml_number(factor.maximum)}")
    if factor.lookup:
        rows = [
            f"  {{ from = {_toml_number(b.low)}, to = {_toml_number(b.high)}, value = {_toml_number(b.value)} }},"
            for b in factor.lookup
        ]
        lines += ["lookup = ["] + rows + ["]"]
    lines.append(f"missing = {_toml_string(factor.missing)}")
    if factor.description:
        lines.append(f"description = {_toml_string(factor.description)}")
    return lines


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML); several lines use triple quotes."""
    if "\n" not in text:
        return _escaped(text)
    body = "\n".join(_escaped(line)[1:-1] for line in text.split("\n"))
    # A newline straight after the opening quotes is dropped by TOML readers.
    return '"""\n' + body + '"""'


def _escaped(text: str) -> str:
    # JSON leaves DEL unescaped; TOML does not allow it raw.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _toml_number(value: float) -> str:
    """A float as TOML reads it back exactly (``repr`` round-trips)."""
    return repr(float(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


# ---------------------------------------------------------------------------
# Built-in rule sets, edits, and checks against a list


def describe_factor(factor: Factor) -> str:
    """A factor in plain words, for the Rules sheet and the app.

    >>> describe_factor(Factor(name="Long wait", source="weeks_waited", weight=3, transform="threshold", at_least=52))
    '3 weeks-equivalent if weeks_waited is at least 52 (clinical/time; a missing value counts 0)'
    """
    weight = f"{factor.weight:g}"
    if factor.transform == "threshold":
        rule = f"{weight} weeks-equivalent if {factor.source} is at least {factor.at_least:g}"
    elif factor.transform == "capped":
        rule = f"{weight} x {factor.source}, counted up to {factor.maximum:g}"
    elif factor.transform == "banded":
        table = "; ".join(f"{_range(b)}: {b.value:g}" for b in factor.lookup)
        rule = f"{weight} x the value for {factor.source} in ({table}; otherwise 0)"
    else:
        rule = f"{weight} x {factor.source}"
    missing = "counts 0" if factor.missing == "neutral" else "counts the lowest this factor gives"
    return f"{rule} ({factor.group}; a missing value {missing})"



def treat_in_turn() -> RuleSet:
    """The baseline: clinical priority band, then longest wait, then pathway ID.

    >>> [f.source for f in treat_in_turn().factors]
    ['weeks_waited']
    """
    return RuleSet(
        name="Treat in turn",
        author="Prioritisation workbench",
        version="1",
        description="Clinical priority band first, then the longest wait, then pathway ID.",
        rationale="The usual order: the baseline every other rule set is compared against.",
        factors=(Factor(name="Weeks waited", label="time waited", source=WEEKS_WAITED),),
        source=TREAT_IN_TURN,
    )


def with_weight(rule_set: RuleSet, factor_name: str, weight: float) -> RuleSet:
    """A copy of ``rule_set`` with one factor's weight changed (the app's sliders).

    >>> treat_in_turn().factors[0].weight, with_weight(treat_in_turn(), "Weeks waited", 2).factors[0].weight
    (1.0, 2.0)
    """
    rule_set.factor(factor_name)  # KeyError naming the factor if there is none
    factors = tuple(replace(f, weight=float(weight)) if f.name == factor_name else f for f in rule_set.factors)
    return replace(rule_set, factors=factors)


def with_social_cap(rule_set: RuleSet, weeks: float | None) -> RuleSet:
    """A copy of ``rule_set`` with a different social cap (``None``: no cap)."""
    return replace(rule_set, social_cap_weeks=None if weeks is None else float(weeks))


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


def bundled_rule_sets() -> dict[str, Path]:
    """The example rule sets shipped with the workbench, by short name."""
    folder = resource_path("rules")
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


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
