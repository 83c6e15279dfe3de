"""Zalo service for Apprise: Official Account messages and ZNS template messages.

Importing this module registers the ``zalo://`` scheme with Apprise::

    import apprise
    import notifications.zalo  # noqa: F401  (registers zalo://)

    ap = apprise.Apprise()
    ap.add("zalo://oa/2512523625412515")                       # OA text to a Zalo user id
    ap.add("zalo://zns/0912345678?template=231145&tracking=nv-54-2a")  # ZNS template to a phone
    ap.notify(title="Nhắc hạn", body="Nhiệm vụ 2.a đến hạn ngày 30/8/2024.")

URL forms (no secret ever goes into the URL: contacts are stored in the database):

* ``zalo://oa/<user_id>`` — ``POST {oa}/v3.0/oa/message/cs``; text = title + body, NFC,
  at most 2000 characters (longer text is cut with "…" and a warning is logged).
* ``zalo://zns/<phone>?template=<id>`` — ``POST {zns}/message/template``; the phone is
  0912345678, +84912345678 or 84912345678 and is sent as 84912345678. Optional arguments:
  ``tracking=<key>`` (idempotency / tracking id, else a uuid), ``title_key=`` / ``body_key=``
  (template parameter names; empty disables), ``body_max=`` (default 400) and ``:name=value``
  for fixed template parameters. Per-template defaults can also come from
  ``DONDOC_ZALO_ZNS_TEMPLATES`` (JSON: ``{"231145": {"title": "ten", "body": "noi_dung",
  "body_max": 300}}``).

Environment: ``DONDOC_ZALO_OA_URL`` (default https://openapi.zalo.me), ``DONDOC_ZALO_ZNS_URL``
(https://business.openapi.zalo.me), ``DONDOC_ZALO_OAUTH_URL`` (https://oauth.zaloapp.com),
``DONDOC_ZALO_RATE_PER_SECOND`` (default 5; 0 disables), plus the credentials described in
:mod:`notifications.secrets`.

Results: success only with HTTP 2xx and ``error == 0``. ``-216``/``-124`` (token invalid or
expired) refresh the token once and retry once; quota and rate errors fail at once (the outbox
retries later); anything else fails with its code logged. :func:`notify_zalo` returns a
:class:`ZaloResult` that tells a retryable failure from a permanent one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
from apprise.common import NotifyType
from apprise.manager_plugins import NotificationManager
from apprise.plugins.base import NotifyBase

from notifications.secrets import (
    LOGGER_NAME,
    ZaloCredentials,
    ZaloSecretsError,
    ZaloTokenStoreError,
    install_mask_filter,
    mask_phone,
    register_secret,
)

log = install_mask_filter(logging.getLogger(LOGGER_NAME))

DEFAULT_OA_URL = "https://openapi.zalo.me"
DEFAULT_ZNS_URL = "https://business.openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
DEFAULT_RATE_PER_SECOND = 5.0
HTTP_TIMEOUT_SECONDS = 10.0

OA_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"
OAUTH_PATH = "/v4/oa/access_token"

OA_TEXT_LIMIT = 2000
ZNS_BODY_LIMIT = 400
ELLIPSIS = "…"

# Access token invalid (OA -216) or expired/invalid (ZNS -124): refresh once, retry once.
TOKEN_ERROR_CODES = frozenset({-216, -124})
# Rate / quota: -32 "exceeded the limit" (OA), -115 "Out of quota" and -144 "daily quota
# exceeded" (ZNS error table). Never retried here: the outbox retries with backoff.
QUOTA_ERROR_CODES = frozenset({-32, -115, -144})

_USER_ID_RE = re.compile(r"^\d{1,32}$")
_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# National significant number of a Vietnamese mobile: 9 digits starting with 3, 5, 7, 8 or 9.
_MOBILE_NSN = re.compile(r"^[35789]\d{8}$")


class ZaloError(RuntimeError):
    """A Zalo call could not be made (configuration, token refresh)."""


class ZaloURLError(ValueError, TypeError):
    """A zalo:// URL is malformed. A TypeError too, which is what Apprise expects from plugins."""


# --------------------------------------------------------------------------- helpers


def normalize_phone(raw: str) -> str:
    """Return a Vietnamese mobile number as 84xxxxxxxxx, or raise :class:`ZaloURLError`."""
    text = _PHONE_SEPARATORS.sub("", str(raw or ""))
    if text.startswith("+84"):
        nsn = text[3:]
    elif text.startswith("84") and len(text) == 11:
        nsn = text[2:]
    elif text.startswith("0") and len(text) == 10:
        nsn = text[1:]
    else:
        nsn = ""
    if not _MOBILE_NSN.match(nsn):
        raise ZaloURLError(
            f"Số điện thoại «{mask_phone(str(raw))}» không hợp lệ cho ZNS: cần số di động Việt Nam "
            "dạng 0912345678, +84912345678 hoặc 84912345678."
        )
    return "84" + nsn


def nfc(text: str) -> str:
    """Vietnamese text in NFC: the same letters whatever keyboard (decomposed or not) typed them."""
    return unicodedata.normalize("NFC", text or "")


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, ending with "…" when something was cut."""
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _base_url(name: str, default: str) -> str:
    return (os.environ.get(name) or default).rstrip("/")


def _zns_template_config(template_id: str) -> dict[str, Any]:
    raw = os.environ.get("DONDOC_ZALO_ZNS_TEMPLATES")
    if not raw:
        return {}
    try:
        config = json.loads(raw)
    except ValueError:
        log.warning("DONDOC_ZALO_ZNS_TEMPLATES không phải JSON hợp lệ; dùng mặc định.")
        return {}
    entry = config.get(str(template_id)) if isinstance(config, dict) else None
    return entry if isinstance(entry, dict) else {}


# --------------------------------------------------------------------------- rate limit


class TokenBucket:
    """Thread-safe token bucket. Callers reserve a slot and sleep until it comes."""

    def __init__(self, rate: float, capacity: float = 1.0) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; return the time waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            # Going negative reserves a future slot, so concurrent callers queue up fairly.
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            time.sleep(wait)
        return wait


_bucket: TokenBucket | None = None
_bucket_guard = threading.Lock()


def _rate_from_env() -> float:
    raw = os.environ.get("DONDOC_ZALO_RATE_PER_SECOND")
    if not raw:
        return DEFAULT_RATE_PER_SECOND
    try:
        return max(0.0, float(raw))
    except ValueError:
        log.warning(
            "DONDOC_ZALO_RATE_PER_SECOND=%r không phải số; dùng %s.", raw, DEFAULT_RATE_PER_SECOND
        )
        return DEFAULT_RATE_PER_SECOND


def rate_limiter() -> TokenBucket:
    """The process-wide bucket (capacity 1: requests are spaced, never bursted)."""
    global _bucket
    rate = _rate_from_env()
    with _bucket_guard:
        if _bucket is None or _bucket.rate != rate:
            _bucket = TokenBucket(rate)
        return _bucket


# --------------------------------------------------------------------------- results


@dataclass
class ZaloResult:
    """Outcome of one Zalo call.

    ``kind``: "sent", "quota" (quota / rate limit), "auth" (token refused), "http" (non-2xx),
    "network" (no answer), "error" (Zalo error code), "config" (missing credentials).
    """

    ok: bool
    kind: str
    code: int | None = None
    message: str = ""
    http_status: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        """Whether trying again later may succeed (the outbox keeps the reminder pending)."""
        return self.kind in {"quota", "http", "network", "auth", "config"}


# --------------------------------------------------------------------------- client


class ZaloClient:
    """Talks to Zalo: token handling, rate limit, OA and ZNS calls."""

    def __init__(
        self,
        credentials: ZaloCredentials | None = None,
        *,
        oa_url: str | None = None,
        zns_url: str | None = None,
        oauth_url: str | None = None,
        timeout: float = HTTP_TIMEOUT_SECONDS,
    ) -> None:
        self.credentials = credentials or ZaloCredentials()
        self.oa_url = (oa_url or _base_url("DONDOC_ZALO_OA_URL", DEFAULT_OA_URL)).rstrip("/")
        self.zns_url = (zns_url or _base_url("DONDOC_ZALO_ZNS_URL", DEFAULT_ZNS_URL)).rstrip("/")
        self.oauth_url = (
            oauth_url or _base_url("DONDOC_ZALO_OAUTH_URL", DEFAULT_OAUTH_URL)
        ).rstrip("/")
        self.timeout = timeout

    # -- tokens -----------------------------------------------------------------------------
    def access_token(self) -> str:
        """A usable access token, refreshed first when the stored one is past its expiry."""
        tokens = self.credentials.load()
        if tokens.access_token and not tokens.expired():
            return tokens.access_token
        log.info("Access token Zalo đã hết hạn hoặc chưa có; làm mới trước khi gửi.")
        return self.refresh(stale=tokens.access_token)

    def refresh(self, stale: str | None = None) -> str:
        """Exchange the refresh token for a new pair, store both, return the access token.

        ``stale`` is the access token Zalo refused (or that expired). Under the lock the token
        file is read again: if another thread or process already replaced that token, its new
        token is used and the single-use refresh token is not spent twice.
        """
        creds = self.credentials
        with creds.locked():
            current = creds.load()
            if current.access_token and current.access_token != stale and not current.expired():
                return current.access_token
            if not current.refresh_token:
                raise ZaloError(
                    "Chưa có refresh token Zalo (DONDOC_ZALO_REFRESH_TOKEN hoặc Secret block "
                    "«zalo-refresh-token»): không làm mới được access token."
                )
            app_id, app_secret = creds.app_id, creds.app_secret
            if not app_id or not app_secret:
                raise ZaloError(
                    "Thiếu DONDOC_ZALO_APP_ID hoặc DONDOC_ZALO_APP_SECRET (Secret block "
                    "«zalo-app-secret»): không làm mới được access token Zalo."
                )
            try:
                response = requests.post(
                    self.oauth_url + OAUTH_PATH,
                    headers={"secret_key": app_secret},
                    data={
                        "app_id": app_id,
                        "grant_type": "refresh_token",
                        "refresh_token": current.refresh_token,
                    },
                    timeout=self.timeout,
                )
                answer = response.json()
            except requests.RequestException as exc:
                raise ZaloError(
                    f"Không kết nối được máy chủ cấp token Zalo ({type(exc).__name__})."
                ) from None
            except ValueError:
                raise ZaloError(
                    f"Máy chủ cấp token Zalo trả lời không phải JSON (HTTP {response.status_code})."
                ) from None
            access = answer.get("access_token") if isinstance(answer, dict) else None
            new_refresh = answer.get("refresh_token") if isinstance(answer, dict) else None
            if not response.ok or not access or not new_refresh:
                code = answer.get("error") if isinstance(answer, dict) else None
                reason = ""
                if isinstance(answer, dict):
                    reason = str(
                        answer.get("error_description")
                        or answer.get("error_name")
                        or answer.get("message")
                        or ""
                    )
                raise ZaloError(
                    f"Zalo từ chối làm mới token (HTTP {response.status_code}, mã {code}: "
                    f"{reason}). Có thể refresh token đã dùng hoặc hết hạn: cấp lại token cho OA."
                )
            register_secret(access)
            register_secret(new_refresh)
            try:
                expires_in = float(answer.get("expires_in") or 90000)
            except (TypeError, ValueError):
                expires_in = 90000.0
            # The old refresh token is dead from now on: store the pair before using it.
            creds.save_tokens(access, new_refresh, expires_in)
            log.info("Đã làm mới access token Zalo (hiệu lực %d giây).", int(expires_in))
            return access

    # -- calls ------------------------------------------------------------------------------
    def send_oa(self, user_id: str, text: str) -> ZaloResult:
        """Send an OA customer-service text message to a Zalo user id."""
        text = nfc(text)
        if len(text) > OA_TEXT_LIMIT:
            log.warning(
                "Tin Zalo OA dài %d ký tự, vượt giới hạn %d: đã cắt bớt.", len(text), OA_TEXT_LIMIT
            )
            text = truncate(text, OA_TEXT_LIMIT)
        payload = {"recipient": {"user_id": str(user_id)}, "message": {"text": text}}
        result = self._call(self.oa_url + OA_PATH, payload)
        self._log_result(result, f"Zalo OA tới người dùng {user_id}")
        return result

    def send_zns(
        self,
        phone: str,
        template_id: str,
        template_data: dict[str, Any],
        tracking_id: str | None = None,
    ) -> ZaloResult:
        """Send a ZNS template message to a phone number (normalised to 84xxxxxxxxx)."""
        phone = normalize_phone(phone)
        payload = {
            "phone": phone,
            "template_id": str(template_id),
            "template_data": {
                k: nfc(v) if isinstance(v, str) else v for k, v in template_data.items()
            },
            "tracking_id": tracking_id or uuid.uuid4().hex,
        }
        result = self._call(self.zns_url + ZNS_PATH, payload)
        self._log_result(result, f"ZNS mẫu {template_id} tới {phone}")
        return result

    def _call(self, url: str, payload: dict[str, Any]) -> ZaloResult:
        try:
            token = self.access_token()
        except ZaloTokenStoreError:
            raise
        except (ZaloError, ZaloSecretsError) as exc:
            return ZaloResult(False, "config", message=str(exc))
        result = self._post(url, payload, token)
        if result.kind == "auth":
            log.info(
                "Zalo từ chối access token (mã %s: %s); làm mới và gửi lại một lần.",
                result.code,
                result.message,
            )
            try:
                token = self.refresh(stale=token)
            except ZaloTokenStoreError:
                raise
            except (ZaloError, ZaloSecretsError) as exc:
                return ZaloResult(False, "auth", result.code, str(exc), result.http_status)
            result = self._post(url, payload, token)
        return result

    def _post(self, url: str, payload: dict[str, Any], token: str) -> ZaloResult:
        rate_limiter().acquire()
        try:
            response = requests.post(
                url,
                headers={"access_token": token, "Content-Type": "application/json"},
                data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            return ZaloResult(
                False, "network", message=f"không kết nối được ({type(exc).__name__})"
            )
        status = response.status_code
        if status == 429:
            return ZaloResult(
                False, "quota", message="HTTP 429 Too Many Requests", http_status=status
            )
        if not 200 <= status < 300:
            return ZaloResult(False, "http", message=f"HTTP {status}", http_status=status)
        try:
            answer = response.json()
            code = int(answer.get("error"))
        except (ValueError, TypeError, AttributeError):
            return ZaloResult(
                False,
                "error",
                message="câu trả lời không phải JSON Zalo hợp lệ",
                http_status=status,
            )
        message = str(answer.get("message") or "")
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        if code == 0:
            return ZaloResult(True, "sent", 0, message, status, data)
        if code in TOKEN_ERROR_CODES:
            kind = "auth"
        elif code in QUOTA_ERROR_CODES or "quota" in message.lower():
            kind = "quota"
        else:
            kind = "error"
        return ZaloResult(False, kind, code, message, status, data)

    @staticmethod
    def _log_result(result: ZaloResult, what: str) -> None:
        if result.ok:
            msg_id = result.data.get("message_id") or result.data.get("msg_id") or "?"
            log.info("Đã gửi %s (mã tin %s).", what, msg_id)
        elif result.kind == "quota":
            log.warning(
                "Zalo báo vượt hạn mức khi gửi %s (mã %s: %s); để hàng đợi gửi lại sau.",
                what,
                result.code,
                result.message,
            )
        else:
            log.warning(
                "Gửi %s thất bại [%s] (mã %s: %s).", what, result.kind, result.code, result.message
            )


# --------------------------------------------------------------------------- target parsing


@dataclass(frozen=True)
class ZaloTarget:
    """A parsed zalo:// contact."""

    mode: str  # "oa" or "zns"
    recipient: str  # Zalo user id, or phone as 84xxxxxxxxx
    template: str | None = None
    tracking: str | None = None
    title_key: str | None = None
    body_key: str | None = None
    body_max: int | None = None
    template_data: tuple[tuple[str, str], ...] = ()


def _check_target(
    mode: str | None,
    target: str | None,
    template: str | None,
    body_max: Any = None,
) -> tuple[str, str, str | None, int | None]:
    mode = (mode or "").lower()
    target = (target or "").strip()
    if mode == "oa":
        if not _USER_ID_RE.match(target):
            raise ZaloURLError(
                f"ID người dùng Zalo «{target}» không hợp lệ: cần dạng zalo://oa/<user_id> "
                "với user_id là dãy số."
            )
        return mode, target, None, None
    if mode == "zns":
        phone = normalize_phone(target)
        if not template:
            raise ZaloURLError(
                "Thiếu mã mẫu ZNS: cần dạng zalo://zns/<số điện thoại>?template=<mã mẫu>."
            )
        if not _TEMPLATE_RE.match(template):
            raise ZaloURLError(f"Mã mẫu ZNS «{template}» không hợp lệ.")
        limit: int | None = None
        if body_max not in (None, ""):
            try:
                limit = int(body_max)
            except (TypeError, ValueError):
                raise ZaloURLError(f"body_max=«{body_max}» phải là số nguyên.") from None
        return mode, phone, template, limit
    raise ZaloURLError(
        f"Kiểu Zalo «{mode}» không hỗ trợ: dùng zalo://oa/<user_id> hoặc "
        "zalo://zns/<số điện thoại>?template=<mã mẫu>."
    )


def parse_target(url: str) -> ZaloTarget:
    """Parse and validate a zalo:// URL; raise :class:`ZaloURLError` with a readable message."""
    results = NotifyZalo.parse_url(url)
    if not results:
        raise ZaloURLError(f"«{url}» không phải URL zalo:// hợp lệ.")
    if results.get("extra_targets"):
        raise ZaloURLError("Mỗi URL zalo:// chỉ có một người nhận.")
    mode, recipient, template, body_max = _check_target(
        results.get("mode"), results.get("target"), results.get("template"), results.get("body_max")
    )
    return ZaloTarget(
        mode=mode,
        recipient=recipient,
        template=template,
        tracking=results.get("tracking"),
        title_key=results.get("title_key"),
        body_key=results.get("body_key"),
        body_max=body_max,
        template_data=tuple(sorted((results.get("template_data") or {}).items())),
    )


def validate_zalo_url(url: str) -> str | None:
    """None when ``url`` is a valid zalo:// contact, else the Vietnamese error message."""
    try:
        parse_target(url)
    except ZaloURLError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- Apprise plugin


class NotifyZalo(NotifyBase):
    """Apprise service for zalo://oa/<user_id> and zalo://zns/<phone>?template=<id>."""

    service_name = "Zalo"  # type: ignore[assignment]
    service_url = "https://developers.zalo.me/"  # type: ignore[assignment]
    secure_protocol = "zalo"  # type: ignore[assignment]
    setup_url = "https://developers.zalo.me/docs/official-account/"  # type: ignore[assignment]

    # Our own process-wide token bucket does the pacing; Apprise's per-object throttle is off.
    request_rate_per_sec = 0
    # Truncation happens in send() where the limits (OA 2000, ZNS per template) are known.
    body_maxlen = 32768
    persistent_storage = False

    templates = ("{schema}://oa/{user_id}", "{schema}://zns/{phone}")  # type: ignore[assignment]

    template_tokens = dict(
        NotifyBase.template_tokens,
        **{
            "user_id": {"name": "Zalo User ID", "type": "string", "regex": (r"^\d+$", "")},
            "phone": {"name": "Phone No", "type": "string"},
        },
    )

    template_args = dict(
        NotifyBase.template_args,
        **{
            "template": {"name": "ZNS Template ID", "type": "string"},
            "tracking": {"name": "Tracking ID", "type": "string"},
            "title_key": {"name": "Template Title Key", "type": "string"},
            "body_key": {"name": "Template Body Key", "type": "string"},
            "body_max": {"name": "Template Body Max Length", "type": "int"},
        },
    )

    template_kwargs = {"template_data": {"name": "Template Data", "prefix": ":"}}

    def __init__(
        self,
        mode: str | None = None,
        target: str | None = None,
        template: str | None = None,
        tracking: str | None = None,
        title_key: str | None = None,
        body_key: str | None = None,
        body_max: Any = None,
        template_data: dict[str, str] | None = None,
        extra_targets: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if extra_targets:
            raise ZaloURLError("Mỗi URL zalo:// chỉ có một người nhận.")
        try:
            self.mode, self.target, self.template, self.body_max = _check_target(
                mode, target, template, body_max
            )
        except ZaloURLError as exc:
            log.warning("URL Zalo không hợp lệ: %s", exc)
            raise
        self.tracking = tracking or None
        self.title_key = title_key
        self.body_key = body_key
        self.template_data = dict(template_data or {})
        self.last_result: ZaloResult | None = None

    # -- Apprise protocol -------------------------------------------------------------------
    @property
    def url_identifier(self) -> tuple[str | None, ...]:  # type: ignore[override]
        """What makes two Zalo contacts the same."""
        return (self.secure_protocol, self.mode, self.target, self.template)

    def __len__(self) -> int:
        return 1

    def url(self, privacy: bool = False, *args: Any, **kwargs: Any) -> str:
        """The contact URL; with ``privacy`` the phone / user id is masked (safe for logs)."""
        params = self.url_parameters(privacy=privacy, *args, **kwargs)  # noqa: B026
        if self.template:
            params["template"] = self.template
        if self.tracking:
            params["tracking"] = self.tracking
        if self.title_key is not None:
            params["title_key"] = self.title_key
        if self.body_key is not None:
            params["body_key"] = self.body_key
        if self.body_max is not None:
            params["body_max"] = str(self.body_max)
        params.update({f":{k}": v for k, v in self.template_data.items()})
        if not privacy:
            recipient = self.target
        elif self.mode == "zns":
            recipient = mask_phone(self.target)
        else:
            # Apprise's Tail mode shows short ids whole; ours never shows the full id.
            uid = self.target
            recipient = f"{uid[:2]}***{uid[-2:]}" if len(uid) > 6 else "***"

        return f"{self.secure_protocol}://{self.mode}/{recipient}/?{self.urlencode(params)}"

    @staticmethod
    def parse_url(url: str) -> dict[str, Any] | None:  # type: ignore[override]
        """Split a zalo:// URL into the keyword arguments of :class:`NotifyZalo`."""
        results = NotifyBase.parse_url(url, verify_host=False)
        if not results:
            return results
        entries = NotifyZalo.split_path(results.get("fullpath") or "")
        results["mode"] = NotifyZalo.unquote(results.get("host") or "")
        results["target"] = entries[0] if entries else ""
        results["extra_targets"] = entries[1:]
        qsd = results.get("qsd", {})
        for key in ("template", "tracking", "title_key", "body_key", "body_max"):
            if key in qsd:
                results[key] = NotifyZalo.unquote(qsd[key])
        results["template_data"] = {
            NotifyZalo.unquote(k): NotifyZalo.unquote(v) for k, v in results["qsd:"].items()
        }
        return results

    def send(
        self,
        body: str,
        title: str = "",
        notify_type: NotifyType = NotifyType.INFO,
        **kwargs: Any,
    ) -> bool:
        """Send one message. ``tracking_id=`` (or the URL's ``tracking=``) is the idempotency key."""
        result = self.deliver(body, title, tracking_id=kwargs.get("tracking_id"))
        return result.ok

    def deliver(self, body: str, title: str = "", tracking_id: str | None = None) -> ZaloResult:
        """Like :meth:`send` but returns the detailed :class:`ZaloResult`."""
        client = ZaloClient()
        title, body = nfc(title).strip(), nfc(body).strip()
        try:
            if self.mode == "oa":
                text = f"{title}\n\n{body}" if title and body else (title or body)
                result = client.send_oa(self.target, text)
            else:
                assert self.template is not None  # checked in __init__
                result = client.send_zns(
                    self.target,
                    self.template,
                    self._template_data(title, body),
                    tracking_id or self.tracking,
                )
        except ZaloTokenStoreError as exc:
            # Zalo has already spent the old refresh token: without the new one the OA is
            # locked out until someone re-authorises it. Loud, and not swallowed.
            log.critical("%s", exc)
            raise
        self.last_result = result
        return result

    def _template_data(self, title: str, body: str) -> dict[str, Any]:
        config = _zns_template_config(self.template or "")
        title_key = self.title_key if self.title_key is not None else config.get("title", "title")
        body_key = self.body_key if self.body_key is not None else config.get("body", "content")
        limit = (
            self.body_max if self.body_max is not None else config.get("body_max", ZNS_BODY_LIMIT)
        )
        data: dict[str, Any] = dict(config.get("data") or {})
        data.update(self.template_data)
        if title_key:
            data[title_key] = title
        if body_key:
            data[body_key] = truncate(body, int(limit))
        return data


def notify_zalo(url: str, body: str, title: str = "", tracking_id: str | None = None) -> ZaloResult:
    """Send to one zalo:// contact and return the detailed result (for the outbox).

    ``tracking_id`` is the caller's idempotency key (e.g. the outbox row's unique key); it
    becomes the ZNS ``tracking_id``. Raises :class:`ZaloURLError` for a malformed URL.
    """
    results = NotifyZalo.parse_url(url)
    if not results:
        raise ZaloURLError(f"«{url}» không phải URL zalo:// hợp lệ.")
    plugin = NotifyZalo(**results)
    return plugin.deliver(body, title, tracking_id=tracking_id)


def with_tracking(url: str, tracking_id: str) -> str:
    """Append ``tracking=<id>`` to a stored contact URL, for callers that go through Apprise."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}tracking={requests.utils.quote(tracking_id, safe='')}"


def register() -> None:
    """Register zalo:// with Apprise (idempotent; runs on import)."""
    manager = NotificationManager()
    if "zalo" in manager and manager["zalo"] is NotifyZalo:
        return
    manager.add(NotifyZalo, schemas="zalo", force=True)


register()

__all__ = [
    "NotifyZalo",
    "TokenBucket",
    "ZaloClient",
    "ZaloError",
    "ZaloResult",
    "ZaloTarget",
    "ZaloURLError",
    "normalize_phone",
    "notify_zalo",
    "parse_target",
    "rate_limiter",
    "validate_zalo_url",
    "with_tracking",
]
