"""Reading a progress table (.csv or .xlsx) that units send back into rows keyed by field,
and reading the values of its cells (status, date, period). No database."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.progress import ProgressState
from tasks.errors import InputError
from tasks.fileio import check_size, date_from_text, parse_date_value, read_text, short_text

ACCEPTED_SUFFIXES = (".csv", ".xlsx")
MAX_TABLE_BYTES = 20 * 2**20  # the file as sent
MAX_INFLATED_BYTES = 100 * 2**20  # a workbook's parts once unzipped, as the archive declares them
MAX_TABLE_ROWS = 20_000  # data rows
MAX_COLUMNS = 200  # columns read; the table's own are the first few

# Field → the header spellings accepted for it (compared with fold: no case, no diacritics).
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
STATUSES: dict[str, ProgressState] = {
    "done": ProgressState.DONE,
    "hoan thanh": ProgressState.DONE,
    "da hoan thanh": ProgressState.DONE,
    "in progress": ProgressState.IN_PROGRESS,
    "dang thuc hien": ProgressState.IN_PROGRESS,
    "dang trien khai": ProgressState.IN_PROGRESS,
}
STATE_LABELS: dict[str, str] = {
    ProgressState.DONE: "hoàn thành",
    ProgressState.IN_PROGRESS: "đang thực hiện",
}


def fold(text: str) -> str:
    """Compare form of a header or a status word: no case, no diacritics, words split by spaces."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d")
    s = re.sub(r"\(.*?\)", " ", s)  # "Ngày (dd/mm/yyyy)"
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


_HEADERS: dict[str, str] = {
    fold(spelling): key for key, names in COLUMNS.items() for spelling in names
}


@dataclass(frozen=True)
class TableRow:
    """One non-empty data row: its row number as the spreadsheet shows it, and its cells."""

    number: int
    cells: dict[str, Any]


def cell_text(value: Any) -> str:
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
            if any(cell_text(v) for v in row):
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
        title = cell_text(value)
        if not title:
            continue
        found.append(title)
        key = _HEADERS.get(fold(title))
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
    numbered = [(n, r) for n, r in records if any(cell_text(c) for c in r)]
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
            elif i >= len(header) and cell_text(value):
                cells["__extra__"] = value
        rows.append(TableRow(number=number, cells=cells))
    if not rows:
        raise InputError(
            f"Tệp «{path.name}» chỉ có dòng tiêu đề (dòng {header_number}), "
            "không có dòng dữ liệu nào."
        )
    return rows


# --------------------------------------------------------------------------- cells


def cell_state(value: Any) -> ProgressState:
    """The state a status cell names ("hoàn thành" → done), as record_progress takes it."""
    text = cell_text(value)
    if not text:
        raise InputError("Thiếu trạng thái: ghi «hoàn thành» hoặc «đang thực hiện».")
    state = STATUSES.get(fold(text))
    if state is None:
        raise InputError(
            f"Trạng thái «{text}» không hiểu được: ghi «hoàn thành» (done) hoặc "
            "«đang thực hiện» (in_progress)."
        )
    return state


def cell_day(value: Any) -> date:
    """The report date of a cell: a spreadsheet date, or text such as 30/8/2024."""
    if isinstance(value, datetime | date):
        return parse_date_value(value, field="ngày")
    text = cell_text(value)
    if not text:
        raise InputError("Thiếu ngày báo cáo: ghi dạng 30/8/2024 hoặc 2024-08-30.")
    try:
        day = date_from_text(text, field="ngày")
    except InputError:
        raise InputError(
            f"Ngày «{text}» không đọc được hoặc không có thật: ghi dạng 30/8/2024 hoặc 2024-08-30."
        ) from None
    return parse_date_value(day, field="ngày")  # the year rule


def cell_period(value: Any) -> str | None:
    """The period as text; a month cell that Excel turned into a date becomes "2024-06"."""
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}"
    return cell_text(value) or None
