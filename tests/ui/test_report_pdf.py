"""The decision record's PDF reads like a report: its pages rendered (pypdfium2) and looked at by the test.

Nothing is drawn past the margins, pictures are scaled to the page, long lines wrap, no word is
split, a heading never ends a page, and every page's foot names the rule set and the page."""

import re
from dataclasses import replace
from datetime import datetime
from html import unescape

import numpy as np
import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ui.report_export import MARGIN_MM, export_decision_record, write_pdf
from workbench.compare.equity import equity_summary
from workbench.demo import write_demo_list
from workbench.rank.bundled_rules import bundled_rule_sets, treat_in_turn
from workbench.rank.ranking import compare, rank
from workbench.rank.rule_edits import with_weights
from workbench.rank.rule_file import load_rules
from workbench.report.record import DecisionRecord
from workbench.store.importer import import_file
from workbench.store.workspace import Workspace

POINTS_PER_MM = 72 / 25.4
HEADINGS = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S)


@pytest.fixture(scope="module")
def demo_list(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    write_demo_list(folder / "ptl.csv", rows=1500)
    import_file(folder / "ptl.csv", folder / "ptl.sqlite")
    with Workspace.open(folder / "ptl.sqlite") as workspace:
        return workspace.load_list(), workspace.import_record()


def chart_png(width=1100, height=760) -> bytes:
    """A real picture wider than the page, edge to edge in colour (so any cropping or overflow shows)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#0072b2"))
    painter = QPainter(image)
    painter.fillRect(width // 4, height // 4, width // 2, height // 2, Qt.GlobalColor.yellow)
    painter.end()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def record(demo_list):
    wl, info = demo_list
    inclusive = load_rules(bundled_rule_sets()["inclusive-recovery"])
    rules = with_weights(inclusive, {"Most deprived fifth": 2.30436, "Carer": 5.45826})
    rules = replace(rules, description="A description long enough to need wrapping " * 6)
    scenario, baseline = rank(rules, wl), rank(treat_in_turn(), wl)
    summary = equity_summary(wl, baseline, scenario, by="imd_decile", capacity_per_week=40, horizon_weeks=13)
    return DecisionRecord(rules, treat_in_turn(), info, summary, compare(baseline, scenario).as_dict(),
                          made_by="J Smith", made_at=datetime(2026, 4, 2, 14, 5))


def rendered(pdf_path, scale=1.0):
    """Each page as an RGB array (72 dpi at scale 1) and its text."""
    document = pdfium.PdfDocument(str(pdf_path))
    pages = [(page.render(scale=scale, rev_byteorder=True).to_numpy()[..., :3], page.get_textpage().get_text_bounded())
             for page in document]
    document.close()
    return pages


def ink_outside_margins(pixels: np.ndarray, scale=1.0) -> int:
    """How many pixels within the page's margins are not white (1 pixel of anti-aliasing allowed)."""
    margin = int(MARGIN_MM * POINTS_PER_MM * scale) - 1
    inside = np.zeros(pixels.shape[:2], dtype=bool)
    inside[margin:-margin, margin:-margin] = True
    return int(((pixels < 245).any(axis=2) & ~inside).sum())


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text))


def test_the_pdf_keeps_to_its_margins_and_splits_no_word(qapp, record, tmp_path):
    html_path, pdf_path = export_decision_record(record, tmp_path / "record", chart_png())
    html = html_path.read_text(encoding="utf-8")
    pages = rendered(pdf_path)
    assert 3 <= len(pages) <= 8
    for number, (pixels, text) in enumerate(pages, start=1):
        assert ink_outside_margins(pixels) == 0, f"page {number} draws past its margins"
        assert f"page {number} of {len(pages)}" in text
        assert "Decision record: Edited from Inclusive recovery 1.0 (sha256" in text
    shown = " ".join(text for _, text in pages)
    split = words(shown) - words(unescape(re.sub(r"<[^>]+>", " ", html))) - {"page"}
    assert not split, f"words split or altered on the page: {sorted(split)[:10]}"
    assert "wrapping A description" in " ".join(shown.split())  # the long TOML line wrapped, not cut


def test_the_chart_fills_the_text_width_and_is_not_cropped(qapp, record, tmp_path):
    _html, pdf_path = export_decision_record(record, tmp_path / "record", chart_png())
    blue = [(pixels, number) for number, (pixels, _text) in enumerate(rendered(pdf_path))
            if ((pixels[..., 2] > 150) & (pixels[..., 0] < 40)).sum() > 1000]
    assert blue, "the chart is on a page"
    pixels, _ = blue[0]
    columns = np.flatnonzero(((pixels[..., 2] > 150) & (pixels[..., 0] < 40)).any(axis=0))
    margin, width = MARGIN_MM * POINTS_PER_MM, pixels.shape[1]
    assert columns[0] >= margin - 1 and columns[-1] <= width - margin + 1
    assert columns[-1] - columns[0] > 0.95 * (width - 2 * margin)  # scaled to the text width, all of it shown


def test_a_heading_never_ends_a_page(qapp, record, tmp_path):
    html_path, pdf_path = export_decision_record(record, tmp_path / "record", chart_png())
    headings = {" ".join(unescape(re.sub(r"<[^>]+>", "", h)).split()) for h in HEADINGS.findall(html_path.read_text())}
    for number, (_pixels, text) in enumerate(rendered(pdf_path), start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        body = lines[:-1]  # the last line is the page's foot
        assert body and body[-1] not in headings, f"page {number} ends with the heading {body[-1]!r}"


def test_a_heading_at_the_foot_of_a_page_moves_to_the_next_with_its_table(qapp, tmp_path):
    filler = "<p>" + "Filler text for the page. " * 40 + "</p>"
    table = "<table><thead><tr><th>Factor</th><th>Weight</th></tr></thead><tr><td>Carer</td><td>2</td></tr></table>"
    for paragraphs in range(6, 12):  # one of these puts the heading at a page's foot
        pages = write_pdf(filler * paragraphs + "<h3>The factors</h3>" + table, tmp_path / "r.pdf")
        texts = [text for _pixels, text in rendered(tmp_path / "r.pdf")]
        holding = [i for i, text in enumerate(texts) if "The factors" in text]
        assert len(texts) == pages and holding
        assert "Carer" in texts[holding[0]], f"{paragraphs} paragraphs: the heading was left behind its table"
