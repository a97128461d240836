"""Deprivation by small area, each nation by its own index, in two editions.

**Editions.** The current edition (``"2025"``, the default) is England's
Indices of Deprivation 2025 (IoD2025) and Wales' WIMD 2025, both on 2021
LSOAs; the previous one (``"2019"``) is IoD2019 and WIMD 2019 on 2011 LSOAs.
Scotland has one index in both, SIMD 2020v2 on 2011 data zones.

**Nations.** Ranks and deciles are within a nation (rank 1 and decile 1 = most
deprived). A Welsh decile 1 and an English decile 1 are not the same thing, so
every link returns the nation (and the index) with the decile, and no output
puts two nations in one group. Core20 and the IoD2025 domains are England's.

**Vintages.** A list's codes decide the link: a code of the edition's own
vintage joins directly; a 2011 code that changed in 2021 is carried to 2021
through the ONS best-fit lookup; with the 2019 edition a 2021-only code goes
back to the 2011 areas whose best fit it is (when they agree on a decile). GSS
codes are never reused, so a code names its vintage, except the few kept by
a 2021 area drawn smaller: there the column's vintage decides (its header, as
``LSOA11CD``, or else what its other codes are). A 2001 code is a 2011 code if
it did not change in 2011; otherwise, like a code in neither vintage, it is
not a known area. Matching is exact after trimming and upper-casing.

**Data.** The prepared tables in ``resources/deprivation/`` (``index_2025.csv``,
``index_2019.csv``, ``lsoa11_to_lsoa21_changed.csv``) are built from the
published files by :func:`prepare_tables` (``python -m workbench.check.deprivation
FOLDER``), which checks each published file's sha256 first; the small
published files are bundled as published (see ``resources/ATTRIBUTION.md``).
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.resources import resource_path

ENGLAND, WALES, SCOTLAND = "England", "Wales", "Scotland"
NATIONS = (ENGLAND, WALES, SCOTLAND)
NATION_OF_PREFIX = {"E": ENGLAND, "W": WALES, "S": SCOTLAND}
NATION_NOT_KNOWN = "Nation not known"  # a decile the file gave, with no area to say whose it is
CURRENT, PREVIOUS = "2025", "2019"
# ONS "no area" pseudo-codes (E99999999, W99999999, L99999999, M99999999 ...).
PSEUDO_CODE_ENDING = "99999999"


@dataclass(frozen=True)
class Edition:
    """One edition of the three nations' indices.

    ``lsoa_vintage`` is the census year of the LSOAs its English and Welsh
    indices are on; ``table`` the prepared table's file name.
    """

    year: str
    indices: dict[str, str]
    lsoa_vintage: str
    table: str

    @property
    def words(self) -> str:
        """e.g. ``"IoD2025 (England), WIMD 2025 (Wales), SIMD 2020v2 (Scotland)"``."""
        return ", ".join(f"{index} ({nation})" for nation, index in self.indices.items())


EDITIONS = {
    CURRENT: Edition(CURRENT, {ENGLAND: "IoD2025", WALES: "WIMD 2025", SCOTLAND: "SIMD 2020v2"}, "2021", "index_2025.csv"),
    PREVIOUS: Edition(PREVIOUS, {ENGLAND: "IoD2019", WALES: "WIMD 2019", SCOTLAND: "SIMD 2020v2"}, "2011", "index_2019.csv"),
}
CHANGED_AREAS_FILE = "lsoa11_to_lsoa21_changed.csv"

# The seven IoD2025 domains: field -> (column of the published file, words for people).
DOMAINS: dict[str, tuple[str, str]] = {
    "imd_income_decile": ("Income", "income deprivation"),
    "imd_employment_decile": ("Employment", "employment deprivation"),
    "imd_education_decile": ("Education", "education, skills and training deprivation"),
    "imd_health_decile": ("Health", "health deprivation and disability"),
    "imd_crime_decile": ("Crime", "crime"),
    "imd_housing_services_decile": ("Housing_and_Services", "barriers to housing and services"),
    "imd_living_environment_decile": ("Environment", "living environment deprivation"),
}
# Fields whose values are within a nation: explanations and groups name the nation with them.
NATION_FIELDS = ("imd_rank", "imd_decile", "imd_quintile", "core20", *DOMAINS)

# How each area was linked (the per-row ``deprivation_link`` column holds the words).
DIRECT, CARRIED_TO_2021, CARRIED_BACK_TO_2011, NOT_IN_INDEX, NOT_KNOWN, FROM_FILE = range(6)
LINK_WORDS = (
    "linked directly",
    "2011 area carried to 2021 (ONS best fit)",
    "2021 area carried back to 2011 (ONS best fit)",
    "a real area with no decile in this index",
    "not a known area",
    "decile given in the file",
)

# Groups by deprivation: "England, most deprived fifth", "Wales, decile 1 (most deprived)".
FIFTHS = ("most deprived fifth", "second most deprived fifth", "middle fifth", "second least deprived fifth",
          "least deprived fifth")
GROUP_PARTS = {"imd_quintile": 5, "imd_decile": 10, **dict.fromkeys(DOMAINS, 10)}


# --------------------------------------------------------------------------- published files
@dataclass(frozen=True)
class PublishedFile:
    """A published file the prepared tables are built from; ``bundled`` ones ship as published."""

    name: str
    sha256: str
    bundled: bool


PUBLISHED = {
    p.name: p
    for p in (
        PublishedFile("IMD2019.csv", "7e460d13a39a841cbef47dad3a9ffaf27d51a39e8dec2084fb797e846d1cc12c", True),
        PublishedFile("imd_wales_lsoa.csv", "2a8e8468b63e99494e660655b6256d2e8f8411cfff668ddc0dee658ee78d8854", True),
        PublishedFile("imd_scotland_dz.csv", "3c985cb31cbbd7d4d72758b8c59c1fc5b2a6a4644af4dbe6a559330f25cb2a58", True),
        PublishedFile("wimd-2025-index-and-domain-ranks-by-small-area.csv",
                      "ff58c2c87f8997137d7aa46701f10239908d58f18ae14dbfa6c28a7549fc25d7", True),
        # Too big to ship beside their prepared form (4.2 and 2.9 MB): see resources/ATTRIBUTION.md.
        PublishedFile("imd2025_england_lsoa21.csv", "e82cc5533ba7c54e12426fbb39a1d472749e9c4115cc4cd3640f3ca59d77af08", False),
        PublishedFile("lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.csv",
                      "942d0c36b16ab7de14516446e6f69fb94aa22ae5faf53ea850830f5ae995e847", False),
    )
}
ENGLAND_2019, WALES_2019, SCOTLAND_2020, WALES_2025, ENGLAND_2025, BEST_FIT = PUBLISHED


def decile_of_rank(rank: np.ndarray, areas: int) -> np.ndarray:
    """Decile 1-10 from a rank among ``areas`` (1 = most deprived), as the indices publish them.

    It gives every published IoD2019 and IoD2025 decile; WIMD 2025 is published as ranks only.

    >>> decile_of_rank(np.array([1, 3284, 3285, 32844]), 32844).tolist()
    [1, 1, 2, 10]
    """
    return np.ceil(np.asarray(rank) * 10 / areas).astype(np.int64)


def prepare_tables(published: Path | str, out_folder: Path | None = None, check_sha256: bool = True) -> dict[str, int]:
    """Build the prepared tables from the published files in ``published``; rows written per table.

    Each published file's sha256 is checked first (``check_sha256=False`` is
    for tests on small files of the same shape).
    """
    published = Path(published)
    out_folder = Path(out_folder) if out_folder else resource_path("deprivation")
    if check_sha256:
        check_published(published)
    current = pd.concat([_england_2025(published), _wales_2025(published), _scotland(published)])
    tables = {
        EDITIONS[PREVIOUS].table: pd.concat([_england_2019(published), _wales_2019(published), _scotland(published)]),
        EDITIONS[CURRENT].table: current.astype({name: "Int64" for name in DOMAINS}),  # blank outside England
        CHANGED_AREAS_FILE: _changed_areas(published),
    }
    for name, table in tables.items():
        if table.iloc[:, 0].duplicated().any():
            raise ValueError(f"{name}: an area code appears twice")
        _write_csv(out_folder / name, table)
    load_index.cache_clear()
    changed_areas.cache_clear()
    _best_fits_of_2021.cache_clear()
    return {name: len(table) for name, table in tables.items()}


def check_published(folder: Path) -> None:
    """Raise ValueError naming any published file whose bytes are not the ones recorded."""
    for published in PUBLISHED.values():
        digest = hashlib.sha256((folder / published.name).read_bytes()).hexdigest()
        if digest != published.sha256:
            raise ValueError(f"{published.name}: not the published file (sha256 {digest})")


def _england_2019(folder: Path) -> pd.DataFrame:
    # Official File 1: UTF-8 with a BOM, ranks quoted with thousands separators ("29,199").
    frame = pd.read_csv(folder / ENGLAND_2019, encoding="utf-8-sig", thousands=",")
    return _areas(frame.iloc[:, 0], frame.iloc[:, 4], frame.iloc[:, 5])


def _wales_2019(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / WALES_2019)
    return _areas(frame["lsoa_code"], frame["IMD_rank"], frame["IMD_decile"])


def _scotland(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / SCOTLAND_2020)
    return _areas(frame["dz_code"], frame["IMD_rank"], frame["IMD_decile"])


def _england_2025(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / ENGLAND_2025)
    domains = {name: frame[f"{column}_decile"] for name, (column, _words) in DOMAINS.items()}
    return _areas(frame["lsoa21_code"], frame["IMD_rank"], frame["IMD_decile"], domains)


def _wales_2025(folder: Path) -> pd.DataFrame:
    # Ranks only; several headers end in a space; two empty rows at the end.
    frame = pd.read_csv(folder / WALES_2025).rename(columns=str.strip).dropna(subset=["LSOA code"])
    rank = frame["WIMD 2025"].astype(np.int64)
    return _areas(frame["LSOA code"], rank, decile_of_rank(rank, len(frame)))


def _areas(code, rank, decile, domains: dict | None = None) -> pd.DataFrame:
    columns = {"area_code": code.astype(str).str.strip().str.upper().to_numpy(),
               "rank": np.asarray(rank, dtype=np.int64), "decile": np.asarray(decile, dtype=np.int64)}
    columns.update({name: np.asarray(values, dtype=np.int64) for name, values in (domains or {}).items()})
    return pd.DataFrame(columns)


def _changed_areas(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / BEST_FIT, encoding="utf-8-sig", usecols=["LSOA11CD", "LSOA21CD"], dtype=str)
    changed = frame[frame["LSOA11CD"] != frame["LSOA21CD"]]
    return pd.DataFrame({"lsoa11_code": changed["LSOA11CD"].to_numpy(), "lsoa21_code": changed["LSOA21CD"].to_numpy()})


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(["" if pd.isna(v) else v for v in row] for row in table.itertuples(index=False, name=None))


# --------------------------------------------------------------------------- the tables in memory
@dataclass(frozen=True)
class IndexTable:
    """Every area of one edition, one entry per code, aligned arrays.

    ``codes`` is a unique :class:`pandas.Index` of upper-case codes; ``nation``
    (object), ``rank`` and ``decile`` (float64) and each of ``domains`` (float64,
    NaN outside England or in an edition without domains) have one entry per code.
    """

    codes: pd.Index
    nation: np.ndarray
    rank: np.ndarray
    decile: np.ndarray
    domains: dict[str, np.ndarray] = field(default_factory=dict)


@lru_cache(maxsize=None)
def load_index(year: str = CURRENT) -> IndexTable:
    """One edition's prepared table, read once per process (about 42,000 areas)."""
    frame = pd.read_csv(resource_path("deprivation", EDITIONS[year].table), dtype={"area_code": object},
                        keep_default_na=False, na_values={name: [""] for name in DOMAINS})
    codes = frame["area_code"].to_numpy(dtype=object)
    prefix = codes.astype("U1")
    nation = np.select([prefix == p for p in NATION_OF_PREFIX], list(NATION_OF_PREFIX.values()), None).astype(object)
    domains = {name: frame[name].to_numpy(dtype=np.float64) for name in DOMAINS if name in frame}
    return IndexTable(pd.Index(codes, dtype=object), nation, frame["rank"].to_numpy(dtype=np.float64),
                      frame["decile"].to_numpy(dtype=np.float64), domains)


@lru_cache(maxsize=None)
def changed_areas() -> pd.Series:
    """2011 LSOA -> the 2021 LSOA it best fits, for the 2011 LSOAs whose code changed (about 1,100)."""
    frame = pd.read_csv(resource_path("deprivation", CHANGED_AREAS_FILE), dtype=str)
    return pd.Series(frame["lsoa21_code"].to_numpy(dtype=object), index=pd.Index(frame["lsoa11_code"], dtype=object))


@lru_cache(maxsize=None)
def _best_fits_of_2021() -> dict[str, tuple[str, ...]]:
    """2021-only LSOA -> the 2011 LSOAs whose best fit it is (none for some parts of a split)."""
    parents: dict[str, list[str]] = {}
    for old, new in changed_areas().items():
        parents.setdefault(new, []).append(old)
    return {new: tuple(olds) for new, olds in parents.items()}


# --------------------------------------------------------------------------- vintages
VINTAGE_IN_HEADER = re.compile(r"(?<!\d)(?:20)?(01|11|21)(?!\d)")


def vintage_named_by(header: str | None) -> str | None:
    """The census year an LSOA column's header names, if any.

    >>> [vintage_named_by(h) for h in ("LSOA11CD", "lsoa_2021", "LSOA01", "LSOA Code (2011)", "LSOA", None)]
    ['2011', '2021', '2001', '2011', None, None]
    """
    if not header:
        return None
    found = VINTAGE_IN_HEADER.search(re.sub(r"[\W_]+", "", header.casefold()))
    return f"20{found.group(1)}" if found else None


@dataclass(frozen=True)
class AreaVintage:
    """Which LSOAs a column holds, and how that was decided (for the import's summary)."""

    vintage: str | None  # "2001", "2011", "2021", or None: mixed, or the same codes in both
    reason: str
    only_2011: int = 0  # distinct codes that are 2011 areas only
    only_2021: int = 0  # distinct codes that are 2021 areas only


def area_vintage(codes: np.ndarray, header: str | None = None) -> AreaVintage:
    """The vintage of a column of distinct, tidy codes: its header's, else its codes'.

    >>> area_vintage(np.array(["E01033769", "E01000001"], dtype=object)).vintage
    '2021'
    """
    in_2011 = load_index(PREVIOUS).codes.get_indexer(codes) >= 0
    in_2021 = load_index(CURRENT).codes.get_indexer(codes) >= 0
    only_2011, only_2021 = int((in_2011 & ~in_2021).sum()), int((in_2021 & ~in_2011).sum())
    named = vintage_named_by(header)
    if named:
        return AreaVintage(named, "as its header says", only_2011, only_2021)
    if only_2021 and not only_2011:
        return AreaVintage("2021", f"{_codes(only_2021)} only in 2021", only_2011, only_2021)
    if only_2011 and not only_2021:
        return AreaVintage("2011", f"{_codes(only_2011)} only in 2011", only_2011, only_2021)
    if only_2011:
        return AreaVintage(None, f"it mixes 2011 areas ({_codes(only_2011)}) and 2021 areas ({_codes(only_2021)})",
                           only_2011, only_2021)
    return AreaVintage(None, "its codes are the same in 2011 and 2021", 0, 0)


def _codes(count: int) -> str:
    return _counted(count, "code")


def _counted(count: int, word: str) -> str:
    """
    >>> _counted(1, "area"), _counted(1200, "row")
    ('1 area', '1,200 rows')
    """
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# --------------------------------------------------------------------------- linking
@dataclass(frozen=True)
class Linking:
    """What decides a list's link: the edition chosen and the LSOA column's header."""

    edition: str = CURRENT
    header: str | None = None

    def __post_init__(self):
        if self.edition not in EDITIONS:
            raise ValueError(f"No deprivation edition '{self.edition}' (use {' or '.join(EDITIONS)})")


@dataclass(frozen=True)
class AreaLinks:
    """The deprivation of each of a set of distinct codes (arrays aligned with them).

    ``rank`` is NaN for an area carried back from several 2011 areas (they
    share its decile, not a rank); ``link`` indexes :data:`LINK_WORDS` (-1: no code).
    """

    rank: np.ndarray
    decile: np.ndarray
    nation: np.ndarray
    link: np.ndarray
    vintage: AreaVintage


def tidy_codes(codes: np.ndarray) -> np.ndarray:
    """Codes trimmed and upper-cased; anything that is not text becomes ''.

    >>> tidy_codes(np.array([" e01000001 ", None], dtype=object)).tolist()
    ['E01000001', '']
    """
    return np.array([c.strip().upper() if isinstance(c, str) else "" for c in codes], dtype=object)


def link_areas(codes: np.ndarray, linking: Linking = Linking()) -> AreaLinks:
    """Link distinct area codes to the chosen edition (see the module notes).

    >>> links = link_areas(np.array(["E01033769", "W01001959", "e01028040", "E99999999"], dtype=object))
    >>> links.decile.tolist()[:3], [LINK_WORDS[k] for k in links.link][2:]
    ([4.0, 9.0, 4.0], ['2011 area carried to 2021 (ONS best fit)', 'not a known area'])
    """
    codes = tidy_codes(codes)
    vintage = area_vintage(codes, linking.header)
    edition = EDITIONS[linking.edition]
    table = load_index(edition.year)
    shared = np.zeros(len(codes), dtype=bool)
    if edition.lsoa_vintage == "2021":
        position, link = _link_to_2021(codes, table, vintage.vintage)
    else:
        position, link, shared = _link_to_2011(codes, table)
    missing = position < 0
    link[missing] = np.where(is_known_area(codes[missing]), NOT_IN_INDEX, NOT_KNOWN)
    link[codes == ""] = -1
    return _gather(table, position, link, shared, vintage)


def _link_to_2021(codes: np.ndarray, table: IndexTable, vintage: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a 2021 table (-1: none) and how each was reached."""
    position = table.codes.get_indexer(codes)
    successor = changed_areas().reindex(codes).to_numpy(dtype=object)
    # A changed 2011 code is carried unless it is read as a 2021 code (a few are both).
    carry = pd.notna(successor) & ((position < 0) | (vintage in ("2001", "2011")))
    position[carry] = table.codes.get_indexer(successor[carry])
    return position, np.where(carry, CARRIED_TO_2021, DIRECT)


def _link_to_2011(codes: np.ndarray, table: IndexTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions in a 2011 table, how each was reached, and which share a decile but no one rank.

    A 2021-only code goes back to the 2011 areas whose best fit it is, if
    they share a decile (several merged into it); parts of a split 2011 area
    other than its best fit, and merges across deciles, stay unplaced.
    """
    position = table.codes.get_indexer(codes)
    link = np.full(len(codes), DIRECT)
    shared = np.zeros(len(codes), dtype=bool)
    for i in np.flatnonzero(position < 0):  # a few hundred codes at most
        fits = table.codes.get_indexer(list(_best_fits_of_2021().get(codes[i], ())))
        if len(fits) and (fits >= 0).all() and len(set(table.decile[fits].tolist())) == 1:
            position[i], link[i], shared[i] = fits[0], CARRIED_BACK_TO_2011, len(fits) > 1
    return position, link, shared


def _gather(table: IndexTable, position: np.ndarray, link: np.ndarray, shared: np.ndarray,
            vintage: AreaVintage) -> AreaLinks:
    found = position >= 0
    safe = np.where(found, position, 0)

    def take(values: np.ndarray) -> np.ndarray:
        return np.where(found, values[safe], np.nan)

    return AreaLinks(
        rank=np.where(shared, np.nan, take(table.rank)),
        decile=take(table.decile),
        nation=np.where(found, table.nation[safe], None).astype(object),
        link=link,
        vintage=vintage,
    )


def is_known_area(codes: np.ndarray) -> np.ndarray:
    """Boolean mask: which codes are a known English, Welsh or Scottish area of either vintage.

    >>> is_known_area(np.array(["S01006506", "E01033769", "E01999999", ""], dtype=object)).tolist()
    [True, True, False, False]
    """
    codes = tidy_codes(np.asarray(codes, dtype=object))
    return (load_index(CURRENT).codes.get_indexer(codes) >= 0) | (load_index(PREVIOUS).codes.get_indexer(codes) >= 0)


def is_pseudo_code(codes: np.ndarray) -> np.ndarray:
    """Boolean mask: codes ending ``99999999``, which mean "no area" (not a real LSOA).

    >>> is_pseudo_code(np.array(["E99999999", "L99999999", "E01000001", None], dtype=object)).tolist()
    [True, True, False, False]
    """
    return np.array([code.endswith(PSEUDO_CODE_ENDING) for code in tidy_codes(np.asarray(codes, dtype=object))],
                    dtype=bool)


# --------------------------------------------------------------------------- words
def index_name(nation: str | None, edition: str = CURRENT) -> str | None:
    """The index a nation's deciles come from in an edition.

    >>> index_name("Wales"), index_name("England", "2019"), index_name(None)
    ('WIMD 2025', 'IoD2019', None)
    """
    return EDITIONS[edition].indices.get(nation) if nation else None


def group_label(nation: str | None, by: str, value: int) -> str:
    """A deprivation group's name, with its nation: deciles of two nations never share a group.

    >>> group_label("England", "imd_quintile", 1), group_label("Wales", "imd_decile", 10)
    ('England, most deprived fifth', 'Wales, decile 10 (least deprived)')
    """
    if by == "imd_quintile":
        part = FIFTHS[value - 1]
    else:
        part = f"decile {value}" + (" (most deprived)" if value == 1 else " (least deprived)" if value == 10 else "")
        part = f"{DOMAINS[by][1]} {part}" if by in DOMAINS else part
    return f"{nation or NATION_NOT_KNOWN}, {part}"


def with_nation(words: str, nation: str | None) -> str:
    """A deprivation factor's words in an explanation, naming whose index it is.

    >>> with_nation("most deprived quintile", "Wales"), with_nation("most deprived quintile", None)
    ('most deprived quintile in Wales', 'most deprived quintile (nation not known)')
    """
    return f"{words} in {nation}" if nation else f"{words} ({NATION_NOT_KNOWN.lower()})"


def domain_deciles(columns: dict[str, np.ndarray], name: str, known=None) -> np.ndarray:
    """One IoD2025 domain's decile for each row of a list, from its linked area (NaN elsewhere).

    ``columns`` holds the list's ``lsoa``, ``deprivation_index`` and
    ``deprivation_link``; only rows linked to IoD2025 have domains. Worked out
    once per distinct area: a few tens of milliseconds for a million rows.
    """
    factorize = known.factorize if known is not None else _factorize
    area_codes, areas = factorize(columns["lsoa"])
    row = np.full(len(areas), -1)
    present = np.flatnonzero(area_codes >= 0)
    row[area_codes[present]] = present  # a row of each area: all its rows with a decile share its link
    index, link = columns["deprivation_index"][row], columns["deprivation_link"][row]
    wanted = tidy_codes(areas)
    carried = link == LINK_WORDS[CARRIED_TO_2021]
    wanted[carried] = changed_areas().reindex(wanted[carried]).to_numpy(dtype=object)
    table = load_index(CURRENT)
    english_2025 = (index == EDITIONS[CURRENT].indices[ENGLAND]) & (row >= 0)
    position = np.where(english_2025, table.codes.get_indexer(wanted), -1)
    per_area = np.where(position >= 0, table.domains[name][np.maximum(position, 0)], np.nan)
    return np.append(per_area, np.nan)[area_codes]


# --------------------------------------------------------------------------- what a list's link did
def link_summary(columns: dict[str, np.ndarray], linking: Linking, known=None) -> dict | None:
    """What a list's deprivation link did, for the import result and the app (JSON-friendly).

    ``columns`` holds the list's ``lsoa``, ``deprivation_index`` and
    ``deprivation_link`` columns; ``known`` (a ``fields.KnownCodes``) gives
    their codes where known. Counts are rows, and distinct areas where said.
    None for a list imported before the link was recorded.
    """
    if "deprivation_link" not in columns:
        return None
    factorize = known.factorize if known is not None else _factorize
    area_codes, areas = factorize(columns["lsoa"])
    link_codes, links = factorize(columns["deprivation_link"])
    vintage = area_vintage(tidy_codes(areas), linking.header)

    def rows_and_areas(words: str) -> dict:
        chosen = np.isin(link_codes, np.flatnonzero(links == words))
        return {"rows": int(chosen.sum()), "areas": len(np.unique(area_codes[chosen]))}

    edition = EDITIONS[linking.edition]
    return {
        "edition": edition.year,
        "indices": dict(edition.indices),
        "lsoa_column": linking.header,
        "area_vintage": vintage.vintage,
        "area_vintage_reason": vintage.reason,
        "only_2011_codes": vintage.only_2011,
        "only_2021_codes": vintage.only_2021,
        "rows_by_index": _counts(*factorize(columns["deprivation_index"])),
        "carried_through_lookup": rows_and_areas(LINK_WORDS[CARRIED_TO_2021 if edition.lsoa_vintage == "2021"
                                                            else CARRIED_BACK_TO_2011]),
        "not_in_index": rows_and_areas(LINK_WORDS[NOT_IN_INDEX]),
        "not_known": rows_and_areas(LINK_WORDS[NOT_KNOWN]),
        "decile_from_file": rows_and_areas(LINK_WORDS[FROM_FILE])["rows"],
    }


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return codes, np.asarray(distinct, dtype=object)


def _counts(codes: np.ndarray, distinct: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    return {str(value): int(count) for value, count in zip(distinct, counts) if count}


def describe_link(summary: dict) -> str:
    """The link in one sentence: which indices, which areas, what went through the lookup.

    >>> describe_link({"indices": {"England": "IoD2025"}, "lsoa_column": "LSOA", "area_vintage": "2011",
    ...                "area_vintage_reason": "3 codes only in 2011", "edition": "2025",
    ...                "carried_through_lookup": {"rows": 40, "areas": 3}})
    "Deprivation: IoD2025 (England). Column 'LSOA' holds 2011 areas (3 codes only in 2011); 3 areas (40 rows) carried to 2021 through the ONS best-fit lookup."
    """
    indices = ", ".join(f"{index} ({nation})" for nation, index in summary["indices"].items())
    text = f"Deprivation: {indices}."
    if summary["lsoa_column"] is None:
        return text + " The list has no LSOA column."
    held = f"{summary['area_vintage']} areas" if summary["area_vintage"] else "areas"
    text += f" Column '{summary['lsoa_column']}' holds {held} ({summary['area_vintage_reason']})"
    carried = summary["carried_through_lookup"]
    if carried["rows"]:
        direction = "to 2021" if summary["edition"] == CURRENT else "back to 2011"
        text += (f"; {_counted(carried['areas'], 'area')} ({_counted(carried['rows'], 'row')}) "
                 f"carried {direction} through the ONS best-fit lookup")
    return text + "."


def link_warnings(summary: dict) -> list[str]:
    """What a person should know before trusting the deprivation figures of a list."""
    column, vintage = summary["lsoa_column"], summary["area_vintage"]
    warnings = []
    if column is None:
        return warnings
    other = {"2021": "2011", "2011": "2021", "2001": "2021"}.get(vintage)
    wrong = summary.get(f"only_{other}_codes", 0)
    if wrong and vintage_named_by(column):
        how = ("linked directly" if other == EDITIONS[summary["edition"]].lsoa_vintage
               else "carried through the ONS best-fit lookup")
        warnings.append(f"Column '{column}' is named for {vintage} areas, but {_codes(wrong)} in it "
                        f"{'names a' if wrong == 1 else 'name'} {other} area{'' if wrong == 1 else 's'} only: "
                        f"{'it was' if wrong == 1 else 'they were'} {how}.")
    if vintage is None and summary["only_2011_codes"]:
        warnings.append(f"Column '{column}' mixes 2011 and 2021 areas: each code was linked as the area it names.")
    if vintage == "2001":
        warnings.append(f"Column '{column}' holds 2001 areas: those unchanged in 2011 were linked as 2011 areas; "
                        "those changed in 2011 are not known areas (no 2001 lookup is bundled).")
    if summary["not_in_index"]["rows"]:
        gap = summary["not_in_index"]
        indices = " and ".join(summary["indices"][n] for n in (ENGLAND, WALES))
        warnings.append(f"{_counted(gap['rows'], 'row')} ({_counted(gap['areas'], 'area')}) name real areas that {indices} "
                        "cannot place (2021 areas with no single 2011 best fit): they have no deprivation decile.")
    return warnings


def main(argv: list[str]) -> int:
    """``python -m workbench.check.deprivation FOLDER``: rebuild the prepared tables from the published files."""
    if len(argv) != 1:
        print("usage: python -m workbench.check.deprivation FOLDER_WITH_THE_PUBLISHED_FILES", file=sys.stderr)
        return 2
    for name, rows in prepare_tables(Path(argv[0])).items():
        print(f"{name}: {rows:,} areas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
