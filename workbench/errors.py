"""What can be wrong, in plain words: a problem the user can act on, what the checks find in a list,
and what a user is told about anything else.

Below every stage of the core, so the workspace can store findings without
importing the checks that make them (:mod:`workbench.check.validation`).

A :class:`WorkbenchError` is the user's to fix: its message is shown as it
is. Anything else is our bug: the user sees what to do next
(:func:`describe_failure`), and the log file in the data folder gets the
exception's *type* and the code locations (file, line, function) of its
traceback. Never the message or local values: ``str(error)`` of a
``KeyError`` or ``ValueError`` can carry an NHS number.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import numpy as np


class WorkbenchError(Exception):
    """A problem the user can act on, with a message in plain words.

    The command line prints ``str(error)`` on one line and exits with status 2;
    the app shows it in a dialog. Never raise it for programming errors.
    """


# Every code the checks can report, with what it means; findings are stored and shown in this order.
FINDING_CODES: dict[str, str] = {
    "nhs_number_invalid": "NHS number missing, a placeholder (one digit repeated), or fails the modulus 11 check",
    "duplicate_pathway": "The same pathway ID is on more than one row",
    "duplicate_patient_specialty": "The same patient is on more than one pathway in one specialty",
    "missing_wait_start": "No wait start (clock start) date",
    "future_wait_start": "Wait start is after the census date",
    "clock_stopped": "Clock stopped on or before the census date but still on the list: not waiting, left out of waits",
    "unreadable_date": "A date could not be read",
    "implausible_date": "A placeholder or impossible date, such as 01/01/1900 or 31/12/9999",
    "missing_priority": "No clinical priority",
    "unknown_priority": "Clinical priority not recognised (expected P1a, P1b, P2 to P6)",
    "priority_overdue": "Waited longer than the clinical priority's time limit since the priority was set",
    "unknown_treatment_function": "Treatment function code not in the NHS Data Dictionary list, or retired",
    "invalid_lsoa": "LSOA is not a known English, Welsh or Scottish area (of 2011 or 2021)",
    "lsoa_not_in_index": "LSOA is a real area, but the chosen deprivation index has no decile for it",
    "unknown_ethnicity": "Ethnic category not stated, not known, or not a Data Dictionary code",
    "age_out_of_range": "Age below 0 or over 120 (infant codes 7001-7007 are under one), or born after the census date",
    "file_value_differs": "The file's own value of a field the workbench works out differs from the workbench's",
}


@dataclass(frozen=True, eq=False)  # eq=False: NumPy arrays have no single truth value
class Finding:
    """One kind of problem and the rows that have it.

    Invariants: ``rows`` is sorted int64 (0-based positions in the list, each
    at most once) and ``details`` is an object array of the same length saying
    what was found on each row.
    """

    code: str
    rows: np.ndarray
    details: np.ndarray

    @property
    def description(self) -> str:
        """The plain-words description of the code."""
        return FINDING_CODES[self.code]


LOG_NAME = "workbench"
LOG_FILE = "workbench.log"
log = logging.getLogger(LOG_NAME)
UNEXPECTED = (
    "Something went wrong inside the workbench (this is not a problem with your file or what you did).\n\n"
    "What to do: try again. If it happens again, send the log file to your system support team: "
    "it records where the problem happened and contains no patient data.\n\nLog file: {log_file}"
)


def setup_logging(data_folder: Path) -> Path:
    """Log to ``<data folder>/logs/workbench.log`` (rotated at 1 MB, 3 kept); returns the path."""
    folder = Path(data_folder) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return path


def log_file() -> Path | None:
    """The current log file, if logging was set up."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def safe_traceback(error_type: type, tb: TracebackType | None) -> str:
    """The exception type and where it happened, without any values or messages.

    >>> try:
    ...     {}["9434765919"]
    ... except KeyError as error:
    ...     text = safe_traceback(type(error), error.__traceback__)
    >>> "KeyError" in text, "9434765919" in text
    (True, False)
    """
    frames = traceback.extract_tb(tb)
    lines = [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join([f"{error_type.__module__}.{error_type.__qualname__}", *lines])


def log_unexpected(error: BaseException) -> None:
    """Record an unexpected exception (type and code locations only), with its causes."""
    parts = []
    seen: BaseException | None = error
    while seen is not None and len(parts) < 5:
        parts.append(safe_traceback(type(seen), seen.__traceback__))
        seen = seen.__cause__ or seen.__context__
    log.error("Unexpected error\n%s", "\ncaused by ".join(parts))


def describe_failure(error: BaseException) -> str:
    """The message a user sees for an error raised by work they asked for.

    >>> describe_failure(WorkbenchError("list.csv: the file is empty"))
    'list.csv: the file is empty'
    """
    if isinstance(error, WorkbenchError):
        return str(error)
    if isinstance(error, MemoryError):
        return ("The computer ran out of memory for this list.\n\n"
                "What to do: close other programs and try again, or split the list into smaller files.")
    if isinstance(error, PermissionError):
        name = Path(error.filename).name if getattr(error, "filename", None) else "the file"
        return (f"{name}: the workbench is not allowed to open or write this file.\n\n"
                "What to do: close it in Excel or any other program using it, or choose another folder.")
    log_unexpected(error)
    return UNEXPECTED.format(log_file=log_file() or "not set up")
