"""Reminder digests: one message per recipient and channel, rendered from Jinja2 templates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tasks.fileio import short_text
from tasks.reminders import ASSIGNED, DueReminder, Policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
ZALO_LIMIT = 2000  # characters of an OA text message
ZALO_ITEMS = 30  # more never fit in ZALO_LIMIT
EMAIL_ITEMS = 200  # directives listed one by one in an e-mail; the rest are counted per unit
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)

SUBJECT_WORDS = {
    ASSIGNED: "nhiệm vụ được giao",
    "before_5": "nhiệm vụ sắp đến hạn",
    "due_day": "nhiệm vụ đến hạn hôm nay",
    "overdue_1": "nhiệm vụ quá hạn",
    "overdue_7": "nhiệm vụ quá hạn",
}
HOW_TO_REPORT = (
    "Đề nghị đơn vị báo cáo tiến độ hoặc kết quả (kèm tài liệu kiểm chứng) cho Văn phòng; "
    "nếu cần thêm thời gian, gửi đề nghị gia hạn nêu rõ lý do. Văn phòng ghi nhận bằng lệnh "
    "«dondoc assignment update» hoặc «dondoc assignment extend» theo mã nhiệm vụ."
)
HOW_TO_REPORT_SHORT = "Báo cáo tiến độ/kết quả hoặc đề nghị gia hạn gửi Văn phòng."
MORE_FOR_OFFICE = (
    "Danh sách đầy đủ: lệnh «dondoc status» (có thể lọc theo đơn vị: --unit MÃ) hoặc báo cáo "
    "giao ban hằng tháng."
)
MORE_FOR_UNIT = "Đề nghị liên hệ Văn phòng để nhận danh sách đầy đủ."
LINK_WORDS = (
    "Đơn vị báo cáo tiến độ, gửi tài liệu kiểm chứng hoặc đề nghị gia hạn trực tiếp tại liên "
    "kết riêng của đơn vị (không cần tài khoản, mở được trên điện thoại):"
)
LINK_WORDS_SHORT = "Báo cáo trực tuyến:"


def channel_of(url: str) -> str:
    """email, zalo, or the URL's scheme for any other Apprise service."""
    scheme = str(url).split("://", 1)[0].lower()
    return "email" if scheme in ("mailto", "mailtos") else scheme


@dataclass
class Digest:
    """Everything one recipient gets on one channel from one sweep."""

    recipient: str
    channel: str
    recipient_name: str
    unit_id: int | None
    level: str
    reminders: list[DueReminder] = field(default_factory=list)

    @cached_property
    def key(self) -> str:
        """Idempotency key: the same reminders to the same address make the same key (read
        once the digest is complete)."""
        ids = ",".join(
            str(r.reminder_id) for r in sorted(self.reminders, key=lambda r: r.reminder_id)
        )
        digest = hashlib.sha256(f"{self.channel}|{self.recipient}|{ids}".encode()).hexdigest()[:32]
        return f"{self.channel[:20]}:{digest}"  # a malformed address can make a long "channel"


def build_digests(*, due: list[DueReminder], units: dict[int, Any], policy: Policy) -> list[Digest]:
    """Group due rungs by recipient and channel (to and cc alike) into digests."""
    digests: dict[tuple[str, str], Digest] = {}
    seen: set[tuple[tuple[str, str], int]] = set()
    for item in due:
        unit = units[item.unit_id]
        level = policy.level(item.level)
        for role in (*level.to, *level.cc):
            for url, name in _addresses(role, unit, item, policy):
                key = (channel_of(url), url)
                if key not in digests:
                    digests[key] = Digest(
                        url,
                        key[0],
                        name,
                        unit.id if role in ("focal", "head") else None,
                        item.level,
                    )
                d = digests[key]
                # A set of ids, not `in d.reminders`: a digest can hold thousands of items.
                if (key, item.reminder_id) not in seen:
                    seen.add((key, item.reminder_id))
                    d.reminders.append(item)
                if policy.rank(item.level) > policy.rank(d.level):
                    d.level = item.level
    return list(digests.values())


def _addresses(role: str, unit: Any, item: DueReminder, policy: Policy) -> list[tuple[str, str]]:
    if role == "focal":
        return [(u, unit.name) for u in _urls(unit.contacts)]
    if role == "head":
        head = unit.head if isinstance(unit.head, dict) else {}
        name = f"{head.get('title') or 'Thủ trưởng'} {unit.name}"
        return [(u, name) for u in _urls(head.get("contacts"))]
    if role == "chair":
        urls = policy.leaders.get(item.notice_chair or "", ()) or policy.secretariat
        return [(u, item.notice_chair or "Lãnh đạo chủ trì") for u in urls]
    return [(u, "Văn phòng") for u in policy.secretariat]


def _urls(contacts: Any) -> list[str]:
    """Contact URLs as text, whatever was stored (one string, a list, numbers): a malformed
    one is then refused on its own when queued, and never breaks the others."""
    if not contacts:
        return []
    if isinstance(contacts, str):
        return [contacts]
    return [str(u) for u in contacts] if isinstance(contacts, list | tuple) else [str(contacts)]


def _state(item: DueReminder, today: date) -> tuple[str, str]:
    due = item.occurrence or item.effective_due
    if due is None:
        return "không có thời hạn", "#757575"
    days = (due - today).days
    if days > 0:
        return f"còn {days} ngày", "#1565c0" if days > 5 else "#f9a825"
    if days == 0:
        return "đến hạn hôm nay", "#f9a825"
    return f"quá hạn {-days} ngày", "#c62828"


def render(
    digest: Digest,
    *,
    today: date,
    units: dict[int, Any],
    policy: Policy,
    key: str | None = None,
    links: dict[int, str] | None = None,
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a digest; Zalo gets the short plain text. ``key``: the
    outbox row's key when an existing row is rendered again (default: the digest's).
    ``links``: the units' personal links by unit id; a unit's own digest ends with its link.

    An e-mail lists the first ``EMAIL_ITEMS`` directives (earliest due first, so the most
    overdue lead); a longer digest (the secretariat's on a busy day) adds a count per unit."""
    ordered = sorted(
        digest.reminders,
        key=lambda r: (
            r.occurrence or r.effective_due or date.max,
            r.notice_number or "",
            r.ref or "",
        ),
    )
    n = len(ordered)
    shown = ordered[: EMAIL_ITEMS if digest.channel == "email" else ZALO_ITEMS]
    items = [_item(r, today=today, units=units, policy=policy) for r in shown]
    unit_names = sorted({units[r.unit_id].name for r in digest.reminders})
    show_unit = digest.unit_id is None or len(unit_names) > 1
    # Only a digest of one unit's own items: a link opens that unit's page alone.
    link = (
        (links or {}).get(digest.unit_id) if digest.unit_id is not None and not show_unit else None
    )
    if not show_unit:
        whom = digest.recipient_name
    elif len(unit_names) <= 3:
        whom = ", ".join(unit_names)
    else:
        whom = f"{len(unit_names)} đơn vị"
    subject = f"[Nhắc việc] {n} {SUBJECT_WORDS.get(digest.level, 'nhiệm vụ')} – {whom}"
    if digest.level == ASSIGNED:
        subject = f"[Giao việc] {n} nhiệm vụ mới – {whom}"
    if digest.unit_id is None:  # the secretariat or the chairing leader: to follow up
        intro = (
            f"Đã gửi thư giao {n} nhiệm vụ cho các đơn vị dưới đây."
            if digest.level == ASSIGNED
            else f"{n} nhiệm vụ của {whom if len(unit_names) > 3 else 'các đơn vị'} "
            "đến mốc nhắc việc, cần theo dõi, đôn đốc:"
        )
    else:
        intro = (
            f"Văn phòng thông báo {n} nhiệm vụ được giao cho đơn vị theo văn bản dưới đây."
            if digest.level == ASSIGNED
            else f"Văn phòng nhắc {n} nhiệm vụ cần đơn vị quan tâm thực hiện:"
        )
    context = {
        "subject": subject,
        "recipient_name": digest.recipient_name,
        "intro": intro,
        "items": items,
        "more": n - len(items),
        "more_note": MORE_FOR_OFFICE if digest.unit_id is None else MORE_FOR_UNIT,
        "by_unit": _by_unit(ordered, today=today, units=units)
        if n > len(items) and show_unit
        else [],
        "show_unit": show_unit,
        "how_to_report": HOW_TO_REPORT,
        "how_to_report_short": HOW_TO_REPORT_SHORT,
        "key": key or digest.key,
        "link": link,
        "link_words": LINK_WORDS,
    }
    if digest.channel == "email":
        text = _env.get_template("email.txt.j2").render(context)
        html = _env.get_template("email.html.j2").render(context)
        return subject, text, html
    # The tail is never cut: how to report, and the unit's link.
    tail = HOW_TO_REPORT_SHORT + (f"\n{LINK_WORDS_SHORT} {link}" if link else "")
    text = _env.get_template("zalo.txt.j2").render(context, tail=tail).strip()
    limit = ZALO_LIMIT - len(subject) - 2  # Zalo shows the subject, a blank line, then this
    if len(text) > limit or n > len(items):
        # Too many items for one message: keep the first ones and say how many are left.
        room = limit - 140 - (len(tail) - len(HOW_TO_REPORT_SHORT))
        kept = text[:room].rsplit("\n", 1)[0] if len(text) > limit else text
        kept = kept.split("\n" + HOW_TO_REPORT_SHORT)[0]
        listed = sum(1 for i in range(1, len(items) + 1) if f"\n{i}) " in "\n" + kept)
        text = f"{kept}\n… và {n - listed} nhiệm vụ khác (xem thư điện tử).\n{tail}"
    return subject, text, ""


@dataclass(slots=True)
class Item:
    """One directive as a message lists it (attributes, so Jinja2 finds them at once)."""

    number: int  # the assignment's «Mã», as dondoc status and the unit's page show it
    notice: str
    ref: str
    text: str
    short: str
    unit: str
    due: str
    state: str
    colour: str
    level: str


def _item(r: DueReminder, *, today: date, units: dict[int, Any], policy: Policy) -> Item:
    due = r.occurrence or r.effective_due
    state, colour = _state(r, today)
    return Item(
        number=r.assignment_id,
        notice=f"Văn bản số {r.notice_number}" if r.notice_number else "Văn bản (chưa có số)",
        ref=r.ref or "—",
        text=r.text,
        short=short_text(r.text, 120),
        unit=units[r.unit_id].name,
        due=f"{due:%d/%m/%Y}" if due else "—",
        state=state,
        colour=colour,
        level=policy.level(r.level).label,
    )


def _by_unit(
    reminders: list[DueReminder], *, today: date, units: dict[int, Any]
) -> list[dict[str, Any]]:
    """Per unit: how many directives, how many overdue, and the longest delay (in days)."""
    rows: dict[int, dict[str, Any]] = {}
    for r in reminders:
        row = rows.setdefault(
            r.unit_id, {"unit": units[r.unit_id].name, "count": 0, "overdue": 0, "late_days": 0}
        )
        row["count"] += 1
        due = r.occurrence or r.effective_due
        if due is not None and due < today:
            row["overdue"] += 1
            row["late_days"] = max(row["late_days"], (today - due).days)
    return sorted(rows.values(), key=lambda row: (-row["overdue"], -row["count"], row["unit"]))


__all__ = ["Digest", "build_digests", "channel_of", "render"]
