"""Import speed and memory, measured beside pandas and sqlite-utils on the same file.

    python benchmarks/bench_import.py            # 1M-row CSV, 100k-row xlsx
    python benchmarks/bench_import.py --rows 200000 --xlsx-rows 20000 --repeats 1

Prints the whole import time (read, map, normalise, enrich, validate, store),
pandas ``read_csv`` + ``to_sql`` and sqlite-utils ``insert_all`` on the same
file, their ratios, the peak memory of an import in a fresh process, and the
import time of a generated xlsx twice: as openpyxl writes it (every text inline
in the sheet, which is read in pieces on two threads) and the same cells as
Excel saves them (shared strings, read whole: every piece would need them all). Targets (issue 2): import <= 0.7x pandas,
100k-row xlsx < 4 s, peak memory for 1M rows < 1 GB.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.demo import write_demo_list  # noqa: E402
from workbench.store.importer import import_file  # noqa: E402


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def demo_file(folder: Path, rows: int, suffix: str) -> Path:
    path = folder / f"demo-{rows}{suffix}"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        write_demo_list(path, rows=rows, seed=1)
    return path


def excel_style_copy(path: Path) -> Path:
    """The same workbook as Excel saves it: each text once in a shared-strings part, cells
    pointing at it, dates as day numbers. openpyxl (and so the demo generator) writes every
    text inline in the sheet instead, which makes the sheet several times bigger to parse."""
    target = path.with_name(path.stem + "-excel-style.xlsx")
    if target.exists():
        return target
    import zipfile
    from datetime import date, datetime
    from xml.sax.saxutils import escape

    import python_calamine
    from openpyxl.utils import get_column_letter

    book = python_calamine.CalamineWorkbook.from_path(path)
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    shared: dict[str, int] = {}
    letters = [get_column_letter(j + 1) for j in range(max(len(r) for r in rows))]

    def cell(ref: str, value) -> str:
        if value == "" or value is None:
            return ""
        if isinstance(value, (date, datetime)) and value.year < 1900:
            value = value.isoformat()  # before Excel's first day: Excel keeps it as text
        elif isinstance(value, (date, datetime)):
            days = (datetime(value.year, value.month, value.day) - datetime(1899, 12, 30)).days
            days -= days < 61  # Excel counts a 29 February 1900 that never was
            return f'<c r="{ref}" s="1"><v>{days}</v></c>'
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="s"><v>{shared.setdefault(str(value), len(shared))}</v></c>'

    body = "".join(f'<row r="{n}">' + "".join(cell(f"{letters[j]}{n}", v) for j, v in enumerate(row)) + "</row>"
                   for n, row in enumerate(rows, 1))
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    parts = {
        "[Content_Types].xml": f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/></Types>',
        "_rels/.rels": f'{head}<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{head}<workbook {main} xmlns:r="{rel}"><sheets>'
        '<sheet name="Waiting list" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{head}<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'{head}<styleSheet {main}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf numFmtId="164" applyNumberFormat="1"/>'
        '</cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f"{head}<worksheet {main}><sheetData>{body}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'{head}<sst {main} count="{len(shared)}" uniqueCount="{len(shared)}">'
        + "".join(f"<si><t>{escape(text)}</t></si>" for text in shared) + "</sst>",
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return target


def workbench_import(path: Path, scratch: Path) -> None:
    target = scratch / "bench.sqlite"
    target.unlink(missing_ok=True)
    import_file(path, target)


def pandas_import(path: Path, scratch: Path) -> None:
    import pandas as pd

    target = scratch / "pandas.sqlite"
    target.unlink(missing_ok=True)
    frame = pd.read_csv(path)
    with sqlite3.connect(target) as connection:
        frame.to_sql("waiting_list", connection, index=False)


def sqlite_utils_import(path: Path, scratch: Path) -> None:
    import csv

    import sqlite_utils

    target = scratch / "su.sqlite"
    target.unlink(missing_ok=True)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sqlite_utils.Database(target)["waiting_list"].insert_all(csv.DictReader(handle), batch_size=10_000)


def peak_memory_mb(path: Path, scratch: Path) -> float:
    """Peak resident memory of one import in a fresh Python process."""
    code = (
        "import sys, resource; sys.path.insert(0, %r)\n"
        "from workbench.store.importer import import_file\n"
        "import_file(%r, %r)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    ) % (str(HERE.parent), str(path), str(scratch / "memory.sqlite"))
    (scratch / "memory.sqlite").unlink(missing_ok=True)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(output.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-sqlite-utils", action="store_true", help="insert_all is slow (~50 s for 1M rows)")
    args = parser.parse_args()
    cache = HERE / "out"
    cache.mkdir(exist_ok=True)
    csv_path = demo_file(cache, args.rows, ".csv")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        ours, theirs = [], []
        for _ in range(args.repeats):  # in turn, so a slow spell of this shared machine hits both alike
            ours.append(timed(lambda: workbench_import(csv_path, scratch)))
            theirs.append(timed(lambda: pandas_import(csv_path, scratch)))
        ours_s, pandas_s = statistics.median(ours), statistics.median(theirs)
        ratio = statistics.median(a / b for a, b in zip(ours, theirs))
        print(f"rows={args.rows}")
        print(f"workbench_import_median_s={ours_s:.2f}")
        print(f"pandas_read_csv_to_sql_median_s={pandas_s:.2f}")
        print(f"ratio_workbench_over_pandas={ratio:.2f}  (median of {args.repeats} runs in turn; target <= 0.70)")
        if not args.skip_sqlite_utils:
            su = timed(lambda: sqlite_utils_import(csv_path, scratch))
            print(f"sqlite_utils_insert_all_s={su:.2f}")
            print(f"ratio_workbench_over_sqlite_utils={ours_s / su:.2f}")
        print(f"peak_memory_mb={peak_memory_mb(csv_path, scratch):.0f}  (target < 1024)")
        xlsx_path = demo_file(cache, args.xlsx_rows, ".xlsx")
        print(f"xlsx_rows={args.xlsx_rows}")
        for label, path in [("as_openpyxl_writes_it", xlsx_path), ("as_excel_saves_it", excel_style_copy(xlsx_path))]:
            xlsx = statistics.median(timed(lambda: workbench_import(path, scratch)) for _ in range(args.repeats))
            print(f"workbench_import_xlsx_{label}_median_s={xlsx:.2f}  (target < 4.0)")


if __name__ == "__main__":
    main()
