"""``dondoc status``, ``dondoc briefing`` and ``dondoc scorecard``: the reports."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dondoc.cli.common import console, day_option, run
from dondoc.views import print_status
from services.database import ready_session
from services.reports import briefing_document
from services.reports import scorecard as compute_card
from services.status import status_report
from tasks.briefing.model import pct_text
from tasks.errors import InputError
from tasks.periods import parse_month


def status(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="NGÀY",
            help="Tính đến ngày (30/8/2024 hoặc 2024-08-30); mặc định hôm nay.",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="MÃ_ĐƠN_VỊ", help="Chỉ một đơn vị (mã).")
    ] = None,
    notice: Annotated[
        str | None,
        typer.Option("--notice", metavar="SỐ", help="Chỉ một thông báo, theo số (54/TB-VP)."),
    ] = None,
    notice_id: Annotated[
        int | None,
        typer.Option(
            "--notice-id",
            metavar="MÃ",
            help="Chỉ một thông báo, theo mã (cột «Mã» của dondoc notice list): cho thông báo "
            "chưa có số.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Tình hình thực hiện nhiệm vụ tính đến một ngày, theo sáu nhóm trạng thái."""

    def go() -> None:
        if notice is not None and notice_id is not None:
            raise InputError("Chỉ dùng một trong hai: --notice (số) hoặc --notice-id (mã).")
        day = day_option(as_of, "--as-of", default=date.today())
        with ready_session() as session:
            report = status_report(
                session=session,
                as_of=day,
                unit_code=unit,
                notice_number=notice,
                notice_id=notice_id,
            )
        if as_json:
            typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
            return
        print_status(
            console,
            report.rows,
            report.counts,
            f"Tình hình thực hiện nhiệm vụ tính đến ngày {day:%d/%m/%Y}",
        )

    run(go)


class BriefingFormat(StrEnum):
    docx = "docx"
    html = "html"
    md = "md"
    json = "json"


class PeriodKind(StrEnum):
    calendar = "calendar"
    regime = "15-14"


def briefing(
    month: Annotated[
        str, typer.Option("--month", metavar="THÁNG", help="Tháng báo cáo, dạng YYYY-MM.")
    ],
    fmt: Annotated[
        BriefingFormat, typer.Option("--format", help="docx, html, md hoặc json.")
    ] = BriefingFormat.md,
    period: Annotated[
        PeriodKind,
        typer.Option(
            "--period", help="calendar: cả tháng; 15-14: từ ngày 15 tháng trước đến ngày 14."
        ),
    ] = PeriodKind.calendar,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="NGÀY",
            help="Ngày tính trạng thái; mặc định cuối kỳ (hoặc hôm nay).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Tệp ghi báo cáo; bỏ trống: in ra màn hình.")
    ] = None,
) -> None:
    """Báo cáo giao ban tháng: tổng hợp, theo đơn vị, quá hạn, kỳ tới, biểu đồ."""

    def go() -> None:
        chosen = parse_month(month, period.value)
        day = day_option(as_of, "--as-of") if as_of else None
        with ready_session() as session:
            document = briefing_document(
                session=session,
                period=chosen,
                fmt=fmt.value,
                as_of=day,
                out=out,
            )
        if out is None:
            typer.echo(document.text)
        else:
            console.print(f"Đã ghi báo cáo giao ban {document.period.label} vào {out}.")

    run(go)


def scorecard(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="NGÀY", help="Ngày cuối của 12 tháng; mặc định hôm nay."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Tỷ lệ nhiệm vụ hoàn thành đúng hạn của từng đơn vị trong 12 tháng, và xu hướng."""

    def go() -> None:
        day = day_option(as_of, "--as-of", default=date.today())
        with ready_session() as session:
            card = compute_card(session=session, as_of=day)
        if as_json:
            typer.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
            return
        if not card.units:
            console.print(
                f"Không có nhiệm vụ nào đến hạn trong bốn quý đến ngày {day:%d/%m/%Y} "
                f"(từ {card.windows[0].start:%d/%m/%Y})."
            )
            return
        table = Table(
            title=f"Tỷ lệ hoàn thành đúng hạn theo quý, từ {card.windows[0].start:%d/%m/%Y} "
            f"đến {day:%d/%m/%Y} (đơn vị chủ trì)"
        )
        table.add_column("Đơn vị")
        table.add_column("Đến hạn", justify="right")
        table.add_column("Đúng hạn", justify="right")
        table.add_column("Tỷ lệ", justify="right")
        for w in card.windows:
            table.add_column(w.label, justify="right")
        table.add_column("Xu hướng")
        for u in card.units:
            table.add_row(
                u.name,
                str(u.due_total),
                str(u.on_time_total),
                _pct_text(u.pct),
                *(_pct_text(p) for p in u.quarter_pct()),
                u.trend_word
                + ("" if u.trend is None else f" ({u.trend:+.1f} điểm)".replace(".", ",")),
            )
        console.print(table)

    run(go)


def _pct_text(value: float | None) -> str:
    return pct_text(value) + ("" if value is None else "%")
