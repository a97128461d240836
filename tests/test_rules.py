"""Rule sets: reading, checking, writing back, and the shipped examples."""

import json
import re

import numpy as np
import pytest

from workbench.fields import WaitingList
from workbench.errors import WorkbenchError
from workbench.rank.rules import SOCIAL, EditedFrom, Factor, LookupBand, RuleError, check_columns
from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.rule_words import describe_factor
from workbench.rank.rule_writer import dump_rules
from workbench.rank.rule_file import load_rules, parse_rules
from workbench.commands._ranked import rules_from_argument
from workbench.rank.rule_edits import with_factor, with_factor_changed, with_overlaps, with_social_cap, with_weight
from workbench.report.identity import rule_set_identity

MINIMAL = """\
name = "Waits"

[[factors]]
name = "Wait"
source = "weeks_waited"
"""

FULL = '''\
format_version = 1
name = "Full"
author = "Dr A"
version = "2.1"
description = "Every feature"
rationale = """
Line one with "quotes" and a \\\\ backslash.
Line two."""
social_cap_weeks = 8

[bands]
order = ["P1a", "P1b", "P2", "P3", "P4", ["P5", "P6"], "unknown"]

[bands.overlap_weeks]
P3 = 4

[[factors]]
name = "Wait"
source = "weeks_waited"

[[factors]]
name = "Long wait"
source = "weeks_waited"
transform = "threshold"
at_least = 52
weight = 3

[[factors]]
name = "Deprivation"
label = "deprived area"
group = "social"
source = "imd_decile"
transform = "banded"
lookup = [{ from = 1, to = 2, value = 4 }, { from = 3, to = 4, value = 2 }]
missing = "lowest"

[[factors]]
name = "Carer"
group = "social"
source = "Carer"
transform = "capped"
maximum = 1
description = "Looks after someone"
'''


def test_minimal_rule_set_gets_the_defaults():
    rules = parse_rules(MINIMAL)
    factor = rules.factors[0]
    assert (factor.weight, factor.transform, factor.missing, factor.group) == (1.0, "linear", "neutral", "clinical/time")
    assert rules.bands.names == ("P1a", "P1b", "P2", "P3", "P4", "P5", "P6", "unknown")
    assert rules.bands.strict and rules.social_cap_weeks is None


def test_full_rule_set_reads_every_feature():
    rules = parse_rules(FULL)
    assert rules.bands.names[5] == "P5/P6" and rules.bands.band_of("P6") == 5
    assert rules.bands.overlap_weeks[rules.bands.band_of("P3")] == 4.0 and not rules.bands.strict
    assert rules.social_cap_weeks == 8.0 and rules.version == "2.1"
    deprivation = rules.factor("Deprivation")
    assert deprivation.group == SOCIAL and deprivation.words == "deprived area"
    assert [(b.low, b.high, b.value) for b in deprivation.lookup] == [(1, 2, 4), (3, 4, 2)]
    assert rules.factor("Long wait").at_least == 52 and rules.factor("Carer").maximum == 1
    assert 'Line one with "quotes" and a \\ backslash.\nLine two.' == rules.rationale


@pytest.mark.parametrize("text", [MINIMAL, FULL])
def test_dump_reads_back_equal_with_the_same_hash(text):
    rules = parse_rules(text)
    again = parse_rules(dump_rules(rules))
    assert again == rules
    assert again.sha256 == rules.sha256 and len(rules.sha256) == 64


def test_dump_escapes_awkward_text():
    rules = parse_rules(MINIMAL)
    awkward = with_social_cap(rules, 3.5)
    from dataclasses import replace

    awkward = replace(awkward, description='tab\there "q" \\ end"', rationale='\n"""x"""\n\x7f\x01 ünï', author="")
    assert parse_rules(dump_rules(awkward)) == awkward


def test_sha256_changes_with_content_not_with_comments():
    rules = parse_rules(MINIMAL)
    assert parse_rules("# a comment\n" + MINIMAL).sha256 == rules.sha256
    assert with_weight(rules, "Wait", 2).sha256 != rules.sha256


@pytest.mark.parametrize(
    "change, line, words",
    [
        (('weight = 3', 'weight = "heavy"'), 26, "factor 'Long wait': weight must be a number"),
        (('transform = "threshold"', 'transform = "step"'), 24, "transform must be"),
        (('at_least = 52\n', ''), 21, "threshold transform needs 'at_least"),
        (('group = "social"\nsource = "Carer"', 'group = "social"\nsource = "Carer"\nwieght = 2'), 41, "unknown field 'wieght'"),
        (('order = ["P1a", "P1b",', 'order = ["P1a", "P1c",'), 12, '"P1c" is not a clinical priority'),
        ((', "unknown"]', ']'), 12, "leaves out unknown"),
        (('["P5", "P6"]', '["P5", "P6"], []'), 12, "empty band"),
        (('P3 = 4', 'P1a = 4'), 15, "most urgent band"),
        (('{ from = 3, to = 4', '{ from = 2, to = 4'), 34, "overlap"),
        (('social_cap_weeks = 8', 'social_cap_weeks = -1'), 9, "at least 0"),
        (('missing = "lowest"', 'missing = "zero"'), 35, "missing must be"),
        (('format_version = 1', 'format_version = 9'), 1, "newer workbench"),
        (('value = 4 }', 'value = 1e308 }'), 34, "factor 'Deprivation': lookup value 1e+308 is implausibly large"),
        (('weight = 3', 'weight = 2e6'), 26, "factor 'Long wait': weight 2e+06 is implausibly large"),
        (('weight = 3', 'weight = inf'), 26, "factor 'Long wait': weight must be a number, not Infinity"),
        (('social_cap_weeks = 8', 'social_cap_weeks = 1e300'), 9, "social cap (weeks) 1e+300 is implausibly large"),
        (('P3 = 4', 'P3 = 1e300'), 14, "overlap (weeks) 1e+300 is implausibly large"),
    ],
)
def test_errors_name_the_line_and_the_field(change, line, words):
    text = FULL.replace(*change)
    assert text != FULL
    with pytest.raises(WorkbenchError) as error:
        parse_rules(text, source="mine.toml")
    message = str(error.value)
    assert message.startswith(f"mine.toml, line {line}: "), message
    assert words in message


def test_syntax_errors_name_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n\n[[factors]\nname = "y"\n', encoding="utf-8")
    with pytest.raises(WorkbenchError, match=r"^broken.toml: this is not valid TOML \(line 3: "):
        load_rules(path)


def test_missing_things_are_named(tmp_path):
    with pytest.raises(WorkbenchError, match="the field 'name' is missing"):
        parse_rules('[[factors]]\nsource = "weeks_waited"\nname = "a"')
    with pytest.raises(WorkbenchError, match="no factors"):
        parse_rules('name = "x"')
    with pytest.raises(WorkbenchError, match=r"line 3: the field 'source' is missing in \[\[factors\]\] number 1"):
        parse_rules('name = "x"\n\n[[factors]]\nname = "a"\n')
    with pytest.raises(WorkbenchError, match="two factors are called 'Wait'"):
        parse_rules(MINIMAL + '\n[[factors]]\nname = "Wait"\nsource = "age"\n')
    with pytest.raises(WorkbenchError, match="nowhere.toml: no such rules file"):
        load_rules(tmp_path / "nowhere.toml")


def test_rule_text_is_never_run(tmp_path):
    """Text that is Python stays text: reading, describing, writing and ranking never run it."""
    ran = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(ran)!r}).touch()"
    rules = parse_rules(MINIMAL.replace('"weeks_waited"', json.dumps(payload)).replace('name = "Wait"', f"name = {json.dumps(payload)}"))
    assert rules.factors[0].source == payload and payload in dump_rules(rules) and describe_factor(rules.factors[0])
    with pytest.raises(WorkbenchError, match="uses the column"):
        check_columns(rules, _list(other=np.array(["Y"], dtype=object)))
    assert not ran.exists()
    eval(payload)  # the payload itself works: had any step run it, the file would be there
    assert ran.exists()


def _list(**source):
    n = len(next(iter(source.values())))
    return WaitingList(row_id=np.arange(1, n + 1), columns={"weeks_waited": np.zeros(n)}, source=source)


def test_check_columns_names_an_unknown_column():
    rules = parse_rules(FULL, source="full.toml")
    wl = _list(carer=np.array(["Y"], dtype=object))
    with pytest.raises(WorkbenchError, match="full.toml: factor 'Deprivation' uses the column 'imd_decile'"):
        check_columns(rules, wl)
    wl.columns["imd_decile"] = np.array([1.0])
    check_columns(rules, wl)  # "Carer" matches the header "carer": case does not matter


def test_with_weight_changes_one_factor_only():
    rules = parse_rules(FULL)
    changed = with_weight(rules, "Carer", 0.5)
    assert changed.factor("Carer").weight == 0.5 and rules.factor("Carer").weight == 1.0
    assert [f.weight for f in changed.factors[:3]] == [f.weight for f in rules.factors[:3]]
    with pytest.raises(KeyError, match="Nobody"):
        with_weight(rules, "Nobody", 1)


def test_an_edit_in_the_app_cannot_make_a_rule_set_that_overflows():
    rules = parse_rules(FULL)
    for weight in (float("inf"), float("nan"), 1e308):
        with pytest.raises(WorkbenchError, match="factor 'Carer': weight"):
            with_weight(rules, "Carer", weight)
    with pytest.raises(WorkbenchError, match="social cap"):
        with_social_cap(rules, float("inf"))
    with pytest.raises(ValueError, match="lookup value 1e\\+308"):  # the rules panel shows it beside the box
        LookupBand(1, 2, 1e308)


def test_lists_nested_thousands_deep_are_refused_in_one_line():
    with pytest.raises(WorkbenchError, match="^deep.toml: lists or tables are nested far too deeply"):
        parse_rules(MINIMAL + "deep = " + "[" * 100_000 + "]" * 100_000 + "\n", source="deep.toml")


def test_bundled_rule_sets_load_and_treat_in_turn_matches_the_builtin():
    bundled = bundled_rule_sets()
    assert set(bundled) == {"treat-in-turn", "priority-and-time-to-target", "inclusive-recovery"}
    loaded = {name: load_rules(path) for name, path in bundled.items()}
    assert loaded["treat-in-turn"] == treat_in_turn()
    inclusive = loaded["inclusive-recovery"]
    assert inclusive.social_cap_weeks == 8.0 and inclusive.bands.strict
    assert {f.source for f in inclusive.factors if f.is_social} >= {"Carer", "Return to work", "Learning disability"}
    assert not loaded["priority-and-time-to-target"].bands.strict
    assert len({rules.sha256 for rules in loaded.values()}) == 3


def test_rules_from_argument(tmp_path):
    assert rules_from_argument("inclusive-recovery").name == "Inclusive recovery"
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert rules_from_argument(str(path)).source == "mine.toml"
    with pytest.raises(WorkbenchError, match="bundled rule sets: treat-in-turn"):
        rules_from_argument("no-such-rules")


def test_an_edited_rule_set_says_what_it_was_edited_from_and_drops_the_original_words():
    inclusive = load_rules(bundled_rule_sets()["inclusive-recovery"])
    edited = with_weight(with_social_cap(inclusive, 5), "Carer", 2.5)
    assert edited.edited_from == EditedFrom("Inclusive recovery", "1.0", inclusive.sha256)
    assert (edited.author, edited.description, edited.rationale) == ("", "", "")
    assert edited.origin is inclusive and edited.sha256 != inclusive.sha256
    assert with_social_cap(with_weight(edited, "Carer", 1), 8) == inclusive  # every setting back: the original


def test_an_edited_rule_file_reads_back_and_still_lists_its_changes():
    inclusive = load_rules(bundled_rule_sets()["inclusive-recovery"])
    text = dump_rules(with_weight(inclusive, "Carer", 2.5))
    assert "[edited_from]" in text and f'sha256 = "{inclusive.sha256}"' in text
    read = parse_rules(text)
    assert read == with_weight(inclusive, "Carer", 2.5) and read.origin is None
    identity = rule_set_identity(read)  # the original found among the shipped rule sets by its sha256
    assert identity.title == "Edited from Inclusive recovery 1.0"
    assert identity.changes_text() == "Carer, weight: 1 → 2.5"


def test_an_edited_from_table_is_checked():
    bad = 'name = "R"\n[edited_from]\nname = "Inclusive recovery"\nsha256 = "abc"\n' + MINIMAL.split("\n", 1)[1]
    with pytest.raises(WorkbenchError, match=r"line 4: edited_from.sha256 must be 64 hexadecimal digits"):
        parse_rules(bad)


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda r: with_factor_changed(r, "Long wait", transform="threshold", at_least=None),
         "the threshold transform needs 'at_least"),
        (lambda r: with_factor_changed(r, "Long wait", maximum=10.0), "'maximum' only applies to the capped transform"),
        (lambda r: with_factor_changed(r, "Long wait", transform="step"), "transform must be"),
        (lambda r: with_factor(r, Factor(name="Carer", source="Carer")), "two factors are called 'Carer'"),
        (lambda r: with_social_cap(r, -1.0), "social_cap_weeks must be at least 0"),
        (lambda r: with_overlaps(r, (0.0, -2.0) + r.bands.overlap_weeks[2:]), "overlap_weeks must be at least 0"),
        (lambda r: with_factor(r, Factor(name="Frailty", source="")), "a factor needs a name and a source"),
        (lambda r: with_factor_changed(r, "Deprivation", lookup=(LookupBand(1, 3, 4.0), LookupBand(2, 4, 2.0))),
         "overlap"),
    ],
)
def test_a_rule_set_edited_in_the_app_gets_the_checks_a_file_gets(edit, words):
    """The checks live in the model's construction, so an edit in the app cannot make what a file could not."""
    with pytest.raises(RuleError, match=re.escape(words)):
        edit(parse_rules(FULL))
