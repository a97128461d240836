"""Tables for people, to an xlsx or CSV file: the equity and queue tables, IoD2019 against IoD2025.

Kept in report/ (not beside the comparison in compare/) so the stages import only the
stages before them: a comparison works out figures, a report writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from workbench.compare.imd_change import headline, notes, table_headers, table_rows
from workbench.compare.suppression import NOT_FOR_PUBLICATION, not_for_publication
from workbench.report.spreadsheet import write_csv
from workbench.report.xlsx import XlsxWriter
from workbench.store.files import replacing


def write_imd_change(path: Path, shown: dict) -> None:
    """The tables (suppressed: pass :func:`suppressed_change`'s result) to an xlsx or CSV file."""
    rows = [[nation["nation"], *row] for nation in shown["nations"] for row in table_rows(nation)]
    headers = ["Nation", *table_headers(shown["nations"][0])] if shown["nations"] else ["Nation"]
    notes_rows = [[headline(n)] for n in shown["nations"]] + [[n] for n in notes(shown)]
    note = NOT_FOR_PUBLICATION if not_for_publication(shown) else None
    write_table_file(path, "Change of fifth", headers, rows, note, more=[("Notes", ["Note"], notes_rows)])


Table = tuple[str, Sequence[str], Iterable[Sequence]]  # a sheet's name, its headers, its rows


def write_table_file(path: Path, sheet: str, headers: Sequence[str], rows: Iterable[Sequence], note: str | None = None,
                     more: Sequence[Table] = ()) -> None:
    """A table to an xlsx (as ``sheet``, then the ``more`` sheets) or a CSV file (the table alone)."""
    write_tables(path, f"the {sheet.lower()} table", [(sheet, headers, rows), *more], (headers, rows), note)


def write_tables(path: Path, what: str, sheets: Sequence[Table], csv: tuple[Sequence[str], Iterable[Sequence]],
                 note: str | None = None) -> None:
    """Tables to an xlsx (a sheet each, in turn) or a CSV file (``csv``: its headers and rows); ``note``
    ("Not for publication...") a first sheet of its own, or a line above a CSV's headers. Written whole
    or not at all (``what`` names the file in a message if it cannot be)."""
    with replacing(path, what) as partial:
        if path.suffix.lower() == ".csv":
            write_csv(partial, *csv, note)
            return
        with XlsxWriter(partial) as book:
            if note:
                book.add_note(note)
            for name, headers, rows in sheets:
                book.add_table(name, headers, rows)
