"""The outbox as people may see it: recipients masked, errors without phone numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.delivery import Delivery, DeliveryPublic, DeliveryState
from notifications.channels import mask_recipient
from notifications.secrets import mask_phone
from tasks.errors import InputError

MAX_LIMIT = 100_000


class DeliveryView(DeliveryPublic):
    """One message of the outbox, safe to show: recipient and phone numbers masked."""

    @classmethod
    def of(cls, d: Delivery) -> DeliveryView:
        view = cls.model_validate(d)
        view.recipient = mask_recipient(d.recipient)
        view.last_error = mask_phone(d.last_error) if d.last_error else None
        return view

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "channel": self.channel,
            "recipient": self.recipient,
            "level": self.level,
            "subject": self.subject,
            "state": self.state.value,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "assignment_ids": self.assignment_ids,
        }


def list_outbox(
    *, session: Session, state: str | None = None, limit: int = 200
) -> list[DeliveryView]:
    """The latest messages first, of one state when given."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"--limit {limit}: số dòng phải từ 1 đến {MAX_LIMIT}.")
    query = select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)
    if state is not None:
        query = query.where(Delivery.state == state)
    return [DeliveryView.of(d) for d in session.exec(query).all()]


def deliveries(*, session: Session, ids: list[int]) -> list[DeliveryView]:
    """These messages (a sweep's), in id order."""
    rows = session.exec(
        select(Delivery).where(col(Delivery.id).in_(ids)).order_by(col(Delivery.id))
    )
    return [DeliveryView.of(d) for d in rows.all()]


def first_delivery(*, session: Session, channel: str, level: str | None = None) -> Delivery | None:
    """One message of a channel (and level), as stored: the demo shows one as an example."""
    query = select(Delivery).where(Delivery.channel == channel)
    if level is not None:
        query = query.where(Delivery.level == level)
    return session.exec(query.limit(1)).first()


@dataclass
class RetryResult:
    """Failed messages put back in the queue, and the ids asked for that were not failed."""

    retried: list[int]
    not_failed: list[int]

    def to_json(self) -> dict[str, list[int]]:
        return {"retried": self.retried, "not_failed": self.not_failed}


def retry_failed(*, session: Session, ids: list[int] | None = None) -> RetryResult:
    """Put failed messages (these, or every failed one) back in the queue with a fresh count
    of attempts: the next sweep sends them. Others are left as they are."""
    query = select(Delivery).where(Delivery.state == DeliveryState.FAILED)
    if ids is not None:
        query = query.where(col(Delivery.id).in_(ids))
    rows = session.exec(query.order_by(col(Delivery.id))).all()
    for d in rows:
        d.sqlmodel_update(
            {"state": DeliveryState.PENDING.value, "attempts": 0, "next_attempt_at": None}
        )
        session.add(d)
    retried = [d.id for d in rows if d.id is not None]
    not_failed = sorted(set(ids or []) - set(retried))
    return RetryResult(retried=retried, not_failed=not_failed)
