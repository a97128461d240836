"""Help > How the figures are worked out: the bundled page, read offline in a QTextBrowser.

The page and the analysts' method pages it links to (Markdown) ship in
``resources/help/``; its glossary is filled in from :mod:`workbench.report.glossary`,
the same words the tooltips use. Nothing is fetched from a network: a QTextBrowser
loads only files, and links out of the folder are not followed.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from workbench.report.glossary import HELP_PAGE, help_page_html
from workbench.resources import resource_path

TITLE = "How the figures are worked out"


class HelpBrowser(QTextBrowser):
    """A browser of the help folder whose contents page has its glossary filled in (so Back, and links
    to a section, work as for any page)."""

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt's name)
        if url.fileName() == HELP_PAGE[-1]:
            return help_page_html()
        return super().loadResource(kind, url)


class HelpWindow(QDialog):
    """The help page in a window of its own (not modal: it stays open beside the app)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.browser = HelpBrowser()
        self.browser.setAccessibleName(TITLE)
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        self.browser.setSearchPaths([str(resource_path(*HELP_PAGE[:-1]))])
        self.home = QPushButton("Contents")
        self.home.clicked.connect(self.show_contents)
        self.back = QPushButton("Back")
        self.back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back.setEnabled)
        self.back.setEnabled(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addWidget(self.home)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)
        self.resize(760, 640)
        self.show_contents()

    def show_contents(self, section: str = "") -> None:
        """The page from its start, or at a section such as ``"indices"``."""
        self.open_page(HELP_PAGE[-1], section)

    def open_page(self, name: str, section: str = "") -> None:
        """A page of the help folder, such as ``"equity-methods.md"`` (the analysts' method, in Markdown)."""
        url = QUrl.fromLocalFile(str(resource_path(*HELP_PAGE[:-1], name)))
        if section:
            url.setFragment(section)
        self.browser.setSource(url)
