"""Status of the assignments as of a day, in the six categories of the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.limits import is_db_id
from models.notice import Notice
from models.unit import Unit
from tasks.errors import InputError, NotFoundError
from tasks.status import CATEGORIES, StatusRow, compute_status, count_by_status


@dataclass
class StatusReport:
    """Every assignment's status as of a day, and the count per category."""

    as_of: date
    rows: list[StatusRow]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "counts": self.counts,
            "labels": {c.key: c.label for c in CATEGORIES},
            "assignments": [r.to_json() for r in self.rows],
        }


def status_report(
    *,
    session: Session,
    as_of: date,
    unit_code: str | None = None,
    notice_number: str | None = None,
    notice_id: int | None = None,
) -> StatusReport:
    """The status as of ``as_of``, for one unit or one notice (by number, or by id for one
    without a number) when given."""
    check_filters(
        session=session, unit_code=unit_code, notice_number=notice_number, notice_id=notice_id
    )
    rows = compute_status(
        session=session,
        as_of=as_of,
        unit_code=unit_code,
        notice_number=notice_number,
        due_soon_days=get_settings().due_soon_days,
        notice_id=notice_id,
    )
    return StatusReport(as_of=as_of, rows=rows, counts=count_by_status(rows))


def check_filters(
    *,
    session: Session,
    unit_code: str | None = None,
    notice_number: str | None = None,
    notice_id: int | None = None,
) -> None:
    """A unit code or a notice number that names nothing is a typing mistake, not an empty
    result: say so (the status, the dashboard)."""
    if unit_code and not session.exec(select(col(Unit.id)).where(Unit.code == unit_code)).first():
        raise NotFoundError(
            f"Không có đơn vị mã «{unit_code}» trong danh mục; xem mã các đơn vị bằng "
            "«dondoc units list» hoặc trang Đơn vị."
        )
    number = notice_number.replace(" ", "") if notice_number else None
    if number and not session.exec(select(col(Notice.id)).where(Notice.number == number)).first():
        raise NotFoundError(
            f"Không có thông báo số «{notice_number}»; xem số các thông báo bằng "
            "«dondoc notice list» hoặc trang Thông báo."
        )
    if notice_number and notice_id is not None:
        raise InputError("Chỉ chọn thông báo theo một cách: theo số hoặc theo mã.")
    if notice_id is not None and (
        not is_db_id(notice_id) or session.get(Notice, notice_id) is None
    ):
        raise NotFoundError(
            f"Không có thông báo mã {notice_id}; xem mã các thông báo (cột «Mã») bằng "
            "«dondoc notice list» hoặc trang Thông báo."
        )
