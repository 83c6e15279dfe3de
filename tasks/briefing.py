"""The monthly giao ban briefing: one set of numbers, computed by SQL aggregation.

What is counted (lead assignments, "đơn vị chủ trì", as the government's tracking reports do):
- a directive with a due date (or none): its assignment, when its notice was issued by the end
  of the period and it was not already done before the period began;
- a monthly, quarterly or yearly directive: each occurrence due in the period, done when the
  unit reported that period done;
- an ongoing directive ("thường xuyên"): once, without a deadline.
Each item falls in one of the six categories of ``tasks.status`` as of the report date; every
format (DOCX, HTML, Markdown, JSON, the Prefect artifacts) renders this one ``Briefing``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, extract, func, literal, or_, select, union_all
from sqlmodel import Session

from dondoc.settings import get_settings
from models.delivery import Delivery
from models.notice import Assignment, Directive, Notice
from models.progress import ProgressUpdate
from models.unit import Unit
from tasks.calendar import WorkCalendar, default_calendar
from tasks.periods import RECURRING_PERIODS, Period, occurrence_in
from tasks.status import CATEGORIES, due_as_of, status_case

KEYS = tuple(c.key for c in CATEGORIES)


@dataclass
class UnitLine:
    """One unit's row of the table: counts in the six categories, and against last period."""

    unit_id: int
    code: str
    name: str
    counts: dict[str, int]
    previous: dict[str, int] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(self.counts.values())

    @property
    def in_progress_in_time(self) -> int:
        return self.counts["in_time"] + self.counts["due_soon"]

    @property
    def pct_on_time(self) -> float | None:
        return pct_on_time(self.counts)

    @property
    def previous_pct_on_time(self) -> float | None:
        return pct_on_time(self.previous) if self.previous else None

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.name,
            "assigned": self.assigned,
            **self.counts,
            "in_progress_in_time": self.in_progress_in_time,
            "pct_on_time": self.pct_on_time,
            "previous": {
                "assigned": sum(self.previous.values()),
                **self.previous,
                "pct_on_time": self.previous_pct_on_time,
            }
            if self.previous
            else None,
        }


@dataclass
class ItemLine:
    """An overdue or upcoming directive as the report lists it."""

    assignment_id: int
    notice_number: str | None
    ref: str | None
    text: str
    unit: str
    due: date
    days_late: int = 0
    note: str | None = None
    occurrence: str | None = None  # period key of a recurring directive's occurrence


@dataclass
class NoticeLine:
    number: str | None
    issued_on: date
    title: str
    directives: int
    assignments: int


@dataclass
class FailedLine:
    channel: str
    recipient: str
    unit: str | None
    attempts: int
    last_error: str | None
    at: datetime | None


@dataclass
class Briefing:
    """Everything the monthly report says, for every format."""

    period: Period
    as_of: date
    parent: str
    issuer: str
    place: str
    totals: dict[str, int]
    previous_totals: dict[str, int]
    units: list[UnitLine]
    units_without_items: int
    overdue: list[ItemLine]
    due_next: list[ItemLine]
    due_next_total: int
    notices: list[NoticeLine]
    failed: list[FailedLine]
    failed_total: int
    list_limit: int

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def pct_on_time(self) -> float | None:
        return pct_on_time(self.totals)

    @property
    def previous_pct_on_time(self) -> float | None:
        return pct_on_time(self.previous_totals)

    def share(self, key: str) -> float | None:
        return round(100 * self.totals[key] / self.total, 1) if self.total else None

    def to_json(self) -> dict[str, Any]:
        """The numbers for machines (``--format json``); dates as ISO strings."""

        def plain(obj: Any) -> Any:
            if isinstance(obj, dict):
                return {k: plain(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [plain(v) for v in obj]
            if isinstance(obj, (date, datetime)):
                return obj.isoformat()
            return obj

        return plain(
            {
                "period": {
                    "month": f"{self.period.year}-{self.period.month:02d}",
                    "kind": self.period.kind,
                    "start": self.period.start,
                    "end": self.period.end,
                },
                "as_of": self.as_of,
                "issuer": {"parent": self.parent, "office": self.issuer, "place": self.place},
                "total": self.total,
                "totals": self.totals,
                "shares": {k: self.share(k) for k in KEYS},
                "pct_on_time": self.pct_on_time,
                "previous": {
                    "total": sum(self.previous_totals.values()),
                    "totals": self.previous_totals,
                    "pct_on_time": self.previous_pct_on_time,
                },
                "units": [u.to_json() for u in self.units],
                "units_without_items": self.units_without_items,
                "overdue_total": self.totals["overdue"],
                "overdue": [asdict(i) for i in self.overdue],
                "due_next_total": self.due_next_total,
                "due_next": [asdict(i) for i in self.due_next],
                "notices": [asdict(n) for n in self.notices],
                "failed_total": self.failed_total,
                "failed": [asdict(f) for f in self.failed],
            }
        )


def pct_on_time(counts: dict[str, int]) -> float | None:
    """Done on time over what has come due (done, or overdue); None when nothing has."""
    due = counts.get("done_on_time", 0) + counts.get("done_late", 0) + counts.get("overdue", 0)
    return round(100 * counts.get("done_on_time", 0) / due, 1) if due else None


# ----------------------------------------------------------------------------- the items


def _occurrence_table(start: date, end: date, calendar: WorkCalendar) -> Any | None:
    """A small literal table (recurrence, anchor day, anchor month, due, period key) of the
    occurrences that fall in [start, end] (at most a quarter), for every anchor a directive
    can have."""
    rows = []
    for recurrence in RECURRING_PERIODS:
        # (day, month) as SQL reads them from the directive's anchor date; 0 = no anchor.
        anchors: list[tuple[int, int, date | None]] = [(0, 0, None)]
        if recurrence == "yearly":
            months = sorted({(start.month - 1 + k) % 12 + 1 for k in range(_months(start, end))})
            for m in months:
                anchors += [(d, m, _valid(2000, m, d)) for d in range(1, 32) if _valid(2000, m, d)]
        else:
            anchors += [(d, 0, date(2000, 1, d)) for d in range(1, 32)]
        for day, month, anchor in anchors:
            for due, key in occurrence_in(
                recurrence=recurrence, anchor=anchor, start=start, end=end
            ):
                rows.append(
                    select(
                        literal(recurrence).label("recurrence"),
                        literal(day).label("day"),
                        literal(month).label("month"),
                        literal(calendar.roll_forward(due), Date).label("due"),
                        literal(key).label("period_key"),
                    )
                )
    if not rows:
        return None
    return union_all(*rows).subquery("occ")


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def items_query(
    *,
    start: date,
    end: date,
    as_of: date,
    calendar: WorkCalendar | None = None,
    scope: str = "open",
) -> Any:
    """Every item of [start, end] with its unit, due date, completion and category: a
    subquery with columns assignment_id, unit_id, due, done_on, status, period_key.

    ``scope="open"`` (the briefing): directives open at some time in the period, that is not
    done before it began. ``scope="due"`` (the scorecard): directives due in the period."""
    cal = calendar or default_calendar()
    soon = cal.add_working_days(as_of, get_settings().due_soon_days)
    known_by = min(end, as_of)  # a notice issued after the report date is not known yet

    # Directives with a date (or none) and ongoing ones: the due date as of that day honours
    # the extensions approved by then (as tasks.status does).
    due, with_extensions = due_as_of(as_of)
    done_on = case((Assignment.completed_on <= as_of, Assignment.completed_on), else_=None)
    periodic = and_(Directive.due_kind == "recurring", Directive.recurrence.in_(RECURRING_PERIODS))  # type: ignore[union-attr]
    tasks = with_extensions(
        select(
            Assignment.id.label("assignment_id"),
            Assignment.unit_id.label("unit_id"),
            due.label("due"),
            done_on.label("done_on"),
            status_case(
                due=due,
                done_on=done_on,
                no_deadline=Directive.due_kind == "recurring",
                as_of=as_of,
                soon=soon,
            ).label("status"),
            literal(None).label("period_key"),
        )
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Notice, Notice.id == Directive.notice_id)
    ).where(Assignment.role == "lead", Notice.issued_on <= known_by, ~periodic)
    if scope == "due":
        tasks = tasks.where(due >= start, due <= end)
    else:
        tasks = tasks.where(
            or_(Assignment.completed_on.is_(None), Assignment.completed_on >= start)  # type: ignore[union-attr]
        )
    parts = [tasks]
    occ = _occurrence_table(start, end, cal)
    if occ is not None:
        reported = (
            select(
                ProgressUpdate.assignment_id,
                ProgressUpdate.period,
                func.min(ProgressUpdate.on).label("done_on"),
            )
            .where(ProgressUpdate.state == "done", ProgressUpdate.on <= as_of)
            .group_by(ProgressUpdate.assignment_id, ProgressUpdate.period)
            .subquery()
        )
        day = func.coalesce(extract("day", Directive.due_date), 0)
        month = func.coalesce(extract("month", Directive.due_date), 0)
        parts.append(
            select(
                Assignment.id.label("assignment_id"),
                Assignment.unit_id.label("unit_id"),
                occ.c.due.label("due"),
                reported.c.done_on.label("done_on"),
                status_case(
                    due=occ.c.due,
                    done_on=reported.c.done_on,
                    no_deadline=literal(False),
                    as_of=as_of,
                    soon=soon,
                ).label("status"),
                occ.c.period_key.label("period_key"),
            )
            .join(Directive, Directive.id == Assignment.directive_id)
            .join(Notice, Notice.id == Directive.notice_id)
            .join(
                occ,
                and_(
                    occ.c.recurrence == Directive.recurrence,
                    occ.c.day == day,
                    or_(occ.c.month == 0, occ.c.month == month),
                ),
            )
            .outerjoin(
                reported,
                and_(
                    reported.c.assignment_id == Assignment.id,
                    reported.c.period == occ.c.period_key,
                ),
            )
            .where(
                Assignment.role == "lead",
                Directive.due_kind == "recurring",
                Notice.issued_on <= known_by,
                occ.c.due >= Notice.issued_on,
            )
        )
    return union_all(*parts).subquery("items")


# ----------------------------------------------------------------------------- the numbers


def _counts_by_unit(session: Session, items: Any) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for unit_id, status, n in session.execute(
        select(items.c.unit_id, items.c.status, func.count()).group_by(
            items.c.unit_id, items.c.status
        )
    ):
        out.setdefault(unit_id, dict.fromkeys(KEYS, 0))[status] = n
    return out


def _totals(by_unit: dict[int, dict[str, int]]) -> dict[str, int]:
    totals = dict.fromkeys(KEYS, 0)
    for counts in by_unit.values():  # one row per unit, already aggregated by SQL
        for key, n in counts.items():
            totals[key] += n
    return totals


def _listed(
    session: Session, items: Any, *, where: Any, as_of: date, limit: int, late: bool
) -> list[ItemLine]:
    note = (
        select(ProgressUpdate.note)
        .where(
            ProgressUpdate.assignment_id == items.c.assignment_id,
            ProgressUpdate.on <= as_of,
            ProgressUpdate.note.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(ProgressUpdate.on.desc(), ProgressUpdate.id.desc())  # type: ignore[union-attr]
        .limit(1)
        .correlate(items)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            items.c.assignment_id,
            Notice.number,
            Directive.ref,
            Directive.text,
            Unit.name,
            items.c.due,
            note,
            items.c.period_key,
        )
        .join(Assignment, Assignment.id == items.c.assignment_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Notice, Notice.id == Directive.notice_id)
        .join(Unit, Unit.id == items.c.unit_id)
        .where(where)
        .order_by(items.c.due, Notice.number, Directive.position, Unit.name)
        .limit(limit)
    ).all()
    return [
        ItemLine(
            assignment_id=aid,
            notice_number=number,
            ref=ref,
            text=text,
            unit=unit,
            due=_as_date(due),
            days_late=(as_of - _as_date(due)).days if late else 0,
            note=latest,
            occurrence=key,
        )
        for aid, number, ref, text, unit, due, latest, key in rows
    ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _issuer(session: Session) -> tuple[str, str, str]:
    settings = get_settings()
    latest = session.execute(
        select(Notice.issuer, Notice.place)
        .order_by(Notice.issued_on.desc(), Notice.id.desc())
        .limit(1)  # type: ignore[union-attr]
    ).first()
    issuer = settings.report_issuer or (latest[0] if latest else "Văn phòng")
    parent = settings.report_parent or _parent_of(issuer)
    place = settings.report_place or (latest[1] if latest and latest[1] else "……")
    return parent, issuer, place


def _parent_of(issuer: str) -> str:
    """ "Văn phòng HĐND và UBND huyện An Phú" → "UBND huyện An Phú" (the body above it)."""
    import re

    m = re.search(r"\b(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(.+)$", issuer, re.IGNORECASE)
    return f"UBND {m.group(2)}" if m else "ỦY BAN NHÂN DÂN"


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
    unit_ids = set(by_unit) | set(prev_by_unit)
    names = {
        uid: (code, name)
        for uid, code, name in session.execute(
            select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(unit_ids))  # type: ignore[union-attr]
        )
    }
    units = sorted(
        (
            UnitLine(
                unit_id=uid,
                code=names[uid][0],
                name=names[uid][1],
                counts=by_unit.get(uid, dict.fromkeys(KEYS, 0)),
                previous=prev_by_unit.get(uid, {}),
            )
            for uid in by_unit
        ),
        key=lambda u: (-u.counts["overdue"], -u.assigned, u.name),
    )
    active_units = session.execute(
        select(func.count()).select_from(Unit).where(Unit.active)
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

    notices = [
        NoticeLine(number, issued_on, title, directives, assignments)
        for number, issued_on, title, directives, assignments in session.execute(
            select(
                Notice.number,
                Notice.issued_on,
                Notice.title,
                func.count(func.distinct(Directive.id)),
                func.count(Assignment.id),
            )
            .outerjoin(Directive, Directive.notice_id == Notice.id)
            .outerjoin(Assignment, Assignment.directive_id == Directive.id)
            .where(Notice.issued_on >= period.start, Notice.issued_on <= period.end)
            .group_by(Notice.id, Notice.number, Notice.issued_on, Notice.title)
            .order_by(Notice.issued_on, Notice.id)
        )
    ]

    tz = ZoneInfo(settings.timezone)
    since = datetime.combine(period.start, time(0), tz)
    until = datetime.combine(period.end + timedelta(days=1), time(0), tz)
    failed_where = and_(
        Delivery.state == "failed", Delivery.claimed_at >= since, Delivery.claimed_at < until
    )  # type: ignore[operator]
    failed_total = session.execute(
        select(func.count()).select_from(Delivery).where(failed_where)
    ).scalar_one()
    failed = [
        FailedLine(channel, recipient, unit, attempts, error, at)
        for channel, recipient, unit, attempts, error, at in session.execute(
            select(
                Delivery.channel,
                Delivery.recipient,
                Unit.name,
                Delivery.attempts,
                Delivery.last_error,
                Delivery.claimed_at,
            )
            .outerjoin(Unit, Unit.id == Delivery.unit_id)
            .where(failed_where)
            .order_by(Delivery.claimed_at, Delivery.id)
            .limit(limit)
        )
    ]
    parent, issuer, place = _issuer(session)
    return Briefing(
        period=period,
        as_of=as_of,
        parent=parent,
        issuer=issuer,
        place=place,
        totals=_totals(by_unit),
        previous_totals=_totals(prev_by_unit),
        units=units,
        units_without_items=max(0, active_units - len(by_unit)),
        overdue=_listed(
            session, items, where=items.c.status == "overdue", as_of=as_of, limit=limit, late=True
        ),
        due_next=_listed(session, upcoming, where=in_next, as_of=as_of, limit=limit, late=False),
        due_next_total=due_next_total,
        notices=notices,
        failed=failed,
        failed_total=failed_total,
        list_limit=limit,
    )
