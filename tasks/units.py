"""The unit directory in the database: importing a directory file, reading it back for
matching names, and listing it as a tree.

Parsing the file lives in ``tasks.unit_files`` and matching names in ``tasks.unit_matching``;
their public names are importable from here too, as callers have always done.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, delete, select

from models.unit import GOVERNMENT_KINDS, UNIT_KINDS, Unit, UnitGroup, UnitGroupMember
from tasks.errors import InputError
from tasks.fileio import LINE_KEY
from tasks.unit_files import (
    CODE_RE,
    CONTACT_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    EMAIL_RE,
    LIST_SEP,
    UnitRow,
    as_list,
    contact_problem,
    read_directory_file,
)
from tasks.unit_matching import Match, UnitIndex, name_key

__all__ = [
    "CODE_RE",
    "CONTACT_MAX_LENGTH",
    "EMAIL_MAX_LENGTH",
    "EMAIL_RE",
    "GOVERNMENT_KINDS",
    "LIST_SEP",
    "Directory",
    "ImportReport",
    "Match",
    "UnitIndex",
    "UnitRow",
    "contact_problem",
    "import_directory",
    "name_key",
    "read_directory_file",
    "refresh_group_members",
    "unit_tree",
]

# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    groups_updated: int = 0


def import_directory(*, session: Session, path: Path) -> ImportReport:
    """Create or update units and groups from a file; re-importing updates by code.

    Raises InputError before anything is written when the file is wrong; the caller's
    transaction is rolled back on any later error.
    """
    rows, groups = read_directory_file(path)
    report = ImportReport()
    existing = {u.code: u for u in session.exec(select(Unit)).all()}
    file_codes = {r.code for r in rows}
    for row in rows:
        if row.parent and row.parent not in file_codes and row.parent not in existing:
            raise InputError(
                f"Đơn vị {row.code}: đơn vị cha «{row.parent}» không có trong tệp hay trong danh mục.",
                where=row.where,
            )
    # Pass 1: create or update the units themselves; pass 2: link parents (any order in a file).
    by_code = dict(existing)
    for row in rows:
        unit = by_code.get(row.code)
        values: dict[str, Any] = {
            "name": row.name,
            "kind": row.kind,
            "aliases": row.aliases,
            "contacts": row.contacts,
            "head": row.head,
            "active": row.active,
        }
        if unit is None:
            unit = Unit(code=row.code, **values)
            session.add(unit)
            by_code[row.code] = unit
            report.created += 1
        else:
            changed = _update(unit, values)
            report.updated += changed
            report.unchanged += not changed
    session.flush()
    for row in rows:
        unit = by_code[row.code]
        parent_id = by_code[row.parent].id if row.parent else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
    session.flush()
    _check_no_cycles(session, rows)
    _import_groups(session=session, groups=groups, path=path, report=report, by_code=by_code)
    refresh_group_members(session=session)
    return report


def _update(row: SQLModel, values: dict[str, Any]) -> bool:
    """Set the values that differ from the row's (a re-import leaves the rest untouched);
    whether there were any."""
    changes = {key: value for key, value in values.items() if getattr(row, key) != value}
    row.sqlmodel_update(changes)
    return bool(changes)


def _check_no_cycles(session: Session, rows: list[UnitRow]) -> None:
    parents = dict(session.exec(select(Unit.id, Unit.parent_id)).all())
    codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    where = {r.code: r.where for r in rows}
    for start in parents:
        seen = {start}
        node = parents[start]
        while node is not None:
            if node in seen:
                code = codes[start]
                raise InputError(
                    f"Đơn vị {code} nằm trong một vòng cha–con; sửa trường «parent».",
                    where=where.get(code),
                )
            seen.add(node)
            node = parents.get(node)


def _import_groups(
    *,
    session: Session,
    groups: list[Any],
    path: Path,
    report: ImportReport,
    by_code: dict[str, Unit],
) -> None:
    existing = {g.code: g for g in session.exec(select(UnitGroup)).all()}
    seen: set[str] = set()
    for raw in groups:
        where = f"{path}:{raw.get(LINE_KEY, '?')}" if isinstance(raw, dict) else str(path)
        if not isinstance(raw, dict):
            raise InputError("Mỗi nhóm phải là một bảng khóa: giá trị.", where=where)
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        if not code or not CODE_RE.match(code):
            raise InputError(f"Nhóm: mã «{code}» thiếu hoặc không hợp lệ.", where=where)
        if code in seen:
            raise InputError(f"Mã nhóm «{code}» xuất hiện hai lần.", where=where)
        seen.add(code)
        if not name:
            raise InputError(f"Nhóm {code}: thiếu trường «name».", where=where)
        scope_code = str(raw.get("scope") or "").strip() or None
        if scope_code and scope_code not in by_code:
            raise InputError(
                f"Nhóm {code}: phạm vi «{scope_code}» không phải mã đơn vị.", where=where
            )
        member_kinds = as_list(raw.get("member_kinds"), where, "member_kinds")
        bad = [k for k in member_kinds if k not in UNIT_KINDS]
        if bad:
            raise InputError(f"Nhóm {code}: loại đơn vị «{bad[0]}» không hợp lệ.", where=where)
        members = as_list(raw.get("members"), where, "members")
        missing = [m for m in members if m not in by_code]
        if missing:
            raise InputError(
                f"Nhóm {code}: thành viên «{missing[0]}» không phải mã đơn vị.", where=where
            )
        values: dict[str, Any] = {
            "name": unicodedata.normalize("NFC", name),
            "scope_id": by_code[scope_code].id if scope_code else None,
            "aliases": as_list(raw.get("aliases"), where, "aliases"),
            "member_kinds": member_kinds,
            "members": members,
        }
        group = existing.get(code)
        if group is None:
            group = UnitGroup(code=code, **values)
            session.add(group)
            report.groups_created += 1
        else:
            report.groups_updated += _update(group, values)
    session.flush()


def refresh_group_members(*, session: Session) -> None:
    """Rebuild every group's membership: its explicit members plus the active units of its
    member kinds anywhere below its scope."""
    units = session.exec(select(Unit)).all()
    by_code = {u.code: u for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    session.exec(delete(UnitGroupMember))
    for group in session.exec(select(UnitGroup)).all():
        member_ids = {by_code[c].id for c in group.members if c in by_code}
        if group.member_kinds:
            stack = list(children.get(group.scope_id, [])) if group.scope_id else list(units)
            while stack:
                u = stack.pop()
                if u.kind in group.member_kinds and u.active:
                    member_ids.add(u.id)
                if group.scope_id:
                    stack.extend(children.get(u.id, []))
        assert group.id is not None  # a stored row
        for unit_id in sorted(i for i in member_ids if i is not None):
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
    session.flush()


# --------------------------------------------------------------------------- reading back


class Directory(UnitIndex):
    """The unit index, read from the database."""

    @classmethod
    def load(cls, session: Session) -> Directory:
        """Read the whole directory (units, groups, memberships) in three queries."""
        units = {u.id: u for u in session.exec(select(Unit)).all() if u.id is not None}
        groups = {g.id: g for g in session.exec(select(UnitGroup)).all() if g.id is not None}
        members: dict[int, list[int]] = {}
        for gid, uid in session.exec(
            select(UnitGroupMember.group_id, UnitGroupMember.unit_id)
        ).all():
            members.setdefault(gid, []).append(uid)
        return cls(units=units, groups=groups, members=members)


# --------------------------------------------------------------------------- listing


def unit_tree(*, session: Session) -> list[tuple[int, Unit]]:
    """The directory as (depth, unit) rows in tree order, children sorted by code."""
    units = session.exec(select(Unit)).all()
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out: list[tuple[int, Unit]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda x: x.code):
            out.append((depth, u))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out
