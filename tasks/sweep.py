"""One reminder sweep as plain functions: take what is due, queue digests, send in batches.

``flows/reminders.py`` wraps these in Prefect tasks; tests and the benchmark call them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.delivery import Delivery
from tasks.outbox import QueueReport, SendReport, claim, queue_digests, send_claimed
from tasks.reminders import Policy, is_sending_time, local_time, take_due


@dataclass
class SweepResult:
    """Counts of one sweep, and why nothing was sent when that is the case."""

    as_of: str
    skipped: str | None = None
    reminders: int = 0
    queued: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def queue_due(
    *, engine: Engine, as_of: datetime, policy: Policy, notice_id: int | None = None
) -> QueueReport:
    """Take the due rungs and write their digests to the outbox, in one transaction."""
    today = local_time(as_of).date()
    with session_scope(engine) as session:
        due = take_due(session=session, today=today, notice_id=notice_id)
        return queue_digests(session=session, due=due, policy=policy, today=today)


def preview_due(*, engine: Engine, as_of: datetime, policy: Policy) -> list[dict[str, Any]]:
    """What a sweep would send now, computed in a transaction that is rolled back."""
    today = local_time(as_of).date()
    with Session(engine) as session:
        try:
            due = take_due(session=session, today=today)
            report = queue_digests(session=session, due=due, policy=policy, today=today)
            rows = session.query(Delivery).filter(Delivery.key.in_(report.keys)).all()  # type: ignore[attr-defined]
            return [
                {
                    "channel": d.channel,
                    "recipient": d.recipient,
                    "subject": d.subject,
                    "reminders": len(d.reminder_ids),
                }
                for d in rows
            ]
        finally:
            session.rollback()


def claim_batch(*, engine: Engine, limit: int, now: datetime) -> list[int]:
    """Claim one batch of outbox rows."""
    with session_scope(engine) as session:
        return claim(session=session, limit=limit, now=now)


def run_sweep(
    *,
    engine: Engine,
    as_of: datetime,
    policy: Policy,
    sender: Callable[[Delivery], None],
    send_batch: Callable[[list[int]], SendReport] | None = None,
) -> SweepResult:
    """A whole sweep without Prefect (the flow does the same with a task per step)."""
    result = SweepResult(as_of=as_of.isoformat())
    if not is_sending_time(as_of):
        result.skipped = "ngày nghỉ hoặc ngoài giờ làm việc"
        return result
    queued = queue_due(engine=engine, as_of=as_of, policy=policy)
    result.reminders, result.queued = queued.reminders, queued.deliveries
    batch = send_batch or (
        lambda ids: send_claimed(engine=engine, ids=ids, sender=sender, policy=policy, now=as_of)
    )
    while ids := claim_batch(engine=engine, limit=policy.batch_size, now=as_of):
        result.delivery_ids.extend(ids)
        report = batch(ids)
        result.batches += 1
        result.sent += report.sent
        result.retry += report.retry + report.left
        result.failed += report.failed
        result.errors.extend(report.errors)
    return result
