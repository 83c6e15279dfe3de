"""zalo:// contacts: splitting and checking the URL, Vietnamese mobile numbers.

Pure parsing: no network, no credentials. :mod:`notifications.zalo` (the Apprise service) and
the contact checks (:func:`validate_zalo_url`) share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apprise.plugins.base import NotifyBase

from notifications.secrets import mask_phone

_USER_ID_RE = re.compile(r"^\d{1,32}$")
_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# National significant number of a Vietnamese mobile: 9 digits starting with 3, 5, 7, 8 or 9.
_MOBILE_NSN = re.compile(r"^[35789]\d{8}$")

ONE_RECIPIENT = "Mỗi URL zalo:// chỉ có một người nhận."


class ZaloURLError(ValueError, TypeError):
    """A zalo:// URL is malformed. A TypeError too, which is what Apprise expects from plugins."""


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


def check_target(
    mode: str | None,
    target: str | None,
    template: str | None,
    body_max: Any = None,
) -> tuple[str, str, str | None, int | None]:
    """Validate the parts of a contact: (mode, recipient, template, body_max), normalised."""
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


def split_url(url: str) -> dict[str, Any] | None:
    """Split a zalo:// URL into the keyword arguments of the Apprise service (unchecked)."""
    results = NotifyBase.parse_url(url, verify_host=False)
    if not results:
        return results
    entries = NotifyBase.split_path(results.get("fullpath") or "")
    results["mode"] = NotifyBase.unquote(results.get("host") or "")
    results["target"] = entries[0] if entries else ""
    results["extra_targets"] = entries[1:]
    qsd = results.get("qsd", {})
    for key in ("template", "tracking", "title_key", "body_key", "body_max"):
        if key in qsd:
            results[key] = NotifyBase.unquote(qsd[key])
    results["template_data"] = {
        NotifyBase.unquote(k): NotifyBase.unquote(v) for k, v in results["qsd:"].items()
    }
    return results


def split_or_raise(url: str) -> dict[str, Any]:
    """:func:`split_url`, raising :class:`ZaloURLError` for what is not a URL at all."""
    results = split_url(url)
    if not results:
        raise ZaloURLError(f"«{url}» không phải URL zalo:// hợp lệ.")
    return results


def parse_target(url: str) -> ZaloTarget:
    """Parse and validate a zalo:// URL; raise :class:`ZaloURLError` with a readable message."""
    results = split_or_raise(url)
    if results.get("extra_targets"):
        raise ZaloURLError(ONE_RECIPIENT)
    mode, recipient, template, body_max = check_target(
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


__all__ = [
    "ZaloTarget",
    "ZaloURLError",
    "check_target",
    "normalize_phone",
    "parse_target",
    "split_url",
    "validate_zalo_url",
]
