"""One reminder sweep over 100,000 open assignments, against the bare floor, on SQLite and
on PostgreSQL.

For each database it builds the same data (seeded): ~150 units, 100,000 open assignments
whose due dates spread around the sweep day so that ~20,000 reminders fall due, and writes
their reminder plans. Then, for each run, on a fresh copy of that database (a file copy for
SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL):
- runs the ``reminder_sweep`` Prefect flow once, sending into a local SMTP sink (aiosmtpd in
  its own process, benchmarks/smtp_sink.py, as a real mail server would be);
- measures the floor: one SQL query for the same due rows, and smtplib sending the same
  messages (the outbox rows the sweep wrote) over one connection.
Prints wall time, reminders per second, Prefect task runs and peak memory per database; the
last line is one JSON object with, per database, sweep_s, floor_s, ratio, reminders, task_runs.

PostgreSQL: a server on 127.0.0.1:5432 with trust authentication (--postgres-url to change);
the scratch databases are created and dropped by the script. The base database is vacuumed
and analysed once built, as autovacuum does on a server that runs it (without it, the first
sweep pays for setting every row's hint bits, and plans without statistics).

Run: .venv/bin/python benchmarks/sweep_100k.py [--assignments 100000] [--units 150] [--runs 3]
     [--databases sqlite,postgresql]
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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


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
    _mark_followed_up(engine)
    engine.dispose()
    return time.perf_counter() - t0


def _mark_followed_up(engine: Any) -> None:
    """The plans are written above, as a notice's follow-up would: say so, so that the sweep
    does not plan them again (a sweep plans the notices whose follow-up is pending)."""
    from sqlalchemy import update

    from models.notice import Notice

    if hasattr(Notice, "follow_up"):
        with engine.begin() as conn:
            conn.execute(update(Notice).values(follow_up="done"))


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
    from sqlmodel import col

    from models.delivery import Delivery
    from models.notice import Assignment
    from models.reminder import Reminder
    from models.unit import Unit
    from notifications.channels import UTF8

    engine = create_engine(url)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        due = conn.execute(
            select(
                col(Reminder.id), col(Reminder.level), col(Assignment.unit_id), col(Unit.contacts)
            )
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(
                col(Reminder.due_on) <= SWEEP_DAY, col(Reminder.state).in_(("queued", "skipped"))
            )
        ).all()
        query_s = time.perf_counter() - t0
        messages = conn.execute(
            select(
                col(Delivery.recipient),
                col(Delivery.subject),
                col(Delivery.body),
                col(Delivery.html),
            )
        ).all()
    t1 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, subject, body, html in messages:
            # The same MIME structure and encoding as dondoc's (UTF-8 in base64).
            # typeshed wants a charset name; the Charset object is what keeps base64.
            msg: Message = MIMEText(body, "plain", UTF8)  # type: ignore[arg-type]
            if html:
                msg = MIMEMultipart("alternative")
                msg.attach(MIMEText(body, "plain", UTF8))  # type: ignore[arg-type]
                msg.attach(MIMEText(html, "html", UTF8))  # type: ignore[arg-type]
            msg["From"] = "dondoc@example.gov.vn"
            msg["To"] = recipient.split("://", 1)[1]
            msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # typeshed: str only
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


class SqliteCopies:
    """A base SQLite file, built once; each run gets a copy of it."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base_url = f"sqlite:///{folder / 'bench.sqlite'}"

    def settle(self) -> None:
        """Nothing to do: SQLite keeps no statistics unless asked, and has no hint bits."""

    @contextmanager
    def copy(self, k: int) -> Iterator[str]:
        target = self.folder / f"run-{k}.sqlite"
        shutil.copyfile(self.folder / "bench.sqlite", target)
        try:
            yield f"sqlite:///{target}"
        finally:
            for path in self.folder.glob(f"{target.name}*"):  # with its -wal and -shm
                path.unlink()

    def close(self) -> None:
        for path in self.folder.glob("bench.sqlite*"):
            path.unlink()


class PostgresCopies:
    """A scratch PostgreSQL database, built once; each run gets ``CREATE DATABASE … TEMPLATE``
    of it. Every database made here is dropped at the end."""

    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.prefix = f"dondoc_bench_{uuid.uuid4().hex[:8]}"
        self.server = admin_url.rsplit("/", 1)[0]
        self.made: list[str] = []
        self.base_url = self._create(f"{self.prefix}_base")

    def _create(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.made.append(name)
        return f"{self.server}/{name}"

    def _drop(self, name: str) -> None:
        from sqlalchemy import text

        from models.db import _engine_for

        _engine_for.cache_clear()  # the flow's pooled connections
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.made.remove(name)

    def settle(self) -> None:
        """VACUUM ANALYZE the base, as autovacuum would have done since the data was loaded."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()

    @contextmanager
    def copy(self, k: int) -> Iterator[str]:
        from models.db import _engine_for

        _engine_for(self.base_url).dispose()  # a template must have no connections
        name = f"{self.prefix}_run{k}"
        url = self._create(name, template=f"{self.prefix}_base")
        try:
            yield url
        finally:
            _engine_for(url).dispose()
            self._drop(name)

    def close(self) -> None:
        for name in list(self.made):
            self._drop(name)
        self.admin.dispose()


def bench_database(copies: Any, args: argparse.Namespace, sink: Sink) -> dict[str, Any]:
    """Build the data in ``copies``' base database, then sweep fresh copies of it."""
    from models.db import _engine_for

    t0 = time.perf_counter()
    build(copies.base_url, args.assignments, args.units)
    print(
        f"[{copies.name}] built {args.assignments:,} assignments over {args.units} units "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    print(
        f"[{copies.name}] reminder plans written in {plan(copies.base_url, args.assignments):.1f} s"
    )
    _engine_for(copies.base_url).dispose()
    copies.settle()
    results = []
    for k in range(max(1, args.runs)):
        with copies.copy(k) as run_url:
            r = one_run(run_url, sink)
        inside = sum(r["task_s"].values())
        print(
            f"[{copies.name}] run {k + 1}: sweep {r['sweep_s']:.2f} s ("
            + ", ".join(f"{name} {v:.2f} s" for name, v in sorted(r["task_s"].items()))
            + f", Prefect flow run start and end {r['sweep_s'] - inside:.2f} s); "
            f"floor {r['floor_s']:.2f} s"
        )
        results.append(r)
    sweep_s = statistics.median(r["sweep_s"] for r in results)
    floor_s = statistics.median(r["floor_s"] for r in results)
    last = results[-1]
    out = {
        "runs": len(results),
        "reminders": last["reminders"],
        "messages": last["messages"],
        "received": last["received"],
        "sweep_s": round(sweep_s, 2),
        "sweep_s_range": [
            round(min(r["sweep_s"] for r in results), 2),
            round(max(r["sweep_s"] for r in results), 2),
        ],
        "task_s": {name: round(v, 2) for name, v in sorted(last["task_s"].items())},
        "reminders_per_s": round(last["reminders"] / sweep_s, 1),
        "task_runs": last["task_runs"],
        "floor_s": round(floor_s, 2),
        "floor_s_range": [
            round(min(r["floor_s"] for r in results), 2),
            round(max(r["floor_s"] for r in results), 2),
        ],
        "floor_rows": last["floor_rows"],
        "floor_messages": last["floor_messages"],
        "ratio": round(sweep_s / floor_s, 2),
    }
    print(
        f"[{copies.name}] sweep (median of {out['runs']}): {out['reminders']:,} reminders → "
        f"{out['messages']} digests in {out['sweep_s']} s ({out['reminders_per_s']:,} reminders/s), "
        f"{out['task_runs']} Prefect task runs"
    )
    print(
        f"[{copies.name}] floor (median): one query ({out['floor_rows']:,} rows) + smtplib over "
        f"one connection ({out['floor_messages']} messages): {out['floor_s']} s "
        f"→ ratio {out['ratio']}×"
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="sweeps per database, each on a fresh copy of it; the median is reported",
    )
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (both by default)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="a PostgreSQL server's admin URL; scratch databases are created and dropped there",
    )
    args = parser.parse_args()
    wanted = [name.strip() for name in args.databases.split(",") if name.strip()]
    folder = Path(tempfile.mkdtemp(prefix="dondoc-bench-"))
    os.environ.update(
        {"DONDOC_DATA_DIR": str(folder), "DONDOC_DATABASE_URL": f"sqlite:///{folder / 'x.sqlite'}"}
    )
    out: dict[str, Any] = {"assignments": args.assignments, "units": args.units}
    with Sink() as sink:
        os.environ["DONDOC_SMTP_URL"] = sink.smtp_url
        from flows.reminders import reminder_sweep

        reminder_sweep(datetime(2025, 10, 11, 8, 0, tzinfo=TZ))  # Saturday: starts Prefect
        for name in wanted:
            copies = SqliteCopies(folder) if name == "sqlite" else PostgresCopies(args.postgres_url)
            try:
                out[name] = bench_database(copies, args, sink)
            finally:
                copies.close()
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(
        "ratios: "
        + ", ".join(f"{name} {out[name]['ratio']}×" for name in wanted)
        + f" (target ≤ 2×); peak memory {out['peak_mb']} MB"
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
