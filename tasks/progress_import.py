"""Importing progress reports from a table (.csv or .xlsx) that units send back.

Each data row is one report on one assignment. Every row is checked; the rows are recorded
in the caller's transaction, and when any row is wrong a ``ProgressImportError`` listing the
bad rows is raised so that the caller rolls the whole import back (all or nothing).

Reading the table is ``tasks.progress_table`` and finding the assignment a row is about is
``tasks.progress_matching``; their public names are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from models.progress import ProgressState
from tasks.errors import DondocError, InputError
from tasks.progress import record_progress
from tasks.progress_matching import RowTarget, TargetResolver, period_covered, row_target
from tasks.progress_table import (
    ACCEPTED_SUFFIXES,
    COLUMNS,
    LABELS,
    MAX_COLUMNS,
    MAX_INFLATED_BYTES,
    MAX_TABLE_BYTES,
    MAX_TABLE_ROWS,
    STATE_LABELS,
    STATUSES,
    TRIPLE,
    TableRow,
    cell_day,
    cell_period,
    cell_state,
    cell_text,
    read_progress_table,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "COLUMNS",
    "LABELS",
    "MAX_COLUMNS",
    "MAX_INFLATED_BYTES",
    "MAX_LISTED_ERRORS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_ROWS",
    "STATE_LABELS",
    "STATUSES",
    "TRIPLE",
    "AppliedRow",
    "ProgressImportError",
    "ProgressImportReport",
    "TableRow",
    "apply_progress_rows",
    "import_progress",
    "read_progress_table",
]

MAX_LISTED_ERRORS = 200  # bad rows listed one by one


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
class AppliedRow:
    """A row that was (or, in a dry run, would be) recorded."""

    row: int
    assignment_id: int
    notice_number: str | None
    ref: str | None
    unit_code: str
    unit_name: str
    state: ProgressState
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
    resolver = TargetResolver(session)
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
        target: RowTarget | None = None
        state = on = None
        try:
            target = row_target(resolver, cells)
        except DondocError as exc:
            problems.append(exc.message)
        try:
            state = cell_state(cells.get("status"))
        except DondocError as exc:
            problems.append(exc.message)
        try:
            on = cell_day(cells.get("date"))
        except DondocError as exc:
            problems.append(exc.message)
        if problems or target is None or state is None or on is None:
            errors.append((row.number, " ".join(problems)))
            continue
        period = cell_period(cells.get("period"))
        assignment_id = target.assignment.id
        assert assignment_id is not None
        key = (assignment_id, state, on, period_covered(target.directive, on, period))
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
                note=cell_text(cells.get("note")) or None,
                evidence=cell_text(cells.get("evidence")) or None,
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
