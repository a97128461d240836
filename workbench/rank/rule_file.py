"""Rule set files: TOML read and checked field by field, errors pointing at the line at fault.

Nothing in a rule file is ever run as Python: the file is parsed by
``tomllib`` and every value is checked. The file format (``format_version =
1``; the shipped examples in ``resources/rules/`` carry comments)::

    format_version = 1
    name = "Inclusive recovery"
    author = "Surgical prioritisation group"
    version = "1.0"
    description = "One line saying what this rule set does."
    rationale = \"\"\"Why the group chose it (free text, several lines).\"\"\"
    social_cap_weeks = 8.0      # optional: social + deprivation worth at most 8 weeks

    [edited_from]               # written by the workbench when a rule set was edited from another
    name = "Inclusive recovery"
    version = "1.0"
    sha256 = "..."              # the original's fingerprint (64 hexadecimal digits)

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

What the fields mean: :mod:`workbench.rank.rules`.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.rank.rules import (
    CLINICAL, FORMAT_VERSION, PRIORITY_BAND_CODES, BandPolicy, EditedFrom, Factor, LookupBand, RuleError, RuleSet,
)


if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the declared fallback for Python 3.10
    import tomli as tomllib


TOP_KEYS = ("format_version", "name", "author", "version", "description", "rationale", "social_cap_weeks", "edited_from",
            "bands", "factors")
EDITED_FROM_KEYS = ("name", "version", "sha256")
BAND_KEYS = ("order", "overlap_weeks")
FACTOR_KEYS = ("name", "label", "group", "source", "weight", "transform", "at_least", "maximum", "lookup", "missing", "description")
LOOKUP_KEYS = ("from", "to", "value")


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
            edited_from=self.edited_from(data.get("edited_from")),
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
        return self.number(data, "social_cap_weeks", ())

    def edited_from(self, table: Any) -> EditedFrom | None:
        if table is None:
            return None
        path = ("edited_from",)
        if not isinstance(table, dict):
            self.fail(path, "edited_from must be a table ([edited_from]) with name, version and sha256")
        self.known_keys(table, EDITED_FROM_KEYS, path, "in [edited_from]")
        sha = self.text(table, "sha256", path, required=True)
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            self.fail(path + ("sha256",), f"edited_from.sha256 must be 64 hexadecimal digits, not {_shown(sha)}")
        return EditedFrom(self.text(table, "name", path, required=True),
                          self.text(table, "version", path, allow_number=True), sha)

    # bands ---------------------------------------------------------------
    def bands(self, table: Any) -> BandPolicy:
        if not isinstance(table, dict):
            self.fail(("bands",), "bands must be a table ([bands])")
        self.known_keys(table, BAND_KEYS, ("bands",), "in [bands]")
        order = self.band_order(table.get("order"))
        self.built(("bands",), BandPolicy, order=order, overlap_weeks=(0.0,) * len(order))  # the order checked first
        overlaps = self.overlaps(table.get("overlap_weeks", {}), order)
        return self.built(("bands",), BandPolicy, order=order, overlap_weeks=overlaps)

    def band_order(self, order: Any) -> tuple[tuple[str, ...], ...]:
        if order is None:
            return BandPolicy().order
        path = ("bands", "order")
        if not isinstance(order, list) or not order:
            self.fail(path, "bands.order must be a list such as [\"P1a\", \"P1b\", \"P2\", \"P3\", \"P4\", ...]")
        return tuple(tuple(entry) if isinstance(entry, list) else (entry,) for entry in order)

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
        return tuple(self.factor(entry, ("factors", i)) for i, entry in enumerate(entries))

    def factor(self, table: dict, path: tuple) -> Factor:
        self.known_keys(table, FACTOR_KEYS, path, "in [[factors]]")
        name = self.text(table, "name", path, required=True)
        context = f"factor '{name}': "
        return self.built(path, Factor,
            name=name,
            source=self.text(table, "source", path, required=True).strip(),
            weight=self.number(table, "weight", path, default=1.0, context=context),
            group=table.get("group", CLINICAL),
            transform=table.get("transform", "linear"),
            at_least=self.number(table, "at_least", path, context=context),
            maximum=self.number(table, "maximum", path, context=context),
            lookup=self.lookup(table, path, context),
            missing=table.get("missing", "neutral"),
            label=self.text(table, "label", path),
            description=self.text(table, "description", path),
        )

    def built(self, path: tuple, kind, context: str = "", **fields):
        """``kind(**fields)``, its own checks failing with the line of the field at fault."""
        try:
            return kind(**fields)
        except RuleError as problem:
            key = problem.key if isinstance(problem.key, tuple) else (problem.key,) if problem.key else ()
            self.fail(path + key, f"{context}{problem}")

    def lookup(self, table: dict, path: tuple, context: str) -> tuple[LookupBand, ...]:
        rows = table.get("lookup")
        if rows is None:
            return ()
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            self.fail(path + ("lookup",), f"{context}a banded lookup is written "
                      "lookup = [{ from = 1, to = 2, value = 4.0 }, ...]")
        return tuple(self.lookup_band(row, path, context) for row in rows)

    def lookup_band(self, row: dict, path: tuple, context: str) -> LookupBand:
        where = path + ("lookup",)
        self.known_keys(row, LOOKUP_KEYS, where, f"in {context}lookup")
        for key in LOOKUP_KEYS:
            if key not in row:
                self.fail(where, f"{context}every lookup band needs from, to and value")
        low, high, value = (self.number(row, key, where, context=f"{context}lookup ") for key in LOOKUP_KEYS)
        return self.built(path, LookupBand, context, low=low, high=high, value=value)


def _in(path: tuple) -> str:
    return f" in [[factors]] number {path[1] + 1}" if path[:1] == ("factors",) else ""


def _shown(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)
