"""``dondoc remind``, ``dondoc outbox`` and ``dondoc serve``: sending reminders now, the
messages sent, and the schedules."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dondoc.cli.common import console, moment_option, run
from models.delivery import DeliveryState
from services.database import ready_session
from services.outbox import DeliveryView, deliveries, list_outbox, retry_failed
from services.sweep import preview_sweep
from tasks.errors import InputError
from tasks.progress_table import fold

STATE_COLOURS: dict[str, str] = {
    DeliveryState.SENT: "green",
    DeliveryState.PENDING: "yellow",
    DeliveryState.SENDING: "blue",
    DeliveryState.FAILED: "red",
    DeliveryState.SUPERSEDED: "bright_black",
}
STATE_WORDS: dict[str, str] = {
    DeliveryState.SENT: "đã gửi",
    DeliveryState.PENDING: "chờ gửi",
    DeliveryState.SENDING: "đang gửi",
    DeliveryState.FAILED: "thất bại",
    DeliveryState.SUPERSEDED: "đã thay thế",
}


def delivery_state_option(value: str | None) -> DeliveryState | None:
    """--state: a delivery state by its name (failed) or its Vietnamese word («thất bại»),
    in any case, with or without accents."""
    if value is None:
        return None
    wanted = fold(value)
    for state, word in STATE_WORDS.items():
        if wanted in (fold(state), fold(word)):
            return DeliveryState(state)
    accepted = ", ".join(f"«{word}» ({key})" for key, word in STATE_WORDS.items())
    raise InputError(f"Trạng thái «{value}» không có; ghi một trong: {accepted}.", where="--state")


def remind(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="NGÀY_GIỜ",
            help="Thời điểm nhắc (26/08/2024 08:30); mặc định bây giờ.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ xem sẽ gửi gì, không gửi, không ghi.")
    ] = False,
) -> None:
    """Chạy một lần nhắc việc: gửi thư và tin nhắn Zalo đến hạn, mỗi người nhận một bản tổng hợp."""

    def go() -> None:
        moment = moment_option(as_of)
        with ready_session():
            pass
        if dry_run:
            rows = preview_sweep(as_of=moment)
            table = Table(title=f"Sẽ gửi lúc {moment:%d/%m/%Y %H:%M} (chạy thử, chưa gửi gì)")
            for col in ("Kênh", "Người nhận", "Tiêu đề", "Số nhiệm vụ"):
                table.add_column(col, overflow="fold")
            for r in rows:
                table.add_row(r.channel, r.recipient, r.subject, str(r.reminders))
            console.print(table if rows else "Không có nhắc việc nào đến hạn.")
            return
        from flows.reminders import reminder_sweep  # looked up now: tests replace it

        result = reminder_sweep(moment)
        if result.get("skipped"):
            console.print(f"Không gửi: {result['skipped']} ({moment:%d/%m/%Y %H:%M}).")
            return
        for item in result.get("followed_up", []):
            console.print(
                f"Đã lập kế hoạch nhắc việc còn chờ của thông báo "
                f"{escape(str(item['number'] or item['notice_id']))}: {item['planned']} mốc."
            )
        with ready_session() as session:
            sent = deliveries(session=session, ids=result["delivery_ids"])
        _print_deliveries(sent, f"Nhắc việc {moment:%d/%m/%Y %H:%M}")
        console.print(
            f"{result['reminders']} nhắc việc; {result['sent']} đã gửi, {result['retry']} chờ gửi lại, "
            f"{result['failed']} thất bại."
        )

    run(go)


def _print_deliveries(rows: list[DeliveryView], title: str) -> None:
    table = Table(title=title)
    for col in ("Mã", "Kênh", "Người nhận", "Tiêu đề", "Trạng thái", "Lần gửi", "Lỗi"):
        table.add_column(col, overflow="fold")
    for d in rows:
        table.add_row(
            str(d.id),
            d.channel,
            escape(d.recipient),
            d.subject,
            f"[{STATE_COLOURS.get(d.state, 'white')}]{STATE_WORDS.get(d.state, d.state)}[/]",
            str(d.attempts),
            escape((d.last_error or "")[:80]),
        )
    console.print(table)


def outbox(
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            metavar="TRẠNG_THÁI",
            help="Chỉ một trạng thái: "
            + ", ".join(f"«{word}» ({key})" for key, word in STATE_WORDS.items())
            + ".",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa.")] = 200,
    retry: Annotated[
        list[int] | None,
        typer.Option(
            "--retry",
            help="Gửi lại thư/tin nhắn thất bại có mã này (lặp lại được); lần nhắc việc tới sẽ gửi.",
        ),
    ] = None,
    retry_all: Annotated[
        bool, typer.Option("--retry-failed", help="Gửi lại mọi thư/tin nhắn thất bại.")
    ] = False,
) -> None:
    """Hộp thư đi: thư và tin nhắn đã gửi, đang chờ gửi lại, thất bại hoặc đã thay thế."""

    def go() -> None:
        chosen = delivery_state_option(state)
        if retry or retry_all:
            with ready_session() as session:
                result = retry_failed(session=session, ids=None if retry_all else retry)
            console.print(
                f"Đã đưa {len(result.retried)} thư/tin nhắn thất bại vào hàng chờ gửi lại"
                + (f" (mã {', '.join(map(str, result.retried))})" if result.retried else "")
                + "; lần nhắc việc tới sẽ gửi."
            )
            if result.not_failed:
                console.print(
                    f"Không gửi lại mã {', '.join(map(str, result.not_failed))}: "
                    "không có, hoặc không ở trạng thái thất bại."
                )
            return
        with ready_session() as session:
            rows = list_outbox(session=session, state=chosen, limit=limit)
        if as_json:
            typer.echo(json.dumps([d.to_json() for d in rows], ensure_ascii=False, indent=2))
            return
        _print_deliveries(rows, "Hộp thư đi")

    run(go)


def serve(
    web: Annotated[
        bool, typer.Option("--web/--no-web", help="Chạy cả trang web (DONDOC_WEB_PORT).")
    ] = True,
) -> None:
    """Chạy lịch nhắc việc (08:00 các ngày làm việc) và báo cáo giao ban (07:00 ngày 1) trong một
    tiến trình, cùng máy chủ Prefect cục bộ có bộ lập lịch và trang web, đến khi dừng (Ctrl-C
    hoặc SIGTERM)."""
    from deployments.schedules import serve as serve_all

    def go() -> None:
        with ready_session():
            pass
        serve_all(lambda line: console.print(line, highlight=False, soft_wrap=True), web=web)

    run(go)
