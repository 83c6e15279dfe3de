"""The Prefect flows (under prefect_test_harness), the remind/outbox commands, and two sweeps
at once on PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, create_engine, select
from typer.testing import CliRunner

from dondoc.caches import reset_caches
from dondoc.cli import app
from models.db import upgrade_database
from models.delivery import Delivery
from notifications.channels import send
from notifications.mailbox import Mailbox
from tasks.reminders import default_policy
from tasks.sweep import run_sweep
from tests.helpers import give_contacts, mini_scenario, plan_everything

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
runner = CliRunner()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def _plan(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        plan_everything(session, date(2024, 6, 3))
    engine.dispose()


@pytest.fixture
def followed(app_env: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DONDOC_SMTP_URL", mailbox.smtp_url)
    reset_caches()
    engine = create_engine(app_env)
    with Session(engine) as session:
        notice_id = mini_scenario(session).id
        give_contacts(session)
    engine.dispose()
    assert notice_id is not None
    return notice_id


def test_follow_up_notice_plans_and_sends_giao_viec_once(
    prefect_harness: None, followed: int, mailbox: Mailbox
) -> None:
    from flows.reminders import start_follow_up

    moment = datetime(2024, 6, 3, 9, 0, tzinfo=TZ)
    first = start_follow_up(followed, moment)
    assert first["planned"] > 0 and first["sent"] == len(mailbox.inbox) > 0
    subjects = {m.subject for m in mailbox.inbox}
    assert "[Giao việc] 2 nhiệm vụ mới – Phòng Nội vụ" in subjects
    again = start_follow_up(followed, moment)
    assert again["planned"] == 0 and again["sent"] == 0 and len(mailbox.inbox) == first["sent"]


def test_sweep_flow_task_runs_grow_with_batches(
    prefect_harness: None, followed: int, mailbox: Mailbox, app_env: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    from flows.reminders import reminder_sweep

    _plan(app_env)
    state = reminder_sweep(datetime(2024, 6, 3, 9, 0, tzinfo=TZ), return_state=True)
    result = state.result()
    assert result["sent"] == len(mailbox.inbox) > 0
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            ),
            sort=TaskRunSort.EXPECTED_START_TIME_DESC,
            limit=200,
        )
    # queue + (claim + send) per batch + the last, empty claim: independent of assignments.
    assert len(task_runs) == 1 + 2 * result["batches"] + 1


def test_remind_and_outbox_commands(
    prefect_harness: None, followed: int, mailbox: Mailbox, app_env: str
) -> None:
    _plan(app_env)
    dry = runner.invoke(app, ["remind", "--as-of", "03/06/2024 09:00", "--dry-run"])
    code = dry.exit_code
    assert "[Giao việc]" in dry.output
    assert code == 0 and mailbox.inbox == []
    result = runner.invoke(app, ["remind", "--as-of", "03/06/2024 09:00"])
    assert result.exit_code == 0, result.output
    assert "Giao việc" in result.output and "đã gửi" in result.output
    result = runner.invoke(app, ["remind", "--as-of", "02/09/2024 09:00"])
    assert result.exit_code == 0 and "Không gửi" in result.output
    result = runner.invoke(app, ["outbox", "--json", "--state", "sent"])
    rows = json.loads(result.output)
    assert rows and all(r["state"] == "sent" for r in rows) and len(rows) == len(mailbox.inbox)


def test_two_sweeps_at_once_on_postgresql(postgres_url: str, mailbox: Mailbox) -> None:
    upgrade_database(postgres_url)
    reset_caches()
    engine = create_engine(postgres_url, pool_size=4)
    with Session(engine) as session:
        mini_scenario(session)
        give_contacts(session)
        plan_everything(session, date(2024, 6, 3))
    policy = default_policy()
    results: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def one(day: date) -> None:
        try:
            barrier.wait()
            results.append(
                run_sweep(
                    engine=engine,
                    as_of=datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ),
                    policy=policy,
                    sender=lambda d: send(d, smtp_url=mailbox.smtp_url),
                )
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for day in (date(2024, 6, 3), date(2024, 8, 30), date(2024, 9, 4)):
        threads = [threading.Thread(target=one, args=(day,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    with Session(engine) as session:
        rows = session.exec(select(Delivery)).all()
    engine.dispose()
    assert rows and all(d.state == "sent" for d in rows)
    assert sum(r.sent for r in results) == len(rows) == len(mailbox.inbox)
    pairs = Counter((m.rcpt_tos[0], m.subject) for m in mailbox.inbox)
    assert max(pairs.values()) == 1


def test_monthly_briefing_flow_writes_documents_and_artifacts(
    prefect_harness: None, app_env: str, tmp_path: Path
) -> None:
    from docx import Document

    from flows.briefing import last_month, monthly_briefing
    from tests.helpers import briefing_scenario

    engine = create_engine(app_env)
    with Session(engine) as session:
        briefing_scenario(session)
    engine.dispose()
    result = monthly_briefing(month="2024-06", folder=str(tmp_path / "bc"))
    assert result["total"] == 7 and result["totals"]["overdue"] == 1
    assert result["pct_on_time"] == 50.0
    doc = Document(result["files"]["docx"])
    assert any("BÁO CÁO" in p.text for p in doc.paragraphs)
    assert Path(result["files"]["png"]).read_bytes().startswith(b"\x89PNG")
    assert "Phòng Nội vụ" in Path(result["files"]["html"]).read_text(encoding="utf-8")
    markdown, table = _artifact("giao-ban-2024-06"), _artifact("giao-ban-2024-06-don-vi")
    assert markdown["type"] == "markdown" and "Phòng Nội vụ" in str(markdown["data"])
    rows = {row["Đơn vị"]: row for row in json.loads(table["data"])}
    assert table["type"] == "table", rows
    assert (
        rows["UBND xã Phú Hội"]["Quá hạn"] == 1 and rows["Phòng Nội vụ (An Phú)"]["Đúng hạn"] == 2
    )
    assert last_month(date(2025, 1, 1)) == "2024-12" and last_month(date(2025, 3, 1)) == "2025-02"


def _artifact(key: str) -> dict[str, Any]:
    """The latest artifact with this key, read from the API directly: the 3.8.8 client sends
    null filters that its own server refuses (HTTP 422)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client._client.post(
            "/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": [key]}},
                "limit": 1,
                "offset": 0,
                "sort": "UPDATED_DESC",
            },
        )
    response.raise_for_status()
    (artifact,) = response.json()
    return artifact
