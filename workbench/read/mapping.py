"""Which column of a file holds which canonical field: detection, overrides, profiles.

Headers are compared ignoring case, spaces, underscores and punctuation, so
"NHS No.", "nhs_no" and "NHS  NO" are one spelling. The spellings known are
those of the Waiting List Minimum Data Set, common PTL extracts and Hospital
Episode Statistics. Durations such as "Weeks Wait" or "WAITDAYS" are left
unmapped on purpose: weeks waited are always recomputed from the clock start
and the census date, so a stale figure in the file can never drive an order.

When two headers name the same field, the earlier spelling wins, unless its
column is empty and the other's is not (an empty LSOA11 beside a filled LSOA
column): a populated column is preferred. A mapped column that is empty or
nearly so (``NEARLY_EMPTY``) is worth a warning: see :func:`nearly_empty`.

A mapping is ``{canonical field: source header}``; each header is used at
most once. Users save mappings they reuse as *profiles*: small JSON files
``{"name": ..., "version": 1, "mapping": {...}}`` in a per-user folder.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import numpy as np

from workbench.fields import CANONICAL_FIELDS, REQUIRED_FIELDS
from workbench.read import readers
from workbench.read.normalise import MISSING_MARKERS
from workbench.resources import user_data_folder
from workbench.errors import WorkbenchError

PROFILE_VERSION = 1
NEARLY_EMPTY = 0.95  # a mapped column blank in more than this share of rows is warned about
# Fields blank on most rows of a good list (an open pathway has no clock stop): never warned about.
SPARSE_FIELDS = frozenset({"clock_stop_date", "decision_to_admit_date", "priority_review_date",
                           "last_validation_date", "tci_date", "mutual_aid_provider"})

# Spellings per field, best first: when a file has two candidates (an RTT clock
# start and a decision-to-admit date), the earlier spelling wins.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "pathway_id": (
        "Pathway ID", "Patient Pathway Identifier", "PPI", "Pathway Identifier", "Pathway Number",
        "Pathway No", "Pathway Ref", "Pathway Reference", "Unique Pathway ID", "UPI", "RTT Pathway ID",
        "Pathway", "Referral Identifier", "EPIKEY",
    ),
    "nhs_number": (
        "NHS Number", "NHS No", "NHS Num", "Patient NHS Number", "NEWNHSNO", "NHS", "NHS Number Value",
        "pseudo_nhs_number", "Pseudonymised NHS Number",
    ),
    "specialty": (
        "Treatment Function Code", "activity_treatment_function_code", "TFC", "Treatment Function",
        "TFC Code", "Specialty", "Speciality", "Specialty Code", "Speciality Code", "TRETSPEF",
        "Treatment Specialty", "Main Specialty Code", "MAINSPEF", "Spec", "Spec Code",
    ),
    # A column naming the specialty beside its code; "Specialty" itself only once a code column took the field.
    "specialty_description": (
        "Specialty Name", "Specialty Description", "Specialty Desc", "Speciality Name", "Speciality Description",
        "Treatment Function Name", "Treatment Function Description", "Treatment Function Desc", "TFC Name",
        "TFC Description", "TFC Desc", "Main Specialty Name", "Main Specialty Description", "Spec Name",
        "Spec Desc", "Specialty", "Speciality",
    ),
    "procedure": (
        "Procedure", "Intended Procedure", "Planned Procedure", "Proposed Procedure", "Procedure Code",
        "Intended Procedure Code", "Primary Procedure", "OPCS", "OPCS Code", "OPCS4", "OPCS4 Code",
        "OPERTN_01", "Procedure Description", "Proposed Procedure OPCS Code",
    ),
    "clinical_priority": (
        "Clinical Priority", "Procedure Priority Code", "Surgical Priority", "Priority",
        "Clinical Priority Code", "Priority Code",
        "Clinical Urgency", "Surgical Prioritisation", "Clinical Prioritisation", "Priority Category",
        "FSSA Priority", "Clinical Priority Category",
    ),
    "wait_start": (
        "RTT Clock Start", "RTT Clock Start Date", "Clock Start", "Clock Start Date",
        "referral_to_treatment_period_start_date", "RTT Period Start Date", "RTT Start Date", "RTT Start",
        "Pathway Start Date", "Wait Start", "Wait Start Date", "Waiting Start Date",
        "Decision to Admit Date", "Decision to Admit", "DTA Date", "DTA", "ELECDATE",
        "Date Added to List", "Date Added to Waiting List", "Added to List Date", "Date on List",
        "Date Placed on List", "Waiting List Date", "WL Date", "List Date",
        "Referral Received Date", "referral_request_received_date",
    ),
    "clock_stop_date": (
        "referral_to_treatment_period_end_date", "RTT Period End Date", "RTT Clock Stop", "RTT Clock Stop Date",
        "Clock Stop", "Clock Stop Date", "RTT End Date", "RTT Stop Date", "Pathway End Date", "Period End Date",
    ),
    # The same spellings as a wait start's listing dates: a file with an RTT clock start
    # and a listing date gives the listing date here; with only a listing date, it is the wait start.
    "decision_to_admit_date": (
        "Decision to Admit Date", "Decision to Admit", "DTA Date", "DTA", "ELECDATE",
        "Date Added to List", "Date Added to Waiting List", "Added to List Date", "Date on List",
        "Date Placed on List", "Waiting List Date", "WL Date", "List Date", "Listing Date", "Date Listed",
        "Decision to Treat Date",
    ),
    "priority_review_date": (
        "Date of Last Priority Review", "Last Priority Review",
        "Last Priority Review Date", "Priority Review Date", "Priority Reviewed", "Date Priority Reviewed",
        "Priority Date", "Date Priority Set", "Priority Set Date",
    ),
    "last_validation_date": (
        "Last PAS Validation Date", "Last Validation Date", "Last Validated",
        "Date Last Validated", "Validation Date", "Last Validation",
    ),
    "census_date": (
        "Census Date", "Snapshot Date", "Week Ending Date", "Week Ending",
        "Extract Date", "Report Date", "Reporting Date", "PTL Date", "Run Date", "As At Date", "As At",
    ),
    "date_of_birth": ("Date of Birth", "DOB", "Birth Date", "person_birth_date", "Patient DOB", "Patient Date of Birth"),
    "age": (
        "Age", "Age at Census", "Age at Census Date", "Age Years", "Age in Years", "age_at_week_ending_date",
        "der_age_week_ending_date", "STARTAGE", "Age at Start", "Patient Age", "Current Age", "Age at Referral",
    ),
    "sex": (
        "Sex", "Gender", "Person Stated Gender Code", "Sex Code", "Gender Code", "Stated Gender",
        "Person Gender Code", "Person Gender Code Current", "Patient Sex", "Patient Gender",
    ),
    "ethnic_category": (
        "Ethnic Category", "Ethnicity", "Ethnic Category Code", "Ethnicity Code",
        "ETHNOS", "Ethnic Origin", "Ethnic Group", "Patient Ethnicity", "Ethnic Code",
    ),
    "lsoa": (  # a file with both a 2021 and a 2011 column: the 2021 one (the current indices' areas)
        "LSOA", "LSOA Code", "LSOA21CD", "LSOA21", "LSOA 2021", "der_lsoa2021", "LSOA 2021 Code", "LSOA21 Code", "LSOA Code (2021)",
        "LSOA11CD", "LSOA11", "LSOA 2011", "LSOA 2011 Code", "LSOA11 Code", "LSOA Code (2011)",
        "LSOA01CD", "LSOA01", "LSOA 2001", "LSOA 2001 Code", "LSOA Code (2001)",
        "Lower Layer Super Output Area", "Lower Super Output Area", "Data Zone", "DZ Code", "Data Zone Code",
    ),
    "imd_decile": (
        "IMD Decile", "IMD 2019 Decile", "Deprivation Decile",
        "Index of Multiple Deprivation Decile", "Index of Multiple Deprivation (IMD) Decile",
    ),
    "postcode": ("Postcode", "Patient Postcode", "Postcode of Usual Address", "Postal Code"),
    "site": (
        "Site", "Site Code", "Site Name", "Hospital", "Hospital Site", "Treatment Site", "Provider Site",
        "Location", "SITETRET", "organisation_site_identifier_of_treatment", "Site of Treatment",
        "organisation_identifier_code_of_provider", "Provider Code", "Provider", "PROCODE",
    ),
    "consultant": (
        "Consultant", "Consultant Name", "Consultant Code", "Responsible Consultant", "Lead Consultant",
        "Clinician", "Lead Clinician", "Consultant Code (GMC)",
    ),
    "tci_date": (
        "TCI Date", "TCI", "To Come In Date", "Date to Come In", "Planned Admission Date", "Admission Offer Date",
        "Booked Date",
    ),
    "waiting_list_type": ("Waiting List Type", "WL Type", "List Type", "Waiting List Type Code"),
    "mutual_aid_provider": (
        "Mutual Aid Accepting Provider", "Mutual Aid Provider", "Mutual Aid",
    ),
}


def header_key(header: str) -> str:
    """A header without case, spaces or punctuation, for comparing spellings.

    >>> header_key(" NHS No. "), header_key("RTT_Clock-Start")
    ('nhsno', 'rttclockstart')
    """
    return re.sub(r"[\W_]+", "", header.casefold())


_KEYED_SPELLINGS = {field: [header_key(s) for s in spellings] for field, spellings in SPELLINGS.items()}


def detect_mapping(headers: list[str], samples: list[np.ndarray] | None = None) -> dict[str, str]:
    """Canonical field -> source header for every field a header's spelling names.

    Each header is used at most once, and fields are filled in the order of
    ``fields.CANONICAL_FIELDS``. "Weeks Wait" and other durations are never
    mapped: weeks waited are recomputed from the clock start. ``samples`` (the
    first values of each column, in the order of ``headers``) let a populated
    column win over an empty one that names the same field.

    >>> detect_mapping(["Pathway ID", "NHS No.", "RTT clock start", "Weeks Wait"])
    {'pathway_id': 'Pathway ID', 'nhs_number': 'NHS No.', 'wait_start': 'RTT clock start'}
    >>> detect_mapping(["ID", "LSOA11", "LSOA"], [np.array(["A"]), np.array([""]), np.array(["E01000001"])])
    {'lsoa': 'LSOA'}
    """
    keys = [header_key(h) for h in headers]
    filled = [True] * len(headers) if samples is None else [blank_share(values) < 1.0 for values in samples]
    used: set[int] = set()
    mapping: dict[str, str] = {}
    for field in CANONICAL_FIELDS:
        candidates = _candidates(_KEYED_SPELLINGS.get(field, []), keys, used)
        found = next((index for index in candidates if filled[index]), candidates[0] if candidates else None)
        if found is not None:
            used.add(found)
            mapping[field] = headers[found]
    return mapping


def _candidates(spellings: list[str], keys: list[str], used: set[int]) -> list[int]:
    """Positions of the headers spelling a field, best spelling first."""
    return [index for spelling in spellings for index, key in enumerate(keys) if key == spelling and index not in used]


def example_values(values: np.ndarray | None, shown: int = 5) -> str:
    """A column's first few values, to tell columns apart when choosing which holds a field.

    >>> example_values(np.array(["RX1", None, "", "RX2"], dtype=object)), example_values(np.array([None])), example_values(None)
    ('e.g. RX1, RX2', '(empty in the first rows)', '')
    """
    if values is None:
        return ""
    filled = [str(v) for v in values[:shown] if v not in (None, "")]
    return "e.g. " + ", ".join(filled) if filled else "(empty in the first rows)"


def blank_share(values: np.ndarray) -> float:
    """The share of values that are blank (empty, or a marker such as NULL or N/A); 1.0 for none at all.

    >>> blank_share(np.array(["E01000001", "", None, "NULL"], dtype=object)), blank_share(np.array([]))
    (0.75, 1.0)
    """
    if len(values) == 0:
        return 1.0
    blank = sum(1 for value in values if value is None or str(value).strip().upper() in MISSING_MARKERS)
    return blank / len(values)


def nearly_empty(mapping: dict[str, str], missing_share: dict[str, float], sample: int | None = None) -> list[str]:
    """A warning for each mapped column with no value in more than ``NEARLY_EMPTY`` of its rows
    (``SPARSE_FIELDS`` excepted). ``missing_share`` is field -> the share of rows without a value;
    ``sample`` says how many rows that share was seen in, when not all.

    >>> nearly_empty({"lsoa": "LSOA11", "age": "Age"}, {"lsoa": 1.0, "age": 0.1})
    ["Column 'LSOA11' (used for lsoa) has no value in any row: check it is the right column."]
    >>> nearly_empty({"lsoa": "LSOA11"}, {"lsoa": 0.97}, sample=2000)
    ["Column 'LSOA11' (used for lsoa) has no value in 97% of the first 2,000 rows: check it is the right column."]
    """
    rows = f"the first {sample:,} rows" if sample else "rows"
    warnings = []
    for field, header in mapping.items():
        share = missing_share.get(field, 0.0)
        if share > NEARLY_EMPTY and field not in SPARSE_FIELDS:
            # A share is never rounded up to 100%: "any row" means none at all.
            extent = ("any row" + (f" of {rows}" if sample else "")) if share >= 1.0 else f"{int(share * 100)}% of {rows}"
            warnings.append(f"Column '{header}' (used for {field}) has no value in {extent}: check it is the right column.")
    return warnings


def resolve_mapping(
    headers: list[str], overrides: dict[str, str] | None, samples: list[np.ndarray] | None = None
) -> dict[str, str]:
    """Detect, then apply overrides; an override of ``""`` unmaps that field.

    An override may take a header that detection gave to another field: the
    header then leaves that field. Raises ``WorkbenchError`` for an unknown
    field or a header the file does not have.

    >>> resolve_mapping(["Pathway ID", "DTA Date", "Clock Start"], {"wait_start": "DTA Date"})
    {'pathway_id': 'Pathway ID', 'wait_start': 'DTA Date'}
    """
    mapping = detect_mapping(headers, samples)
    for field, header in (overrides or {}).items():
        field = _known_field(field)
        mapping.pop(field, None)
        if not header:
            continue
        header = _known_header(header, headers, field)
        mapping = {f: h for f, h in mapping.items() if h != header}
        mapping[field] = header
    return {f: mapping[f] for f in CANONICAL_FIELDS if f in mapping}


def parse_map_options(options: list[str], headers: list[str]) -> dict[str, str]:
    """Overrides from command-line options such as ``nhs_number=NHS No``.

    A field may be named loosely ("NHS number") and a header matched ignoring
    case and punctuation; ``field=`` unmaps a field. Raises ``WorkbenchError``
    naming an unknown field or header with the closest matches.

    >>> parse_map_options(["nhs number=nhs no", "age="], ["NHS No", "Age"])
    {'nhs_number': 'NHS No', 'age': ''}
    """
    overrides: dict[str, str] = {}
    for option in options:
        field, equals, header = option.partition("=")
        if not equals:
            raise WorkbenchError(f"--map {option}: write it as field=Header, for example nhs_number=\"NHS No\"")
        field = _known_field(field)
        header = header.strip().strip('"').strip("'")
        if field in overrides:
            raise WorkbenchError(f"--map {option}: {field} is mapped more than once")
        overrides[field] = _known_header(header, headers, field) if header else ""
    taken = [h for h in overrides.values() if h]
    twice = sorted({h for h in taken if taken.count(h) > 1})
    if twice:
        raise WorkbenchError(f"--map: the column '{twice[0]}' is given to more than one field")
    return overrides


def _known_field(name: str) -> str:
    wanted = header_key(name)
    for field in CANONICAL_FIELDS:
        if header_key(field) == wanted:
            return field
    close = difflib.get_close_matches(name.strip().lower(), list(CANONICAL_FIELDS), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise WorkbenchError(f"there is no field called '{name.strip()}'; {hint}the fields are {', '.join(CANONICAL_FIELDS)}")


def _known_header(header: str, headers: list[str], field: str) -> str:
    if header in headers:
        return header
    same = [h for h in headers if header_key(h) == header_key(header)]
    if len(same) == 1:
        return same[0]
    close = difflib.get_close_matches(header, headers, n=3, cutoff=0.5)
    hint = f"; close matches: {', '.join(repr(c) for c in close)}" if close else ""
    raise WorkbenchError(f"{field}: the file has no column called '{header}'{hint}")


def missing_required(mapping: dict[str, str]) -> list[str]:
    """Required fields (``fields.REQUIRED_FIELDS``) with no column.

    >>> missing_required({"pathway_id": "Pathway ID"})
    ['wait_start']
    """
    return [field for field in REQUIRED_FIELDS if not mapping.get(field)]


# --- profiles ---------------------------------------------------------------------

_RESERVED_WINDOWS_NAMES = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}


def profile_folder() -> Path:
    """Where mapping profiles are kept for this user: the data folder's ``mapping_profiles``."""
    return user_data_folder() / "mapping_profiles"


def profile_file_name(name: str) -> str:
    """A safe file name for a profile name (same on every system).

    >>> profile_file_name("Trust PTL: weekly / v2")
    'trust-ptl-weekly-v2.json'
    """
    stem = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:80]
    if not stem:
        raise WorkbenchError(f"'{name}' cannot be a profile name: use letters or digits")
    if stem in _RESERVED_WINDOWS_NAMES:
        stem = f"profile-{stem}"
    return f"{stem}.json"


def save_profile(name: str, mapping: dict[str, str], folder=None) -> Path:
    """Save ``mapping`` as profile ``name`` (replacing one of the same name); returns its path."""
    unknown = [f for f in mapping if f not in CANONICAL_FIELDS]
    if unknown:
        raise WorkbenchError(f"profile '{name}': there is no field called '{unknown[0]}'")
    folder = Path(folder) if folder is not None else profile_folder()
    path = folder / profile_file_name(name)
    content = {"name": name.strip(), "version": PROFILE_VERSION, "mapping": {f: h for f, h in mapping.items() if h}}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
        # Written aside then moved, so a crash never leaves a half-written profile.
        os.replace(temporary, path)
    except OSError as error:
        raise WorkbenchError(f"profile '{name}': cannot be saved in {folder} ({error.strerror or error})") from None
    return path


def load_profile(name: str, folder=None) -> dict[str, str]:
    """The mapping saved as profile ``name``.

    Raises ``WorkbenchError`` if there is no such profile (listing those there
    are), or the file is damaged or from a newer version of the workbench.
    """
    folder = Path(folder) if folder is not None else profile_folder()
    path = folder / profile_file_name(name)
    if not path.is_file():
        known = list_profiles(folder)
        listed = ", ".join(f"'{p}'" for p in known) if known else "none saved yet"
        raise WorkbenchError(f"there is no mapping profile called '{name}' (profiles: {listed})")
    return _read_profile(path)["mapping"]


def _read_profile(path: Path) -> dict:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise WorkbenchError(f"{path.name}: the mapping profile is damaged (not readable JSON)") from None
    if not isinstance(content, dict) or not isinstance(content.get("mapping"), dict):
        raise WorkbenchError(f"{path.name}: the mapping profile is damaged (no mapping in it)")
    version = content.get("version", 1)
    if not isinstance(version, int) or version > PROFILE_VERSION:
        raise WorkbenchError(f"{path.name}: the mapping profile was made by a newer version of the workbench")
    mapping = {str(f): str(h) for f, h in content["mapping"].items()}
    unknown = [f for f in mapping if f not in CANONICAL_FIELDS]
    if unknown:
        raise WorkbenchError(f"{path.name}: the mapping profile names an unknown field '{unknown[0]}'")
    return {"name": str(content.get("name") or path.stem), "version": version, "mapping": mapping}


def list_profiles(folder=None) -> list[str]:
    """Names of the saved profiles, sorted; damaged files are left out."""
    folder = Path(folder) if folder is not None else profile_folder()
    if not folder.is_dir():
        return []
    names = []
    for path in folder.glob("*.json"):
        try:
            names.append(_read_profile(path)["name"])
        except WorkbenchError:
            continue
    return sorted(names, key=str.casefold)


def missing_fields(path: Path, progress, cancelled) -> list[str]:
    """Required fields the automatic mapping cannot find in the file's headers, and the census
    date if no column holds it: without one, a person must say which date waits are counted to."""
    headers = readers.preview(path, rows=1).headers
    found = detect_mapping(headers)
    return missing_required(found) + ([] if "census_date" in found else ["census_date"])
