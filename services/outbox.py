"""The outbox as people may see it: recipients masked, errors without phone numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.delivery import Delivery
from notifications.channels import mask_recipient
from notifications.secrets import mask_phone
from tasks.errors import InputError

MAX_LIMIT = 100_000


@dataclass
class DeliveryView:
    """One message of the outbox, safe to show."""

    id: int
    key: str
    channel: str
    recipient: str  # masked
    level: str
    subject: str
    state: str
    attempts: int
    last_error: str | None  # phone numbers masked
    sent_at: datetime | None
    assignment_ids: list[int]

    @classmethod
    def of(cls, d: Delivery) -> DeliveryView:
        return cls(
            id=d.id or 0,
            key=d.key,
            channel=d.channel,
            recipient=mask_recipient(d.recipient),
            level=d.level,
            subject=d.subject,
            state=d.state,
            attempts=d.attempts,
            last_error=mask_phone(d.last_error) if d.last_error else None,
            sent_at=d.sent_at,
            assignment_ids=list(d.assignment_ids),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "channel": self.channel,
            "recipient": self.recipient,
            "level": self.level,
            "subject": self.subject,
            "state": self.state,
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
