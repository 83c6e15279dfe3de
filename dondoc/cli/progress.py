"""``dondoc assignment``, ``dondoc extension`` and ``dondoc progress``: what units report
back, one at a time or as a table."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dondoc.cli.common import console, day_option, fail, run, status_option
from dondoc.cli.vietnamese import DondocTyper
from services.database import ready_session
from services.progress import ask_extension, decide, import_progress_table, report_progress
from tasks.errors import DondocError
from tasks.progress_table import STATE_LABELS

assignment_app = DondocTyper(help="Tiến độ nhiệm vụ của từng đơn vị.", no_args_is_help=True)
extension_app = DondocTyper(help="Quyết định đề nghị gia hạn.", no_args_is_help=True)
progress_app = DondocTyper(help="Báo cáo tiến độ của các đơn vị.", no_args_is_help=True)


@assignment_app.command("update")
def assignment_update(
    assignment_id: Annotated[
        int,
        typer.Argument(metavar="MÃ", help="Mã nhiệm vụ giao (cột «Mã» của dondoc status)."),
    ],
    status: Annotated[
        str,
        typer.Option(
            "--status",
            metavar="TRẠNG_THÁI",
            help="«đang thực hiện» (in_progress) hoặc «hoàn thành» (done), như trong bảng tiến độ.",
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="NGÀY", help="Ngày báo cáo/hoàn thành; mặc định hôm nay."),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="GHI_CHÚ", help="Ghi chú tiến độ.")
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option(
            "--evidence",
            metavar="TỆP_HOẶC_URL",
            help="Tài liệu kiểm chứng: đường dẫn tệp hoặc URL.",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="KỲ",
            help="Nhiệm vụ định kỳ: kỳ được báo cáo (2024-06, 2024-Q2 hoặc 2024); "
            "mặc định kỳ chứa ngày --on.",
        ),
    ] = None,
) -> None:
    """Ghi nhận tiến độ hoặc hoàn thành của một đơn vị."""

    def go() -> None:
        state = status_option(status)
        day = day_option(on, "--on", default=date.today())
        with ready_session() as session:
            update = report_progress(
                session=session,
                assignment_id=assignment_id,
                state=state.value,
                on=day,
                note=note,
                evidence=evidence,
                period=period,
            )
            key = update.period
        word = STATE_LABELS[state]
        of = f" kỳ {key}" if key else ""
        console.print(f"Đã ghi nhận nhiệm vụ giao {assignment_id}{of}: {word} ngày {day:%d/%m/%Y}.")

    run(go)


@assignment_app.command("extend")
def assignment_extend(
    assignment_id: Annotated[int, typer.Argument(metavar="MÃ", help="Mã nhiệm vụ giao.")],
    to: Annotated[str, typer.Option("--to", metavar="NGÀY", help="Hạn mới đề nghị (30/9/2024).")],
    reason: Annotated[str, typer.Option("--reason", metavar="LÝ_DO", help="Lý do xin gia hạn.")],
) -> None:
    """Lập đề nghị gia hạn cho một nhiệm vụ giao (chờ lãnh đạo duyệt)."""

    def go() -> None:
        day = day_option(to, "--to")
        with ready_session() as session:
            request = ask_extension(
                session=session, assignment_id=assignment_id, to=day, reason=reason
            )
        console.print(
            f"Đã lập đề nghị gia hạn số {request.id} đến {day:%d/%m/%Y}. "
            f"Duyệt: «dondoc extension approve {request.id}»."
        )

    run(go)


def _decide(extension_id: int, approve: bool, on: str | None, note: str | None) -> None:
    def go() -> None:
        day = day_option(on, "--on", default=date.today())
        with ready_session() as session:
            request = decide(
                session=session, extension_id=extension_id, approve=approve, on=day, note=note
            )
        if approve:
            console.print(
                f"Đã duyệt gia hạn số {extension_id}: hạn mới {request.approved_due:%d/%m/%Y} "
                f"(hạn cũ {request.previous_due:%d/%m/%Y} vẫn được lưu)."
            )
        else:
            console.print(f"Đã từ chối đề nghị gia hạn số {extension_id}; hạn giữ nguyên.")

    run(go)


@extension_app.command("approve")
def extension_approve(
    extension_id: Annotated[int, typer.Argument(metavar="SỐ", help="Số đề nghị gia hạn.")],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="NGÀY", help="Ngày quyết định; mặc định hôm nay."),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="GHI_CHÚ", help="Ghi chú của lãnh đạo.")
    ] = None,
) -> None:
    """Duyệt đề nghị gia hạn: đổi hạn thực tế, giữ hạn cũ."""
    _decide(extension_id, True, on, note)


@extension_app.command("reject")
def extension_reject(
    extension_id: Annotated[int, typer.Argument(metavar="SỐ", help="Số đề nghị gia hạn.")],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="NGÀY", help="Ngày quyết định; mặc định hôm nay."),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="LÝ_DO", help="Lý do từ chối.")
    ] = None,
) -> None:
    """Từ chối đề nghị gia hạn; hạn giữ nguyên."""
    _decide(extension_id, False, on, note)


@progress_app.command("import")
def progress_import(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="TỆP",
            help="Bảng tiến độ .csv (UTF-8, dấu phẩy hoặc chấm phẩy) hoặc .xlsx (trang đầu).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ kiểm tra và xem sẽ ghi nhận gì, không ghi.")
    ] = False,
) -> None:
    """Nhập báo cáo tiến độ từ bảng: mỗi dòng một nhiệm vụ giao; có dòng lỗi thì không ghi dòng nào."""

    def go() -> None:
        try:
            with ready_session() as session:
                report = import_progress_table(session=session, path=file, dry_run=dry_run)
        except DondocError as exc:
            # The message quotes cells of the clerk's table: "[x]" must print, not be markup.
            fail(str(exc), exc.exit_code)
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

    run(go)
