"""The unit directory: the tree and its groups, one unit (contacts with phone numbers
masked, its open assignments), and importing a YAML/CSV directory file with the checks of
``dondoc units import``."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from models.base import utcnow
from notifications.channels import mask_recipient
from services.accounts import CAN_CHANGE
from services.database import ready_session
from services.secretariat import unit_detail
from services.unit_links import valid_link
from services.units import UnitRow, import_units, list_units
from tasks.errors import DondocError, InputError
from web.pages.assignments import changing, finish, not_found
from web.render import page
from web.security import SignedIn, check_csrf

router = APIRouter()

MAX_BYTES = 2 * 1024 * 1024
SUFFIXES = (".yaml", ".yml", ".csv")
KIND_LABELS = {
    "province": "tỉnh",
    "district": "huyện",
    "commune": "xã",
    "department": "sở, phòng",
    "office": "văn phòng",
    "agency": "cơ quan",
    "person": "cá nhân",
}


def _masked(u: UnitRow) -> dict[str, Any]:
    return {**u.to_json(), "contacts": [mask_recipient(c) for c in u.contacts]}


@router.get("/don-vi")
def units_page(request: Request, user: SignedIn) -> Response:
    with ready_session() as session:
        listing = list_units(session=session)
    return page(
        request,
        "units.html.j2",
        {
            "title": "Danh mục đơn vị",
            "user": user,
            "listing": listing,
            "can_change": user.role in CAN_CHANGE,
            "max_mb": MAX_BYTES // (1024 * 1024),
        },
        json={
            "units": [_masked(u) for u in listing.units],
            "groups": [{"code": g.code, "name": g.name} for g in listing.groups],
        },
    )


@router.get("/don-vi/{code}")
def unit_page(request: Request, user: SignedIn, code: str) -> Response:
    with ready_session() as session:
        unit = unit_detail(session=session, code=code)
        link = (
            valid_link(session=session, unit_id=unit.id, now=utcnow()) if unit is not None else None
        )
    if unit is None:
        raise not_found(f"đơn vị mã «{code}»")
    # The link opens the unit's page without an account: its address is shown to those who
    # may send it or revoke it, not to leaders (they see whether it is valid and used).
    shown = link.to_json() if link is not None else None
    if shown is not None and user.role not in CAN_CHANGE:
        shown.pop("url")
    return page(
        request,
        "unit.html.j2",
        {
            "title": unit.name,
            "user": user,
            "unit": unit,
            "unit_link": link,
            "kinds": KIND_LABELS,
        },
        json={**unit.to_json(), "unit_link": shown},
    )


def _safe_name(client_name: str) -> str:
    """The uploaded file's own name (never a path: no folders, no leading dot), kept so that
    the import's messages name the clerk's file and its suffix picks the reader."""
    name = re.split(r"[\\/]", client_name)[-1].strip().lstrip(".")
    name = re.sub(r"[^\w.\- ]", "_", name)[:100]
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"Không đọc được «{client_name}»: danh mục đơn vị phải là tệp .yaml, .yml hoặc .csv."
        )
    return name if Path(name).stem else f"danh-muc{suffix}"


@router.post("/don-vi/nhap", dependencies=[Depends(check_csrf)])
def import_page(request: Request, user: SignedIn, file: Annotated[UploadFile, File()]) -> Response:
    with changing(user) as session:
        name = _safe_name(file.filename or "")
        data = file.file.read(MAX_BYTES + 1)  # never more than one byte past the limit
        if len(data) > MAX_BYTES:
            raise InputError(
                f"Tệp «{name}» lớn hơn {MAX_BYTES // (1024 * 1024)} MB; "
                "danh mục đơn vị không cần lớn như vậy. Không nhập gì."
            )
        with tempfile.TemporaryDirectory(prefix="dondoc-units-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                report = import_units(session=session, path=path)
            except DondocError as exc:
                # The messages name the temporary copy; the clerk knows only the file's name.
                raise InputError(str(exc).replace(f"{folder}/", "")) from None
    message = (
        f"Đã nhập «{name}»: {report.created} đơn vị mới, {report.updated} cập nhật, "
        f"{report.unchanged} không đổi; {report.groups_created} nhóm mới, "
        f"{report.groups_updated} nhóm cập nhật."
    )
    return finish(request, "/don-vi", message, {"report": report.__dict__})
