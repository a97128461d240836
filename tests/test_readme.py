"""The README can be followed to the letter: its set-up commands are what CI runs, and its
command-line examples run in order on the bundled demo list and print the figures it quotes.

When a change moves a figure, the failure names the README line to update.
"""

import json
import re
import shlex
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from workbench.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMMAND = ".venv/bin/workbench"


def section(title: str) -> tuple[int, list[str]]:
    """The first line number (1-based) and the lines of the README section ``## title``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {title}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return start + 1, lines[start:end]


def fenced_block(lines: list[str], language: str) -> list[str]:
    """The lines of the first fenced block marked ``language``."""
    start = lines.index(f"```{language}") + 1
    return lines[start:lines.index("```", start)]


def set_up_commands() -> list[str]:
    _, lines = section("Set up and run")
    return [line.strip() for line in lines if line.startswith("    python3 -m venv")]


def test_the_readme_starts_with_the_two_set_up_commands_and_ci_runs_the_test_one_exactly():
    app, tests = set_up_commands()[:2]
    assert app.endswith(".venv/bin/python main.py") and tests.endswith(".venv/bin/python -m pytest")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines, "README.md's test command and .ci/run differ: CI must run it exactly"
    assert all("-c packaging/constraints.txt" in command for command in (app, tests))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """What each README example printed, by sub-command, after running them all in order in an empty folder."""
    _, lines = section("Command line")
    folder = tmp_path_factory.mktemp("readme")
    (folder / "judgements.csv").write_text("\n".join(fenced_block(lines, "csv")) + "\n", encoding="utf-8")
    outputs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for line in fenced_block(lines, "sh"):
            outputs.update(run_example(line))
    return outputs


def run_example(line: str) -> dict[str, str]:
    words = shlex.split(line)
    assert words[0] == COMMAND, f"README example does not start with {COMMAND}: {line}"
    said = StringIO()
    with redirect_stdout(said):
        status = main(words[1:])
    assert status == 0, f"README example failed (status {status}): {line}"
    return {words[1]: said.getvalue()}


def figures(printed: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    """(what, README pattern, what the commands print in its place) for every figure the README quotes."""
    imported, ranked = json.loads(printed["import"]), json.loads(printed["rank"])
    why, equity = json.loads(printed["explain"]), json.loads(printed["equity"])
    queue, ahp = json.loads(printed["capacity"]), json.loads(printed["ahp"])
    mean = {g["group"]: (g["baseline"]["mean_wait"], g["scenario"]["mean_wait"]) for g in equity["groups"]}
    most, least = "England, most deprived fifth", "England, least deprived fifth"
    others = ("England, middle fifth", "England, second least deprived fifth", least)
    longer = [g["change_mean_wait_weeks"] for g in equity["groups"] if g["group"] in others]
    england = next(n for n in json.loads(printed["imd-change"])["nations"] if n["nation"] == "England")
    return [
        ("rows imported", r"the import stores all ([\d,]+) rows", [f"{imported['rows_stored']:,}"]),
        ("overdue waits", r"find among others ([\d,]+) waits\s+past", [f"{imported['findings']['priority_overdue']:,}"]),
        ("unknown ethnicity", r"and ([\d,]+) unknown ethnic", [f"{imported['findings']['unknown_ethnicity']:,}"]),
        ("patients moved", r"moves ([\d,]+) patients up and ([\d,]+) down",
         [f"{ranked['moved_up']:,}", f"{ranked['moved_down']:,}"]),
        ("the explained patient", r"pathway (RTT\d+) moves up\s+(\d+) places, from (\d+)\w\w to (\d+)\w\w",
         [why["pathway_id"], str(why["movement"]), str(why["baseline_rank"]), str(why["rank"])]),
        ("explained contributions", r"most deprived fifth \(\+([\d.]+)\s+weeks-equivalent\) and waits to return to work "
         r"\(\+([\d.]+)\)", [f"{why['contributions'][name]:.1f}" for name in ("Most deprived fifth", "Return to work")]),
        ("rank without the deprivation credit", r"without the deprivation\s+credit it would be (\d+)\w\w",
         [str(why["rank_without"]["Most deprived fifth"])]),
        ("horizon", r"over a\s+(\d+)-week horizon", [str(equity["horizon_weeks"])]),
        ("deprivation gap", r"least\s+deprived fifths \(IoD2025\) from ([\d.]+) to ([\d.]+) weeks",
         [f"{mean[most][0] - mean[least][0]:.1f}", f"{mean[most][1] - mean[least][1]:.1f}"]),
        ("slope index", r"across England's deciles from ([\d.]+) \(95% CI ([\d.]+) to ([\d.]+)\) to ([\d.]+) weeks",
         [f"{equity['sii']['baseline']:.1f}", *(f"{limit:.1f}" for limit in equity["sii_ci"]["baseline"]),
          f"{equity['sii']['scenario']:.1f}"]),
        ("relative index", r"the most\s+deprived wait ([\d.]+) times as long as the least deprived, then ([\d.]+) times",
         [re.search(r"wait ([\d.]+) times", equity["rii_words"][order]).group(1) for order in ("baseline", "scenario")]),
        ("new referrals", r"In\s+the 13 weeks ([\d,]+) referrals arrive and ([\d,]+) of the ([\d,]+) patients treated",
         [f"{equity['new_referrals_by_horizon']:,}", f"{equity['overall']['baseline']['new_referrals_in_next_n']:,}",
          f"{equity['next_n']:,}"]),
        ("list at the horizon", r"so the list goes from ([\d,]+) to ([\d,]+)",
         [f"{equity['list_size']:,}", f"{equity['list_size_at_horizon']:,}"]),
        ("cost to the others", r"cost is ([\d.]+) to ([\d.]+) weeks longer",
         [f"{min(longer):.1f}", f"{max(longer):.1f}"]),
        ("IoD2019 to IoD2025 moves",
         r"([\d,]+) of\s+its ([\d,]+)\s+patients \(every count\s+rounded to 5\) with an area in\s+another fifth",
         [f"{england['changed_fifth']:,}", f"{england['patients']:,}"]),
        ("queue load", r"queue load ([\d.]+)\)", [f"{queue['queue_load']:.2f}"]),
        ("target queue", r"needs a queue of at most ([\d,]+)", [f"{queue['target_queue_size']:,.0f}"]),
        ("AHP weight", r"give weeks waited ([\d.]+)% of the weight", [f"{100 * ahp['weights']['Weeks waited']:.1f}"]),
        ("consistency", r"consistency ratio of\s+([\d.]+)", [f"{ahp['consistency_ratio']:.3f}"]),
    ]


def test_every_figure_the_readme_quotes_is_what_its_examples_print(printed):
    first, lines = section("Command line")
    text = "\n".join(lines)
    wrong = []
    for what, pattern, now in figures(printed):
        found = re.search(pattern, text)
        assert found, f"README.md, section 'Command line', no longer quotes the {what} (pattern {pattern!r}): " \
                      "update tests/test_readme.py"
        if list(found.groups()) != now:
            differs = next(i for i, (said, printed_now) in enumerate(zip(found.groups(), now), 1) if said != printed_now)
            line = first + text[:found.start(differs)].count("\n")
            wrong.append(f"README.md line {line}: the {what} reads {found.groups()}, the examples now print "
                         f"{tuple(now)}: update that line")
    assert not wrong, "\n".join(wrong)



WEEKLY = "Week by week: snapshots, validation outcomes and trends"


@pytest.fixture(scope="module")
def printed_weekly(tmp_path_factory):
    """What each example of the weekly section printed, run in order in an empty folder."""
    _, lines = section(WEEKLY)
    outputs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("readme-weekly"))
        for line in fenced_block(lines, "sh"):
            outputs.update(run_example(line))
    return outputs


def weekly_figures(printed: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    changes, due = json.loads(printed["changes"]), json.loads(printed["due"])
    audit, trend = json.loads(printed["validation-audit"]), json.loads(printed["trends"])
    totals = changes["totals"]
    most = next(g for g in audit["groupings"]["imd_quintile"]["groups"] if g["group"] == "England, most deprived fifth")
    ratio = most["did_not_respond_rate_ratio"]
    england = [s["by_nation"]["England"] for s in trend["snapshots"]]
    return [
        ("joined and left", r"([\d,]+) patients joined and ([\d,]+) left: ([\d,]+) by\s+a clock stop, ([\d,]+) by a validation "
         r"outcome, ([\d,]+) who did not respond and ([\d,]+) with no\s+record",
         [f"{totals[k]:,}" for k in ("joined", "left", "left: clock stop", "left: validation outcome",
                                     "left: did not respond", "left: no record")]),
        ("due for validation", r"On the newest list ([\d,]+) pathways are due", [f"{due['pathways']:,}"]),
        ("did-not-respond ratio", r"removed for not responding ([\d.]+) times as often as the least deprived fifth\s+"
         r"\(95% interval ([\d.]+) to ([\d.]+)\)", [f"{ratio['ratio']:.2f}", f"{ratio['low']:.2f}", f"{ratio['high']:.2f}"]),
        ("deprivation gap", r"went from ([\d.]+) to\s+([\d.]+) weeks", [f"{england[0]['gap']:.1f}", f"{england[-1]['gap']:.1f}"]),
        ("slope index", r"the slope index from ([\d.]+) to ([\d.]+) weeks", [f"{england[0]['sii']:.1f}", f"{england[-1]['sii']:.1f}"]),
    ]


def test_every_figure_of_the_weekly_example_is_what_it_prints(printed_weekly):
    first, lines = section(WEEKLY)
    text = "\n".join(lines)
    for what, pattern, now in weekly_figures(printed_weekly):
        found = re.search(pattern, text)
        assert found, f"README.md, section '{WEEKLY}', no longer quotes the {what}: update tests/test_readme.py"
        assert list(found.groups()) == now, f"README.md near line {first + text[:found.start()].count(chr(10))}: " \
                                            f"the {what} reads {found.groups()}, the examples now print {tuple(now)}"
    assert json.loads(printed_weekly["outcomes"])["recorded"] > 0
    assert "(the current list)" in printed_weekly["snapshots"]
