"""The deployment an administrator follows (README, "Running on a Prefect server"), end to end:
a Prefect server on PostgreSQL, a process work pool with two workers, ``prefect deploy --all``,
a notice's follow-up submitted to the pool, the sweep deployment run twice at once, and the
briefing deployment — the digests counted at a loopback SMTP server, each exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from deployments.local_server import healthy
from models.db import _engine_for, make_engine, upgrade_database
from models.delivery import Delivery
from models.notice import Notice
from notifications.mailbox import Mailbox, free_port
from tests.conftest import new_postgres_database
from tests.helpers import give_contacts, mini_scenario, plan_everything, prefect_api

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture
def prefect_db() -> Iterator[str]:
    with new_postgres_database() as url:
        yield url


@pytest.fixture
def dondoc_db() -> Iterator[str]:
    with new_postgres_database() as url:
        yield url


class Processes:
    """Child processes (server, workers), each logging to a file; all stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, env=env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT
        )
        self.children.append((name, process))

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]
            for name, _ in self.children
        )

    def stop(self) -> None:
        for _, process in reversed(self.children):
            process.terminate()
        for _, process in self.children:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_runs(
    api_url: str, ids: list[str], timeout: float, procs: Processes
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = prefect_api(api_url, "/flow_runs/filter", {"flow_runs": {"id": {"any_": ids}}})
        if len(runs) == len(ids) and all(
            r["state_type"] in ("COMPLETED", "FAILED", "CRASHED") for r in runs
        ):
            return runs
        time.sleep(1)
    raise AssertionError(f"runs {ids} not finished in {timeout} s\n{procs.logs()}")


def test_prefect_server_on_postgresql_with_two_workers(
    tmp_path: Path, prefect_db: str, dondoc_db: str
) -> None:
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "PREFECT_"))}
    base.update(
        {
            "PREFECT_API_URL": api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "COLUMNS": "250",
        }
    )
    server_env = {
        **base,
        "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.replace("+psycopg", "+asyncpg"),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
    }
    # The dondoc database, with a notice whose follow-up is pending and plans written for June.
    upgrade_database(dondoc_db)
    engine = make_engine(dondoc_db)
    with Session(engine) as session:
        notice_id = mini_scenario(session).id
        give_contacts(session)
        plan_everything(session, date(2024, 6, 3))
    procs = Processes(tmp_path)
    with Mailbox() as mailbox:
        worker_env = {
            **base,
            "DONDOC_CODE_DIR": str(ROOT),  # the code location, a setting of the worker
            "DONDOC_DATABASE_URL": dondoc_db,
            "DONDOC_SMTP_URL": mailbox.smtp_url,
            "DONDOC_DATA_DIR": str(tmp_path / "worker-data"),
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        try:
            procs.start(
                "server",
                [
                    str(BIN / "prefect"),
                    "server",
                    "start",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                server_env,
            )
            deadline = time.monotonic() + 180
            while not healthy(api_url) and time.monotonic() < deadline:
                time.sleep(1)
            assert healthy(api_url), procs.logs()

            def cli(*args: str, env: dict[str, str] = base) -> str:
                done = subprocess.run(
                    list(args),
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    stdin=subprocess.DEVNULL,
                )
                assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
                return done.stdout

            cli(str(BIN / "prefect"), "work-pool", "create", "dondoc", "--type", "process")
            # Deploying with no DONDOC_* in the environment: nothing of dondoc's is baked in.
            out = cli(str(BIN / "prefect"), "--no-prompt", "deploy", "--all")
            assert "nhac-viec-hang-ngay" in out
            listed = cli(str(BIN / "prefect"), "deployment", "ls")
            for name in (
                "nhac-viec-hang-ngay",
                "bao-cao-giao-ban-hang-thang",
                "theo-doi-thong-bao",
            ):
                assert name in listed
            deployments = prefect_api(api_url, "/deployments/filter", {})
            stored = json.dumps(deployments)
            assert "DONDOC_" not in stored.replace("DONDOC_CODE_DIR", "")
            assert "{{ $DONDOC_CODE_DIR }}" in stored  # resolved by the worker, not here
            # The scheduler (on PostgreSQL, with the pinned SQLAlchemy) schedules the sweep.
            sweep_id = next(d["id"] for d in deployments if d["name"] == "nhac-viec-hang-ngay")
            deadline = time.monotonic() + 60
            scheduled: list[dict[str, Any]] = []
            while not scheduled and time.monotonic() < deadline:
                scheduled = prefect_api(
                    api_url,
                    "/flow_runs/filter",
                    {
                        "deployments": {"id": {"any_": [sweep_id]}},
                        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                    },
                )
                time.sleep(1)
            assert scheduled and all(r["auto_scheduled"] for r in scheduled), procs.logs()

            for name in ("worker-1", "worker-2"):
                procs.start(
                    name,
                    [str(BIN / "prefect"), "worker", "start", "--pool", "dondoc", "--name", name],
                    worker_env,
                )

            # A notice registered on a server: its follow-up goes to the pool.
            follow = cli(
                str(BIN / "dondoc"),
                "follow-up",
                str(notice_id),
                env={**worker_env, "DONDOC_CODE_DIR": ""},
            )
            assert "đã gửi lượt «thong-bao-12-tb-vp» cho máy chủ Prefect" in follow
            runs = prefect_api(
                api_url,
                "/flow_runs/filter",
                {"flow_runs": {"name": {"any_": ["thong-bao-12-tb-vp"]}}},
            )
            (run,) = _wait_runs(api_url, [r["id"] for r in runs], 180, procs)
            assert run["state_type"] == "COMPLETED", procs.logs()
            with Session(engine) as session:
                assert session.get(Notice, notice_id).follow_up == "done"  # type: ignore[union-attr]

            # The sweep deployment twice at once, for a day with reminders due.
            submit = (
                "from prefect.deployments import run_deployment\n"
                "import sys\n"
                "for _ in range(2):\n"
                "    r = run_deployment('reminder-sweep/nhac-viec-hang-ngay', timeout=0,"
                " parameters={'as_of': '2024-06-10T09:00:00+07:00'})\n"
                "    print(r.id)\n"
                "r = run_deployment('monthly-briefing/bao-cao-giao-ban-hang-thang', timeout=0,"
                " parameters={'month': '2024-06'})\n"
                "print(r.id)\n"
            )
            ids = cli(sys.executable, "-c", submit).split()
            runs = _wait_runs(api_url, ids, 300, procs)
            assert [r["state_type"] for r in runs] == ["COMPLETED"] * 3, procs.logs()
            # Each run in its own process started by a worker of the pool.
            pids = {r["infrastructure_pid"] for r in runs}
            assert len(pids) == 3 and None not in pids, runs
            sweeps = sorted(runs[:2], key=lambda r: r["start_time"])
            overlap = sweeps[1]["start_time"] < sweeps[0]["end_time"]
            print(f"the two sweeps overlapped: {overlap}")
        finally:
            procs.stop()
        inbox = list(mailbox.inbox)
    with Session(engine) as session:
        sent = session.exec(select(Delivery).where(Delivery.state == "sent")).all()
        states = Counter(d.state for d in session.exec(select(Delivery)).all())
    engine.dispose()
    _engine_for.cache_clear()
    assert sent and states == {"sent": len(sent)}
    # Each digest arrived exactly once: one message per outbox row, none twice.
    keys = Counter((tuple(m.rcpt_tos), m.subject) for m in inbox)
    assert len(inbox) == len(sent) and max(keys.values()) == 1, keys
    assert (tmp_path / "worker-data" / "briefings" / "bao-cao-giao-ban-2024-06.docx").exists()
