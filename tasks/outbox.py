"""The outbox: reminders are written here before anything is sent, and marked after.

Guarantees:
- a digest row has a unique key and is inserted in the same transaction that marks its
  reminders queued, so a reminder is never queued twice nor lost between the two;
- a digest whose recipient cannot be sent to (not a URL, longer than the column, a malformed
  e-mail or Zalo address) is written ``failed`` with the reason, and the others go out;
- an unsent digest listing a rung that a newer one overtakes (the same ladder, a higher rung:
  "due today" still pending after an outage when "overdue" is queued) loses that item: it is
  ``superseded`` when nothing is left, else rendered again with the rest;
- a batch is a list of candidates, not a claim. Each sending thread claims the one row it is
  about to send (a guarded UPDATE ``pending`` → ``sending``, behind ``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL), sends it, and marks it ``sent`` (or back ``pending`` with a later
  ``next_attempt_at``, or ``failed`` after the policy's attempts) in the same transaction
  that claims its next row. So two sweeps never send the same row, and at any moment a sweep
  holds at most ``send_concurrency`` rows ``sending``: the ones on the wire.
A process killed mid-send leaves only those rows ``sending``; a rerun sends everything else
at once, and claims them again after ``STALE_CLAIM``, when each of those messages may go out
a second time if it had left before the kill. Nothing else is sent twice, nothing is dropped.

This module sends; writing the rows is ``tasks.outbox_queue`` and the conditions on a row's
state are ``tasks.outbox_states``. Their public names are importable from here too, as callers
have always done.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from models.base import utcnow
from models.delivery import Delivery, DeliveryState
from tasks.outbox_queue import (
    CHANNEL_MAX,
    RECIPIENT_MAX,
    QueueReport,
    drop_overtaken,
    queue_digests,
)
from tasks.outbox_states import STALE_CLAIM, SUPERSEDED, ready
from tasks.reminders import Policy

__all__ = [
    "CHANNEL_MAX",
    "RECIPIENT_MAX",
    "SEND_BUDGET",
    "STALE_CLAIM",
    "SUPERSEDED",
    "QueueReport",
    "SendReport",
    "Sender",
    "candidates",
    "drop_overtaken",
    "queue_digests",
    "ready",
    "send_batch",
]

# A batch (one Prefect task run) starts no new message after this; what it leaves stays
# pending, for the next batch.
SEND_BUDGET = STALE_CLAIM * 0.8
Sender = Callable[[Delivery], None]  # raises on failure


def candidates(*, session: Session, limit: int, now: datetime) -> list[int]:
    """Up to ``limit`` ids of rows ready to send, oldest first: a list to work through, not a
    claim (each row is claimed by the thread that sends it)."""
    query = select(col(Delivery.id)).where(ready(now)).order_by(col(Delivery.id)).limit(limit)
    return list(session.execute(query).scalars())


@dataclass
class SendReport:
    """What one batch did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    left: int = 0  # not tried: the batch ran out of time (the next batch takes them)
    taken: int = 0  # claimed by another sweep first, or no longer ready
    ids: list[int] = field(default_factory=list)  # the rows this batch claimed
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.ids)


@dataclass
class _Outcome:
    """How one message went: the parameters of ``_MARK``, run with the next claim."""

    delivery_id: int
    kind: str  # sent, retry, failed
    values: dict[str, Any]
    error: str | None


def send_batch(
    *, engine: Any, ids: Iterable[int], sender: Sender, policy: Policy, now: datetime | None = None
) -> SendReport:
    """Send these candidate rows, ``policy.send_concurrency`` at a time. Each thread claims
    the row it is about to send, sends it, and marks it in the transaction that claims its
    next row; a row another sweep claimed first is passed over.

    ``now`` is the sweep's clock (a simulated day in tests and the demo); it moves on with
    real time while the batch runs, so a claim is dated when it is made."""
    start = now or utcnow()
    started = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - started)

    todo = list(ids)
    position = 0
    report = SendReport()
    lock = threading.Lock()
    stop = threading.Event()  # an interrupt or a bug in one thread stops the others

    def take() -> int | None:
        nonlocal position
        with lock:
            if stop.is_set() or position >= len(todo):
                return None
            if time.monotonic() - started > SEND_BUDGET.total_seconds():
                report.left += len(todo) - position
                position = len(todo)
                return None
            position += 1
            return todo[position - 1]

    def tally(delivery_id: int, outcome: _Outcome | None) -> None:
        with lock:
            if outcome is None:
                report.taken += 1
                return
            report.ids.append(delivery_id)
            setattr(report, outcome.kind, getattr(report, outcome.kind) + 1)
            if outcome.error:
                report.errors.append(outcome.error)

    def work() -> None:
        finished: _Outcome | None = None  # sent, not yet marked
        try:
            while True:
                delivery_id = take()
                delivery = _mark_and_claim(engine, finished, delivery_id, clock())
                finished = None
                if delivery_id is None:
                    return
                if delivery is None:
                    tally(delivery_id, None)
                    continue
                finished = _attempt(delivery, sender=sender, policy=policy, clock=clock)
                tally(delivery_id, finished)
        except BaseException:
            stop.set()
            if finished is not None:  # it went out: record that before stopping
                _mark_and_claim(engine, finished, None, clock())
            raise

    workers = min(policy.send_concurrency, len(todo))
    if workers <= 1:
        work()
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work) for _ in range(workers)]:
                future.result()  # re-raise an interrupt or a bug, once the others stopped
    report.ids.sort()
    return report


@lru_cache
def _claim_statement(dialect: str) -> Any:
    """Claim one row (``claim_id``) if it is still ready at ``now``: built once, as the same
    statement runs for every message."""
    guard = (col(Delivery.id) == bindparam("claim_id")) & ready(
        bindparam("now"), bindparam("stale_before")
    )
    if dialect == "postgresql":
        # Skip, rather than wait for, a row that another sweep is claiming right now.
        locked = select(col(Delivery.id)).where(guard).with_for_update(skip_locked=True)
        guard = Delivery.id.in_(locked.scalar_subquery())  # type: ignore[union-attr]
    return (
        update(Delivery)
        .where(guard)
        .values(
            state=DeliveryState.SENDING.value,
            claimed_at=bindparam("now"),
            attempts=Delivery.attempts + 1,
        )
        .returning(*Delivery.__table__.columns)  # type: ignore[attr-defined]
    )


# Record how a message went: sent, back to pending with a later try, or failed.
_MARK = (
    update(Delivery)
    .where(col(Delivery.id) == bindparam("mark_id"), col(Delivery.state) == DeliveryState.SENDING)
    .values(
        state=bindparam("new_state"),
        sent_at=bindparam("new_sent_at"),
        last_error=bindparam("new_error"),
        next_attempt_at=bindparam("new_next_attempt"),
    )
)


def _mark_and_claim(
    engine: Any, finished: _Outcome | None, delivery_id: int | None, now: datetime
) -> Delivery | None:
    """One short transaction: record the message just sent (if any) and claim the next row
    (if any). Returns the claimed row, or None when another sweep had it or it was no longer
    ready."""
    if finished is None and delivery_id is None:
        return None
    claim = _claim_statement(engine.dialect.name)
    params = {"claim_id": delivery_id, "now": now, "stale_before": now - STALE_CLAIM}
    # SQLite has one writer at a time, and a writer that finds the database locked sleeps
    # 1 to 100 ms before trying again: this process's own threads take turns on a lock instead.
    turn = _SQLITE_WRITER if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with turn, engine.begin() as conn:
        if finished is not None:
            conn.execute(_MARK, finished.values)
        if delivery_id is None:
            return None
        row = conn.execute(claim, params).mappings().first()
    return Delivery(**row) if row else None


_SQLITE_WRITER = threading.Lock()


# The state each outcome (the SendReport counter it adds to) leaves a row in.
_NEW_STATE = {
    "sent": DeliveryState.SENT,
    "retry": DeliveryState.PENDING,
    "failed": DeliveryState.FAILED,
}


def _attempt(
    delivery: Delivery, *, sender: Sender, policy: Policy, clock: Callable[[], datetime]
) -> _Outcome:
    error: str | None = None
    try:
        sender(delivery)
    except Exception as exc:  # any channel failure: keep the row, try again later
        error = f"{type(exc).__name__}: {exc}"[:500]
    now = clock()
    kind, next_attempt = "sent", None
    if error is not None and delivery.attempts >= policy.max_attempts:
        kind = "failed"
    elif error is not None:
        wait = policy.backoff_minutes[min(delivery.attempts, len(policy.backoff_minutes)) - 1]
        kind, next_attempt = "retry", now + timedelta(minutes=wait)
    values = {
        "mark_id": delivery.id,
        "new_state": _NEW_STATE[kind].value,
        "new_sent_at": now if kind == "sent" else None,
        "new_error": error,
        "new_next_attempt": next_attempt,
    }
    return _Outcome(delivery.id, kind, values, error)  # type: ignore[arg-type]
