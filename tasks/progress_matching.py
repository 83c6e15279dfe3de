"""Finding what a row of a progress table is about: the assignment (by its id, or by notice
number + ref + unit as the clerk writes them) and the period it reports on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models.limits import is_db_id
from models.notice import Assignment, Directive, DueKind, Notice
from models.unit import Unit
from tasks.errors import InputError
from tasks.fileio import short_text
from tasks.periods import RECURRING_PERIODS, parse_period_key, period_key
from tasks.progress_table import LABELS, TRIPLE, cell_text
from tasks.unit_matching import name_key


def _ref_key(text: str) -> str:
    return text.strip().rstrip(".)").strip().casefold()


def _number_key(text: str) -> str:
    return text.replace(" ", "").casefold()


def _unit_keys(unit: Unit) -> set[str]:
    """The comparable forms of a unit's name and aliases (with and without "UBND")."""
    keys: set[str] = set()
    for name in [unit.name, *unit.aliases]:
        key = name_key(name)
        keys.add(key)
        if key.startswith("ubnd "):
            keys.add(key[5:])
    return keys


@dataclass
class RowTarget:
    """A resolved assignment and what the report shows about it."""

    assignment: Assignment
    directive: Directive
    notice: Notice
    unit: Unit


class TargetResolver:
    """Finds assignments by id or by notice number + ref + unit, with per-import caches."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._notices: dict[str, list[Notice]] | None = None

    def by_id(self, text: str) -> RowTarget:
        if not (text.isdigit() and len(text) <= 18):
            raise InputError(
                f"Mã nhiệm vụ «{short_text(text, 30)}» phải là một số (cột «Mã» của «dondoc status»)."
            )
        assignment_id = int(text)
        row = None
        if is_db_id(assignment_id):
            row = self.session.exec(
                select(Assignment, Directive, Notice, Unit)
                .join(Directive, col(Directive.id) == col(Assignment.directive_id))
                .join(Notice, col(Notice.id) == col(Directive.notice_id))
                .join(Unit, col(Unit.id) == col(Assignment.unit_id))
                .where(Assignment.id == assignment_id)
            ).first()
        if row is None:
            raise InputError(
                f"Không có nhiệm vụ giao mã {assignment_id}. Xem mã ở cột «Mã» của «dondoc status»."
            )
        return RowTarget(*row)

    def _notice(self, number: str) -> Notice:
        if self._notices is None:
            self._notices = {}
            for notice in self.session.exec(select(Notice)).all():
                if notice.number:
                    self._notices.setdefault(_number_key(notice.number), []).append(notice)
        found = self._notices.get(_number_key(number), [])
        if not found:
            raise InputError(
                f"Không có thông báo số «{number}» (xem «dondoc notice list»); sửa số thông báo."
            )
        if len(found) > 1:
            issuers = "; ".join(n.issuer for n in found)
            raise InputError(
                f"Có {len(found)} thông báo cùng số «{number}» ({issuers}); "
                "ghi mã nhiệm vụ thay cho số thông báo, mục và đơn vị."
            )
        return found[0]

    def by_triple(self, number: str, ref: str, unit_text: str) -> RowTarget:
        notice = self._notice(number)
        directives = self.session.exec(
            select(Directive)
            .where(Directive.notice_id == notice.id)
            .order_by(col(Directive.position))
        ).all()
        matching = [d for d in directives if d.ref and _ref_key(d.ref) == _ref_key(ref)]
        if not matching:
            refs = ", ".join(d.ref for d in directives if d.ref) or "(không có)"
            raise InputError(f"Thông báo {notice.number} không có mục «{ref}»; các mục: {refs}.")
        rows = self.session.exec(
            select(Assignment, Directive, Unit)
            .join(Directive, col(Directive.id) == col(Assignment.directive_id))
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .where(col(Assignment.directive_id).in_([d.id for d in matching]))
            .order_by(col(Unit.code))
        ).all()
        code = unit_text.strip().upper()
        chosen = [r for r in rows if r[2].code.upper() == code]
        if not chosen:
            key = name_key(unit_text)
            chosen = [r for r in rows if key in _unit_keys(r[2])]
        if len(chosen) != 1:
            given = ", ".join(f"{u.name} ({u.code})" for _a, _d, u in rows) or "(không có)"
            if chosen:
                reason = f"tên «{unit_text}» khớp với nhiều đơn vị được giao; ghi mã đơn vị"
            else:
                reason = (
                    f"mục {ref} không giao cho đơn vị «{unit_text}»; sửa tên hoặc ghi mã đơn vị"
                )
            raise InputError(
                f"Thông báo {notice.number}: {reason}. Các đơn vị được giao mục này: {given}."
            )
        assignment, directive, unit = chosen[0]
        return RowTarget(assignment, directive, notice, unit)


def period_covered(directive: Directive, on: date, period: str | None) -> str | None:
    """The period a report covers, as record_progress will store it (None if not recurring)."""
    if directive.due_kind != DueKind.RECURRING or directive.recurrence not in RECURRING_PERIODS:
        return None
    recurrence = directive.recurrence
    try:
        return parse_period_key(recurrence, period) if period else period_key(recurrence, on)
    except InputError:
        return period  # record_progress reports the bad period


def row_target(resolver: TargetResolver, cells: dict[str, Any]) -> RowTarget:
    """The assignment a row is about: by its id, or by notice number + ref + unit."""
    id_text = cell_text(cells.get("assignment_id"))
    triple = [cell_text(cells.get(k)) for k in TRIPLE]
    if id_text:
        target = resolver.by_id(id_text)
        if all(triple):
            other = resolver.by_triple(*triple)
            if other.assignment.id != target.assignment.id:
                raise InputError(
                    f"Mã nhiệm vụ {target.assignment.id} (mục {target.directive.ref} của thông báo "
                    f"{target.notice.number}, {target.unit.name}) không khớp với số thông báo, "
                    f"mục, đơn vị trên cùng dòng (nhiệm vụ giao {other.assignment.id}); sửa một "
                    "trong hai."
                )
        return target
    if all(triple):
        return resolver.by_triple(*triple)
    lacking = [f"«{LABELS[k]}»" for k, text in zip(TRIPLE, triple, strict=True) if not text]
    raise InputError(
        f"Thiếu mã nhiệm vụ; hoặc ghi đủ số thông báo, mục và đơn vị (đang thiếu {', '.join(lacking)})."
    )
