"""Which notices still wait for their reminder plan (registered with follow-up off, or whose
follow-up failed half-way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from models.notice import NoticeFollowUp
from tasks.follow_up import find_notice, pending_notices


@dataclass
class FollowUpTargets:
    """The notices to follow up now, or the one asked for when it was already done."""

    targets: list[tuple[int, str | None]]
    done_number: str | None = None  # the notice asked for, already followed up
    done_at: datetime | None = None


def follow_up_targets(*, session: Session, ref: str | None = None) -> FollowUpTargets:
    """Every pending notice (oldest first), or the one named by number or id."""
    if ref is None:
        return FollowUpTargets(targets=pending_notices(session=session))
    found = find_notice(session=session, ref=ref)
    if found.follow_up == NoticeFollowUp.DONE:
        return FollowUpTargets(
            targets=[], done_number=found.number or str(found.id), done_at=found.followed_up_at
        )
    assert found.id is not None
    return FollowUpTargets(targets=[(found.id, found.number)])


FOLLOW_UP_OFF = (
    "Kế hoạch nhắc việc sẽ được lập ở lần nhắc việc tới (DONDOC_FOLLOW_UP=false), "
    "hoặc ngay bây giờ bằng «dondoc follow-up»."
)


@dataclass
class FollowUpStart:
    """How starting a notice's follow-up went, said for the clerk (plain text)."""

    ok: bool
    text: str


def start_follow_up_now(*, notice_id: int, number: str | None) -> FollowUpStart:
    """Follow the notice up: on a Prefect server with the follow-up deployment, a run for the
    work pool; otherwise the flow here. The notice is already stored as "pending": a failure
    loses nothing, and the text says what happens next."""
    from flows.reminders import (  # looked up now: tests replace them
        start_follow_up,
        submit_follow_up,
    )

    try:
        submitted = submit_follow_up(notice_id)
        if submitted:
            return FollowUpStart(
                ok=True,
                text=f"Theo dõi: đã gửi lượt «{submitted}» cho máy chủ Prefect; một worker sẽ "
                "lập kế hoạch nhắc việc và gửi thư giao việc.",
            )
        result = start_follow_up(notice_id)
    except Exception as exc:  # the server did not start, the network, anything: nothing is lost
        first = str(exc).splitlines()[0] if str(exc) else ""
        return FollowUpStart(
            ok=False,
            text="thông báo đã được lưu, nhưng chưa lập được kế hoạch nhắc việc "
            f"({type(exc).__name__}: {first}). Lần nhắc việc tới sẽ tự lập; hoặc chạy lại "
            f"«dondoc follow-up {number or notice_id}».",
        )
    return FollowUpStart(
        ok=True,
        text=f"Theo dõi: {result['planned']} mốc nhắc việc đã lập; thư giao việc: "
        f"{result['sent']} đã gửi, {result['retry']} chờ gửi lại"
        + (f" ({result['skipped']})" if result.get("skipped") else "")
        + ".",
    )


def follow_up_after_registering(*, notice_id: int, number: str | None) -> FollowUpStart:
    """What registering a notice does next: its follow-up now, unless DONDOC_FOLLOW_UP=false."""
    from dondoc.settings import get_settings

    if not get_settings().follow_up:
        return FollowUpStart(ok=True, text=FOLLOW_UP_OFF)
    return start_follow_up_now(notice_id=notice_id, number=number)
