"""Both editions side by side: how many patients change deprivation fifth between IoD2019 and IoD2025.

IoD2025 replaced IoD2019 (and WIMD 2025 replaced WIMD 2019) on 30 October
2025, on redrawn areas and with a changed method, so a trust's series of
waits by deprivation has a break in it. :func:`compare_editions` links every
patient's area to both editions (as the import does: see
``workbench.check.deprivation``) and cross-tabulates their fifths, nation by nation
(a Welsh fifth is never counted with an English one; Scotland has SIMD 2020v2
in both, so nothing changes there).

For each nation the result holds, per previous fifth, how many patients
stayed in it, moved to a more deprived fifth, moved to a less deprived one, or
have no decile in the current edition (an area it cannot place), and how many
only the current edition places; and the full cross-table of previous by
current fifth. :func:`suppressed_change` controls the counts for display and
export as every group-level output is (``workbench.compare.suppression``).
"""

from __future__ import annotations


import numpy as np

from workbench import formats
from workbench.check import deprivation
from workbench.check.deprivation import CURRENT, EDITIONS, PREVIOUS, Linking
from workbench.fields import WaitingList
from workbench.progress import CancelCheck, Progress, check, never, no_progress
from workbench.compare.suppression import (
    COUNT, DISCLOSURE, FREE, disclosure_note, shown_figures,
)

FIFTHS = 5
MOVES = ("stayed", "more_deprived", "less_deprived", "no_current_decile")


def compare_editions(wl: WaitingList, lsoa_header: str | None = None) -> dict:
    """Each nation's patients by previous and current fifth (JSON-friendly; counts exact).

    ``lsoa_header`` is the LSOA column's header as imported (it can name the
    areas' vintage). Keys: ``nations`` (one entry per nation whose index
    changed and that has patients), ``unchanged`` (nations with the same index
    in both), ``no_area`` (rows with no area code or one in neither vintage).
    """
    lsoa = wl.columns.get("lsoa")
    if lsoa is None:
        lsoa = np.full(len(wl), None, dtype=object)
    codes, areas = wl.known_codes.factorize(lsoa)
    previous = _fifths(areas, codes, Linking(PREVIOUS, lsoa_header))
    current = _fifths(areas, codes, Linking(CURRENT, lsoa_header))
    nation = np.where(current[1] != None, current[1], previous[1])  # noqa: E711 (elementwise)
    placed = (previous[0] > 0) | (current[0] > 0)
    nations = [_nation_table(n, previous[0][nation == n], current[0][nation == n])
               for n in deprivation.NATIONS if _changed(n) and (nation == n).any()]
    return {
        "previous": EDITIONS[PREVIOUS].words,
        "current": EDITIONS[CURRENT].words,
        "nations": nations,
        "unchanged": [n for n in deprivation.NATIONS if not _changed(n) and (nation == n).any()],
        "no_area": int((~placed).sum()),
    }


def _changed(nation: str) -> bool:
    return EDITIONS[PREVIOUS].indices[nation] != EDITIONS[CURRENT].indices[nation]


def _fifths(areas: np.ndarray, codes: np.ndarray, linking: Linking) -> tuple[np.ndarray, np.ndarray]:
    """Each row's fifth in one edition (0: none) and its nation, worked out per distinct area."""
    links = deprivation.link_areas(areas, linking)
    fifth = np.append(np.nan_to_num(np.ceil(links.decile / 2)), 0).astype(np.int64)
    return fifth[codes], np.append(links.nation, None).astype(object)[codes]


def _nation_table(nation: str, previous: np.ndarray, current: np.ndarray) -> dict:
    """One nation's patients, previous fifth by current fifth (0 = no decile), and each fifth's moves."""
    placed = (previous > 0) | (current > 0)
    # Row and column FIFTHS (the last) hold "no decile"; fifth f is row f - 1.
    cell = (np.where(previous > 0, previous, FIFTHS + 1) - 1) * (FIFTHS + 1) + np.where(current > 0, current, FIFTHS + 1) - 1
    table = np.bincount(cell[placed], minlength=(FIFTHS + 1) ** 2).reshape(FIFTHS + 1, FIFTHS + 1)
    moves = np.array([_moves(table[row], row) for row in range(FIFTHS)])
    return {
        "nation": nation,
        "previous_index": EDITIONS[PREVIOUS].indices[nation],
        "current_index": EDITIONS[CURRENT].indices[nation],
        "patients": int(table.sum()),
        "changed_fifth": int(moves[:, 1:3].sum()),  # placed by both editions, in another fifth
        "groups": [{"group": deprivation.group_label(nation, "imd_quintile", row + 1), "patients": int(table[row].sum()),
                    **dict(zip(MOVES, map(int, moves[row])))} for row in range(FIFTHS)],
        "no_previous_decile": int(table[FIFTHS].sum()),  # placed by the current edition only
        "table": table.tolist(),
    }


def _moves(line: np.ndarray, row: int) -> list[int]:
    """Of the patients of one previous fifth: stayed, moved to a more deprived fifth, to a less deprived one,
    or have no current decile (the order of ``MOVES``)."""
    return [int(line[row]), int(line[:row].sum()), int(line[row + 1:FIFTHS].sum()), int(line[FIFTHS])]


def change_to_show(wl: WaitingList, lsoa_header: str | None = None, small_numbers_shown: bool = False,
                   progress: Progress = no_progress, cancelled: CancelCheck = never) -> dict:
    """:func:`compare_editions` controlled (or not) as the app shows it (runs on a worker)."""
    progress(0.0, "Linking the areas to both editions")
    result = compare_editions(wl, lsoa_header)
    check(cancelled)
    return suppressed_change(result, small_numbers_shown)


# --------------------------------------------------------------------------- small numbers
# Figure by figure (workbench.compare.suppression): every number here is a count of patients.
IMD_CHANGE_FIGURES = {
    "previous": FREE, "current": FREE, "unchanged": FREE, "nation": FREE, "previous_index": FREE,
    "current_index": FREE, "group": FREE,
    "no_area": COUNT, "patients": COUNT, "changed_fifth": COUNT, "no_previous_decile": COUNT,
    **{move: COUNT for move in MOVES},
}


def suppressed_change(result: dict, small_numbers_shown: bool = False) -> dict:
    """A copy safe to show or export: every count controlled as NHS Digital does (``*`` for 1 to 7,
    others to the nearest 5, totals from the unrounded counts), or, the one explicit choice, as
    worked out and stamped "Not for publication". The full cross-table of previous by current
    fifth is left out of a controlled copy (the moves say what it is for)."""
    if not small_numbers_shown:
        result = {**result, "nations": [{k: v for k, v in n.items() if k != "table"} for n in result["nations"]]}
    return shown_figures(result, IMD_CHANGE_FIGURES, small_numbers_shown)


# --------------------------------------------------------------------------- words
def table_headers(nation: dict) -> list[str]:
    """Column headings of a nation's table, naming its two indices (the CLI, exports and the app share them)."""
    previous, current = nation["previous_index"], nation["current_index"]
    return [f"{previous} fifth", "Patients", f"Same fifth in {current}", "Now more deprived", "Now less deprived",
            f"No {current} decile"]


def table_rows(nation: dict) -> list[list]:
    """One row per previous fifth, then the patients only the current edition places."""
    rows = [[group["group"], group["patients"], *(group[move] for move in MOVES)] for group in nation["groups"]]
    only_current = f"No {nation['previous_index']} decile ({nation['current_index']} only)"
    return rows + [[only_current, nation["no_previous_decile"], "", "", "", ""]]


def headline(nation: dict) -> str:
    """e.g. "England, IoD2019 to IoD2025: 1,296 of 4,998 patients (25.9%) are in another fifth."

    >>> headline({"nation": "Wales", "previous_index": "WIMD 2019", "current_index": "WIMD 2025",
    ...           "changed_fifth": "*", "patients": 40})
    'Wales, WIMD 2019 to WIMD 2025: * of 40 patients are in another fifth.'
    """
    changed, patients = nation["changed_fifth"], nation["patients"]
    share = f" ({100 * changed / patients:.1f}%)" if isinstance(changed, int) and isinstance(patients, int) and patients else ""
    return (f"{nation['nation']}, {nation['previous_index']} to {nation['current_index']}: "
            f"{formats.count(changed)} of {formats.count(patients)} patients{share} are in another fifth.")


def notes(result: dict) -> list[str]:
    """What the tables leave out: nations whose index did not change, and patients with no area."""
    found = [f"{nation}: {EDITIONS[CURRENT].indices[nation]} in both editions, so no patient changes fifth."
             for nation in result["unchanged"]]
    if result["no_area"]:
        found.append(f"Left out: {formats.count(result['no_area'])} patients with no area code, or one that is not "
                     "a known area.")
    if DISCLOSURE in result:
        found.append(disclosure_note(result) + ".")
    return found
