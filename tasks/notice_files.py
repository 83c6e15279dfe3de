"""Reading and checking a notice in its YAML form (a file the clerk writes, or the mapping an
extraction becomes) against the unit directory; nothing is stored here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from tasks.calendar import WorkCalendar
from tasks.deadlines import NO_DUE, DeadlineError, Due, DueKind, parse_deadline
from tasks.errors import (
    DondocError,
    EmptyGroupError,
    InputError,
    OutsideIssuerError,
    UnitNotFoundError,
)
from tasks.fileio import LINE_KEY, load_yaml, parse_date_value
from tasks.unit_matching import Match
from tasks.units import Directory

NOTICE_FIELDS = {
    "number",
    "doc_type",
    "issuer",
    "place",
    "issued_on",
    "title",
    "meeting_date",
    "chair",
    "signer",
    "recipients",
    "addressees",
    "directives",
    LINE_KEY,
}
DIRECTIVE_FIELDS = {
    "ref",
    "text",
    "lead_units",
    "support_units",
    "deadline",
    "report_to",
    LINE_KEY,
}


@dataclass
class DirectiveIn:
    """A directive as read from a file, its names resolved."""

    ref: str | None
    text: str
    due: Due
    lead: list[Match]
    support: list[Match]
    report_to: str | None
    report_to_unit_id: int | None
    position: int
    flags: list[str] = field(default_factory=list)


@dataclass
class NoticeIn:
    """A notice as read from a file, checked and resolved, not yet stored."""

    number: str | None
    doc_type: str
    issuer: str
    issuer_unit_id: int | None
    place: str | None
    issued_on: date
    title: str
    meeting_date: date | None
    chair: str | None
    signer: str | None
    recipients: list[str]
    addressees: list[str]
    directives: list[DirectiveIn] = field(default_factory=list)


class _Errors:
    """Collects every problem of a file so the clerk can fix them in one go."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: Any, message: str) -> None:
        where = self.path if line in (None, "?") else f"{self.path}:{line}"
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            head = f"Tệp có {len(self.items)} lỗi, chưa ghi gì vào cơ sở dữ liệu:"
            raise InputError("\n".join([head, *("  - " + i for i in self.items)]))


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _names(raw: dict[str, Any], key: str, line: Any, errors: _Errors) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    errors.add(
        line, f"«{key}» phải là một danh sách tên đơn vị, ví dụ: [Phòng Nội vụ, các xã, thị trấn]."
    )
    return []


def read_notice_file(
    *, session: Session, path: Path, calendar: WorkCalendar | None = None
) -> NoticeIn:
    """Parse and check a notice YAML file against the directory; store nothing.

    Raises InputError listing every problem (file:line and what to fix).
    """
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            "Tệp thông báo phải là một bảng khóa: giá trị (number, issuer, …).", where=str(path)
        )
    return notice_from_mapping(session=session, data=data, source=str(path), calendar=calendar)


def notice_from_mapping(
    *, session: Session, data: dict[str, Any], source: str, calendar: WorkCalendar | None = None
) -> NoticeIn:
    """Check a notice given as the YAML form's mapping (from a file or an extraction)."""
    errors = _Errors(source)
    top = data.get(LINE_KEY)
    for key in sorted(set(data) - NOTICE_FIELDS):
        errors.add(
            top,
            f"khóa «{key}» không được dùng; các khóa hợp lệ: {', '.join(sorted(NOTICE_FIELDS - {LINE_KEY}))}.",
        )
    if "number" not in data:
        errors.add(
            top,
            "thiếu «number» (số văn bản, ví dụ 54/TB-VP); ghi «number: null» nếu văn bản chưa có số.",
        )
    issuer = _text(data, "issuer")
    if not issuer:
        errors.add(top, "thiếu «issuer» (cơ quan ban hành).")
    issued_on: date | None = None
    if data.get("issued_on") is None:
        errors.add(top, "thiếu «issued_on» (ngày ban hành, ví dụ 2018-05-31).")
    else:
        try:
            issued_on = parse_date_value(data["issued_on"], field="issued_on")
        except InputError as exc:
            errors.add(top, exc.message)
    meeting_date = None
    if data.get("meeting_date") is not None:
        try:
            meeting_date = parse_date_value(data["meeting_date"], field="meeting_date")
        except InputError as exc:
            errors.add(top, exc.message)
    directory = Directory.load(session)
    issuer_unit_id: int | None = None
    scope: int | None = None
    if issuer:
        try:
            match = directory.resolve(issuer)
            if match.unit_code:
                issuer_unit_id = match.unit_ids[0]
                scope = directory.scope_of(issuer_unit_id)
        except UnitNotFoundError:
            pass  # an issuer outside the directory is allowed; names are then matched everywhere
        except DondocError as exc:
            errors.add(top, f"issuer: {exc.message}")
    # …except for a People's Committee the directory does not hold (another province's letter):
    # the names its document writes are its own units, so only codes are taken.
    outside = issuer if issuer and directory.outside_committee(issuer) else None
    raw_directives = data.get("directives")
    if not isinstance(raw_directives, list) or not raw_directives:
        errors.add(
            top, "thiếu «directives»: cần ít nhất một nhiệm vụ (text, lead_units, deadline)."
        )
        raw_directives = []
    number = _text(data, "number")
    notice = NoticeIn(
        number=number.replace(" ", "") if number else None,
        doc_type=_text(data, "doc_type") or "TB",
        issuer=issuer or "",
        issuer_unit_id=issuer_unit_id,
        place=_text(data, "place"),
        issued_on=issued_on or date.min,
        title=_text(data, "title") or "",
        meeting_date=meeting_date,
        chair=_text(data, "chair"),
        signer=_text(data, "signer"),
        recipients=_names(data, "recipients", top, errors),
        addressees=_names(data, "addressees", top, errors),
    )
    for position, raw in enumerate(raw_directives, start=1):
        item = _read_directive(
            raw, position, directory, scope, outside, issued_on, calendar, errors
        )
        if item:
            notice.directives.append(item)
    errors.raise_if_any()
    return notice


def _read_directive(
    raw: Any,
    position: int,
    directory: Directory,
    scope: int | None,
    outside: str | None,
    issued_on: date | None,
    calendar: WorkCalendar | None,
    errors: _Errors,
) -> DirectiveIn | None:
    if not isinstance(raw, dict):
        errors.add(
            "?", f"nhiệm vụ thứ {position} phải là một bảng khóa: giá trị (ref, text, lead_units…)."
        )
        return None
    line = raw.get(LINE_KEY, "?")
    label = f"nhiệm vụ {raw.get('ref') or position}"
    for key in sorted(set(raw) - DIRECTIVE_FIELDS):
        errors.add(
            line,
            f"{label}: khóa «{key}» không được dùng; các khóa hợp lệ: {', '.join(sorted(DIRECTIVE_FIELDS - {LINE_KEY}))}.",
        )
    text = _text(raw, "text")
    if not text:
        errors.add(line, f"{label}: thiếu «text» (nội dung nhiệm vụ).")
    lead_names = _names(raw, "lead_units", line, errors)
    if not lead_names:
        errors.add(line, f"{label}: thiếu «lead_units» (đơn vị chủ trì).")
    due = NO_DUE
    try:
        due = parse_deadline(raw.get("deadline"), issued_on=issued_on, calendar=calendar)
    except DeadlineError as exc:
        errors.add(line, f"{label}, «deadline»: {exc}")

    flags: list[str] = []

    def resolve(names: list[str], key: str) -> list[Match]:
        out: list[Match] = []
        i = 0
        while i < len(names):
            try:
                match, used = _resolve_with_commas(directory, names, i, scope, outside)
                out.append(match)
                i += used
                continue
            except EmptyGroupError as exc:
                if key == "lead_units":
                    errors.add(line, f"{label}, «{key}»: {exc.message}")
                else:
                    # A vague "các cơ quan có liên quan": the lead unit involves whom it needs.
                    flags.append(f"support_unresolved:{names[i]}")
            except DondocError as exc:
                errors.add(line, f"{label}, «{key}»: {exc.message}")
            i += 1
        return out

    lead = resolve(lead_names, "lead_units")
    support = resolve(_names(raw, "support_units", line, errors), "support_units")
    report_to = _text(raw, "report_to")
    report_to_unit_id = None
    if report_to:
        try:
            match = directory.resolve(report_to, scope=scope, outside_issuer=outside)
            report_to_unit_id = match.unit_ids[0] if match.unit_code else None
        except DondocError:
            pass  # report-to is informative; an officer outside the directory is fine
    ref = raw.get("ref")
    return DirectiveIn(
        ref=str(ref) if ref is not None else None,
        text=text or "",
        due=due,
        lead=lead,
        support=support,
        report_to=report_to,
        report_to_unit_id=report_to_unit_id,
        position=position,
        flags=flags,
    )


def _resolve_with_commas(
    directory: Directory, names: list[str], i: int, scope: int | None, outside: str | None
) -> tuple[Match, int]:
    """Resolve ``names[i]``; when it is unknown, try it joined with the next names.

    In a YAML flow list ``[UBND các xã, thị trấn]`` splits at every comma; a clerk meant one
    name. Joining is tried only when the piece alone matches nothing, so it never changes a
    name that matches.
    """
    try:
        return directory.resolve(names[i], scope=scope, outside_issuer=outside), 1
    except UnitNotFoundError as first:
        if isinstance(first, (EmptyGroupError, OutsideIssuerError)):
            raise
        for j in range(i + 2, min(i + 4, len(names)) + 1):
            try:
                return directory.resolve(", ".join(names[i:j]), scope=scope), j - i
            except UnitNotFoundError:
                continue
        raise


# --------------------------------------------------------------------------- from documents


def extraction_to_mapping(
    extraction: Any, *, issuer: str | None = None, issued_on: date | None = None
) -> dict[str, Any]:
    """The extraction in the notice YAML form (what ``--edit`` shows the clerk).

    A deadline is written as its phrase when the phrase reads back to the same date, else as
    the date itself, so the clerk's file always parses.
    """
    stamp = getattr(extraction, "stamp", None)
    issued = issued_on or extraction.issued_on or (stamp.issued_on if stamp else None)
    # Deadlines read without the date used here («trước ngày 05 hằng tháng» in a notice whose
    # date was blank) are read again against it.
    reread = issued != extraction.issued_on
    directives = []
    for d in extraction.directives:
        item: dict[str, Any] = {"ref": d.ref, "text": d.text, "lead_units": list(d.lead_units)}
        if d.support_units:
            item["support_units"] = list(d.support_units)
        if d.report_to:
            item["report_to"] = d.report_to
        if d.due.kind != DueKind.NONE:
            item["deadline"] = _deadline_for_yaml(d.due, issued, reread=reread)
        directives.append(item)
    return {
        "number": extraction.number or (stamp.number if stamp else None),
        "doc_type": extraction.doc_type or "CV",
        "issuer": issuer or extraction.issuer,
        "place": extraction.place,
        "issued_on": issued,
        "title": extraction.title or "",
        "chair": extraction.chair,
        "signer": extraction.signer,
        "recipients": list(extraction.recipients),
        "addressees": list(extraction.addressees),
        "directives": directives,
    }


def _deadline_for_yaml(due: Due, issued_on: date | None, *, reread: bool = False) -> Any:
    if due.text:
        try:
            again = parse_deadline(due.text, issued_on=issued_on)
            if again.kind == due.kind and (reread or again.date == due.date):
                return due.text
        except DeadlineError:
            pass
    return due.date if due.date else due.text
