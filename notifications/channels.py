"""Sending one outbox row through Apprise: email via the configured SMTP server, Zalo via
dondoc's own Apprise service (notifications.zalo), anything else Apprise knows as is."""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote, urlsplit

import apprise

from models.delivery import Delivery

log = logging.getLogger("dondoc.channels")


class ChannelError(RuntimeError):
    """A message could not be delivered (the outbox will try again)."""


def email_address(url: str) -> str:
    """The address of a contact written ``mailto://noivu@example.gov.vn``."""
    parts = urlsplit(url)
    if parts.username and parts.hostname:
        return f"{unquote(parts.username)}@{parts.hostname}"
    raise ChannelError(f"«{url}» không có địa chỉ thư (dạng mailto://ten@coquan.gov.vn).")


def apprise_url(delivery: Delivery, smtp_url: str) -> str:
    """The Apprise URL that sends this row: the SMTP server's URL with the recipient added."""
    if delivery.channel == "email":
        joiner = "&" if "?" in smtp_url else "?"
        return f"{smtp_url}{joiner}to={quote(email_address(delivery.recipient))}"
    if delivery.channel == "zalo":
        joiner = "&" if "?" in delivery.recipient else "?"
        return f"{delivery.recipient}{joiner}tracking={quote(delivery.key)}"
    return delivery.recipient


def send(delivery: Delivery, *, smtp_url: str) -> None:
    """Deliver one row or raise ChannelError with the reason Apprise logged."""
    if delivery.channel == "zalo":
        import notifications.zalo  # noqa: F401  (registers the zalo:// service)
    sender = apprise.Apprise()
    if not sender.add(apprise_url(delivery, smtp_url)):
        raise ChannelError(
            f"Địa chỉ không hợp lệ cho Apprise: {delivery.channel} {delivery.recipient}"
        )
    html = delivery.channel == "email" and delivery.html
    with apprise.LogCapture(level=apprise.logging.WARNING) as logs:
        ok = sender.notify(
            title=delivery.subject,
            body=delivery.html if html else delivery.body,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
        )
        captured = logs.getvalue().strip()
    if not ok:
        raise ChannelError(captured.splitlines()[-1] if captured else "Apprise không gửi được")
