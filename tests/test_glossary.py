"""The words of help: one glossary for tooltips and the help page, and a help page that stands alone offline."""

import re

from workbench.report.glossary import GLOSSARY_MARK, TERMS, explained, help_page_html, terms_in
from workbench.resources import resource_path


def test_every_term_is_found_by_its_own_name_and_explained_in_a_sentence():
    for name, term in TERMS.items():
        assert name in terms_in(term.name) or term.found_in(term.name.lower()), name
        assert term.words.endswith(".") and len(term.words) > 30, name
    assert explained("Kendall tau").startswith("Kendall tau: How alike two orders are")


def test_the_help_page_holds_the_glossary_and_every_link_it_offers():
    raw = resource_path("help", "figures.html").read_text(encoding="utf-8")
    assert GLOSSARY_MARK in raw
    page = help_page_html()
    assert GLOSSARY_MARK not in page and all(term.words in page for term in TERMS.values())
    anchors = set(re.findall(r'<a name="([^"]+)">', page))
    for link in re.findall(r'href="([^"]+)"', page):
        assert "://" not in link  # offline: nothing to fetch
        assert link[1:] in anchors if link.startswith("#") else resource_path("help", link).is_file(), link
