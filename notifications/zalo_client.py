"""Zalo's HTTP API: the OA and ZNS calls, the token refresh, and what their answers mean.

Results: success only with HTTP 2xx and ``error == 0``. ``-216``/``-124`` (token invalid or
expired) refresh the token once and retry once; quota and rate errors fail at once (the outbox
retries later); anything else fails with its code logged. Endpoints: ``DONDOC_ZALO_OA_URL``,
``DONDOC_ZALO_ZNS_URL``, ``DONDOC_ZALO_OAUTH_URL`` (see :mod:`dondoc.settings`).
"""

from __future__ import annotations

import json
import logging
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from dondoc.settings import current_settings
from notifications.secrets import (
    LOGGER_NAME,
    ZaloCredentials,
    ZaloSecretsError,
    ZaloTokenStoreError,
    install_mask_filter,
    register_secret,
)
from notifications.zalo_ratelimit import rate_limiter
from notifications.zalo_targets import normalize_phone

log = install_mask_filter(logging.getLogger(LOGGER_NAME))

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


class ZaloError(RuntimeError):
    """A Zalo call could not be made (configuration, token refresh)."""


def nfc(text: str) -> str:
    """Vietnamese text in NFC: the same letters whatever keyboard (decomposed or not) typed them."""
    return unicodedata.normalize("NFC", text or "")


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, ending with "…" when something was cut."""
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


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
        settings = current_settings()
        self.oa_url = (oa_url or settings.zalo_oa_url).rstrip("/")
        self.zns_url = (zns_url or settings.zalo_zns_url).rstrip("/")
        self.oauth_url = (oauth_url or settings.zalo_oauth_url).rstrip("/")
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


__all__ = [
    "OAUTH_PATH",
    "OA_PATH",
    "OA_TEXT_LIMIT",
    "ZNS_BODY_LIMIT",
    "ZNS_PATH",
    "ZaloClient",
    "ZaloError",
    "ZaloResult",
    "nfc",
    "truncate",
]
