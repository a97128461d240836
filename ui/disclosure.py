"""How the app marks what it shows with disclosure control off: one red line, the same everywhere."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from workbench.compare.suppression import NOT_FOR_PUBLICATION
from workbench.report.glossary import explained

STAMP_COLOUR = "#a00000"
CONTROL_TOOLTIP = explained("Disclosure control") + " So no patient can be picked out by comparing figures."


def not_for_publication_banner(visible: bool = True) -> QLabel:
    """A bold white-on-red "NOT FOR PUBLICATION: SMALL NUMBERS SHOWN" line (hidden unless ``visible``)."""
    banner = QLabel(NOT_FOR_PUBLICATION.upper())
    banner.setStyleSheet(f"color: white; background: {STAMP_COLOUR}; font-weight: bold; padding: 3px;")
    banner.setAccessibleName("Not for publication")
    banner.setToolTip("Disclosure control is off (View menu): these figures can identify patients and must not be "
                      "published or shared outside the organisation.\n\n" + CONTROL_TOOLTIP)
    banner.setVisible(visible)
    return banner
