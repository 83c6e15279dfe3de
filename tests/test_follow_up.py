"""Follow-ups that cannot be lost: a notice is "pending" until its reminder plan is written, and
a failed follow-up is finished by the next sweep or by ``dondoc follow-up``."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, func, select, text
from sqlmodel import Session, col

from dondoc.caches import reset_caches
from models.db import alembic_config, make_engine, upgrade_database
from models.notice import Notice
from models.reminder import Reminder
from notifications.channels import send
from notifications.mailbox import Mailbox
from tasks.follow_up import DONE, PENDING, plan_pending
from tasks.reminders import ASSIGNED, default_policy
from tasks.sweep import run_sweep
from tests.helpers import MINI_NOTICE, MINI_UNITS, give_contacts, mini_scenario, snapshot
from tests.helpers import run_cli as run

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _states(url: str) -> dict[str | None, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, follow_up FROM notice")).all()
    engine.dispose()
    return {n: s for n, s in rows}


def _rungs(url: str) -> Counter[str]:
    engine = create_engine(url)
    with Session(engine) as session:
        levels = session.execute(select(col(Reminder.level))).scalars().all()
    engine.dispose()
    return Counter(levels)


def test_a_notice_is_pending_until_planned(session: Session, engine: Engine) -> None:
    notice = mini_scenario(session)
    assert notice.follow_up == PENDING and notice.followed_up_at is None
    done = plan_pending(engine=engine, start=date(2024, 6, 3))
    assert [(d.notice_id, d.planned > 0) for d in done] == [(notice.id, True)]
    session.expire_all()
    again = session.get(Notice, notice.id)
    assert again is not None and again.follow_up == DONE and again.followed_up_at is not None
    # Nothing is planned twice, even from another day.
    assert plan_pending(engine=engine, start=date(2024, 6, 10)) == []


def test_a_later_run_never_adds_a_second_assignment_message(
    session: Session, engine: Engine
) -> None:
    from tests.helpers import plan_everything

    mini_scenario(session)
    plan_everything(session, date(2024, 6, 3))  # planned outside the follow-up: still pending
    before = session.execute(select(func.count()).select_from(Reminder)).scalar_one()
    assigned = session.execute(
        select(func.count()).select_from(Reminder).where(col(Reminder.level) == ASSIGNED)
    ).scalar_one()
    plan_pending(engine=engine, start=date(2024, 6, 12))
    after = session.execute(select(func.count()).select_from(Reminder)).scalar_one()
    assert assigned > 0 and after == before


def test_notice_add_when_the_follow_up_fails(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.reminders

    assert run("init")[0] == 0 and run("units", "import", str(MINI_UNITS))[0] == 0
    monkeypatch.setenv("DONDOC_FOLLOW_UP", "true")
    reset_caches()

    def server_did_not_start(*_a: object, **_k: object) -> None:
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    monkeypatch.setattr(flows.reminders, "start_follow_up", server_did_not_start)
    code, out = run("notice", "add", "--from", str(MINI_NOTICE))
    assert code == 0, out
    assert "Traceback" not in out
    assert "chưa lập được kế hoạch nhắc việc" in out and "dondoc follow-up 12/TB-VP" in out
    assert _states(app_env) == {"12/TB-VP": PENDING}
    assert sum(_rungs(app_env).values()) == 0
    # Re-adding is refused as before, but the notice is not stuck: follow-up completes it.
    assert run("notice", "add", "--from", str(MINI_NOTICE))[0] == 2
    code, out = run("notice", "list")
    assert "chờ lập" in out
    monkeypatch.setenv("DONDOC_FOLLOW_UP", "false")
    reset_caches()
    with_plan = _follow_up_without_prefect(monkeypatch, "12/TB-VP")
    assert "12/TB-VP" in with_plan and _states(app_env) == {"12/TB-VP": DONE}
    assert _rungs(app_env)[ASSIGNED] > 0
    code, out = run("follow-up", "12/TB-VP")
    assert code == 0 and "không có gì phải làm" in out
    code, out = run("follow-up")
    assert code == 0 and "Không có thông báo nào" in out


def _follow_up_without_prefect(monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """``dondoc follow-up`` with the flow replaced by its planning step (no Prefect server)."""
    import flows.reminders
    from models.db import get_engine
    from tasks.follow_up import plan_pending as plan

    def plan_here(notice_id: int, as_of: datetime | None = None) -> dict[str, object]:
        done = plan(engine=get_engine(), start=date(2024, 6, 3), notice_ids=[notice_id])
        return {"planned": sum(d.planned for d in done), "sent": 0, "retry": 0}

    monkeypatch.setattr(flows.reminders, "start_follow_up", plan_here)
    code, out = run("follow-up", *args)
    assert code == 0, out
    return out


def test_follow_up_of_an_unknown_notice(app_env: str) -> None:
    assert run("init")[0] == 0
    before = snapshot(app_env)
    code, out = run("follow-up", "99/TB-XX")
    assert code == 2 and "Không có thông báo «99/TB-XX»" in out
    assert snapshot(app_env) == before


def test_a_sweep_plans_notices_registered_without_follow_up(app_env: str) -> None:
    """DONDOC_FOLLOW_UP=false (the app_env default): the sweep's queue step plans the notice
    and sends its giao việc messages in the same sweep."""
    engine = make_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        give_contacts(session)
    with Mailbox() as box:
        result = run_sweep(
            engine=engine,
            as_of=datetime(2024, 6, 3, 9, 0, tzinfo=TZ),
            policy=default_policy(),
            sender=lambda d: send(d, smtp_url=box.smtp_url),
        )
        subjects = {m.subject for m in box.inbox}
    assert [f["number"] for f in result.followed_up] == ["12/TB-VP"]
    assert result.sent == result.queued == len(box.inbox) > 0
    assert "[Giao việc] 2 nhiệm vụ mới – Phòng Nội vụ" in subjects
    assert _states(app_env) == {"12/TB-VP": DONE}
    engine.dispose()


def test_migration_marks_notices_with_a_plan_done(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO notice (id, number, doc_type, issuer, issued_on, title, recipients, "
                "addressees, registered_at) VALUES (1, '1/TB', 'TB', 'UBND', '2024-06-03', '', "
                "'[]', '[]', '2024-06-03 09:00:00'), (2, '2/TB', 'TB', 'UBND', '2024-06-03', '', "
                "'[]', '[]', '2024-06-03 09:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO unit (id, code, name, kind, aliases, contacts, head, active) "
                "VALUES (1, 'U', 'Đơn vị', 'phong', '[]', '[]', '{}', 1)"
            )
        )
        for notice_id in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO directive (id, notice_id, position, text, due_kind, confidence, "
                    "flags) VALUES (:i, :i, 0, 'x', 'none', 1.0, '[]')"
                ),
                {"i": notice_id},
            )
            conn.execute(
                text(
                    "INSERT INTO assignment (id, directive_id, unit_id, role, state) "
                    "VALUES (:i, :i, 1, 'lead', 'open')"
                ),
                {"i": notice_id},
            )
        conn.execute(
            text(
                "INSERT INTO reminder (assignment_id, level, rank, due_on, state) "
                "VALUES (1, 'assigned', 0, '2024-06-03', 'queued')"
            )
        )
    reset_caches()
    upgrade_database(url)
    assert _states(url) == {"1/TB": DONE, "2/TB": PENDING}
    engine.dispose()
    reset_caches()


def test_two_sweeps_plan_each_pending_notice_once_on_postgresql(postgres_url: str) -> None:
    upgrade_database(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine) as session:
        mini_scenario(session)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            done = plan_pending(engine=engine, start=date(2024, 6, 3))
            results.extend(d.planned for d in done)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 1 and results[0] > 0
    assert sum(_rungs(postgres_url).values()) == results[0]
    engine.dispose()


def test_remind_when_prefect_does_not_start(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.reminders

    assert run("init")[0] == 0

    def no_server(*_a: object, **_k: object) -> None:
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    monkeypatch.setattr(flows.reminders, "reminder_sweep", no_server)
    code, out = run("remind", "--as-of", "03/06/2024 09:00")
    assert code == 2 and "Traceback" not in out
    assert "Máy chủ Prefect tạm thời không khởi động kịp" in out
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in out
