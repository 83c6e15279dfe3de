"""Prefect flows of the follow-up: one flow run per confirmed notice, and the reminder sweep.

Flows only orchestrate; the work is in ``tasks/`` as plain functions. The number of task runs
grows with the number of outbox batches, never with the number of assignments.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import Session

from deployments import schedules
from dondoc.settings import get_settings
from models.base import utcnow
from models.db import get_engine, session_scope
from models.notice import AssignmentRole, Notice
from notifications.channels import Channels
from services.notices import get_notice, notice_assignments
from tasks.follow_up import take_and_plan
from tasks.outbox import QueueReport, SendReport, send_batch
from tasks.reminders import default_policy, local_time
from tasks.sweep import SweepResult, SweepSteps, next_batch, queue_due, sweep


@task
def plan_notice(notice_id: int, start: date) -> int:
    """Write the reminder plan of the notice and mark it followed up, in one transaction;
    nothing when it was already followed up (safe to repeat)."""
    with session_scope(get_engine()) as session:
        return take_and_plan(session=session, notice_id=notice_id, start=start) or 0


@task
def queue_reminders(as_of: datetime, notice_id: int | None = None) -> QueueReport:
    """Plan the notices whose follow-up is pending (a sweep finishes what a failed
    registration left), take the due rungs and write their digests to the outbox."""
    return queue_due(engine=get_engine(), as_of=as_of, policy=default_policy(), notice_id=notice_id)


@task
def outbox_batch(limit: int, now: datetime) -> list[int]:
    """The ids of the next batch of outbox rows to send (nothing is claimed yet)."""
    return next_batch(engine=get_engine(), limit=limit, now=now)


@task
def send_outbox(ids: list[int], now: datetime) -> SendReport:
    """Send one batch; each thread claims the row it sends and marks it right after."""
    with Channels(get_settings().smtp_url) as channels:  # one SMTP connection per thread
        return send_batch(
            engine=get_engine(), ids=ids, sender=channels, policy=default_policy(), now=now
        )


def _steps(now: datetime, notice_id: int | None = None) -> SweepSteps:
    """The sweep's steps as this flow's tasks (of one notice's rungs when ``notice_id``)."""
    limit = default_policy().batch_size
    return SweepSteps(
        queue=lambda: queue_reminders(now, notice_id),
        next_ids=lambda: outbox_batch(limit, now),
        send=lambda ids: send_outbox(ids, now),
    )


def _sweep_run_name() -> str:
    """nhac-viec-YYYY-MM-DD-HHMM in office time; now when a schedule gives no moment."""
    import pendulum
    from prefect.runtime import flow_run

    as_of = flow_run.parameters.get("as_of")
    if isinstance(as_of, str):
        as_of = pendulum.parse(as_of)
    return f"nhac-viec-{local_time(as_of or utcnow()):%Y-%m-%d-%H%M}"


@flow(name="reminder-sweep", flow_run_name=_sweep_run_name)
def reminder_sweep(as_of: datetime | None = None) -> dict[str, Any]:
    """Send every reminder due at ``as_of`` (default: now), one digest per recipient and
    channel, on working days in office hours only. Safe to run twice or at once."""
    moment = as_of or utcnow()
    result = sweep(as_of=moment, steps=_steps(moment))
    _sweep_artifact(result)
    counts = {k: v for k, v in result.to_json().items() if k not in ("delivery_ids", "errors")}
    get_run_logger().info("Nhắc việc %s: %s", moment.isoformat(), counts)
    return result.to_json()


# "flow name/deployment name", as run_deployment wants it
FOLLOW_UP_DEPLOYMENT = f"follow-up-notice/{schedules.FOLLOW_UP_DEPLOYMENT}"


@flow(name="follow-up-notice")
def follow_up_notice(notice_id: int, as_of: datetime | None = None) -> dict[str, Any]:
    """Plan the reminders of a confirmed notice and send its assignment messages (giao việc).
    Safe to rerun: nothing planned or sent twice."""
    moment = as_of or utcnow()
    local_day = local_time(moment).date()
    planned = plan_notice(notice_id, local_day)
    result = sweep(
        as_of=moment,
        steps=_steps(moment, notice_id),
        closed="ngoài giờ làm việc: thư giao việc đi ở lần nhắc việc tới",
    )
    _notice_artifact(notice_id)
    return {"planned": planned, **result.to_json()}


def follow_up_run_name(notice: Notice) -> str:
    """The flow run's name: the notice number, made safe ("thong-bao-54-tb-vp")."""
    import re

    number = notice.number or f"ma-{notice.id}"
    return "thong-bao-" + re.sub(r"[^a-z0-9]+", "-", number.lower()).strip("-")


def _run_name(notice_id: int) -> str:
    with Session(get_engine()) as session:
        notice = get_notice(session=session, notice_id=notice_id)
        return follow_up_run_name(notice) if notice else f"thong-bao-{notice_id}"


def start_follow_up(notice_id: int, as_of: datetime | None = None) -> dict[str, Any]:
    """Run ``follow_up_notice`` in this process, its run named after the notice number."""
    return follow_up_notice.with_options(flow_run_name=_run_name(notice_id))(notice_id, as_of)


def submit_follow_up(notice_id: int) -> str | None:
    """On a Prefect server (``PREFECT_API_URL`` set) where the follow-up deployment exists,
    submit the notice's follow-up run to its work pool and return the run's name; None when
    there is no server or no such deployment (the caller runs the flow here instead)."""
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return None
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(FOLLOW_UP_DEPLOYMENT)
        except ObjectNotFound:
            return None
    run = run_deployment(
        FOLLOW_UP_DEPLOYMENT,
        parameters={"notice_id": notice_id},
        flow_run_name=_run_name(notice_id),
        timeout=0,  # submitted: a worker of the pool runs it
    )
    return run.name  # type: ignore[union-attr]


def _sweep_artifact(result: SweepResult) -> None:
    lines = [
        f"# Nhắc việc {result.as_of}",
        "",
        f"- Nhắc việc đến hạn: **{result.reminders}**",
        f"- Thư/tin nhắn xếp hàng: **{result.queued}**, đã gửi **{result.sent}**, "
        f"chờ gửi lại **{result.retry}**, thất bại **{result.failed}** ({result.batches} lô)",
    ]
    if followed := result.followed_up:
        numbers = ", ".join(str(f["number"] or f["notice_id"]) for f in followed)
        lines.append(f"- Lập kế hoạch nhắc việc còn chờ cho {len(followed)} thông báo: {numbers}")
    if result.skipped:
        lines.append(f"- Không gửi: {result.skipped}")
    if result.errors:
        lines += ["", "## Lỗi", *(f"- {e}" for e in result.errors[:20])]
    create_markdown_artifact(
        markdown="\n".join(lines), key="nhac-viec", description="Kết quả lần nhắc việc"
    )


def _notice_artifact(notice_id: int) -> None:
    with Session(get_engine()) as session:
        rows = notice_assignments(session=session, notice_id=notice_id)
    table = [
        {
            "Mục": r.ref or "",
            "Nội dung": (r.text[:80] + "…") if len(r.text) > 80 else r.text,
            "Đơn vị": r.unit_name,
            "Vai trò": "chủ trì" if r.role == AssignmentRole.LEAD else "phối hợp",
            "Hạn": r.effective_due.strftime("%d/%m/%Y") if r.effective_due else "—",
        }
        for r in rows
    ]
    create_table_artifact(
        table=table,
        key=f"thong-bao-{notice_id}",
        description=f"Nhiệm vụ và đơn vị của thông báo (mã {notice_id})",
    )
