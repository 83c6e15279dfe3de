"""The command line: each command parses its options, calls one service, and prints.

Commands live by subject: ``units``, ``notices`` (with extract and follow-up), ``progress``
(assignment, extension, progress import), ``reminders`` (remind, outbox, serve) and
``reports`` (briefing, scorecard); ``common`` holds the consoles, error messages and date
options they share; ``vietnamese`` makes Typer's own words (help, usage errors) Vietnamese."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli import notices, reminders, reports, web
from dondoc.cli.common import console, day_option, run
from dondoc.cli.notices import notice_app
from dondoc.cli.progress import assignment_app, extension_app, progress_app
from dondoc.cli.units import units_app
from dondoc.cli.users import user_app
from dondoc.cli.vietnamese import DondocTyper
from models.db import check_actor, set_actor
from services.database import init_database

app = DondocTyper(
    name="dondoc",
    help="dondoc – theo dõi, đôn đốc thực hiện nhiệm vụ trong thông báo kết luận và công văn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(
    actor: Annotated[
        str | None,
        typer.Option("--actor", metavar="TÊN", help="Tên người thao tác, ghi vào nhật ký."),
    ] = None,
) -> None:
    if actor is not None:
        run(lambda: check_actor(actor, "--actor"))
    set_actor(actor)


@app.command()
def init() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên phiên bản mới nhất."""

    def go() -> None:
        result = init_database()
        console.print(f"Cơ sở dữ liệu sẵn sàng (phiên bản {result.revision}): {result.where}")

    run(go)


app.add_typer(units_app, name="units")
app.add_typer(notice_app, name="notice")
app.command("follow-up")(notices.follow_up)
app.command()(notices.extract)
app.command()(reports.status)
app.add_typer(assignment_app, name="assignment")
app.add_typer(extension_app, name="extension")
app.add_typer(progress_app, name="progress")
app.command()(reminders.remind)
app.command()(reminders.outbox)
app.command()(reminders.serve)
app.command()(reports.briefing)
app.command()(reports.scorecard)
app.add_typer(user_app, name="user")
app.command()(web.web)


@app.command()
def demo(
    as_of: Annotated[
        str, typer.Option("--as-of", metavar="NGÀY", help="Ngày tính trạng thái.")
    ] = "2024-08-26",
    fresh: Annotated[bool, typer.Option(help="Xóa cơ sở dữ liệu demo cũ trước khi chạy.")] = True,
) -> None:
    """Chạy thử toàn bộ: danh mục, ba thông báo mẫu, tiến độ, gia hạn, bảng trạng thái."""
    from dondoc.demo import run_demo

    run(lambda: run_demo(console=console, as_of=day_option(as_of, "--as-of"), fresh=fresh))


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
