"""The decision record as HTML and PDF, made offline with Qt (no browser, no network).

:mod:`workbench.report.record` builds the HTML; here the chart picture is embedded
as a data URI (so the HTML file is self-contained), and the same HTML is laid
out by a QTextDocument on A4 pages and painted into a QPdfWriter page by page.
Both files are written under temporary names and renamed when complete.

The pages read like a report: the layout works at the PDF's own resolution, so a
picture as wide as the record's page width (``PAGE_WIDTH_PX``) fills the text
width exactly; words wrap whole; tables repeat their header rows on each page; a
heading never ends a page without the start of what it introduces; and every
page's foot names the rule set (its identity and sha256) and the page number.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextBlockFormat, QTextCursor, QTextDocument, QTextOption,
)

from workbench.report.identity import rule_set_identity
from workbench.report.record import DecisionRecord, ReportImage, decision_record_html, image_data_uri
from workbench.store.files import replacing

PDF_DPI = 300
MARGIN_MM = 15.0
FOOTER_MM = 8.0  # the foot of each page: the rule set and the page number
FOOTER_POINTS = 7
FIRST_LINES = 3  # a heading stays with at least this many lines of a paragraph after it


def export_decision_record(record: DecisionRecord, html_path: str | Path, chart_png: bytes | None = None) -> tuple[Path, Path]:
    """Write ``<name>.html`` and ``<name>.pdf``; returns both paths.

    ``chart_png`` (the equity charts as PNG bytes) is embedded in both.
    """
    html_path = Path(html_path).with_suffix(".html")
    pdf_path = html_path.with_suffix(".pdf")
    identity = rule_set_identity(record.rule_set)
    if chart_png:
        caption = (f"Equity charts: baseline ({record.baseline.name}, blue) against scenario ({identity.caption()}, "
                   "orange), as shown in the workbench.")
        size = QImage.fromData(chart_png).size()
        chart = ReportImage(caption, image_data_uri(chart_png), size.width(), size.height())
        record = replace(record, charts=[*record.charts, chart])
    html = decision_record_html(record)
    with replacing(html_path, "the decision record") as partial:
        partial.write_text(html, encoding="utf-8")
    footer = f"Decision record: {identity.caption()}"
    with replacing(pdf_path, "the decision record") as partial:
        write_pdf(html, partial, footer)
    return html_path, pdf_path


def write_pdf(html: str, path: str | Path, footer: str = "") -> int:
    """Lay out HTML on A4 pages and write it as a PDF, ``footer`` and the page number at each foot;
    returns the number of pages."""
    writer = _writer(path)
    document = _laid_out(html, writer)
    pages = document.pageCount()
    painter = QPainter(writer)
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            _paint_page(painter, document, page)
            _paint_footer(painter, writer, f"{footer} · page {page + 1} of {pages}".lstrip(" ·"))
    finally:
        painter.end()
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise OSError(f"could not write {Path(path).name}")
    return pages


def _writer(path: str | Path) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter))
    writer.setTitle("Decision record")
    writer.setCreator("Prioritisation workbench")
    return writer


def _laid_out(html: str, writer: QPdfWriter) -> QTextDocument:
    """The document laid out at the writer's resolution, in pages of the text area above the footer."""
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)  # fonts and pictures sized for the page, not the screen
    document.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # never split a word
    document.setDefaultTextOption(option)
    footer = FOOTER_MM / 25.4 * writer.resolution()
    document.setPageSize(QSizeF(writer.width(), writer.height() - footer))
    document.setHtml(html)
    if document.idealWidth() > writer.width() + 0.5:
        # Only a single "word" wider than the page (a long code with no spaces) gets here:
        # better split it than draw it past the margin.
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(option)
    keep_headings_with_what_follows(document)
    return document


def keep_headings_with_what_follows(document: QTextDocument) -> int:
    """Start a new page before any heading whose table (its first row after the headers) or
    paragraph (its first lines) would begin on the next page; returns how many headings moved."""
    layout, height = document.documentLayout(), document.pageSize().height()
    moved = 0
    block = document.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() and following.isValid():
            top = layout.blockBoundingRect(block).top()
            end = _first_part_bottom(document, following)
            if int(top // height) != int((end - 1) // height) and top % height > 1:
                format_ = block.blockFormat()
                format_.setPageBreakPolicy(QTextBlockFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(format_)
                moved += 1
        block = following
    return moved


def _first_part_bottom(document: QTextDocument, block) -> float:
    """Where the start of what follows a heading ends: a table's first body row, or a paragraph's first lines."""
    layout = document.documentLayout()
    table = QTextCursor(block).currentTable()
    if table is None:
        rect = layout.blockBoundingRect(block)
        lines = block.layout()
        first = sum(lines.lineAt(i).height() for i in range(min(FIRST_LINES, lines.lineCount())))
        return min(rect.bottom(), rect.top() + first) if first else rect.bottom()
    row = min(table.rows() - 1, table.format().headerRowCount())
    cells = [table.cellAt(row, column) for column in range(table.columns())]
    return max(layout.blockBoundingRect(cell.lastCursorPosition().block()).bottom() for cell in cells)


def _paint_page(painter: QPainter, document: QTextDocument, page: int) -> None:
    height = document.pageSize().height()
    area = QRectF(0, page * height, document.pageSize().width(), height)
    painter.save()
    painter.translate(0, -page * height)
    document.drawContents(painter, area)
    painter.restore()


def _paint_footer(painter: QPainter, writer: QPdfWriter, text: str) -> None:
    footer = FOOTER_MM / 25.4 * writer.resolution()
    font = QFont("Arial")
    font.setPointSizeF(FOOTER_POINTS)
    painter.save()
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.darkGray)
    area = QRectF(0, writer.height() - footer, writer.width(), footer)
    painter.drawText(area, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, text)
    painter.restore()
