"""Sending outbox rows: e-mail through the SMTP server of DONDOC_SMTP_URL, Zalo through
dondoc's own Apprise service (notifications.zalo), anything else Apprise knows as is.

E-mail: Apprise reads DONDOC_SMTP_URL (every mailto:// / mailtos:// option it documents:
host, port, mode, user, password, from, name, verify). Apprise's own e-mail service opens a
new connection and builds a TLS context for every message, which made a 300-message sweep
spend most of its time connecting; :class:`Channels` keeps one connection per sending thread
for a whole batch instead, and sends dondoc's own plain-text and HTML parts (Apprise would
derive the text part from the HTML).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
from email.charset import BASE64, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import apprise

from models.delivery import Delivery

log = logging.getLogger("dondoc.channels")

# UTF-8 bodies in base64: Apprise switches the process-wide default to quoted-printable, which
# triples Vietnamese text and is encoded in pure Python.
UTF8 = Charset("utf-8")
UTF8.body_encoding = BASE64


class ChannelError(RuntimeError):
    """A message could not be delivered (the outbox will try again)."""


def email_address(url: str) -> str:
    """The address of a contact written ``mailto://noivu@example.gov.vn``."""
    parts = urlsplit(url)
    if parts.username and parts.hostname:
        return f"{unquote(parts.username)}@{parts.hostname}"
    raise ChannelError(f"«{url}» không có địa chỉ thư (dạng mailto://ten@coquan.gov.vn).")


def apprise_url(delivery: Delivery, smtp_url: str) -> str:
    """The Apprise URL that sends this row on its own: for e-mail, the SMTP server's URL with
    the recipient added."""
    if delivery.channel == "email":
        joiner = "&" if "?" in smtp_url else "?"
        return f"{smtp_url}{joiner}to={quote(email_address(delivery.recipient))}"
    if delivery.channel == "zalo":
        joiner = "&" if "?" in delivery.recipient else "?"
        return f"{delivery.recipient}{joiner}tracking={quote(delivery.key)}"
    return delivery.recipient


class SmtpServer:
    """The outgoing mail server of an Apprise mailto:// URL, as Apprise parses it."""

    def __init__(self, smtp_url: str) -> None:
        server = apprise.Apprise.instantiate(smtp_url)
        if server is None or not hasattr(server, "smtp_host"):
            raise ChannelError(
                f"DONDOC_SMTP_URL không phải địa chỉ máy chủ thư của Apprise "
                f"(dạng mailto://… hoặc mailtos://…): {_mask(smtp_url)}"
            )
        self.host: str = server.smtp_host or server.host
        self.port: int = int(server.port or 25)
        self.mode: str = str(server.secure_mode)
        self.user: str | None = server.user
        self.password: str | None = server.password
        self.verify: bool = bool(server.verify_certificate)
        self.timeout: float = float(server.socket_connect_timeout or 15)
        name, address = server.from_addr
        self.sender_name: str = name or ""
        self.sender_address: str = address

    def connect(self) -> smtplib.SMTP:
        """A logged-in connection (TLS as the URL's mode says)."""
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            if self.mode == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.mode == "starttls":
                    conn.starttls(context=context)
            if self.user and self.password:
                conn.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(
                f"Không kết nối được máy chủ thư {self.host}:{self.port}: {exc}"
            ) from exc
        return conn

    def message(self, delivery: Delivery) -> Message:
        """The e-mail of one outbox row: plain text, with the HTML as an alternative (UTF-8,
        built with the same MIME classes Apprise uses)."""
        text = MIMEText(delivery.body, "plain", UTF8)
        msg: Message = text
        if delivery.html:
            msg = MIMEMultipart("alternative")
            msg.attach(text)
            msg.attach(MIMEText(delivery.html, "html", UTF8))
        msg["From"] = formataddr((self.sender_name, self.sender_address), charset="utf-8")
        msg["To"] = email_address(delivery.recipient)
        msg["Subject"] = Header(delivery.subject, "utf-8")
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self.sender_address.rpartition("@")[2] or None)
        msg["X-Dondoc-Key"] = delivery.key
        return msg


class Channels:
    """``with Channels(smtp_url) as send: send(delivery)`` for a batch of outbox rows, from
    several threads at once. Each thread keeps its SMTP connection until the batch ends."""

    def __init__(self, smtp_url: str) -> None:
        self.smtp_url = smtp_url
        self._server: SmtpServer | None = None
        self._local = threading.local()
        self._open: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Channels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for conn in connections:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                conn.quit()

    def __call__(self, delivery: Delivery) -> None:
        """Deliver one row or raise ChannelError with the reason."""
        if delivery.channel == "email":
            self._email(delivery)
        else:
            _apprise_send(delivery, apprise_url(delivery, self.smtp_url))

    def _email(self, delivery: Delivery) -> None:
        if self._server is None:
            with self._lock:
                if self._server is None:
                    self._server = SmtpServer(self.smtp_url)
        server = self._server
        message = server.message(delivery)
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        reused = conn is not None
        if conn is None:
            conn = self._connect(server)
        try:
            conn.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            # The server closed a connection we kept: it had not taken this message (the
            # disconnect shows at the first command), so send it on a new connection.
            self._drop(conn)
            if not reused:
                raise ChannelError(f"Máy chủ thư ngắt kết nối: {exc}") from exc
            conn = self._connect(server)
            self._send_or_raise(conn, message)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(conn)
            raise ChannelError(_smtp_reason(exc, message["To"])) from exc

    def _send_or_raise(self, conn: smtplib.SMTP, message: Message) -> None:
        try:
            conn.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(conn)
            raise ChannelError(_smtp_reason(exc, message["To"])) from exc

    def _connect(self, server: SmtpServer) -> smtplib.SMTP:
        conn = server.connect()
        self._local.conn = conn
        with self._lock:
            self._open.append(conn)
        return conn

    def _drop(self, conn: smtplib.SMTP) -> None:
        self._local.conn = None
        with self._lock:
            if conn in self._open:
                self._open.remove(conn)
        with contextlib.suppress(OSError, smtplib.SMTPException):
            conn.close()


def _smtp_reason(exc: BaseException, to: Any) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"Máy chủ thư từ chối người nhận {to}: {exc.recipients}"
    return f"Gửi thư tới {to} không được: {type(exc).__name__}: {exc}"


def _mask(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _apprise_send(delivery: Delivery, url: str) -> None:
    if delivery.channel == "zalo":
        import notifications.zalo  # noqa: F401  (registers the zalo:// service)
    sender = apprise.Apprise()
    if not sender.add(url):
        raise ChannelError(
            f"Địa chỉ không hợp lệ cho Apprise: {delivery.channel} {delivery.recipient}"
        )
    with apprise.LogCapture(level=apprise.logging.WARNING) as logs:
        ok = sender.notify(
            title=delivery.subject, body=delivery.body, body_format=apprise.NotifyFormat.TEXT
        )
        captured = logs.getvalue().strip()
    if not ok:
        raise ChannelError(captured.splitlines()[-1] if captured else "Apprise không gửi được")


def send(delivery: Delivery, *, smtp_url: str) -> None:
    """Deliver one row on its own connection (a batch uses :class:`Channels`)."""
    with Channels(smtp_url) as channels:
        channels(delivery)
