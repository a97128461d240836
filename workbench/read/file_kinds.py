"""What a file is, told from its first bytes, and the checks before opening it.

A workbook is a zip (xlsx, xlsm, ods) or an OLE2 container (xls, or an xlsx
saved with a password); anything else is read as text. A file that is missing,
empty, a folder, encrypted, or a zip that would unpack to gigabytes is refused
with a message naming it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from workbench.errors import WorkbenchError


# A workbook that would unpack to more than this, or that is compressed more
# than MAX_COMPRESSION_RATIO times (and is big enough for that to mean
# something), is refused before reading: it is a "zip bomb" or not a real list.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE_BYTES = 10 * 1024**2

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def file_kind(path: Path) -> str:
    """'zip' (xlsx, xlsm, ods), 'ole2' (xls, or an encrypted xlsx) or 'text'."""
    start = first_bytes(path, 8)
    if start.startswith(_ZIP_MAGIC):
        return "zip"
    if start.startswith(_OLE2_MAGIC):
        return "ole2"
    return "text"


def first_bytes(path: Path, count: int) -> bytes:
    """The first bytes of a file that exists and is not empty."""
    if not path.exists():
        raise WorkbenchError(f"{path.name}: the file does not exist (looked in {path.parent})")
    if path.is_dir():
        raise WorkbenchError(f"{path.name}: is a folder, not a file")
    try:
        with open(path, "rb") as handle:
            start = handle.read(count)
    except OSError as error:
        raise _cannot_open(path, error) from None
    if not start:
        raise WorkbenchError(f"{path.name}: the file is empty")
    return start


def _cannot_open(path: Path, error: OSError) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: cannot be opened ({error.strerror or error}); "
        "close it in any other program and check you may read it"
    )


def not_readable(path: Path) -> WorkbenchError:
    return WorkbenchError(f"{path.name}: is not a readable spreadsheet or CSV file")


def protected(path: Path) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: is password-protected or encrypted: save an unprotected copy and import that"
    )


_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), b"EncryptionInfo")


def holds_an_encrypted_workbook(path: Path) -> bool:
    """Whether an OLE2 file holds the streams of Excel's "Encrypt with password" (its names are
    in the file's directory, which may be anywhere in it)."""
    before = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if any(name in before + block for name in _ENCRYPTION_STREAMS):
                return True
            before = block[-64:]
    return False


def check_zip_size(path, max_bytes: int | None = None, max_ratio: float | None = None) -> None:
    """Refuse a zip-based workbook that would unpack to an unreasonable size.

    Raises ``WorkbenchError`` if the members declare more than ``max_bytes``
    in all, or a large member is compressed more than ``max_ratio`` times.
    """
    path = Path(path)
    max_bytes = MAX_UNCOMPRESSED_BYTES if max_bytes is None else max_bytes
    max_ratio = MAX_COMPRESSION_RATIO if max_ratio is None else max_ratio
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise not_readable(path) from None
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise _too_big(path, total)
    for member in members:
        big = member.file_size > RATIO_CHECKED_ABOVE_BYTES
        if big and member.file_size > max_ratio * max(member.compress_size, 1):
            raise _too_big(path, total)


def _too_big(path: Path, total: int) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: would unpack to {total / 1024**2:,.0f} MB, far more than a waiting list needs; "
        "it may be damaged or not a real workbook (save it again from Excel, or as CSV)"
    )
