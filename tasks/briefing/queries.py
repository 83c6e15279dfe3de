"""The briefing's numbers from the database: SQL aggregation over ``items_query``, the notices
issued and the reminders that failed in the period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from dondoc.settings import Settings, get_settings
from models.delivery import Delivery, DeliveryState
from models.notice import Assignment, Directive, Notice
from models.progress import ProgressUpdate
from models.unit import Unit
from tasks.briefing.items import items_query
from tasks.briefing.model import (
    KEYS,
    Briefing,
    FailedLine,
    ItemLine,
    NoticeLine,
    UnitLine,
    letterhead,
    place_of,
    rank_units,
    sum_counts,
)
from tasks.calendar import WorkCalendar, default_calendar
from tasks.periods import Period


def _counts_by_unit(session: Session, items: Any) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for unit_id, status, n in session.execute(
        select(items.c.unit_id, items.c.status, func.count()).group_by(
            items.c.unit_id, items.c.status
        )
    ):
        out.setdefault(unit_id, dict.fromkeys(KEYS, 0))[status] = n
    return out


def _listed(
    session: Session, items: Any, *, where: Any, as_of: date, limit: int, late: bool
) -> list[ItemLine]:
    note = (
        select(col(ProgressUpdate.note))
        .where(
            col(ProgressUpdate.assignment_id) == items.c.assignment_id,
            col(ProgressUpdate.on) <= as_of,
            col(ProgressUpdate.note).is_not(None),
        )
        .order_by(col(ProgressUpdate.on).desc(), col(ProgressUpdate.id).desc())
        .limit(1)
        .correlate(items)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            items.c.assignment_id,
            col(Notice.number),
            col(Directive.ref),
            col(Directive.text),
            items.c.unit_id,
            items.c.due,
            note,
            items.c.period_key,
        )
        .join(Assignment, col(Assignment.id) == items.c.assignment_id)
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .join(Notice, col(Notice.id) == col(Directive.notice_id))
        .join(Unit, col(Unit.id) == items.c.unit_id)
        .where(where)
        .order_by(items.c.due, col(Notice.number), col(Directive.position), col(Unit.name))
        .limit(limit)
    ).all()
    names = unit_names(session, {row[4] for row in rows})
    return [
        ItemLine(
            assignment_id=aid,
            notice_number=number,
            ref=ref,
            text=text,
            unit=names[unit_id],
            due=_as_date(due),
            days_late=(as_of - _as_date(due)).days if late else 0,
            note=latest,
            occurrence=key,
        )
        for aid, number, ref, text, unit_id, due, latest, key in rows
    ]


def _as_date(value: Any) -> date:
    """SQLite hands dates back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """Each unit's name as a report shows it: qualified by its parent's place («Phòng Nội vụ
    (Hòn Đất)» for the one under «UBND huyện Hòn Đất») when another unit of the directory has
    the same name."""
    if not unit_ids:
        return {}
    parent = aliased(Unit)
    rows = session.execute(
        select(col(Unit.id), col(Unit.name), col(parent.name))
        .outerjoin(parent, col(parent.id) == col(Unit.parent_id))
        .where(col(Unit.id).in_(unit_ids))
    ).all()
    shared = set(
        session.execute(
            select(col(Unit.name))
            .where(col(Unit.name).in_({name for _, name, _ in rows}))
            .group_by(col(Unit.name))
            .having(func.count() > 1)
        ).scalars()
    )
    return {
        uid: f"{name} ({place_of(above)})" if name in shared and above else name
        for uid, name, above in rows
    }


def _unit_lines(
    session: Session, by_unit: dict[int, dict[str, int]], prev_by_unit: dict[int, dict[str, int]]
) -> list[UnitLine]:
    unit_ids = set(by_unit) | set(prev_by_unit)
    shown = unit_names(session, unit_ids)
    names = {
        uid: (code, shown[uid])
        for uid, code in session.execute(
            select(col(Unit.id), col(Unit.code)).where(col(Unit.id).in_(unit_ids))
        )
    }
    return rank_units(
        [
            UnitLine(
                unit_id=uid,
                code=names[uid][0],
                name=names[uid][1],
                counts=by_unit.get(uid, dict.fromkeys(KEYS, 0)),
                previous=prev_by_unit.get(uid, {}),
            )
            for uid in by_unit
        ]
    )


def _notices(session: Session, period: Period) -> list[NoticeLine]:
    """The notices issued in the period, with how many directives and assignments each has."""
    return [
        NoticeLine(number, issued_on, title, directives, assignments)
        for number, issued_on, title, directives, assignments in session.execute(
            select(
                col(Notice.number),
                col(Notice.issued_on),
                col(Notice.title),
                func.count(func.distinct(col(Directive.id))),
                func.count(col(Assignment.id)),
            )
            .outerjoin(Directive, col(Directive.notice_id) == col(Notice.id))
            .outerjoin(Assignment, col(Assignment.directive_id) == col(Directive.id))
            .where(col(Notice.issued_on) >= period.start, col(Notice.issued_on) <= period.end)
            .group_by(col(Notice.id), col(Notice.number), col(Notice.issued_on), col(Notice.title))
            .order_by(col(Notice.issued_on), col(Notice.id))
        )
    ]


def _failed(
    session: Session, period: Period, *, timezone: str, limit: int
) -> tuple[int, list[FailedLine]]:
    """How many deliveries claimed in the period failed, and the first ``limit`` of them."""
    tz = ZoneInfo(timezone)
    since = datetime.combine(period.start, time(0), tz)
    until = datetime.combine(period.end + timedelta(days=1), time(0), tz)
    failed_where = and_(
        col(Delivery.state) == DeliveryState.FAILED,
        col(Delivery.claimed_at) >= since,
        col(Delivery.claimed_at) < until,
    )
    total = session.execute(
        select(func.count()).select_from(Delivery).where(failed_where)
    ).scalar_one()
    failed = [
        FailedLine(channel, recipient, unit, attempts, error, at)
        for channel, recipient, unit, attempts, error, at in session.execute(
            select(
                col(Delivery.channel),
                col(Delivery.recipient),
                col(Unit.name),
                col(Delivery.attempts),
                col(Delivery.last_error),
                col(Delivery.claimed_at),
            )
            .outerjoin(Unit, col(Unit.id) == col(Delivery.unit_id))
            .where(failed_where)
            .order_by(col(Delivery.claimed_at), col(Delivery.id))
            .limit(limit)
        )
    ]
    return total, failed


def _letterhead(session: Session, settings: Settings) -> tuple[str, str, str]:
    latest = session.execute(
        select(col(Notice.issuer), col(Notice.place))
        .order_by(col(Notice.issued_on).desc(), col(Notice.id).desc())
        .limit(1)
    ).first()
    return letterhead(
        (latest[0], latest[1]) if latest else None,
        parent=settings.report_parent,
        issuer=settings.report_issuer,
        place=settings.report_place,
    )


def compute_briefing(
    *,
    session: Session,
    period: Period,
    as_of: date | None = None,
    calendar: WorkCalendar | None = None,
    list_limit: int | None = None,
) -> Briefing:
    """The briefing of a period as of a date (default: the period's end, or today if sooner)."""
    cal = calendar or default_calendar()
    settings = get_settings()
    limit = list_limit or settings.report_list_limit
    as_of = as_of or min(period.end, date.today())
    items = items_query(start=period.start, end=period.end, as_of=as_of, calendar=cal)
    by_unit = _counts_by_unit(session, items)
    previous = period.previous()
    prev_by_unit = _counts_by_unit(
        session,
        items_query(start=previous.start, end=previous.end, as_of=previous.end, calendar=cal),
    )
    active_units = session.execute(
        select(func.count()).select_from(Unit).where(col(Unit.active))
    ).scalar_one()

    nxt = period.next()
    upcoming = items_query(start=nxt.start, end=nxt.end, as_of=as_of, calendar=cal)
    in_next = and_(
        upcoming.c.done_on.is_(None),
        upcoming.c.due >= nxt.start,
        upcoming.c.due <= nxt.end,
    )
    due_next_total = session.execute(
        select(func.count()).select_from(upcoming).where(in_next)
    ).scalar_one()
    failed_total, failed = _failed(session, period, timezone=settings.timezone, limit=limit)
    parent, issuer, place = _letterhead(session, settings)
    return Briefing(
        period=period,
        as_of=as_of,
        parent=parent,
        issuer=issuer,
        place=place,
        totals=sum_counts(by_unit),
        previous_totals=sum_counts(prev_by_unit),
        units=_unit_lines(session, by_unit, prev_by_unit),
        units_without_items=max(0, active_units - len(by_unit)),
        overdue=_listed(
            session, items, where=items.c.status == "overdue", as_of=as_of, limit=limit, late=True
        ),
        due_next=_listed(session, upcoming, where=in_next, as_of=as_of, limit=limit, late=False),
        due_next_total=due_next_total,
        notices=_notices(session, period),
        failed=failed,
        failed_total=failed_total,
        list_limit=limit,
        directives=session.execute(
            select(func.count(func.distinct(col(Assignment.directive_id)))).select_from(
                items.join(Assignment, col(Assignment.id) == items.c.assignment_id)
            )
        ).scalar_one(),
    )
