"""Deprivation by small area: England IoD2019, Wales WIMD 2019, Scotland SIMD 2020v2.

The three official indices are bundled in ``resources/deprivation/`` as
published (see ``resources/ATTRIBUTION.md``). For speed the workbench reads one
prepared table, ``lsoa_deprivation.csv`` (``area_code,nation,rank,decile``),
built from those files by :func:`prepare_lookup`; it is read once per process
and kept in memory.

Ranks and deciles are within a nation (rank 1 and decile 1 = most deprived).
A Welsh decile 1 and an English decile 1 are not the same thing, so every
lookup returns the nation alongside the decile.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.resources import resource_path

ENGLAND, WALES, SCOTLAND = "England", "Wales", "Scotland"
NATIONS = (ENGLAND, WALES, SCOTLAND)
LOOKUP_FILE = "lsoa_deprivation.csv"
ENGLAND_FILE = "IMD2019.csv"
WALES_FILE = "imd_wales_lsoa.csv"
SCOTLAND_FILE = "imd_scotland_dz.csv"
# ONS "no area" pseudo-codes (E99999999, W99999999, L99999999, M99999999 ...).
PSEUDO_CODE_ENDING = "99999999"


@dataclass(frozen=True)
class DeprivationTable:
    """Every known area, one entry per code, aligned arrays.

    ``codes`` is a unique :class:`pandas.Index` of upper-case area codes;
    ``nation`` (object), ``rank`` and ``decile`` (float64) have one entry per code.
    """

    codes: pd.Index
    nation: np.ndarray
    rank: np.ndarray
    decile: np.ndarray


def lookup(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Rank, decile and nation for each area code (LSOA or Scottish data zone).

    Codes are matched ignoring case and surrounding spaces. Unknown codes,
    pseudo-codes and missing values give NaN rank and decile and ``None`` nation.

    >>> found = lookup(np.array(["E01000001", "w01000001", None, "E99999999"], dtype=object))
    >>> found["imd_decile"].tolist()[:2], found["deprivation_nation"].tolist()
    ([9.0, 5.0], ['England', 'Wales', None, None])
    """
    table = load_table()
    positions = area_positions(codes)
    known = positions >= 0
    safe = np.where(known, positions, 0)
    return {
        "imd_rank": np.where(known, table.rank[safe], np.nan),
        "imd_decile": np.where(known, table.decile[safe], np.nan),
        "deprivation_nation": np.where(known, table.nation[safe], None).astype(object),
    }


def is_known_area(codes: np.ndarray) -> np.ndarray:
    """Boolean mask: which codes are a known English, Welsh or Scottish area.

    >>> is_known_area(np.array(["S01006506", "E01999999", ""], dtype=object)).tolist()
    [True, False, False]
    """
    return area_positions(codes) >= 0


def is_pseudo_code(codes: np.ndarray) -> np.ndarray:
    """Boolean mask: codes ending ``99999999``, which mean "no area" (not a real LSOA).

    >>> is_pseudo_code(np.array(["E99999999", "L99999999", "E01000001", None], dtype=object)).tolist()
    [True, True, False, False]
    """
    codes_found, uniques = _factorize(codes)
    pseudo = np.array([u.endswith(PSEUDO_CODE_ENDING) for u in uniques], dtype=bool)
    return _spread(pseudo, codes_found, False)


def area_positions(codes: np.ndarray) -> np.ndarray:
    """Position of each code in :func:`load_table`'s arrays, -1 where unknown.

    Exact matches are found in one hash lookup; only the codes that miss (odd
    case, stray spaces, unknown areas) are tidied, and those once per distinct
    value, so a million rows take a fraction of a second.
    """
    codes = np.asarray(codes, dtype=object)
    table = load_table()
    positions = table.codes.get_indexer(codes)
    missed = np.flatnonzero(positions < 0)
    if len(missed):
        codes_found, uniques = _factorize(codes[missed])
        retry = table.codes.get_indexer(pd.Index(uniques, dtype=object))
        positions[missed] = _spread(retry, codes_found, -1)
    return positions


def _factorize(codes: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Integer codes per row (-1 for missing) and the distinct values, tidied."""
    codes_found, uniques = pd.factorize(np.asarray(codes, dtype=object), use_na_sentinel=True)
    tidy = [str(u).strip().upper() for u in uniques]
    return codes_found, tidy


def _spread(per_unique: np.ndarray, codes_found: np.ndarray, missing) -> np.ndarray:
    """Values per distinct code spread back onto rows; ``missing`` where none."""
    if len(per_unique) == 0:
        return np.full(len(codes_found), missing, dtype=np.asarray(per_unique).dtype)
    values = np.asarray(per_unique)[np.maximum(codes_found, 0)]
    return np.where(codes_found >= 0, values, missing)


@lru_cache(maxsize=None)
def load_table(path: Path | None = None) -> DeprivationTable:
    """The prepared lookup, read once and cached (about 42,000 areas)."""
    path = path or resource_path("deprivation", LOOKUP_FILE)
    frame = pd.read_csv(
        path,
        dtype={"area_code": object, "nation": object, "rank": np.float64, "decile": np.float64},
        keep_default_na=False,
    )
    return DeprivationTable(
        codes=pd.Index(frame["area_code"].to_numpy(dtype=object), dtype=object),
        nation=frame["nation"].to_numpy(dtype=object),
        rank=frame["rank"].to_numpy(dtype=np.float64),
        decile=frame["decile"].to_numpy(dtype=np.float64),
    )


def read_official_indices(folder: Path) -> pd.DataFrame:
    """The three official files in ``folder`` as one frame: area_code, nation, rank, decile.

    The English file's ranks are quoted with thousands separators ("29,199").
    """
    england = pd.read_csv(folder / ENGLAND_FILE, encoding="utf-8-sig", thousands=",")
    wales = pd.read_csv(folder / WALES_FILE)
    scotland = pd.read_csv(folder / SCOTLAND_FILE)
    parts = [
        _nation_part(england, ENGLAND, *england.columns[[0, 4, 5]]),
        _nation_part(wales, WALES, "lsoa_code", "IMD_rank", "IMD_decile"),
        _nation_part(scotland, SCOTLAND, "dz_code", "IMD_rank", "IMD_decile"),
    ]
    return pd.concat(parts, ignore_index=True)


def _nation_part(frame: pd.DataFrame, nation: str, code: str, rank: str, decile: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": frame[code].astype(str).str.strip().str.upper(),
            "nation": nation,
            "rank": frame[rank].astype(np.int64),
            "decile": frame[decile].astype(np.int64),
        }
    )


def prepare_lookup(folder: Path | None = None, out_path: Path | None = None) -> int:
    """Build ``lsoa_deprivation.csv`` from the official files; returns areas written.

    Run again only when a bundled index changes; the test suite checks that the
    shipped table matches the official files exactly.
    """
    folder = folder or resource_path("deprivation")
    out_path = out_path or folder / LOOKUP_FILE
    table = read_official_indices(folder)
    if table["area_code"].duplicated().any():
        raise ValueError("An area code appears in more than one deprivation file")
    with open(out_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area_code", "nation", "rank", "decile"])
        writer.writerows(table.itertuples(index=False, name=None))
    load_table.cache_clear()
    return len(table)
