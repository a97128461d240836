"""A synthetic waiting list for trying the workbench: realistic, seeded, never real.

:func:`generate_demo_list` makes a surgical patient-tracking list (PTL) with
the headers a trust extract uses, for a census date: waits with a long tail
past 52 and 78 weeks, priorities mostly P2-P4, real English LSOAs from five
West Yorkshire districts (so every IMD decile appears), an ethnicity mix,
social flags, and NHS numbers from the 999 range reserved for testing.

As in real lists, patients from deprived areas and some ethnic groups have
waited somewhat longer *within the same priority*, so an inclusive-recovery
rule set has a gap to narrow.

From 100 rows up, a handful of deliberate data errors are planted for the
validation checks to find (listed in ``frame.attrs["planted_errors"]``).
Everything is decided by the seed: the same seed gives the same list.

:func:`generate_wlmds_list` writes the same patients as a Waiting List Minimum
Data Set open-pathway extract: about 60 snake_case columns (ISO dates), RTT
and non-RTT list types, some clock stops on or before the census date still
on the list, decision-to-admit and priority-review dates, 2021 LSOAs.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from workbench.report import spreadsheet
from workbench.check.deprivation import ENGLAND_2019
from workbench.errors import WorkbenchError
from workbench.resources import resource_path

DEMO_CENSUS = date(2026, 11, 1)
DEMO_SEED = 2026
MIN_ROWS_FOR_ERRORS = 100
DEMO_DISTRICTS = ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")

# (treatment function code, name, share of the list, typical age, age spread, procedures)
SPECIALTIES = (
    ("110", "Trauma & Orthopaedics", 0.22, 63, 14, ("Total hip replacement", "Total knee replacement", "Carpal tunnel release", "Shoulder arthroscopy", "Bunion correction")),
    ("130", "Ophthalmology", 0.15, 72, 10, ("Cataract extraction", "Vitrectomy", "Trabeculectomy")),
    ("100", "General Surgery", 0.14, 52, 16, ("Inguinal hernia repair", "Laparoscopic cholecystectomy", "Umbilical hernia repair")),
    ("101", "Urology", 0.10, 62, 14, ("Transurethral resection of prostate", "Ureteroscopy", "Circumcision", "Cystoscopy and biopsy")),
    ("120", "ENT", 0.10, 30, 20, ("Tonsillectomy", "Septoplasty", "Grommet insertion", "Sinus surgery")),
    ("502", "Gynaecology", 0.10, 45, 12, ("Hysterectomy", "Hysteroscopy", "Diagnostic laparoscopy")),
    ("330", "Dermatology", 0.05, 62, 15, ("Excision of skin lesion", "Mohs surgery")),
    ("104", "Colorectal Surgery", 0.05, 55, 15, ("Haemorrhoidectomy", "Pilonidal sinus excision")),
    ("144", "Maxillo-facial Surgery", 0.05, 35, 15, ("Wisdom tooth extraction", "Jaw cyst removal")),
    ("107", "Vascular Surgery", 0.04, 58, 13, ("Varicose vein surgery", "Carotid endarterectomy")),
)
CONSULTANTS = ("Mr A Ashworth", "Ms B Okafor", "Mr C Iqbal", "Dr D Lindqvist", "Ms E Brennan", "Mr F Mensah",
               "Ms G Hartley", "Mr H Chaudhry", "Dr I Novak", "Ms J Whitaker")
SITES = ("Northfield General", "Eastbrook Hospital", "Westgate Treatment Centre")

PRIORITIES = ("P1b", "P2", "P3", "P4", "P5", "P6")
PRIORITY_SHARES = (0.01, 0.12, 0.25, 0.48, 0.08, 0.06)
# Gamma (shape, scale in weeks) of the wait so far, per priority: P4-P6 have the long tail.
WAIT_GAMMA = {"P1b": (1.0, 0.4), "P2": (2.0, 3.0), "P3": (2.5, 7.0), "P4": (1.5, 17.0), "P5": (2.0, 18.0), "P6": (2.0, 20.0)}
# Spellings of the same priority seen in real extracts (the importer understands them).
PRIORITY_SPELLINGS = {"P2": "P 2", "P3": "Priority 3", "P4": "4"}

# Ethnic category codes and their shares; in deprived areas the Asian codes are likelier.
ETHNICITY_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99")
ETHNICITY_SHARES = (0.62, 0.01, 0.04, 0.008, 0.005, 0.01, 0.007, 0.03, 0.09, 0.01, 0.015, 0.01, 0.015, 0.005, 0.005, 0.01, 0.04, 0.06)
ASIAN_CODES = ("H", "J", "K", "L")

# How much longer people wait within a priority: the inequity the demo is there to show.
WAIT_FACTOR_BY_DECILE = (1.30, 1.22, 1.15, 1.10, 1.05, 1.0, 1.0, 0.97, 0.94, 0.92)
WAIT_FACTOR_BY_GROUP = {"Asian": 1.12, "Black": 1.15, "Mixed": 1.06, "Other": 1.08}
GROUP_OF_CODE = {**dict.fromkeys("DEFG", "Mixed"), **dict.fromkeys(ASIAN_CODES, "Asian"), **dict.fromkeys("MNP", "Black"),
                 **dict.fromkeys("RS", "Other")}

HEADERS = (
    "Pathway ID", "NHS Number", "Census Date", "Specialty", "Specialty Name", "Procedure", "Priority",
    "RTT Clock Start", "Date of Birth", "Sex", "Ethnicity", "LSOA", "Site", "Consultant", "TCI Date",
    "Waiting List Type", "Return to work", "Carer", "Learning disability", "Frailty score",
)
DATE_HEADERS = ("Census Date", "RTT Clock Start", "Date of Birth", "TCI Date")
FORMATS = ("ptl", "wlmds")

# WLMDS open pathways, in the order the data set lists them; the columns the workbench
# does not use are filled plausibly or left blank, as real submissions often do.
WLMDS_HEADERS = (
    "week_ending_date", "organisation_identifier_code_of_provider", "organisation_site_identifier_of_treatment",
    "organisation_identifier_code_of_commissioner", "general_medical_practice_code", "local_patient_identifier",
    "nhs_number", "person_birth_date", "person_stated_gender_code", "ethnic_category", "lsoa_2021",
    "waiting_list_type", "referral_identifier", "patient_pathway_identifier",
    "organisation_code_patient_pathway_identifier_issuer", "organisation_identifier_referring_organisation",
    "referral_request_received_date", "original_referral_request_received_date", "source_of_referral",
    "priority_type_code", "referral_to_treatment_period_start_date", "referral_to_treatment_period_end_date",
    "referral_to_treatment_period_status", "current_pathway_period_start_date", "main_specialty_code",
    "activity_treatment_function_code", "consultant_code", "outpatient_future_appointment_date", "due_date",
    "outpatient_appointment_date", "date_last_attended", "last_dna_date", "cancellation_date",
    "outcome_of_attendance_code", "decision_to_admit_date", "tci_date", "tci_date_provided",
    "proposed_procedure_opcs_code", "admission_method_code_hospital_provider_spell", "intended_management_code",
    "procedure_priority_code", "diagnostic_priority_code", "date_of_last_priority_review",
    "last_pas_validation_date", "inclusion_on_cancer_ptl", "dm_icb_commissioner", "dm_sub_icb_commissioner",
    "asa_physical_status_classification_system_code", "transfer_status", "mutual_aid_accepting_provider",
    "first_activity_date", "first_activity_type", "decision_to_treat_date", "unique_booking_reference_number",
    "preliminary_screening_and_risk_assessment_date", "action_following_preliminary_screening_and_risk_assessment",
    "date_and_time_data_set_created", "der_submission_id", "der_row_id", "der_age_week_ending_date",
)
# 2021 LSOAs with no 2011 code of the same name: a WLMDS file carries them.
LSOA_2021_ONLY = ("E01033769", "E01034500", "E01035722")
NON_RTT_SHARE, CLOCK_STOPPED_SHARE, REVIEWED_SHARE, MUTUAL_AID_SHARE = 0.06, 0.015, 0.4, 0.02
PROVIDER, SITE_CODES = "RXX", ("RXX01", "RXX02", "RXX03")
OPCS_OF_SPECIALTY = {"110": "W371", "130": "C751", "100": "T201", "101": "M651", "120": "F341", "502": "Q074",
                     "330": "S062", "104": "H511", "144": "F091", "107": "L852"}


def generate_demo_list(rows: int = 5000, seed: int = DEMO_SEED, census_date: date = DEMO_CENSUS) -> pd.DataFrame:
    """A synthetic PTL of ``rows`` rows, the same for the same seed and census date.

    Date columns are ``datetime64``; everything else is text except "Frailty
    score" (a number, blank under 65). ``frame.attrs["planted_errors"]`` maps
    each deliberate error to the 0-based rows it was planted on.

    >>> frame = generate_demo_list(200, seed=1)
    >>> len(frame), frame.columns[:3].tolist()
    (200, ['Pathway ID', 'NHS Number', 'Census Date'])
    """
    if rows < 1:
        raise WorkbenchError(f"A demo list needs at least one row (asked for {rows})")
    rng = np.random.default_rng(seed)
    census = np.datetime64(census_date, "D")
    people = _people(rng, rows, census)
    waits = _waits(rng, people)
    frame = pd.DataFrame({**_identifiers(rng, people["specialty"]), **_pathways(rng, people, waits, census), **_social(rng, people)})
    frame = frame[list(HEADERS)]
    frame.attrs["planted_errors"] = _plant_errors(frame, rng, census) if rows >= MIN_ROWS_FOR_ERRORS else {}
    return frame


def write_demo_list(
    path: str | os.PathLike, rows: int = 5000, seed: int = DEMO_SEED, census_date: date = DEMO_CENSUS,
    form: str = "ptl",
) -> int:
    """Write a demo list to ``path``: CSV (UTF-8 with BOM) or xlsx, by extension.

    ``form`` is ``"ptl"`` (a trust's PTL, dd/mm/yyyy dates) or ``"wlmds"`` (a
    WLMDS open-pathway extract, ISO dates). Returns the number of rows written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise WorkbenchError(f"{path.name}: a demo list can be written as .csv or .xlsx, not '{suffix or 'no extension'}'")
    if form not in FORMATS:
        raise WorkbenchError(f"'{form}' is not a demo list format: choose {' or '.join(FORMATS)}")
    if not path.parent.is_dir():
        raise WorkbenchError(f"{path.name}: the folder {path.parent} does not exist")
    frame = generate_demo_list(rows, seed, census_date) if form == "ptl" else generate_wlmds_list(rows, seed, census_date)
    return write_frame(path, frame, iso=form == "wlmds")


def write_frame(path: Path, frame: pd.DataFrame, iso: bool = False) -> int:
    """Write a demo frame to ``path`` (.csv or .xlsx) as a trust would: dates as ISO text if ``iso``, else dates."""
    path = Path(path)
    headers = tuple(frame.columns)
    cells = list(zip(*(_cells(frame[h], iso=iso) for h in headers)))
    try:
        if path.suffix.lower() == ".csv":
            return spreadsheet.write_csv(path, headers, cells)
        return _write_xlsx(path, headers, cells)
    except PermissionError:
        raise WorkbenchError(f"{path.name}: cannot write the file (is it open in Excel?)") from None


def _write_xlsx(path: Path, headers: tuple[str, ...], cells: list[tuple]) -> int:
    book = Workbook(write_only=True)
    written = spreadsheet.write_table(book.create_sheet("Waiting list"), headers, cells)
    book.save(path)
    return written


def _cells(column: pd.Series, iso: bool = False) -> list:
    """Plain Python values for writing: dates (ISO text if ``iso``), whole numbers as int, None for blanks."""
    if column.dtype.kind == "M":
        days = column.to_numpy(dtype="datetime64[D]")
        return [None if np.isnat(d) else (str(d) if iso else d.item()) for d in days]
    if column.name == "Frailty score":
        return [None if np.isnan(v) else int(v) for v in column.to_numpy(dtype=np.float64)]
    return [None if pd.isna(v) else v for v in column.to_numpy(dtype=object)]


# -- the people -------------------------------------------------------------------------


def _people(rng: np.random.Generator, rows: int, census: np.datetime64) -> dict[str, np.ndarray]:
    """Specialty, age, sex, area and ethnicity for each row."""
    specialty = rng.choice(len(SPECIALTIES), size=rows, p=_shares([s[2] for s in SPECIALTIES]))
    age = _ages(rng, specialty)
    lsoa, decile = _areas(rng, rows)
    return {
        "specialty": specialty,
        "age": age,
        "sex": _sexes(rng, specialty),
        "lsoa": lsoa,
        "decile": decile,
        "ethnicity": _ethnicities(rng, decile),
        "date_of_birth": census - (age * 365.25 + rng.integers(0, 365, rows)).astype("timedelta64[D]"),
    }


def _shares(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    return weights / weights.sum()


def _ages(rng: np.random.Generator, specialty: np.ndarray) -> np.ndarray:
    typical = np.array([s[3] for s in SPECIALTIES])[specialty]
    spread = np.array([s[4] for s in SPECIALTIES])[specialty]
    return np.clip(np.round(rng.normal(typical, spread)), 1, 97).astype(np.int64)


def _sexes(rng: np.random.Generator, specialty: np.ndarray) -> np.ndarray:
    sex = np.where(rng.random(len(specialty)) < 0.5, "Female", "Male").astype(object)
    sex[np.array([s[0] for s in SPECIALTIES])[specialty] == "502"] = "Female"
    sex[rng.random(len(specialty)) < 0.003] = "Not known"
    return sex


def _areas(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Real LSOAs from the demo districts, each equally likely, with their IMD deciles."""
    areas = _district_lsoas()
    picked = rng.integers(0, len(areas), rows)
    return areas["code"].to_numpy(dtype=object)[picked], areas["decile"].to_numpy(dtype=np.int64)[picked]


def _district_lsoas() -> pd.DataFrame:
    english = pd.read_csv(resource_path("deprivation", ENGLAND_2019), encoding="utf-8-sig", usecols=[0, 3, 5])
    english.columns = ["code", "district", "decile"]
    return english[english["district"].isin(DEMO_DISTRICTS)].reset_index(drop=True)


def _ethnicities(rng: np.random.Generator, decile: np.ndarray) -> np.ndarray:
    """Ethnic category codes; Asian codes two and a half times likelier in deciles 1-3."""
    codes = np.array(ETHNICITY_CODES, dtype=object)
    base = np.array(ETHNICITY_SHARES)
    boosted = base * np.where(np.isin(codes, ASIAN_CODES), 2.5, 1.0)
    deprived = decile <= 3
    chosen = np.empty(len(decile), dtype=object)
    chosen[deprived] = rng.choice(codes, size=int(deprived.sum()), p=_shares(boosted))
    chosen[~deprived] = rng.choice(codes, size=int((~deprived).sum()), p=_shares(base))
    return chosen


# -- the pathways -----------------------------------------------------------------------


def _waits(rng: np.random.Generator, people: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Priority and days waited so far, longer for deprived areas and some ethnic groups."""
    rows = len(people["age"])
    priority = np.array(PRIORITIES, dtype=object)[rng.choice(len(PRIORITIES), size=rows, p=_shares(PRIORITY_SHARES))]
    weeks = np.empty(rows)
    for code, (shape, scale) in WAIT_GAMMA.items():
        chosen = priority == code
        weeks[chosen] = rng.gamma(shape, scale, int(chosen.sum()))
    group_factor = {code: WAIT_FACTOR_BY_GROUP[group] for code, group in GROUP_OF_CODE.items()}
    factor = np.array(WAIT_FACTOR_BY_DECILE)[people["decile"] - 1]
    factor *= pd.Series(people["ethnicity"]).map(group_factor).fillna(1.0).to_numpy(dtype=np.float64)
    return {"priority": priority, "days": np.round(weeks * factor * 7).astype(np.int64)}


def _identifiers(rng: np.random.Generator, specialty: np.ndarray) -> dict[str, np.ndarray]:
    rows = len(specialty)
    pathway = rng.choice(10**9, size=rows, replace=False)
    # Handed out in specialty order, so when a very long list runs out of test-range
    # numbers and one repeats, the repeat lands in another specialty: a patient on
    # two lists, not a duplicate the validation would flag.
    numbers = np.empty(rows, dtype=object)
    numbers[np.argsort(specialty, kind="stable")] = demo_nhs_numbers(rng, rows)
    spaced = rng.random(rows) < 0.1  # some systems export "999 123 4567"
    numbers[spaced] = [f"{n[:3]} {n[3:6]} {n[6:]}" for n in numbers[spaced]]
    return {"Pathway ID": np.array([f"RTT{p:09d}" for p in pathway], dtype=object), "NHS Number": numbers}


def demo_nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct NHS numbers from 999 000 0000 to 999 999 9999 (the range kept for testing).

    There are about 909,000 valid ones; past that they repeat.

    >>> from workbench.read.nhs_number import is_valid_nhs_number
    >>> numbers = demo_nhs_numbers(np.random.default_rng(0), 50)
    >>> all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers), len(set(numbers))
    (True, 50)
    """
    # About one body in eleven has no valid check digit: draw a fifth more than needed.
    bodies = 999_000_000 + rng.permutation(1_000_000)[: min(1_000_000, count + count // 5 + 50)]
    digits = (bodies[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0
    valid = check != 10
    numbers = bodies[valid] * 10 + check[valid]
    return np.resize(numbers, count).astype(str).astype(object)


def _pathways(rng: np.random.Generator, people: dict, waits: dict, census: np.datetime64) -> dict[str, np.ndarray]:
    rows = len(people["age"])
    specialty = people["specialty"]
    codes = np.array([s[0] for s in SPECIALTIES], dtype=object)
    return {
        "Census Date": np.full(rows, census, dtype="datetime64[D]"),
        "Specialty": codes[specialty],
        "Specialty Name": np.array([s[1] for s in SPECIALTIES], dtype=object)[specialty],
        "Procedure": _procedures(rng, specialty),
        "Priority": _spelled(rng, waits["priority"]),
        "RTT Clock Start": census - waits["days"].astype("timedelta64[D]"),
        "Date of Birth": people["date_of_birth"],
        "Sex": people["sex"],
        "Ethnicity": people["ethnicity"],
        "LSOA": people["lsoa"],
        "Site": np.array(SITES, dtype=object)[rng.integers(0, len(SITES), rows)],
        "Consultant": np.array(CONSULTANTS, dtype=object)[(specialty * 3 + rng.integers(0, 3, rows)) % len(CONSULTANTS)],
        "TCI Date": _tci_dates(rng, waits["priority"], census),
        "Waiting List Type": np.where(rng.random(rows) < 0.85, "IRTT", "ORTT").astype(object),
    }


def _procedures(rng: np.random.Generator, specialty: np.ndarray) -> np.ndarray:
    """One of the specialty's procedures for each row, equally likely."""
    names = np.array([name for s in SPECIALTIES for name in s[5]], dtype=object)
    counts = np.array([len(s[5]) for s in SPECIALTIES])
    starts = np.cumsum(counts) - counts
    return names[starts[specialty] + (rng.random(len(specialty)) * counts[specialty]).astype(np.int64)]


def _spelled(rng: np.random.Generator, priority: np.ndarray) -> np.ndarray:
    """Priorities as extracts write them: mostly "P3", sometimes "Priority 3" and the like."""
    spelled = priority.copy()
    variant = rng.random(len(priority)) < 0.04
    for code, spelling in PRIORITY_SPELLINGS.items():
        spelled[variant & (priority == code)] = spelling
    return spelled


def _tci_dates(rng: np.random.Generator, priority: np.ndarray, census: np.datetime64) -> np.ndarray:
    """A booked admission date for some patients, likelier for urgent priorities."""
    chance = np.where(np.isin(priority, ("P1b", "P2")), 0.5, np.where(priority == "P3", 0.25, 0.1))
    booked = rng.random(len(priority)) < chance
    tci = census + rng.integers(1, 57, len(priority)).astype("timedelta64[D]")
    return np.where(booked, tci, np.datetime64("NaT", "D"))


def _social(rng: np.random.Generator, people: dict) -> dict[str, np.ndarray]:
    """Social-value flags (Y/N) and a Clinical Frailty Scale score for those 65 and over."""
    rows = len(people["age"])
    age = people["age"]
    working_age = (age >= 18) & (age <= 64)
    frailty = np.clip(np.round(rng.normal(2.5 + (age - 65) / 8, 1.2)), 1, 9)
    return {
        "Return to work": _yes_no(working_age & (rng.random(rows) < 0.18)),
        "Carer": _yes_no((age >= 18) & (rng.random(rows) < 0.08)),
        "Learning disability": _yes_no(rng.random(rows) < 0.02),
        "Frailty score": np.where(age >= 65, frailty, np.nan),
    }


def _yes_no(flags: np.ndarray) -> np.ndarray:
    return np.where(flags, "Y", "N").astype(object)


# -- deliberate data errors -------------------------------------------------------------


def _plant_errors(frame: pd.DataFrame, rng: np.random.Generator, census: np.datetime64) -> dict[str, list[int]]:
    """Put a few known errors into the list, each on its own row; returns error -> rows."""
    spots = iter(rng.choice(len(frame), size=24, replace=False).tolist())
    planted: dict[str, list[int]] = {}

    def put(error: str, count: int, header: str, value) -> list[int]:
        rows = [next(spots) for _ in range(count)]
        for row in rows:
            frame.loc[row, header] = value(row) if callable(value) else value
        planted[error] = rows
        return rows

    put("invalid_nhs_number", 3, "NHS Number", lambda row: _wrong_check_digit(frame.loc[row, "NHS Number"]))
    put("missing_nhs_number", 1, "NHS Number", None)
    _plant_duplicates(frame, spots, planted)
    put("placeholder_clock_start", 1, "RTT Clock Start", pd.Timestamp("1900-01-01"))
    put("future_clock_start", 1, "RTT Clock Start", pd.Timestamp(census + np.timedelta64(10, "D")))
    put("missing_priority", 3, "Priority", None)
    put("unknown_priority", 1, "Priority", "urgent")
    put("pseudo_code_lsoa", 1, "LSOA", "E99999999")
    put("channel_islands_pseudo_code_lsoa", 1, "LSOA", "L99999999")
    put("ethnicity_not_a_code", 1, "Ethnicity", "X")
    put("age_over_120", 1, "Date of Birth", pd.Timestamp("1901-03-15"))
    put("born_after_census", 1, "Date of Birth", pd.Timestamp(census + np.timedelta64(30, "D")))
    return planted


def _plant_duplicates(frame: pd.DataFrame, spots, planted: dict[str, list[int]]) -> None:
    """A row copied whole, a pathway ID reused, and one patient twice in a specialty."""
    original, copy = next(spots), next(spots)
    frame.loc[copy] = frame.loc[original]
    reused_from, reused_on = next(spots), next(spots)
    frame.loc[reused_on, "Pathway ID"] = frame.loc[reused_from, "Pathway ID"]
    planted["duplicate_pathway"] = sorted([original, copy, reused_from, reused_on])
    first, second = next(spots), next(spots)
    frame.loc[second, ["NHS Number", "Specialty", "Specialty Name"]] = frame.loc[
        first, ["NHS Number", "Specialty", "Specialty Name"]
    ].to_numpy()
    planted["same_patient_same_specialty"] = sorted([first, second])


# -- the WLMDS shape ---------------------------------------------------------------------


def generate_wlmds_list(rows: int = 5000, seed: int = DEMO_SEED, census_date: date = DEMO_CENSUS) -> pd.DataFrame:
    """The demo patients as a WLMDS open-pathway extract (``WLMDS_HEADERS``), the same for the same seed.

    ``frame.attrs`` holds the rows with a clock stop on or before the census
    date (``"clock_stopped"``), the non-RTT rows (``"non_rtt"``) and the
    planted errors of the PTL it was made from.

    >>> frame = generate_wlmds_list(300, seed=1)
    >>> len(frame.columns), bool(frame["waiting_list_type"].isin(["IRTT", "ORTT", "INON", "ONON"]).all())
    (60, True)
    """
    ptl = generate_demo_list(rows, seed, census_date)
    rng = np.random.default_rng(seed + 1)
    census = np.datetime64(census_date, "D")
    clock_start = ptl["RTT Clock Start"].to_numpy(dtype="datetime64[D]")
    list_type, non_rtt = _wlmds_list_types(rng, ptl)
    columns = {**_wlmds_people(rng, ptl), **_wlmds_pathway(rng, ptl, list_type, clock_start, census)}
    stop, stopped = _clock_stops(rng, clock_start, census)
    columns["referral_to_treatment_period_end_date"] = stop
    frame = pd.DataFrame(columns).reindex(columns=list(WLMDS_HEADERS))
    frame.attrs = {"planted_errors": ptl.attrs["planted_errors"], "clock_stopped": stopped, "non_rtt": non_rtt}
    return frame


def _wlmds_list_types(rng: np.random.Generator, ptl: pd.DataFrame) -> tuple[np.ndarray, list[int]]:
    """IRTT or ORTT as the PTL had it; a few rows become non-RTT (INON, ONON)."""
    rtt = ptl["Waiting List Type"].to_numpy(dtype=object).copy()
    non_rtt = rng.random(len(rtt)) < NON_RTT_SHARE
    rtt[non_rtt] = np.where(rtt[non_rtt] == "IRTT", "INON", "ONON")
    return rtt, np.flatnonzero(non_rtt).tolist()


def _wlmds_people(rng: np.random.Generator, ptl: pd.DataFrame) -> dict[str, np.ndarray]:
    rows = len(ptl)
    gender = {"Male": "1", "Female": "2", "Not known": "X"}
    lsoa = ptl["LSOA"].to_numpy(dtype=object).copy()
    newer = rng.random(rows) < 0.01  # a few areas only the 2021 boundaries have
    lsoa[newer] = np.array(LSOA_2021_ONLY, dtype=object)[rng.integers(0, len(LSOA_2021_ONLY), int(newer.sum()))]
    born = ptl["Date of Birth"].to_numpy(dtype="datetime64[D]")
    census = ptl["Census Date"].to_numpy(dtype="datetime64[D]")
    return {
        "nhs_number": np.array([None if pd.isna(n) else str(n).replace(" ", "") for n in ptl["NHS Number"]], dtype=object),
        "local_patient_identifier": np.array([f"L{n:07d}" for n in rng.choice(10**7, rows, replace=False)], dtype=object),
        "person_birth_date": born,
        "person_stated_gender_code": ptl["Sex"].map(gender).to_numpy(dtype=object),
        "ethnic_category": ptl["Ethnicity"].to_numpy(dtype=object),
        "lsoa_2021": lsoa,
        "der_age_week_ending_date": ((census - born).astype(np.int64) // 365.25).astype(np.int64),
        "general_medical_practice_code": np.array([f"B{n:05d}" for n in rng.integers(80000, 87000, rows)], dtype=object),
        "organisation_identifier_code_of_commissioner": np.full(rows, "15F", dtype=object),
    }


def _wlmds_pathway(rng: np.random.Generator, ptl: pd.DataFrame, list_type, clock_start, census) -> dict[str, np.ndarray]:
    rows = len(ptl)
    specialty = ptl["Specialty"].to_numpy(dtype=object)
    listed = _listing_dates(rng, clock_start, census, list_type)
    priority = ptl["Priority"].map(lambda p: p if pd.isna(p) else _wlmds_priority(p)).to_numpy(dtype=object)
    return {
        "week_ending_date": np.full(rows, census, dtype="datetime64[D]"),
        "organisation_identifier_code_of_provider": np.full(rows, PROVIDER, dtype=object),
        "organisation_site_identifier_of_treatment": np.array(SITE_CODES, dtype=object)[rng.integers(0, 3, rows)],
        "waiting_list_type": list_type,
        "patient_pathway_identifier": ptl["Pathway ID"].to_numpy(dtype=object),
        "referral_identifier": np.array([f"REF{n:08d}" for n in rng.choice(10**8, rows, replace=False)], dtype=object),
        "referral_request_received_date": clock_start,
        "referral_to_treatment_period_start_date": clock_start,
        "referral_to_treatment_period_status": np.where(listed >= clock_start, "30", "10").astype(object),
        "main_specialty_code": specialty,
        "activity_treatment_function_code": specialty,
        "consultant_code": np.array([f"C{n:07d}" for n in rng.integers(1_000_000, 9_999_999, rows)], dtype=object),
        "decision_to_admit_date": listed,
        "tci_date": ptl["TCI Date"].to_numpy(dtype="datetime64[D]"),
        "proposed_procedure_opcs_code": np.array([OPCS_OF_SPECIALTY.get(s) for s in specialty], dtype=object),
        "procedure_priority_code": priority,
        "priority_type_code": np.full(rows, "1", dtype=object),
        "date_of_last_priority_review": _priority_reviews(rng, listed, census),
        "last_pas_validation_date": _validation_dates(rng, clock_start, census),
        "mutual_aid_accepting_provider": np.where(rng.random(rows) < MUTUAL_AID_SHARE, "RYY", None).astype(object),
        "der_row_id": np.arange(1, rows + 1),
    }


def _wlmds_priority(spelled: str) -> str:
    """A PTL's priority as WLMDS writes it: "P3", never "Priority 3"."""
    digits = "".join(c for c in spelled if c.isdigit())
    return spelled if spelled.startswith("P") and " " not in spelled else f"P{digits}" if digits else spelled


def _listing_dates(rng, clock_start: np.ndarray, census: np.datetime64, list_type: np.ndarray) -> np.ndarray:
    """A decision to admit for admitted pathways, some weeks after the clock start (never after the census)."""
    listed = clock_start + rng.integers(14, 120, len(clock_start)).astype("timedelta64[D]")
    admitted = np.isin(list_type, ("IRTT", "INON")) & (listed <= census)
    return np.where(admitted, listed, np.datetime64("NaT", "D"))


def _priority_reviews(rng, listed: np.ndarray, census: np.datetime64) -> np.ndarray:
    """A priority review for some listed patients, between listing and the census date."""
    span = np.maximum((census - listed).astype(np.int64), 1)
    reviewed = listed + (rng.random(len(listed)) * span).astype(np.int64).astype("timedelta64[D]")
    chosen = ~np.isnat(listed) & (rng.random(len(listed)) < REVIEWED_SHARE)
    return np.where(chosen, reviewed, np.datetime64("NaT", "D"))


def _validation_dates(rng, clock_start: np.ndarray, census: np.datetime64) -> np.ndarray:
    """Last PAS validation: within the last year for most, never for a few."""
    last = census - rng.integers(0, 365, len(clock_start)).astype("timedelta64[D]")
    valid = (last >= clock_start) & (rng.random(len(clock_start)) < 0.8)
    return np.where(valid, last, np.datetime64("NaT", "D"))


def _clock_stops(rng, clock_start: np.ndarray, census: np.datetime64) -> tuple[np.ndarray, list[int]]:
    """A few pathways whose clock stopped on or before the census date but are still on the list."""
    plausible = (clock_start < census) & (clock_start > np.datetime64("1950-01-01"))
    chosen = plausible & (rng.random(len(clock_start)) < CLOCK_STOPPED_SHARE)
    span = np.maximum((census - clock_start).astype(np.int64), 1)
    stop = clock_start + (1 + rng.random(len(clock_start)) * (span - 1)).astype(np.int64).astype("timedelta64[D]")
    return np.where(chosen, stop, np.datetime64("NaT", "D")), np.flatnonzero(chosen).tolist()


def _wrong_check_digit(number: str) -> str:
    """The same NHS number with its last digit changed, so the modulus 11 check fails."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)
