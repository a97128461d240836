"""What a picture of the charts says about itself, so it still makes sense pasted into a slide or
an email: what it shows, of which list, under which rule sets, and when it was made."""

from __future__ import annotations

from datetime import date, datetime


def chart_caption(title: str, list_name: str | None, census: date | None, scenario: str, baseline: str,
                  made_at: datetime) -> list[str]:
    """The lines above an exported picture of charts.

    >>> chart_caption("Equity impact", "ptl.csv", date(2026, 3, 31), "Edited from Inclusive recovery 1.0", "Treat in turn",
    ...               datetime(2026, 4, 2, 9, 30))
    ['Equity impact: Edited from Inclusive recovery 1.0 against Treat in turn', 'List: ptl.csv, census 31/03/2026 · made 02/04/2026 09:30']
    """
    where = f"List: {list_name or 'not named'}" + (f", census {census:%d/%m/%Y}" if census else "")
    return [f"{title}: {scenario} against {baseline}", f"{where} · made {made_at:%d/%m/%Y %H:%M}"]
