"""Reminder digests: one message per recipient and channel, rendered from Jinja2 templates.

Written to be read at a glance on a phone: a unit's message lists its own assignments, each
with its number («mã»), its due date and the days left or late, and ends with the unit's
personal link, where it reports; the secretariat's and the leaders' messages list each
directive once with the units it is assigned to. Nothing a reader gets names a command."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tasks.reminders import ASSIGNED, DueReminder, Level, Policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
ZALO_LIMIT = 2000  # characters of an OA text message
ZALO_ITEMS = 30  # more never fit in ZALO_LIMIT
ZALO_SHORT = 90  # characters of a directive's text in a Zalo line
EMAIL_ITEMS = 200  # assignments listed one by one in an e-mail; the rest are counted per unit
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)

OFFICE = "Văn phòng"  # how the secretariat is greeted and named in messages
SUBJECT_WORDS = {
    ASSIGNED: "nhiệm vụ được giao",
    "before_5": "nhiệm vụ sắp đến hạn",
    "due_day": "nhiệm vụ đến hạn hôm nay",
    "overdue_1": "nhiệm vụ quá hạn",
    "overdue_7": "nhiệm vụ quá hạn",
}
NO_DUE = "Không có hạn cụ thể"
REPORTED_TO_LEADER = "Đã báo cáo lãnh đạo chủ trì."
HOW_TO_REPORT_LINK = (
    "Đơn vị báo cáo tiến độ, kết quả (kèm tài liệu kiểm chứng) hoặc đề nghị gia hạn ngay trên "
    "trang riêng của đơn vị, chọn nhiệm vụ theo mã ghi trong thư này (ví dụ mã {example}). "
    "Trang mở được trên điện thoại, không cần tài khoản:"
)
HOW_TO_REPORT = (
    "Đề nghị đơn vị báo cáo tiến độ hoặc kết quả (kèm tài liệu kiểm chứng) cho Văn phòng, ghi "
    "rõ mã nhiệm vụ (ví dụ mã {example}); nếu cần thêm thời gian, gửi đề nghị gia hạn nêu rõ "
    "lý do."
)
HOW_TO_FOLLOW = (
    "Các đơn vị báo cáo tiến độ, kết quả hoặc đề nghị gia hạn trên trang riêng gửi kèm thư của "
    "đơn vị. Theo dõi và ghi nhận thay cho đơn vị trên trang theo dõi:"
)
MORE_FOR_OFFICE = "Danh sách đầy đủ có trên trang theo dõi và trong báo cáo giao ban hằng tháng."
MORE_FOR_UNIT_LINK = "Xem đủ danh sách trên trang riêng của đơn vị (liên kết ở cuối thư)."
MORE_FOR_UNIT = "Đề nghị liên hệ Văn phòng để nhận danh sách đầy đủ."
ZALO_REPORT_LINK = "Báo cáo, đề nghị gia hạn theo mã tại:"
ZALO_REPORT = "Báo cáo tiến độ/kết quả hoặc đề nghị gia hạn gửi Văn phòng, ghi rõ mã nhiệm vụ."
ZALO_FOLLOW = "Theo dõi tại:"


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
        name = head_of(head.get("title"), unit.name)
        return [(u, name) for u in _urls(head.get("contacts"))]
    if role == "chair":
        leader = policy.leaders.get(item.notice_chair or "", ())
        if leader:
            return [(u, item.notice_chair or "Lãnh đạo chủ trì") for u in leader]
    # The secretariat, and the chair's copy when the leader has no address of their own: the
    # office follows it up, so the message is addressed to the office.
    return [(u, OFFICE) for u in policy.secretariat]


def head_of(title: Any, unit: str) -> str:
    """How a unit's head is greeted: the title joined to the unit's name without repeating
    the words they share («Chủ tịch UBND xã» + «UBND xã Bình Giang» → «Chủ tịch UBND xã Bình
    Giang», «Trưởng phòng» + «Phòng Nội vụ» → «Trưởng phòng Nội vụ»); the unit alone when
    the directory gives no title."""
    title = " ".join(str(title or "").split())
    if not title:
        return unit
    words, names = title.split(), unit.split()

    def same(a: list[str], b: list[str]) -> bool:
        return [unicodedata.normalize("NFC", w).casefold() for w in a] == [
            unicodedata.normalize("NFC", w).casefold() for w in b
        ]

    for k in range(min(len(words), len(names)), 0, -1):
        if same(words[-k:], names[:k]):
            return " ".join([*words, *names[k:]])
    return f"{title} {unit}"


def _urls(contacts: Any) -> list[str]:
    """Contact URLs as text, whatever was stored (one string, a list, numbers): a malformed
    one is then refused on its own when queued, and never breaks the others."""
    if not contacts:
        return []
    if isinstance(contacts, str):
        return [contacts]
    return [str(u) for u in contacts] if isinstance(contacts, list | tuple) else [str(contacts)]


def count(n: int) -> str:
    """A whole number as Vietnamese writes it: 2.268 (a dot between thousands)."""
    return f"{n:,}".replace(",", ".")


_env.filters["number"] = count


def ref_words(ref: str | None) -> str:
    """A directive's place in its notice in words: «2» → «mục 2», «2.-2» (the second dash
    under item 2, as the outline stores it) → «mục 2, ý 2», «row-3» → «dòng 3»; «» when the
    notice gives none."""
    ref = (ref or "").strip()
    if not ref:
        return ""
    if ref.startswith("row-"):
        return f"dòng {ref[4:]}"
    chunks: list[tuple[bool, list[str]]] = []  # (is a dash, labels)
    for part in ref.split("."):
        dash = part.startswith("-")
        label = part.lstrip("-").strip()
        if not label:
            continue
        if chunks and chunks[-1][0] == dash:
            chunks[-1][1].append(label)
        else:
            chunks.append((dash, [label]))
    words: list[str] = []
    for dash, labels in chunks:
        prefix = "ý" if dash else ("mục" if not words else "điểm")
        words.append(f"{prefix} {'.'.join(labels)}")
    return ", ".join(words)


def short_words(text: str, width: int) -> str:
    """The text cut at a word boundary to at most ``width`` characters, with «…»."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


@dataclass(slots=True)
class Row:
    """One assignment (one period of a recurring one) in a message."""

    number: int  # the assignment's «mã», as the unit's page and the dashboard show it
    unit: str
    due: str  # dd/mm/yyyy, or "" without a due date
    state: str  # «còn 3 ngày», «đến hạn hôm nay», «quá hạn 2.268 ngày», or NO_DUE
    colour: str
    escalation: str  # what the policy's rung has done beyond this message, in words
    when: str = ""  # «Hạn 02/07/2018 – quá hạn 2.268 ngày.», or «Không có hạn cụ thể.»
    status: str = ""  # what a unit's line of a directive says (its due date when not shared)


@dataclass(slots=True)
class Group:
    """A directive as a message lists it, with its assignments: one row in a unit's own
    message; every unit that has it in the secretariat's."""

    notice: str  # «Văn bản số 54/TB-VP»
    notice_short: str  # «54/TB-VP»
    ref: str  # «mục 2, ý 2», or ""
    text: str
    short: str  # cut at a word boundary, for Zalo
    rows: list[Row]
    same_due: bool = True  # every row has the same due date (shown once, above the units)
    total: int = 0  # assignments of this directive in the digest (rows may list fewer)

    @property
    def title(self) -> str:
        return f"{self.notice}, {self.ref}" if self.ref else self.notice

    @property
    def head(self) -> str:
        """The line above the units: the shared due date (or none) and how many units."""
        units = f"{count(self.total)} đơn vị:"
        if not self.same_due:
            return units
        due = self.rows[0].due
        return f"Hạn {due} – {units}" if due else f"{NO_DUE} – {units}"

    @property
    def zalo_when(self) -> str:
        """The due date and the days left or late in a Zalo line ("" without a due date)."""
        first = self.rows[0]
        if not first.due:
            return ""
        if self.same_due:
            return f"hạn {first.due}, {first.state}"
        return f"hạn sớm nhất {first.due}, {first.state}"


def _state(due: date | None, today: date) -> tuple[str, str]:
    if due is None:
        return NO_DUE.lower(), "#616161"
    days = (due - today).days
    if days > 0:
        return f"còn {count(days)} ngày", "#1565c0" if days > 5 else "#9a6700"
    if days == 0:
        return "đến hạn hôm nay", "#9a6700"
    return f"quá hạn {count(-days)} ngày", "#c62828"


def _escalation(level: Level) -> str:
    """What a rung did beyond reminding, in words that carry no second figure: the label
    («Quá hạn 7 ngày – báo cáo lãnh đạo») repeated a delay beside the item's own."""
    if level.key != ASSIGNED and "chair" in (*level.to, *level.cc):
        return REPORTED_TO_LEADER
    return ""


def _row(r: DueReminder, *, today: date, units: dict[int, Any], policy: Policy) -> Row:
    due = r.occurrence or r.effective_due
    state, colour = _state(due, today)
    shown = f"{due:%d/%m/%Y}" if due else ""
    return Row(
        number=r.assignment_id,
        unit=units[r.unit_id].name,
        due=shown,
        state=state,
        colour=colour,
        escalation=_escalation(policy.level(r.level)),
        when=f"Hạn {shown} – {state}." if due else f"{NO_DUE}.",
    )


def _due_of(r: DueReminder) -> date:
    return r.occurrence or r.effective_due or date.max


def _groups(
    reminders: list[DueReminder],
    *,
    by_directive: bool,
    today: date,
    units: dict[int, Any],
    policy: Policy,
    max_rows: int | None = None,
    max_groups: int | None = None,
) -> list[Group]:
    """One group per directive (``by_directive``: the secretariat's digests), else one per
    reminder, in the order of the reminders (earliest due first): whole groups while their
    rows fit in ``max_rows`` and they are at most ``max_groups``; the first one cut to
    ``max_rows`` when it alone has more (its heading still counts them all). Rows are built
    for the groups shown only: the secretariat's digest can hold 20,000 reminders."""
    buckets: dict[Any, list[DueReminder]] = {}
    for r in reminders:
        key = (r.notice_number, r.ref, r.text) if by_directive else r.reminder_id
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = bucket = []
        bucket.append(r)
    chosen: list[tuple[list[DueReminder], list[DueReminder]]] = []  # (shown, all)
    used = 0
    for bucket in buckets.values():
        if max_groups is not None and len(chosen) >= max_groups:
            break
        if max_rows is not None and used + len(bucket) > max_rows:
            if not chosen:
                chosen.append((bucket[:max_rows], bucket))
            break
        chosen.append((bucket, bucket))
        used += len(bucket)
    groups = []
    for shown, bucket in chosen:
        first = bucket[0]
        number = first.notice_number
        # A notice without a number is named by its date: two such notices stay apart.
        dated = f" ngày {first.notice_issued_on:%d/%m/%Y}" if first.notice_issued_on else ""
        g = Group(
            notice=f"Văn bản số {number}" if number else f"Văn bản{dated} (chưa có số)",
            notice_short=number or f"Văn bản{dated} chưa có số",
            ref=ref_words(first.ref),
            text=" ".join(first.text.split()),
            # No full stop before the due date that follows it on the line.
            short=short_words(first.text, ZALO_SHORT).rstrip(" .;:"),
            rows=[_row(r, today=today, units=units, policy=policy) for r in shown],
            same_due=len({_due_of(r) for r in bucket}) == 1,
            total=len(bucket),
        )
        for row in g.rows:
            if g.same_due:
                row.status = row.state if row.due else ""
            else:
                row.status = f"hạn {row.due}, {row.state}" if row.due else NO_DUE.lower()
        groups.append(g)
    return groups


def _days_late(reminders: list[DueReminder], today: date) -> list[int]:
    """How many days late each reminder's assignment is (only those already late)."""
    return [(today - due).days for r in reminders if (due := _due_of(r)) < today]


def _late_note(late: list[int], n: int, *, for_office: bool) -> str:
    """For a giao việc message of work already past its due date (a notice registered long
    after it was issued): how many and how late, said first."""
    if not late:
        return ""
    low, high = min(late), max(late)
    days = f"{count(high)} ngày" if low == high else f"từ {count(low)} đến {count(high)} ngày"
    which = (
        f"cả {count(n)} nhiệm vụ dưới đây"
        if len(late) == n
        else f"{count(len(late))} trong {count(n)} nhiệm vụ dưới đây"
    )
    if for_office:
        return (
            f"Lưu ý: văn bản được cập nhật vào hệ thống muộn; {which} đã quá hạn {days} "
            "ngay khi giao."
        )
    return (
        f"Lưu ý: văn bản được cập nhật vào hệ thống muộn; {which} đã quá hạn {days}. Nếu đơn "
        "vị đã thực hiện xong, đề nghị báo cáo hoàn thành, ghi ngày hoàn thành thực tế."
    )


def _subject(level: str, n: int, whom: str, late: list[int]) -> str:
    if level != ASSIGNED:
        return f"[Nhắc việc] {count(n)} {SUBJECT_WORDS.get(level, 'nhiệm vụ')} – {whom}"
    if not late:
        return f"[Giao việc] {count(n)} nhiệm vụ mới – {whom}"
    days = f"{count(late[0])} ngày" if min(late) == max(late) else f"đến {count(max(late))} ngày"
    if len(late) == n:
        return f"[Giao việc] {count(n)} nhiệm vụ đã quá hạn {days} – {whom}"
    return f"[Giao việc] {count(n)} nhiệm vụ mới, {count(len(late))} đã quá hạn {days} – {whom}"


def render(
    digest: Digest,
    *,
    today: date,
    units: dict[int, Any],
    policy: Policy,
    key: str | None = None,
    links: dict[int, str] | None = None,
    office_page: str | None = None,
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a digest; Zalo gets the short plain text. ``key``: the
    outbox row's key when an existing row is rendered again (default: the digest's).
    ``links``: the units' personal links by unit id; a unit's own digest ends with its link.
    ``office_page``: the dashboard's address for the secretariat's and leaders' messages
    (default: DONDOC_PUBLIC_URL).

    An e-mail lists the first ``EMAIL_ITEMS`` assignments (earliest due first, so the most
    overdue lead); a longer digest (the secretariat's on a busy day) adds a count per unit."""
    ordered = sorted(
        digest.reminders, key=lambda r: (_due_of(r), r.notice_number or "", r.ref or "")
    )
    n = len(ordered)
    email = digest.channel == "email"
    unit_names = sorted({units[r.unit_id].name for r in digest.reminders})
    show_unit = digest.unit_id is None or len(unit_names) > 1
    if show_unit:  # each directive once, with its units: whole directives, as many as fit
        groups = _groups(
            ordered,
            by_directive=True,
            today=today,
            units=units,
            policy=policy,
            max_rows=EMAIL_ITEMS if email else None,
            max_groups=None if email else ZALO_ITEMS,
        )
    else:
        shown = ordered[: EMAIL_ITEMS if email else ZALO_ITEMS]
        groups = _groups(shown, by_directive=False, today=today, units=units, policy=policy)
    rows = [row for g in groups for row in g.rows]
    listed = sum(g.total for g in groups) if not email else len(rows)
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
    # Giao việc for work already late: a notice registered long after it was issued.
    late = _days_late(ordered, today) if digest.level == ASSIGNED else []
    subject = _subject(digest.level, n, whom, late)
    for_office = digest.unit_id is None
    if for_office:  # the secretariat or a chairing leader: to follow up
        page = office_page if office_page is not None else _office_page()
        directives = len({(r.notice_number, r.ref, r.text) for r in ordered})
        units_words = f"{count(len(unit_names))} đơn vị"
        intro = (
            f"Đã gửi thư giao {count(n)} nhiệm vụ cho {units_words} "
            f"({count(directives)} nội dung chỉ đạo), liệt kê theo nội dung chỉ đạo:"
            if digest.level == ASSIGNED
            else f"{count(n)} nhiệm vụ của {units_words} ({count(directives)} nội dung chỉ "
            "đạo) đến mốc nhắc việc, cần theo dõi, đôn đốc; mỗi nội dung chỉ đạo ghi một lần, "
            "kèm các đơn vị được giao:"
        )
        how_to, more_note = HOW_TO_FOLLOW, MORE_FOR_OFFICE
    else:
        page = ""
        intro = (
            f"Văn phòng thông báo {count(n)} nhiệm vụ được giao cho đơn vị theo văn bản dưới đây:"
            if digest.level == ASSIGNED
            else f"Văn phòng nhắc {count(n)} nhiệm vụ cần đơn vị quan tâm thực hiện:"
        )
        example = rows[0].number if rows else ""
        how_to = (HOW_TO_REPORT_LINK if link else HOW_TO_REPORT).format(example=example)
        more_note = MORE_FOR_UNIT_LINK if link else MORE_FOR_UNIT
    context = {
        "subject": subject,
        "recipient_name": digest.recipient_name,
        "late_note": _late_note(late, n, for_office=for_office),
        "intro": intro,
        "groups": groups,
        "more": count(n - listed) if n > listed else "",
        "more_note": more_note,
        "by_unit": _by_unit(ordered, today=today, units=units) if n > listed and show_unit else [],
        "show_unit": show_unit,
        "how_to": how_to,
        "office_page": page,
        "key": key or digest.key,
        "link": link,
    }
    if email:
        text = _env.get_template("email.txt.j2").render(context)
        html = _env.get_template("email.html.j2").render(context)
        return subject, text, html
    return subject, _zalo(context, subject=subject, n=n), ""


def _office_page() -> str:
    from dondoc.settings import get_settings

    return get_settings().public_url.rstrip("/") + "/"


def _zalo(context: dict[str, Any], *, subject: str, n: int) -> str:
    """The Zalo text: one line per directive, as many as fit in one message, then how many
    are left, then the tail that is never cut (how to report and the unit's link)."""
    template = _env.get_template("zalo.txt.j2")
    line = template.module.line  # type: ignore[attr-defined]
    groups: list[Group] = context["groups"]
    show_unit = context["show_unit"]
    lines: list[tuple[str, int]] = []  # (text, assignments it lists)
    header_done = False
    for i, g in enumerate(groups, start=1):
        if not g.rows[0].due and not header_done:
            lines.append((f"{NO_DUE}:", 0))
        header_done = header_done or not g.rows[0].due
        lines.append((str(line(i, g, show_unit)).strip(), g.total))
    link = context["link"]
    if link:
        tail = f"{ZALO_REPORT_LINK} {link}"
    elif context["office_page"]:
        tail = f"{ZALO_FOLLOW} {context['office_page']}"
    else:
        tail = ZALO_REPORT
    where = "xem trên trang của đơn vị" if link else "xem thư điện tử"
    note = context["late_note"]
    room = ZALO_LIMIT - len(subject) - 2  # Zalo shows the subject, a blank line, then this
    room -= len(tail) + 2 + (len(note) + 2 if note else 0)  # each with a blank line
    kept, listed = [], 0
    more_line = len(f"… và {count(n)} nhiệm vụ khác, {where}.") + 1
    total = sum(len(text) + 1 for text, _ in lines)
    budget = room if total <= room and sum(k for _, k in lines) == n else room - more_line
    for text, k in lines:
        if len(text) + 1 > budget:
            break
        budget -= len(text) + 1
        kept.append(text)
        listed += k
    if kept and kept[-1] == f"{NO_DUE}:":
        kept.pop()
    more = f"… và {count(n - listed)} nhiệm vụ khác, {where}." if listed < n else ""
    return template.render(note=note, lines=kept, more=more, tail=tail).strip()


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


__all__ = [
    "Digest",
    "build_digests",
    "channel_of",
    "count",
    "head_of",
    "ref_words",
    "render",
    "short_words",
]
