"""The unit's page, reached from the personal link in every message (no account): its open
assignments; report progress with evidence, ask for an extension, download its own files.
And, for the secretariat, revoking a unit's link."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from dondoc.settings import get_settings
from models.base import utcnow
from models.db import set_actor
from models.unit import Unit
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
    record_visit,
    visit_due,
)
from services.unit_links import revoke, unit_by_code, unit_for_token
from tasks.errors import DondocError, InputError
from tasks.fileio import parse_date_value
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


def _done(request: Request, token: str, message: str, data: object) -> Response:
    """After a change: JSON for ?format=json, else back to the page with a message (no
    re-sending on reload)."""
    if wants_json(request):
        return page(request, "message.html.j2", {}, json={"ok": message, "result": data})
    request.session[FLASH] = message
    return RedirectResponse(f"/u/{token}", status_code=303)


def _show(
    request: Request,
    token: str,
    *,
    touch: bool = True,
    error: str | None = None,
    open_id: int | None = None,
) -> Response:
    """The unit's page; with ``error``: the refused form's message on it (HTTP 400)."""
    if error is not None and wants_json(request):
        return page(request, "message.html.j2", {}, status_code=400, json={"error": error})
    try:
        now = utcnow()
        with ready_session() as session:
            unit = unit_for_token(session=session, token=token, now=now, touch=False)
            if unit is None:
                raise LinkGone
            view = portal_view(session=session, unit=unit, today=date.today())
            touch = touch and visit_due(session=session, token=token, now=now)
        if touch:  # in a transaction of its own: see record_visit
            with ready_session() as session:
                record_visit(session=session, token=token, now=now)
    except LinkGone:
        return _gone(request)
    return page(
        request,
        "portal.html.j2",
        {
            "title": f"Nhiệm vụ của {view.unit_name}",
            "view": view,
            "token": token,
            "flash": None if error else request.session.pop(FLASH, None),
            "error": error,
            "open_id": open_id,
            "accepted": ACCEPTED,
            "max_mb": get_settings().evidence_max_mb,
        },
        status_code=400 if error else 200,
        json=view,
    )


@router.get("/u/{token}")
def portal_page(request: Request, token: str) -> Response:
    return _show(request, token)


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
) -> Response:
    # Every check before any writing: a refused form leaves the database and the folder as
    # they were, and the page shows why.
    try:
        day = parse_date_value(on, field="Ngày báo cáo") if on.strip() else date.today()
        upload = _upload(file)
        result = _report(token, assignment_id, state, day, note, period, url, upload)
    except LinkGone:
        return _gone(request)
    except DondocError as exc:
        return _show(request, token, touch=False, error=str(exc), open_id=assignment_id)
    word = "hoàn thành" if result.state == "done" else "đang thực hiện"
    of = f" kỳ {result.period}" if result.period else ""
    message = f"Đã ghi nhận nhiệm vụ mã {assignment_id}{of}: {word} ngày {day:%d/%m/%Y}."
    return _done(request, token, message, result)


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
) -> Response:
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
        return _show(request, token, touch=False, error=str(exc), open_id=assignment_id)
    finally:
        set_actor(None)
    message = (
        f"Đã gửi đề nghị gia hạn nhiệm vụ mã {assignment_id} đến ngày {day:%d/%m/%Y}; "
        "Văn phòng sẽ báo kết quả."
    )
    return _done(request, token, message, {"extension_id": request_row.id, "to": day})


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
