"""The leaders' reports: the monthly briefing document and the on-time scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from tasks.briefing import compute_briefing
from tasks.briefing_render import write_briefing
from tasks.periods import Period
from tasks.scorecard import Scorecard, compute_scorecard


@dataclass
class BriefingDocument:
    """A briefing rendered in one format, written to ``out`` when one was given."""

    period: Period
    content: bytes | str
    out: Path | None

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else self.content.decode("utf-8")


def briefing_document(
    *,
    session: Session,
    period: Period,
    fmt: str,
    as_of: date | None = None,
    out: Path | None = None,
) -> BriefingDocument:
    """The briefing of ``period`` (see tasks.periods.parse_month) in ``fmt`` (docx, html, md,
    json), with the status as of ``as_of`` (default: the period's end, or today)."""
    numbers = compute_briefing(session=session, period=period, as_of=as_of)
    return BriefingDocument(period=period, content=write_briefing(numbers, fmt, out), out=out)


def scorecard(*, session: Session, as_of: date) -> Scorecard:
    """Each lead unit's share of directives done on time over the 12 months to ``as_of``."""
    return compute_scorecard(session=session, as_of=as_of)
