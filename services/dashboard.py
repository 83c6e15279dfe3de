"""The secretariat's dashboard: the status of every assignment as of a day (the numbers of
``dondoc status``), counted by unit, overdue first, with filters.

Counted and ordered in SQL: on 100,000 assignments the page shows the counts and the units'
table for all of them and lists the first ``LIST_LIMIT`` rows, overdue first (the filters,
or ``dondoc status``, give the rest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.notice import Assignment
from models.unit import Unit
from services.status import check_filters
from tasks.collation import vietnamese_key
from tasks.status import CATEGORIES, StatusRow, filtered_status_statement

# The order a clerk reads the list in: what is late first, what is finished last.
URGENCY = ("overdue", "due_soon", "in_time", "no_deadline", "done_late", "done_on_time")
# Rows listed on the page; a clerk narrows the list with the filters rather than scrolling.
LIST_LIMIT = 200


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
    """The status as of a day: counts and units' lines for every assignment (of the unit or
    notice filtered), and the first rows of the category filtered, overdue first."""

    as_of: date
    counts: dict[str, int]
    status: str | None
    units: list[UnitLine]
    rows: list[StatusRow]
    matching: int  # rows of the category filtered (all of them when none), listed or not

    @property
    def more(self) -> int:
        """Rows not listed."""
        return self.matching - len(self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "counts": self.counts,
            "labels": {c.key: c.label for c in CATEGORIES},
            "status": self.status,
            "units": [u.to_json() for u in self.units],
            "assignments": [r.to_json() for r in self.rows],
            "matching": self.matching,
            "limit": LIST_LIMIT,
        }


def dashboard(
    *,
    session: Session,
    as_of: date,
    unit_code: str | None = None,
    notice_number: str | None = None,
    status: str | None = None,
    role: str | None = None,
    notice_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> Dashboard:
    """The status of the assignments as of ``as_of`` (of one unit, one notice, one role, one
    category when given): counts (before the category filter), units by most overdue, and at most
    ``limit`` rows, overdue first."""

    check_filters(
        session=session, unit_code=unit_code, notice_number=notice_number, notice_id=notice_id
    )

    def statement() -> Any:
        stmt = filtered_status_statement(
            as_of=as_of,
            unit_code=unit_code,
            notice_number=notice_number,
            due_soon_days=get_settings().due_soon_days,
            notice_id=notice_id,
        )
        # «lead» only: the assignments the monthly briefing counts (it leaves support out).
        return stmt if role is None else stmt.where(col(Assignment.role) == role)

    # One pass over the assignments computes each one's status into a materialised table;
    # the counts by category and unit, and the first rows of the list, are read from it
    # together (half the time of two passes on 100,000 assignments). The listed rows' text
    # is then read by their ids.
    every = statement().add_columns(col(Assignment.unit_id).label("unit_id")).subquery()
    computed = (
        sa_select(every.c.assignment_id, every.c.unit_id, every.c.status, every.c.effective_due)
        .cte("computed")
        .prefix_with("MATERIALIZED")
    )
    urgency = case({key: rank for rank, key in enumerate(URGENCY)}, value=computed.c.status)
    nothing = cast(null(), Integer)  # typed: PostgreSQL matches a union's columns by type
    first = sa_select(
        literal("row"), computed.c.status, computed.c.unit_id, nothing, computed.c.assignment_id
    ).order_by(
        urgency,
        computed.c.effective_due.is_(None),  # no due date: after every dated one (date.max)
        computed.c.effective_due,
        computed.c.assignment_id,
    )
    if status is not None:
        first = first.where(computed.c.status == status)
    counted = sa_select(
        literal("count"), computed.c.status, computed.c.unit_id, func.count(), nothing
    ).group_by(computed.c.status, computed.c.unit_id)
    found = session.exec(
        union_all(counted, sa_select(first.limit(limit).subquery()))  # type: ignore[call-overload]
    ).all()
    grouped = [(category, uid, n) for kind, category, uid, n, _ in found if kind == "count"]
    listed = [aid for kind, _, _, _, aid in found if kind == "row"]
    names = {
        uid: (code, name)
        for uid, code, name in session.exec(
            select(col(Unit.id), col(Unit.code), col(Unit.name)).where(
                col(Unit.id).in_({uid for _, uid, _ in grouped})
            )
        ).all()
    }
    counts = {c.key: 0 for c in CATEGORIES}
    lines: dict[int, UnitLine] = {}
    for category, uid, n in grouped:
        counts[category] += n
        code, name = names[uid]
        lines.setdefault(uid, UnitLine(code=code, name=name)).counts[category] += n
    units = sorted(
        lines.values(),
        key=lambda u: (-u.counts["overdue"], -u.counts["due_soon"], vietnamese_key(u.name)),
    )
    rows = [
        StatusRow(*row)
        for row in session.exec(
            statement().where(col(Assignment.id).in_(listed))  # type: ignore[call-overload]
        ).all()
    ]
    rows.sort(key=lambda r: (URGENCY.index(r.status), r.effective_due or date.max, r.assignment_id))
    matching = counts[status] if status is not None else sum(counts.values())
    return Dashboard(
        as_of=as_of, counts=counts, status=status, units=units, rows=rows, matching=matching
    )


__all__ = ["LIST_LIMIT", "URGENCY", "Dashboard", "UnitLine", "dashboard"]
