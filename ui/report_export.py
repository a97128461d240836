"""The decision record as HTML and PDF, made offline with Qt (no browser, no network).

:mod:`workbench.report.record` builds the HTML; here the chart picture is embedded
as a data URI (so the HTML file is self-contained), and the same HTML is laid
out by a QTextDocument and printed to a QPdfWriter. Both files are written
under temporary names and renamed when complete.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from workbench.store.files import replacing
from workbench.report.record import DecisionRecord, ReportImage, decision_record_html, image_data_uri

PDF_DPI = 300
MARGIN_MM = 15.0


def export_decision_record(record: DecisionRecord, html_path: str | Path, chart_png: bytes | None = None) -> tuple[Path, Path]:
    """Write ``<name>.html`` and ``<name>.pdf``; returns both paths.

    ``chart_png`` (the equity charts as PNG bytes) is embedded in both.
    """
    html_path = Path(html_path).with_suffix(".html")
    pdf_path = html_path.with_suffix(".pdf")
    if chart_png:
        caption = "Equity charts: baseline (blue) against scenario (orange), as shown in the workbench."
        size = QImage.fromData(chart_png).size()
        chart = ReportImage(caption, image_data_uri(chart_png), size.width(), size.height())
        record = replace(record, charts=[*record.charts, chart])
    html = decision_record_html(record)
    with replacing(html_path, "the decision record") as partial:
        partial.write_text(html, encoding="utf-8")
    with replacing(pdf_path, "the decision record") as partial:
        write_pdf(html, partial)
    return html_path, pdf_path


def write_pdf(html: str, path: str | Path) -> None:
    """Lay out HTML on A4 pages and write it as a PDF."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter))
    writer.setTitle("Decision record")
    writer.setCreator("Prioritisation workbench")
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    del writer  # finishes the file
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise OSError(f"could not write {Path(path).name}")
