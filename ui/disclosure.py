"""How the app marks what it shows with disclosure control off: one red line, the same everywhere."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from workbench.compare.suppression import NOT_FOR_PUBLICATION

STAMP_COLOUR = "#a00000"
CONTROL_TOOLTIP = ("Counts of patients are controlled as NHS Digital controls hospital statistics: 1 to 7 show as *, "
                   "other counts are rounded to the nearest 5, totals are worked out before rounding, and a mean or "
                   "share of 1 to 7 patients shows as *. So no patient can be picked out by comparing figures.")


def not_for_publication_banner(visible: bool = True) -> QLabel:
    """A bold white-on-red "NOT FOR PUBLICATION: SMALL NUMBERS SHOWN" line (hidden unless ``visible``)."""
    banner = QLabel(NOT_FOR_PUBLICATION.upper())
    banner.setStyleSheet(f"color: white; background: {STAMP_COLOUR}; font-weight: bold; padding: 3px;")
    banner.setAccessibleName("Not for publication")
    banner.setToolTip("Disclosure control is off (View menu): these figures can identify patients and must not be "
                      "published or shared outside the organisation.")
    banner.setVisible(visible)
    return banner
