"""A notice draft as the review page shows it, and the clerk's corrections applied to it.

The draft is kept in the notice YAML form's mapping (what ``dondoc notice add --edit`` opens
in an editor); every unit and deadline is read again here, against the directory and with
the same deadline parser as a YAML file, so the page shows what registering would store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from tasks.calendar import default_calendar
from tasks.deadlines import DeadlineError, DueKind, effective_due, parse_deadline
from tasks.errors import AmbiguousUnitError, DondocError, InputError, OutsideIssuerError
from tasks.fileio import parse_date_value
from tasks.notice_files import notice_from_mapping
from tasks.units import Directory

# The extractor's flags per directive, beside the YAML form (never part of a notice).
REVIEW_FLAGS = "review_flags"
REVIEW_STAMP = "review_stamp"  # a blank number or date proposed from the PDF's stamps
_REVIEW_KEYS = (REVIEW_FLAGS, REVIEW_STAMP)
HEADER_FIELDS = ("number", "issued_on", "issuer", "signer", "title")
# Kept from the extractor until the clerk changes the directive: it alone knows them.
_EXTRACTOR_ONLY = ("inherited_units", "low_confidence")


@dataclass
class UnitEntry:
    """A unit as the clerk wrote it (a name or a code), and what the directory makes of it."""

    written: str
    code: str | None = None
    name: str | None = None
    units: int = 0  # how many units it stands for (a group stands for its members)
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "code": self.code,
            "name": self.name,
            "units": self.units,
            "problem": self.problem,
        }


@dataclass
class DirectiveReview:
    """One directive of the draft; ``index`` is its place in the draft (the form's fields)."""

    index: int
    ref: str | None
    text: str
    lead: list[UnitEntry]
    support: list[UnitEntry]
    deadline: str
    due_kind: str
    due_date: date | None
    effective_due: date | None
    due_problem: str | None
    flags: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        # The rule of tasks.extract.needs_review: units taken from a lead-in alone are no worry.
        return any(not f.startswith("inherited_units") for f in self.flags)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ref": self.ref,
            "text": self.text,
            "lead": [u.to_json() for u in self.lead],
            "support": [u.to_json() for u in self.support],
            "deadline": self.deadline,
            "due_kind": self.due_kind,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "effective_due": self.effective_due.isoformat() if self.effective_due else None,
            "due_problem": self.due_problem,
            "flags": self.flags,
            "needs_review": self.needs_review,
        }


@dataclass
class DraftReview:
    """The review page's data: the header, then the directives, those to look at first."""

    key: str
    file_name: str
    sha256: str
    created_by: str | None
    created_at: datetime
    header: dict[str, str]
    header_problems: list[str]
    directives: list[DirectiveReview]

    @property
    def flagged(self) -> int:
        return sum(d.needs_review for d in self.directives)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "header": self.header,
            "header_problems": self.header_problems,
            "flagged": self.flagged,
            "directives": [d.to_json() for d in self.directives],
        }


@dataclass
class DirectiveEdit:
    """The clerk's version of one directive, as the form sent it."""

    ref: str
    text: str
    lead: list[str]
    support: list[str]
    deadline: str
    remove: bool = False


@dataclass
class DraftEdits:
    """The review form: header fields and directives by their index in the draft."""

    header: dict[str, str]
    directives: dict[int, DirectiveEdit]


def plain_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping with dates written dd/mm/yyyy, as a JSON column and a form field hold them."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return f"{value:%d/%m/%Y}"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {k: plain(v) for k, v in mapping.items()}


def notice_mapping(draft_mapping: dict[str, Any]) -> dict[str, Any]:
    """The YAML form alone, as registering takes it (without the review notes)."""
    return {k: v for k, v in draft_mapping.items() if k not in _REVIEW_KEYS}


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return []


def apply_edits(draft_mapping: dict[str, Any], edits: DraftEdits) -> dict[str, Any]:
    """A new draft mapping with the clerk's corrections; keys the form does not show (report
    to, recipients…) are kept. A directive the clerk changed loses the extractor's notes."""
    out = dict(draft_mapping)
    for key in HEADER_FIELDS:
        if key in edits.header:
            out[key] = _text(edits.header[key]) or None
    old = list(draft_mapping.get("directives") or [])
    old_flags = list(draft_mapping.get(REVIEW_FLAGS) or [])
    directives: list[Any] = []
    flags: list[list[str]] = []
    for i, raw in enumerate(old):
        edit = edits.directives.get(i)
        notes = list(old_flags[i]) if i < len(old_flags) else []
        if edit is None or not isinstance(raw, dict):
            directives.append(raw)
            flags.append(notes)
            continue
        if edit.remove:
            continue
        item = dict(raw)
        item["ref"] = _text(edit.ref) or None
        item["text"] = _text(edit.text)
        item["lead_units"] = [_text(n) for n in edit.lead if _text(n)]
        support = [_text(n) for n in edit.support if _text(n)]
        if support:
            item["support_units"] = support
        else:
            item.pop("support_units", None)
        deadline = _text(edit.deadline)
        if deadline:
            item["deadline"] = deadline
        else:
            item.pop("deadline", None)
        same = all(
            _text(raw.get(k)) == _text(item.get(k)) for k in ("text", "deadline", "ref")
        ) and all(
            _names(raw.get(k)) == _names(item.get(k)) for k in ("lead_units", "support_units")
        )
        directives.append(item)
        flags.append(notes if same else [])
    out["directives"] = directives
    out[REVIEW_FLAGS] = flags
    return out


def check_draft(*, session: Session, draft_mapping: dict[str, Any], source: str) -> None:
    """Refuse a draft that registering would refuse (every problem at once, as a YAML file's
    check does), or whose deadline falls before the notice's date."""
    early = _before_the_notice(draft_mapping, source)
    try:
        notice_from_mapping(session=session, data=notice_mapping(draft_mapping), source=source)
    except InputError as exc:
        raise InputError("\n".join([exc.message, *early])) from None
    if early:
        raise InputError("\n".join(["Chưa ghi gì vào cơ sở dữ liệu:", *early]))


def _before_the_notice(draft_mapping: dict[str, Any], source: str) -> list[str]:
    """A deadline before the notice's date is a misread or a typo (a YAML file may hold one;
    a form under review should not)."""
    try:
        issued_on = parse_date_value(draft_mapping.get("issued_on"), field="issued_on")
    except InputError:
        return []  # reported by the notice's own check
    out = []
    for position, raw in enumerate(draft_mapping.get("directives") or [], start=1):
        if not isinstance(raw, dict):
            continue
        try:
            due = parse_deadline(raw.get("deadline"), issued_on=issued_on)
        except DeadlineError:
            continue  # reported by the notice's own check
        if due.date is not None and due.date < issued_on:
            out.append(
                f"  - {source}: nhiệm vụ {raw.get('ref') or position}, «deadline»: thời hạn "
                f"{due.date:%d/%m/%Y} trước ngày ban hành thông báo ({issued_on:%d/%m/%Y}); "
                "kiểm tra lại thời hạn."
            )
    return out


def review(
    *,
    session: Session,
    key: str,
    file_name: str,
    sha256: str,
    created_by: str | None,
    created_at: datetime,
    draft_mapping: dict[str, Any],
) -> DraftReview:
    """Read the draft again for the page: units against the directory, deadlines with the
    YAML path's parser; directives that need a look first, in document order otherwise."""
    directory = Directory.load(session)
    header = {k: _text(draft_mapping.get(k)) for k in HEADER_FIELDS}
    problems: list[str] = []
    issued_on: date | None = None
    if not header["issued_on"]:
        problems.append("Văn bản không ghi đủ ngày ban hành: điền ô «Ngày ban hành».")
    else:
        try:
            issued_on = parse_date_value(header["issued_on"], field="Ngày ban hành")
        except InputError as exc:
            problems.append(exc.message)
    if not header["issuer"]:
        problems.append("Không đọc được cơ quan ban hành: điền ô «Cơ quan ban hành».")
    stamp = draft_mapping.get(REVIEW_STAMP) or {}
    if stamp.get("number") and header["number"] == stamp["number"]:
        problems.append(
            f"Văn bản để trống Số; số {stamp['number']} lấy từ {stamp.get('number_from')}: "
            "kiểm tra lại."
        )
    if (
        stamp.get("issued_on")
        and issued_on is not None
        and issued_on.isoformat() == stamp["issued_on"]
    ):
        problems.append(
            f"Văn bản để trống ngày ban hành; ngày {issued_on:%d/%m/%Y} lấy từ "
            f"{stamp.get('issued_from')}: kiểm tra lại."
        )
    scope = _scope(directory, header["issuer"])
    outside = header["issuer"] if directory.outside_committee(header["issuer"]) else None
    if outside:
        problems.append(
            f"«{outside}» không có trong danh mục đơn vị: tên đơn vị trong văn bản là đơn vị "
            "của cơ quan đó, không được ghép với danh mục. Ghi mã đơn vị nếu văn bản giao việc "
            "cho đơn vị của mình."
        )
    notes = list(draft_mapping.get(REVIEW_FLAGS) or [])
    items = []
    for i, raw in enumerate(draft_mapping.get("directives") or []):
        if isinstance(raw, dict):
            kept = [f for f in (notes[i] if i < len(notes) else []) if f in _EXTRACTOR_ONLY]
            items.append(_directive(i, raw, directory, scope, outside, issued_on, kept))
    items.sort(key=lambda d: not d.needs_review)
    return DraftReview(
        key=key,
        file_name=file_name,
        sha256=sha256,
        created_by=created_by,
        created_at=created_at,
        header=header,
        header_problems=problems,
        directives=items,
    )


def _scope(directory: Directory, issuer: str) -> int | None:
    """The issuer's level of government, which names are matched in first (as registering)."""
    if not issuer:
        return None
    try:
        match = directory.resolve(issuer)
    except DondocError:
        return None
    return directory.scope_of(match.unit_ids[0]) if match.unit_code else None


def _unit(
    directory: Directory, written: str, scope: int | None, outside: str | None
) -> tuple[UnitEntry, str | None]:
    """The entry, and its review flag when the directory cannot tell which unit it is."""
    entry = UnitEntry(written=written)
    try:
        match = directory.resolve(written, scope=scope, outside_issuer=outside)
    except OutsideIssuerError as exc:
        entry.problem = exc.message
        return entry, f"outside_issuer:{written}"
    except AmbiguousUnitError as exc:
        entry.problem = exc.message
        return entry, f"ambiguous_unit:{written}"
    except DondocError as exc:
        entry.problem = exc.message
        return entry, f"unit_not_in_directory:{written}"
    entry.units = len(match.unit_ids)
    if match.unit_code:
        entry.code = match.unit_code
        entry.name = directory.units[match.unit_ids[0]].name
    else:
        entry.code = match.group_code
        group = next((g for g in directory.groups.values() if g.code == match.group_code), None)
        entry.name = group.name if group else None
    return entry, None


def _directive(
    index: int,
    raw: dict[str, Any],
    directory: Directory,
    scope: int | None,
    outside: str | None,
    issued_on: date | None,
    kept: list[str],
) -> DirectiveReview:
    lead_read = [_unit(directory, n, scope, outside) for n in _names(raw.get("lead_units"))]
    support_read = [_unit(directory, n, scope, outside) for n in _names(raw.get("support_units"))]
    flags: list[str] = [] if lead_read else ["no_unit"]
    flags += [flag for _, flag in [*lead_read, *support_read] if flag]
    lead = [entry for entry, _ in lead_read]
    support = [entry for entry, _ in support_read]
    deadline = _text(raw.get("deadline"))
    due_kind, due_date, effective, problem = DueKind.NONE.value, None, None, None
    try:
        due = parse_deadline(deadline or None, issued_on=issued_on)
        due_kind, due_date = due.kind.value, due.date
        effective = effective_due(due, default_calendar())
        if due.date and issued_on and due.date < issued_on:
            problem = (
                f"Thời hạn {due.date:%d/%m/%Y} trước ngày ban hành thông báo "
                f"({issued_on:%d/%m/%Y}); kiểm tra lại thời hạn."
            )
    except DeadlineError as exc:
        problem = str(exc)
    if problem:
        flags.append("bad_deadline")
    elif due_kind == DueKind.NONE.value:
        flags.append("no_deadline")
    ref = raw.get("ref")
    return DirectiveReview(
        index=index,
        ref=None if ref is None else str(ref),
        text=_text(raw.get("text")),
        lead=lead,
        support=support,
        deadline=deadline,
        due_kind=due_kind,
        due_date=due_date,
        effective_due=effective,
        due_problem=problem,
        flags=[*flags, *kept],
    )


__all__ = [
    "HEADER_FIELDS",
    "REVIEW_FLAGS",
    "REVIEW_STAMP",
    "DirectiveEdit",
    "DirectiveReview",
    "DraftEdits",
    "DraftReview",
    "UnitEntry",
    "apply_edits",
    "check_draft",
    "notice_mapping",
    "plain_mapping",
    "review",
]
