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
