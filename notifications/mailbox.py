"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: for the demo and
the tests, where no outside mail server can be reached."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


@dataclass
class _Handler:
    inbox: list[Received] = field(default_factory=list)
    connections: int = 0  # SMTP sessions opened by clients

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.inbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loopback_smtp_url(port: int) -> str:
    """DONDOC_SMTP_URL for an SMTP server on 127.0.0.1 without TLS or login."""
    return (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
        "&from=vanphong@example.gov.vn"  # the sender's name: DONDOC_REPORT_ISSUER, else «Văn phòng»
    )


class Mailbox:
    """``with Mailbox() as box:`` serves SMTP on 127.0.0.1; ``box.inbox`` lists messages;
    ``box.stop()`` / ``box.start()`` take it down and up again (same port)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self._controller: Controller | None = None

    @property
    def inbox(self) -> list[Received]:
        return self.handler.inbox

    @property
    def connections(self) -> int:
        """How many SMTP sessions clients opened (one EHLO each)."""
        return self.handler.connections

    @property
    def smtp_url(self) -> str:
        """The Apprise URL for dondoc's DONDOC_SMTP_URL."""
        return loopback_smtp_url(self.port)

    def start(self) -> Mailbox:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
