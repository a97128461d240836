"""Help in plain words: what each figure and term of the workbench means.

One home for the words: the app's tooltips (:func:`explained`), the equity
panel's notes and the glossary of the bundled help page "How the figures are
worked out" (:func:`glossary_html`, put into ``resources/help/figures.html``)
all read :data:`TERMS`, so a term never means one thing on screen and another in
the help. :func:`terms_in` finds the terms a text on screen uses, so a test can
check that every one of them is explained where it is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from workbench.compare.queues import COLUMNS
from workbench.rank.rules import MISSING_WORDS
from workbench.resources import resource_path

HELP_PAGE = ("help", "figures.html")
GLOSSARY_MARK = "<!-- glossary -->"


@dataclass(frozen=True)
class Term:
    """A term as people see it (``name``), what it means in plain words, and how to find it in a text."""

    name: str
    words: str
    pattern: str

    def found_in(self, text: str) -> bool:
        return re.search(self.pattern, text, re.IGNORECASE) is not None


def _queue_words(key: str) -> str:
    """A queue figure's meaning, as the capacity table's header says it (compare/queues.py)."""
    return next(words for column, _title, words in COLUMNS if column == key)


TERMS: dict[str, Term] = {term.name: term for term in (
    Term("RTT waits counted", "Weeks from the clock start to the census date, for referral-to-treatment (RTT) "
         "pathways whose clock is still running and whose clock start can be trusted. Other rows stay on the list "
         "and are counted apart.", r"RTT waits|waits counted|RTT patients"),
    Term("Median wait", "Half the RTT waits counted are shorter than this and half longer.", r"median wait"),
    Term("Within 18 weeks", "The share of RTT waits counted that are under 18 weeks; the NHS constitutional "
         "standard is 92%.", r"within 18 weeks"),
    Term("Long waits", "Patients whose RTT wait has passed 52, 65, 78 or 104 weeks: the thresholds national "
         "reporting uses.", r"long waits?|\b(over|past) (52|65|78|104) (weeks|wk)"),
    Term("Overdue for priority", "Patients past their clinical priority's time limit (P2 4 weeks, P3 3 months), "
         "counted from the last priority review, else the decision to admit, else the clock start.", r"overdue"),
    Term("Weeks-equivalent", "The unit of every score: one week of waiting is worth 1. A factor worth 4 "
         "weeks-equivalent moves a patient up as far as 4 more weeks of waiting would, within their clinical "
         "priority band.", r"weeks-equivalent"),
    Term("Score", "Within a clinical priority band patients are ordered by their score, highest first: each "
         "factor's value times its weight, added up, in weeks-equivalent. Equal scores: the longer wait first, "
         "then the pathway ID.", r"^score\b|\bscore \("),
    Term("Social cap", "Social and deprivation factors together are never worth more than this many weeks of "
         "waiting, so clinical priority and time waited still decide most of the order.",
         r"social (advancement )?cap|cap social"),
    Term("When missing", f"What a patient with no value for a factor gets: '{MISSING_WORDS['neutral']}' adds "
         f"nothing (no credit, no penalty); '{MISSING_WORDS['lowest']}' gives the lowest value this factor gives "
         "anyone on the list.", r"missing:|when missing"),
    Term("Banded", "A value for each band, written from-to: value. '1-1: 4' means a value from 1 to 1 (for a "
         "deprivation fifth: the most deprived fifth) adds 4, times the factor's weight; a value in no band adds 0.",
         r"\bbanded\b|\d-\d+: \d"),
    Term("Transform", "How a factor's value becomes points: linear, the value itself; threshold, 1 if the value is "
         "at least a set figure, else 0; capped, the value but never more than a maximum; banded, a value for "
         "each band.", r"\btransform\b"),
    Term("Deprivation fifth", "Areas ranked by the Indices of Deprivation of their own nation (England, Wales or "
         "Scotland) and cut into fifths (deciles: tenths): 1 = most deprived. Fifths of different nations are "
         "never put together.", r"depriv\w* fifth|\bIMD\b|quintile|decile"),
    Term("Core20", "The most deprived 20% of areas in England (IMD fifth 1), as NHS England's Core20PLUS5 "
         "names them.", r"\bcore20\b"),
    Term("Baseline", "Treat in turn: clinical priority band first, then the longest wait. Every other rule set "
         "is compared with it.", r"\bbaseline\b"),
    Term("Kendall tau", "How alike two orders are, from 1 (the same order) through 0 (unrelated) to -1 "
         "(reversed): 0.95 means the new order mostly keeps the baseline's.", r"kendall"),
    Term("Projected wait", "How long a patient will have waited when treated if the list is served in this order "
         "at the capacity given, week by week, while new referrals join it and take their place by the rule set.",
         r"projected wait|projected waits"),
    Term("Next N treated", "The patients treated within the horizon at the capacity given; each group's share of "
         "them, under each order, shows who the order serves first.", r"\bnext N\b|\bnext \d[\d,]* patients"),
    Term("Horizon", "How many weeks ahead the projections look.", r"\bhorizon\b"),
    Term("90th percentile", "The wait that 9 in 10 of the group's patients are projected not to pass.",
         r"90th percentile"),
    Term("Slope index of inequality (SII)", "The gap in mean projected wait, in weeks, between the most and the "
         "least deprived ends of a line fitted across the deprivation deciles; positive means the most deprived wait "
         "longer, 0 no gradient.", r"\bSII\b|slope index"),
    Term("Relative index of inequality (RII)", "The fitted wait at the least deprived end divided by that at the "
         "most deprived end (OHID's definition). Below 1: the most deprived wait longer; 0.85 reads 'the most "
         "deprived wait 1.18 times as long'.", r"\bRII\b|relative index"),
    Term("Confidence interval", "The range the figure probably lies in (95 times in 100), given how much waits "
         "vary within each group. A range that crosses 0 means the gap could be chance.",
         r"confidence interval|\bCI\b"),
    Term("Range for the unknowns", "How far a group's figure could move if every patient whose group is not "
         "recorded (ethnicity, sex, deprivation) belonged to it.", r"whiskers?|unknowns"),
    Term("Disclosure control", "To protect patients, counts from 1 to 7 are shown as * and every other count is "
         "rounded to the nearest 5 (NHS Digital's method); totals are rounded from the exact counts, so they need "
         "not add up, and figures about 1 to 7 patients are hidden with them.",
         r"rounded to the nearest 5|small numbers|disclosure"),
    Term("Queue load", _queue_words("queue_load"), r"queue load"),
    Term("Target queue size", _queue_words("target_queue_size"), r"target queue size"),
    Term("Relief capacity", _queue_words("relief_capacity"), r"relief capacity"),
    Term("Pressure", _queue_words("waiting_list_pressure"), r"\bpressure\b"),
    Term("sha256", "A fingerprint of the exact file or rule set: the smallest change gives a different one. It "
         "shows which rules, or which file, a figure came from.", r"sha256"),
    Term("Hash chain", "Each decision log entry carries a fingerprint of the one before, so an entry changed or "
         "deleted outside the workbench breaks the chain and is named.", r"hash chain|record intact"),
    Term("AHP", "The analytic hierarchy process: weights from comparing the factors two at a time ('how much "
         "more important is this than that?').", r"\bAHP\b|pairwise"),
    Term("Consistency ratio", "Whether the pairwise answers agree with each other: above 0.10 some contradict "
         "the others (A over B, B over C, but C over A) and should be looked at again.", r"consistency"),
    Term("Swing weighting", "Points for each factor's swing, from its lowest to its highest value: 100 for the "
         "swing that matters most, fewer for the others; the weights follow from the points.", r"\bswing"),
)}


def explained(*names: str) -> str:
    """Tooltip text for terms: ``Name: what it means.`` a line each (KeyError naming an unknown term).

    >>> print(explained("Horizon"))
    Horizon: How many weeks ahead the projections look.
    """
    return "\n".join(f"{TERMS[name].name}: {TERMS[name].words}" for name in names)


def terms_in(text: str) -> list[str]:
    """The names of the terms a text uses.

    >>> terms_in("rank correlation (Kendall tau) 0.956; SII 9.6")
    ['Kendall tau', 'Slope index of inequality (SII)']
    """
    return [name for name, term in TERMS.items() if term.found_in(text)]


def explain_text(text: str, besides: str = "") -> str:
    """Tooltip text for the terms a text on screen uses ("" if it uses none), but those ``besides`` says already.

    >>> explain_text("Horizon:")
    'Horizon: How many weeks ahead the projections look.'
    """
    return explained(*(name for name in terms_in(text) if TERMS[name].words not in besides))


def glossary_html() -> str:
    """Every term as an HTML definition list, for the help page."""
    items = "".join(f"<dt><b>{escape(t.name)}</b></dt><dd>{escape(t.words, quote=False)}</dd>" for t in TERMS.values())
    return f"<dl>{items}</dl>"


def help_page_html() -> str:
    """The bundled page "How the figures are worked out", its glossary filled in."""
    return resource_path(*HELP_PAGE).read_text(encoding="utf-8").replace(GLOSSARY_MARK, glossary_html())
