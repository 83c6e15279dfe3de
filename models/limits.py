"""Column limits checked once, in the model, on every ORM flush.

SQLModel ``table=True`` classes skip pydantic validation, and SQLite stores a string longer
than its VARCHAR, a NUL character or a 64-bit integer without a word, where PostgreSQL refuses
them with a DataError. So before each flush every new or changed row is checked here: the
length of each ``String(n)`` value, NUL characters in any text (JSON lists and mappings too),
and ``Integer`` values within PostgreSQL's 32-bit INTEGER. A violation is an InputError that
names the field in Vietnamese and the limit; nothing is written.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, SmallInteger, String, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator

from tasks.errors import InputError

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# What the clerk calls each table and field (the column name follows in brackets).
TABLE_LABELS = {
    "unit": "Đơn vị",
    "unit_group": "Nhóm đơn vị",
    "notice": "Thông báo",
    "directive": "Nhiệm vụ",
    "assignment": "Nhiệm vụ giao",
    "progress_update": "Báo cáo tiến độ",
    "extension_request": "Đề nghị gia hạn",
    "reminder": "Mốc nhắc việc",
    "delivery": "Thư đi",
    "audit_event": "Nhật ký",
}
FIELD_LABELS = {
    "code": "mã",
    "name": "tên đơn vị",
    "kind": "loại đơn vị",
    "aliases": "tên khác",
    "contacts": "liên hệ",
    "head": "lãnh đạo đơn vị",
    "members": "thành viên",
    "number": "số văn bản",
    "doc_type": "loại văn bản",
    "issuer": "cơ quan ban hành",
    "place": "địa danh",
    "title": "trích yếu",
    "chair": "người chủ trì",
    "signer": "người ký",
    "recipients": "nơi nhận",
    "addressees": "kính gửi",
    "source_file": "tệp gốc",
    "ref": "mục",
    "text": "nội dung",
    "due_text": "thời hạn",
    "report_to": "nơi báo cáo",
    "position": "thứ tự",
    "evidence": "tài liệu kiểm chứng",
    "note": "ghi chú",
    "period": "kỳ",
    "recorded_by": "người ghi nhận",
    "reason": "lý do",
    "decided_by": "người quyết định",
    "decision_note": "ghi chú của lãnh đạo",
    "recipient": "người nhận",
    "subject": "tiêu đề",
    "actor": "người thao tác",
}
# Per-table exceptions to the labels above.
_TABLE_FIELD_LABELS = {("unit_group", "name"): "tên nhóm"}


def is_db_id(value: int) -> bool:
    """True when ``value`` can be a row id (a positive 32-bit INTEGER)."""
    return 1 <= value <= INT32_MAX


def _label(table: str, column: str) -> str:
    label = _TABLE_FIELD_LABELS.get((table, column)) or FIELD_LABELS.get(column, column)
    return f"«{label}» ({column})"


@cache
def _checks(mapper: Any) -> tuple[tuple[str, str, str, int | None], ...]:
    """(attribute, column, kind, limit) of every column of a mapped class worth checking."""
    out = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        kind_of = column.type
        if isinstance(kind_of, TypeDecorator):  # SQLModel's AutoString wraps a String
            kind_of = kind_of.impl_instance
        if isinstance(kind_of, String):
            out.append((attr.key, column.name, "text", kind_of.length))
        elif isinstance(kind_of, JSON):
            out.append((attr.key, column.name, "json", None))
        elif isinstance(kind_of, Integer) and not isinstance(kind_of, BigInteger | SmallInteger):
            out.append((attr.key, column.name, "int", None))
    return tuple(out)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def check_row(obj: Any) -> None:
    """Raise InputError when a value of this mapped object does not fit its column."""
    mapper = inspect(obj).mapper
    table = mapper.local_table.name
    for key, column, kind, limit in _checks(mapper):
        value = obj.__dict__.get(key)
        if value is None:
            continue
        problem = None
        if kind == "int" and not isinstance(value, bool) and isinstance(value, int):
            if not INT32_MIN <= value <= INT32_MAX:
                problem = f"là {value}, ngoài khoảng {INT32_MIN} đến {INT32_MAX}"
        elif kind != "int" and _has_nul(value):
            problem = "chứa ký tự NUL (\\0), không lưu được; xóa ký tự đó"
        elif limit is not None and isinstance(value, str) and len(value) > limit:
            shown = value[:40] + "…"
            problem = f"«{shown}» dài {len(value)} ký tự, tối đa {limit} ký tự; hãy rút gọn"
        if problem:
            raise InputError(
                f"{TABLE_LABELS.get(table, table)}{_which(obj)}: {_label(table, column)} "
                f"{problem}. Chưa ghi gì."
            )


def _which(obj: Any) -> str:
    """The row's name for the message: its code or number when it has one."""
    for key in ("code", "number"):
        value = obj.__dict__.get(key)
        if isinstance(value, str) and value and len(value) <= 100 and "\x00" not in value:
            return f" {value}"
    return ""


@event.listens_for(OrmSession, "before_flush")
def _check_limits(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Every new or changed row is checked before anything is sent to the database."""
    for obj in (*session.new, *session.dirty):
        check_row(obj)
