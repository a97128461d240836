"""Tables for people, to an xlsx or CSV file: IoD2019 against IoD2025 fifth by fifth, and any one table.

Kept in report/ (not beside the comparison in compare/) so the stages import only the
stages before them: a comparison works out figures, a report writes them.
"""

from __future__ import annotations

from pathlib import Path

from workbench.compare.imd_change import headline, notes, table_headers, table_rows
from workbench.compare.suppression import NOT_FOR_PUBLICATION, not_for_publication
from workbench.errors import WorkbenchError
from workbench.report.spreadsheet import write_csv
from workbench.report.xlsx import XlsxWriter
from workbench.store.files import replacing


def write_imd_change(path: Path, shown: dict) -> None:
    """The tables (suppressed: pass :func:`suppressed_change`'s result) to an xlsx or CSV file."""
    rows = [[nation["nation"], *row] for nation in shown["nations"] for row in table_rows(nation)]
    headers = ["Nation", *table_headers(shown["nations"][0])] if shown["nations"] else ["Nation"]
    note = NOT_FOR_PUBLICATION if not_for_publication(shown) else None
    try:
        if path.suffix.lower() == ".csv":
            write_csv(path, headers, rows, note)
            return
        with XlsxWriter(path) as book:
            if note:
                book.add_note("Not for publication", note)
            book.add_table("Change of fifth", headers, rows)
            book.add_table("Notes", ["Note"], [[headline(n)] for n in shown["nations"]] + [[n] for n in notes(shown)])
    except OSError as error:
        raise WorkbenchError(f"{path.name}: could not be written ({error.strerror or error})") from None



def write_table_file(path: Path, sheet: str, headers: list[str], rows: list[list], note: str | None = None) -> None:
    """One table to an xlsx (``sheet``; a first sheet holding ``note`` if given) or CSV file (``note`` above it),
    written whole or not at all."""
    with replacing(path, f"the {sheet.lower()} table") as partial:
        if path.suffix.lower() == ".csv":
            write_csv(partial, headers, rows, note)
            return
        with XlsxWriter(partial) as book:
            if note:
                book.add_note("Not for publication", note)
            book.add_table(sheet, headers, rows)
