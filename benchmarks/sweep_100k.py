"""One reminder sweep over 100,000 open assignments, against the bare floor.

Builds a fresh SQLite database (or the one in --database-url) with ~150 units, 100,000 open
assignments whose due dates spread around the sweep day so that ~20,000 reminders fall due,
writes their reminder plans, then:
- runs the ``reminder_sweep`` Prefect flow once, sending into a local SMTP sink (aiosmtpd in
  its own process, benchmarks/smtp_sink.py, as a real mail server would be);
- measures the floor: one SQL query for the same due rows, and smtplib sending the same
  messages (the outbox rows the sweep wrote) over one connection.
Prints wall time, reminders per second, Prefect task runs and peak memory; the last line is
one JSON object with sweep_s, floor_s, ratio, reminders, task_runs, peak_mb.

Run: .venv/bin/python benchmarks/sweep_100k.py [--assignments 100000] [--units 150] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SWEEP_DAY = date(2025, 10, 15)  # a Wednesday


def build(url: str, n_assignments: int, n_units: int, seed: int = 7) -> None:
    from sqlalchemy import create_engine, insert

    from models.db import upgrade_database
    from models.notice import Assignment, Directive, Notice
    from models.unit import Unit
    from tasks.calendar import default_calendar

    upgrade_database(url)
    engine = create_engine(url)
    rnd = random.Random(seed)
    cal = default_calendar()
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
                    "code": f"P-{i:03d}",
                    "name": f"Đơn vị số {i}",
                    "kind": "department",
                    "parent_id": 1,
                    "aliases": [],
                    "contacts": [f"mailto://dv{i}@example.gov.vn"],
                    "head": {"title": "Thủ trưởng", "contacts": [f"mailto://tt{i}@example.gov.vn"]},
                    "active": True,
                }
                for i in range(n_units)
            ],
        )
        per_notice = 100
        n_notices = n_assignments // per_notice
        conn.execute(
            insert(Notice),
            [
                {
                    "number": f"{i}/TB-UBND",
                    "doc_type": "TB",
                    "issuer": "UBND tỉnh Thử",
                    "issued_on": SWEEP_DAY - timedelta(days=200),
                    "title": f"Thông báo kết luận số {i}",
                    "recipients": [],
                    "addressees": [],
                    "registered_at": datetime(2025, 3, 1, tzinfo=TZ),
                }
                for i in range(1, n_notices + 1)
            ],
        )
        directives, assignments = [], []
        for k in range(n_assignments):
            # ~20 % fall due by the sweep day (a rung ≤ today), the rest later.
            if rnd.random() < 0.2:
                due = SWEEP_DAY + timedelta(days=rnd.randint(-40, 6))
            else:
                due = SWEEP_DAY + timedelta(days=rnd.randint(10, 200))
            due = cal.roll_forward(due)
            directives.append(
                {
                    "notice_id": k // per_notice + 1,
                    "position": k % per_notice + 1,
                    "ref": str(k % per_notice + 1),
                    "text": f"Nhiệm vụ số {k}: rà soát, báo cáo kết quả thực hiện.",
                    "due_kind": "date",
                    "due_date": due,
                    "confidence": 1.0,
                    "flags": [],
                }
            )
            assignments.append(
                {
                    "directive_id": k + 1,
                    "unit_id": 2 + rnd.randrange(n_units),
                    "role": "lead",
                    "stated_due": due,
                    "effective_due": due,
                    "state": "open",
                }
            )
        for i in range(0, n_assignments, 5000):
            conn.execute(insert(Directive), directives[i : i + 5000])
            conn.execute(insert(Assignment), assignments[i : i + 5000])
    engine.dispose()


def plan(url: str, n_assignments: int) -> float:
    from sqlmodel import Session, create_engine

    from tasks.reminders import plan_assignments

    engine = create_engine(url)
    t0 = time.perf_counter()
    for start in range(1, n_assignments + 1, 5000):
        with Session(engine) as session:
            plan_assignments(
                session=session,
                assignment_ids=list(range(start, min(start + 5000, n_assignments + 1))),
                start=SWEEP_DAY - timedelta(days=200),
                with_assignment_message=False,
            )
            session.commit()
    engine.dispose()
    return time.perf_counter() - t0


def task_runs_of(flow_run_id: object) -> tuple[int, dict[str, float]]:
    """How many task runs the flow run made, and the seconds spent in each kind of task."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    count, offset = 0, 0
    seconds: dict[str, float] = {}
    with get_client(sync_client=True) as client:
        while True:  # the API pages by 200
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.EXPECTED_START_TIME_DESC,
                limit=200,
                offset=offset,
            )
            count += len(runs)
            for run in runs:
                name = run.name.rsplit("-", 1)[0]
                seconds[name] = seconds.get(name, 0.0) + run.total_run_time.total_seconds()
            offset += 200
            if len(runs) < 200:
                return count, seconds


def floor(url: str, port: int) -> tuple[float, int, int]:
    """One query for the due rows, then the same messages over one SMTP connection."""
    from sqlalchemy import create_engine, select

    from models.delivery import Delivery
    from models.notice import Assignment
    from models.reminder import Reminder
    from models.unit import Unit
    from notifications.channels import UTF8

    engine = create_engine(url)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        due = conn.execute(
            select(Reminder.id, Reminder.level, Assignment.unit_id, Unit.contacts)
            .join(Assignment, Assignment.id == Reminder.assignment_id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Reminder.due_on <= SWEEP_DAY, Reminder.state.in_(("queued", "skipped")))
        ).all()
        query_s = time.perf_counter() - t0
        messages = conn.execute(
            select(Delivery.recipient, Delivery.subject, Delivery.body, Delivery.html)
        ).all()
    t1 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, subject, body, html in messages:
            # The same MIME structure and encoding as dondoc's (UTF-8 in base64).
            msg: Message = MIMEText(body, "plain", UTF8)
            if html:
                msg = MIMEMultipart("alternative")
                msg.attach(MIMEText(body, "plain", UTF8))
                msg.attach(MIMEText(html, "html", UTF8))
            msg["From"] = "dondoc@example.gov.vn"
            msg["To"] = recipient.split("://", 1)[1]
            msg["Subject"] = Header(subject, "utf-8")
            smtp.send_message(msg)
    engine.dispose()
    return query_s + (time.perf_counter() - t1), len(due), len(messages)


class Sink:
    """benchmarks/smtp_sink.py in a child process."""

    def __init__(self) -> None:
        from notifications.mailbox import free_port

        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    @property
    def smtp_url(self) -> str:
        from notifications.mailbox import loopback_smtp_url

        return loopback_smtp_url(self.port)

    def count(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline().split()[0])

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def one_run(url: str, sink: Sink) -> dict[str, Any]:
    """One sweep as a Prefect flow run on the database at ``url``, then the floor on it."""
    from dondoc.settings import get_settings
    from flows.reminders import reminder_sweep

    os.environ["DONDOC_DATABASE_URL"] = url
    get_settings.cache_clear()
    moment = datetime(SWEEP_DAY.year, SWEEP_DAY.month, SWEEP_DAY.day, 8, 0, tzinfo=TZ)
    before = sink.count()
    t1 = time.perf_counter()
    state = reminder_sweep(moment, return_state=True)
    sweep_s = time.perf_counter() - t1
    result = state.result()
    task_runs, task_seconds = task_runs_of(state.state_details.flow_run_id)
    received = sink.count() - before
    floor_s, floor_rows, floor_messages = floor(url, sink.port)
    assert sink.count() == before + received + floor_messages
    return {
        "sweep_s": sweep_s,
        "floor_s": floor_s,
        "reminders": result["reminders"],
        "messages": result["sent"],
        "received": received,
        "task_runs": task_runs,
        "task_s": task_seconds,
        "floor_rows": floor_rows,
        "floor_messages": floor_messages,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="sweeps, each on a fresh copy of the SQLite database; the median is reported",
    )
    parser.add_argument("--database-url", default=None, help="e.g. PostgreSQL (one run)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dondoc-bench-"))
    base = folder / "bench.sqlite"
    url = args.database_url or f"sqlite:///{base}"
    runs = 1 if args.database_url else max(1, args.runs)
    os.environ.update({"DONDOC_DATA_DIR": str(folder), "DONDOC_DATABASE_URL": url})

    t0 = time.perf_counter()
    build(url, args.assignments, args.units)
    print(
        f"built {args.assignments:,} assignments over {args.units} units in {time.perf_counter() - t0:.1f} s"
    )
    print(f"reminder plans written in {plan(url, args.assignments):.1f} s")
    results = []
    with Sink() as sink:
        os.environ["DONDOC_SMTP_URL"] = sink.smtp_url
        from flows.reminders import reminder_sweep

        reminder_sweep(datetime(2025, 10, 11, 8, 0, tzinfo=TZ))  # Saturday: starts Prefect
        for k in range(runs):
            run_url = url
            if not args.database_url:
                copy = folder / f"run-{k}.sqlite"
                shutil.copyfile(base, copy)
                run_url = f"sqlite:///{copy}"
            r = one_run(run_url, sink)
            inside = sum(r["task_s"].values())
            print(
                f"run {k + 1}: sweep {r['sweep_s']:.2f} s ("
                + ", ".join(f"{name} {v:.2f} s" for name, v in sorted(r["task_s"].items()))
                + f", Prefect flow run start and end {r['sweep_s'] - inside:.2f} s); "
                f"floor {r['floor_s']:.2f} s"
            )
            results.append(r)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sweep_s = statistics.median(r["sweep_s"] for r in results)
    floor_s = statistics.median(r["floor_s"] for r in results)
    last = results[-1]
    out = {
        "assignments": args.assignments,
        "units": args.units,
        "runs": runs,
        "reminders": last["reminders"],
        "messages": last["messages"],
        "received": last["received"],
        "sweep_s": round(sweep_s, 2),
        "sweep_s_range": [
            round(min(r["sweep_s"] for r in results), 2),
            round(max(r["sweep_s"] for r in results), 2),
        ],
        "reminders_per_s": round(last["reminders"] / sweep_s, 1),
        "task_runs": last["task_runs"],
        "floor_s": round(floor_s, 2),
        "floor_rows": last["floor_rows"],
        "floor_messages": last["floor_messages"],
        "ratio": round(sweep_s / floor_s, 2),
        "peak_mb": round(peak_mb, 1),
    }
    print(
        f"sweep (median of {runs}): {out['reminders']:,} reminders → {out['messages']} digests in "
        f"{out['sweep_s']} s ({out['reminders_per_s']:,} reminders/s), {out['task_runs']} Prefect task runs"
    )
    print(
        f"floor (median): one query ({out['floor_rows']:,} rows) + smtplib over one connection "
        f"({out['floor_messages']} messages): {out['floor_s']} s → ratio {out['ratio']}×; "
        f"peak memory {out['peak_mb']} MB"
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
