"""Register a notice: upload a document, review and correct what was read, confirm (one
transaction, then the follow-up starts, as ``dondoc notice add`` does)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from dondoc.views import FLAG_LABELS
from models.db import set_actor
from models.web import UserPublic
from services.accounts import CAN_CHANGE
from services.database import ready_session
from services.draft_review import HEADER_FIELDS, DirectiveEdit, DraftEdits, DraftReview
from services.drafts import (
    MAX_MB,
    confirm_draft,
    create_draft,
    drop_draft,
    list_drafts,
    review_draft,
    save_draft,
)
from services.follow_up import follow_up_after_registering
from services.notices import Registered
from services.unit_search import search_units
from tasks.errors import DondocError, InputError, NotFoundError
from tasks.fileio import parse_date_value
from web.render import page
from web.security import Refused, SignedIn, check_csrf, require

router = APIRouter()

_LABELS = {**FLAG_LABELS, "bad_deadline": "thời hạn cần sửa"}
_DIRECTIVE_FIELD = re.compile(r"text_(\d{1,4})")


def flag_text(flag: str) -> str:
    """A review flag in the clerk's words (the CLI's review table labels)."""
    key, _, name = flag.partition(":")
    label = _LABELS.get(key, key)
    return f"{label}: {name}" if name else label


def _upload_page(
    request: Request,
    user: UserPublic,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    with ready_session() as session:
        drafts = list_drafts(session=session)
    flash = request.session.pop("flash", None) if not error else None
    return page(
        request,
        "register_upload.html.j2",
        {
            "title": "Đăng ký thông báo",
            "user": user,
            "drafts": drafts,
            "max_mb": MAX_MB,
            "error": error,
            "flash": flash if isinstance(flash, list) else [],
            "form": form or {"issuer": "", "issued_on": ""},
        },
        status_code=400 if error else 200,
        json={"error": error} if error else {"drafts": drafts, "max_mb": MAX_MB, "flash": flash},
    )


async def _form(request: Request) -> FormData:
    return await request.form()


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/thong-bao/moi")
def upload_page(request: Request, user: SignedIn) -> Response:
    require(user, CAN_CHANGE)
    return _upload_page(request, user)


@router.post("/thong-bao/moi", dependencies=[Depends(check_csrf)])
def upload(request: Request, user: SignedIn, form: Annotated[FormData, Depends(_form)]) -> Response:
    require(user, CAN_CHANGE)
    set_actor(user.name)
    file = form.get("file")
    issuer, issued_on = _field(form, "issuer"), _field(form, "issued_on")
    try:
        if not isinstance(file, StarletteUpload):  # nothing chosen: a browser sends no name
            raise InputError(
                "Chưa chọn tệp: chọn một văn bản .docx, .pdf, .txt hoặc gói edXML để tải lên."
            )
        key = create_draft(
            upload=file.file,
            client_name=file.filename or "",
            issuer=issuer.strip() or None,
            issued_on=parse_date_value(issued_on, field="Ngày ban hành")
            if issued_on.strip()
            else None,
            created_by=user.name,
        )
    except DondocError as exc:
        return _upload_page(
            request, user, error=str(exc), form={"issuer": issuer, "issued_on": issued_on}
        )
    return RedirectResponse(f"/thong-bao/nhap/{key}", status_code=303)


def _review_page(
    request: Request,
    user: UserPublic,
    draft: DraftReview,
    *,
    error: str | None = None,
    saved: bool = False,
) -> Response:
    return page(
        request,
        "register_review.html.j2",
        {
            "title": f"Xem lại «{draft.file_name}»",
            "user": user,
            "draft": draft,
            "error": error,
            "saved": saved,
            "flag_text": flag_text,
        },
        status_code=400 if error else 200,
        json={"draft": draft, "error": error, "saved": saved},
    )


def _draft_or_404(key: str) -> DraftReview:
    try:
        with ready_session() as session:
            return review_draft(session=session, key=key)
    except NotFoundError as exc:
        raise Refused(404, exc.message) from None


@router.get("/thong-bao/nhap/{key}")
def review_page(request: Request, user: SignedIn, key: str) -> Response:
    require(user, CAN_CHANGE)
    return _review_page(request, user, _draft_or_404(key))


def _edits(form: FormData) -> DraftEdits:
    """The review form as edits: header fields, and each directive by its index."""

    def one(name: str) -> str:
        return _field(form, name)

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str)]

    directives: dict[int, DirectiveEdit] = {}
    for name in form:
        if match := _DIRECTIVE_FIELD.fullmatch(name):
            i = int(match.group(1))
            directives[i] = DirectiveEdit(
                ref=one(f"ref_{i}"),
                text=one(name),
                lead=many(f"lead_{i}"),
                support=many(f"support_{i}"),
                deadline=one(f"deadline_{i}"),
                remove=one(f"remove_{i}") == "1",
            )
    header = {k: one(k) for k in HEADER_FIELDS if k in form}
    return DraftEdits(header=header, directives=directives)


@router.post("/thong-bao/nhap/{key}", dependencies=[Depends(check_csrf)])
def review_post(
    request: Request, user: SignedIn, key: str, form: Annotated[FormData, Depends(_form)]
) -> Response:
    require(user, CAN_CHANGE)
    set_actor(user.name)
    action = form.get("action")
    current = _draft_or_404(key)
    if action == "drop":
        drop_draft(key=key)
        request.session["flash"] = [f"Đã bỏ bản nháp «{current.file_name}»; chưa đăng ký gì."]
        return RedirectResponse("/thong-bao/moi", status_code=303)
    if action not in ("save", "confirm"):
        raise Refused(400, "Chọn «Lưu và đọc lại», «Xác nhận đăng ký» hoặc «Bỏ bản nháp».")
    edits = _edits(form)
    try:
        if action == "save":
            with ready_session() as session:
                saved = save_draft(session=session, key=key, edits=edits)
            return _review_page(request, user, saved, saved=True)
        registered = confirm_draft(key=key, edits=edits)
    except NotFoundError as exc:
        raise Refused(404, exc.message) from None
    except DondocError as exc:
        with ready_session() as session:
            unsaved = review_draft(session=session, key=key, edits=edits)
        return _review_page(request, user, unsaved, error=str(exc))
    request.session["flash"] = [_registered_text(registered), _follow_up(registered)]
    return RedirectResponse(f"/thong-bao/{registered.notice_id}", status_code=303)


def _registered_text(registered: Registered) -> str:
    return (
        f"Đã đăng ký thông báo {registered.number or '(chưa có số)'} ngày "
        f"{registered.issued_on:%d/%m/%Y}: {registered.directives} nhiệm vụ, "
        f"{registered.assignments} lượt giao cho đơn vị."
    )


def _follow_up(registered: Registered) -> str:
    """Start the follow-up as the CLI does; a failure loses nothing, and the page says so."""
    start = follow_up_after_registering(notice_id=registered.notice_id, number=registered.number)
    return start.text if start.ok else f"Chú ý: {start.text}"


@router.get("/don-vi/tim")
def find_units(user: SignedIn, q: str = "") -> Response:
    """Units and groups matching a few typed letters (code, name), for the review form."""
    with ready_session() as session:
        hits = search_units(session=session, query=q[:100])
    return JSONResponse(jsonable_encoder({"units": [h.to_json() for h in hits]}))
