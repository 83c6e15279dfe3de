"""The reminder outbox: a row is written before a message is sent and marked after."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import RowId, json_column, one_of, timestamp_column, utcnow


class DeliveryState(StrEnum):
    """Where a message stands in the outbox."""

    PENDING = "pending"  # waiting for its first try, or for the next one after a failure
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # given up
    SUPERSEDED = "superseded"  # replaced by a newer digest before it was sent


DELIVERY_STATES = tuple(state.value for state in DeliveryState)


class DeliveryBase(SQLModel):
    """Who a message goes to, on which channel, at which reminder level."""

    key: str = Field(unique=True, max_length=200)  # idempotency key
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=500)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    level: str = Field(max_length=40)
    subject: str = Field(default="", max_length=500)


class Delivery(DeliveryBase, RowId, table=True):
    """One message to one recipient on one channel."""

    __table_args__ = (one_of("delivery", "state", DeliveryState),)

    body: str = ""  # plain text (Zalo) or the text part
    html: str | None = None  # the HTML part of an email
    assignment_ids: list[int] = Field(default_factory=list, sa_column=json_column())
    reminder_ids: list[int] = Field(default_factory=list, sa_column=json_column())
    state: str = Field(default=DeliveryState.PENDING.value, max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    next_attempt_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    claimed_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    sent_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))


class DeliveryCreate(DeliveryBase):
    """A message to put in the outbox."""

    body: str = ""
    html: str | None = None
    assignment_ids: list[int] = Field(default_factory=list)
    reminder_ids: list[int] = Field(default_factory=list)


class DeliveryPublic(DeliveryBase):
    """A message of the outbox as stored: an edge masks ``recipient`` and the phone numbers
    in ``last_error`` before showing it (notifications.channels.mask_recipient, mask_phone)."""

    id: int
    state: DeliveryState
    attempts: int
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    assignment_ids: list[int] = Field(default_factory=list)
