"""Importing progress reports from a table (.csv or .xlsx) that units send back.

Each data row is one report on one assignment. Every row is checked; the rows are recorded
in the caller's transaction, and when any row is wrong a ``ProgressImportError`` listing the
bad rows is raised so that the caller rolls the whole import back (all or nothing).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.limits import is_db_id
from models.notice import Assignment, Directive, Notice
from models.unit import Unit
from tasks.errors import DondocError, InputError
from tasks.fileio import check_size, date_from_text, parse_date_value, read_text, short_text
from tasks.periods import RECURRING_PERIODS, parse_period_key, period_key
from tasks.progress import record_progress
from tasks.units import name_key

ACCEPTED_SUFFIXES = (".csv", ".xlsx")
MAX_TABLE_BYTES = 20 * 2**20  # the file as sent
MAX_INFLATED_BYTES = 100 * 2**20  # a workbook's parts once unzipped, as the archive declares them
MAX_TABLE_ROWS = 20_000  # data rows
MAX_COLUMNS = 200  # columns read; the table's own are the first few
MAX_LISTED_ERRORS = 200  # bad rows listed one by one

# Field → the header spellings accepted for it (compared with _fold: no case, no diacritics).
COLUMNS: dict[str, tuple[str, ...]] = {
    "assignment_id": ("mã nhiệm vụ", "mã", "assignment_id", "id"),
    "notice": ("số thông báo", "số văn bản", "notice"),
    "ref": ("mục", "ref"),
    "unit": ("đơn vị", "mã đơn vị", "unit"),
    "status": ("trạng thái", "tình trạng", "status"),
    "date": ("ngày", "ngày báo cáo", "ngày hoàn thành", "date"),
    "note": ("ghi chú", "nội dung", "note"),
    "evidence": ("tài liệu kiểm chứng", "evidence"),
    "period": ("kỳ", "period"),
}
# The Vietnamese name of each field, for messages.
LABELS: dict[str, str] = {
    "assignment_id": "mã nhiệm vụ",
    "notice": "số thông báo",
    "ref": "mục",
    "unit": "đơn vị",
    "status": "trạng thái",
    "date": "ngày",
    "note": "ghi chú",
    "evidence": "tài liệu kiểm chứng",
    "period": "kỳ",
}
TRIPLE = ("notice", "ref", "unit")

# Status words (folded) → the state record_progress takes.
STATUSES: dict[str, str] = {
    "done": "done",
    "hoan thanh": "done",
    "da hoan thanh": "done",
    "in progress": "in_progress",
    "dang thuc hien": "in_progress",
    "dang trien khai": "in_progress",
}
STATE_LABELS = {"done": "hoàn thành", "in_progress": "đang thực hiện"}


def _fold(text: str) -> str:
    """Compare form of a header or a status word: no case, no diacritics, words split by spaces."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d")
    s = re.sub(r"\(.*?\)", " ", s)  # "Ngày (dd/mm/yyyy)"
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


_HEADERS: dict[str, str] = {
    _fold(spelling): key for key, names in COLUMNS.items() for spelling in names
}


class ProgressImportError(InputError):
    """Some rows of the table are wrong; nothing was recorded. ``rows`` holds (row, reason)."""

    def __init__(self, rows: list[tuple[int, str]], *, file_name: str = "") -> None:
        self.rows = rows
        of = f"Tệp «{file_name}» có" if file_name else "Có"
        lines = "\n".join(f"Dòng {n}: {reason}" for n, reason in rows[:MAX_LISTED_ERRORS])
        if len(rows) > MAX_LISTED_ERRORS:
            lines += f"\n… và {len(rows) - MAX_LISTED_ERRORS} dòng lỗi khác."
        super().__init__(
            f"{of} {len(rows)} dòng lỗi. Không ghi nhận dòng nào; sửa các dòng sau rồi nhập lại "
            f"cả tệp:\n{lines}"
        )


@dataclass(frozen=True)
class TableRow:
    """One non-empty data row: its row number as the spreadsheet shows it, and its cells."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class AppliedRow:
    """A row that was (or, in a dry run, would be) recorded."""

    row: int
    assignment_id: int
    notice_number: str | None
    ref: str | None
    unit_code: str
    unit_name: str
    state: str
    on: date
    period: str | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


@dataclass
class ProgressImportReport:
    """What an import recorded."""

    file_name: str
    applied: list[AppliedRow] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def _cell_text(value: Any) -> str:
    """A cell as text: "" for nothing, 3 for a whole float, NFC and trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return unicodedata.normalize("NFC", str(value)).strip()


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """Every record of a UTF-8 CSV (BOM allowed), comma, semicolon or tab separated, numbered."""
    text = read_text(path, limit=MAX_TABLE_BYTES, what="bảng tiến độ")
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    try:
        return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
    except csv.Error as exc:
        raise InputError(f"Tệp CSV «{path.name}» không hợp lệ: {exc}.") from exc


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """The rows of the first sheet of a workbook (values, not formulas), numbered from 1; rows
    without cells are left out. A damaged or oversized workbook is an InputError."""
    import openpyxl

    _check_workbook_archive(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a damaged file; all mean the same
        raise _damaged(path, exc) from None
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        # Read the cells there are: a <dimension> of A1:XFD1048576 would otherwise pad a
        # million rows to 16,384 cells each.
        sheet.reset_dimensions()
        return _sheet_rows(sheet, path)
    except InputError:
        raise
    except Exception as exc:
        raise _damaged(path, exc) from None
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, path: Path) -> list[tuple[int, list[Any]]]:
    rows: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not row:  # a row the file skips costs nothing
            continue
        if number > MAX_TABLE_ROWS + 1:
            if any(_cell_text(v) for v in row):
                raise InputError(
                    f"Tệp «{path.name}» có dữ liệu ở dòng {number}: một bảng tiến độ có tối đa "
                    f"{MAX_TABLE_ROWS} dòng dữ liệu. Xóa các dòng thừa hoặc tách thành nhiều tệp."
                )
            continue
        rows.append((number, list(row[:MAX_COLUMNS])))
    return rows


def _check_workbook_archive(path: Path) -> None:
    """Refuse, before openpyxl reads it, a workbook that is too big once inflated or that uses a
    compression Excel never writes (zip bombs, damaged archives)."""
    check_size(path, MAX_TABLE_BYTES, "bảng tiến độ")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(path, exc) from None
    for info in members:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(
                path, f"phần «{info.filename}» nén theo kiểu không hỗ trợ (mã {info.compress_type})"
            )
    inflated = sum(info.file_size for info in members)
    if inflated > MAX_INFLATED_BYTES:
        raise _damaged(
            path,
            f"giải nén ra {inflated / 2**20:,.0f} MB, quá giới hạn "
            f"{MAX_INFLATED_BYTES // 2**20} MB của một bảng tiến độ",
        )


def _damaged(path: Path, problem: BaseException | str) -> InputError:
    """The message for a workbook that cannot be read, with the reason in words."""
    if isinstance(problem, str):
        reason = problem
    elif isinstance(problem, zlib.error | zipfile.BadZipFile | EOFError):
        reason = f"dữ liệu nén bị lỗi ({problem})"
    elif isinstance(problem, NotImplementedError):
        reason = f"kiểu nén không hỗ trợ ({problem})"
    elif isinstance(problem, SyntaxError):  # xml.etree's ParseError and lxml's XMLSyntaxError
        reason = f"nội dung XML bên trong bị sai ({problem})"
    elif isinstance(problem, KeyError):
        reason = f"thiếu phần {problem} của bảng tính"
    elif isinstance(problem, OverflowError | ValueError):
        reason = f"có ô hoặc thuộc tính không đọc được ({problem})"
    else:
        reason = f"{type(problem).__name__}: {problem}"
    return InputError(
        f"Không đọc được tệp Excel «{path.name}»: tệp Excel hỏng: {short_text(reason, 200)}, "
        "hãy lưu lại bằng Excel/LibreOffice (dạng .xlsx) rồi nhập lại."
    )


def _header_map(header: list[Any], file_name: str) -> dict[int, str]:
    """Column index → field; raises InputError when a needed column is missing."""
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    found: list[str] = []
    for i, value in enumerate(header):
        title = _cell_text(value)
        if not title:
            continue
        found.append(title)
        key = _HEADERS.get(_fold(title))
        if key is None:
            continue  # other columns (STT, tên nhiệm vụ…) are ignored
        if key in seen:
            raise InputError(
                f"Tệp «{file_name}»: hai cột «{seen[key]}» và «{title}» cùng là cột "
                f"{LABELS[key]}; giữ lại một cột."
            )
        seen[key] = title
        columns[i] = key
    keys = set(columns.values())
    missing = [LABELS[k] for k in ("status", "date") if k not in keys]
    if "assignment_id" not in keys and not set(TRIPLE) <= keys:
        lacking = [LABELS[k] for k in TRIPLE if k not in keys]
        missing.insert(0, f"mã nhiệm vụ (hoặc {', '.join(lacking)})")
    if missing:
        raise InputError(
            f"Tệp «{file_name}» thiếu cột: {'; '.join(missing)}. "
            f"Các cột có trong tệp: {', '.join(f'«{t}»' for t in found) or '(không có)'}. "
            "Cần các cột: «mã nhiệm vụ» (hoặc ba cột «số thông báo», «mục», «đơn vị»), "
            "«trạng thái», «ngày»; có thể thêm «ghi chú», «tài liệu kiểm chứng», «kỳ». "
            "Dòng đầu tiên của bảng phải là dòng tiêu đề."
        )
    return columns


def read_progress_table(path: Path) -> list[TableRow]:
    """Read a .csv or .xlsx progress table into rows keyed by field (no database).

    Empty rows are skipped; row numbers are those of the spreadsheet (header = 1)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_rows(path)
    elif suffix == ".xlsx":
        records = _xlsx_rows(path)
    else:
        raise InputError(
            f"Không đọc được «{path.name}»: bảng tiến độ phải là tệp .csv (UTF-8) hoặc .xlsx. "
            "Với tệp .xls hay .ods, mở bằng Excel rồi lưu lại dạng .xlsx."
        )
    numbered = [(n, r) for n, r in records if any(_cell_text(c) for c in r)]
    if len(numbered) > MAX_TABLE_ROWS + 1:
        raise InputError(
            f"Tệp «{path.name}» có {len(numbered) - 1} dòng dữ liệu, tối đa {MAX_TABLE_ROWS}; "
            "tách thành nhiều tệp."
        )
    if not numbered:
        raise InputError(f"Tệp «{path.name}» trống: không có dòng tiêu đề và dữ liệu.")
    header_number, header = numbered[0]
    columns = _header_map(header, path.name)
    rows: list[TableRow] = []
    for number, record in numbered[1:]:
        cells: dict[str, Any] = {}
        for i, value in enumerate(record):
            key = columns.get(i)
            if key is not None:
                cells[key] = value
            elif i >= len(header) and _cell_text(value):
                cells["__extra__"] = value
        rows.append(TableRow(number=number, cells=cells))
    if not rows:
        raise InputError(
            f"Tệp «{path.name}» chỉ có dòng tiêu đề (dòng {header_number}), "
            "không có dòng dữ liệu nào."
        )
    return rows


# --------------------------------------------------------------------------- resolving


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
class _Target:
    """A resolved assignment and what the report shows about it."""

    assignment: Assignment
    directive: Directive
    notice: Notice
    unit: Unit


class _Resolver:
    """Finds assignments by id or by notice number + ref + unit, with per-import caches."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._notices: dict[str, list[Notice]] | None = None

    def by_id(self, text: str) -> _Target:
        if not (text.isdigit() and len(text) <= 18):
            raise InputError(
                f"Mã nhiệm vụ «{short_text(text, 30)}» phải là một số (cột «Mã» của «dondoc status»)."
            )
        assignment_id = int(text)
        row = None
        if is_db_id(assignment_id):
            row = self.session.exec(
                select(Assignment, Directive, Notice, Unit)
                .join(Directive, Directive.id == Assignment.directive_id)
                .join(Notice, Notice.id == Directive.notice_id)
                .join(Unit, Unit.id == Assignment.unit_id)
                .where(Assignment.id == assignment_id)
            ).first()
        if row is None:
            raise InputError(
                f"Không có nhiệm vụ giao mã {assignment_id}. Xem mã ở cột «Mã» của «dondoc status»."
            )
        return _Target(*row)

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

    def by_triple(self, number: str, ref: str, unit_text: str) -> _Target:
        notice = self._notice(number)
        directives = self.session.exec(
            select(Directive).where(Directive.notice_id == notice.id).order_by(Directive.position)
        ).all()
        matching = [d for d in directives if d.ref and _ref_key(d.ref) == _ref_key(ref)]
        if not matching:
            refs = ", ".join(d.ref for d in directives if d.ref) or "(không có)"
            raise InputError(f"Thông báo {notice.number} không có mục «{ref}»; các mục: {refs}.")
        rows = self.session.exec(
            select(Assignment, Directive, Unit)
            .join(Directive, Directive.id == Assignment.directive_id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.directive_id.in_([d.id for d in matching]))  # type: ignore[union-attr]
            .order_by(Unit.code)
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
        return _Target(assignment, directive, notice, unit)


# --------------------------------------------------------------------------- applying


def _state(value: Any) -> str:
    text = _cell_text(value)
    if not text:
        raise InputError("Thiếu trạng thái: ghi «hoàn thành» hoặc «đang thực hiện».")
    state = STATUSES.get(_fold(text))
    if state is None:
        raise InputError(
            f"Trạng thái «{text}» không hiểu được: ghi «hoàn thành» (done) hoặc "
            "«đang thực hiện» (in_progress)."
        )
    return state


def _day(value: Any) -> date:
    if isinstance(value, datetime | date):
        return parse_date_value(value, field="ngày")
    text = _cell_text(value)
    if not text:
        raise InputError("Thiếu ngày báo cáo: ghi dạng 30/8/2024 hoặc 2024-08-30.")
    try:
        day = date_from_text(text, field="ngày")
    except InputError:
        raise InputError(
            f"Ngày «{text}» không đọc được hoặc không có thật: ghi dạng 30/8/2024 hoặc 2024-08-30."
        ) from None
    return parse_date_value(day, field="ngày")  # the year rule


def _period(value: Any) -> str | None:
    """The period as text; a month cell that Excel turned into a date becomes "2024-06"."""
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}"
    return _cell_text(value) or None


def _period_key(directive: Directive, on: date, period: str | None) -> str | None:
    """The period a report covers, as record_progress will store it (None if not recurring)."""
    if directive.due_kind != "recurring" or directive.recurrence not in RECURRING_PERIODS:
        return None
    recurrence = directive.recurrence
    try:
        return parse_period_key(recurrence, period) if period else period_key(recurrence, on)
    except InputError:
        return period  # record_progress reports the bad period


def _target(resolver: _Resolver, cells: dict[str, Any]) -> _Target:
    """The assignment a row is about: by its id, or by notice number + ref + unit."""
    id_text = _cell_text(cells.get("assignment_id"))
    triple = [_cell_text(cells.get(k)) for k in TRIPLE]
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


def apply_progress_rows(
    *,
    session: Session,
    rows: list[TableRow],
    recorded_by: str | None = None,
    file_name: str = "",
) -> ProgressImportReport:
    """Record every row in the session's transaction; raise ProgressImportError if any is wrong.

    A wrong row is rejected before it writes anything, and the other rows are still checked so
    that the error lists every bad row. After the error the caller must roll the transaction
    back (``session_scope`` does) so that the good rows are not kept either."""
    resolver = _Resolver(session)
    report = ProgressImportReport(file_name=file_name)
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[int, str, date, str | None], int] = {}
    for row in rows:
        cells = row.cells
        if "__extra__" in cells:
            errors.append(
                (row.number, "Dòng có nhiều ô hơn dòng tiêu đề; xóa các ô thừa bên phải.")
            )
            continue
        problems: list[str] = []
        target: _Target | None = None
        state = on = None
        try:
            target = _target(resolver, cells)
        except DondocError as exc:
            problems.append(exc.message)
        try:
            state = _state(cells.get("status"))
        except DondocError as exc:
            problems.append(exc.message)
        try:
            on = _day(cells.get("date"))
        except DondocError as exc:
            problems.append(exc.message)
        if problems or target is None or state is None or on is None:
            errors.append((row.number, " ".join(problems)))
            continue
        period = _period(cells.get("period"))
        assignment_id = target.assignment.id
        assert assignment_id is not None
        key = (assignment_id, state, on, _period_key(target.directive, on, period))
        if key in seen:
            errors.append(
                (
                    row.number,
                    f"Dòng trùng với dòng {seen[key]} (cùng nhiệm vụ giao {assignment_id}, cùng "
                    "trạng thái và ngày); xóa một dòng.",
                )
            )
            continue
        try:
            update = record_progress(
                session=session,
                assignment_id=assignment_id,
                state=state,
                on=on,
                note=_cell_text(cells.get("note")) or None,
                evidence=_cell_text(cells.get("evidence")) or None,
                recorded_by=recorded_by,
                period=period,
            )
        except DondocError as exc:
            errors.append((row.number, exc.message))
            continue
        seen[key] = row.number
        report.applied.append(
            AppliedRow(
                row=row.number,
                assignment_id=assignment_id,
                notice_number=target.notice.number,
                ref=target.directive.ref,
                unit_code=target.unit.code,
                unit_name=target.unit.name,
                state=state,
                on=on,
                period=update.period,
            )
        )
    if errors:
        raise ProgressImportError(errors, file_name=file_name)
    return report


def import_progress(
    *, session: Session, path: Path, recorded_by: str | None = None
) -> ProgressImportReport:
    """Read a progress table and record every row, all or nothing (see apply_progress_rows)."""
    rows = read_progress_table(path)
    return apply_progress_rows(
        session=session, rows=rows, recorded_by=recorded_by, file_name=path.name
    )
