"""The weekly demo series: a list aged week by week, the same for the same seed, with what happened each week."""

import subprocess
import sys

import pandas as pd

from workbench.demo_weeks import weekly_lists

PATHWAY = "patient_pathway_identifier"


def test_the_same_seed_gives_the_same_weeks():
    first, second = (list(weekly_lists(rows=300, weeks=3, seed=8)) for _ in range(2))
    assert all(a.frame.equals(b.frame) and a.returned.equals(b.returned) for a, b in zip(first, second))


def test_each_week_says_truly_who_joined_was_treated_and_was_validated_off():
    weeks = list(weekly_lists(rows=800, weeks=4, seed=2))
    for before, week in zip(weeks, weeks[1:]):
        ids_before, ids_now = set(before.frame[PATHWAY]), set(week.frame[PATHWAY])
        assert set(week.joined) == ids_now - ids_before and week.joined
        stop = week.frame["referral_to_treatment_period_end_date"]
        assert set(week.frame.loc[stop > pd.Timestamp(before.census_date), PATHWAY]) == set(week.treated)
        removed = {p for ids in week.removed.values() for p in ids}
        assert removed and not removed & ids_now and removed <= ids_before
        assert set(week.left_stopped) == ids_before - ids_now - removed
        assert 0.9 < len(week.frame) / len(before.frame) < 1.1  # about as many join as leave


def test_did_not_respond_is_likelier_in_the_most_deprived_areas():
    from workbench.demo import _district_lsoas

    deciles = dict(_district_lsoas()[["code", "decile"]].itertuples(index=False))
    weeks = list(weekly_lists(rows=3000, weeks=3, seed=6))
    validated = pd.concat([week.returned.merge(before.frame[[PATHWAY, "lsoa_2021"]].drop_duplicates(PATHWAY),
                                               left_on="Pathway ID", right_on=PATHWAY)
                           for before, week in zip(weeks, weeks[1:])])
    decile = validated["lsoa_2021"].map(deciles)
    no_response = validated["Action taken"] == "Did not respond"
    assert no_response[decile <= 2].mean() > 1.5 * no_response[decile >= 9].mean()


def test_the_command_line_writes_each_weeks_list_and_returned_worklist(tmp_path):
    run = subprocess.run([sys.executable, "-m", "workbench", "demo-series", "--out-dir", str(tmp_path), "--rows", "300",
                          "--weeks", "3"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "list-2026-11-01.csv", "list-2026-11-08.csv", "list-2026-11-15.csv", "outcomes-2026-11-08.csv", "outcomes-2026-11-15.csv"]
