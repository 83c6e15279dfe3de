"""Reading a unit directory file (YAML with units and groups, or a CSV of units) into plain
records, and checking each value (codes, kinds, contacts) before anything is stored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.delivery import Delivery
from models.unit import UNIT_KINDS
from tasks.errors import InputError
from tasks.fileio import LINE_KEY, load_csv, load_yaml, short_text

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,63}$")
# A contact becomes an outbox recipient, so it must fit that column.
CONTACT_MAX_LENGTH = Delivery.__table__.c.recipient.type.length  # type: ignore[attr-defined]
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit
# An address as government mail systems write it: a dot-atom local part of at most 64 letters,
# digits and . _ + -, and a domain of labels with a letter TLD (punycode "xn--" labels too).
EMAIL_RE = re.compile(
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9._+-]{1,64}(?<!\.)@"
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
LIST_SEP = "|"


@dataclass
class UnitRow:
    """One unit as a directory file gives it, checked; ``where`` is its file:line."""

    code: str
    name: str
    kind: str
    parent: str | None
    aliases: list[str]
    contacts: list[str]
    head: dict[str, Any]
    active: bool
    where: str


def as_list(value: Any, where: str, field_name: str) -> list[str]:
    """A list field written either as a YAML list or as one "a|b|c" cell."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(LIST_SEP) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise InputError(f"Trường «{field_name}» phải là một danh sách chuỗi.", where=where)


def contact_problem(url: str) -> str | None:
    """None when ``url`` is a contact reminders can be sent to, else what is wrong with it.

    Accepted: ``mailto://`` or ``mailtos://`` with one e-mail address, and the ``zalo://`` forms
    notifications/zalo.py sends to (``zalo://oa/<user id>``, ``zalo://zns/<phone>?template=<id>``).
    A contact becomes an outbox row's recipient (500 characters)."""
    if len(url) > CONTACT_MAX_LENGTH:
        return f"dài {len(url)} ký tự, tối đa {CONTACT_MAX_LENGTH} ký tự"
    scheme, sep, rest = url.partition("://")
    if not sep:
        return (
            "không phải URL Apprise. Ví dụ: mailto://vanthu@example.gov.vn, "
            "zalo://oa/123456789 hoặc zalo://zns/0912345678?template=231145"
        )
    if scheme in ("mailto", "mailtos"):
        if len(rest) > EMAIL_MAX_LENGTH or not EMAIL_RE.match(rest):
            return (
                f"«{short_text(rest, 60)}» không phải một địa chỉ thư điện tử hợp lệ "
                f"(dạng ten@coquan.gov.vn, tối đa {EMAIL_MAX_LENGTH} ký tự)"
            )
        return None
    if scheme == "zalo":
        from notifications.zalo import validate_zalo_url

        return validate_zalo_url(url)
    return (
        f"kiểu liên hệ «{short_text(scheme, 20)}://» không dùng được: chỉ nhận mailto://, "
        "mailtos:// (thư điện tử) hoặc zalo:// (Zalo)"
    )


def _check_contacts(urls: list[str], where: str, field_name: str) -> list[str]:
    for url in urls:
        problem = contact_problem(url)
        if problem:
            raise InputError(
                f"Trường «{field_name}»: liên hệ «{short_text(url, 80)}»: {problem.rstrip('.')}. "
                "Sửa lại rồi nhập lại cả tệp; chưa nhập gì.",
                where=where,
            )
    return urls


def _unit_row(raw: dict[str, Any], parent: str | None, where: str) -> UnitRow:
    if not isinstance(raw, dict):
        raise InputError(
            "Mỗi đơn vị phải là một bảng khóa: giá trị (code, name, kind…).", where=where
        )
    code = str(raw.get("code") or "").strip()
    name = str(raw.get("name") or "").strip()
    kind = str(raw.get("kind") or "").strip()
    if not code:
        raise InputError("Thiếu trường bắt buộc «code» (mã đơn vị).", where=where)
    if not CODE_RE.match(code):
        raise InputError(
            f"Mã «{code}» không hợp lệ: chỉ dùng chữ in hoa không dấu, chữ số, '-', '_' hoặc '.'.",
            where=where,
        )
    if not name:
        raise InputError(f"Đơn vị {code}: thiếu trường bắt buộc «name» (tên đơn vị).", where=where)
    if kind not in UNIT_KINDS:
        raise InputError(
            f"Đơn vị {code}: loại «{kind}» không hợp lệ; chọn một trong: {', '.join(UNIT_KINDS)}.",
            where=where,
        )
    head = raw.get("head") or {}
    head_field = "head.contacts"
    if "head_name" in raw or "head_title" in raw or "head_contacts" in raw:  # CSV columns
        head_field = "head_contacts"
        head = {
            "name": raw.get("head_name") or None,
            "title": raw.get("head_title") or None,
            "contacts": as_list(raw.get("head_contacts"), where, head_field),
        }
    if not isinstance(head, dict):
        raise InputError(
            f"Đơn vị {code}: «head» phải có dạng {{name, title, contacts}}.", where=where
        )
    head = {k: v for k, v in head.items() if k != LINE_KEY and v not in (None, "", [])}
    _check_contacts(as_list(head.get("contacts"), where, head_field), where, head_field)
    active = raw.get("active", True)
    if isinstance(active, str):
        active = active.strip().lower() not in ("0", "false", "no", "không", "khong")
    return UnitRow(
        code=code,
        name=unicodedata.normalize("NFC", name),
        kind=kind,
        parent=parent if parent is not None else (str(raw.get("parent") or "").strip() or None),
        aliases=as_list(raw.get("aliases"), where, "aliases"),
        contacts=_check_contacts(
            as_list(raw.get("contacts"), where, "contacts"), where, "contacts"
        ),
        head=head,
        active=bool(active),
        where=where,
    )


def _flatten_yaml_units(items: Any, parent: str | None, path: Path, out: list[UnitRow]) -> None:
    if not isinstance(items, list):
        raise InputError("«units» (và «children») phải là một danh sách.", where=str(path))
    for raw in items:
        where = f"{path}:{raw.get(LINE_KEY, '?')}" if isinstance(raw, dict) else str(path)
        row = _unit_row(raw, parent, where)
        out.append(row)
        if raw.get("children"):
            _flatten_yaml_units(raw["children"], row.code, path, out)


def read_directory_file(path: Path) -> tuple[list[UnitRow], list[dict[str, Any]]]:
    """Parse a directory file (YAML with units and groups, or CSV of units) without touching the DB."""
    suffix = path.suffix.lower()
    rows: list[UnitRow] = []
    groups: list[dict[str, Any]] = []
    if suffix in (".yaml", ".yml"):
        data = load_yaml(path)
        if not isinstance(data, dict) or not ({"units", "groups"} & data.keys()):
            raise InputError(
                "Tệp danh mục cần khóa «units:» (danh sách đơn vị) và/hoặc «groups:».",
                where=str(path),
            )
        _flatten_yaml_units(data.get("units") or [], None, path, rows)
        groups = data.get("groups") or []
        if not isinstance(groups, list):
            raise InputError("«groups» phải là một danh sách.", where=str(path))
    elif suffix == ".csv":
        for raw in load_csv(path):
            rows.append(_unit_row(raw, None, f"{path}:{raw[LINE_KEY]}"))
        if rows and "code" not in load_csv(path)[0]:
            raise InputError("Tệp CSV cần cột «code».", where=str(path))
    else:
        raise InputError(
            f"Không đọc được «{path.name}»: danh mục đơn vị phải là tệp .yaml, .yml hoặc .csv."
        )
    seen: dict[str, str] = {}
    for row in rows:
        if row.code in seen:
            raise InputError(
                f"Mã «{row.code}» xuất hiện hai lần (lần đầu ở {seen[row.code]}).", where=row.where
            )
        seen[row.code] = row.where
    return rows, groups
