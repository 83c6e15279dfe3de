"""Follow-ups that cannot be lost: a notice is registered "pending" and becomes "done" in the
same transaction that writes the reminder plan of its assignments.

Whatever stops a follow-up half-way (the Prefect server did not start, the process was
killed, ``DONDOC_FOLLOW_UP=false``), the notice stays "pending": every sweep, and
``dondoc follow-up``, plans the pending notices. Taking a notice is a guarded UPDATE
(``… WHERE follow_up = 'pending'``), so two sweeps at once never plan the same notice twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models.base import utcnow
from models.db import session_scope
from models.notice import Assignment, Directive, Notice, NoticeFollowUp
from tasks.errors import InputError
from tasks.reminders import plan_assignments

# The names tests and callers have always imported from here.
PENDING = NoticeFollowUp.PENDING
DONE = NoticeFollowUp.DONE


@dataclass
class FollowUpResult:
    """One notice planned by a follow-up."""

    notice_id: int
    number: str | None
    planned: int  # reminder rows written

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def take_and_plan(*, session: Session, notice_id: int, start: date) -> int | None:
    """Mark the notice followed up and write its reminder plan, in the caller's transaction.

    Returns the number of reminder rows written, or None when the notice was not pending
    (already followed up, by this process or another)."""
    taken = session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.follow_up == PENDING)  # type: ignore[arg-type]
        .values(follow_up=DONE.value, followed_up_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    ids = list(
        session.execute(
            select(col(Assignment.id))
            .join(Directive, col(Directive.id) == Assignment.directive_id)
            .where(col(Directive.notice_id) == notice_id)
        ).scalars()
    )
    return plan_assignments(session=session, assignment_ids=ids, start=start)


def pending_notices(*, session: Session) -> list[tuple[int, str | None]]:
    """(id, number) of every notice whose follow-up has not been done, oldest first."""
    rows = session.execute(
        select(col(Notice.id), col(Notice.number))
        .where(col(Notice.follow_up) == PENDING)
        .order_by(col(Notice.id))
    ).all()
    return [(int(i), n) for i, n in rows]


def plan_pending(
    *, engine: Engine, start: date, notice_ids: list[int] | None = None
) -> list[FollowUpResult]:
    """Plan every pending notice (or those of ``notice_ids`` that are pending), each in its own
    transaction, so one notice is never half-planned and one failure does not hold up others."""
    with Session(engine) as session:
        pending = pending_notices(session=session)
    if notice_ids is not None:
        wanted = set(notice_ids)
        pending = [p for p in pending if p[0] in wanted]
    results: list[FollowUpResult] = []
    for notice_id, number in pending:
        with session_scope(engine) as session:
            planned = take_and_plan(session=session, notice_id=notice_id, start=start)
        if planned is not None:
            results.append(FollowUpResult(notice_id=notice_id, number=number, planned=planned))
    return results


def find_notice(*, session: Session, ref: str) -> Notice:
    """A notice by its number ("54/TB-VP") or its id; a clear error otherwise."""
    matches = list(session.execute(select(Notice).where(Notice.number == ref)).scalars())  # type: ignore[arg-type]
    if not matches and ref.isdigit() and len(ref) < 10:
        found = session.get(Notice, int(ref))
        matches = [found] if found else []
    if not matches:
        raise InputError(
            f"Không có thông báo «{ref}». Xem số và mã thông báo bằng «dondoc notice list»."
        )
    if len(matches) > 1:
        ids = ", ".join(str(n.id) for n in matches)
        raise InputError(
            f"Có {len(matches)} thông báo số «{ref}» (của các cơ quan khác nhau, mã {ids}): "
            "ghi mã thông báo thay cho số."
        )
    return matches[0]
