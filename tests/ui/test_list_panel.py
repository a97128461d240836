"""The list panel, quality panel and summary strip with real widgets and a real worker."""

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import make_list
from ui.list_panel import ListPanel
from workbench.view.filters import ANY_FINDING, SEARCH_FIELDS, ListIndex
from ui.quality_panel import QualityPanel
from ui.summary_strip import SummaryStrip
from ui.workers import Worker

DESCRIPTIONS = {"duplicate_pathway": "The same pathway ID is on more than one row", "missing_priority": "No clinical priority"}


@pytest.fixture
def worker(qtbot):
    worker = Worker("compute")
    yield worker
    worker.shutdown(5000)
    # Every task's end delivered while its worker is alive: a report still queued when the worker
    # was deleted crashed the next test's event loop (seen with the tests in random order).
    qtbot.waitUntil(lambda: not worker.is_busy())


@pytest.fixture
def panel(qtbot, worker):
    panel = ListPanel(worker)
    qtbot.addWidget(panel)
    index = ListIndex(make_list(12), {"duplicate_pathway": np.array([1, 6]), "missing_priority": np.array([3, 7, 11])})
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_list(index, descriptions=DESCRIPTIONS)
    return panel


def shown(panel, field="pathway_id"):
    model = panel.model
    return [model.data(model.index(r, model.column_of(field))) for r in range(model.rowCount())]


def test_a_filter_combo_shows_only_its_rows_and_the_count(qtbot, panel):
    combo = panel.filters["site"]
    with qtbot.waitSignal(panel.summaryChanged) as blocker:
        combo.setCurrentIndex(combo.findData("South"))
        combo.activated.emit(combo.currentIndex())
    assert shown(panel, "site") == ["South"] * 6
    assert panel.count.text() == "6 of 12 patients"
    assert blocker.args[0].total == 6


def test_choosing_a_finding_lists_its_rows(qtbot, panel):
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_finding("missing_priority")
    assert shown(panel) == ["PW0003", "PW0007", "PW0011"]
    assert panel.finding_filter.currentData() == "missing_priority"
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_finding(ANY_FINDING)
    assert panel.model.rowCount() == 5


def test_clicking_a_header_sorts_and_clear_filters_keeps_the_sort(qtbot, panel):
    column = panel.model.column_of("weeks_waited")
    with qtbot.waitSignal(panel.summaryChanged):
        panel.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    assert shown(panel)[:3] == ["PW0011", "PW0010", "PW0009"]
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_search("pw000")
    assert shown(panel) == [f"PW000{i}" for i in range(9, -1, -1)]
    with qtbot.waitSignal(panel.summaryChanged):
        panel.clear_filters()
    assert panel.model.rowCount() == 12 and shown(panel)[0] == "PW0011"


def test_typing_in_the_search_box_searches_after_a_pause(qtbot, panel):
    qtbot.keyClicks(panel.search, "9434765919")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert shown(panel, "nhs_number") == ["943 476 5919"]


def test_ctrl_c_copies_selected_rows_with_a_header(qtbot, panel):
    table = panel.table
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().select(panel.model.index(0, 0), flags)
    table.selectionModel().select(panel.model.index(2, 0), flags)
    table.setFocus()
    QApplication.clipboard().clear()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 3
    header = lines[0].split("\t")
    assert header[:3] == ["Row", "Data problems", "Pathway ID"]
    first = dict(zip(header, lines[1].split("\t")))
    assert first["Pathway ID"] == "PW0000" and first["NHS number"] == "943 476 5919" and first["Wait start"] == "31/03/2026"
    assert lines[2].split("\t")[0] == "3"


def test_copy_of_many_rows_runs_on_the_worker(qtbot, worker):
    panel = ListPanel(worker)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_list(ListIndex(make_list(6000)))
    panel.table.selectAll()
    QApplication.clipboard().clear()
    panel.copy_selection()
    qtbot.waitUntil(lambda: QApplication.clipboard().text().count("\n") == 6001)


def test_quality_panel_lists_findings_and_emits_the_chosen_code(qtbot):
    quality = QualityPanel()
    qtbot.addWidget(quality)
    quality.set_findings({"duplicate_pathway": 2, "missing_priority": 1234}, DESCRIPTIONS, total_rows=5000)
    assert quality.codes() == ["duplicate_pathway", "missing_priority"]
    assert quality.tree.item(1, 1).text() == "1,234"
    assert "2 kinds of problem" in quality.headline.text()
    rect = quality.tree.visualItemRect(quality.tree.item(1, 0))
    with qtbot.waitSignal(quality.findingChosen) as blocker:
        qtbot.mouseClick(quality.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["missing_priority"]
    with qtbot.waitSignal(quality.findingChosen) as blocker:
        qtbot.mouseClick(quality.show_all, Qt.MouseButton.LeftButton)
    assert blocker.args == [""]


def test_summary_strip_shows_the_figures(qtbot, panel):
    strip = SummaryStrip()
    qtbot.addWidget(strip)
    with qtbot.waitSignal(panel.summaryChanged) as blocker:
        panel.set_finding("missing_priority")  # weeks 30, 70, 110
    strip.show_summary(blocker.args[0])
    assert strip.figures["total"].text() == "3"
    assert strip.figures["median"].text() == "70.0 weeks"
    assert strip.figures["over_52"].text() == "2 (67%)"
    assert strip.figures["within"].text() == "0%" and strip.figures["over_104"].text() == "1 (33%)"
    assert strip.denominator.text() == ("RTT waits counted: 3 of 3 patients. "
                                        "Percentages are of the RTT waits counted. Overdue for priority: none.")
    assert "No priority\u00a03" in strip.priorities.text()
    assert strip.bars.opts["height"].sum() == 2  # 30 and 70 weeks; 110 in the bar of its own:
    assert list(strip.tail_bar.opts["height"]) == [1] and strip.tail_bar.isVisible()
    assert strip.axis_words() == {"left": "Patients", "bottom": "Weeks waited", "ticks": "0 26 52 78 104+"}
    assert [line.label.toPlainText() for line in strip.lines] == ["18", "52", "65", "78"]


def test_once_the_list_is_shown_the_search_texts_are_built_in_the_background(qtbot, panel):
    index = panel.index
    qtbot.waitUntil(lambda: set(index._search_text) == set(SEARCH_FIELDS) and "pathway_id" in index._sort_keys)


def test_a_shown_list_reports_when_its_rows_are_painted(qtbot, worker):
    panel = ListPanel(worker)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.summaryChanged):
        panel.set_list(ListIndex(make_list(12)))
    assert panel.index._search_text == {}  # nothing starts before the rows are on screen
    with qtbot.waitSignal(panel.listShown):
        pass
    qtbot.waitUntil(lambda: "nhs_number" in panel.index._search_text)


def test_a_list_with_its_first_view_worked_out_shows_its_rows_at_once(qtbot, worker):
    from workbench.view.summary import order_and_summary
    from workbench.view.filters import ListQuery

    panel = ListPanel(worker)
    qtbot.addWidget(panel)
    index = ListIndex(make_list(12))
    summaries = []
    panel.summaryChanged.connect(summaries.append)
    panel.set_list(index, first_view=order_and_summary(index, ListQuery()))
    assert panel.model.rowCount() == 12 and summaries and summaries[-1].total == 12  # no round trip to the worker
