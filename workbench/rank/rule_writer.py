"""A rule set as canonical TOML text: the rule file format (``rule_file``) reads it back equal."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model imports this module for its fingerprint
    from workbench.rank.rules import BandPolicy, Factor, RuleSet


def dump_rules(rule_set: RuleSet) -> str:
    """Canonical TOML text for a rule set; :func:`parse_rules` reads it back equal.

    >>> from workbench.rank.bundled_rules import treat_in_turn
    >>> from workbench.rank.rule_file import parse_rules
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
    if rule_set.edited_from is not None:
        origin = rule_set.edited_from
        lines += ["", "[edited_from]", f"name = {_toml_string(origin.name)}", f"version = {_toml_string(origin.version)}",
                  f"sha256 = {_toml_string(origin.sha256)}"]
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
