"""Help for every term (issue 21, problem 7): a tooltip in plain words wherever a term or figure is shown,
the bundled page "How the figures are worked out" (Help menu, offline) and the version in About."""

import re
import tomllib
from pathlib import Path

from PySide6.QtCore import QUrl, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QMenu, QTableView, QTreeView, QWidget

from workbench import installed_version
from workbench.report.glossary import TERMS, terms_in
from workbench.resources import resource_path
from workbench.store.decisions import rule_differences

ROOT = Path(__file__).resolve().parents[2]


def shown_texts(root: QWidget):
    """(widget, text, tooltip of the text itself or None) for every label, button, box, combo entry and
    table header under ``root``, shown or not."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, (QLabel, QAbstractButton)):
            yield widget, widget.text(), None
        elif isinstance(widget, QGroupBox):
            yield widget, widget.title(), None
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield widget, widget.itemText(i), widget.itemData(i, Qt.ItemDataRole.ToolTipRole)
        if isinstance(widget, (QTableView, QTreeView)) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                header = (Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                yield (widget, str(model.headerData(column, *header)),
                       model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))


def tooltip_over(widget: QWidget) -> str:
    """What hovering shows: the widget's tooltip, else its parent's (a form label: its field's)."""
    if isinstance(widget, QLabel) and not widget.toolTip() and widget.buddy() is not None:
        widget = widget.buddy()
    while widget is not None and not widget.toolTip():
        widget = widget.parentWidget()
    return widget.toolTip() if widget is not None else ""


def unexplained(root: QWidget) -> list[str]:
    missing = []
    for widget, text, own in shown_texts(root):
        for name in terms_in(text or ""):
            if TERMS[name].words not in (own or tooltip_over(widget)):
                missing.append(f"{type(widget).__name__} {widget.accessibleName()!r}: {name} in {text[:60]!r}")
    return missing


def test_every_term_and_figure_on_screen_is_explained_in_its_tooltip(qtbot, app):
    window, controller, _path = app
    qtbot.waitUntil(lambda: controller.capacity.table.rowCount() > 0, timeout=20_000)
    qtbot.waitUntil(lambda: "Kendall tau" in controller.ranked.summary.text(), timeout=20_000)
    controller.ranked.select_position(0)
    missing = unexplained(window)
    assert missing == [], "\n".join(missing)
    seen = {name for _w, text, _t in shown_texts(window) for name in terms_in(text or "")}
    assert {"Weeks-equivalent", "Kendall tau", "Slope index of inequality (SII)", "sha256", "Pressure",
            "When missing", "Banded", "Social cap", "Median wait"} <= seen  # the walk does reach them
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            for name in terms_in(action.text()):
                assert menu.toolTipsVisible() and TERMS[name].words in action.toolTip(), action.text()
    for dialog in (controller.open_pairwise(), controller.open_swing()):
        assert unexplained(dialog) == []
        dialog.close()


def test_missing_values_are_named_one_way_in_the_rules_panel_and_the_comparison(app):
    _window, controller, _path = app
    combo = controller.rules.editors["Carer"].missing
    assert [combo.itemText(i) for i in range(combo.count())] == ["missing: counts 0",
                                                                 "missing: counts the least anyone gets"]
    words = {d.first for d in rule_differences(controller.rules.rule_set, controller.rules.rule_set)
             if d.item.endswith("when missing")}
    assert words == {"counts 0"}  # the scenario comparison's word, once "neutral"


def test_the_help_menu_opens_the_bundled_page_offline(qtbot, app):
    window, _controller, _path = app
    help_menu = window.help_menu
    action = next(a for a in help_menu.actions() if a.text() == "&How the figures are worked out")
    assert action.shortcut().toString() == "F1"
    action.trigger()
    help_window = window.help_window
    qtbot.waitUntil(help_window.isVisible)
    text = help_window.browser.toPlainText()
    for section in ("The order", "Weeks-equivalent and the factors", "The social cap", "Projected waits",
                    "The inequality indices", "Small numbers (disclosure control)", "The queue figures", "Glossary"):
        assert section in text
    assert all(term.words in text for term in TERMS.values())  # the tooltips' words, one source
    html = resource_path("help", "figures.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', html)
    assert links and not [link for link in links if "://" in link]  # nothing leaves the computer
    pages = {"equity-methods.md": "How the equity figures are worked out",
             "disclosure-control.md": "Disclosure control: small numbers"}
    assert {link for link in links if not link.startswith("#")} == set(pages)
    for page, title in pages.items():  # the analysts' pages ship with the app, shown from Markdown
        help_window.browser.setSource(QUrl(page))
        assert help_window.browser.toPlainText().startswith(title)
    qtbot.mouseClick(help_window.back, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(help_window.home, Qt.MouseButton.LeftButton)
    assert help_window.browser.toPlainText().startswith("How the figures are worked out")


def test_about_shows_the_version_from_the_package_metadata(qtbot, app):
    window, _controller, _path = app
    next(a for a in window.help_menu.actions() if a.text() == "&About the workbench").trigger()
    qtbot.waitUntil(lambda: window.about_box is not None and window.about_box.isVisible())
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert installed_version() == declared
    assert f"version {declared}" in window.about_box.text()
