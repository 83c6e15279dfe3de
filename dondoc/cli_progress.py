"""``dondoc progress``: progress reports sent back by units as a table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

progress_app = typer.Typer(help="Báo cáo tiến độ của các đơn vị.", no_args_is_help=True)


@progress_app.command("import")
def progress_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="Bảng tiến độ .csv (UTF-8, dấu phẩy hoặc chấm phẩy) hoặc .xlsx (trang đầu)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ kiểm tra và xem sẽ ghi nhận gì, không ghi.")
    ] = False,
) -> None:
    """Nhập báo cáo tiến độ từ bảng: mỗi dòng một nhiệm vụ giao; có dòng lỗi thì không ghi dòng nào."""
    from rich.markup import escape
    from rich.table import Table

    from dondoc.cli import _fail, _ready_session, _run, console
    from models.db import current_actor
    from tasks.errors import DondocError
    from tasks.progress_import import import_progress

    def go() -> None:
        try:
            with _ready_session() as session:
                report = import_progress(session=session, path=file, recorded_by=current_actor())
                if dry_run:
                    session.rollback()
        except DondocError as exc:
            # The message quotes cells of the clerk's table: "[x]" must print, not be markup.
            _fail(str(exc), exc.exit_code)
            return
        count = len(report.applied)
        if dry_run:
            title = f"Chạy thử «{file.name}»: sẽ ghi nhận {count} báo cáo tiến độ (chưa ghi gì)"
        else:
            title = f"Đã ghi nhận {count} báo cáo tiến độ từ «{file.name}»"
        table = Table(title=escape(title))
        for col in ("Dòng", "Mã", "Thông báo", "Mục", "Đơn vị", "Trạng thái", "Ngày", "Kỳ"):
            table.add_column(col, overflow="fold")
        for r in report.applied:
            table.add_row(
                str(r.row),
                str(r.assignment_id),
                escape(r.notice_number or "—"),
                escape(r.ref or "—"),
                escape(f"{r.unit_name} ({r.unit_code})"),
                r.state_label.capitalize(),
                f"{r.on:%d/%m/%Y}",
                escape(r.period or ""),
            )
        console.print(table)
        if dry_run:
            console.print("Tệp hợp lệ. Chạy lại không có --dry-run để ghi nhận.")

    _run(go)
