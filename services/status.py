"""Status of the assignments as of a day, in the six categories of the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from dondoc.settings import get_settings
from tasks.status import CATEGORIES, StatusRow, compute_status, count_by_status


@dataclass
class StatusReport:
    """Every assignment's status as of a day, and the count per category."""

    as_of: date
    rows: list[StatusRow]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "counts": self.counts,
            "labels": {c.key: c.label for c in CATEGORIES},
            "assignments": [r.to_json() for r in self.rows],
        }


def status_report(
    *, session: Session, as_of: date, unit_code: str | None = None, notice_number: str | None = None
) -> StatusReport:
    """The status as of ``as_of``, for one unit or one notice when given."""
    rows = compute_status(
        session=session,
        as_of=as_of,
        unit_code=unit_code,
        notice_number=notice_number,
        due_soon_days=get_settings().due_soon_days,
    )
    return StatusReport(as_of=as_of, rows=rows, counts=count_by_status(rows))
