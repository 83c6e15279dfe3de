"""The unit's page, reached from the personal link in every message (no account): its open
assignments; report progress with evidence, ask for an extension, download its own files.
And, for the secretariat, revoking a unit's link."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from dondoc.settings import get_settings
from models.base import utcnow
from models.db import set_actor
from models.unit import Unit
from models.web import UnitLink
from services.accounts import CAN_CHANGE
from services.database import ready_session
from services.evidence_files import ACCEPTED, CheckedFile, check_upload, max_bytes
from services.portal import (
    NotYours,
    PortalReport,
    portal_evidence,
    portal_extension,
    portal_report,
    portal_view,
)
from services.unit_links import (
    VISITS,
    open_link,
    revoke,
    still_valid,
    unit_by_code,
    unit_for_token,
)
from tasks.errors import DondocError, InputError
from tasks.fileio import parse_date_value
from web.page_cache import Produced, kept_fact, kept_page
from web.render import page, wants_json
from web.security import Refused, SignedIn, check_csrf, require

router = APIRouter()

GONE = "Liên kết không còn hiệu lực"
GONE_DETAIL = (
    "Liên kết này đã hết hạn, đã được thu hồi hoặc không đúng. Liên kết mới được gửi kèm "
    "thư nhắc việc tiếp theo; cần ngay, đề nghị liên hệ Văn phòng."
)
FLASH = "portal_flash"


class LinkGone(Exception):
    """The token opens nothing (expired, revoked, unknown): only the plain page is shown."""


def _gone(request: Request) -> Response:
    return page(
        request,
        "portal_gone.html.j2",
        {"title": GONE, "message": GONE_DETAIL},
        status_code=404,
        json={"error": GONE},
    )


def _unit(session: Session, token: str) -> Unit:
    unit = unit_for_token(session=session, token=token, now=utcnow())
    if unit is None:
        raise LinkGone
    # Every change below is the unit's, through its link, in the audit log.
    set_actor(f"đơn vị {unit.code} (liên kết)")
    return unit


def _upload(file: UploadFile | None) -> CheckedFile | None:
    """The file chosen in the form, checked (an empty file field means none)."""
    if file is None or not file.filename:
        return None
    data = file.file.read(max_bytes() + 1)  # never more than one byte past the limit
    return check_upload(file.filename, data)


def _done(request: Request, token: str, message: str, data: object, back: int) -> Response:
    """After a change: JSON for ?format=json, else back to the page of the list the form was
    on, with a message (no re-sending on reload)."""
    if wants_json(request):
        return page(request, "message.html.j2", {}, json={"ok": message, "result": data})
    request.session[FLASH] = message
    return RedirectResponse(_list_url(token, back), status_code=303)


def _list_url(token: str, page_no: int) -> str:
    return f"/u/{token}" + (f"?trang={page_no}" if page_no > 1 else "")


def _show(
    request: Request,
    token: str,
    *,
    page_no: int = 1,
    touch: bool = True,
    error: str | None = None,
    open_id: int | None = None,
) -> Response:
    """The unit's page (one page of its list); with ``error``: the refused form's message
    above that one assignment, its form open again (HTTP 400)."""
    if error is not None and wants_json(request):
        return page(request, "message.html.j2", {}, status_code=400, json={"error": error})
    today = date.today()
    now = utcnow()

    def read() -> tuple[Unit, UnitLink] | None:
        with ready_session() as session:
            return open_link(session=session, token=token, now=now)

    # The link row is kept while nothing is committed (a revocation is a commit); its expiry
    # is checked against the clock on every request.
    opened = kept_fact(request, ("link", token), read)
    if opened is not None and not still_valid(opened[1], now):
        opened = None
    if opened is None:
        return _gone(request)
    unit, link = opened
    if touch:
        VISITS.note(link, now)
        write_visits(now)

    def produce() -> Produced:
        with ready_session() as session:
            view = portal_view(
                session=session,
                unit=unit,
                today=today,
                page=page_no,
                only=open_id if error is not None else None,
            )
        context = {
            "title": f"Nhiệm vụ của {view.unit_name}",
            "view": view,
            "token": token,
            "flash": None if error else request.session.pop(FLASH, None),
            "error": error,
            "open_id": open_id,
            "back": page_no,
            "list_url": _list_url(token, 1),
            "accepted": ACCEPTED,
            "max_mb": get_settings().evidence_max_mb,
        }
        return "portal.html.j2", context, view

    if error is not None:
        template, context, view = produce()
        return page(request, template, context, status_code=400, json=view)
    # The link was checked above, on every request; the page itself is kept while nothing is
    # committed (see web.page_cache), for this link, day and page of the list.
    return kept_page(request, ("portal", token, today, page_no), produce, personal=(FLASH,))


def write_visits(now: datetime | None = None) -> None:
    """Write the links' visits noted (see services.unit_links.Visits) when they are due, or,
    without ``now`` (the server stopping), all of them."""
    if now is not None and not VISITS.due(now):
        return
    taken = VISITS.take()
    if taken:
        # Its own transaction, which writes first: SQLite gives it the write lock in turn.
        with ready_session() as session:
            VISITS.write(session, taken)


@router.get("/u/{token}")
def portal_page(request: Request, token: str, trang: str = "1") -> Response:
    return _show(request, token, page_no=_page_number(trang))


def _page_number(value: str) -> int:
    """The list's page asked for; anything else than a number from 1 shows the first."""
    text = value.strip()
    return int(text) if text.isdigit() and 0 < len(text) < 6 and int(text) > 0 else 1


@router.post("/u/{token}/bao-cao", dependencies=[Depends(check_csrf)])
def portal_report_form(
    request: Request,
    token: str,
    assignment_id: Annotated[int, Form()],
    state: Annotated[str, Form()],
    on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    trang: Annotated[str, Form()] = "1",
) -> Response:
    # Every check before any writing: a refused form leaves the database and the folder as
    # they were, and the page shows why.
    back = _page_number(trang)
    try:
        day = parse_date_value(on, field="Ngày báo cáo") if on.strip() else date.today()
        upload = _upload(file)
        result = _report(token, assignment_id, state, day, note, period, url, upload)
    except LinkGone:
        return _gone(request)
    except DondocError as exc:
        return _show(
            request, token, page_no=back, touch=False, error=str(exc), open_id=assignment_id
        )
    word = "hoàn thành" if result.state == "done" else "đang thực hiện"
    of = f" kỳ {result.period}" if result.period else ""
    message = f"Đã ghi nhận nhiệm vụ mã {assignment_id}{of}: {word} ngày {day:%d/%m/%Y}."
    return _done(request, token, message, result, back)


def _report(
    token: str,
    assignment_id: int,
    state: str,
    day: date,
    note: str,
    period: str,
    url: str,
    upload: CheckedFile | None,
) -> PortalReport:
    result: PortalReport | None = None
    try:
        with ready_session() as session:
            unit = _unit(session, token)
            try:
                result = portal_report(
                    session=session,
                    unit=unit,
                    assignment_id=assignment_id,
                    state=state,
                    on=day,
                    note=note,
                    period=period.strip() or None,
                    url=url,
                    upload=upload,
                )
            except NotYours as exc:
                raise Refused(404, str(exc)) from None
    except BaseException:
        if result is not None and result.stored is not None:
            result.stored.unlink(missing_ok=True)  # the commit failed: the file goes too
        raise
    finally:
        set_actor(None)
    return result


@router.post("/u/{token}/gia-han", dependencies=[Depends(check_csrf)])
def portal_extension_form(
    request: Request,
    token: str,
    assignment_id: Annotated[int, Form()],
    to: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    trang: Annotated[str, Form()] = "1",
) -> Response:
    back = _page_number(trang)
    try:
        if not to.strip():
            raise InputError("Chọn hạn mới đề nghị.")
        day = parse_date_value(to, field="Hạn mới")
        with ready_session() as session:
            unit = _unit(session, token)
            try:
                request_row = portal_extension(
                    session=session, unit=unit, assignment_id=assignment_id, to=day, reason=reason
                )
            except NotYours as exc:
                raise Refused(404, str(exc)) from None
    except LinkGone:
        return _gone(request)
    except DondocError as exc:
        return _show(
            request, token, page_no=back, touch=False, error=str(exc), open_id=assignment_id
        )
    finally:
        set_actor(None)
    message = (
        f"Đã gửi đề nghị gia hạn nhiệm vụ mã {assignment_id} đến ngày {day:%d/%m/%Y}; "
        "Văn phòng sẽ báo kết quả."
    )
    return _done(request, token, message, {"extension_id": request_row.id, "to": day}, back)


@router.get("/u/{token}/minh-chung/{evidence_id}")
def portal_download(request: Request, token: str, evidence_id: int) -> Response:
    try:
        with ready_session() as session:
            unit = _unit(session, token)
            try:
                row, path = portal_evidence(session=session, unit=unit, evidence_id=evidence_id)
            except NotYours as exc:
                raise Refused(404, str(exc)) from None
    except LinkGone:
        return _gone(request)
    finally:
        set_actor(None)
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.original_name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.post("/don-vi/{code}/lien-ket", dependencies=[Depends(check_csrf)])
def revoke_link(request: Request, code: str, user: SignedIn) -> Response:
    """The secretariat revokes every link of a unit and issues a new one."""
    require(user, CAN_CHANGE)
    set_actor(user.name)
    try:
        with ready_session() as session:
            unit = unit_by_code(session=session, code=code)
            assert unit.id is not None
            link = revoke(session=session, unit_id=unit.id, now=utcnow())
    finally:
        set_actor(None)
    if wants_json(request):
        return page(request, "message.html.j2", {}, json={"ok": "revoked", "link": link})
    return RedirectResponse(f"/don-vi/{unit.code}", status_code=303)
