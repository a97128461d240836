"""Import a waiting-list file into a workspace: read, map, normalise, enrich, check, store.

Nothing is lost: every data row read is stored (rows with problems are stored
and flagged, never dropped), fully blank rows are counted, and the import
record keeps the file's sha256 and the mapping used. The import is atomic: a
bad file or a Cancel leaves the workspace exactly as it was.

>>> # import_file("list.xlsx", "ward.sqlite", census_date=date(2026, 11, 1))
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from workbench import formats
from workbench.read import codes, readers
from workbench.check import deprivation, validation
from workbench.read.dates import implausible_dates
from workbench.check import enrich as enrichment
from workbench.read import mapping as mapping_rules
from workbench.store import pseudonymise as pseudonymisation
from workbench.store import snapshots
from workbench.fields import CANONICAL_FIELDS, FIELD_KINDS, KnownCodes, WaitingList, empty_column
from workbench.read.normalise import normalise_fields
from workbench.read.table import RawTable
from workbench.progress import CancelCheck, Progress, check, never, no_progress, scaled
from workbench.errors import WorkbenchError
from workbench.store.workspace import EncodedAhead, Workspace

DETECTION_SAMPLE_ROWS = 2000  # enough to tell an empty column from a populated one
DEPRIVATION_EDITION_SETTING = "deprivation_edition"


@dataclass
class ImportResult:
    """What an import did, for the command line and the app."""

    file_name: str
    rows_read: int
    rows_stored: int
    blank_rows: int
    findings: dict[str, int]
    mapping: dict[str, str]
    census_date: date
    sha256: str
    sheet: str | None = None
    unmapped: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deprivation: dict = field(default_factory=dict)  # deprivation.link_summary: indices used, what was carried
    pseudonymised: list[str] = field(default_factory=list)  # what pseudonymising did, column by column
    snapshot: snapshots.Added | None = None  # which snapshot the list became (workbench.store.snapshots)

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "sheet": self.sheet,
            "rows_read": self.rows_read,
            "rows_stored": self.rows_stored,
            "blank_rows": self.blank_rows,
            "census_date": self.census_date.isoformat(),
            "mapping": self.mapping,
            "unmapped_columns": self.unmapped,
            "dropped_columns": self.dropped_columns,
            "pseudonymised": self.pseudonymised,
            "warnings": self.warnings,
            "deprivation": self.deprivation,
            "findings": self.findings,
            "snapshot": self.snapshot.as_dict() if self.snapshot else None,
        }


def import_file(
    path: str | os.PathLike,
    workspace_path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    overrides: dict[str, str] | None = None,
    census_date: date | None = None,
    header_row: int | None = None,
    pseudonymise: bool = False,
    deprivation_edition: str = deprivation.CURRENT,
    key_file: str | os.PathLike | None = None,
    snapshot: bool = False,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never,
) -> ImportResult:
    """Import ``path`` into the workspace at ``workspace_path`` (created if missing).

    ``overrides`` maps canonical fields to source headers and wins over
    auto-detection. ``census_date`` wins over a census column in the file,
    which wins over today. ``deprivation_edition`` is ``"2025"`` (IoD2025,
    WIMD 2025; the default) or ``"2019"`` (IoD2019, WIMD 2019). ``pseudonymise``
    replaces or leaves out identifiers (:mod:`workbench.store.pseudonymise`), with the
    key in ``key_file`` if given, else in the user's data folder. ``snapshot``
    adds the list as a new weekly snapshot after the workspace's newest
    (:mod:`workbench.store.snapshots`); without it the list replaces the newest. Raises
    :class:`WorkbenchError` for a file the workbench cannot use and
    :class:`Cancelled` if ``cancelled()`` turns true; either way the workspace
    is unchanged.
    """
    path = Path(path)
    # hashlib lets go of the GIL: the file's fingerprint is worked out beside the reading.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hashing:
        digest = hashing.submit(file_sha256, path)
        raw = readers.read_table(path, sheet, header_row=header_row, progress=scaled(progress, 0.0, 0.35),
                                 cancelled=cancelled)
    digest = digest.result()
    if raw.rows_read == 0:
        raise WorkbenchError(f"{path.name}: the file has headers but no rows of data; nothing was imported")
    samples = [column[:DETECTION_SAMPLE_ROWS] for column in raw.columns]
    mapping = _resolve_mapping(path, raw.headers, overrides, samples)
    linking = deprivation.Linking(deprivation_edition, mapping.get("lsoa"))
    # The columns as read are stored as they are: their encoding can start now, beside the
    # checks, and the typed ones' once made. Not when pseudonymising, which replaces and
    # drops some of them first.
    ahead = None if pseudonymise else EncodedAhead()
    if ahead:
        ahead.start_source(raw.as_dict(), raw.known_codes)
    try:
        check(cancelled)
        progress(0.4, "Checking values")
        date_notes: dict[str, str] = {}
        wl = build_list(raw, mapping, census_date, date_notes, linking)
        if ahead:
            ahead.start_list(wl)
        check(cancelled)
        progress(0.5, "Checking data quality")
        findings = validation.validate(wl, mapping)
        # A key kept in the workspace by earlier versions is taken out of it by every import.
        settings: dict[str, str | None] = {pseudonymisation.LEGACY_KEY_SETTING: None}
        done = pseudonymisation.Pseudonymisation()
        if pseudonymise:
            progress(0.52, "Pseudonymising")
            key, settings, key_notes = pseudonymisation.pseudonym_key(_workspace_settings(workspace_path), key_file)
            findings, done = pseudonymisation.pseudonymise_list(wl, mapping, findings, key)
            done.notes = key_notes
        check(cancelled)
        settings[DEPRIVATION_EDITION_SETTING] = linking.edition
        record = _import_record(path, raw, wl, mapping, digest, pseudonymise) | {"settings": settings}
        added = _store(wl, findings, record, workspace_path, scaled(progress, 0.55, 1.0), cancelled, ahead, snapshot)
    finally:
        if ahead:
            ahead.cancel()  # those not started, if the import stopped early
    linked = deprivation.link_summary(wl.columns, linking, wl.known_codes)
    return ImportResult(
        file_name=path.name,
        rows_read=raw.rows_read,
        rows_stored=len(wl),
        blank_rows=raw.blank_rows,
        findings={f.code: len(f.rows) for f in findings},  # a row is in a finding once
        mapping=mapping,
        census_date=wl.census_date,
        sha256=digest,
        sheet=raw.sheet,
        unmapped=[h for h in raw.headers if h not in mapping.values()],
        dropped_columns=list(done.left_out),
        warnings=raw.notes + done.notes + ([done.summary()] if pseudonymise else [])
        + import_warnings(wl.census_date, census_date, mapping, date_notes, latest_date(wl.columns["wait_start"]))
        + list_warnings(wl, mapping) + deprivation.link_warnings(linked) + added.notes,
        deprivation=linked,
        pseudonymised=done.sentences(),
        snapshot=added,
    )


def _import_record(path: Path, raw, wl: WaitingList, mapping, digest: str, pseudonymise: bool) -> dict:
    """What the workspace keeps about this import (no file path when pseudonymised)."""
    return {
        "file_name": path.name,
        "file_path": None if pseudonymise else str(path.resolve()),
        "sha256": digest,
        "sheet": raw.sheet,
        "header_row": raw.header_row,
        "rows_read": raw.rows_read,
        "rows_stored": len(wl),
        "blank_rows": raw.blank_rows,
        "mapping": mapping,
        "census_date": wl.census_date,
    }


def build_list(
    raw: RawTable,
    mapping: dict[str, str],
    census_date: date | None,
    date_notes: dict | None = None,
    linking: deprivation.Linking | None = None,
) -> WaitingList:
    """Typed canonical and derived columns over the raw text, ready to check and store."""
    by_header = dict(zip(raw.headers, raw.columns))
    n = raw.rows_read
    known = KnownCodes()
    known.update(raw.known_codes)
    typed = normalise_fields({f: by_header[h] for f, h in mapping.items()}, date_notes, known)
    columns = {f: typed.get(f, empty_column(kind, n)) for f, kind in CANONICAL_FIELDS.items()}
    census = census_date or _census_from_file(columns["census_date"]) or date.today()
    derived = enrichment.enrich(columns, census, known=known, linking=linking)
    columns["imd_decile"] = _prefer_lsoa_decile(derived.pop("imd_decile", None), columns["imd_decile"])
    columns.update(derived)
    columns["source_line"] = np.asarray(raw.source_line, dtype=np.float64)
    for name, kind in FIELD_KINDS.items():
        columns.setdefault(name, empty_column(kind, n))
    row_id = np.arange(1, n + 1, dtype=np.int64)
    return WaitingList(row_id=row_id, columns=columns, source=by_header, census_date=census, known_codes=known)


STALE_CENSUS_DAYS = 14


def import_warnings(census: date, given: date | None, mapping: dict[str, str], date_notes: dict[str, str],
                    latest_start: date | None = None) -> list[str]:
    """What a person should check before trusting the waits: the census date and date columns."""
    warnings = []
    if given is None and "census_date" not in mapping:
        latest = f"; the latest clock start in the file is {formats.uk_date(latest_start)}" if latest_start else ""
        warnings.append(f"No census date was given or found in the file: waits are counted to today, {formats.uk_date(census)}"
                        f"{latest}. Give the date the list was taken (--census-date).")
    stale = stale_census_warning(census)
    if stale:
        warnings.append(stale)
    for field_name, note in date_notes.items():
        warnings.append(f"Dates in column '{mapping[field_name]}' {note}.")
    return warnings


def list_warnings(wl: WaitingList, mapping: dict[str, str]) -> list[str]:
    """What else a person should know about how the file was read: nearly empty columns, an old coding scheme."""
    warnings = mapping_rules.nearly_empty(mapping, {field: missing_share(wl.columns[field]) for field in mapping})
    if "ethnic_category" in mapping and codes.is_legacy_ethnicity(wl.known_codes.factorize(wl.columns["ethnic_category"])[1]):
        warnings.append(f"Ethnicity in column '{mapping['ethnic_category']}' is read in {codes.LEGACY_SCHEME}.")
    return warnings


def missing_share(values: np.ndarray) -> float:
    """The share of a typed column's rows without a value (1.0 for no rows).

    >>> missing_share(np.array([1.0, np.nan])), missing_share(np.array(["a", None, None, None], dtype=object))
    (0.5, 0.75)
    """
    if len(values) == 0:
        return 1.0
    if values.dtype.kind == "M":
        return float(np.isnat(values).mean())
    if values.dtype.kind == "f":
        return float(np.isnan(values).mean())
    return float(np.count_nonzero(values == None) / len(values))  # noqa: E711 (elementwise)


def latest_date(dates: np.ndarray) -> date | None:
    """The latest plausible date of a column (for suggesting a census date), or None."""
    usable = dates[~np.isnat(dates) & ~implausible_dates(dates)]
    return usable.max().astype(date) if len(usable) else None


CENSUS_AFTER_LATEST_START_DAYS = 31  # a file's date this close after its latest clock start is likely its extract date


def suggested_census_date(latest_start: date | None, file_date: date | None) -> tuple[date | None, str]:
    """A census date to suggest for a file without one, and where it came from.

    The file's date when it is shortly after the latest clock start (a list is
    taken within days of its newest referral); otherwise the latest clock
    start (a copied file's date says nothing); never simply today.

    >>> suggested_census_date(date(2026, 10, 30), date(2026, 11, 2))
    (datetime.date(2026, 11, 2), "the file's date")
    >>> suggested_census_date(date(2002, 2, 28), date(2026, 11, 2))
    (datetime.date(2002, 2, 28), 'the latest clock start in the file')
    """
    if latest_start and file_date and 0 <= (file_date - latest_start).days <= CENSUS_AFTER_LATEST_START_DAYS:
        return file_date, "the file's date"
    if latest_start:
        return latest_start, "the latest clock start in the file"
    return file_date, ("the file's date" if file_date else "")


def file_date(path: Path) -> date | None:
    """The day the file was last saved (an extract's date, unless it was copied since)."""
    try:
        return date.fromtimestamp(os.stat(path).st_mtime)
    except OSError:
        return None


def stale_census_warning(census: date) -> str | None:
    """A warning when the census date is weeks old: waits are counted to it, so they look shorter."""
    age = (date.today() - census).days
    if age <= STALE_CENSUS_DAYS:
        return None
    return (f"The census date {formats.uk_date(census)} is {age} days ago: waits are counted to then, "
            "so they look shorter than they are today.")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _resolve_mapping(path: Path, headers: list[str], overrides: dict[str, str] | None, samples=None) -> dict[str, str]:
    mapping = mapping_rules.resolve_mapping(headers, overrides, samples)
    missing = mapping_rules.missing_required(mapping)
    if missing:
        needed = ", ".join(missing)
        raise WorkbenchError(
            f"{path.name}: no column found for {needed}; name the column with --map {missing[0]}=\"Header\" "
            f"(the file's headers are: {', '.join(headers[:12])}{'...' if len(headers) > 12 else ''})"
        )
    return mapping


def _census_from_file(census: np.ndarray) -> date | None:
    """The most common census date in the file, if it has a census column."""
    present = census[~np.isnat(census)]
    if len(present) == 0:
        return None
    values, counts = np.unique(present, return_counts=True)
    return values[np.argmax(counts)].astype(date)


def _prefer_lsoa_decile(from_lsoa: np.ndarray | None, from_file: np.ndarray) -> np.ndarray:
    """The decile looked up from the LSOA where known, else the one the file gave."""
    if from_lsoa is None:
        return from_file
    return np.where(np.isnan(from_lsoa), from_file, from_lsoa)


def _store(wl, findings, record, workspace_path, progress, cancelled, ahead, as_snapshot) -> snapshots.Added:
    """Write in one transaction; a workspace this import created is removed again on failure."""
    existed = Path(workspace_path).exists()
    workspace = Workspace.open_or_create(workspace_path)
    try:
        added = snapshots.store_list(workspace, wl, findings, record, as_snapshot=as_snapshot, progress=progress,
                                     cancelled=cancelled, encoded_ahead=ahead)
    except BaseException:
        workspace.close()
        if not existed:
            Path(workspace_path).unlink(missing_ok=True)
        raise
    workspace.close()
    return added


def _workspace_settings(workspace_path) -> dict[str, str]:
    """The settings of the workspace at ``workspace_path`` ({} if there is none yet)."""
    path = Path(workspace_path)
    if not path.is_file() or path.stat().st_size == 0:
        return {}
    with Workspace.open(path) as workspace:
        return dict(workspace.connection.execute("SELECT key, value FROM settings"))
