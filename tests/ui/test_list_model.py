"""The list model: a lazy table over NumPy columns and a view order."""

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt

from tests.ui.conftest import make_list
from ui.list_model import ListModel
from workbench.view.columns import shown_columns
from workbench.view.filters import FINDINGS, ListIndex, ListQuery


def model_for(wl, findings=None):
    model = ListModel()
    model.set_list(wl, findings or {"nhs_number_invalid": np.array([4, 5])}, {"nhs_number_invalid": "Bad NHS number"})
    return model


def cell(model, row, field):
    return model.data(model.index(row, model.column_of(field)))


def test_model_passes_qt_model_tester(qtmodeltester, small_list):
    model = model_for(small_list)
    qtmodeltester.check(model, force_py=True)
    model.set_order(np.array([5, 3, 1], dtype=np.int64))
    qtmodeltester.check(model, force_py=True)


def test_model_tester_survives_order_swaps_with_selection(qtmodeltester, small_list):
    model = model_for(small_list)
    qtmodeltester.check(model, force_py=True)  # the tester stays attached and watches the changes below
    selection = QItemSelectionModel(model)
    selection.select(model.index(2, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    model.set_order(np.array([4, 2, 0], dtype=np.int64))
    model.set_order(np.array([1, 3], dtype=np.int64))
    model.set_order(np.arange(6, dtype=np.int64))


def test_cells_are_formatted_for_people(small_list):
    model = model_for(small_list)
    assert cell(model, 0, "nhs_number") == "943 476 5919"
    assert cell(model, 0, "wait_start") == "31/03/2026"
    assert cell(model, 1, "wait_start") == "20/01/2026"
    assert cell(model, 1, "weeks_waited") == "10.0"
    assert cell(model, 3, "clinical_priority") == ""
    assert cell(model, 4, FINDINGS) == "NHS number"
    assert model.data(model.index(4, model.column_of(FINDINGS)), Qt.ItemDataRole.ToolTipRole) == "Bad NHS number"
    assert model.headerData(model.column_of("wait_start"), Qt.Orientation.Horizontal) == "Wait start"


def test_empty_fields_are_not_shown(small_list):
    names = shown_columns(small_list)
    assert {"pathway_id", "wait_start", "weeks_waited"} <= set(names)
    assert "postcode" not in names and "tci_date" not in names


def test_a_new_order_keeps_the_selected_patient_selected(small_list):
    model = model_for(small_list)
    selection = QItemSelectionModel(model)
    selection.select(model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    model.set_order(np.array([5, 4, 3, 2, 1, 0], dtype=np.int64))
    assert [i.row() for i in selection.selectedIndexes()] == [3]
    assert cell(model, 3, "pathway_id") == "PW0002"


def test_header_click_asks_for_a_sort_instead_of_sorting(qtbot, small_list):
    model = model_for(small_list)
    with qtbot.waitSignal(model.sortRequested) as blocker:
        model.sort(model.column_of("weeks_waited"), Qt.SortOrder.DescendingOrder)
    assert blocker.args == ["weeks_waited", True]
    order = ListIndex(small_list).order(ListQuery(sort_column="weeks_waited", descending=True))
    model.set_order(order)
    assert [cell(model, r, "pathway_id") for r in range(3)] == ["PW0005", "PW0004", "PW0003"]


def test_an_empty_model_is_valid(qtmodeltester):
    model = ListModel()
    qtmodeltester.check(model, force_py=True)
    model.set_list(make_list(0))
    assert model.rowCount() == 0
