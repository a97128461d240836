"""A text file's encoding and delimiter, decided from its bytes and its first lines."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from workbench.read.file_kinds import first_bytes, not_readable
from workbench.read.table import HEADER_SEARCH_ROWS


SNIFF_BYTES = 256 * 1024
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}


def _as_windows_text(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes that are not valid UTF-8 read as Windows text (cp1252): a line saved by an
    older program into a UTF-8 file keeps its "£" and "é" instead of question-mark boxes."""
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


# How bytes that are not valid in the file's encoding are read.
DECODE_ERRORS = "workbench-windows-text"
codecs.register_error(DECODE_ERRORS, _as_windows_text)


def detect_encoding(path) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8' or 'cp1252', decided from the bytes.

    UTF-8 is checked strictly over the whole file (a cp1252 "£" or "é" is not
    valid UTF-8), so a file is never half read in the wrong encoding.
    """
    path = Path(path)
    start = first_bytes(path, 4096)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in start:
        raise not_readable(path)
    return "utf-8" if _is_utf8(path) else "cp1252"


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with open(path, "rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sample_text(path: Path, encoding: str) -> str:
    """The first ``SNIFF_BYTES`` of the file, decoded, cut at the last line break.

    A line break is LF, CRLF or a lone CR (classic Mac OS files, and Excel for
    Mac's "CSV" until 2016, end their lines with CR only).
    """
    with open(path, "rb") as handle:
        raw = handle.read(SNIFF_BYTES)
        whole = not handle.read(1)
    text = codecs.getincrementaldecoder(encoding)(DECODE_ERRORS).decode(raw, final=whole)
    last_break = max(text.rfind("\n"), text.rfind("\r"))
    if not whole and last_break >= 0:
        text = text[: last_break + 1]
    if _looks_binary(text):
        raise not_readable(path)
    return text


def _looks_binary(text: str) -> bool:
    """Control characters other than tab and line breaks mean this is not text."""
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\t\r\n\f")
    return controls > max(2, len(text[:8192]) // 100)


def sniff_delimiter(sample: str, default: str = ",") -> str:
    """The delimiter that splits the sample's lines most consistently.

    Quoted fields are respected. Each candidate is scored by how many records
    have the most common field count (above 1) for it.

    >>> sniff_delimiter("a;b;c\\n1;2,5;3\\n")
    ';'
    >>> sniff_delimiter("just one column\\n")
    ','
    """
    best, best_score = default, (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in sample_records(sample, delimiter) if len(r) > 1]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = (counts.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def sample_records(sample: str, delimiter: str, count: int = HEADER_SEARCH_ROWS + 200) -> list[list[str]]:
    """The first ``count`` records of the sample (enough to find the header and the width).

    Records end at LF, CRLF or a lone CR, as they do for the pandas reader of the whole file.

    >>> sample_records("Pathway ID,Site\\rP1,Main\\r", ",")
    [['Pathway ID', 'Site'], ['P1', 'Main']]
    """
    # newline="": lines split at every kind of break and keep it, as the csv module needs.
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        records = [row for _, row in zip(range(count), reader)]
    except csv.Error:
        records = []
    return records or [[]]
