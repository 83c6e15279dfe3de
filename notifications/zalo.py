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

Settings (:mod:`dondoc.settings`): ``DONDOC_ZALO_OA_URL`` (default https://openapi.zalo.me),
``DONDOC_ZALO_ZNS_URL`` (https://business.openapi.zalo.me), ``DONDOC_ZALO_OAUTH_URL``
(https://oauth.zaloapp.com), ``DONDOC_ZALO_RATE_PER_SECOND`` (default 5; 0 disables), plus the
credentials described in :mod:`notifications.secrets`.

This module is the Apprise service; the pieces live beside it: :mod:`notifications.zalo_targets`
(parsing contacts), :mod:`notifications.zalo_ratelimit` (pacing) and
:mod:`notifications.zalo_client` (the HTTP calls and what their answers mean).
:func:`notify_zalo` returns a :class:`ZaloResult` that tells a retryable failure from a
permanent one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from apprise.common import NotifyType
from apprise.manager_plugins import NotificationManager
from apprise.plugins.base import NotifyBase

from dondoc.settings import current_settings
from notifications.secrets import LOGGER_NAME, ZaloTokenStoreError, install_mask_filter, mask_phone
from notifications.zalo_client import (
    ZNS_BODY_LIMIT,
    ZaloClient,
    ZaloError,
    ZaloResult,
    nfc,
    truncate,
)
from notifications.zalo_ratelimit import TokenBucket, rate_limiter
from notifications.zalo_targets import (
    ONE_RECIPIENT,
    ZaloTarget,
    ZaloURLError,
    check_target,
    normalize_phone,
    parse_target,
    split_or_raise,
    split_url,
    validate_zalo_url,
)

log = install_mask_filter(logging.getLogger(LOGGER_NAME))


def _zns_template_config(template_id: str) -> dict[str, Any]:
    raw = current_settings().zalo_zns_templates
    if not raw:
        return {}
    try:
        config = json.loads(raw)
    except ValueError:
        log.warning("DONDOC_ZALO_ZNS_TEMPLATES không phải JSON hợp lệ; dùng mặc định.")
        return {}
    entry = config.get(str(template_id)) if isinstance(config, dict) else None
    return entry if isinstance(entry, dict) else {}


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
            raise ZaloURLError(ONE_RECIPIENT)
        try:
            self.mode, self.target, self.template, self.body_max = check_target(
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
        return split_url(url)

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
    plugin = NotifyZalo(**split_or_raise(url))
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
