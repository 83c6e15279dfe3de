"""The unit directory: importing it, showing it, and matching names as documents write them."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, delete, select

from models.delivery import Delivery
from models.unit import GOVERNMENT_KINDS, UNIT_KINDS, Unit, UnitGroup, UnitGroupMember
from tasks.errors import AmbiguousUnitError, EmptyGroupError, InputError, UnitNotFoundError
from tasks.fileio import LINE_KEY, load_csv, load_yaml, short_text

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,63}$")
CONTACT_MAX_LENGTH = Delivery.__table__.c.recipient.type.length  # a contact becomes one
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit
# An address as government mail systems write it: a dot-atom local part of at most 64 letters,
# digits and . _ + -, and a domain of labels with a letter TLD (punycode "xn--" labels too).
EMAIL_RE = re.compile(
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9._+-]{1,64}(?<!\.)@"
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
LIST_SEP = "|"

# Long forms and their abbreviations are made equal by writing both the same way.
_EQUIVALENTS = [
    (re.compile(r"\bu[ỷỷ]\s*ban\s+nhân\s+dân\b"), "ubnd"),
    (re.compile(r"\bủy\s*ban\s+nhân\s+dân\b"), "ubnd"),
    (re.compile(r"\bhội\s+đồng\s+nhân\s+dân\b"), "hđnd"),
    (re.compile(r"\bvăn\s+phòng\b"), "vp"),
    (re.compile(r"\bthành\s+phố\b"), "tp"),
]
_DROP_WORDS = {"các", "những"}


def name_key(name: str) -> str:
    """The comparable form of a unit name: NFC, case-folded, abbreviations unified.

    Diacritics are kept: "Nội vụ" and "Nối vụ" are different names.
    """
    s = unicodedata.normalize("NFC", name).casefold()
    s = s.replace("uỷ", "ủy")  # old-style tone placement
    for pattern, short in _EQUIVALENTS:
        s = pattern.sub(short, s)
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(w for w in s.split() if w not in _DROP_WORDS)


def _without_ubnd(key: str) -> str | None:
    return key[5:] if key.startswith("ubnd ") else None


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    groups_updated: int = 0


@dataclass
class _UnitRow:
    code: str
    name: str
    kind: str
    parent: str | None
    aliases: list[str]
    contacts: list[str]
    head: dict[str, Any]
    active: bool
    where: str


def _as_list(value: Any, where: str, field_name: str) -> list[str]:
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


def _unit_row(raw: dict[str, Any], parent: str | None, where: str) -> _UnitRow:
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
            "contacts": _as_list(raw.get("head_contacts"), where, head_field),
        }
    if not isinstance(head, dict):
        raise InputError(
            f"Đơn vị {code}: «head» phải có dạng {{name, title, contacts}}.", where=where
        )
    head = {k: v for k, v in head.items() if k != LINE_KEY and v not in (None, "", [])}
    _check_contacts(_as_list(head.get("contacts"), where, head_field), where, head_field)
    active = raw.get("active", True)
    if isinstance(active, str):
        active = active.strip().lower() not in ("0", "false", "no", "không", "khong")
    return _UnitRow(
        code=code,
        name=unicodedata.normalize("NFC", name),
        kind=kind,
        parent=parent if parent is not None else (str(raw.get("parent") or "").strip() or None),
        aliases=_as_list(raw.get("aliases"), where, "aliases"),
        contacts=_check_contacts(
            _as_list(raw.get("contacts"), where, "contacts"), where, "contacts"
        ),
        head=head,
        active=bool(active),
        where=where,
    )


def _flatten_yaml_units(items: Any, parent: str | None, path: Path, out: list[_UnitRow]) -> None:
    if not isinstance(items, list):
        raise InputError("«units» (và «children») phải là một danh sách.", where=str(path))
    for raw in items:
        where = f"{path}:{raw.get(LINE_KEY, '?')}" if isinstance(raw, dict) else str(path)
        row = _unit_row(raw, parent, where)
        out.append(row)
        if raw.get("children"):
            _flatten_yaml_units(raw["children"], row.code, path, out)


def read_directory_file(path: Path) -> tuple[list[_UnitRow], list[dict[str, Any]]]:
    """Parse a directory file (YAML with units and groups, or CSV of units) without touching the DB."""
    suffix = path.suffix.lower()
    rows: list[_UnitRow] = []
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
        values = {
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
            changed = False
            for key, value in values.items():
                if getattr(unit, key) != value:
                    setattr(unit, key, value)
                    changed = True
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


def _check_no_cycles(session: Session, rows: list[_UnitRow]) -> None:
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
        member_kinds = _as_list(raw.get("member_kinds"), where, "member_kinds")
        bad = [k for k in member_kinds if k not in UNIT_KINDS]
        if bad:
            raise InputError(f"Nhóm {code}: loại đơn vị «{bad[0]}» không hợp lệ.", where=where)
        members = _as_list(raw.get("members"), where, "members")
        missing = [m for m in members if m not in by_code]
        if missing:
            raise InputError(
                f"Nhóm {code}: thành viên «{missing[0]}» không phải mã đơn vị.", where=where
            )
        values = {
            "name": unicodedata.normalize("NFC", name),
            "scope_id": by_code[scope_code].id if scope_code else None,
            "aliases": _as_list(raw.get("aliases"), where, "aliases"),
            "member_kinds": member_kinds,
            "members": members,
        }
        group = existing.get(code)
        if group is None:
            group = UnitGroup(code=code, **values)
            session.add(group)
            report.groups_created += 1
        else:
            changed = False
            for key, value in values.items():
                if getattr(group, key) != value:
                    setattr(group, key, value)
                    changed = True
            report.groups_updated += changed
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
        for unit_id in sorted(i for i in member_ids if i is not None):
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
    session.flush()


# --------------------------------------------------------------------------- matching


@dataclass
class Match:
    """The units a name written in a document stands for."""

    written: str
    unit_ids: list[int]
    group_code: str | None = None
    unit_code: str | None = None


@dataclass
class _Entry:
    kind: str  # "unit" | "group"
    id: int
    code: str
    label: str
    anchor: int | None  # the unit the entry sits at (the unit itself, or the group's scope)


@dataclass
class Directory:
    """An in-memory index of the unit directory for matching names (built with one query each)."""

    units: dict[int, Unit]
    groups: dict[int, UnitGroup]
    members: dict[int, list[int]]
    by_key: dict[str, list[_Entry]] = field(default_factory=dict)
    by_code: dict[str, _Entry] = field(default_factory=dict)

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
        directory = cls(units=units, groups=groups, members=members)
        directory._index()
        return directory

    def _add(self, key: str, entry: _Entry) -> None:
        bucket = self.by_key.setdefault(key, [])
        if all((e.kind, e.id) != (entry.kind, entry.id) for e in bucket):
            bucket.append(entry)

    def _index(self) -> None:
        for u in self.units.values():
            if not u.active:
                continue
            entry = _Entry("unit", u.id, u.code, u.name, u.id)  # type: ignore[arg-type]
            self.by_code[u.code.upper()] = entry
            for name in [u.name, *u.aliases]:
                key = name_key(name)
                self._add(key, entry)
                if (short := _without_ubnd(key)) and u.kind in GOVERNMENT_KINDS:
                    self._add(short, entry)
        for g in self.groups.values():
            entry = _Entry("group", g.id, g.code, g.name, g.scope_id)  # type: ignore[arg-type]
            self.by_code[g.code.upper()] = entry
            for name in [g.name, *g.aliases]:
                self._add(name_key(name), entry)

    # -- tree helpers
    def ancestors(self, unit_id: int | None) -> list[int]:
        """The unit and its ancestors, nearest first."""
        out: list[int] = []
        while unit_id is not None and unit_id not in out:
            out.append(unit_id)
            unit_id = self.units[unit_id].parent_id if unit_id in self.units else None
        return out

    def scope_of(self, unit_id: int | None) -> int | None:
        """The level of government a unit belongs to (itself when it is one)."""
        for uid in self.ancestors(unit_id):
            if self.units[uid].kind in GOVERNMENT_KINDS:
                return uid
        return unit_id

    def _rank(self, entry: _Entry, scope: int | None) -> int:
        """0: inside the scope; 1: inside the level above it (e.g. the province of a district);
        2: elsewhere. Matching prefers the lowest rank."""
        if scope is None:
            return 0
        chain = self.ancestors(entry.anchor)
        if scope in chain:
            return 0
        scope_chain = self.ancestors(scope)
        upper = self.scope_of(scope_chain[1]) if len(scope_chain) > 1 else None
        if entry.anchor in scope_chain or (upper is not None and upper in chain):
            return 1
        return 2

    def _describe(self, entry: _Entry) -> str:
        where = ""
        if entry.anchor is not None and entry.anchor in self.units:
            first = 1 if entry.kind == "unit" else 0
            top = [self.units[a].name for a in self.ancestors(entry.anchor)[first : first + 2]]
            where = f" – {' / '.join(top)}" if top else ""
        kind = "nhóm " if entry.kind == "group" else ""
        return f"{kind}«{entry.label}» (mã {entry.code}{where})"

    def resolve(self, written: str, *, scope: int | None = None) -> Match:
        """Find the unit(s) a name stands for.

        Args:
            written: the name as written ("UBND các xã, thị trấn", "Phòng Nội vụ", or a code).
            scope: the unit whose documents are being read (the issuer's level of government);
                among several matches, those inside it win.

        Raises:
            UnitNotFoundError: nothing matches (with the closest names as suggestions).
            AmbiguousUnitError: several units match equally well (write the code instead).
        """
        text = unicodedata.normalize("NFC", written).strip()
        entry = self.by_code.get(text.upper())
        if entry is None:
            key = name_key(text)
            # "UBND các xã, thị trấn" and "các xã, thị trấn" name the same thing.
            candidates = list(self.by_key.get(key, []))
            for extra in self.by_key.get(_without_ubnd(key) or "", []):
                if extra not in candidates:
                    candidates.append(extra)
            if not candidates:
                raise UnitNotFoundError(self._not_found_message(text, key))
            ranked = sorted(candidates, key=lambda e: self._rank(e, scope))
            best = self._rank(ranked[0], scope)
            top = [e for e in ranked if self._rank(e, scope) == best]
            if len(top) > 1:
                options = "; ".join(self._describe(e) for e in top)
                raise AmbiguousUnitError(
                    f"Tên «{text}» khớp với nhiều đơn vị: {options}. Hãy ghi mã đơn vị thay cho tên."
                )
            entry = top[0]
        if entry.kind == "unit":
            return Match(written=text, unit_ids=[entry.id], unit_code=entry.code)
        members = sorted(self.members.get(entry.id, []))
        if not members:
            raise EmptyGroupError(
                f"Nhóm «{entry.label}» (mã {entry.code}) chưa có đơn vị thành viên nào; "
                "bổ sung «members» hoặc «member_kinds» trong danh mục."
            )
        return Match(written=text, unit_ids=members, group_code=entry.code)

    def _not_found_message(self, text: str, key: str) -> str:
        close = difflib.get_close_matches(key, list(self.by_key), n=3, cutoff=0.8)
        hint = ""
        if close:
            names = ", ".join(sorted({self._describe(e) for k in close for e in self.by_key[k]}))
            hint = f" Có phải: {names}?"
        return (
            f"Không tìm thấy đơn vị «{text}» trong danh mục.{hint} "
            "Sửa tên, ghi mã đơn vị, hoặc thêm tên này vào «aliases» của đơn vị rồi nhập lại danh mục."
        )


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
