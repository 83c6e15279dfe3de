"""The reminder plan of each assignment, and what a sweep must send (the database side).

The plan is written once per assignment (and again when an extension moves its due date):
one ``Reminder`` row per rung of the ladder, its day computed in working days. A sweep then
finds the rungs whose day has come with one SQL query, keeps the highest rung of each
ladder (a lower one that was missed, say over a holiday, is skipped, never sent late), and
turns them into one digest per recipient and channel in the outbox.

The policy and its file live in ``tasks.escalation_policy``, the dates of the ladder and the
office hours in ``tasks.reminder_schedule``; their public names are importable from here too,
as callers have always done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, any_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col

from models.base import utcnow
from models.notice import Assignment, AssignmentState, Directive, DueKind, Notice
from models.reminder import Reminder, ReminderState
from tasks.calendar import WorkCalendar, default_calendar
from tasks.escalation_policy import (
    ASSIGNED,
    DEFAULT_POLICY,
    RECIPIENT_ROLES,
    Level,
    Policy,
    default_policy,
    load_policy,
)
from tasks.reminder_schedule import is_sending_time, ladder, local_time, occurrences


def plan_assignments(
    *,
    session: Session,
    assignment_ids: list[int],
    start: date,
    policy: Policy | None = None,
    calendar: WorkCalendar | None = None,
    with_assignment_message: bool = True,
) -> int:
    """Write the reminder plan of these assignments; rows already planned are kept, so this
    is safe to run again. Returns the number of rows added."""
    policy = policy or default_policy()
    cal = calendar or default_calendar()
    rows = session.execute(
        select(
            col(Assignment.id),
            col(Assignment.effective_due),
            col(Assignment.state),
            col(Directive.due_kind),
            col(Directive.recurrence),
            col(Directive.due_date),
        )
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .where(col(Assignment.id).in_(assignment_ids))
    ).all()
    # Rows, compared with the (assignment, occurrence, level, day) tuples added below.
    existing: set[Any] = set(
        session.execute(
            select(
                col(Reminder.assignment_id),
                col(Reminder.occurrence),
                col(Reminder.level),
                col(Reminder.due_on),
            ).where(col(Reminder.assignment_id).in_(assignment_ids))
        ).all()
    )
    # One assignment message (giao việc) per assignment, whatever day a later run starts from.
    assigned_already = {aid for aid, _occ, level, _day in existing if level == ASSIGNED}
    new: list[dict[str, Any]] = []
    ladders: dict[date, list[tuple[str, int, date]]] = {}  # many assignments share a due date

    def rungs(due: date) -> list[tuple[str, int, date]]:
        if due not in ladders:
            ladders[due] = ladder(due=due, policy=policy, calendar=cal)
        return ladders[due]

    def add(aid: int, occurrence: date | None, level: str, rank: int, day: date) -> None:
        if (aid, occurrence, level, day) not in existing:
            existing.add((aid, occurrence, level, day))
            new.append(
                {
                    "assignment_id": aid,
                    "occurrence": occurrence,
                    "level": level,
                    "rank": rank,
                    "due_on": day,
                    "state": ReminderState.PLANNED.value,
                }
            )

    for aid, effective, state, kind, recurrence, stated in rows:
        if state == AssignmentState.DONE:
            continue
        if with_assignment_message and aid not in assigned_already:
            add(aid, None, ASSIGNED, 0, cal.roll_forward(start))
        if kind == DueKind.RECURRING:
            first = effective if stated else None
            for occ in occurrences(
                first_due=first,
                recurrence=recurrence,
                start=start,
                horizon_months=policy.recurring_horizon_months,
            ):
                occ = cal.roll_forward(occ)
                for level, rank, day in rungs(occ):
                    add(aid, occ, level, rank, day)
        elif effective is not None:
            for level, rank, day in rungs(effective):
                add(aid, effective, level, rank, day)
    if new:
        session.execute(Reminder.__table__.insert(), new)  # type: ignore[attr-defined]
    return len(new)


def replan_after_extension(
    *,
    session: Session,
    assignment_id: int,
    start: date,
    policy: Policy | None = None,
    calendar: WorkCalendar | None = None,
) -> int:
    """An approved extension restarts the ladder: rungs not yet sent are superseded and a
    new ladder leads to the new due date."""
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.assignment_id) == assignment_id,
            col(Reminder.state) == ReminderState.PLANNED,
            col(Reminder.level) != ASSIGNED,
        )
        .values(state=ReminderState.SUPERSEDED.value)
    )
    return plan_assignments(
        session=session,
        assignment_ids=[assignment_id],
        start=start,
        policy=policy,
        calendar=calendar,
        with_assignment_message=False,
    )


# ----------------------------------------------------------------------------- the sweep


@dataclass
class DueReminder:
    """A rung whose day has come, with what a message needs to say about it."""

    reminder_id: int
    assignment_id: int
    level: str
    occurrence: date | None
    due_on: date
    unit_id: int
    notice_number: str | None
    notice_chair: str | None
    ref: str | None
    text: str
    effective_due: date | None
    notice_issued_on: date | None = None  # names a notice that has no number


def take_due(*, session: Session, today: date, notice_id: int | None = None) -> list[DueReminder]:
    """Pick the rungs due by ``today`` (one query), skip those overtaken by a higher rung of
    the same ladder, and mark the chosen ones queued. The caller writes their outbox rows in
    the same transaction, so a rung is either queued with its messages or not at all."""

    def open_rungs(*columns: Any) -> Any:
        query = (
            select(*columns)
            .join(Assignment, col(Assignment.id) == col(Reminder.assignment_id))
            .where(
                col(Reminder.state) == ReminderState.PLANNED,
                col(Reminder.due_on) <= today,
                col(Assignment.state) != AssignmentState.DONE,
            )
        )
        if notice_id is not None:
            query = query.join(Directive, col(Directive.id) == col(Assignment.directive_id)).where(
                col(Directive.notice_id) == notice_id
            )
        return query

    # 1. Rank the rungs due in each ladder: the first is sent, the others are overtaken.
    ranked = open_rungs(
        col(Reminder.id).label("rid"),
        func.row_number()
        .over(
            partition_by=(
                col(Reminder.assignment_id),
                col(Reminder.occurrence),
                col(Reminder.level) == ASSIGNED,
            ),
            order_by=(col(Reminder.due_on).desc(), col(Reminder.rank).desc()),
        )
        .label("pos"),
    ).subquery()
    if session.get_bind().dialect.name == "postgresql":
        # The ids as two arrays: PostgreSQL then visits the rows in index order instead of
        # hashing a subquery and updating at random (92,000 rungs: 2.8 s → 1.8 s).
        ranks = session.execute(select(ranked.c.rid, ranked.c.pos)).all()
        overtaken: Any = col(Reminder.id) == any_(_id_array([rid for rid, pos in ranks if pos > 1]))
        chosen: Any = col(Reminder.id) == any_(_id_array([rid for rid, pos in ranks if pos == 1]))
    else:
        overtaken = col(Reminder.id).in_(select(ranked.c.rid).where(ranked.c.pos > 1))
        chosen = col(Reminder.id).in_(open_rungs(Reminder.id).scalar_subquery())
    # 2. Skip every overtaken rung, then queue the one left in each ladder. The guard on the
    # state makes the second of two sweeps at once find nothing to do.
    session.execute(
        update(Reminder)
        .where(overtaken, col(Reminder.state) == ReminderState.PLANNED)
        .values(state=ReminderState.SKIPPED.value)
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    claimed = {
        rid
        for (rid,) in session.execute(
            update(Reminder)
            .where(chosen, col(Reminder.state) == ReminderState.PLANNED)
            .values(state=ReminderState.QUEUED.value, queued_at=now)
            .returning(col(Reminder.id))
            .execution_options(synchronize_session=False)
        )
    }
    if not claimed:
        return []
    # 3. Their details, found by this sweep's queued_at and kept only if this sweep queued them.
    rows = session.execute(
        _details().where(
            col(Reminder.state) == ReminderState.QUEUED, col(Reminder.queued_at) == now
        )
    ).all()
    return [DueReminder(*row) for row in rows if row[0] in claimed]


def _id_array(ids: list[int]) -> Any:
    return bindparam(None, sorted(ids), type_=postgresql.ARRAY(Integer))


def _details() -> Any:
    """What a message says about a rung: its ladder, unit, notice and directive."""
    return (
        select(
            col(Reminder.id),
            col(Reminder.assignment_id),
            col(Reminder.level),
            col(Reminder.occurrence),
            col(Reminder.due_on),
            col(Assignment.unit_id),
            col(Notice.number),
            col(Notice.chair),
            col(Directive.ref),
            col(Directive.text),
            col(Assignment.effective_due),
            col(Notice.issued_on),
        )
        .join(Assignment, col(Assignment.id) == col(Reminder.assignment_id))
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .join(Notice, col(Notice.id) == col(Directive.notice_id))
    )


def reminder_details(*, session: Session, ids: list[int]) -> list[DueReminder]:
    """These rungs (already queued) with what a message says about them, for rendering a
    digest again."""
    out: list[DueReminder] = []
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        out += [
            DueReminder(*row)
            for row in session.execute(_details().where(col(Reminder.id).in_(chunk)))
        ]
    return out


__all__ = [
    "ASSIGNED",
    "DEFAULT_POLICY",
    "RECIPIENT_ROLES",
    "DueReminder",
    "Level",
    "Policy",
    "default_policy",
    "is_sending_time",
    "local_time",
    "ladder",
    "load_policy",
    "occurrences",
    "plan_assignments",
    "reminder_details",
    "replan_after_extension",
    "take_due",
]
