"""The secretariat's dashboard: the status of every assignment as of a day (the numbers of
``dondoc status``), counted by unit, overdue first, with filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from services.status import StatusReport, status_report
from tasks.status import CATEGORIES, StatusRow

# The order a clerk reads the list in: what is late first, what is finished last.
URGENCY = ("overdue", "due_soon", "in_time", "no_deadline", "done_late", "done_on_time")


@dataclass
class UnitLine:
    """One unit's assignments by category."""

    code: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: {c.key: 0 for c in CATEGORIES})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "counts": self.counts, "total": self.total}


@dataclass
class Dashboard:
    """The status as of a day, filtered, with the units' lines."""

    report: StatusReport
    status: str | None
    units: list[UnitLine]
    rows: list[StatusRow]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.report.to_json(),
            "status": self.status,
            "units": [u.to_json() for u in self.units],
            "assignments": [r.to_json() for r in self.rows],
        }


def dashboard(
    *,
    session: Session,
    as_of: date,
    unit_code: str | None = None,
    notice_number: str | None = None,
    status: str | None = None,
) -> Dashboard:
    """The status of the assignments as of ``as_of`` (of one unit, one notice, one category
    when given): counts (before the category filter), units by most overdue, rows overdue first."""
    report = status_report(
        session=session, as_of=as_of, unit_code=unit_code, notice_number=notice_number
    )
    lines: dict[str, UnitLine] = {}
    for row in report.rows:
        line = lines.setdefault(row.unit_code, UnitLine(code=row.unit_code, name=row.unit_name))
        line.counts[row.status] += 1
    units = sorted(
        lines.values(), key=lambda u: (-u.counts["overdue"], -u.counts["due_soon"], u.name)
    )
    rows = [r for r in report.rows if status is None or r.status == status]
    rows.sort(key=lambda r: (URGENCY.index(r.status), r.effective_due or date.max, r.assignment_id))
    return Dashboard(report=report, status=status, units=units, rows=rows)
