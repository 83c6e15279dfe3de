"""Sending outbox rows: e-mail through the SMTP server of DONDOC_SMTP_URL, Zalo through
dondoc's own Apprise service (notifications.zalo), anything else Apprise knows as is.

E-mail: Apprise reads DONDOC_SMTP_URL (every mailto:// / mailtos:// option it documents:
host, port, mode, user, password, from, name, verify). Apprise's own e-mail service opens a
new connection and builds a TLS context for every message, which made a 300-message sweep
spend most of its time connecting; :class:`Channels` keeps one connection per sending thread
for a whole batch instead, and sends dondoc's own plain-text and HTML parts (Apprise would
derive the text part from the HTML).

Every e-mail carries a sender's name (the URL's ``name=``, else DONDOC_REPORT_ISSUER, else
«Văn phòng»), a Reply-To to the office (the URL's ``reply=``, else the secretariat's e-mail
addresses in the escalation policy) and a Date in the office's time zone (DONDOC_TIMEZONE,
+0700), whatever the host's clock zone is.

A password is never sent over a plain connection: a DONDOC_SMTP_URL with a password and
``mode=insecure`` (Apprise's default for ``mailto://`` to a server it does not know) is
refused unless the server is on this machine (loopback) or
DONDOC_SMTP_ALLOW_PLAIN_PASSWORD=true says so.

Contacts are checked before anything is queued (:func:`recipient_problem`), and shown with
phone numbers masked (:func:`mask_recipient`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import smtplib
import ssl
import threading
from datetime import datetime, tzinfo
from email.charset import BASE64, Charset
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import apprise

from models.delivery import Delivery
from notifications.secrets import mask_phone

log = logging.getLogger("dondoc.channels")

# UTF-8 bodies in base64: Apprise switches the process-wide default to quoted-printable, which
# triples Vietnamese text and is encoded in pure Python.
UTF8 = Charset("utf-8")
UTF8.body_encoding = BASE64


RECIPIENT_MAX = 500  # Delivery.recipient
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,19}://", re.IGNORECASE)
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")


class ChannelError(RuntimeError):
    """A message could not be delivered (the outbox will try again)."""


def recipient_problem(url: object) -> str | None:
    """None when dondoc can queue a message to this contact, else why not (Vietnamese): not
    text, longer than the outbox column, not an Apprise URL, or a malformed e-mail or Zalo
    address. Checked when digests are queued, so one bad contact fails alone."""
    if not isinstance(url, str) or not url.strip():
        return "địa chỉ liên hệ trống hoặc không phải chuỗi ký tự."
    if len(url) > RECIPIENT_MAX:
        return f"địa chỉ liên hệ dài {len(url)} ký tự, quá giới hạn {RECIPIENT_MAX}."
    if not _SCHEME.match(url) or any(ch.isspace() for ch in url):
        return (
            "không phải địa chỉ Apprise (dạng mailto://ten@coquan.gov.vn, zalo://oa/<id> hoặc "
            "zalo://zns/<số điện thoại>?template=<mã mẫu>)."
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("mailto", "mailtos"):
        try:
            address = email_address(url)
        except (ChannelError, ValueError) as exc:
            return str(exc)
        return None if _ADDRESS.match(address) else f"«{address}» không phải địa chỉ thư hợp lệ."
    if scheme == "zalo":
        from notifications.zalo import validate_zalo_url

        return validate_zalo_url(url)
    if apprise.Apprise.instantiate(url) is None:
        return f"Apprise không nhận địa chỉ dạng {scheme}://."
    return None


def mask_recipient(url: str) -> str:
    """A contact as dondoc shows it: phone numbers masked (zalo://zns/8491***678?…), e-mail
    addresses as they are."""
    if str(url).split("://", 1)[0].lower() in ("mailto", "mailtos"):
        return url
    return mask_phone(url)


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


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class SmtpServer:
    """The outgoing mail server of an Apprise mailto:// URL, as Apprise parses it."""

    def __init__(self, smtp_url: str, *, allow_plain_password: bool | None = None) -> None:
        # Any: Apprise's e-mail service has these attributes, its base class does not.
        server: Any = apprise.Apprise.instantiate(smtp_url)
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
        self.sender_address: str = address
        # Apprise names the sender "Apprise" when the URL gives no name=, and keeps a name it
        # was given already encoded for the header (=?utf-8?q?…?=).
        given = _decoded(name) if name and name != server.app_id else ""
        self.sender_name: str = given or _office_name()
        self.reply_to: list[str] = [
            formataddr((server.names.get(a) or "", a), charset="utf-8")
            for a in sorted(server.reply_to)
        ] or _office_addresses()
        self._refuse_plain_password(smtp_url, allow_plain_password)

    def _refuse_plain_password(self, smtp_url: str, allowed: bool | None) -> None:
        """A login over a connection without TLS shows the password to anyone on the way."""
        if not self.password or self.mode not in ("insecure", "") or is_loopback(self.host):
            return
        if allowed is None:
            from dondoc.settings import get_settings

            allowed = get_settings().smtp_allow_plain_password
        if allowed:
            log.warning(
                "Gửi mật khẩu máy chủ thư %s:%s qua kết nối không mã hoá "
                "(DONDOC_SMTP_ALLOW_PLAIN_PASSWORD=true).",
                self.host,
                self.port,
            )
            return
        raise ChannelError(
            f"DONDOC_SMTP_URL có mật khẩu nhưng kết nối tới {self.host}:{self.port} không mã "
            "hoá (mode=insecure): mật khẩu sẽ đi qua mạng ở dạng đọc được. Dùng mailtos:// hoặc "
            "thêm mode=starttls (cổng 587) hay mode=ssl (cổng 465); nếu máy chủ thật sự không "
            "hỗ trợ TLS, đặt DONDOC_SMTP_ALLOW_PLAIN_PASSWORD=true. "
            f"({_mask(smtp_url)})"
        )

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
        # typeshed wants a charset name; a Charset object is what keeps base64 (see UTF8).
        text = MIMEText(delivery.body, "plain", UTF8)  # type: ignore[arg-type]
        msg: Message = text
        if delivery.html:
            msg = MIMEMultipart("alternative")
            msg.attach(text)
            msg.attach(MIMEText(delivery.html, "html", UTF8))  # type: ignore[arg-type]
        msg["From"] = formataddr((self.sender_name, self.sender_address), charset="utf-8")
        to = email_address(delivery.recipient)
        msg["To"] = to
        reply_to = [a for a in self.reply_to if parseaddr(a)[1].lower() != to.lower()]
        if reply_to:  # a unit answering the reminder writes to the office, not to the robot
            msg["Reply-To"] = ", ".join(reply_to)
        # A Header, not a str: it encodes the Vietnamese subject (typeshed only allows str).
        msg["Subject"] = Header(delivery.subject, "utf-8")  # type: ignore[assignment]
        msg["Date"] = format_datetime(datetime.now(_office_zone()))  # +0700, not the host's
        msg["Message-ID"] = make_msgid(domain=self.sender_address.rpartition("@")[2] or None)
        msg["X-Dondoc-Key"] = delivery.key
        return msg


class Channels:
    """``with Channels(smtp_url) as send: send(delivery)`` for a batch of outbox rows, from
    several threads at once. Each thread keeps its SMTP connection until the batch ends."""

    def __init__(self, smtp_url: str, *, allow_plain_password: bool | None = None) -> None:
        self.smtp_url = smtp_url
        self.allow_plain_password = allow_plain_password
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
                    self._server = SmtpServer(
                        self.smtp_url, allow_plain_password=self.allow_plain_password
                    )
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


def _decoded(name: str) -> str:
    """A display name as text, whether Apprise kept it encoded for a header or not."""
    try:
        return str(make_header(decode_header(name))).strip()
    except (ValueError, LookupError, UnicodeDecodeError):
        return name.strip()


def _office_name() -> str:
    """The sender's name when DONDOC_SMTP_URL has no name=: the office issuing the briefing
    (DONDOC_REPORT_ISSUER), else «Văn phòng»."""
    from dondoc.settings import get_settings

    return (get_settings().report_issuer or "").strip() or "Văn phòng"


def _office_addresses() -> list[str]:
    """Reply-To when DONDOC_SMTP_URL has no reply=: the secretariat's e-mail addresses in the
    escalation policy (the office that follows the reminders up), none if it has none."""
    from tasks.errors import InputError
    from tasks.escalation_policy import default_policy

    try:
        secretariat = default_policy().secretariat
    except (InputError, OSError, ValueError) as exc:
        log.warning("Không đọc được chính sách nhắc việc để lấy địa chỉ trả lời thư: %s", exc)
        return []
    addresses = []
    for url in secretariat:
        if str(url).split("://", 1)[0].lower() in ("mailto", "mailtos"):
            with contextlib.suppress(ChannelError, ValueError):
                addresses.append(email_address(url))
    return addresses


def _office_zone() -> tzinfo:
    """The office's time zone (DONDOC_TIMEZONE), which a message's Date is written in."""
    from dondoc.settings import get_settings

    try:
        return ZoneInfo(get_settings().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Ho_Chi_Minh")


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
            f"Địa chỉ không hợp lệ cho Apprise: {delivery.channel} "
            f"{mask_recipient(delivery.recipient)}"
        )
    with apprise.LogCapture(level=apprise.logging.WARNING) as logs:
        ok = sender.notify(
            title=delivery.subject, body=delivery.body, body_format=apprise.NotifyFormat.TEXT
        )
        captured = logs.getvalue().strip()
    if not ok:
        raise ChannelError(captured.splitlines()[-1] if captured else "Apprise không gửi được")


def send(delivery: Delivery, *, smtp_url: str, allow_plain_password: bool | None = None) -> None:
    """Deliver one row on its own connection (a batch uses :class:`Channels`)."""
    with Channels(smtp_url, allow_plain_password=allow_plain_password) as channels:
        channels(delivery)
