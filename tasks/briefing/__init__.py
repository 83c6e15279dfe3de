"""The monthly giao ban briefing: one set of numbers, computed by SQL aggregation.

What is counted (lead assignments, "đơn vị chủ trì", as the government's tracking reports do):
- a directive with a due date (or none): its assignment, when its notice was issued by the end
  of the period and it was not already done before the period began;
- a monthly, quarterly or yearly directive: each occurrence due in the period, done when the
  unit reported that period done;
- an ongoing directive ("thường xuyên"): once, without a deadline.
Each item falls in one of the six categories of ``tasks.status`` as of the report date; every
format (DOCX, HTML, Markdown, JSON, the Prefect artifacts) renders this one ``Briefing``.

``model`` holds the numbers as data and the arithmetic on them, ``items`` the items' subquery
(shared with the scorecard), ``queries`` the aggregation that fills a ``Briefing``.
"""

from __future__ import annotations

from tasks.briefing.items import items_query
from tasks.briefing.model import (
    KEYS,
    Briefing,
    FailedLine,
    ItemLine,
    NoticeLine,
    UnitLine,
    pct_on_time,
)
from tasks.briefing.queries import compute_briefing

__all__ = [
    "KEYS",
    "Briefing",
    "FailedLine",
    "ItemLine",
    "NoticeLine",
    "UnitLine",
    "compute_briefing",
    "items_query",
    "pct_on_time",
]
