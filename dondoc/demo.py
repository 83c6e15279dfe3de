"""The main job of the README (`make demo`): a whole round on a fresh SQLite database.

It imports the directory of the seed documents, registers the three seed notices from
their YAML files, records what units reported (done on time, done late, in progress, an
approved extension) and prints the status as of a fixed day in 2024.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.rule import Rule
from sqlmodel import Session

from dondoc.caches import reset_caches
from dondoc.settings import get_settings
from dondoc.views import print_status, status_table, summary_table
from models.db import get_engine, session_scope, set_actor, upgrade_database
from services.notices import get_notice
from services.outbox import first_delivery
from services.sweep import days_with_due_rungs
from tasks.notices import register_notice_file
from tasks.progress import decide_extension, find_assignment, record_progress, request_extension
from tasks.status import compute_status, count_by_status
from tasks.units import import_directory

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DIRECTORY = EXAMPLES / "units" / "seed-era.yaml"
NOTICES = ("seed-000.yaml", "seed-002.yaml", "seed-004.yaml")

# (notice file, ref, unit code, state, day, note): what the units reported.
PROGRESS = [
    (
        "seed-000.yaml",
        "8",
        "KG-HD-NV",
        "done",
        date(2018, 6, 25),
        "Đã gửi Thư ký ISO 12 quy trình.",
    ),
    ("seed-000.yaml", "8", "KG-HD-TP", "done", date(2018, 7, 5), "Gửi quy trình trễ 5 ngày."),
    (
        "seed-002.yaml",
        "3",
        "CT-SNV",
        "done",
        date(2023, 3, 28),
        "Đã trình dự thảo quyết định kiện toàn.",
    ),
    ("seed-004.yaml", "1", "HT-HS-X-SONLINH", "done", date(2024, 8, 20), "Báo cáo số 45/BC-UBND."),
    (
        "seed-004.yaml",
        "1",
        "HT-HS-X-SONCHAU",
        "in_progress",
        date(2024, 8, 15),
        "Đã khắc phục 3/5 tồn tại.",
    ),
    ("seed-004.yaml", "2.-2", "HT-HS-X-SONLINH", "done", date(2024, 7, 1), "Đã mở sổ điện tử."),
    ("seed-004.yaml", "2.-2", "HT-HS-X-SONCHAU", "done", date(2024, 7, 10), "Mở sổ điện tử chậm."),
]
# (notice file, ref, unit code, requested day, reason, requested on, decided on)
EXTENSION = (
    "seed-004.yaml",
    "1",
    "HT-HS-X-SONLONG",
    date(2024, 9, 30),
    "Chờ kết quả rà soát 13 hồ sơ quá hạn của Đoàn kiểm tra.",
    date(2024, 8, 21),
)
SHOWN_UNITS = (
    "HT-HS-X-SONLINH",
    "HT-HS-X-SONCHAU",
    "HT-HS-X-SONLONG",
    "HT-HS-NV",
    "KG-HD-NV",
    "KG-HD-TP",
)


def run_demo(
    *, console: Console, as_of: date = date(2024, 8, 26), fresh: bool = True
) -> dict[str, int]:
    """Run the demo on its own SQLite file in the data directory; return the status counts."""
    from notifications.mailbox import Mailbox
    from notifications.zalo_sandbox import ZaloSandbox

    started = time.perf_counter()
    settings = get_settings()
    path = settings.ensure_data_dir() / "demo.sqlite"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        (settings.data_dir / "secrets" / "zalo-tokens.json").unlink(missing_ok=True)
    url = f"sqlite:///{path.resolve()}"
    set_actor("demo")
    console.print(Rule("dondoc – chạy thử"))
    console.print(f"Cơ sở dữ liệu: {url} (phiên bản {upgrade_database(url)})")
    engine = get_engine(url)
    with Mailbox() as mailbox, ZaloSandbox() as zalo:
        # The demo's own mail server and Zalo server on loopback; nothing leaves this machine.
        os.environ.update(
            {
                "DONDOC_SMTP_URL": mailbox.smtp_url,
                "DONDOC_DATABASE_URL": url,
                **zalo.env(),
                "DONDOC_ZALO_RATE_PER_SECOND": "0",  # the local sandbox has no quota to protect
            }
        )
        reset_caches()
        console.print(
            f"Máy chủ thư (SMTP) {mailbox.smtp_url.split('?')[0]}; máy chủ Zalo thử {zalo.url}"
        )
        notice_ids = _register(console, engine)
        _progress(console, engine, notice_ids)
        _follow_up_and_sweep(console, engine, notice_ids, mailbox, zalo)
    with session_scope(engine) as session:
        rows = compute_status(session=session, as_of=as_of, due_soon_days=settings.due_soon_days)
    counts = count_by_status(rows)
    shown = [r for r in rows if r.unit_code in SHOWN_UNITS and (r.completed_on or r.effective_due)]
    console.print(Rule(f"Trạng thái tính đến ngày {as_of:%d/%m/%Y}"))
    console.print(status_table(shown, f"Một số đơn vị – tính đến ngày {as_of:%d/%m/%Y}"))
    console.print(summary_table(counts, f"Tổng hợp toàn bộ {len(rows)} lượt giao nhiệm vụ"))
    _briefing(console, settings.data_dir / "briefings", as_of)
    _web(console, engine, url)
    console.print(
        f"Xong trong {time.perf_counter() - started:.1f} giây. Xem tất cả: "
        f"DONDOC_DATABASE_URL={url} .venv/bin/dondoc status --as-of {as_of:%d/%m/%Y}"
    )
    return counts


DEMO_USER, DEMO_PASSWORD = "vanthu", "demo-dondoc"  # the demo's own data only
LINK_UNIT = EXTENSION[2]


def _web(console: Console, engine: Any, url: str) -> None:
    """How to open the demo's data in the browser: the command, a sign-in, one unit's link."""
    from models.base import utcnow
    from services.accounts import add_user
    from services.unit_links import current_link, unit_by_code

    settings = get_settings()
    with session_scope(engine) as session:
        add_user(
            session=session,
            name=DEMO_USER,
            role="clerk",
            password=DEMO_PASSWORD,
            display_name="Văn thư (chạy thử)",
        )
        unit = unit_by_code(session=session, code=LINK_UNIT)
        assert unit.id is not None
        link = current_link(session=session, unit_id=unit.id, now=utcnow())
    console.print(Rule("Trang web"))
    console.print(
        f"8. Mở trang web: DONDOC_DATA_DIR={settings.data_dir} DONDOC_DATABASE_URL={url} "
        ".venv/bin/dondoc web",
        soft_wrap=True,
    )
    console.print(
        f"   Đăng nhập văn phòng: {settings.public_url.rstrip('/')}/dang-nhap, tài khoản "
        f"«{DEMO_USER}», mật khẩu «{DEMO_PASSWORD}» (chỉ của dữ liệu chạy thử).",
        soft_wrap=True,
    )
    console.print(f"   Trang của đơn vị {unit.name}: {link.url}", soft_wrap=True)


def _briefing(console: Console, folder: Path, as_of: date) -> None:
    """The monthly briefing of the status month, as the flow scheduled on the 1st makes it."""
    from flows.briefing import monthly_briefing
    from tasks.briefing.model import pct_text

    month = f"{as_of.year}-{as_of.month:02d}"
    result = monthly_briefing(month=month, as_of=as_of, folder=str(folder))
    totals = result["totals"]
    rate = result["pct_on_time"]
    console.print(Rule(f"Báo cáo giao ban tháng {as_of.month:02d}/{as_of.year}"))
    console.print(
        f"7. Luồng «monthly_briefing»: {result['directives']} nhiệm vụ giao cho các đơn vị "
        f"chủ trì thành {result['total']} lượt giao trong tháng; {totals['done_on_time']} lượt "
        f"hoàn thành đúng hạn, {totals['overdue']} lượt quá hạn; tỷ lệ đúng hạn "
        f"{'—' if rate is None else pct_text(rate) + '%'}."
    )
    for kind, path in sorted(result["files"].items()):
        console.print(f"   {kind.upper():4} {path}")


def _register(console: Console, engine: Any) -> dict[str, int]:
    with session_scope(engine) as session:
        report = import_directory(session=session, path=DIRECTORY)
    console.print(
        f"1. Danh mục đơn vị «{DIRECTORY.name}»: {report.created} đơn vị, {report.groups_created} nhóm."
    )
    notice_ids: dict[str, int] = {}
    for name in NOTICES:
        with session_scope(engine) as session:
            notice = register_notice_file(session=session, path=EXAMPLES / "notices" / name)
            notice_ids[name] = notice.id  # type: ignore[assignment]
        number = f"số {notice.number}" if notice.number else "chưa có số"
        console.print(f"2. Đăng ký «{name}»: {number}, ngày {notice.issued_on:%d/%m/%Y}.")
    return notice_ids


def _progress(console: Console, engine: Any, notice_ids: dict[str, int]) -> None:
    with session_scope(engine) as session:
        for name, ref, unit, state, day, note in PROGRESS:
            a = find_assignment(
                session=session, notice_id=notice_ids[name], ref=ref, unit_code=unit
            )
            record_progress(session=session, assignment_id=a.id, state=state, on=day, note=note)  # type: ignore[arg-type]
            word = "hoàn thành" if state == "done" else "đang thực hiện"
            console.print(f"3. {unit} báo cáo mục {ref} ({name}): {word} ngày {day:%d/%m/%Y}.")


def _follow_up_and_sweep(
    console: Console, engine: Any, notice_ids: dict[str, int], mailbox: Any, zalo: Any
) -> None:
    """Each notice followed up by its Prefect flow on its issue day, then the daily sweeps of
    summer 2024 (the same functions the sweep flow runs)."""
    from flows.reminders import reminder_sweep, start_follow_up
    from notifications.channels import Channels
    from tasks.calendar import default_calendar
    from tasks.reminders import default_policy
    from tasks.sweep import run_sweep

    tz = ZoneInfo(get_settings().timezone)
    cal = default_calendar()
    console.print(
        "4. Theo dõi từng thông báo bằng luồng Prefect (lập kế hoạch nhắc việc, gửi thư giao việc)…"
    )
    for name, notice_id in notice_ids.items():
        with Session(engine) as session:
            notice = get_notice(session=session, notice_id=notice_id)
        assert notice is not None
        day = cal.roll_forward(notice.issued_on)
        result = start_follow_up(notice_id, datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz))
        console.print(
            f"   «{name}»: {result['planned']} mốc nhắc việc; {result['sent']} thư/tin nhắn giao việc."
        )
        if name == EXTENSION[0]:
            _extension(console, engine, notice_ids)
    policy = default_policy()
    smtp_url = get_settings().smtp_url
    # From seed 004's issue day to mid-September 2024. A day with no rung due sends nothing,
    # so only the days that have one are swept: the same result as a sweep every working day.
    sent = len(mailbox.inbox) + len(zalo.received)
    days = 0
    for day in _due_days(engine, since=date(2024, 6, 28), until=date(2024, 9, 13)):
        moment = datetime(day.year, day.month, day.day, 8, 0, tzinfo=tz)
        if day == date(2024, 8, 26):
            reminder_sweep(moment)  # this one as a Prefect flow run, with its artifact
        else:
            with Channels(smtp_url) as channels:
                run_sweep(engine=engine, as_of=moment, policy=policy, sender=channels)
        days += 1
    total = len(mailbox.inbox) + len(zalo.received)
    console.print(
        f"5. {days} lần nhắc việc (08:00 những ngày có việc đến hạn): {total - sent} thư và tin nhắn Zalo."
    )
    _what_units_received(console, mailbox, zalo)


def _due_days(engine: Any, since: date, until: date) -> list[date]:
    with Session(engine) as session:
        days = days_with_due_rungs(session=session, since=since, until=until)
    return sorted(set(days) | {date(2024, 8, 26)})


def _extension(console: Console, engine: Any, notice_ids: dict[str, int]) -> None:
    name, ref, unit, to, reason, decided = EXTENSION
    with session_scope(engine) as session:
        a = find_assignment(session=session, notice_id=notice_ids[name], ref=ref, unit_code=unit)
        assert a.id is not None
        request = request_extension(session=session, assignment_id=a.id, to=to, reason=reason)
        assert request.id is not None
        decide_extension(
            session=session,
            extension_id=request.id,
            approve=True,
            on=decided,
            decided_by="Chủ tịch UBND huyện",
        )
    console.print(
        f"   {unit} xin gia hạn mục {ref} đến {to:%d/%m/%Y}; đã duyệt ngày {decided:%d/%m/%Y}."
    )


def _what_units_received(console: Console, mailbox: Any, zalo: Any) -> None:
    from collections import Counter

    from rich.table import Table

    by_address: Counter[str] = Counter()
    subjects: dict[str, set[str]] = {}
    for m in mailbox.inbox:
        for r in m.rcpt_tos:
            by_address[r] += 1
            kind = re.sub(r"\[(.*?)\] \d+ nhiệm vụ ", r"\1: ", m.subject.split(" – ")[0])
            subjects.setdefault(r, set()).add(kind)
    for z in zalo.received:
        body = z.get("body") or {}
        target = f"zalo:{(body.get('recipient') or {}).get('user_id') or body.get('phone')}"
        by_address[target] += 1
    table = Table(title="Các đơn vị đã nhận (thư qua SMTP thử, tin nhắn qua máy chủ Zalo thử)")
    for col in ("Người nhận", "Số thư/tin", "Loại"):
        table.add_column(col, overflow="fold")
    # Most messages first; ties by address, so the table does not depend on sending order.
    for address, n in sorted(by_address.items(), key=lambda kv: (-kv[1], kv[0]))[:14]:
        table.add_row(address, str(n), "; ".join(sorted(subjects.get(address, {"Zalo"})))[:90])
    console.print(table)
    with Session(get_engine()) as session:
        sample = first_delivery(session=session, channel="email", level="overdue_1")
        zalo_sample = first_delivery(session=session, channel="zalo")
    for d in (sample, zalo_sample):
        if d is not None:
            console.print(Rule(f"Ví dụ ({d.channel}): {d.subject} → {d.recipient}"))
            console.print(d.body.strip()[:900])


__all__ = ["print_status", "run_demo"]
