"""Pseudonymise a list at import: identifiers replaced by codes or left out, the key kept apart.

What it does, column by column (every column of the file, mapped or not):

- **NHS numbers** become pseudonyms ``PSN-`` + 16 hex digits of HMAC-SHA256 under a
  secret key: in the NHS number column, in any other column whose values are NHS
  numbers ("Mother NHS Number"), and inside the values of a column the list needs
  (a pathway ID that is an NHS number). Finding details never repeat one.
- **Hospital numbers** and other per-patient identifiers (MRN, PAS or local
  patient ID, found by the header, or by values that are one identifier per row)
  become pseudonyms too, so they still tell rows apart.
- **Left out**: names, addresses, phone numbers, e-mail addresses, postcodes,
  dates of birth (age and age band, worked out first, stay), next of kin, found
  by the header ("PATIENT_NAME", "HOME_ADDRESS", "TEL_NO") or by the values
  (phone numbers, postcodes, e-mail addresses, names, street addresses); and
  free text that is not needed (a notes column), which can name anyone.

The key never enters the workspace: it is a file in the user's own data folder
(``pseudonym-keys/<id>.key``, readable by its owner only; the workspace keeps
only the id) or a key file the user names. Whoever has the workspace or an
export but not the key cannot turn a pseudonym back into an NHS number, even by
trying all of them. Whoever has the key can: keep it as you keep the original file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.fields import FIELD_KINDS, WaitingList, empty_column
from workbench.store.files import create_private_file, data_folder
from workbench.read.nhs_number import is_valid_nhs_number
from workbench.errors import WorkbenchError

KEYS_FOLDER = "pseudonym-keys"
KEY_ID_SETTING = "pseudonym_key_id"  # the workspace keeps which key, never the key
LEGACY_KEY_SETTING = "pseudonym_key"  # where workspaces before version 0.2 kept the key itself
KEY_BYTES = 32
PSEUDONYM_PREFIX = "PSN-"  # what every pseudonym starts with
# Fields kept as identifiers no more: their columns are left out (age and age band stay).
LEFT_OUT_FIELDS = {"postcode": "a postcode", "date_of_birth": "a date of birth"}

_WORDS = re.compile(r"[^a-z0-9]+")
# Headers (lower case, words separated by single spaces) that name a person or where they live.
LEFT_OUT_HEADERS = {
    # A person's name ("Patient Name", "SURNAME"), not a specialty's, a site's or a clinic's.
    "a name": re.compile(r"^ (name|names|full name) $|\b(forenames?|surname|given names?|family name|first names?"
                         r"|last name|middle names?|initials|(patient|pt|person|mother|father|parent|carer|nok|kin)s?"
                         r" name)\b"),
    "an e-mail address": re.compile(r"\b(email|e mail)\b"),
    "an address": re.compile(r"\b(address|addr|street|town|city|county)\b"),
    "a phone number": re.compile(r"\b(phone|telephone|tel|mobile|contact number|contact no|fax)\b"),
    "a postcode": re.compile(r"\b(postcode|post code|postal code|zip)\b"),
    "a date of birth": re.compile(r"\b(dob|date of birth|birth date|birthdate|d o b)\b"),
    "next of kin": re.compile(r"\b(next of kin|nok|kin)\b"),
}
CODED_HEADERS = {
    "NHS numbers": re.compile(r"\bnhs\b|\bnhsno\b|\bnewnhsno\b"),
    "hospital numbers": re.compile(r"\b(hospital number|hospital no|hosp no|mrn|medical record|case ?note"
                                   r"|pas (number|no|id)|local patient|patient id|patient number|patient no"
                                   r"|unit number|crn|district number|chi)\b"),
}
_NHS_SHAPED = re.compile(r"(?<![0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9])")
IN_TEXT = {
    "phone numbers": re.compile(r"(?<![0-9+])(?:\+44\s?(?:\(0\)\s?)?|0)[0-9](?:[\s-]?[0-9]){8,9}(?![0-9])"),
    "e-mail addresses": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "postcodes": re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2}\b"),
    "street addresses": re.compile(r"\b[0-9]+[a-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave"
                                   r"|Close|Drive|Dr|Way|Court|Ct|Crescent|Place|Gardens|Grove|Terrace|Hill|Walk)\b"),
}
_NAME = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+)?[A-Z][A-Za-z'-]+(?:,?\s+[A-Z][A-Za-z'.-]*){1,3}")
_IDENTIFIER = re.compile(r"[A-Z]{0,3}[0-9]{5,10}[A-Z]?")
SAMPLE = 2000  # values looked at to tell names, free text and identifiers by their shape


@dataclass
class Pseudonymisation:
    """What pseudonymising did: columns coded or left out, and why, in file order."""

    coded: dict[str, str] = field(default_factory=dict)  # header -> what its values were
    left_out: dict[str, str] = field(default_factory=dict)  # header -> why
    notes: list[str] = field(default_factory=list)  # about the key

    def sentences(self) -> list[str]:
        """What was done to which column, and why, one column a line."""
        said = [f"'{h}': replaced by pseudonyms ({why})" for h, why in self.coded.items()]
        said += [f"'{h}': left out ({why})" for h, why in self.left_out.items()]
        return said

    def summary(self) -> str:
        """One sentence for the import's warnings: which columns, and where the key is."""
        coded = ", ".join(f"'{h}'" for h in self.coded) or "none"
        left_out = ", ".join(f"'{h}'" for h in self.left_out) or "none"
        return (f"Pseudonymised: replaced by pseudonyms: {coded}; left out: {left_out}. The key is kept apart from "
                "the workspace: check that nothing the list needs was left out.")


# --------------------------------------------------------------------------- pseudonyms
def pseudonym(value: str | None, key: bytes) -> str | None:
    """A stable pseudonym for a value (an NHS number) under ``key``: HMAC-SHA256, 16 hex digits.

    >>> pseudonym("9434765919", bytes(32))
    'PSN-0da70b88db8c9e10'
    """
    if value is None:
        return None
    return PSEUDONYM_PREFIX + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def _coded(values: np.ndarray, key: bytes) -> np.ndarray:
    """Every value as its pseudonym (an NHS number written 3-3-4 gets the same one as its digits)."""
    distinct = {v: pseudonym(_digits_if_nhs(v), key) for v in set(values.tolist()) if v is not None}
    return np.array([distinct.get(v) if v is not None else None for v in values.tolist()], dtype=object)


def _digits_if_nhs(value: str) -> str:
    found = _NHS_SHAPED.fullmatch(value.strip())
    return "".join(found.groups()) if found else value


def _numbers_replaced(text: str, key: bytes) -> str:
    """``text`` with every NHS number in it replaced by its pseudonym."""
    def replaced(found: re.Match) -> str:
        digits = "".join(found.groups())
        return pseudonym(digits, key) if _is_nhs_number(digits) else found.group(0)

    return _NHS_SHAPED.sub(replaced, text)


def _is_nhs_number(digits: str) -> bool:
    """A valid NHS number that is not a placeholder of one digit repeated."""
    return len(set(digits)) > 1 and is_valid_nhs_number(digits)


# --------------------------------------------------------------------------- the list
def pseudonymise_list(wl: WaitingList, mapping: dict[str, str], findings: list, key: bytes
                      ) -> tuple[list, Pseudonymisation]:
    """Pseudonymise ``wl`` in place (after it was checked); returns the findings to store and what was done."""
    done = Pseudonymisation()
    fields_of = {header: name for name, header in mapping.items()}
    for header in list(wl.source):
        _treat_column(wl, header, fields_of.get(header), key, done)
    wl.columns["nhs_number"] = _coded(wl.columns["nhs_number"], key)
    for name in LEFT_OUT_FIELDS:
        wl.columns[name] = empty_column(FIELD_KINDS[name], len(wl))
    return [_finding_without_numbers(f, key) for f in findings], done


def _treat_column(wl: WaitingList, header: str, field_name: str | None, key: bytes, done: Pseudonymisation) -> None:
    values = wl.source[header]
    action, why = _identifying(header, values, field_name)
    if action == "leave out":
        del wl.source[header]
        done.left_out[header] = why
    elif action == "code":
        wl.source[header] = _coded(values, key)
        done.coded[header] = why
    elif action == "numbers in text":
        wl.source[header] = _in_each(values, lambda v: _numbers_replaced(v, key))
        if field_name in wl.columns and wl.columns[field_name].dtype == object:
            wl.columns[field_name] = _in_each(wl.columns[field_name], lambda v: _numbers_replaced(v, key))
        done.coded[header] = why


def _identifying(header: str, values: np.ndarray, field_name: str | None) -> tuple[str | None, str]:
    """What to do with a column: ("leave out" | "code" | "numbers in text" | None, why)."""
    if field_name == "nhs_number":
        return "code", "NHS numbers"
    if field_name in LEFT_OUT_FIELDS:
        return "leave out", LEFT_OUT_FIELDS[field_name]
    texts = _distinct_texts(values)
    holding = [t for t in texts if _holds_an_nhs_number(t)]
    if field_name is not None:  # a column the list needs: only NHS numbers in it are replaced
        return ("numbers in text", "NHS numbers in its values") if holding else (None, "")
    return _by_header(header) or _by_values(texts, holding, values) or (None, "")


def _by_header(header: str) -> tuple[str, str] | None:
    words = " " + " ".join(_WORDS.split(header.lower())).strip() + " "
    for why, pattern in CODED_HEADERS.items():
        if pattern.search(words):
            return "code", why
    for why, pattern in LEFT_OUT_HEADERS.items():
        if pattern.search(words):
            return "leave out", why
    return None


def _by_values(texts: list[str], holding: list[str], values: np.ndarray) -> tuple[str, str] | None:
    whole = sum(1 for t in holding if _NHS_SHAPED.fullmatch(t.strip()))
    if whole and whole == len(holding) and 2 * whole >= len(texts):
        return "code", "NHS numbers"
    if holding:
        return "leave out", "it holds NHS numbers among other text"
    joined = "\n".join(texts)
    for what, pattern in IN_TEXT.items():
        if pattern.search(joined):
            return "leave out", f"it holds {what}"
    sample, distinct = texts[:SAMPLE], _distinct_share(values)
    if _mostly(sample, _NAME.fullmatch) and distinct > 0.5:
        return "leave out", "its values look like people's names"
    if _mostly(sample, _IDENTIFIER.fullmatch) and distinct > 0.9 and len(sample) >= 20:
        return "code", "one identifier per row, like a hospital number"
    if _mostly(sample, lambda t: len(t.split()) >= 3) and distinct > 0.5:
        return "leave out", "free text, which can name anyone"
    return None


def _distinct_texts(values: np.ndarray) -> list[str]:
    return [v for v in set(values.tolist()) if v is not None and v.strip()]


def _holds_an_nhs_number(text: str) -> bool:
    """Whether ``text`` holds a valid NHS number anywhere (found by its shape, then checked)."""
    return any(_is_nhs_number("".join(m.groups())) for m in _NHS_SHAPED.finditer(text))


def _mostly(texts: list[str], test) -> bool:
    return bool(texts) and sum(1 for t in texts if test(t.strip())) >= 0.8 * len(texts)


def _distinct_share(values: np.ndarray) -> float:
    present = [v for v in values.tolist() if v is not None]
    return len(set(present)) / len(present) if present else 0.0


def _in_each(values: np.ndarray, change) -> np.ndarray:
    return np.array([None if v is None else change(v) for v in values.tolist()], dtype=object)


def _finding_without_numbers(finding, key: bytes):
    """A finding whose details cannot reveal an NHS number (they quote the values found)."""
    if finding.details is None:
        return finding
    if finding.code == "nhs_number_invalid":
        details = np.full(len(finding.rows), "NHS number missing or fails the check (value pseudonymised)",
                          dtype=object)
    else:
        details = _in_each(np.asarray(finding.details, dtype=object), lambda d: _numbers_replaced(str(d), key))
    return dataclasses.replace(finding, details=details)


# --------------------------------------------------------------------------- the key
def pseudonym_key(settings: dict[str, str], key_file: str | Path | None = None) -> tuple[bytes, dict, list[str]]:
    """The key to pseudonymise with, the settings the workspace keeps with the import, and notes.

    ``settings`` are the workspace's (empty for a new one). With ``key_file``,
    that file's key is used (made there if missing). Else the key named by the
    workspace's key id in the user's data folder; a workspace from before keys
    were kept apart has its key moved out of it into that folder.
    """
    if key_file is not None:
        return _key_in(Path(key_file)), {KEY_ID_SETTING: None, LEGACY_KEY_SETTING: None}, []
    key_id = settings.get(KEY_ID_SETTING) or secrets.token_hex(8)
    path = key_folder() / f"{key_id}.key"
    notes = []
    if not path.exists():
        legacy = settings.get(LEGACY_KEY_SETTING)
        if settings.get(KEY_ID_SETTING):
            notes.append("The pseudonym key of this workspace is not in your data folder (it was made by someone "
                         "else or on another computer): a new key was made, so the pseudonyms differ from the last "
                         "import's")
        _write_key(path, bytes.fromhex(legacy) if legacy else secrets.token_bytes(KEY_BYTES))
    return _key_in(path), {KEY_ID_SETTING: key_id, LEGACY_KEY_SETTING: None}, notes


def key_folder() -> Path:
    folder = data_folder() / KEYS_FOLDER
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def _key_in(path: Path) -> bytes:
    """The key in a key file (64 hex digits), made there if the file does not exist."""
    if not path.exists():
        _write_key(path, secrets.token_bytes(KEY_BYTES))
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise WorkbenchError(f"{path.name}: is not a pseudonym key file (it should hold 64 hexadecimal digits)")
    return key


def _write_key(path: Path, key: bytes) -> None:
    try:
        create_private_file(path)
        path.write_text(key.hex() + "\n", encoding="ascii")
    except OSError as error:
        raise WorkbenchError(f"{path.name}: the pseudonym key could not be written ({error.strerror or error})"
                             ) from None
