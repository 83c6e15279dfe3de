"""One reminder sweep as plain functions: take what is due, queue digests, send in batches.

``flows/reminders.py`` wraps the steps in Prefect tasks (one per batch, never one per row)
and drives them with the same loop, :func:`drain`; tests, the demo and the benchmark call
:func:`run_sweep`, which does the same without Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.delivery import Delivery
from tasks.follow_up import plan_pending
from tasks.outbox import QueueReport, SendReport, candidates, queue_digests, send_batch
from tasks.reminders import Policy, is_sending_time, local_time, take_due

log = logging.getLogger("dondoc.sweep")


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
    # Notices whose follow-up was still pending, planned by this sweep.
    followed_up: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def add_queued(self, report: QueueReport) -> None:
        """Count what queueing did: digests written, and those refused at once."""
        self.reminders, self.queued = report.reminders, report.deliveries
        self.followed_up.extend(report.followed_up)
        self.failed += report.failed
        self.errors.extend(report.errors)
        self.delivery_ids.extend(report.failed_ids)

    def add_batch(self, report: SendReport) -> None:
        """Count one batch: the rows it claimed and how each went."""
        self.batches += 1
        self.delivery_ids.extend(report.ids)
        self.sent += report.sent
        self.retry += report.retry + report.left
        self.failed += report.failed
        self.errors.extend(report.errors)


def queue_due(
    *, engine: Engine, as_of: datetime, policy: Policy, notice_id: int | None = None
) -> QueueReport:
    """Take the due rungs and write their digests to the outbox, in one transaction.

    A whole sweep (no ``notice_id``) first plans the notices whose follow-up is still
    pending (each in its own transaction), so that their giao việc messages go out now."""
    today = local_time(as_of).date()
    followed = plan_pending(engine=engine, start=today) if notice_id is None else []
    for item in followed:
        log.info(
            "Lập kế hoạch nhắc việc còn chờ: thông báo %s (%d mốc).",
            item.number or item.notice_id,
            item.planned,
        )
    with session_scope(engine) as session:
        due = take_due(session=session, today=today, notice_id=notice_id)
        report = queue_digests(session=session, due=due, policy=policy, today=today, now=as_of)
    report.followed_up = [f.to_json() for f in followed]
    return report


def preview_due(*, engine: Engine, as_of: datetime, policy: Policy) -> list[dict[str, Any]]:
    """What a sweep would send now, computed in a transaction that is rolled back."""
    today = local_time(as_of).date()
    with Session(engine) as session:
        try:
            due = take_due(session=session, today=today)
            report = queue_digests(session=session, due=due, policy=policy, today=today, now=as_of)
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


def next_batch(*, engine: Engine, limit: int, now: datetime) -> list[int]:
    """The ids of the next batch of outbox rows to send (candidates: nothing is claimed)."""
    with Session(engine) as session:
        return candidates(session=session, limit=limit, now=now)


CLOSED = "ngày nghỉ hoặc ngoài giờ làm việc"


@dataclass
class SweepSteps:
    """The three steps of a sweep. The flow passes its Prefect tasks (one run per step and
    batch), :func:`run_sweep` the same functions called directly."""

    queue: Callable[[], QueueReport]
    next_ids: Callable[[], list[int]]
    send: Callable[[list[int]], SendReport]


def sweep(*, as_of: datetime, steps: SweepSteps, closed: str = CLOSED) -> SweepResult:
    """The one sweep loop: outside office hours nothing (``closed`` says why); otherwise queue
    the due digests, then send the outbox batch after batch."""
    result = SweepResult(as_of=as_of.isoformat())
    if not is_sending_time(as_of):
        result.skipped = closed
        return result
    result.add_queued(steps.queue())
    drain(result, next_ids=steps.next_ids, send=steps.send)
    return result


def drain(
    result: SweepResult,
    *,
    next_ids: Callable[[], list[int]],
    send: Callable[[list[int]], SendReport],
) -> None:
    """Send the outbox batch after batch until nothing is ready, or until a batch could
    claim none of its rows (another sweep took them, or it ran out of time)."""
    while ids := next_ids():
        report = send(ids)
        result.add_batch(report)
        if not report.claimed:
            break


def run_sweep(
    *,
    engine: Engine,
    as_of: datetime,
    policy: Policy,
    sender: Callable[[Delivery], None],
) -> SweepResult:
    """A whole sweep without Prefect: :func:`sweep` with the flow's steps as plain calls."""
    return sweep(
        as_of=as_of,
        steps=SweepSteps(
            queue=lambda: queue_due(engine=engine, as_of=as_of, policy=policy),
            next_ids=lambda: next_batch(engine=engine, limit=policy.batch_size, now=as_of),
            send=lambda ids: send_batch(
                engine=engine, ids=ids, sender=sender, policy=policy, now=as_of
            ),
        ),
    )
