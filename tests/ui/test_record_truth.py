"""A record never outlives its rules (issue 21, problem 3): edited rules are shown and recorded as
"Edited from Inclusive recovery 1.0" with their changes, recording asks for the reasons, and the
decision record, the ranked list's Rules sheet and the charts' legend all say the same."""

import pypdfium2 as pdfium
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from tests.ui.conftest import WAIT_MS

TITLE = "Edited from Inclusive recovery 1.0"
OLD_RATIONALE = "gain 4 weeks-equivalent"  # words of the shipped rule set's rationale


def type_weight(qtbot, controller, factor: str, text: str) -> None:
    spin = controller.rules.editors[factor].spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.result.rule_set.factor(factor).weight == float(text), timeout=WAIT_MS)


def test_edited_rules_are_shown_as_edited_everywhere_and_undo_restores_the_original(qtbot, app):
    _window, controller, _path = app
    assert controller.rules.title.text().startswith("<b>Inclusive recovery 1.0</b>")
    assert not controller.rules.changes.isVisibleTo(controller.rules)
    type_weight(qtbot, controller, "Carer", "2.5")
    assert controller.rules.title.text().startswith(f"<b>{TITLE}</b>")
    assert controller.rules.changes.text() == "Changes: Carer, weight: 1 → 2.5"
    assert f"Scenario: {TITLE}" in controller.equity.legend.text()
    qtbot.waitUntil(lambda: "Kendall tau" in controller.ranked.summary.text(), timeout=WAIT_MS)
    assert controller.ranked.summary.text().startswith(f"{TITLE} against Treat in turn")
    qtbot.mouseClick(controller.rules.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.result.rule_set.factor("Carer").weight == 1.0, timeout=WAIT_MS)
    assert controller.rules.title.text().startswith("<b>Inclusive recovery 1.0</b>")
    assert controller.rules.rule_set.rationale and OLD_RATIONALE in controller.rules.rule_set.rationale


def test_recording_edited_rules_asks_why_then_every_output_carries_the_reasons(qtbot, app, tmp_path):
    _window, controller, _path = app
    type_weight(qtbot, controller, "Most deprived fifth", "2.35")
    log = controller.log
    log.name.setText("Dr A Okafor")
    assert log.rationale.placeholderText() == "Required: why the rules were changed from Inclusive recovery 1.0"
    qtbot.mouseClick(log.record_button, Qt.MouseButton.LeftButton)  # no reasons given: refused
    assert "Say why the rules were changed from Inclusive recovery 1.0" in log.chain.text()
    assert controller.state.log == [] and log.rationale.hasFocus()
    qtbot.keyClicks(log.rationale, "Weights from the AHP workshop")
    with qtbot.waitSignal(controller.decisionsUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(log.record_button, Qt.MouseButton.LeftButton)
    assert controller.state.log[-1].rationale == "Weights from the AHP workshop"
    assert log.rationale.placeholderText() == "Why: the reasons the group agreed on"  # now recorded for these rules

    qtbot.waitUntil(lambda: controller.comparison is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.reportExported, timeout=WAIT_MS) as exported:
        controller.export_report(tmp_path / "record")
    html_path, pdf_path = exported.args
    html = html_path.read_text(encoding="utf-8")
    assert f"<h1>Decision record: {TITLE}</h1>" in html
    assert "<td>Most deprived fifth</td><td>weight</td><td>1</td><td>2.35</td>" in html
    assert "Weights from the AHP workshop (recorded by Dr A Okafor, " in html
    assert OLD_RATIONALE not in html
    assert f"against scenario ({TITLE} (sha256 {controller.rules.rule_set.sha256[:12]}), orange)" in html  # the charts
    pdf = pdfium.PdfDocument(str(pdf_path))
    first_page = " ".join(pdf[0].get_textpage().get_text_bounded().split())
    pdf.close()
    assert f"Decision record: {TITLE}" in first_page and "Weights from the AHP workshop" in first_page

    with qtbot.waitSignal(controller.rankedListExported, timeout=WAIT_MS):
        controller.export_ranked_list(tmp_path / "ranked.xlsx")
    book = load_workbook(tmp_path / "ranked.xlsx", read_only=True)
    rules = {row[0]: row[1] for row in book["Rules"].iter_rows(min_row=2, values_only=True)}
    book.close()
    assert rules["Rule set"] == TITLE and rules["Change: Most deprived fifth, weight"] == "1 → 2.35"
    assert rules["Rationale for the changes"].startswith("Weights from the AHP workshop (recorded by Dr A Okafor")
    assert OLD_RATIONALE not in " ".join(str(value) for value in rules.values())
