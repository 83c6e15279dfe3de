"""One month's briefing over 1,000,000 assignments (three years, ~3,500 units).

Builds a fresh SQLite database (or the empty one at --database-url) with ~3,500 units, 50,000
notices from January 2023 to December 2025, 500,000 directives (5 % of them monthly recurring)
and 1,000,000 assignments (a lead and a supporting unit each), with completions, late
completions, extensions, progress notes, monthly reports and failed reminders. Then computes
the briefing of one month (the numbers: SQL) and renders it to DOCX, HTML and Markdown with
its chart (all three, as the monthly flow writes them), timing the two apart. The last line is one JSON object with assignments, query_s,
render_s, total_s.

Run: .venv/bin/python benchmarks/briefing_1m.py [--assignments 1000000] [--month 2025-06]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

FIRST_DAY = date(2023, 1, 2)
DAYS = 3 * 365


def build(url: str, n_assignments: int, n_units: int, seed: int = 11) -> None:
    """Bulk rows, as years of registered notices would leave them."""
    from sqlalchemy import create_engine, insert

    from models.db import upgrade_database
    from models.delivery import Delivery
    from models.notice import Assignment, Directive, Notice
    from models.progress import ExtensionRequest, ProgressUpdate
    from models.unit import Unit
    from tasks.periods import period_key

    upgrade_database(url)
    engine = create_engine(url)
    rnd = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    n_directives = n_assignments // 2
    per_notice = 10
    n_notices = n_directives // per_notice
    with engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [
                {
                    "code": "P",
                    "name": "UBND tỉnh Thử",
                    "kind": "province",
                    "aliases": [],
                    "contacts": [],
                    "head": {},
                    "active": True,
                }
            ],
        )
        conn.execute(
            insert(Unit),
            [
                {
                    "code": f"U{i:04d}",
                    "name": f"{'Sở' if i < 40 else 'UBND xã'} Thử số {i}",
                    "kind": "department" if i < 40 else "commune",
                    "parent_id": 1,
                    "aliases": [],
                    "contacts": [f"mailto://u{i}@example.gov.vn"],
                    "head": {},
                    "active": True,
                }
                for i in range(n_units)
            ],
        )
        notices = []
        for i in range(n_notices):
            issued = FIRST_DAY + timedelta(days=i * DAYS // n_notices)
            notices.append(
                {
                    "number": f"{i + 1}/TB-VP",
                    "doc_type": "TB",
                    "issuer": "Văn phòng UBND tỉnh Thử",
                    "place": "Thử",
                    "issued_on": issued,
                    "title": f"Kết luận của Chủ tịch UBND tỉnh tại cuộc họp số {i + 1}",
                    "recipients": [],
                    "addressees": [],
                    "registered_at": now,
                }
            )
        for k in range(0, n_notices, 10_000):
            conn.execute(insert(Notice), notices[k : k + 10_000])
        directives, assignments, progress, extensions = [], [], [], []
        aid = 0
        for d in range(n_directives):
            notice = d // per_notice
            issued = cast(date, notices[notice]["issued_on"])
            recurring = rnd.random() < 0.05
            due = None if recurring else issued + timedelta(days=rnd.randint(7, 90))
            anchor = issued.replace(day=rnd.choice((5, 10, 15, 20, 25))) if recurring else None
            directives.append(
                {
                    "notice_id": notice + 1,
                    "position": d % per_notice + 1,
                    "ref": str(d % per_notice + 1),
                    "text": f"Nhiệm vụ số {d + 1}: rà soát, báo cáo kết quả thực hiện.",
                    "due_kind": "recurring" if recurring else "date",
                    "due_date": anchor if recurring else due,
                    "recurrence": "monthly" if recurring else None,
                    "confidence": 1.0,
                    "flags": [],
                }
            )
            lead = rnd.randrange(n_units)
            support = (lead + 1 + rnd.randrange(n_units - 1)) % n_units  # another unit
            for role, unit in (("lead", 2 + lead), ("support", 2 + support)):
                aid += 1
                completed = None
                # Most work gets done in the end; the last months' less so.
                if due is not None and rnd.random() < (0.97 if due < date(2025, 10, 1) else 0.6):
                    completed = due + timedelta(days=rnd.randint(-20, 15))
                    completed = max(completed, issued)
                assignments.append(
                    {
                        "directive_id": d + 1,
                        "unit_id": unit,
                        "role": role,
                        "stated_due": due,
                        "effective_due": due,
                        "state": "done" if completed else "open",
                        "completed_on": completed,
                    }
                )
                if role == "lead" and due is not None and completed is None and rnd.random() < 0.3:
                    progress.append(
                        {
                            "assignment_id": aid,
                            "state": "in_progress",
                            "on": due - timedelta(days=2),
                            "period": None,
                            "note": "Đang triển khai, dự kiến hoàn thành trong tháng.",
                            "recorded_at": now,
                        }
                    )
                if role == "lead" and due is not None and rnd.random() < 0.02:
                    extensions.append(
                        {
                            "assignment_id": aid,
                            "previous_due": due,
                            "requested_due": due + timedelta(days=30),
                            "approved_due": due + timedelta(days=30),
                            "reason": "Chờ ý kiến các sở",
                            "state": "approved",
                            "decided_on": due - timedelta(days=3),
                            "requested_at": now,
                        }
                    )
                if role == "lead" and recurring:
                    day = issued
                    while day < FIRST_DAY + timedelta(days=DAYS):
                        if rnd.random() < 0.85:
                            progress.append(
                                {
                                    "assignment_id": aid,
                                    "state": "done",
                                    "on": day.replace(
                                        day=max(1, min(28, anchor.day + rnd.randint(-5, 4)))  # type: ignore[union-attr]
                                    ),
                                    "period": period_key("monthly", day),
                                    "note": None,
                                    "recorded_at": now,
                                }
                            )
                        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        for k in range(0, len(directives), 20_000):
            conn.execute(insert(Directive), directives[k : k + 20_000])
        for k in range(0, len(assignments), 20_000):
            conn.execute(insert(Assignment), assignments[k : k + 20_000])
        for k in range(0, len(progress), 20_000):
            conn.execute(insert(ProgressUpdate), progress[k : k + 20_000])
        if extensions:
            conn.execute(insert(ExtensionRequest), extensions)
        conn.execute(
            insert(Delivery),
            [
                {
                    "key": f"email:failed-{i}",
                    "channel": "email",
                    "recipient": f"mailto://u{i}@example.gov.vn",
                    "unit_id": 2 + i,
                    "level": "overdue_1",
                    "subject": "[Nhắc việc]",
                    "body": "",
                    "assignment_ids": [],
                    "reminder_ids": [],
                    "state": "failed",
                    "attempts": 5,
                    "last_error": "ChannelError: Máy chủ thư từ chối người nhận",
                    "created_at": now,
                    "claimed_at": datetime(2025, 6, 10, 1, 0, tzinfo=UTC),
                }
                for i in range(12)
            ],
        )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=3_500)
    parser.add_argument("--month", default="2025-06")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dondoc-briefing-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    os.environ.update({"DONDOC_DATA_DIR": str(folder), "DONDOC_DATABASE_URL": url})

    from sqlalchemy import func, select
    from sqlmodel import Session

    from models.db import make_engine
    from models.notice import Assignment
    from tasks.briefing import compute_briefing
    from tasks.briefing_render import chart_png, render_docx, render_html, render_markdown
    from tasks.periods import parse_month

    t0 = time.perf_counter()
    build(url, args.assignments, args.units)
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Assignment)).scalar_one()
        print(
            f"built {count:,} assignments over {args.units:,} units in {time.perf_counter() - t0:.1f} s"
        )
        period = parse_month(args.month)
        compute_briefing(
            session=session, period=period
        )  # warm the file cache, as a server would be
        t1 = time.perf_counter()
        briefing = compute_briefing(session=session, period=period)
        query_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    png = chart_png(briefing)  # drawn once for the three documents, as the flow does
    sizes = {
        "png": len(png),
        "docx": len(render_docx(briefing, png)),
        "html": len(render_html(briefing, png)),
        "md": len(render_markdown(briefing, chart="chart.png")),
    }
    render_s = time.perf_counter() - t2
    total_s = query_s + render_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"briefing {period.label}: {briefing.total:,} items, {len(briefing.units):,} units, "
        f"{briefing.totals['overdue']:,} overdue ({len(briefing.overdue)} listed)"
    )
    print(f"query {query_s:.2f} s + render {render_s:.2f} s = {total_s:.2f} s; sizes {sizes}")
    out = {
        "assignments": count,
        "units": args.units,
        "month": args.month,
        "items": briefing.total,
        "query_s": round(query_s, 2),
        "render_s": round(render_s, 2),
        "total_s": round(total_s, 2),
        "peak_mb": round(peak_mb, 1),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
